//! The lists that drive the work (the report shows them, the workbook's 名单 sheet holds
//! every row): households failing a guarantee of 两不愁三保障, income per head below a line,
//! special-care members, pepper seedlings, scholarships.
//!
//! No rule is coded here: a household is on a guarantee list when the survey's own
//! **warning** on that question fired (as the core evaluated it at intake, table `issues`),
//! or when the survey's own **calculation** says so (`uninsured_count`, `out_of_school_count`,
//! `income_per_capita`, `scholarship`). What this module knows is which fields of the
//! shipped survey to read ([`Fields`]); a list whose fields a register lacks is left out.
//! Drafts (from backups) are not listed: only finalized households.
use rusqlite::Connection;

use crate::tables::{has_column, Labels};
use crate::Result;

/// The shipped survey's fields the lists and the report read.
pub struct Fields;

impl Fields {
    /// Village (select_one).
    pub const VILLAGE: &'static str = "village";
    /// Village group (select_one).
    pub const GROUP: &'static str = "village_group";
    /// Head of household's name.
    pub const HEAD: &'static str = "head_name";
    /// The paired cadre's name as the enumerator entered it.
    pub const CADRE: &'static str = "cadre_name";
    /// A member's name.
    pub const MEMBER_NAME: &'static str = "member_name";
    /// A member's resident ID number.
    pub const ID_NUMBER: &'static str = "id_number";
    /// Relation to the head (`head`).
    pub const RELATION: &'static str = "relation";
    /// The roster.
    pub const MEMBERS: &'static str = "members";
}

/// One list: where its rows come from.
#[derive(Debug, Clone, Copy)]
pub struct ListDef {
    /// Stable key (`bureau.list.<key>` is its title).
    pub key: &'static str,
    /// Top-level fields whose survey warning puts a household on the list.
    pub warnings: &'static [&'static str],
    /// A calculated count (> 0 puts a household on the list) and the member flag
    /// (calculated, 1 = this member) naming who.
    pub count: Option<(&'static str, &'static str)>,
}

/// The guarantee lists (两不愁三保障 and water), in report order.
pub const GUARANTEES: [ListDef; 5] = [
    ListDef { key: "housing", warnings: &["housing_grade"], count: None },
    ListDef { key: "medical", warnings: &["medical_secured"], count: Some(("uninsured_count", "is_uninsured")) },
    ListDef { key: "education", warnings: &["education_secured"], count: Some(("out_of_school_count", "is_out_of_school")) },
    ListDef { key: "water", warnings: &["water_all_year", "water_safe"], count: None },
    ListDef { key: "food_clothing", warnings: &["food_secure", "clothing_secure"], count: None },
];

/// Every list key, in order (the guarantees, then the others).
pub const KEYS: [&str; 9] =
    ["housing", "medical", "education", "water", "food_clothing", "low_income", "special_care", "pepper", "scholarship"];

/// One row of a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ListRow {
    /// The list's key.
    pub list: &'static str,
    /// Household id.
    pub household_id: String,
    /// Village (label).
    pub village: String,
    /// Village group (label).
    pub group: String,
    /// Head of household.
    pub head_name: String,
    /// For member lists: the member's number (1-based) and name.
    pub member: Option<(i64, String)>,
    /// Why (Chinese), from the survey's labels and warning messages.
    pub reason: String,
    /// The list's figure (income per head, seedlings received, amount due…).
    pub value: Option<f64>,
    /// A second figure (seedlings planted).
    pub value2: Option<f64>,
}

/// Options of the lists.
#[derive(Debug, Clone, Copy)]
pub struct ListOptions {
    /// Income per head below this (yuan) puts a household on the low-income list.
    pub income_line: f64,
}

fn text(v: rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Null => String::new(),
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Real(f) => f.to_string(),
        rusqlite::types::Value::Text(s) => s,
        rusqlite::types::Value::Blob(_) => String::new(),
    }
}

