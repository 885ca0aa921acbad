//! The progress report: one self-contained HTML file (no network, no script, the Yi font
//! embedded), in Chinese with Yi headings. Opens from a USB stick in any browser.
//!
//! Every number is a count or a sum of rows of the workbook: the progress tables count the
//! 农户 sheet's rows (状态 not 草稿) by village, group and cadre, and each list counts the
//! 名单 sheet's rows of that list (the report shows the first rows of each; the workbook
//! has them all). All text from files is HTML-escaped.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use base64::Engine;
use rusqlite::Connection;

use crate::assignments::Assignment;
use crate::lists::{self, Fields, ListOptions, ListRow};
use crate::register::ident;
use crate::tables::{has_column, Labels};
use crate::text::{html, t};
use crate::{Error, Result};

/// At most this many rows of a list are shown in the report (all are in the workbook).
pub const MAX_SHOWN: usize = 300;

/// What the report needs besides the register.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The lists' options.
    pub lists: ListOptions,
    /// When the report is made (shown).
    pub now: String,
    /// Today (`YYYY-MM-DD`): a visit's promise due before it is past due.
    pub today: String,
    /// The register's file name (shown).
    pub register_name: String,
}

/// Figures of a report (also printed by the command, and `--json`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    /// Households in the register (current versions).
    pub households: u64,
    /// Of which finalized.
    pub done: u64,
    /// Households in conflict.
    pub conflicts: u64,
    /// Possible duplicates.
    pub duplicates: u64,
    /// Rows on the assignment list (0 without one).
    pub assigned: u64,
    /// Of which matched and done.
    pub assigned_done: u64,
    /// Households per list (by list key).
    pub lists: BTreeMap<String, u64>,
    /// Total pepper seedlings received and planted.
    pub pepper: (f64, f64),
    /// Total scholarship amount due.
    pub scholarship: f64,
    /// Thumbnails shown of grade C and D houses.
    pub thumbnails: u64,
    /// Visits (not drafts) in the register.
    pub visits: u64,
    /// Households with at least one of them.
    pub visited_households: u64,
    /// Households of the register (not drafts) without any.
    pub unvisited_households: u64,
    /// Visits whose promise is due before today.
    pub promises_past_due: u64,
    /// Visits whose household the register does not hold (yet).
    pub visits_without_household: u64,
    /// Visits in conflict (counted apart from `conflicts`, which counts households).
    pub visit_conflicts: u64,
}

fn tr(key: &str) -> String {
    html(&t(key).zh)
}

/// A heading in Chinese with its Yi text beneath (a draft is marked with *).
fn heading(tag: &str, key: &str) -> String {
    let m = t(key);
    let mark = if m.ii_draft { "<sup title=\"彝文草稿，待审校\">*</sup>" } else { "" };
    format!("<{tag}>{}<span class=\"ii\" lang=\"ii\">{}{mark}</span></{tag}>", html(&m.zh), html(&m.ii))
}

fn bar(done: u64, total: u64) -> String {
    let frac = if total == 0 { 0.0 } else { (done as f64 / total as f64).min(1.0) };
    let w = 160.0;
    format!(
        "<svg class=\"bar\" width=\"{w}\" height=\"14\" viewBox=\"0 0 {w} 14\" role=\"img\" aria-label=\"{done}/{total}\"><rect width=\"{w}\" height=\"14\" fill=\"#e3e8ee\"/><rect width=\"{:.1}\" height=\"14\" fill=\"#2f855a\"/></svg> {:.0}%",
        w * frac,
        frac * 100.0
    )
}

fn font_face() -> String {
    let font = base64::engine::general_purpose::STANDARD.encode(include_bytes!("../../../assets/fonts/NotoSansYi-subset.woff2"));
    format!("@font-face{{font-family:'Noto Sans Yi';src:url(data:font/woff2;base64,{font}) format('woff2');unicode-range:U+A000-A4CF,U+3001-3002;}}")
}

