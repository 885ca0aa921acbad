//! `liangshan-forms convert <csv folder> --out <file.xlsx>`: the XLSForm workbook of a
//! survey kept as CSV files. The written workbook is loaded back and compared with the CSV
//! survey; a difference is an error (nothing is left behind).
use crate::lint::report_plain;
use std::path::Path;
use std::process::ExitCode;
use survey_core::loader::{load_survey, read_grids, Source};

/// Converts; prints what it did, or why not (in Chinese and English).
pub fn run(dir: &Path, out: &Path) -> ExitCode {
    match convert(dir, out) {
        Ok(()) => {
            println!("已写入 {} / written", out.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// Converts the CSV survey in `dir` to the workbook `out`, checking that the workbook loads
/// to exactly the same definition.
pub fn convert(dir: &Path, out: &Path) -> Result<(), String> {
    let (source, grids) =
        read_grids(dir).map_err(|p| report_plain(&dir.display().to_string(), &p))?;
    if !matches!(source, Source::Csv(_)) {
        return Err(format!(
            "{} 已是工作簿，不是 CSV 文件夹 / is a workbook already, not a CSV folder",
            dir.display()
        ));
    }
    let before = load_survey(dir).map_err(|p| report_plain(&dir.display().to_string(), &p))?;
    if out.exists() {
        return Err(format!(
            "{} 已存在，不会覆盖 / exists already and is not overwritten",
            out.display()
        ));
    }
    crate::workbook::write(out, &grids).map_err(|e| format!("{}: {e}", out.display()))?;
    let after = load_survey(out).map(|l| l.raw);
    if after.as_ref() != Ok(&before.raw) {
        let _ = std::fs::remove_file(out);
        return Err(format!(
            "写出的工作簿读回后与 CSV 不同，已删除 / the written workbook does not read back as the CSV did; removed: {:?}",
            after.err()
        ));
    }
    Ok(())
}
