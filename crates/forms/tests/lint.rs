//! `liangshan-forms lint`, `show` and `convert` on real workbooks written here with
//! rust_xlsxwriter (as Excel/WPS would save them: numbers as floats, dates as serials,
//! formulas with their cached values), run as the clerk runs the binary.
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::path::{Path, PathBuf};
use std::process::Command;
use survey_core::loader::{find_source, load_survey, read_grids, Source};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_liangshan-forms"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A cell to write: text, a number, a formula with its cached result, a date (with a time).
enum Cell<'a> {
    T(&'a str),
    N(f64),
    F(&'a str, &'a str),
    D(u16, u8, u8),
    Dt(u16, u8, u8, u16, u8),
}
use Cell::*;

/// Writes sheets given as rows of cells (row 1 first; an empty row stays blank).
fn workbook(path: &Path, sheets: &[(&str, Vec<Vec<Cell>>)]) {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    T("") => {}
                    T(s) => drop(ws.write_string(r, c, *s).unwrap()),
                    N(n) => drop(ws.write_number(r, c, *n).unwrap()),
                    F(f, v) => drop(
                        ws.write_formula(r, c, Formula::new(*f).set_result(*v))
                            .unwrap(),
                    ),
                    D(y, m, d) => drop(
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                            &date,
                        )
                        .unwrap(),
                    ),
                    Dt(y, m, d, h, mi) => drop(
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d)
                                .unwrap()
                                .and_hms(*h, *mi, 0)
                                .unwrap(),
                            &Format::new().set_num_format("yyyy-mm-dd hh:mm"),
                        )
                        .unwrap(),
                    ),
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn ok_choices() -> Vec<Vec<Cell<'static>>> {
    vec![
        vec![
            T("list_name"),
            T("name"),
            T("label::zh"),
            T("label::ii"),
            T("ii_status"),
        ],
        vec![T("yn"), T("yes"), T("是"), T("ꉬ"), T("draft")],
        vec![T("yn"), T("no"), T("否"), T("ꀋꉬ"), T("draft")],
    ]
}

fn ok_settings() -> Vec<Vec<Cell<'static>>> {
    vec![
        vec![
            T("form_id"),
            T("version"),
            T("form_title::zh"),
            T("form_title::ii"),
            T("ii_status"),
            T("line"),
        ],
        vec![T("t"), N(3.0), T("表"), T("ꉬ"), T("draft"), N(7000.0)],
    ]
}

fn lint_json(path: &Path) -> (i32, serde_json::Value) {
    let out = bin().args(["lint", "--json"]).arg(path).output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

type Loc = (String, u64, String, String, String);

fn locations(json: &serde_json::Value) -> Vec<Loc> {
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or("").to_string();
            (
                s("sheet"),
                p["row"].as_u64().unwrap(),
                s("column"),
                s("letter"),
                s("code"),
            )
        })
        .collect()
}

fn loc(sheet: &str, row: u64, column: &str, letter: &str, code: &str) -> Loc {
    (sheet.into(), row, column.into(), letter.into(), code.into())
}

