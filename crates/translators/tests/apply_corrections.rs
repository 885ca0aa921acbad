//! apply-corrections on a copy of the real kit sources: a correction, an acceptance and a
//! stale text; running twice; the report counting them; bad files refused with nothing
//! changed.

use std::path::{Path, PathBuf};
use std::process::Command;
use survey_core::corrections::{Correction, CorrectionsFile, FORMAT, FORMAT_VERSION};
use survey_core::translation::TextEntry;
use survey_core::loader::read_grids;
use translators::Kit;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A fresh copy of Cargo.toml and locales/, and the household survey (as the kit loads it,
/// whichever form it is kept in) written as CSV files, or as a workbook when `workbook`.
fn kit_copy(name: &str, workbook: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apply-corrections-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo().join("Cargo.toml"), dir.join("Cargo.toml")).unwrap();
    copy_dir(&repo().join("locales"), &dir.join("locales"));
    let (_, grids) = read_grids(repo().join("surveys/household")).unwrap();
    let survey = dir.join("surveys/household");
    std::fs::create_dir_all(&survey).unwrap();
    if workbook {
        forms::workbook::write(&survey.join("household.xlsx"), &grids).unwrap();
        return dir;
    }
    forms::workbook::write_csv_dir(&survey, &grids).unwrap();
    dir
}

/// Every file under `dir` with its content.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

fn run(bin: &str, root: &Path, args: &[&str]) -> (i32, String, String) {
    let exe = match bin {
        "apply" => env!("CARGO_BIN_EXE_apply-corrections"),
        _ => env!("CARGO_BIN_EXE_translation-report"),
    };
    let out = Command::new(exe)
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn text<'a>(texts: &'a [TextEntry], key: &str) -> &'a TextEntry {
    texts
        .iter()
        .find(|t| t.key == key)
        .unwrap_or_else(|| panic!("{key}"))
}

fn correction(t: &TextEntry, after: &str) -> Correction {
    Correction {
        key: t.key.clone(),
        place: t.place.clone(),
        zh: t.zh.clone(),
        ii_before: t.ii.clone(),
        ii_after: after.to_string(),
        comment: "试".into(),
        at: "2026-11-30T10:00:00Z".into(),
    }
}

fn file_for(kit: &Kit, corrections: Vec<Correction>) -> CorrectionsFile {
    CorrectionsFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        kit_version: kit.version.clone(),
        surveys: kit.survey_versions(),
        reviewer: "阿依莫".into(),
        exported_at: "2026-11-30T10:05:00Z".into(),
        corrections,
    }
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

const UI: &str = "ui/app/subtitle";
const CHOICE: &str = "survey/liangshan_household/choices/relation/head/label";
const ACCEPTED: &str = "survey/liangshan_household/choices/village/laguo/label";
const STALE: &str = "ui/app/loading";