const STYLE: &str = "td.photos figure{display:inline-block;margin:0 6px 4px 0;text-align:center;font-size:12px}td.photos img{display:block;max-width:160px;max-height:160px}figure.missing{color:#c53030}
body{font-family:'Noto Sans Yi','PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#1a202c;line-height:1.5}
h1,h2,h3{margin:1.2em 0 .4em}h1 .ii,h2 .ii,h3 .ii{display:block;font-size:.7em;color:#4a5568;font-weight:normal}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:14px}th,td{border:1px solid #cbd5e0;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#edf2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}.bar{vertical-align:middle}
.note{color:#4a5568;font-size:13px}.figures{display:flex;flex-wrap:wrap;gap:12px}.figures div{border:1px solid #cbd5e0;padding:8px 12px;border-radius:4px}
.figures b{display:block;font-size:22px}@media print{body{max-width:none}}";

struct Place {
    assigned: u64,
    assigned_done: u64,
    done: u64,
    drafts: u64,
}

/// Writes the report to `path`.
pub fn write(conn: &Connection, path: &Path, assignments: Option<&[Assignment]>, opts: &ReportOptions) -> Result<Summary> {
    let labels = Labels::load(conn)?;
    let mut s = Summary::default();
    let col = |c: &str| -> Result<String> {
        Ok(if has_column(conn, "households", c)? { format!("h.{}", ident(c)) } else { "NULL".into() })
    };
    let (v, g, cadre) = (col(Fields::VILLAGE)?, col(Fields::GROUP)?, col(Fields::CADRE)?);
    let text = |v: Option<String>| v.unwrap_or_default();

    // Progress by village and group.
    let mut places: BTreeMap<(String, String), Place> = BTreeMap::new();
    let mut st = conn.prepare(&format!(
        "SELECT {v}, {g}, sum(h._status != 'draft'), sum(h._status = 'draft') FROM households h GROUP BY 1, 2 ORDER BY 1, 2"
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let key = (labels.value(Fields::VILLAGE, &text(r.get(0)?)), labels.value(Fields::GROUP, &text(r.get(1)?)));
        let (done, drafts): (i64, i64) = (r.get(2)?, r.get(3)?);
        s.done += done as u64;
        s.households += (done + drafts) as u64;
        let p = places.entry(key).or_insert(Place { assigned: 0, assigned_done: 0, done: 0, drafts: 0 });
        p.done += done as u64;
        p.drafts += drafts as u64;
    }
    drop(rows);
    drop(st);
    // By cadre: the assignment list, else the cadre named in the households.
    let mut cadres: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    if let Some(list) = assignments {
        for a in list {
            let key = (labels.value(Fields::VILLAGE, &a.village), labels.value(Fields::GROUP, &a.village_group));
            let p = places.entry(key).or_insert(Place { assigned: 0, assigned_done: 0, done: 0, drafts: 0 });
            p.assigned += 1;
            p.assigned_done += u64::from(a.done);
            let c = cadres.entry(a.cadre.clone()).or_default();
            c.0 += 1;
            c.1 += u64::from(a.done);
            s.assigned += 1;
            s.assigned_done += u64::from(a.done);
        }
    } else {
        let mut st = conn.prepare(&format!("SELECT {cadre}, sum(h._status != 'draft') FROM households h GROUP BY 1 ORDER BY 1"))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let done: i64 = r.get(1)?;
            cadres.insert(text(r.get(0)?), (0, done as u64));
        }
    }
    // When the last file bringing each cadre's households arrived (the cadre the survey
    // names, `cadre_name`), and how many files brought them.
    let mut last: BTreeMap<String, (String, u64)> = BTreeMap::new();
    let mut st = conn.prepare(&format!(
        "SELECT {cadre}, max(f.taken_at), count(DISTINCT f.file_id) FROM versions v
         JOIN files f ON f.file_id = v.file_id JOIN households h ON h._household_id = v.household_id GROUP BY 1"
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        last.insert(text(r.get(0)?), (r.get(1)?, r.get::<_, i64>(2)? as u64));
    }
    drop(rows);
    drop(st);

    let conflicts = crate::intake::conflicts(conn)?;
    s.conflicts = conflicts.iter().filter(|c| c.visit_id.is_none()).count() as u64;
    s.visit_conflicts = conflicts.len() as u64 - s.conflicts;
    // Possible duplicates: all counted, the first MAX_SHOWN kept for the page.
    let mut dups = Vec::new();
    lists::for_each_duplicate(conn, &labels, |d| {
        s.duplicates += 1;
        if dups.len() < MAX_SHOWN {
            dups.push(d);
        }
        Ok(())
    })?;

    // The lists, in order; at most MAX_SHOWN rows of each are kept for the page.
    let mut shown: BTreeMap<&'static str, Vec<ListRow>> = BTreeMap::new();
    // Rows of a list come in household order (a household's rows are next to each other),
    // so counting households needs only the last one seen.
    let mut households: BTreeMap<&'static str, (u64, String)> = BTreeMap::new();
    let mut rows_per: BTreeMap<&'static str, u64> = BTreeMap::new();
    lists::for_each(conn, &labels, opts.lists, |row| {
        *rows_per.entry(row.list).or_default() += 1;
        if row.list == "pepper" {
            s.pepper.0 += row.value.unwrap_or(0.0);
            s.pepper.1 += row.value2.unwrap_or(0.0);
        }
        if row.list == "scholarship" {
            s.scholarship += row.value.unwrap_or(0.0);
        }
        let (n, last) = households.entry(row.list).or_default();
        if *last != row.household_id {
            *n += 1;
            last.clone_from(&row.household_id);
        }
        let v = shown.entry(row.list).or_default();
        if v.len() < MAX_SHOWN {
            v.push(row);
        }
        Ok(())
    })?;
    for k in lists::KEYS {
        s.lists.insert(k.to_string(), households.get(k).map_or(0, |h| h.0));
    }

    // The page.
    let mut out = String::with_capacity(256 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
    out.push_str(&format!("<title>{}</title><style>{}{STYLE}</style></head><body>", tr("bureau.report.title"), font_face()));
    out.push_str(&heading("h1", "bureau.report.title"));
    out.push_str(&format!(
        "<p class=\"note\">{}：{} · {}：{}</p>",
        tr("bureau.report.made"),
        html(&opts.now),
        tr("bureau.report.register"),
        html(&opts.register_name)
    ));
    out.push_str("<div class=\"figures\">");
    for (key, n) in [
        ("bureau.report.households", s.households),
        ("bureau.report.done", s.done),
        ("bureau.report.conflicts", s.conflicts),
        ("bureau.report.duplicates", s.duplicates),
    ] {
        out.push_str(&format!("<div><b>{n}</b>{}</div>", tr(key)));
    }
    if assignments.is_some() {
        out.push_str(&format!("<div><b>{} / {}</b>{}</div>", s.assigned_done, s.assigned, tr("bureau.report.assigned_done")));
    }
    out.push_str("</div>");

    out.push_str(&heading("h2", "bureau.report.by_place"));
    out.push_str(&format!(
        "<table><tr><th>{}</th><th>{}</th>{}<th>{}</th><th>{}</th></tr>",
        tr("bureau.column._village"),
        tr("bureau.column._village_group"),
        if assignments.is_some() {
            format!("<th>{}</th><th>{}</th>", tr("bureau.report.assigned"), tr("bureau.report.assigned_done"))
        } else {
            String::new()
        },
        tr("bureau.report.done"),
        tr("bureau.report.drafts")
    ));
    let max_done = places.values().map(|p| p.done).max().unwrap_or(0);
    for ((village, group), p) in &places {
        let b = if assignments.is_some() { bar(p.assigned_done, p.assigned) } else { bar(p.done, max_done) };
        out.push_str(&format!("<tr><td>{}</td><td>{}</td>", html(village), html(group)));
        if assignments.is_some() {
            out.push_str(&format!("<td class=\"n\">{}</td><td class=\"n\">{} {b}</td>", p.assigned, p.assigned_done));
            out.push_str(&format!("<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>", p.done, p.drafts));
        } else {
            out.push_str(&format!("<td class=\"n\">{} {b}</td><td class=\"n\">{}</td></tr>", p.done, p.drafts));
        }
    }
    out.push_str("</table>");

    out.push_str(&heading("h2", "bureau.report.by_cadre"));
    out.push_str(&format!(
        "<table><tr><th>{}</th>{}<th>{}</th><th>{}</th><th>{}</th></tr>",
        tr("bureau.report.cadre"),
        if assignments.is_some() { format!("<th>{}</th>", tr("bureau.report.assigned")) } else { String::new() },
        tr("bureau.report.done"),
        tr("bureau.report.last_file"),
        tr("bureau.report.files")
    ));
    let max_c = cadres.values().map(|c| c.1).max().unwrap_or(0);
    for (name, (assigned, done)) in &cadres {
        let (taken, files) = last.get(name).cloned().unwrap_or_default();
        out.push_str(&format!("<tr><td>{}</td>", html(if name.is_empty() { "—" } else { name })));
        if assignments.is_some() {
            out.push_str(&format!("<td class=\"n\">{assigned}</td><td class=\"n\">{done} {}</td>", bar(*done, *assigned)));
        } else {
            out.push_str(&format!("<td class=\"n\">{done} {}</td>", bar(*done, max_c)));
        }
        out.push_str(&format!(
            "<td>{}</td><td class=\"n\">{files}</td></tr>",
            if taken.is_empty() { "—".to_string() } else { html(&taken) }
        ));
    }
    // Files from a tablet whose enumerator is not a cadre of the table.
    for (name, (taken, files)) in &last {
        if !cadres.contains_key(name) {
            out.push_str(&format!(
                "<tr><td>{}</td>{}<td class=\"n\">—</td><td>{}</td><td class=\"n\">{files}</td></tr>",
                html(if name.is_empty() { "—" } else { name }),
                if assignments.is_some() { "<td class=\"n\">—</td>" } else { "" },
                html(taken)
            ));
        }
    }
    out.push_str("</table>");

    out.push_str(&heading("h2", "bureau.report.guarantees"));
    for key in lists::KEYS {
        if key == "low_income" {
            out.push_str(&heading("h2", "bureau.report.other_lists"));
        }
        let n = s.lists.get(key).copied().unwrap_or(0);
        let rows = rows_per.get(key).copied().unwrap_or(0);
        out.push_str(&heading("h3", &format!("bureau.list.{key}")));
        let mut line = format!("{}：<b>{n}</b>", tr("bureau.report.list_households"));
        if key == "low_income" {
            line.push_str(&format!("（{}：{}）", tr("bureau.report.income_line"), opts.lists.income_line));
        }
        if key == "pepper" {
            line.push_str(&format!(
                "；{}：<b>{}</b>；{}：<b>{}</b>",
                html(&labels.field("pepper_received")),
                s.pepper.0,
                html(&labels.field("pepper_planted")),
                s.pepper.1
            ));
        }
        if key == "scholarship" {
            line.push_str(&format!("；{}：<b>{}</b>", tr("bureau.report.total_due"), s.scholarship));
        }
        out.push_str(&format!("<p>{line}</p>"));
        let list = shown.get(key).map_or(&[][..], Vec::as_slice);
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            tr("bureau.column._village"),
            tr("bureau.column._village_group"),
            tr("bureau.column._head_name"),
            tr("bureau.column._reason"),
            tr("bureau.column._household_id")
        ));
        for r in list {
            let who = match &r.member {
                Some((_, name)) => format!("{}（{}）", html(&r.head_name), html(name)),
                None => html(&r.head_name),
            };
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{who}</td><td>{}</td><td class=\"note\">{}</td></tr>",
                html(&r.village),
                html(&r.group),
                html(&r.reason),
                html(&r.household_id)
            ));
        }
        out.push_str("</table>");
        if rows > list.len() as u64 {
            out.push_str(&format!("<p class=\"note\">{} {}</p>", rows - list.len() as u64, tr("bureau.report.more_rows")));
        }
    }

    houses_at_risk(conn, &labels, &mut s, &mut out)?;
    visits(conn, &labels, opts, &mut s, &mut out)?;

    out.push_str(&heading("h2", "bureau.report.problems"));
    out.push_str(&format!("<p>{}：<b>{}</b></p>", tr("bureau.report.conflicts"), conflicts.len()));
    if !conflicts.is_empty() {
        out.push_str(&format!("<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>", tr("bureau.column._household_id"), tr("bureau.column._head_name"), tr("bureau.problem.version")));
        for c in conflicts.iter().take(MAX_SHOWN) {
            let vs: Vec<String> = c
                .versions
                .iter()
                .map(|v| format!("{}（{}，{}）", v.version_id, html(&v.modified), html(v.file.rsplit(['/', '\\']).next().unwrap_or(&v.file))))
                .collect();
            let id = match &c.visit_id {
                Some(v) => format!("{}<br><span class=\"note\">{}：{}</span>", html(&c.household_id), tr("bureau.visit.conflict"), html(v)),
                None => html(&c.household_id),
            };
            out.push_str(&format!(
                "<tr><td>{id}</td><td>{}</td><td>{}</td></tr>",
                html(c.head_name.as_deref().unwrap_or("")),
                vs.join("；")
            ));
        }
        out.push_str("</table>");
    }
    out.push_str(&format!("<p>{}：<b>{}</b></p>", tr("bureau.report.duplicates"), s.duplicates));
    if !dups.is_empty() {
        out.push_str("<table>");
        for d in dups.iter().take(MAX_SHOWN) {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"note\">{}</td></tr>",
                tr(&format!("bureau.problem.duplicate_{}", d.kind)),
                html(&d.key),
                html(&d.households.join("，"))
            ));
        }
        out.push_str("</table>");
    }
    out.push_str(&format!("<p class=\"note\">{}</p>", tr("bureau.report.trace")));
    out.push_str(&format!("<p class=\"note\">* {}</p>", tr("bureau.report.draft_note")));
    out.push_str("</body></html>\n");
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(out.as_bytes()).map_err(|e| Error::io(path, e))?;
    Ok(s)
}