#[test]
fn a_broken_workbook_gets_every_problem_with_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.xlsx");
    let head = vec![
        T("type"),
        T("name"),
        T("label::zh"),
        T("label::ii"),
        T("ii_status"),
        T("relevant"),
        T("calculation"),
    ];
    workbook(
        &file,
        &[
            (
                "survey",
                vec![
                    head,
                    vec![T("text"), T("head_name"), T("户主"), T("ꉬ"), T("draft")],
                    vec![],
                    vec![T("text"), T("head_name"), T("户主"), T("ꉬ"), T("draft")],
                    vec![
                        T("select_one nolist"),
                        T("q2"),
                        T("问"),
                        T("ꉬ"),
                        T("draft"),
                    ],
                    vec![
                        T("integer"),
                        T("age"),
                        T("年龄"),
                        T("ꉬ"),
                        T("draft"),
                        T("${nosuch} > 1"),
                    ],
                    vec![
                        T("calculate"),
                        T("c1"),
                        T(""),
                        T(""),
                        T(""),
                        T(""),
                        T("now()"),
                    ],
                    vec![T("text"), T("2bad"), T("名"), T("ꉬ"), T("dark")],
                    vec![T("text"), T("q3"), T("只有中文")],
                ],
            ),
            (
                "choices",
                vec![
                    vec![
                        T("list_name"),
                        T("name"),
                        T("label::zh"),
                        T("label::ii"),
                        T("ii_status"),
                    ],
                    vec![T("yn"), T("yes"), T("是"), T("ꉬ"), T("draft")],
                    vec![T("yn"), T("yes"), T("是"), T("ꉬ"), T("draft")],
                ],
            ),
            (
                "settings",
                vec![
                    vec![
                        T("form_id"),
                        T("version"),
                        T("form_title::zh"),
                        T("form_title::ii"),
                        T("ii_status"),
                    ],
                    vec![T("t"), T(""), T("表"), T("ꉬ"), T("draft")],
                ],
            ),
        ],
    );
    let (code, json) = lint_json(&file);
    assert_eq!(code, 1, "{json:#}");
    let mut got = locations(&json);
    got.sort();
    let mut want = vec![
        loc("survey", 4, "name", "B", "duplicate_name"),
        loc("survey", 5, "type", "A", "unknown_list"),
        loc("survey", 6, "relevant", "F", "unknown_field"),
        loc("survey", 7, "calculation", "G", "unsupported_function"),
        loc("survey", 8, "name", "B", "invalid_name"),
        loc("survey", 8, "ii_status", "E", "bad_ii_status"),
        loc("survey", 9, "label::ii", "D", "missing_yi"),
        loc("choices", 3, "name", "B", "duplicate_choice"),
        loc("settings", 2, "version", "B", "missing_setting"),
    ];
    want.sort();
    assert_eq!(got, want, "{json:#}");
    assert_eq!(json["count"], want.len());
    // Each problem says what and how, in both languages.
    for p in json["problems"].as_array().unwrap() {
        for k in ["message_zh", "message_en", "fix_zh", "fix_en"] {
            assert!(!p[k].as_str().unwrap().is_empty(), "{k} of {p}");
        }
    }
    let now = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "unsupported_function")
        .unwrap();
    assert_eq!(now["detail"]["function"], "now");
    assert!(
        now["message_en"].as_str().unwrap().contains("`now()`"),
        "{now}"
    );

    // The plain report: the location in both languages, one group per problem, the count.
    let out = bin().arg("lint").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "survey 表第 6 行，F 列（relevant）：relevant 引用了不存在的字段 `${nosuch}`"
        ),
        "{text}"
    );
    assert!(text.contains("sheet survey, row 6, column F (relevant): relevant refers to a field that does not exist"), "{text}");
    assert!(text.contains("共 9 个问题 / 9 problem(s)"), "{text}");
    assert_eq!(text.matches("  Fix: ").count(), 9, "{text}");
}

#[test]
fn the_same_survey_as_csv_names_the_same_rows_and_columns_without_letters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("survey.csv"),
        "type,name,label::zh,label::ii,ii_status,relevant\ntext,a,甲,ꉬ,draft,\n\ntext,b,乙,ꉬ,draft,${zz}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("choices.csv"), "list_name,name\n").unwrap();
    std::fs::write(
        dir.path().join("settings.csv"),
        "form_id,version,form_title::zh,form_title::ii,ii_status\nt,1,表,ꉬ,draft\n",
    )
    .unwrap();
    let (code, json) = lint_json(dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json),
        [loc("survey", 4, "relevant", "", "unknown_field")]
    );
}