#[test]
fn applies_once_reports_stale_and_counts_the_reviewer() {
    let root = kit_copy("ok", false);
    let kit = Kit::load(&root).unwrap();
    let texts = kit.texts().unwrap();
    let (ui, choice, accepted, stale) = (
        text(&texts, UI),
        text(&texts, CHOICE),
        text(&texts, ACCEPTED),
        text(&texts, STALE),
    );
    let mut seen_stale = correction(stale, "ꀊꏦ");
    seen_stale.zh = "旧的中文".into();
    let f = file_for(
        &kit,
        vec![
            correction(ui, "ꆃꎭ ꑌꁧ"),
            correction(choice, "ꑷꈓ ꌋ"),
            correction(accepted, &accepted.ii),
            seen_stale,
        ],
    );
    let path = write(
        &root,
        "corrections.json",
        &serde_json::to_string_pretty(&f).unwrap(),
    );
    let ii_before = std::fs::read_to_string(root.join("locales/ii/app.json")).unwrap();
    let choices_before =
        std::fs::read_to_string(root.join("surveys/household/choices.csv")).unwrap();

    let (code, out, err) = run("apply", &root, &[&path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "更正 corrected  {UI}  「{}」 → 「ꆃꎭ ꑌꁧ」",
            ui.ii
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("确认 accepted   {ACCEPTED}")),
        "{out}"
    );
    assert!(
        out.contains(&format!("过期未改 stale  {STALE}: 中文已改")),
        "{out}"
    );
    assert!(
        out.contains("wrote locales/ii/app.json")
            && out.contains("wrote surveys/household/choices.csv"),
        "{out}"
    );

    // Only the corrected lines changed; the files keep their order and formatting.
    let ii_after = std::fs::read_to_string(root.join("locales/ii/app.json")).unwrap();
    let diff: Vec<_> = ii_before
        .lines()
        .zip(ii_after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        diff,
        [(
            format!("  \"subtitle\": \"{}\",", ui.ii).as_str(),
            "  \"subtitle\": \"ꆃꎭ ꑌꁧ\","
        )]
    );
    let choices_after =
        std::fs::read_to_string(root.join("surveys/household/choices.csv")).unwrap();
    // The two new columns are added (empty on the other rows); only two rows get values.
    let changed: Vec<_> = choices_before
        .lines()
        .zip(choices_after.lines())
        .filter(|(a, b)| format!("{a},,") != *b)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(changed.len(), 3, "header, head and laguo: {changed:?}");
    assert!(changed[0].ends_with(",ii_reviewer,ii_reviewed_on"));
    assert!(
        changed[1].starts_with("village,laguo,")
            && changed[1].ends_with(",reviewed,,阿依莫,2026-11-30")
    );
    assert!(
        changed[2].starts_with("relation,head,户主,ꑷꈓ ꌋ,")
            && changed[2].contains(",reviewed,")
            && changed[2].ends_with(",阿依莫,2026-11-30")
    );
    // The stale text was not touched.
    assert!(ii_after.contains(&format!("\"loading\": \"{}\"", stale.ii)));

    // The kit reads it back: the texts are reviewed, the survey still compiles.
    let kit2 = Kit::load(&root).unwrap();
    let texts2 = kit2.texts().unwrap();
    for (key, ii) in [
        (UI, "ꆃꎭ ꑌꁧ"),
        (CHOICE, "ꑷꈓ ꌋ"),
        (ACCEPTED, accepted.ii.as_str()),
    ] {
        let t = text(&texts2, key);
        assert_eq!(
            (t.ii.as_str(), t.status),
            (ii, Some(survey_core::survey::IiStatus::Reviewed)),
            "{key}"
        );
    }
    survey_core::Survey::compile(kit2.surveys[0].1.clone()).unwrap();

    // Twice: nothing changes.
    let snap = snapshot(&root);
    let (code, out, _) = run("apply", &root, &[&path]);
    assert_eq!(code, 0);
    assert!(
        out.contains("nothing to change") && out.contains("already applied: 3"),
        "{out}"
    );
    assert_eq!(snapshot(&root), snap);

    // The report counts them, for the reviewer.
    let (_, report, _) = run("report", &root, &[]);
    assert!(report.contains("阿依莫  3"), "{report}");
    assert!(report.contains("locales/ii/app.json: 阿依莫 1"), "{report}");
    assert!(
        report.contains("surveys/household/choices.csv: 阿依莫 2"),
        "{report}"
    );
    // The consistency list: 户主 is now ꑷꈓ ꌋ as a choice, and other texts with 户主 in
    // Chinese do not have it in Yi.
    let line = report
        .lines()
        .find(|l| l.starts_with("  户主: "))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        line.contains("「ꑷꈓ ꌋ」 (survey/liangshan_household/choices/relation/head/label)"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bad_files_are_refused_and_nothing_changes() {
    let root = kit_copy("bad", false);
    let kit = Kit::load(&root).unwrap();
    let texts = kit.texts().unwrap();
    let good = correction(text(&texts, UI), "ꆃꎭ ꑌꁧ");
    let snap = snapshot(&root);
    let mut other_kit = file_for(&kit, vec![good.clone()]);
    other_kit.kit_version = "0.0.9".into();
    let mut other_survey = file_for(&kit, vec![good.clone()]);
    other_survey.surveys[0].version = "2020.1.1".into();
    let not_yi = file_for(
        &kit,
        vec![good.clone(), correction(text(&texts, CHOICE), "ꑷꈓ户主")],
    );
    let radical = file_for(&kit, vec![correction(text(&texts, CHOICE), "ꑷ\u{A494}")]);
    let full = serde_json::to_string(&file_for(&kit, vec![good])).unwrap();
    let cases = [
        (
            "other-kit",
            serde_json::to_string(&other_kit).unwrap(),
            "另一个版本的工具包",
        ),
        (
            "other-survey",
            serde_json::to_string(&other_survey).unwrap(),
            "另一个版本的问卷",
        ),
        (
            "not-yi",
            serde_json::to_string(&not_yi).unwrap(),
            "U+6237 '户'",
        ),
        (
            "radical",
            serde_json::to_string(&radical).unwrap(),
            "U+A494",
        ),
        ("damaged", full[..full.len() / 2].to_string(), "文件已损坏"),
        ("not-json", "\u{FEFF}hello".to_string(), "文件已损坏"),
    ];
    let outside =
        std::env::temp_dir().join(format!("apply-corrections-files-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    for (name, body, expect) in cases {
        let path = write(&outside, &format!("{name}.json"), &body);
        let (code, out, err) = run("apply", &root, &[&path]);
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(
            err.contains("nothing was changed") && err.contains(expect),
            "{name}: {err}"
        );
        assert_eq!(snapshot(&root), snap, "{name}");
    }
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn corrections_go_into_a_survey_kept_as_a_workbook() {
    let root = kit_copy("xlsx", true);
    let book = root.join("surveys/household/household.xlsx");
    let (_, before) = read_grids(&book).unwrap();

    let kit = Kit::load(&root).unwrap();
    let texts = kit.texts().unwrap();
    let (choice, accepted) = (text(&texts, CHOICE), text(&texts, ACCEPTED));
    let f = file_for(&kit, vec![correction(choice, "ꑷꈓ ꌋ"), correction(accepted, &accepted.ii)]);
    let path = write(&root, "corrections.json", &serde_json::to_string_pretty(&f).unwrap());
    let (code, out, err) = run("apply", &root, &[&path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("wrote surveys/household/household.xlsx"), "{out}");

    // Every sheet, column and cell is kept; the choices sheet gains the two review columns
    // at its end and only the two rows change.
    let (_, after) = read_grids(&book).unwrap();
    assert_eq!(after[0], before[0], "survey sheet");
    assert_eq!(after[2], before[2], "settings sheet");
    let (b, a) = (&before[1], &after[1]);
    assert_eq!(a.header[..b.header.len()], b.header[..]);
    assert_eq!(a.header[b.header.len()..], ["ii_reviewer", "ii_reviewed_on"]);
    assert_eq!(a.rows.len(), b.rows.len());
    let col = |name: &str| a.header.iter().position(|h| h == name).unwrap();
    let mut changed = Vec::new();
    for ((nb, rb), (na, ra)) in b.rows.iter().zip(&a.rows) {
        assert_eq!(nb, na, "row numbers");
        let mut padded = rb.clone();
        padded.resize(ra.len(), String::new());
        if padded != *ra {
            changed.push((ra[0].clone(), ra[1].clone(), ra[col("label::ii")].clone(), ra[col("ii_status")].clone(), ra[col("ii_reviewer")].clone(), ra[col("ii_reviewed_on")].clone()));
        }
    }
    changed.sort();
    let row = |l: &str, n: &str, ii: &str| (l.to_string(), n.to_string(), ii.to_string(), "reviewed".to_string(), "阿依莫".to_string(), "2026-11-30".to_string());
    assert_eq!(changed, [row("relation", "head", "ꑷꈓ ꌋ"), row("village", "laguo", &accepted.ii)]);

    // The kit reads it back through the loader; a second run changes nothing; the report
    // reads the workbook.
    let kit2 = Kit::load(&root).unwrap();
    assert_eq!(text(&kit2.texts().unwrap(), CHOICE).ii, "ꑷꈓ ꌋ");
    survey_core::Survey::compile(kit2.surveys[0].1.clone()).unwrap();
    let snap = snapshot(&root);
    let (code, out, _) = run("apply", &root, &[&path]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing to change"), "{out}");
    assert_eq!(snapshot(&root), snap);
    let (code, report, _) = run("report", &root, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("阿依莫  2"), "{report}");
    assert!(report.contains("surveys/household/household.xlsx [choices]: 阿依莫 2"), "{report}");
    let _ = std::fs::remove_dir_all(&root);
}
