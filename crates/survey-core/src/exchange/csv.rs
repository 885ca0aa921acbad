//! CSV tables for Excel and WPS: one row per household, and one row per roster member;
//! and the visits table (走访记录): one row per visit, the same columns, with the visit's
//! own id and the visited household's id first.
//!
//! - UTF-8 with a byte order mark (so Excel and WPS read Chinese and Yi text correctly),
//!   CRLF line ends, RFC 4180 quoting (written with the `csv` crate).
//! - Columns are named by field name, in form order; kit columns start with `_` (as in
//!   KoboToolbox exports) so they never clash with a field name: `_household_id`,
//!   `_status`, … in the households table, `_household_id` and `_member` (1-based) in the
//!   members table. Fields the survey does not know come last, by name.
//! - Values as the tablet stores them, relevant answers only (as in the JSON export):
//!   multi-selects space-separated choice names, numbers as typed, dates `YYYY-MM-DD`,
//!   calculated values included.
//! - Spreadsheet safety, for text fields only: a value starting with `=`, `+`, `-`, `@`
//!   or a tab/CR is prefixed with `'` so it is never run as a formula; a value of digits only
//!   with 11 or more digits or a leading zero (ID numbers, phone numbers) is written as
//!   `="…"` so Excel keeps every digit instead of showing `5.13429E+17`.
use std::collections::BTreeSet;

use crate::household::Household;
use crate::survey::{FieldType, Item, ItemKind, Survey};
use crate::validate::Context;

/// The two tables, each a complete CSV file (BOM included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvTables {
    /// One row per household.
    pub households: String,
    /// One row per roster member (every repeat of the survey, `_repeat` names which).
    pub members: String,
}

/// The byte order mark that starts both tables.
pub const BOM: char = '\u{feff}';

/// Kit columns of the households table.
pub const HOUSEHOLD_COLUMNS: [&str; 12] = [
    "_household_id",
    "_status",
    "_survey_version",
    "_created",
    "_modified",
    "_finalized",
    "_exported",
    "_enumerator_name",
    "_enumerator_phone",
    "_enumerator_unit",
    "_device",
    "_acknowledged_warnings",
];

/// The first kit column of the visits table ([`visits_csv`]): the visit's own id. The
/// columns of [`HOUSEHOLD_COLUMNS`] follow, `_household_id` naming the household visited.
pub const VISIT_ID_COLUMN: &str = "_visit_id";

/// Kit columns of the members table.
pub const MEMBER_COLUMNS: [&str; 3] = ["_household_id", "_repeat", "_member"];

fn is_text(it: Option<&Item>) -> bool {
    matches!(it.map(|i| &i.kind), Some(ItemKind::Field(FieldType::Text)) | None)
}

/// A cell value made safe for spreadsheets (see the module docs).
pub fn spreadsheet_cell(value: &str, text_field: bool) -> String {
    if !text_field {
        return value.to_string();
    }
    let b = value.as_bytes();
    if b.len() > 1 && b.iter().all(u8::is_ascii_digit) && (b.len() >= 11 || b[0] == b'0') {
        return format!("=\"{value}\"");
    }
    if matches!(b.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) {
        return format!("'{value}");
    }
    value.to_string()
}

fn writer() -> csv::Writer<Vec<u8>> {
    let mut buf = Vec::with_capacity(64 * 1024);
    buf.extend_from_slice(BOM.to_string().as_bytes());
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(buf)
}

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
}

/// The households and members tables of `households` (in order).
pub fn csv_tables(survey: &Survey, households: &[Household], cx: &Context) -> CsvTables {
    tables(survey, households, cx, false)
}

/// The visits table of `visits` (records of the visit survey `survey`, in order): one row
/// per visit, columns [`VISIT_ID_COLUMN`] and [`HOUSEHOLD_COLUMNS`], then the survey's
/// fields as in the households table. (The visit survey has no repeat.)
pub fn visits_csv(survey: &Survey, visits: &[Household], cx: &Context) -> String {
    tables(survey, visits, cx, true).households
}