/// The visit survey's fields the report reads.
const PROMISE: &str = "promise";
const PROMISE_DUE: &str = "promise_due";
/// A later visit's account of the promises made before it, and its answer "done".
const PREVIOUS_PROMISE: &str = "previous_promise";
const PROMISE_DONE: &str = "done";

/// Visits (the visit log): per household (how many, the last visit's date, promises past
/// their due date) and per cadre (`cadre_name`) per month (of `visit_date`). Counts of the
/// workbook's 走访记录 rows whose status is not 草稿.
fn visits(conn: &Connection, labels: &Labels, opts: &ReportOptions, s: &mut Summary, out: &mut String) -> Result<()> {
    let vcol = |c: &str| -> Result<String> { Ok(if has_column(conn, "visits", c)? { format!("v.{}", ident(c)) } else { "NULL".into() }) };
    let hcol = |c: &str| -> Result<String> { Ok(if has_column(conn, "households", c)? { format!("h.{}", ident(c)) } else { "NULL".into() }) };
    let (date, cadre, promise, due) = (vcol(crate::tables::VISIT_DATE)?, vcol(Fields::CADRE)?, vcol(PROMISE)?, vcol(PROMISE_DUE)?);
    let (head, village) = (hcol(Fields::HEAD)?, hcol(Fields::VILLAGE)?);
    // A promise is open until a later visit of the household (not a draft) says the
    // promises made before it are done.
    let closed = if has_column(conn, "visits", PREVIOUS_PROMISE)? && has_column(conn, "visits", crate::tables::VISIT_DATE)? {
        format!(
            "EXISTS (SELECT 1 FROM visits w WHERE w._household_id = v._household_id AND w._status != 'draft'
             AND w.{d} > {date} AND w.{p} = '{PROMISE_DONE}')",
            d = ident(crate::tables::VISIT_DATE),
            p = ident(PREVIOUS_PROMISE),
        )
    } else {
        "0".to_string()
    };
    let past_due = format!("(trim(coalesce({promise}, '')) != '' AND {due} IS NOT NULL AND {due} < ?1 AND NOT {closed})");
    let text = |v: Option<String>| v.unwrap_or_default();
    out.push_str(&heading("h2", "bureau.visit.report_head"));

    // Per household.
    let mut rows_html = String::new();
    let (mut shown, mut groups) = (0usize, 0usize);
    {
        let mut st = conn.prepare(&format!(
            "SELECT v._household_id, {head}, {village}, h._household_id IS NULL, count(*), max({date}), sum({past_due})
             FROM visits v LEFT JOIN households h ON h._household_id = v._household_id
             WHERE v._status != 'draft' GROUP BY v._household_id ORDER BY 3, 2, 1"
        ))?;
        let mut rows = st.query([&opts.today])?;
        while let Some(r) = rows.next()? {
            let (n, late): (i64, i64) = (r.get(4)?, r.get(6)?);
            let missing: bool = r.get(3)?;
            s.visits += n as u64;
            s.promises_past_due += late as u64;
            if missing {
                s.visits_without_household += n as u64;
            } else {
                s.visited_households += 1;
            }
            groups += 1;
            if shown < MAX_SHOWN {
                shown += 1;
                let id = text(r.get(0)?);
                let who = if missing { format!("<i>{}</i>", tr("bureau.visit.household_missing")) } else { html(&text(r.get(1)?)) };
                rows_html.push_str(&format!(
                    "<tr><td>{}</td><td>{who}</td><td class=\"n\">{n}</td><td>{}</td><td class=\"n\">{late}</td><td class=\"note\">{}</td></tr>",
                    html(&labels.value(Fields::VILLAGE, &text(r.get(2)?))),
                    html(&text(r.get(5)?)),
                    html(&id)
                ));
            }
        }
    }
    s.unvisited_households = conn.query_row(
        "SELECT count(*) FROM households h WHERE h._status != 'draft'
         AND NOT EXISTS (SELECT 1 FROM visits v WHERE v._household_id = h._household_id AND v._status != 'draft')",
        [],
        |r| r.get::<_, i64>(0),
    )? as u64;
    out.push_str("<div class=\"figures\">");
    for (key, n) in [
        ("bureau.visit.report_visits", s.visits),
        ("bureau.visit.report_visited", s.visited_households),
        ("bureau.visit.report_unvisited", s.unvisited_households),
        ("bureau.visit.report_past_due", s.promises_past_due),
        ("bureau.visit.without_household", s.visits_without_household),
    ] {
        out.push_str(&format!("<div><b>{n}</b>{}</div>", tr(key)));
    }
    out.push_str("</div>");
    out.push_str(&heading("h3", "bureau.visit.report_by_household"));
    if shown == 0 {
        out.push_str(&format!("<p>{}</p>", tr("bureau.visit.report_none")));
    } else {
        out.push_str(&format!(
            "<table id=\"visits-by-household\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{rows_html}</table>",
            tr("bureau.column._village"),
            tr("bureau.column._head_name"),
            tr("bureau.visit.report_visits"),
            tr("bureau.visit.report_last"),
            tr("bureau.visit.report_past_due"),
            tr("bureau.column._household_id")
        ));
        if groups > shown {
            out.push_str(&format!("<p class=\"note\">{} {}</p>", groups - shown, tr("bureau.visit.report_more")));
        }
    }

    // Per cadre per month.
    let mut by: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut months: std::collections::BTreeSet<String> = Default::default();
    {
        let mut st = conn.prepare(&format!(
            "SELECT {cadre}, substr({date}, 1, 7), count(*) FROM visits v WHERE v._status != 'draft' GROUP BY 1, 2"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let month = text(r.get(1)?);
            months.insert(month.clone());
            by.entry(text(r.get(0)?)).or_default().insert(month, r.get(2)?);
        }
    }
    out.push_str(&heading("h3", "bureau.visit.report_by_cadre"));
    if !by.is_empty() {
        out.push_str(&format!("<table id=\"visits-by-cadre\"><tr><th>{}</th>", tr("bureau.report.cadre")));
        for m in &months {
            out.push_str(&format!("<th>{}</th>", html(if m.is_empty() { "—" } else { m })));
        }
        out.push_str(&format!("<th>{}</th></tr>", tr("bureau.visit.report_total")));
        for (cadre, per) in &by {
            out.push_str(&format!("<tr><td>{}</td>", html(if cadre.is_empty() { "—" } else { cadre })));
            for m in &months {
                out.push_str(&format!("<td class=\"n\">{}</td>", per.get(m).copied().unwrap_or(0)));
            }
            out.push_str(&format!("<td class=\"n\">{}</td></tr>", per.values().sum::<i64>()));
        }
        out.push_str("</table>");
    }
    Ok(())
}

