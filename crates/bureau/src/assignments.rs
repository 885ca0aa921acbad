//! The assignment list the bureau keeps: which cadre is responsible for which household.
//!
//! A CSV file (UTF-8, a BOM allowed; WPS/Excel "CSV UTF-8"), one row per household, with a
//! header row naming these columns (English names or the Chinese in brackets; order free,
//! other columns ignored):
//!
//! | column | | |
//! |---|---|---|
//! | `cadre` (帮扶责任人) | required | the cadre's name |
//! | `cadre_phone` (手机号) | optional | |
//! | `village` (村) | required | choice name (`laguo`) or label (`拉果村`) |
//! | `village_group` (组) | optional | choice name (`laguo_2`) or label (`2组`) |
//! | `head_name` (户主姓名) | required unless an id below is given | |
//! | `head_id_number` (户主身份证号) | optional | matched against every member's ID number |
//! | `household_id` (农户编号) | optional | the kit's household id, once known |
//!
//! A row is matched to a household of the register by `household_id`, else by
//! `head_id_number`, else by village, group and head name. A household is **done** when its
//! current version is finalized (or exported).
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::lists::Fields;
use crate::register::{ident, repeat_table};
use crate::tables::{has_column, Labels};
use crate::{Error, Result};

/// One row of the list, matched.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assignment {
    /// The cadre.
    pub cadre: String,
    /// The cadre's phone.
    pub cadre_phone: String,
    /// Village as written in the list.
    pub village: String,
    /// Village group as written.
    pub village_group: String,
    /// Head of household as written.
    pub head_name: String,
    /// The household of the register it matched.
    pub household_id: Option<String>,
    /// Matched, and finalized.
    pub done: bool,
}

const COLUMNS: [(&str, &str); 7] = [
    ("cadre", "帮扶责任人"),
    ("cadre_phone", "手机号"),
    ("village", "村"),
    ("village_group", "组"),
    ("head_name", "户主姓名"),
    ("head_id_number", "户主身份证号"),
    ("household_id", "农户编号"),
];

/// Reads the list and matches every row against the register.
pub fn load(path: &Path, conn: &Connection, labels: &Labels) -> Result<Vec<Assignment>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::Message(format!("{}: {}", path.display(), crate::text::t("bureau.assign.not_utf8").both())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = rd.headers().map_err(|e| Error::Message(format!("{}: {e}", path.display())))?.clone();
    let index: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(en, zh)| headers.iter().position(|h| h.trim() == *en || h.trim() == *zh))
        .collect();
    if index[0].is_none() || index[2].is_none() {
        return Err(Error::Message(format!("{}: {}", path.display(), crate::text::t("bureau.assign.columns").both())));
    }
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| Error::Message(format!("{}: {e}", path.display())))?;
        let get = |i: usize| index[i].and_then(|j| rec.get(j)).map_or(String::new(), |s| s.trim().to_string());
        let cadre = get(0);
        if cadre.is_empty() && get(4).is_empty() && get(6).is_empty() {
            continue;
        }
        let mut a = Assignment {
            cadre,
            cadre_phone: get(1),
            village: get(2),
            village_group: get(3),
            head_name: get(4),
            household_id: None,
            done: false,
        };
        a.household_id = find(conn, labels, &a, &get(5), &get(6))?;
        if let Some(id) = &a.household_id {
            let status: Option<String> = conn
                .prepare_cached("SELECT _status FROM households WHERE _household_id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            a.done = status.is_some_and(|s| s != "draft");
        }
        out.push(a);
    }
    Ok(out)
}

fn matches_choice(labels: &Labels, field: &str, stored: &str, written: &str) -> bool {
    written.is_empty() || stored == written || labels.value(field, stored) == written
}

fn find(conn: &Connection, labels: &Labels, a: &Assignment, id_number: &str, household_id: &str) -> Result<Option<String>> {
    if !household_id.is_empty() {
        let found: Option<String> = conn
            .prepare_cached("SELECT _household_id FROM households WHERE _household_id = ?1")?
            .query_row([household_id], |r| r.get(0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    let members = repeat_table(Fields::MEMBERS);
    if !id_number.is_empty() && has_column(conn, &members, Fields::ID_NUMBER)? {
        let sql = format!(
            "SELECT _household_id FROM {} WHERE {} = ?1 ORDER BY _member LIMIT 1",
            ident(&members),
            ident(Fields::ID_NUMBER)
        );
        let found: Option<String> = conn.prepare_cached(&sql)?.query_row([id_number], |r| r.get(0)).optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if a.head_name.is_empty() || !has_column(conn, "households", Fields::HEAD)? {
        return Ok(None);
    }
    let v = if has_column(conn, "households", Fields::VILLAGE)? { ident(Fields::VILLAGE) } else { "NULL".into() };
    let g = if has_column(conn, "households", Fields::GROUP)? { ident(Fields::GROUP) } else { "NULL".into() };
    let sql = format!("SELECT _household_id, {v}, {g} FROM households WHERE {} = ?1 ORDER BY _household_id", ident(Fields::HEAD));
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([&a.head_name])?;
    while let Some(r) = rows.next()? {
        let village: Option<String> = r.get(1)?;
        let group: Option<String> = r.get(2)?;
        if matches_choice(labels, Fields::VILLAGE, village.as_deref().unwrap_or(""), &a.village)
            && matches_choice(labels, Fields::GROUP, group.as_deref().unwrap_or(""), &a.village_group)
        {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
}
