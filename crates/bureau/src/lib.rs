//! The bureau's side of the Liangshan household survey kit: export files from the tablets
//! → one checked register (SQLite) → a workbook and CSV tables for Excel/WPS and a
//! self-contained HTML progress report. Every rule (import checks, validation, the merge
//! rule, the export format) is the core's (`survey-core`); this crate only stores, lists
//! and draws. See `docs/bureau.md`.
//!
//! - [`sources`]: files, folders and `.zip` archives → one export file at a time;
//! - [`surveys`]: the survey versions households are re-validated with (the shipped one is
//!   built in; others are added from their folders and kept in the register);
//! - [`register`]: the SQLite register (every version, which is current, where it came from,
//!   answers in queryable tables);
//! - [`intake`]: checking and taking files, whole or not at all;
//! - [`tables`]: the workbook (`.xlsx`) and CSV tables;
//! - [`report`]: the HTML progress report;
//! - [`assignments`]: the bureau's assignment list (cadre → households);
//! - [`text`]: messages in Chinese and Yi (from `locales/`), HTML and spreadsheet escaping.

pub mod assignments;
pub mod intake;
pub mod keys;
pub mod lists;
pub mod photos;
pub mod register;
pub mod report;
pub mod sources;
pub mod surveys;
pub mod tables;
pub mod text;

/// Exit codes of the `liangshan-bureau` binary (documented in `docs/bureau.md`).
pub mod exit {
    /// Everything done; every file taken (or already taken before).
    pub const OK: i32 = 0;
    /// A problem with the command itself: a bad option, a missing input, a register that
    /// cannot be opened, an output that cannot be written (clap's usage errors are 2 too).
    pub const USAGE: i32 = 2;
    /// Intake finished, but at least one file was refused (the others were taken).
    pub const REFUSED: i32 = 3;
    /// Done, and the register has open conflicts for a clerk to resolve.
    pub const CONFLICTS: i32 = 4;
}

/// An error that stops a command (not a refused file: those are reported and the batch goes
/// on).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The register database.
    #[error("登记库出错 / register error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// Reading or writing a file.
    #[error("{path}: {source}")]
    Io {
        /// Which file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Writing the workbook.
    #[error("工作簿写入失败 / workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// Anything else, already worded for the clerk.
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Error {
        Error::Io { path: path.as_ref().display().to_string(), source }
    }
}

/// Result of a command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
