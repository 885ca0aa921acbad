//! Loads the shipped survey (`surveys/household`, its XLSForm workbook or CSV files) through
//! the core's loader and writes it as JSON for `Surveys::builtin`, so the binary needs no
//! other file and does not care which form the survey is kept in.
use std::path::PathBuf;

fn main() -> Result<(), String> {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?)
        .join("../../surveys/household");
    println!("cargo::rerun-if-changed={}", dir.display());
    let raw = survey_core::load_survey_dir(&dir).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("{} has problems:\n{}", dir.display(), list.join("\n"))
    })?;
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    std::fs::write(out.join("household.json"), raw.to_json()).map_err(|e| e.to_string())
}