/// The tables of `records`; `visits`: the first table is the visits table.
fn tables(survey: &Survey, households: &[Household], cx: &Context, visits: bool) -> CsvTables {
    let evaluated: Vec<_> = households
        .iter()
        .map(|h| (h, survey.evaluate_record(&h.record, cx).export_answers()))
        .collect();

    // Columns: the survey's value fields in form order, then unknown names.
    let top: Vec<&Item> = survey.items().iter().filter(|it| it.has_value() && survey.repeat_of(it).is_none()).collect();
    let member_fields: Vec<&Item> = survey.items().iter().filter(|it| it.has_value() && survey.repeat_of(it).is_some()).collect();
    let known = |name: &str, in_repeat: bool| {
        survey
            .find(name)
            .is_some_and(|it| it.has_value() && survey.repeat_of(it).is_some() == in_repeat)
    };
    let mut unknown_top = BTreeSet::new();
    let mut unknown_member = BTreeSet::new();
    for (h, _) in &evaluated {
        let a = &h.record.answers;
        unknown_top.extend(a.values.keys().filter(|k| !known(k, false)).cloned());
        for members in a.repeats.values() {
            for m in members {
                unknown_member.extend(m.keys().filter(|k| !known(k, true)).cloned());
            }
        }
    }

    let mut w = writer();
    let header: Vec<&str> = visits
        .then_some(VISIT_ID_COLUMN)
        .into_iter()
        .chain(HOUSEHOLD_COLUMNS)
        .chain(top.iter().map(|it| it.name.as_str()))
        .chain(unknown_top.iter().map(String::as_str))
        .collect();
    w.write_record(&header).expect("in memory");
    for (h, ans) in &evaluated {
        let (name, phone, unit) = h
            .enumerator
            .as_ref()
            .map_or(("", "", ""), |e| (e.name.as_str(), e.phone.as_str(), e.unit.as_str()));
        let acks: Vec<String> = h
            .record
            .acks
            .iter()
            .map(|(p, a)| match &a.reason {
                Some(r) if !r.is_empty() => format!("{p}: {r}"),
                _ => p.to_string(),
            })
            .collect();
        let mut row: Vec<String> = vec![h.id.clone()];
        if visits {
            row.push(h.household_id.clone().unwrap_or_default());
        }
        row.extend([
            crate::exchange::export::status_name(h.status).to_string(),
            h.survey_version.clone(),
            h.created.clone(),
            h.modified.clone(),
            h.finalized.clone().unwrap_or_default(),
            h.exported.clone().unwrap_or_default(),
            spreadsheet_cell(name, true),
            spreadsheet_cell(phone, true),
            spreadsheet_cell(unit, true),
            h.device.clone(),
            spreadsheet_cell(&acks.join("; "), true),
        ]);
        row.extend(top.iter().map(|it| spreadsheet_cell(ans.values.get(&it.name).map_or("", String::as_str), is_text(Some(it)))));
        row.extend(
            unknown_top
                .iter()
                .map(|k| spreadsheet_cell(h.record.answers.values.get(k).map_or("", String::as_str), true)),
        );
        w.write_record(&row).expect("in memory");
    }
    let households_csv = finish(w);

    let mut w = writer();
    let header: Vec<&str> = MEMBER_COLUMNS
        .iter()
        .copied()
        .chain(member_fields.iter().map(|it| it.name.as_str()))
        .chain(unknown_member.iter().map(String::as_str))
        .collect();
    w.write_record(&header).expect("in memory");
    for (h, ans) in &evaluated {
        for (rname, stored_members) in &h.record.answers.repeats {
            let relevant = ans.repeats.get(rname);
            for (i, stored) in stored_members.iter().enumerate() {
                let values = relevant.and_then(|r| r.get(i));
                if values.is_none() && !stored.keys().any(|k| !known(k, true)) {
                    continue;
                }
                let mut row: Vec<String> = vec![h.id.clone(), rname.clone(), (i + 1).to_string()];
                row.extend(member_fields.iter().map(|it| {
                    let in_this = survey.repeat_of(it).is_some_and(|r| &r.name == rname);
                    let v = if in_this { values.and_then(|m| m.get(&it.name)).map_or("", String::as_str) } else { "" };
                    spreadsheet_cell(v, is_text(Some(it)))
                }));
                row.extend(unknown_member.iter().map(|k| spreadsheet_cell(stored.get(k).map_or("", String::as_str), true)));
                w.write_record(&row).expect("in memory");
            }
        }
    }
    CsvTables { households: households_csv, members: finish(w) }
}
