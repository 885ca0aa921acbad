//! Export to the bureau and import back: the versioned JSON exchange format (documented in
//! `docs/export-format.md`, JSON Schema in `schema/export-v1.schema.json`), CSV tables for
//! Excel/WPS, and the checks and merge plan of an import.
//!
//! - [`export_file`] + [`to_json`]: households → one JSON file with typed answers (numbers
//!   as numbers, multi-selects as arrays, the roster as an array of member objects), the
//!   label dictionary in both languages, acknowledged warnings and history. Answers to
//!   fields the survey lacks are kept in `unknown_answers`; a backup also keeps answers of
//!   questions that are not relevant (`hidden_answers`), so that a restore is exact.
//! - [`read_file`]: bytes → every household checked, or one [`ImportError`] (its code is a
//!   translation key) — all or nothing, so a bad file changes nothing.
//! - Visit records (the visit log) travel beside the households: [`add_visits`] writes
//!   them, [`read_file_with_visits`] reads them with the same checks, and they merge by id
//!   with the same [`relate`].
//! - [`relate`]: the one merge rule — whether a version of a household continues another,
//!   is older, or was edited independently (a conflict).
//! - [`preview`] and [`plan`]: which households are new, identical, continue the tablet's,
//!   are older or conflict, and which to save for the user's [`MergeChoice`];
//!   [`differences`] lists a conflict's differing answers with the survey's labels.
//! - [`csv_tables`]: households and members tables, UTF-8 with BOM.
//!
//! Round trip: `read_file(to_json(export_file(hs)))` gives back `hs` exactly (for a
//! bureau file: exactly, less the answers of questions that are not relevant).

mod csv;
mod export;
mod format;
mod import;
mod merge;
mod time;

pub use self::csv::{csv_tables, spreadsheet_cell, visits_csv, CsvTables, BOM, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, VISIT_ID_COLUMN};
pub use export::{add_visits, dictionary, export_file, export_household, file_name, safe_file_name, to_json, ExportMeta};
pub use format::*;
pub use import::{read_file, read_file_with_visits, BrokenRecord, ImportError, ImportedFile, RecordProblem, MAX_FILE_BYTES, MAX_LISTED_PROBLEMS, MAX_ZIP_BYTES};
pub use merge::{
    chosen, compare, differences, plan, plan_records, preview, relate, Difference, Match, MergeChoice, Preview, PreviewCounts, PreviewEntry,
    Relation, Resolution,
};
pub use time::instant;

/// The JSON Schema of the format, generated from the Rust types (feature `schema`), in
/// draft 2020-12 with only the standard `format` values: schemars' own (`uint`, `int32`,
/// …) are dropped, since strict validators (ajv) refuse a format they do not know; the
/// integer's range is already said by `minimum`.
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    use schemars::generate::SchemaSettings;
    use schemars::transform::RecursiveTransform;
    let standard_formats_only = |s: &mut schemars::Schema| {
        let standard = s
            .get("format")
            .and_then(|f| f.as_str())
            .is_none_or(|f| STANDARD_FORMATS.contains(&f));
        if !standard {
            s.remove("format");
        }
    };
    let schema = SchemaSettings::draft2020_12()
        .with_transform(RecursiveTransform(standard_formats_only))
        .into_generator()
        .into_root_schema_for::<ExportFile>();
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// The `format` values JSON Schema draft 2020-12 defines (section 7.3 of its validation
/// vocabulary).
#[cfg(feature = "schema")]
const STANDARD_FORMATS: [&str; 19] = [
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];
