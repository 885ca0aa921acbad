//! Loads the shipped surveys (`surveys/household` and the visit log `surveys/visit`, each
//! its XLSForm workbook or CSV files) through the core's loader and writes them as JSON for
//! `Surveys::builtin`, so the binary needs no other file and does not care which form a
//! survey is kept in.
use std::path::PathBuf;

fn main() -> Result<(), String> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?).join("../../surveys");
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    for name in ["household", "visit"] {
        let dir = root.join(name);
        println!("cargo::rerun-if-changed={}", dir.display());
        let raw = survey_core::load_survey_dir(&dir).map_err(|problems| {
            let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            format!("{} has problems:\n{}", dir.display(), list.join("\n"))
        })?;
        std::fs::write(out.join(format!("{name}.json")), raw.to_json()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
