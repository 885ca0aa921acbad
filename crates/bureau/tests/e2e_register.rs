//! Second half of `e2e/tests/bureau.test.mjs` (ignored unless that test runs it with
//! `BUREAU_E2E_DIR`): the register and the workbook made from files the real app wrote in
//! the browser, read back with rusqlite and calamine.
use std::path::PathBuf;

use calamine::{open_workbook, Data, Reader, Xlsx};
use rusqlite::Connection;

fn dir() -> PathBuf {
    PathBuf::from(std::env::var("BUREAU_E2E_DIR").expect("BUREAU_E2E_DIR: run by e2e/tests/bureau.test.mjs"))
}

#[test]
#[ignore = "run by e2e/tests/bureau.test.mjs on files made in the browser"]
fn register_and_workbook_from_the_browser_files() {
    let ids: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir().join("ids.json")).unwrap()).unwrap();
    let (h1, h2, h3) = (ids["h1"].as_str().unwrap(), ids["h2"].as_str().unwrap(), ids["h3"].as_str().unwrap());
    let db = Connection::open(dir().join("register.sqlite")).unwrap();
    let one = |sql: &str, p: &str| -> i64 { db.query_row(sql, [p], |r| r.get(0)).unwrap() };

    // Four files taken (the cut one is not recorded), three households.
    assert_eq!(db.query_row("SELECT count(*) FROM files", [], |r| r.get::<_, i64>(0)).unwrap(), 4);
    assert_eq!(db.query_row("SELECT count(*) FROM households", [], |r| r.get::<_, i64>(0)).unwrap(), 3);
    // Household 1: corrected and re-exported: two versions, the correction current.
    assert_eq!(one("SELECT count(*) FROM versions WHERE household_id = ?1", h1), 2);
    assert_eq!(one("SELECT pigs FROM households WHERE _household_id = ?1", h1), 5);
    assert_eq!(one("SELECT count(*) FROM versions WHERE household_id = ?1 AND head = 1", h1), 1);
    // Household 2: edited on both tablets: both kept, a conflict, A's (later) current.
    assert_eq!(one("SELECT count(*) FROM versions WHERE household_id = ?1 AND head = 1", h2), 2);
    assert_eq!(one("SELECT _conflict FROM households WHERE _household_id = ?1", h2), 1);
    assert_eq!(one("SELECT CAST(income_wage AS INTEGER) FROM households WHERE _household_id = ?1", h2), 4000);
    let b_phone: String = db
        .query_row(
            "SELECT json_extract(household, '$.record.answers.values.household_phone') FROM versions WHERE household_id = ?1 AND head = 1 AND current = 0",
            [h2],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(b_phone, "13900139000", "tablet B's version is kept");
    // Household 3 came from tablet B only; its member is in the members table.
    assert_eq!(one("SELECT count(*) FROM members WHERE _household_id = ?1", h3), 1);
    let id_number: String = db.query_row("SELECT id_number FROM members WHERE _household_id = ?1", [h3], |r| r.get(0)).unwrap();
    assert_eq!(id_number, "440524188001010014");
    // Re-validated with the survey: the housing warning acknowledged on the tablet.
    assert_eq!(one("SELECT count(*) FROM issues WHERE household_id = ?1 AND field = 'housing_grade' AND acknowledged = 1", h2), 1);

    // The workbook: a row per household, labels for choices, the conflict in 问题.
    let mut wb: Xlsx<_> = open_workbook(dir().join("register.xlsx")).unwrap();
    let households = wb.worksheet_range(&bureau::text::t("bureau.sheet.households").zh).unwrap();
    assert_eq!(households.height(), 2 + 3);
    let col = |name: &str| (0..households.width()).find(|&c| households.get((1, c)) == Some(&Data::String(name.into()))).unwrap();
    let row = (2..households.height()).find(|&r| households.get((r, 0)) == Some(&Data::String(h2.into()))).unwrap();
    assert_eq!(households.get((row, col("head_name"))), Some(&Data::String("曲比阿果<b>=1+1</b>".into())));
    assert_eq!(households.get((row, col("village"))), Some(&Data::String("拉果村".into())));
    assert_eq!(households.get((row, col("income_wage"))), Some(&Data::Float(4000.0)));
    let problems = wb.worksheet_range(&bureau::text::t("bureau.sheet.problems").zh).unwrap();
    let conflict = bureau::text::t("bureau.problem.conflict").zh;
    assert!(problems.rows().any(|r| r[0] == Data::String(conflict.clone()) && r[1] == Data::String(h2.into())));
}
