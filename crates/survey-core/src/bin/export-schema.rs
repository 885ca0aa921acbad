//! Writes the JSON Schema of the export format, generated from the Rust types, to
//! `schema/export-v1.schema.json` (or checks that the file is up to date with `--check`).
//!
//! ```text
//! cargo run -p survey-core --bin export-schema [-- --check]
//! ```
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/export-v1.schema.json");
    let schema = survey_core::exchange::json_schema();
    if check {
        return match std::fs::read_to_string(&path) {
            Ok(old) if old == schema => ExitCode::SUCCESS,
            _ => {
                eprintln!("{} 已过期：请运行 cargo run -p survey-core --bin export-schema", path.display());
                ExitCode::FAILURE
            }
        };
    }
    if let Some(dir) = path.parent() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    match std::fs::write(&path, schema) {
        Ok(()) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            ExitCode::from(2)
        }
    }
}