/// The housing grade field, and its grades shown with photos and location.
const HOUSING_GRADE: &str = "housing_grade";
const AT_RISK: [&str; 2] = ["c", "d"];

/// Grade C and D houses: a thumbnail of each photo (embedded, `data:` URI, so the report
/// stays one file) and the location as coordinates and accuracy (no map: offline).
fn houses_at_risk(conn: &Connection, labels: &Labels, s: &mut Summary, out: &mut String) -> Result<()> {
    if !has_column(conn, "households", HOUSING_GRADE)? {
        return Ok(());
    }
    let fields: Vec<String> = labels
        .value_fields(None)
        .into_iter()
        .filter(|f| matches!(labels.kind(f), "image" | "geopoint") && has_column(conn, "households", f).unwrap_or(false))
        .collect();
    let dir = conn.path().filter(|p| !p.is_empty()).map(|db| crate::photos::photos_dir(Path::new(db)));
    let head = if has_column(conn, "households", Fields::HEAD)? { format!("h.{}", ident(Fields::HEAD)) } else { "NULL".into() };
    let village = if has_column(conn, "households", Fields::VILLAGE)? { format!("h.{}", ident(Fields::VILLAGE)) } else { "NULL".into() };
    let sql = format!(
        "SELECT h._household_id, {head}, {village}, h.{}{} FROM households h WHERE h.{} IN ('{}') ORDER BY 3, 1",
        ident(HOUSING_GRADE),
        fields.iter().map(|f| format!(", h.{}", ident(f))).collect::<String>(),
        ident(HOUSING_GRADE),
        AT_RISK.join("', '")
    );
    out.push_str(&heading("h2", "bureau.photos.report_head"));
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    let mut n = 0usize;
    let text = |v: Option<String>| v.unwrap_or_default();
    while let Some(r) = rows.next()? {
        if n == 0 {
            out.push_str(&format!(
                "<table class=\"risk\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
                tr("bureau.column._household_id"),
                html(&labels.field(Fields::HEAD)),
                html(&labels.field(HOUSING_GRADE)),
                tr("bureau.photos.report_photos"),
                tr("bureau.photos.report_location")
            ));
        }
        n += 1;
        let id: String = r.get(0)?;
        let (name, place, grade) = (text(r.get(1)?), text(r.get(2)?), text(r.get(3)?));
        let mut photos = String::new();
        let mut location = String::new();
        for (j, f) in fields.iter().enumerate() {
            let Some(v) = r.get::<_, Option<String>>(4 + j)?.filter(|v| !v.is_empty()) else { continue };
            if labels.kind(f) == "geopoint" {
                location.push_str(&match crate::photos::geopoint(&v) {
                    Some((lat, lon, acc)) => format!(
                        "<div>{}: {lat:.6}, {lon:.6}{}</div>",
                        html(&labels.field(f)),
                        acc.map(|a| format!(" (±{a} m)")).unwrap_or_default()
                    ),
                    None => format!("<div>{}: {}</div>", html(&labels.field(f)), html(&v)),
                });
                continue;
            }
            let thumb = dir
                .as_ref()
                .and_then(|d| crate::photos::photo_path(d, &id, &v))
                .and_then(|p| std::fs::read(p).ok())
                .and_then(|b| crate::photos::thumbnail(&b));
            photos.push_str(&match thumb {
                Some(t) => {
                    s.thumbnails += 1;
                    format!(
                        "<figure><img src=\"data:image/jpeg;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                        base64::engine::general_purpose::STANDARD.encode(t),
                        html(&v),
                        html(&labels.field(f))
                    )
                }
                None => format!("<figure class=\"missing\">{}<figcaption>{}</figcaption></figure>", tr("bureau.photos.report_missing"), html(&labels.field(f))),
            });
        }
        if location.is_empty() {
            location = tr("bureau.photos.report_no_location");
        }
        out.push_str(&format!(
            "<tr><td>{}<br>{}</td><td>{}</td><td>{}</td><td class=\"photos\">{photos}</td><td>{location}</td></tr>",
            html(&id),
            html(&labels.value(Fields::VILLAGE, &place)),
            html(&name),
            html(&labels.value(HOUSING_GRADE, &grade))
        ));
    }
    if n == 0 {
        out.push_str(&format!("<p>{}</p>", tr("bureau.photos.report_none")));
    } else {
        out.push_str("</table>");
    }
    Ok(())
}
