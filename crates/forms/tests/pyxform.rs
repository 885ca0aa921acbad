//! Every shipped form (each folder of `surveys/`, workbook or CSV; and a visit-log-like
//! form of the tests, `tests/fixtures/visit`) is accepted by the kit and also converts with
//! pyxform, ODK's own XLSForm converter (PyPI `pyxform`, pinned and installed by
//! scripts/setup.sh): the form is written to a temporary workbook with the kit's own
//! converter and handed to `python3 -m pyxform.xls2xform`. This test FAILS when pyxform
//! is missing.
//!
//! The kit's documented extensions are adapted as ODK needs (docs/survey-format.md,
//! "Extensions and ODK"): the bilingual title `form_title::zh` / `form_title::ii` becomes
//! XLSForm's one `form_title` (the default language's). The other extension columns
//! (`warning`, `ii_status`, …) stay: pyxform keeps unknown columns. pyxform's own checks
//! run; ODK Validate (JavaRosa, `--odk_validate`) is not run, as it refuses the kit's
//! extension functions (`age()`, `id-valid()`, `setting()`, …).
use std::path::{Path, PathBuf};
use std::process::Command;
use survey_core::loader::{read_grids, Grid};

/// pyxform's version, as pinned in scripts/setup.sh.
const PYXFORM: &str = "4.5.0";

fn surveys() -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.join("../../surveys");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.push(here.join("tests/fixtures/visit"));
    dirs
}

/// The settings sheet with one `form_title`, the default language's.
fn for_pyxform(mut grids: [Grid; 3]) -> [Grid; 3] {
    let settings = &mut grids[2];
    let lang = settings
        .header
        .iter()
        .position(|h| h == "default_language")
        .and_then(|i| settings.rows.first().and_then(|(_, r)| r.get(i)))
        .filter(|l| !l.is_empty())
        .cloned()
        .unwrap_or_else(|| "zh".into());
    let keep = format!("form_title::{lang}");
    let drop: Vec<usize> = (0..settings.header.len())
        .filter(|&i| settings.header[i].starts_with("form_title::") && settings.header[i] != keep)
        .collect();
    for i in drop.into_iter().rev() {
        settings.header.remove(i);
        for (_, row) in &mut settings.rows {
            if i < row.len() {
                row.remove(i);
            }
        }
    }
    for h in &mut settings.header {
        if *h == keep {
            *h = "form_title".into();
        }
    }
    grids
}

#[test]
fn every_shipped_form_converts_with_pyxform() {
    let version = Command::new("python3")
        .args(["-c", "import pyxform; print(pyxform.__version__)"])
        .output()
        .expect("python3 runs");
    assert!(
        version.status.success(),
        "pyxform is not installed (run scripts/setup.sh, which installs pyxform=={PYXFORM}): {}",
        String::from_utf8_lossy(&version.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        PYXFORM,
        "pyxform's version"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dirs = surveys();
    assert!(dirs.len() > 1, "{dirs:?}");
    let mut failures = Vec::new();
    for dir in dirs {
        let id = dir.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(problems) = forms::lint::check(&dir) {
            failures.push(forms::lint::report_plain(&id, &problems));
            continue;
        }
        let (_, grids) = read_grids(&dir).unwrap_or_else(|p| panic!("{id}: {p:?}"));
        let xlsx = tmp.path().join(format!("{id}.xlsx"));
        let xml = tmp.path().join(format!("{id}.xml"));
        forms::workbook::write(&xlsx, &for_pyxform(grids)).unwrap();
        let out = Command::new("python3")
            .args(["-m", "pyxform.xls2xform", "--skip_validate", "--json"])
            .arg(&xlsx)
            .arg(&xml)
            .output()
            .unwrap();
        // `--json` writes its report on stderr (on stdout in some versions).
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = said
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l.trim()).ok())
            .unwrap_or_default();
        if !out.status.success() || report["code"] != 100 || !xml.is_file() {
            failures.push(format!(
                "{id}: pyxform refused the form: {}\n{said}",
                report["message"].as_str().unwrap_or("")
            ));
            continue;
        }
        if let Some(w) = report["warnings"].as_array().filter(|w| !w.is_empty()) {
            eprintln!("{id}: pyxform's warnings: {w:?}");
        }
        // The XForm holds the form's questions (a sanity check that pyxform read the sheets).
        let text = std::fs::read_to_string(&xml).unwrap();
        let first = survey_core::load_survey_dir(&dir).unwrap().survey[0]
            .name
            .clone();
        assert!(
            text.contains(&format!("<{first}")),
            "{id}: {first} not in the XForm"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