#[test]
fn cells_come_back_as_the_author_typed_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("form.xlsx");
    workbook(
        &file,
        &[
            (
                "survey",
                vec![
                    vec![
                        T("type"),
                        T("name"),
                        T("label::zh"),
                        T("label::ii"),
                        T("ii_status"),
                        T("default"),
                        T("constraint"),
                    ],
                    vec![
                        T("integer"),
                        T("n"),
                        T("数"),
                        T("ꉬ"),
                        T("draft"),
                        N(1.0),
                        F("=1+1", "2"),
                    ],
                    vec![],
                    vec![],
                    vec![
                        T("date"),
                        T("d"),
                        T("日"),
                        T("ꉬ"),
                        T("draft"),
                        D(2024, 1, 5),
                    ],
                    vec![
                        T("decimal"),
                        T("x"),
                        T("小数"),
                        T("ꉬ"),
                        T("draft"),
                        N(0.1 + 0.2),
                    ],
                    vec![
                        T("text"),
                        T("at"),
                        T("时间"),
                        T("ꉬ"),
                        T("draft"),
                        Dt(2024, 1, 5, 21, 36),
                    ],
                ],
            ),
            ("choices", ok_choices()),
            ("settings", ok_settings()),
        ],
    );
    let raw = load_survey(&file).unwrap().raw;
    let rows: Vec<(u32, &str, &str, &str)> = raw
        .survey
        .iter()
        .map(|r| {
            (
                r.row,
                r.name.as_str(),
                r.default.as_str(),
                r.constraint.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2, "n", "1", "2"),
            (5, "d", "2024-01-05", ""),
            (6, "x", "0.3", ""),
            (7, "at", "2024-01-05T21:36", "")
        ]
    );
    assert_eq!(raw.settings.version, "3");
    assert_eq!(raw.settings.extra["line"], "7000");
    let (code, json) = lint_json(&file);
    assert_eq!((code, json["count"].as_u64()), (0, Some(0)), "{json:#}");
}

#[test]
fn one_source_per_survey_and_unreadable_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    workbook(
        &d.join("a.xlsx"),
        &[
            ("survey", vec![]),
            ("choices", ok_choices()),
            ("settings", ok_settings()),
        ],
    );
    std::fs::write(d.join("survey.csv"), "type,name\n").unwrap();
    let (code, json) = lint_json(d);
    assert_eq!(code, 2);
    assert_eq!(locations(&json), [loc("survey", 0, "", "", "two_sources")]);
    std::fs::remove_file(d.join("survey.csv")).unwrap();
    std::fs::copy(d.join("a.xlsx"), d.join("b.xlsx")).unwrap();
    assert_eq!(lint_json(d).0, 2);
    // Excel's lock file beside the open workbook is not a second source.
    std::fs::remove_file(d.join("b.xlsx")).unwrap();
    std::fs::write(d.join("~$a.xlsx"), "lock").unwrap();
    let (code, json) = lint_json(d);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        locations(&json),
        [
            loc("survey", 1, "type", "", "missing_column"),
            loc("survey", 1, "name", "", "missing_column")
        ]
    );
    // Not a workbook at all; a missing sheet.
    std::fs::write(d.join("not.xlsx"), "plain text").unwrap();
    assert_eq!(lint_json(&d.join("not.xlsx")).0, 2);
    workbook(
        &d.join("two.xlsx"),
        &[
            ("survey", vec![vec![T("type"), T("name")]]),
            ("settings", ok_settings()),
        ],
    );
    let (code, json) = lint_json(&d.join("two.xlsx"));
    assert_eq!(code, 1);
    assert_eq!(
        locations(&json),
        [loc("choices", 0, "", "", "missing_sheet")]
    );
}

#[test]
fn convert_writes_a_workbook_that_loads_as_the_csv_did_and_show_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    // The shipped survey's own CSV files; once it is kept as a workbook, a CSV copy.
    let mut household = repo().join("surveys/household");
    if matches!(find_source(&household), Ok(Source::Workbook(_))) {
        let (_, grids) = read_grids(&household).unwrap();
        household = dir.path().join("csv");
        std::fs::create_dir(&household).unwrap();
        forms::workbook::write_csv_dir(&household, &grids).unwrap();
    }
    let out = dir.path().join("household").join("household.xlsx");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let status = bin()
        .arg("convert")
        .arg(&household)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let csv = load_survey(&household).unwrap();
    let xlsx = load_survey(out.parent().unwrap()).unwrap();
    assert_eq!(xlsx.raw, csv.raw);
    assert_eq!(
        xlsx.header(survey_core::Table::Survey),
        csv.header(survey_core::Table::Survey)
    );
    // `show` prints exactly what the app's build embeds, from either source.
    for path in [&household, &out] {
        let shown = bin().arg("show").arg(path).output().unwrap();
        assert!(shown.status.success());
        assert_eq!(
            String::from_utf8(shown.stdout).unwrap().trim_end(),
            csv.raw.to_json()
        );
    }
    // A second convert does not overwrite; a workbook is not converted again.
    assert!(!bin()
        .arg("convert")
        .arg(&household)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap()
        .success());
    let again = dir.path().join("again.xlsx");
    assert!(!bin()
        .arg("convert")
        .arg(out.parent().unwrap())
        .arg("--out")
        .arg(&again)
        .status()
        .unwrap()
        .success());
    assert!(!again.exists());
}