fn num(v: &rusqlite::types::Value) -> Option<f64> {
    match v {
        rusqlite::types::Value::Integer(i) => Some(*i as f64),
        rusqlite::types::Value::Real(f) => Some(*f),
        rusqlite::types::Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `h.col` or NULL when the register has no such column.
fn col(conn: &Connection, table: &str, alias: &str, name: &str) -> Result<String> {
    Ok(if has_column(conn, table, name)? { format!("{alias}.{}", crate::register::ident(name)) } else { "NULL".into() })
}

/// Calls `f` with every row of every list, list by list, households in village, group and
/// head-name order.
pub fn for_each(conn: &Connection, labels: &Labels, opts: ListOptions, mut f: impl FnMut(ListRow) -> Result<()>) -> Result<()> {
    let v = col(conn, "households", "h", Fields::VILLAGE)?;
    let g = col(conn, "households", "h", Fields::GROUP)?;
    let hn = col(conn, "households", "h", Fields::HEAD)?;
    let order = format!("ORDER BY {v}, {g}, {hn}, h._household_id");
    let base = format!("h._household_id, {v}, {g}, {hn}");
    let members = crate::register::ident(&crate::register::repeat_table(Fields::MEMBERS));
    let has_members = has_column(conn, &crate::register::repeat_table(Fields::MEMBERS), Fields::MEMBER_NAME)?;
    let row = |list: &'static str, vals: &[rusqlite::types::Value]| ListRow {
        list,
        household_id: text(vals[0].clone()),
        village: labels.value(Fields::VILLAGE, &text(vals[1].clone())),
        group: labels.value(Fields::GROUP, &text(vals[2].clone())),
        head_name: text(vals[3].clone()),
        member: None,
        reason: String::new(),
        value: None,
        value2: None,
    };

    for def in GUARANTEES {
        let warned: Vec<&str> = def.warnings.iter().copied().filter(|w| labels.has_field(w)).collect();
        let count = def.count.filter(|(c, _)| has_column(conn, "households", c).unwrap_or(false));
        if warned.is_empty() && count.is_none() {
            continue;
        }
        let in_list = warned.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(", ");
        let fired = format!(
            "(SELECT group_concat(i.field || char(31) || i.message_zh, char(30)) FROM issues i WHERE i.household_id = h._household_id AND i.rule = 'warning' AND i.member IS NULL AND i.field IN ({in_list}))"
        );
        let (names, cond) = match count {
            Some((c, flag)) if has_members && has_column(conn, &crate::register::repeat_table(Fields::MEMBERS), flag)? => (
                format!(
                    "(SELECT group_concat(m.{mn}, '、') FROM {members} m WHERE m._household_id = h._household_id AND m.{flag} = 1)",
                    mn = crate::register::ident(Fields::MEMBER_NAME),
                    flag = crate::register::ident(flag)
                ),
                format!("OR h.{} > 0", crate::register::ident(c)),
            ),
            Some((c, _)) => ("NULL".to_string(), format!("OR h.{} > 0", crate::register::ident(c))),
            None => ("NULL".to_string(), String::new()),
        };
        let count_col = count.map_or("NULL".to_string(), |(c, _)| format!("h.{}", crate::register::ident(c)));
        let sql = format!(
            "SELECT {base}, {fired} AS fired, {names}, {count_col} FROM households h
             WHERE h._status != 'draft' AND (fired IS NOT NULL {cond}) {order}"
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let vals: Vec<rusqlite::types::Value> = (0..7).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            let mut out = row(def.key, &vals);
            let mut reasons: Vec<String> = Vec::new();
            for w in text(vals[4].clone()).split('\u{1e}').filter(|s| !s.is_empty()) {
                let (field, message) = w.split_once('\u{1f}').unwrap_or((w, ""));
                // The field's label and answer, then the survey's own warning message.
                let answer = household_value(conn, &out.household_id, field)?;
                reasons.push(format!("{}：{}（{}）", labels.field(field), labels.value(field, &answer), message));
            }
            let who = text(vals[5].clone());
            if let Some((c, _)) = count {
                let n = num(&vals[6]).unwrap_or(0.0);
                if n > 0.0 {
                    out.value = Some(n);
                    reasons.push(if who.is_empty() { format!("{}：{n}", labels.field(c)) } else { format!("{}：{n}（{who}）", labels.field(c)) });
                }
            }
            out.reason = reasons.join("；");
            f(out)?;
        }
    }

    // Income per head below the line (the survey's calculation `income_per_capita`).
    if has_column(conn, "households", "income_per_capita")? {
        let sql = format!(
            "SELECT {base}, h.income_per_capita FROM households h
             WHERE h._status != 'draft' AND typeof(h.income_per_capita) IN ('integer', 'real') AND h.income_per_capita < ?1 {order}"
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([opts.income_line])?;
        while let Some(r) = rows.next()? {
            let vals: Vec<rusqlite::types::Value> = (0..5).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            let mut out = row("low_income", &vals);
            out.value = num(&vals[4]);
            out.reason = format!("{}：{}", labels.field("income_per_capita"), text(vals[4].clone()));
            f(out)?;
        }
    }

    // Special-care members (the member's answer to `special_group`, other than none).
    let mt = crate::register::repeat_table(Fields::MEMBERS);
    if has_members && has_column(conn, &mt, "special_group")? {
        let sql = format!(
            "SELECT {base}, m._member, m.{mn}, m.special_group FROM {members} m JOIN households h ON h._household_id = m._household_id
             WHERE h._status != 'draft' AND m.special_group IS NOT NULL AND m.special_group != '' AND m.special_group != 'none' {order}, m._member",
            mn = crate::register::ident(Fields::MEMBER_NAME)
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let vals: Vec<rusqlite::types::Value> = (0..7).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            let mut out = row("special_care", &vals);
            out.member = Some((num(&vals[4]).unwrap_or(0.0) as i64, text(vals[5].clone())));
            out.reason = format!("{}：{}", labels.field("special_group"), labels.value("special_group", &text(vals[6].clone())));
            f(out)?;
        }
    }

    // Pepper seedlings received against planted, and scholarships due (the survey's
    // calculation `scholarship`): a household with the first figure above zero, both figures.
    for (list, first, second) in [("pepper", "pepper_received", "pepper_planted"), ("scholarship", "scholarship", "college_admitted")] {
        if !has_column(conn, "households", first)? {
            continue;
        }
        let (a, b) = (col(conn, "households", "h", first)?, col(conn, "households", "h", second)?);
        let sql = format!("SELECT {base}, {a}, {b} FROM households h WHERE h._status != 'draft' AND {a} > 0 {order}");
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let vals: Vec<rusqlite::types::Value> = (0..6).map(|i| r.get(i)).collect::<Result<_, _>>()?;
            let mut out = row(list, &vals);
            out.value = num(&vals[4]);
            out.value2 = num(&vals[5]);
            out.reason = if list == "pepper" {
                format!("{}：{}；{}：{}", labels.field(first), text(vals[4].clone()), labels.field(second), text(vals[5].clone()))
            } else {
                format!("{}：{}", labels.field(second), text(vals[5].clone()))
            };
            f(out)?;
        }
    }
    Ok(())
}

fn household_value(conn: &Connection, household_id: &str, field: &str) -> Result<String> {
    if !has_column(conn, "households", field)? {
        return Ok(String::new());
    }
    let sql = format!("SELECT {} FROM households WHERE _household_id = ?1", crate::register::ident(field));
    let v: rusqlite::types::Value = conn.prepare_cached(&sql)?.query_row([household_id], |r| r.get(0))?;
    Ok(text(v))
}

/// A possible duplicate across different household ids: listed, never merged.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Duplicate {
    /// `id_number` (the same resident ID number in two households) or `head_name` (the
    /// same head name in the same village group).
    pub kind: &'static str,
    /// The shared value (ID number, or `village / group / name`).
    pub key: String,
    /// The households.
    pub households: Vec<String>,
}

