//! The bureau tool on files made with the core's export functions: intake (whole or
//! nothing, idempotent), merging and conflicts, duplicates, bad and hostile input, and the
//! escaping of text that reaches the workbook, CSV and report. Runs the real binary on real
//! files and reads the real SQLite register and xlsx workbook back.
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook, Data, Reader, Xlsx};
use rusqlite::Connection;
use support::*;
use survey_core::exchange::ExportKind;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn bureau(register: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_liangshan-bureau"))
        .arg("--register")
        .arg(register)
        .args(["--today", TODAY])
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(register: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let r = bureau(register, &a);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {} {}", r.stdout, r.stderr));
    (r.code, v)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Everything in the register that an intake may change, as text (to prove nothing changed).
fn snapshot(db: &Path) -> String {
    snapshot_of(db, &["files", "versions", "households", "members", "issues", "resolutions"])
}

#[test]
fn files_are_taken_once_merged_by_id_and_conflicts_are_kept_until_resolved() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();

    // Tablet A: two households, exported.
    let mut a1 = finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "tablet-a", "2026-11-10T02:00:00.000Z");
    let mut a2 = finalized(&s, &Spec { seq: 2, ..Spec::new("hh-2", "吉克木呷") }, "tablet-a", "2026-11-10T03:00:00.000Z");
    let file1 = export(&s, &mut [a1.clone(), a2.clone()], ExportKind::Bureau, "tablet-a", "吉克阿依", "2026-11-10T08:00:00.000Z");
    write(&inbox, "a-1.json", &file1);

    let (code, v) = json(&db, &["intake", inbox.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["files"][0]["outcome"], "taken");
    assert_eq!(v["files"][0]["new"], 2);
    assert_eq!(count(&db, "SELECT count(*) FROM households"), 2);
    assert_eq!(count(&db, "SELECT count(*) FROM members"), 4);
    assert_eq!(count(&db, "SELECT count(*) FROM versions WHERE current = 1"), 2);

    // The same intake again changes nothing.
    let before = snapshot(&db);
    let (code, v) = json(&db, &["intake", inbox.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v["files"][0]["outcome"], "already_taken");
    assert_eq!(snapshot(&db), before);

    // A re-export after a correction continues the held version: it replaces it.
    a1.mark_exported("2026-11-10T08:00:00.000Z");
    a2.mark_exported("2026-11-10T08:00:00.000Z");
    let mut a1c = a1.clone();
    correct(&s, &mut a1c, "工资填错", "2026-11-12T02:00:00.000Z", &[("income_wage", "30000")]);
    write(&inbox, "a-2.json", &export(&s, &mut [a1c.clone()], ExportKind::Bureau, "tablet-a", "吉克阿依", "2026-11-12T08:00:00.000Z"));
    // A backup holding the same households as the first file: identical.
    write(&inbox, "a-backup.json", &export(&s, &mut [a1.clone(), a2.clone()], ExportKind::Backup, "tablet-a", "吉克阿依", "2026-11-10T09:00:00.000Z"));
    let (code, v) = json(&db, &["intake", inbox.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let files = v["files"].as_array().unwrap();
    let by = |n: &str| files.iter().find(|f| f["name"].as_str().unwrap().ends_with(n)).unwrap().clone();
    assert_eq!(by("a-1.json")["outcome"], "already_taken");
    assert_eq!(by("a-2.json")["updated"], 1);
    assert_eq!(by("a-backup.json")["identical"], 2, "{}", by("a-backup.json"));
    let wage: f64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT income_wage FROM households WHERE _household_id = 'hh-1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(wage, 30000.0);
    assert_eq!(count(&db, "SELECT count(*) FROM versions WHERE household_id = 'hh-1'"), 2);

    // Tablet B imported hh-2 and changed the phone; tablet A changed the wage: independent.
    let file = survey_core::exchange::read_file(file1.as_bytes(), &s).unwrap();
    let onb = survey_core::exchange::preview(&file.households, &[]);
    let mut b2 = survey_core::exchange::plan(&file, &[], &onb, &Default::default(), "2026-11-11T01:00:00.000Z", &mut || unreachable!("no conflict on an empty tablet"))
        .into_iter()
        .find(|h| h.id == "hh-2")
        .unwrap();
    correct(&s, &mut b2, "电话变了", "2026-11-13T02:00:00.000Z", &[("household_phone", "13900139000")]);
    let mut a2c = a2.clone();
    correct(&s, &mut a2c, "工资填错", "2026-11-14T02:00:00.000Z", &[("income_wage", "25000")]);
    let fb = write(&inbox, "b.json", &export(&s, &mut [b2], ExportKind::Bureau, "tablet-b", "阿牛", "2026-11-13T08:00:00.000Z"));
    let fa = write(&inbox, "a-3.json", &export(&s, &mut [a2c], ExportKind::Bureau, "tablet-a", "吉克阿依", "2026-11-14T08:00:00.000Z"));
    let (code, v) = json(&db, &["intake", fb.to_str().unwrap(), fa.to_str().unwrap()]);
    assert_eq!(v["files"][0]["updated"], 1, "{v}");
    assert_eq!(v["files"][1]["conflict"], 1, "{v}");
    assert_eq!(code, bureau::exit::CONFLICTS);
    assert_eq!(v["open_conflicts"], 1);

    // Both versions kept, the later `modified` is current.
    let (code, c) = json(&db, &["conflicts"]);
    assert_eq!(code, bureau::exit::CONFLICTS);
    let versions = c[0]["versions"].as_array().unwrap();
    assert_eq!(c[0]["household_id"], "hh-2");
    assert_eq!(versions.len(), 2);
    let current: Vec<_> = versions.iter().filter(|v| v["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert!(current[0]["modified"].as_str().unwrap().starts_with("2026-11-14"));
    let wage: f64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT income_wage FROM households WHERE _household_id = 'hh-2'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(wage, 25000.0);

    // A wrong resolution changes nothing; the right one keeps tablet B's version.
    let before = snapshot(&db);
    let r = bureau(&db, &["resolve", "hh-2", "--keep", "99999"]);
    assert_eq!(r.code, bureau::exit::USAGE);
    assert!(r.stderr.contains(&bureau::text::t("bureau.cli.not_a_head").zh));
    assert_eq!(snapshot(&db), before);
    let keep = versions.iter().find(|v| v["current"] == false).unwrap()["version_id"].as_i64().unwrap();
    let r = bureau(&db, &["resolve", "hh-2", "--keep", &keep.to_string(), "--note", "电话核实"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, c) = json(&db, &["conflicts"]);
    assert_eq!((code, c.as_array().unwrap().len()), (0, 0));
    let phone: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT household_phone FROM households WHERE _household_id = 'hh-2'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(phone, "13900139000");
    assert_eq!(count(&db, "SELECT count(*) FROM resolutions"), 1);
    // Every version that arrived is still there.
    assert_eq!(count(&db, "SELECT count(*) FROM versions WHERE household_id = 'hh-2'"), 3);
}

#[test]
fn bad_and_hostile_files_are_refused_with_the_tablets_messages_and_nothing_is_stored() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let good = export(&s, &mut [finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "t", "2026-11-10T02:00:00.000Z")], ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z");
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();

    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not-json.json", b"hello".to_vec(), "not_json"),
        ("cut.json", good.as_bytes()[..good.len() / 2].to_vec(), "not_json"),
        ("other.json", br#"{"name": "something else"}"#.to_vec(), "not_export"),
        ("binary.json", vec![0xff, 0xfe, 0x00, 0x01], "not_json"),
    ];
    let mut future = v.clone();
    future["format_version"] = 99.into();
    cases.push(("future.json", future.to_string().into_bytes(), "future_version"));
    let mut other = v.clone();
    other["survey"]["id"] = "another_survey".into();
    cases.push(("survey.json", other.to_string().into_bytes(), "wrong_survey"));
    let mut short = v.clone();
    short["household_count"] = 5.into();
    cases.push(("count.json", short.to_string().into_bytes(), "incomplete"));
    let mut broken = v.clone();
    broken["households"][0]["created"] = "yesterday".into();
    cases.push(("broken.json", broken.to_string().into_bytes(), "broken_records"));
    // Deeply nested JSON (valid, and inside a key the format reads): no crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    cases.push(("deep.json", deep.into_bytes(), "not_export"));
    let deeper = format!("{{\"format\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    cases.push(("deeper.json", deeper.into_bytes(), "not_export"));
    // Larger than the kit reads.
    cases.push(("huge.json", vec![b' '; survey_core::exchange::MAX_FILE_BYTES + 10], "too_large"));

    let mut paths = Vec::new();
    for (name, bytes, _) in &cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    // A broken zip and a zip holding a good file and a bad one.
    std::fs::write(dir.path().join("broken.zip"), b"PK\x03\x04 not really").unwrap();
    paths.push(dir.path().join("broken.zip").to_str().unwrap().to_string());
    let zpath = dir.path().join("from-wechat.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).unwrap());
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("exports/good.json", o).unwrap();
        z.write_all(good.as_bytes()).unwrap();
        z.start_file("exports/bad.json", o).unwrap();
        z.write_all(b"{").unwrap();
        z.start_file("readme.txt", o).unwrap();
        z.write_all(b"ignored").unwrap();
        z.finish().unwrap();
    }
    paths.push(zpath.to_str().unwrap().to_string());

    let mut args = vec!["intake"];
    args.extend(paths.iter().map(String::as_str));
    let (code, out) = json(&db, &args);
    assert_eq!(code, bureau::exit::REFUSED, "{out}");
    let files = out["files"].as_array().unwrap();
    for (name, _, expect) in &cases {
        let f = files.iter().find(|f| f["name"].as_str().unwrap().ends_with(name)).unwrap();
        assert_eq!(f["outcome"], "refused", "{name}");
        assert_eq!(f["code"], *expect, "{name}");
        let m = bureau::text::t(&format!("exchange.error.{expect}"));
        assert!(f["message"]["zh"].as_str().unwrap().starts_with(&m.zh), "{name}: {f}");
        assert!(f["message"]["ii"].as_str().unwrap().starts_with(&m.ii), "{name}: {f}");
    }
    let broken = files.iter().find(|f| f["name"].as_str().unwrap().ends_with("broken.json")).unwrap();
    assert!(broken["message"]["zh"].as_str().unwrap().contains(&bureau::text::t("exchange.problem.bad_time").zh));
    let bz = files.iter().find(|f| f["name"].as_str().unwrap().ends_with("broken.zip")).unwrap();
    assert_eq!(bz["code"], "bad_zip");
    // From the zip: the good file taken, the bad one refused, the text file ignored.
    let zipped: Vec<_> = files.iter().filter(|f| f["name"].as_str().unwrap().contains("from-wechat.zip")).collect();
    assert_eq!(zipped.len(), 2);
    assert!(zipped.iter().any(|f| f["outcome"] == "taken" && f["new"] == 1));
    assert!(zipped.iter().any(|f| f["outcome"] == "refused" && f["code"] == "not_json"));
    // Only the good file's household is stored, and only one file is recorded.
    assert_eq!(count(&db, "SELECT count(*) FROM households"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM files"), 1);

    // The plain-text table says it in both languages too.
    let r = bureau(&db, &["intake", dir.path().join("future.json").to_str().unwrap()]);
    assert_eq!(r.code, bureau::exit::REFUSED);
    assert!(r.stdout.contains(&bureau::text::t("exchange.error.future_version").zh), "{}", r.stdout);
    assert!(r.stdout.contains(&bureau::text::t("exchange.error.future_version").ii));

    // A missing input is a usage error; nothing is read.
    let r = bureau(&db, &["intake", dir.path().join("nope.json").to_str().unwrap()]);
    assert_eq!(r.code, bureau::exit::USAGE);
}

#[test]
fn formula_and_html_text_is_escaped_in_workbook_csv_and_report_and_duplicates_are_listed() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let evil = "=HYPERLINK(\"http://x\",\"<script>alert(1)</script>\")";
    let mut h1 = Spec { housing: "d", last_insured: "no", pepper: (200, 150), college: 1, special_last: "alone", ..Spec::new("hh-1", evil) };
    h1.members = 3;
    let h2 = Spec { seq: 1, wage: 100, ..Spec::new("hh-2", evil) }; // same head name and group, same ID numbers
    let mut hs = vec![finalized(&s, &h1, "t", "2026-11-10T02:00:00.000Z"), finalized(&s, &h2, "t", "2026-11-10T03:00:00.000Z")];
    let f = write(dir.path(), "x.json", &export(&s, &mut hs, ExportKind::Bureau, "t", "<b>cadre</b>", "2026-11-10T08:00:00.000Z"));
    assert_eq!(bureau(&db, &["intake", f.to_str().unwrap()]).code, 0);

    let xlsx = dir.path().join("out.xlsx");
    let csv = dir.path().join("csv");
    let r = bureau(&db, &["workbook", "-o", xlsx.to_str().unwrap(), "--csv", csv.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let names = wb.sheet_names();
    for sheet in ["households", "problems", "lists", "files", "labels"] {
        assert!(names.contains(&bureau::text::t(&format!("bureau.sheet.{sheet}")).zh), "{names:?}");
    }
    let households = wb.worksheet_range(&bureau::text::t("bureau.sheet.households").zh).unwrap();
    // Header: the Chinese label with the field name beneath.
    let col = (0..households.width()).find(|&c| households.get((1, c)) == Some(&Data::String("head_name".into()))).unwrap();
    assert_eq!(households.get((0, col)), Some(&Data::String(s.find("head_name").unwrap().label.as_ref().unwrap().zh.clone())));
    // The formula text is a plain string cell, never a formula.
    assert_eq!(households.get((2, col)), Some(&Data::String(evil.into())));
    let formulas = wb.worksheet_formula(&bureau::text::t("bureau.sheet.households").zh).unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula anywhere");
    // Choices as labels; ID numbers as text.
    let vcol = (0..households.width()).find(|&c| households.get((1, c)) == Some(&Data::String("village".into()))).unwrap();
    assert_eq!(households.get((2, vcol)), Some(&Data::String("拉果村".into())));
    let members = wb.worksheet_range(&s.find("members").unwrap().label.as_ref().unwrap().zh).unwrap();
    let idc = (0..members.width()).find(|&c| members.get((1, c)) == Some(&Data::String("id_number".into()))).unwrap();
    assert!(matches!(members.get((2, idc)), Some(Data::String(x)) if x.len() == 18));

    // Every text comes from the locale files (a missing key would show as the key itself).
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        for c in range.used_cells() {
            let text = c.2.to_string();
            assert!(!["bureau.", "exchange.", "form.", "drafts."].iter().any(|k| text.starts_with(k)), "{name}: {text}");
        }
    }
    let xlsx2 = dir.path().join("both.xlsx");
    let r = bureau(&db, &["workbook", "-o", xlsx2.to_str().unwrap(), "--lang", "both"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut both: Xlsx<_> = open_workbook(&xlsx2).unwrap();
    let h = both.worksheet_range(&bureau::text::t("bureau.sheet.households").zh).unwrap();
    assert_eq!(h.get((0, 0)), Some(&Data::String(bureau::text::t("bureau.column._household_id").zh)));
    assert_eq!(h.get((1, 0)), Some(&Data::String(bureau::text::t("bureau.column._household_id").ii)));
    assert_eq!(h.get((2, 0)), Some(&Data::String("_household_id".into())));
    assert!(h.rows().nth(3).unwrap().iter().any(|c| c.to_string().contains("拉果村 / ")), "choices in both languages");

    // Problems: acknowledged warnings with reasons, and both kinds of possible duplicate.
    let problems = wb.worksheet_range(&bureau::text::t("bureau.sheet.problems").zh).unwrap();
    let kinds: Vec<String> = problems.rows().skip(2).map(|r| r[0].to_string()).collect();
    assert!(kinds.contains(&bureau::text::t("bureau.problem.warning_acknowledged").zh));
    assert!(kinds.contains(&bureau::text::t("bureau.problem.duplicate_id_number").zh));
    assert!(kinds.contains(&bureau::text::t("bureau.problem.duplicate_head_name").zh));
    assert!(problems.rows().any(|r| r.iter().any(|c| c.to_string() == "已核实")));

    // CSV: BOM, guarded formula text.
    let text = std::fs::read_to_string(csv.join("households.csv")).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = rd.headers().unwrap().clone();
    let i = header.iter().position(|h| h == "head_name").unwrap();
    let row = rd.records().next().unwrap().unwrap();
    assert_eq!(&row[i], format!("'{evil}"));

    // Report: self-contained, escaped, lists from the survey's own warnings and calculations.
    let html = dir.path().join("r.html");
    let (code, v) = json(&db, &["report", "-o", html.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("<script"), "no script, and the name is escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for key in ["bureau.", "exchange.", "form.", "drafts."] {
        assert!(!page.contains(&format!(">{key}")), "a locale key shown as text: {key}");
    }
    assert!(!page.contains("<b>cadre</b>"));
    assert!(!page.contains("http://") || !page.contains("src=\"http"), "no network resource");
    assert!(!page.contains("https://"));
    let lists = &v["summary"]["lists"];
    assert_eq!(lists["housing"], 1);
    assert_eq!(lists["medical"], 1);
    assert_eq!(lists["special_care"], 1);
    assert_eq!(lists["pepper"], 1);
    assert_eq!(lists["scholarship"], 1);
    assert_eq!(lists["low_income"], 2, "hh-1: 20000/3 and hh-2: 100/2 are below 7000");
    assert_eq!(v["summary"]["scholarship"], 1000.0);
    assert_eq!(v["summary"]["duplicates"], 3, "two ID numbers and one head name");
}

#[test]
fn the_report_counts_done_households_against_the_assignment_list() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    let h1 = finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "t", "2026-11-10T02:00:00.000Z");
    let h2 = finalized(&s, &Spec { group: "laguo_3".into(), seq: 7, ..Spec::new("hh-2", "吉克木呷") }, "t", "2026-11-10T03:00:00.000Z");
    let h2_id = h2.record.answers.members("members")[1]["id_number"].clone();
    // A draft, as a backup carries it.
    let mut h3 = survey_core::Household::new("hh-3".into(), s.id(), s.version(), "t".into(), "2026-11-10T04:00:00.000Z");
    h3.record.answers.set(&"village".parse().unwrap(), "laguo");
    h3.record.answers.set(&"village_group".parse().unwrap(), "laguo_2");
    h3.record.answers.set(&"head_name".parse().unwrap(), "沙马");
    let f1 = write(dir.path(), "a.json", &export(&s, &mut [h1, h2], ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z"));
    let f2 = write(dir.path(), "b.json", &export(&s, &mut [h3], ExportKind::Backup, "t2", "阿牛", "2026-11-11T08:00:00.000Z"));
    assert_eq!(bureau(&db, &["intake", f1.to_str().unwrap(), f2.to_str().unwrap()]).code, 0);
    assert_eq!(count(&db, "SELECT count(*) FROM households WHERE _status = 'draft'"), 1);

    // Chinese headers, a BOM, labels or choice names, an ID number instead of a name.
    let list = dir.path().join("分派名单.csv");
    std::fs::write(
        &list,
        format!(
            "\u{feff}帮扶责任人,村,组,户主姓名,户主身份证号\n吉克阿依,拉果村,2组,阿苏拉且,\n吉克阿依,laguo,laguo_3,,{h2_id}\n阿牛,拉果村,2组,沙马,\n阿牛,拉果村,1组,不存在,\n"
        ),
    )
    .unwrap();
    let html = dir.path().join("r.html");
    let (code, v) = json(&db, &["report", "-o", html.to_str().unwrap(), "--assignments", list.to_str().unwrap()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["assigned"], 4);
    assert_eq!(v["summary"]["assigned_done"], 2, "the draft and the unmatched row are not done");
    assert_eq!(v["summary"]["households"], 3);
    assert_eq!(v["summary"]["done"], 2);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg class=\"bar\""));
    assert!(page.contains("aria-label=\"2/2\""), "吉克阿依: 2 of 2");
    assert!(page.contains("aria-label=\"0/2\""), "阿牛: 0 of 2");
    // When the last file from each cadre arrived: the time the register took it (now,
    // whatever the date of the run).
    let taken: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT taken_at FROM files WHERE name LIKE '%b.json'", [], |r| r.get(0))
        .unwrap();
    assert!(page.contains(&format!("<td>{taken}</td>")) && page.contains("阿牛"), "{taken}");

    // A list without the required columns is a usage error.
    std::fs::write(&list, "name,phone\nx,y\n").unwrap();
    let r = bureau(&db, &["report", "-o", html.to_str().unwrap(), "--assignments", list.to_str().unwrap()]);
    assert_eq!(r.code, bureau::exit::USAGE);
    assert!(r.stderr.contains(&bureau::text::t("bureau.assign.columns").zh));
}

#[test]
fn households_are_revalidated_with_the_survey_version_they_were_filled_with() {
    let s = survey();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.sqlite");
    // An older version of the survey, as a folder the bureau keeps: an XLSForm workbook
    // (written from the shipped survey as the kit loads it, with the version changed).
    let old = dir.path().join("household-2026.10.0");
    std::fs::create_dir(&old).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household");
    let (_, mut grids) = survey_core::loader::read_grids(&shipped).unwrap();
    let at = grids[2].header.iter().position(|h| h == "version").unwrap();
    grids[2].rows[0].1[at] = "2026.10.0".into();
    forms::workbook::write(&old.join("household.xlsx"), &grids).unwrap();

    let mut h1 = finalized(&s, &Spec::new("hh-1", "阿苏拉且"), "t", "2026-11-10T02:00:00.000Z");
    h1.survey_version = "2026.10.0".into();
    let f1 = write(dir.path(), "a.json", &export(&s, &mut [h1], ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T08:00:00.000Z"));
    // Without the old version: validated with the newest known, and it says so.
    assert_eq!(bureau(&db, &["intake", f1.to_str().unwrap()]).code, 0);
    let row = |id: &str| -> (String, String) {
        Connection::open(&db)
            .unwrap()
            .query_row("SELECT _survey_version, _validated_with FROM households WHERE _household_id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    assert_eq!(row("hh-1"), ("2026.10.0".to_string(), s.version().to_string()));

    // With it: validated with it, and kept in the register for later commands.
    let mut h2 = finalized(&s, &Spec { seq: 2, ..Spec::new("hh-2", "吉克木呷") }, "t", "2026-11-10T03:00:00.000Z");
    h2.survey_version = "2026.10.0".into();
    let f2 = write(dir.path(), "b.json", &export(&s, &mut [h2], ExportKind::Bureau, "t", "吉克阿依", "2026-11-10T09:00:00.000Z"));
    let r = bureau(&db, &["--survey", old.to_str().unwrap(), "intake", f2.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(row("hh-2"), ("2026.10.0".to_string(), "2026.10.0".to_string()));
    assert_eq!(count(&db, "SELECT count(*) FROM surveys"), 2);
    let html = dir.path().join("r.html");
    assert_eq!(bureau(&db, &["report", "-o", html.to_str().unwrap()]).code, 0);

    // A survey folder with a problem (here CSV beside the workbook) is a usage error naming it.
    std::fs::write(old.join("settings.csv"), "form_id\n").unwrap();
    let r = bureau(&db, &["--survey", old.to_str().unwrap(), "conflicts"]);
    assert_eq!(r.code, bureau::exit::USAGE);
    assert!(r.stderr.contains("household-2026.10.0"), "{}", r.stderr);
}
