//! Visits (走访记录) at the bureau: export files holding visits made with the core's export
//! functions (one with a photo, as the tablet's export zip; one with visits only; a backup
//! with a draft), taken by the real binary into a real register. A visit whose household
//! arrives in a later file is kept and flagged until it does; a visit edited on two tablets
//! is a conflict until resolved. The register, the workbook's 走访记录 sheet and the
//! report's visit tables are checked against figures worked out independently from the
//! files by `fixtures/visits_check.py` (Python: json, zipfile, sqlite3, openpyxl,
//! html.parser).
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use rusqlite::Connection;
use support::*;
use survey_core::exchange::ExportKind;


fn text(db: &Path, sql: &str) -> String {
    Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every table an intake of visits may change, as text (to prove nothing changed).
fn snapshot(db: &Path) -> String {
    snapshot_of(db, &["files", "versions", "households", "visit_versions", "visits", "visit_issues", "visit_resolutions"])
}

/// Runs the independent check on `files` (intake order) and what the tool wrote.
fn python_check(dir: &Path, files: &[PathBuf], db: &Path, outputs: Option<(&Path, &Path, &Path)>) {
    let mut m = serde_json::json!({
        "files": files,
        "register": db,
        "today": TODAY,
        "locales": concat!(env!("CARGO_MANIFEST_DIR"), "/../../locales"),
    });
    if let Some((workbook, report, summary)) = outputs {
        m["workbook"] = serde_json::json!(workbook);
        m["report"] = serde_json::json!(report);
        m["summary"] = serde_json::json!(summary);
    }
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, m.to_string()).unwrap();
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/visits_check.py"))
        .arg(&manifest)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "visits_check.py:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn visits_are_taken_merged_flagged_until_their_household_arrives_and_reported() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let mut files: Vec<PathBuf> = Vec::new();
    let at = "2026-11-10T02:00:00.000Z";

    // Tablet A (吉克阿依): two households and two visits to the first.
    let mut ha = vec![
        finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "tablet-a", at),
        finalized(&s, &Spec { seq: 2, group: "laguo_3".into(), ..Spec::new("hh-2", "吉克木呷") }, "tablet-a", at),
    ];
    let v1 = VisitSpec { promise: Some(("修缮屋顶".into(), "2026-11-01".into())), ..VisitSpec::new("v-1", "hh-1", "2026-10-05", "吉克阿依") };
    // The phone call after it says v-1's promise is done: no longer open.
    let v2 = VisitSpec { mode: "phone", previous_promise: Some("done"), ..VisitSpec::new("v-2", "hh-1", "2026-11-10", "吉克阿依") };
    let mut va = vec![visit(&v1, "tablet-a", "2026-11-10T03:00:00.000Z"), visit(&v2, "tablet-a", "2026-11-10T04:00:00.000Z")];
    let a1 = dir.path().join("a-1.json");
    std::fs::write(&a1, export_with_visits(&s, &mut ha, &mut va, ExportKind::Bureau, "tablet-a", "吉克阿依", "2026-11-12T08:00:00.000Z")).unwrap();
    files.push(a1.clone());

    // Tablet B (阿牛): visits only, one to a household the bureau does not hold yet, with a
    // photo (the export zip).
    let photo = jpeg(320, 240, 42);
    let v3 = VisitSpec {
        promise: Some(("办理低保".into(), "2026-12-15".into())),
        photo: Some(reference(&photo)),
        ..VisitSpec::new("v-3", "hh-3", "2026-11-12", "阿牛")
    };
    let v4 = VisitSpec { promise: Some(("送化肥".into(), "2026-11-05".into())), ..VisitSpec::new("v-4", "hh-2", "2026-10-20", "阿牛") };
    let mut vb = vec![visit(&v3, "tablet-b", "2026-11-12T03:00:00.000Z"), visit(&v4, "tablet-b", "2026-11-12T04:00:00.000Z")];
    let json = export_with_visits(&s, &mut [], &mut vb, ExportKind::Bureau, "tablet-b", "阿牛", "2026-11-12T09:00:00.000Z");
    let b1 = dir.path().join("b-1.zip");
    zip_file(&b1, "b-1.json", json.as_bytes(), &[(reference(&photo), photo.clone())]);
    files.push(b1.clone());

    let (code, v, out) = bureau_json(&db, &["intake", a1.to_str().unwrap(), b1.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!((v["files"][0]["new"].as_i64(), v["files"][0]["visits"]["new"].as_i64()), (Some(2), Some(2)), "{out}");
    assert_eq!(v["files"][1]["households"], 0, "{out}");
    assert_eq!(v["files"][1]["visits"]["count"], 2, "{out}");
    assert_eq!(v["files"][1]["visits"]["without_household"], 1, "v-3's household is not held yet: {out}");
    assert_eq!(v["visits_without_household"], 1, "{out}");
    assert_eq!(v["files"][1]["photos"], 1, "{out}");
    // The visit's photo, byte for byte, in the visit's folder.
    assert_eq!(std::fs::read(dir.path().join("photos").join("v-3").join(reference(&photo))).unwrap(), photo);
    assert_eq!(count(&db, "SELECT visits FROM files WHERE name LIKE '%b-1.zip'"), 2);
    python_check(dir.path(), &files, &db, None);

    // The same files again change nothing.
    let before = snapshot(&db);
    let (code, v, out) = bureau_json(&db, &["intake", a1.to_str().unwrap(), b1.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!((v["files"][0]["outcome"].as_str(), v["files"][1]["outcome"].as_str()), (Some("already_taken"), Some("already_taken")));
    assert_eq!(snapshot(&db), before);

    // v-3's household arrives later: the visit keeps its place and is no longer flagged.
    let mut hb = vec![finalized(&s, &Spec { seq: 3, ..Spec::new("hh-3", "沙马拉达") }, "tablet-b", at)];
    let b2 = dir.path().join("b-2.json");
    std::fs::write(&b2, export(&s, &mut hb, ExportKind::Bureau, "tablet-b", "阿牛", "2026-11-13T08:00:00.000Z")).unwrap();
    files.push(b2.clone());
    let (code, v, out) = bureau_json(&db, &["intake", b2.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(v["visits_without_household"], 0, "{out}");
    assert_eq!(count(&db, "SELECT count(*) FROM visit_versions WHERE visit_id = 'v-3'"), 1);

    // v-2 edited on both tablets: tablet B read A's file (the core's import check) and
    // corrected who was met; tablet A corrected the help given, later.
    let a1_file = survey_core::exchange::read_file_with_visits(&std::fs::read(&a1).unwrap(), &s, Some(&visit_survey())).unwrap();
    let mut b_v2 = a1_file.visits.iter().find(|x| x.id == "v-2").unwrap().clone();
    correct(&visit_survey(), &mut b_v2, "见到的是儿子", "2026-11-13T02:00:00.000Z", &[("met_whom", "户主的儿子")]);
    let mut a_v2 = va[1].clone();
    correct(&visit_survey(), &mut a_v2, "补充帮助", "2026-11-14T02:00:00.000Z", &[("help_given", "联系了医保和民政")]);
    // A later call says v-4's promise is under way: still open, and past due.
    let v5 = VisitSpec { mode: "phone", previous_promise: Some("in_progress"), ..VisitSpec::new("v-5", "hh-2", "2026-11-18", "吉克阿依") };
    // A household still on another tablet: its visit stays flagged in workbook and report.
    let v7 = VisitSpec { promise: Some(("复查房屋".into(), "2026-11-19".into())), ..VisitSpec::new("v-7", "hh-9", "2026-11-16", "吉克阿依") };
    let b3 = dir.path().join("b-3.json");
    std::fs::write(&b3, export_with_visits(&s, &mut [], &mut [b_v2], ExportKind::Bureau, "tablet-b", "阿牛", "2026-11-13T08:00:00.000Z")).unwrap();
    let a2 = dir.path().join("a-2.json");
    let mut va2 = vec![a_v2, visit(&v5, "tablet-a", "2026-11-18T02:00:00.000Z"), visit(&v7, "tablet-a", "2026-11-18T03:00:00.000Z")];
    std::fs::write(&a2, export_with_visits(&s, &mut [], &mut va2, ExportKind::Bureau, "tablet-a", "吉克阿依", "2026-11-18T08:00:00.000Z")).unwrap();
    // A backup with a draft visit (not counted in the report).
    let vs = visit_survey();
    let mut draft = survey_core::Household::new("v-6".into(), vs.id(), vs.version(), "tablet-a".into(), "2026-11-19T02:00:00.000Z");
    draft.household_id = Some("hh-1".into());
    draft.record.answers.set(&"visit_date".parse().unwrap(), "2026-11-19");
    draft.record.answers.set(&"cadre_name".parse().unwrap(), "吉克阿依");
    let a3 = dir.path().join("a-3-backup.json");
    std::fs::write(&a3, export_with_visits(&s, &mut [], &mut [draft], ExportKind::Backup, "tablet-a", "吉克阿依", "2026-11-19T08:00:00.000Z")).unwrap();
    files.extend([b3.clone(), a2.clone(), a3.clone()]);
    let (code, v, out) = bureau_json(&db, &["intake", b3.to_str().unwrap(), a2.to_str().unwrap(), a3.to_str().unwrap()]);
    assert_eq!(v["files"][0]["visits"]["updated"], 1, "B's correction continues A's export: {out}");
    assert_eq!(v["files"][1]["visits"]["conflict"], 1, "{out}");
    assert_eq!(v["files"][1]["visits"]["new"], 2, "{out}");
    assert_eq!(v["files"][1]["visits"]["without_household"], 1, "{out}");
    assert_eq!(v["visits_without_household"], 1, "{out}");
    assert_eq!(code, bureau::exit::CONFLICTS, "{out}");
    let (code, c, _) = bureau_json(&db, &["conflicts"]);
    assert_eq!(code, bureau::exit::CONFLICTS);
    assert_eq!((c[0]["visit_id"].as_str(), c[0]["household_id"].as_str()), (Some("v-2"), Some("hh-1")), "{c}");
    assert_eq!(c[0]["head_name"], "阿苏拉且");

    // Workbook and report, checked against the files.
    let (workbook, report, summary) = (dir.path().join("register.xlsx"), dir.path().join("report.html"), dir.path().join("summary.json"));
    let csv = dir.path().join("csv");
    let (code, _, out) = bureau_json(&db, &["workbook", "-o", workbook.to_str().unwrap(), "--csv", csv.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, r, out) = bureau_json(&db, &["report", "-o", report.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(&summary, r.to_string()).unwrap();
    python_check(dir.path(), &files, &db, Some((&workbook, &report, &summary)));
    // The draft visit's errors (required answers missing) are on the 问题 sheet beside the
    // household visited, one row per issue the register holds.
    let mut wb: Xlsx<_> = open_workbook(&workbook).unwrap();
    let problems = wb.worksheet_range(&bureau::text::t("bureau.sheet.problems").zh).unwrap();
    let col = |name: &str| (0..problems.width()).find(|&c| problems.get((1, c)) == Some(&Data::String(name.into()))).unwrap();
    let cell = |r: usize, name: &str| problems.get((r, col(name))).map(|d| d.to_string()).unwrap_or_default();
    let rows: Vec<usize> = (2..problems.height()).filter(|&r| cell(r, "_path").starts_with("visits[v-6].")).collect();
    assert!(!rows.is_empty());
    assert_eq!(rows.len() as i64, count(&db, "SELECT count(*) FROM visit_issues WHERE visit_id = 'v-6'"));
    for &r in &rows {
        assert_eq!((cell(r, "_household_id"), cell(r, "_head_name")), ("hh-1".to_string(), "阿苏拉且".to_string()));
        assert_eq!(cell(r, "_kind"), bureau::text::t("bureau.problem.error").zh);
    }
    let dict = survey_core::exchange::dictionary(&visit_survey());
    let mode = dict.fields.iter().find(|f| f.name == "visit_mode").unwrap().label.as_ref().unwrap().zh.clone();
    assert!(rows.iter().any(|&r| cell(r, "_question") == mode), "the visit survey's label of visit_mode");

    // Resolving keeps tablet B's version of v-2; every version stays in the record.
    let keep = c[0]["versions"].as_array().unwrap().iter().find(|v| v["current"] == false).unwrap()["version_id"].as_i64().unwrap();
    let (code, _, out) = bureau_json(&db, &["resolve", "v-2", "--keep", &keep.to_string(), "--note", "电话核实"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(text(&db, "SELECT met_whom FROM visits WHERE _visit_id = 'v-2'"), "户主的儿子");
    assert_eq!(count(&db, "SELECT count(*) FROM visit_resolutions WHERE visit_id = 'v-2'"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM visit_versions WHERE visit_id = 'v-2'"), 3);
    let (code, c, _) = bureau_json(&db, &["conflicts"]);
    assert_eq!((code, c.as_array().map(Vec::len)), (0, Some(0)));
}

#[test]
fn a_register_made_before_visits_takes_them_after_an_upgrade() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let mut hs = vec![finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "t", "2026-11-10T02:00:00.000Z")];
    let f1 = dir.path().join("1.json");
    std::fs::write(&f1, export(&s, &mut hs, ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z")).unwrap();
    assert_eq!(bureau_json(&db, &["intake", f1.to_str().unwrap()]).0, 0);
    // Back to the layout of schema 1: no visit tables, no visit counts in `files`.
    let c = Connection::open(&db).unwrap();
    for t in ["visit_versions", "visit_resolutions", "visit_issues", "visit_fields", "visit_choices", "visits"] {
        c.execute_batch(&format!("DROP TABLE {t}")).unwrap();
    }
    for col in ["visits", "visits_new", "visits_updated", "visits_identical", "visits_superseded", "visits_conflict"] {
        c.execute_batch(&format!("ALTER TABLE files DROP COLUMN {col}")).unwrap();
    }
    c.execute_batch("UPDATE register_info SET value = '1' WHERE key = 'schema_version'").unwrap();
    drop(c);

    let v = visit(&VisitSpec::new("v-1", "hh-1", "2026-11-15", "吉克阿依"), "t", "2026-11-15T02:00:00.000Z");
    let f2 = dir.path().join("2.json");
    std::fs::write(&f2, export_with_visits(&s, &mut [], &mut [v], ExportKind::Bureau, "t", "吉克阿依", "2026-11-15T08:00:00.000Z")).unwrap();
    let (code, out, text) = bureau_json(&db, &["intake", f2.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(out["files"][0]["visits"]["new"], 1, "{text}");
    assert_eq!(count(&db, "SELECT CAST(value AS INTEGER) FROM register_info WHERE key = 'schema_version'"), bureau::register::SCHEMA_VERSION);
    assert_eq!(count(&db, "SELECT visits FROM files WHERE name LIKE '%2.json'"), 1);
    assert_eq!(count(&db, "SELECT visits FROM files WHERE name LIKE '%1.json'"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM visits v JOIN households h USING (_household_id)"), 1);
}