/// Possible duplicates among the current households, one group at a time (memory does not
/// grow with their number).
pub fn for_each_duplicate(conn: &Connection, labels: &Labels, mut out: impl FnMut(Duplicate) -> Result<()>) -> Result<()> {
    let mt = crate::register::repeat_table(Fields::MEMBERS);
    if has_column(conn, &mt, Fields::ID_NUMBER)? {
        // Sorted and grouped here, one ID number at a time: SQLite's sorter spills to disk,
        // so memory stays bounded (a DISTINCT over every member did not).
        let sql = format!(
            "SELECT m.id_number, m._household_id FROM {} m WHERE m.id_number IS NOT NULL AND m.id_number != ''
             ORDER BY m.id_number, m._household_id",
            crate::register::ident(&mt)
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        let mut group: Option<(String, Vec<String>)> = None;
        let mut flush = |g: Option<(String, Vec<String>)>| match g.filter(|(_, h)| h.len() > 1) {
            Some((key, households)) => out(Duplicate { kind: "id_number", key, households }),
            None => Ok(()),
        };
        while let Some(r) = rows.next()? {
            let (id, household): (String, String) = (text(r.get(0)?), r.get(1)?);
            match &mut group {
                Some((key, hs)) if *key == id => {
                    if hs.last() != Some(&household) {
                        hs.push(household);
                    }
                }
                _ => flush(group.replace((id, vec![household])))?,
            }
        }
        flush(group)?;
    }
    if has_column(conn, "households", Fields::HEAD)? && has_column(conn, "households", Fields::GROUP)? {
        let v = col(conn, "households", "h", Fields::VILLAGE)?;
        let sql = format!(
            "SELECT {v}, h.village_group, h.head_name, group_concat(h._household_id, char(31)) FROM households h
             WHERE h.head_name IS NOT NULL AND h.head_name != '' AND h.village_group IS NOT NULL
             GROUP BY {v}, h.village_group, h.head_name HAVING count(*) > 1 ORDER BY 1, 2, 3"
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let village = text(r.get(0)?);
            let group = text(r.get(1)?);
            let name = text(r.get(2)?);
            let ids = text(r.get(3)?);
            out(Duplicate {
                kind: "head_name",
                key: format!(
                    "{} / {} / {name}",
                    labels.value(Fields::VILLAGE, &village),
                    labels.value(Fields::GROUP, &group)
                ),
                households: split_ids(&ids),
            })?;
        }
    }
    Ok(())
}

fn split_ids(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s.split('\u{1f}').map(str::to_string).collect();
    v.sort();
    v
}