#[test]
fn a_cell_showing_an_error_is_a_problem_at_that_cell() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("form.xlsx");
    workbook(
        &file,
        &[
            (
                "survey",
                vec![
                    vec![
                        T("type"),
                        T("name"),
                        T("label::zh"),
                        T("label::ii"),
                        T("ii_status"),
                        T("default"),
                    ],
                    vec![
                        T("integer"),
                        T("n"),
                        T("数"),
                        T("ꉬ"),
                        T("draft"),
                        F("=1/0", "#DIV/0!"),
                    ],
                ],
            ),
            ("choices", ok_choices()),
            ("settings", ok_settings()),
        ],
    );
    let (code, json) = lint_json(&file);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        locations(&json),
        [loc("survey", 2, "default", "F", "cell_error")]
    );
    assert_eq!(json["problems"][0]["detail"]["value"], "#DIV/0!");
}

#[test]
fn a_damaged_workbook_is_refused_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    let (_, grids) = read_grids(repo().join("surveys/household")).unwrap();
    forms::workbook::write(&good, &grids).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let bad = dir.path().join("bad.xlsx");
    let n = bytes.len();
    // Cut short at many places, and bytes overwritten in the middle of the zip's entries.
    let mut cases: Vec<Vec<u8>> = [0, 4, 30, 100, 1000, n / 3, n / 2, n - 22, n - 1]
        .iter()
        .map(|&cut| bytes[..cut].to_vec())
        .collect();
    for at in (0..n).step_by(n / 16) {
        let mut b = bytes.clone();
        for x in &mut b[at..(at + 64).min(n)] {
            *x ^= 0x5a;
        }
        cases.push(b);
    }
    for (i, case) in cases.iter().enumerate() {
        std::fs::write(&bad, case).unwrap();
        let out = bin().args(["lint", "--json"]).arg(&bad).output().unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "case {i}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code != Some(0) {
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(json["count"].as_u64().unwrap() > 0, "case {i}: {json}");
        }
    }
}

/// An ODK form's `default` the kit cannot run, or a value its question cannot take, fails
/// the linter at its cell, never to be stored as text (docs/survey-format.md, `default`).
#[test]
fn a_default_the_kit_cannot_run_or_store_is_a_problem_at_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("form.xlsx");
    let head = || {
        vec![
            T("type"),
            T("name"),
            T("label::zh"),
            T("label::ii"),
            T("ii_status"),
            T("default"),
        ]
    };
    let q = |ty: &'static str, name: &'static str, default: &'static str| {
        vec![T(ty), T(name), T("题"), T("ꉬ"), T("draft"), T(default)]
    };
    workbook(
        &file,
        &[
            (
                "survey",
                vec![
                    head(),
                    q("text", "a", "foo()"),
                    q("integer", "b", "abc"),
                    q("date", "c", "today()"),
                    q("integer", "d", "${b} + 1"),
                    q("select_one yn", "e", "yes"),
                ],
            ),
            ("choices", ok_choices()),
            ("settings", ok_settings()),
        ],
    );
    let (code, json) = lint_json(&file);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        locations(&json),
        [
            loc("survey", 2, "default", "F", "unknown_function"),
            loc("survey", 3, "default", "F", "bad_default"),
        ]
    );
    let out = bin().arg("lint").arg(&file).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("foo()") && text.contains("`abc`"), "{text}");
}
