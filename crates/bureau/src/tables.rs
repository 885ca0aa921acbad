//! The tables the bureau opens: an `.xlsx` workbook (Excel and WPS) and the same tables as
//! CSV files (UTF-8 with BOM).
//!
//! Sheets: 农户 households, one sheet per repeat (成员 members), 走访记录 visits (one row per
//! visit, with its household's head and village from the register), 问题 problems (errors,
//! warnings with the enumerator's reasons, conflicts, possible duplicates), 名单 lists (every
//! row behind the report's lists and counts), 文件 files (what arrived when), 标签 labels.
//! Headers: the label in the chosen language(s) with the field name beneath; the header
//! rows are frozen. Choices are written as their labels, numbers as numbers, everything
//! else (ID and phone numbers too) as text cells: a text cell is never a formula. In CSV,
//! a text cell that would start a formula is guarded as the tablet's CSV does
//! ([`survey_core::exchange::spreadsheet_cell`]).
//!
//! Rows are streamed from the register (constant-memory worksheets); a sheet that would
//! pass the format's 1,048,576 rows continues on another sheet (`成员 (2)`).
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rust_xlsxwriter::{Color, Format, FormatBorder, Url, Workbook};
use survey_core::exchange::{spreadsheet_cell, BOM};

use crate::lists::{self, ListOptions};
use crate::register::{ident, repeat_table, Kind};
use crate::text::t;
use crate::{Error, Result};

/// Languages of the header rows and choice labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum Lang {
    /// Chinese.
    Zh,
    /// Nuosu Yi (Chinese where a Yi text is missing).
    Ii,
    /// Chinese, then Yi.
    Both,
}

/// True when `table` has a column `name`.
pub fn has_column(conn: &Connection, table: &str, name: &str) -> Result<bool> {
    let mut st = conn.prepare_cached("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?;
    Ok(st.exists([table, name])?)
}

#[derive(Debug, Clone)]
struct FieldInfo {
    kind: String,
    list: Option<String>,
    repeat: Option<String>,
    zh: String,
    ii: String,
}

/// Field and choice labels, from the register (the newest wording of every survey version
/// taken).
#[derive(Debug, Clone, Default)]
pub struct Labels {
    order: Vec<String>,
    fields: HashMap<String, FieldInfo>,
    choices: HashMap<String, HashMap<String, (String, String)>>,
}

impl Labels {
    /// Reads the `fields` and `choices` tables (the household survey's labels).
    pub fn load(conn: &Connection) -> Result<Labels> {
        Labels::load_kind(conn, Kind::Household)
    }

    /// Reads the labels of the surveys of `kind` (`visit_fields` and `visit_choices` for
    /// visits).
    pub fn load_kind(conn: &Connection, kind: Kind) -> Result<Labels> {
        let mut l = Labels::default();
        let mut st = conn.prepare(&format!("SELECT name, type, list, repeat, label_zh, label_ii FROM {} ORDER BY position", kind.fields()))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let name: String = r.get(0)?;
            let zh: Option<String> = r.get(4)?;
            let ii: Option<String> = r.get(5)?;
            l.order.push(name.clone());
            l.fields.insert(
                name,
                FieldInfo {
                    kind: r.get(1)?,
                    list: r.get(2)?,
                    repeat: r.get(3)?,
                    zh: zh.unwrap_or_default(),
                    ii: ii.unwrap_or_default(),
                },
            );
        }
        let mut st = conn.prepare(&format!("SELECT list_name, name, label_zh, label_ii FROM {}", kind.choices()))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            l.choices.entry(r.get(0)?).or_default().insert(r.get(1)?, (r.get(2)?, r.get(3)?));
        }
        Ok(l)
    }

    /// True when some survey version taken has this field.
    pub fn has_field(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }

    /// The Chinese label of a field (its name when it has none).
    pub fn field(&self, name: &str) -> String {
        self.field_in(name, Lang::Zh)
    }

    /// The label of a field in `lang` (`Both`: Chinese).
    pub fn field_in(&self, name: &str, lang: Lang) -> String {
        match self.fields.get(name) {
            Some(f) if lang == Lang::Ii && !f.ii.is_empty() => f.ii.clone(),
            Some(f) if !f.zh.is_empty() => f.zh.clone(),
            _ => name.to_string(),
        }
    }

    /// An answer of `field` as people read it: choice labels (Chinese) for select fields,
    /// the value itself otherwise.
    pub fn value(&self, field: &str, raw: &str) -> String {
        self.value_in(field, raw, Lang::Zh)
    }

    /// [`Labels::value`] in `lang` (`Both`: `中文 / ꆈꌠ`).
    pub fn value_in(&self, field: &str, raw: &str, lang: Lang) -> String {
        let Some(f) = self.fields.get(field) else { return raw.to_string() };
        let Some(list) = f.list.as_ref().and_then(|l| self.choices.get(l)) else { return raw.to_string() };
        let one = |name: &str| match list.get(name) {
            Some((zh, ii)) => match lang {
                Lang::Zh => zh.clone(),
                Lang::Ii if !ii.is_empty() => ii.clone(),
                Lang::Ii => zh.clone(),
                Lang::Both if !ii.is_empty() => format!("{zh} / {ii}"),
                Lang::Both => zh.clone(),
            },
            None => name.to_string(),
        };
        if f.kind == "select_multiple" {
            raw.split_whitespace().map(one).collect::<Vec<_>>().join("、")
        } else {
            one(raw)
        }
    }

    fn is_number(&self, field: &str) -> bool {
        self.fields.get(field).is_some_and(|f| matches!(f.kind.as_str(), "integer" | "decimal" | "calculate"))
    }

    pub(crate) fn kind(&self, field: &str) -> &str {
        self.fields.get(field).map_or("text", |f| f.kind.as_str())
    }

    /// Value fields of the top level (`None`) or of a repeat, in form order.
    pub(crate) fn value_fields(&self, repeat: Option<&str>) -> Vec<String> {
        self.order
            .iter()
            .filter(|n| {
                let f = &self.fields[*n];
                f.repeat.as_deref() == repeat && !matches!(f.kind.as_str(), "group" | "repeat" | "note")
            })
            .cloned()
            .collect()
    }

    /// The repeats.
    fn repeats(&self) -> Vec<String> {
        self.order.iter().filter(|n| self.fields[*n].kind == "repeat").cloned().collect()
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A text cell (never a formula).
    Text(String),
    /// A number.
    Number(f64),
    /// A photo reference of household `household`: a hyperlink to the unpacked photo in
    /// the workbook, the reference text in CSV.
    Photo { household: String, reference: String },
    /// Nothing.
    Empty,
}

/// One column: its header lines (labels then the field name) and width.
#[derive(Debug, Clone)]
struct Column {
    header: Vec<String>,
    width: f64,
}

/// Display width of a text: CJK and Yi count twice.
fn width_of(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 }).sum()
}

trait Sink {
    fn start(&mut self, key: &str, title: &str, columns: &[Column]) -> Result<()>;
    fn row(&mut self, cells: &[Cell]) -> Result<()>;
}

/// Rows per sheet in the xlsx format, header included.
const MAX_ROWS: u32 = 1_048_576;

/// Characters in one cell of the xlsx format.
const MAX_CELL_CHARS: usize = 32_767;

/// A text cut to what one xlsx cell holds, saying so (the CSV keeps it whole).
fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS || s.chars().count() <= MAX_CELL_CHARS {
        return s.into();
    }
    let mark = t("bureau.cli.cut").zh;
    let keep: String = s.chars().take(MAX_CELL_CHARS - mark.chars().count()).collect();
    format!("{keep}{mark}").into()
}

struct XlsxSink {
    book: Workbook,
    sheet: usize,
    sheets: usize,
    row: u32,
    title: String,
    part: u32,
    columns: Vec<Column>,
    header: Format,
    /// The photo folder: as linked, relative to the workbook (`photos`, `../photos`…), and
    /// where it is (a photo not unpacked keeps its reference as text).
    photos: Option<(String, PathBuf)>,
    /// Links written on the current sheet.
    links: u32,
}

/// Hyperlinks Excel keeps on one worksheet.
const MAX_LINKS: u32 = 65_530;

impl XlsxSink {
    fn new() -> XlsxSink {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_border_bottom(FormatBorder::Thin);
        XlsxSink {
            book: Workbook::new(),
            sheet: 0,
            sheets: 0,
            row: 0,
            title: String::new(),
            part: 1,
            columns: Vec::new(),
            header,
            photos: None,
            links: 0,
        }
    }

    fn open_sheet(&mut self) -> Result<()> {
        let name = if self.part == 1 { self.title.clone() } else { format!("{} ({})", self.title, self.part) };
        let ws = self.book.add_worksheet_with_constant_memory()?;
        ws.set_name(&name)?;
        let lines = self.columns.iter().map(|c| c.header.len()).max().unwrap_or(1);
        for (i, c) in self.columns.iter().enumerate() {
            ws.set_column_width(i as u16, c.width)?;
        }
        for line in 0..lines {
            for (i, c) in self.columns.iter().enumerate() {
                ws.write_string_with_format(line as u32, i as u16, c.header.get(line).map_or("", String::as_str), &self.header)?;
            }
        }
        ws.set_freeze_panes(lines as u32, 0)?;
        self.sheet = self.sheets;
        self.sheets += 1;
        self.links = 0;
        self.row = lines as u32;
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn start(&mut self, _key: &str, title: &str, columns: &[Column]) -> Result<()> {
        self.title = title.to_string();
        self.part = 1;
        self.columns = columns.to_vec();
        self.open_sheet()
    }

    fn row(&mut self, cells: &[Cell]) -> Result<()> {
        if self.row >= MAX_ROWS {
            self.part += 1;
            self.open_sheet()?;
        }
        let ws = self.book.worksheet_from_index(self.sheet)?;
        for (i, c) in cells.iter().enumerate() {
            match c {
                Cell::Text(s) if !s.is_empty() => {
                    ws.write_string(self.row, i as u16, cell_text(s))?;
                }
                Cell::Number(n) if n.is_finite() => {
                    ws.write_number(self.row, i as u16, *n)?;
                }
                Cell::Photo { household, reference } => match self.photos.as_ref().filter(|(_, abs)| {
                    crate::photos::photo_path(abs, household, reference).is_some_and(|p| p.is_file())
                }) {
                    // Excel keeps at most 65,530 links per sheet, and a link of at most
                    // 2,080 characters: past either, the reference stays text.
                    Some((dir, _)) if self.links < MAX_LINKS => {
                        let url = Url::new(format!("file:///{dir}/{household}/{reference}")).set_text(reference);
                        if ws.write_url(self.row, i as u16, url).is_ok() {
                            self.links += 1;
                        } else {
                            ws.write_string(self.row, i as u16, reference)?;
                        }
                    }
                    _ => {
                        ws.write_string(self.row, i as u16, reference)?;
                    }
                },
                _ => {}
            }
        }
        self.row += 1;
        Ok(())
    }
}

struct CsvSink {
    dir: PathBuf,
    out: Option<csv::Writer<std::io::BufWriter<std::fs::File>>>,
    written: Vec<PathBuf>,
}

impl CsvSink {
    fn finish(&mut self) -> Result<()> {
        if let Some(mut w) = self.out.take() {
            w.flush().map_err(|e| Error::io(&self.dir, e))?;
        }
        Ok(())
    }
}

impl Sink for CsvSink {
    fn start(&mut self, key: &str, _title: &str, columns: &[Column]) -> Result<()> {
        self.finish()?;
        let path = self.dir.join(format!("{key}.csv"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?);
        f.write_all(BOM.to_string().as_bytes()).map_err(|e| Error::io(&path, e))?;
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(f);
        // One header row: the field names (the labels are in labels.csv).
        let header: Vec<&str> = columns.iter().map(|c| c.header.last().map_or("", String::as_str)).collect();
        w.write_record(&header).map_err(|e| Error::Message(e.to_string()))?;
        self.out = Some(w);
        self.written.push(path);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<()> {
        let w = self.out.as_mut().expect("started");
        let rec: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => spreadsheet_cell(s, true),
                Cell::Number(n) => n.to_string(),
                Cell::Photo { reference, .. } => reference.clone(),
                Cell::Empty => String::new(),
            })
            .collect();
        w.write_record(&rec).map_err(|e| Error::Message(e.to_string()))
    }
}

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Header and choice-label language.
    pub lang: Lang,
    /// The lists' options.
    pub lists: ListOptions,
}

/// Rows written per sheet (by key) and the seconds it took, for the command's summary.
pub type Counts = Vec<(String, u64, f64)>;

/// Writes the workbook to `path`.
pub fn write_workbook(conn: &Connection, path: &Path, opts: TableOptions) -> Result<Counts> {
    let mut sink = XlsxSink::new();
    // The register's photo folder ([`crate::photos::photos_dir`]), linked relative to
    // the workbook so that both can be moved together.
    sink.photos = conn.path().filter(|p| !p.is_empty()).and_then(|db| {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let photos = crate::photos::photos_dir(Path::new(db));
        crate::photos::relative_link(dir, &photos).map(|link| (link, photos))
    });
    let counts = write_all(conn, &mut sink, opts)?;
    sink.book.save(path)?;
    Ok(counts)
}

/// Writes the tables as CSV files (UTF-8 with BOM) into `dir`; returns the files written.
pub fn write_csv(conn: &Connection, dir: &Path, opts: TableOptions) -> Result<(Counts, Vec<PathBuf>)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut sink = CsvSink { dir: dir.to_path_buf(), out: None, written: Vec::new() };
    let counts = write_all(conn, &mut sink, opts)?;
    sink.finish()?;
    Ok((counts, sink.written))
}

fn header(key: &str, lang: Lang, name: &str) -> Vec<String> {
    let m = t(key);
    match lang {
        Lang::Zh => vec![m.zh, name.to_string()],
        Lang::Ii => vec![m.ii, name.to_string()],
        Lang::Both => vec![m.zh, m.ii, name.to_string()],
    }
}

fn kit_column(name: &str, lang: Lang, width: f64) -> Column {
    Column { header: header(&format!("bureau.column.{name}"), lang, name), width }
}

fn field_column(labels: &Labels, name: &str, lang: Lang) -> Column {
    let header = match lang {
        Lang::Zh | Lang::Ii => vec![labels.field_in(name, lang), name.to_string()],
        Lang::Both => vec![labels.field_in(name, Lang::Zh), labels.field_in(name, Lang::Ii), name.to_string()],
    };
    let width: f64 = match labels.kind(name) {
        "integer" | "decimal" | "calculate" => 10.0,
        "date" => 12.0,
        _ if name.contains("id_number") => 21.0,
        _ if name.contains("phone") => 14.0,
        "select_one" | "select_multiple" => 14.0,
        _ => 16.0,
    };
    let label_width = header.iter().map(|h| width_of(h)).fold(0.0, f64::max) / 2.0 + 2.0;
    Column { header, width: width.max(label_width.min(30.0)) }
}

fn text_of(v: &rusqlite::types::Value) -> String {
    match v {
        rusqlite::types::Value::Null | rusqlite::types::Value::Blob(_) => String::new(),
        rusqlite::types::Value::Integer(i) => i.to_string(),
        rusqlite::types::Value::Real(f) => f.to_string(),
        rusqlite::types::Value::Text(s) => s.clone(),
    }
}

fn field_cell(labels: &Labels, household: &str, name: &str, v: &rusqlite::types::Value, lang: Lang) -> Cell {
    match v {
        rusqlite::types::Value::Null => Cell::Empty,
        rusqlite::types::Value::Integer(i) if labels.is_number(name) => Cell::Number(*i as f64),
        rusqlite::types::Value::Real(f) if labels.is_number(name) => Cell::Number(*f),
        v => {
            let s = text_of(v);
            if s.is_empty() {
                Cell::Empty
            } else if labels.kind(name) == "image" && survey_core::media::is_photo_ref(&s) {
                Cell::Photo { household: household.to_string(), reference: s }
            } else {
                Cell::Text(labels.value_in(name, &s, lang))
            }
        }
    }
}

fn status_label(s: &str, lang: Lang) -> String {
    let m = t(&format!("drafts.status.{s}"));
    match lang {
        Lang::Zh => m.zh,
        Lang::Ii => m.ii,
        Lang::Both => m.both(),
    }
}

fn msg(key: &str, lang: Lang) -> String {
    let m = t(key);
    match lang {
        Lang::Zh => m.zh,
        Lang::Ii => m.ii,
        Lang::Both => m.both(),
    }
}

/// The households sheet's own columns (before the answers).
const HOUSEHOLD_KIT: [(&str, f64); 11] = [
    ("_household_id", 38.0),
    ("_status", 10.0),
    ("_survey_version", 12.0),
    ("_modified", 22.0),
    ("_finalized", 22.0),
    ("_enumerator_name", 12.0),
    ("_enumerator_phone", 14.0),
    ("_device", 38.0),
    ("_errors", 8.0),
    ("_warnings", 8.0),
    ("_conflict", 8.0),
];

fn write_all(conn: &Connection, sink: &mut dyn Sink, opts: TableOptions) -> Result<Counts> {
    let labels = Labels::load(conn)?;
    let lang = opts.lang;
    let mut counts = Vec::new();
    let order = household_order(conn)?;
    let mut clock = std::time::Instant::now();
    let mut lap = || {
        let s = clock.elapsed().as_secs_f64();
        clock = std::time::Instant::now();
        s
    };

    // 农户 households.
    let fields: Vec<String> = labels.value_fields(None).into_iter().filter(|f| has_column(conn, "households", f).unwrap_or(false)).collect();
    let mut columns: Vec<Column> = HOUSEHOLD_KIT.iter().map(|(n, w)| kit_column(n, lang, *w)).collect();
    columns.extend(fields.iter().map(|f| field_column(&labels, f, lang)));
    sink.start("households", &msg("bureau.sheet.households", Lang::Zh), &columns)?;
    let sql = format!(
        "SELECT {}, {} FROM households h {order}",
        HOUSEHOLD_KIT.iter().map(|(n, _)| format!("h.{}", ident(n))).collect::<Vec<_>>().join(", "),
        if fields.is_empty() { "NULL".to_string() } else { fields.iter().map(|f| format!("h.{}", ident(f))).collect::<Vec<_>>().join(", ") }
    );
    let mut n = 0u64;
    {
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mut cells = Vec::with_capacity(columns.len());
            for (i, (name, _)) in HOUSEHOLD_KIT.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(i)?;
                cells.push(match (*name, &v) {
                    ("_status", rusqlite::types::Value::Text(s)) => Cell::Text(status_label(s, lang)),
                    (_, rusqlite::types::Value::Integer(x)) => Cell::Number(*x as f64),
                    (_, v) => {
                        let s = text_of(v);
                        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
                    }
                });
            }
            let household = text_of(&r.get(0)?);
            for (j, f) in fields.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(HOUSEHOLD_KIT.len() + j)?;
                cells.push(field_cell(&labels, &household, f, &v, lang));
            }
            sink.row(&cells)?;
            n += 1;
        }
    }
    counts.push(("households".to_string(), n, lap()));

    // One sheet per repeat (成员 members).
    for rep in labels.repeats() {
        let table = repeat_table(&rep);
        let fields: Vec<String> = labels.value_fields(Some(&rep)).into_iter().filter(|f| has_column(conn, &table, f).unwrap_or(false)).collect();
        let mut columns = vec![kit_column("_household_id", lang, 38.0), kit_column("_member", lang, 8.0)];
        columns.extend(fields.iter().map(|f| field_column(&labels, f, lang)));
        sink.start(&rep, &labels.field_in(&rep, Lang::Zh), &columns)?;
        let sql = format!(
            "SELECT m._household_id, m._member{} FROM {} m JOIN households h ON h._household_id = m._household_id {order}, m._member",
            fields.iter().map(|f| format!(", m.{}", ident(f))).collect::<String>(),
            ident(&table)
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            let household: String = r.get(0)?;
            let mut cells = vec![Cell::Text(household.clone()), Cell::Number(r.get::<_, i64>(1)? as f64)];
            for (j, f) in fields.iter().enumerate() {
                let v: rusqlite::types::Value = r.get(2 + j)?;
                cells.push(field_cell(&labels, &household, f, &v, lang));
            }
            sink.row(&cells)?;
            n += 1;
        }
        counts.push((rep, n, lap()));
    }

    // 走访记录 visits.
    let n = write_visits(conn, sink, &labels, lang)?;
    counts.push(("visits".to_string(), n, lap()));

    // 问题 problems.
    let pcols: Vec<Column> = [
        ("_kind", 14.0),
        ("_household_id", 38.0),
        ("_village", 12.0),
        ("_village_group", 8.0),
        ("_head_name", 12.0),
        ("_path", 24.0),
        ("_member", 8.0),
        ("_question", 30.0),
        ("_message", 40.0),
        ("_reason", 30.0),
    ]
    .iter()
    .map(|(n, w)| kit_column(n, lang, *w))
    .collect();
    sink.start("problems", &msg("bureau.sheet.problems", Lang::Zh), &pcols)?;
    let mut n = 0u64;
    let hv = |c: &str| if has_column(conn, "households", c).unwrap_or(false) { format!("h.{}", ident(c)) } else { "NULL".into() };
    // Errors and warnings of households, then of visits (path `visits[<visit id>].<field>`,
    // beside the household visited).
    let visit_labels = Labels::load_kind(conn, Kind::Visit)?;
    for record in [Kind::Household, Kind::Visit] {
        let (household, path, from, field_labels) = match record {
            Kind::Household => ("i.household_id", "i.path".to_string(), format!("issues i JOIN households h ON h._household_id = i.household_id {order}"), &labels),
            Kind::Visit => (
                "v._household_id",
                "'visits[' || i.visit_id || '].' || i.path".to_string(),
                format!(
                    "visit_issues i JOIN visits v ON v._visit_id = i.visit_id LEFT JOIN households h ON h._household_id = v._household_id {}",
                    order.replace("h._household_id", "v._household_id")
                ),
                &visit_labels,
            ),
        };
        let sql = format!(
            "SELECT i.severity, i.acknowledged, {household}, {}, {}, {}, {path}, i.member, i.field, i.message_zh, i.message_ii, i.reason
             FROM {from}, i.rowid",
            hv(lists::Fields::VILLAGE),
            hv(lists::Fields::GROUP),
            hv(lists::Fields::HEAD)
        );
        let mut st = conn.prepare(&sql)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let severity: String = r.get(0)?;
            let acked: bool = r.get(1)?;
            let kind = match (severity.as_str(), acked) {
                ("error", _) => "error",
                (_, true) => "warning_acknowledged",
                _ => "warning",
            };
            let field: String = r.get(8)?;
            let member: Option<i64> = r.get(7)?;
            let message = match lang {
                Lang::Ii => r.get::<_, String>(10)?,
                Lang::Zh => r.get::<_, String>(9)?,
                Lang::Both => format!("{} / {}", r.get::<_, String>(9)?, r.get::<_, String>(10)?),
            };
            sink.row(&[
                Cell::Text(msg(&format!("bureau.problem.{kind}"), lang)),
                Cell::Text(text_of(&r.get(2)?)),
                Cell::Text(labels.value_in(lists::Fields::VILLAGE, &text_of(&r.get(3)?), lang)),
                Cell::Text(labels.value_in(lists::Fields::GROUP, &text_of(&r.get(4)?), lang)),
                Cell::Text(text_of(&r.get(5)?)),
                Cell::Text(r.get(6)?),
                member.map_or(Cell::Empty, |m| Cell::Number(m as f64)),
                Cell::Text(field_labels.field_in(&field, lang)),
                Cell::Text(message),
                Cell::Text(r.get::<_, Option<String>>(11)?.unwrap_or_default()),
            ])?;
            n += 1;
        }
    }
    for c in crate::intake::conflicts(conn)? {
        let versions: Vec<String> = c
            .versions
            .iter()
            .map(|v| {
                format!(
                    "{} {}（{}，{}，{}{}）",
                    msg("bureau.problem.version", lang),
                    v.version_id,
                    v.modified,
                    v.enumerator.clone().unwrap_or_default(),
                    v.file,
                    if v.current { format!("，{}", msg("bureau.problem.current", lang)) } else { String::new() }
                )
            })
            .collect();
        let (kind, path) = match &c.visit_id {
            Some(v) => ("bureau.visit.conflict", Cell::Text(v.clone())),
            None => ("bureau.problem.conflict", Cell::Empty),
        };
        sink.row(&[
            Cell::Text(msg(kind, lang)),
            Cell::Text(c.household_id.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::Text(c.head_name.clone().unwrap_or_default()),
            path,
            Cell::Empty,
            Cell::Empty,
            Cell::Text(versions.join("；")),
            Cell::Text(format!("liangshan-bureau resolve {} --keep <{}>", c.record_id(), msg("bureau.problem.version", Lang::Zh))),
        ])?;
        n += 1;
    }
    lists::for_each_duplicate(conn, &labels, |d| {
        for h in &d.households {
            sink.row(&[
                Cell::Text(msg(&format!("bureau.problem.duplicate_{}", d.kind), lang)),
                Cell::Text(h.clone()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Text(d.key.clone()),
                Cell::Text(d.households.join("，")),
            ])?;
            n += 1;
        }
        Ok(())
    })?;
    counts.push(("problems".to_string(), n, lap()));

    // 名单 lists: every row behind the report.
    let lcols: Vec<Column> = [
        ("_list", 22.0),
        ("_household_id", 38.0),
        ("_village", 12.0),
        ("_village_group", 8.0),
        ("_head_name", 12.0),
        ("_member", 8.0),
        ("_member_name", 12.0),
        ("_reason", 50.0),
        ("_value", 10.0),
        ("_value2", 10.0),
    ]
    .iter()
    .map(|(n, w)| kit_column(n, lang, *w))
    .collect();
    sink.start("lists", &msg("bureau.sheet.lists", Lang::Zh), &lcols)?;
    let mut n = 0u64;
    lists::for_each(conn, &labels, opts.lists, |row| {
        let (num, name) = row.member.clone().map_or((Cell::Empty, Cell::Empty), |(i, s)| (Cell::Number(i as f64), Cell::Text(s)));
        sink.row(&[
            Cell::Text(msg(&format!("bureau.list.{}", row.list), lang)),
            Cell::Text(row.household_id),
            Cell::Text(row.village),
            Cell::Text(row.group),
            Cell::Text(row.head_name),
            num,
            name,
            Cell::Text(row.reason),
            row.value.map_or(Cell::Empty, Cell::Number),
            row.value2.map_or(Cell::Empty, Cell::Number),
        ])?;
        n += 1;
        Ok(())
    })?;
    counts.push(("lists".to_string(), n, lap()));

    // 文件 files.
    let fcols: Vec<(&str, f64)> = vec![
        ("file_id", 8.0),
        ("name", 50.0),
        ("kind", 8.0),
        ("exported_at", 22.0),
        ("taken_at", 22.0),
        ("enumerator_name", 12.0),
        ("enumerator_phone", 14.0),
        ("device", 38.0),
        ("households", 8.0),
        ("new", 8.0),
        ("updated", 8.0),
        ("identical", 8.0),
        ("superseded", 8.0),
        ("conflict", 8.0),
    ];
    let columns: Vec<Column> = fcols.iter().map(|(c, w)| kit_column(&format!("file_{c}"), lang, *w)).map(|mut c| {
        let last = c.header.len() - 1;
        c.header[last] = c.header[last].trim_start_matches("file_").to_string();
        c
    }).collect();
    sink.start("files", &msg("bureau.sheet.files", Lang::Zh), &columns)?;
    let sql = format!("SELECT {} FROM files ORDER BY file_id", fcols.iter().map(|(c, _)| ident(c)).collect::<Vec<_>>().join(", "));
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let mut cells = Vec::new();
        for i in 0..fcols.len() {
            let v: rusqlite::types::Value = r.get(i)?;
            cells.push(match v {
                rusqlite::types::Value::Integer(x) => Cell::Number(x as f64),
                v => Cell::Text(text_of(&v)),
            });
        }
        sink.row(&cells)?;
        n += 1;
    }
    counts.push(("files".to_string(), n, lap()));

    // 标签 labels.
    let columns: Vec<Column> = [("_label_kind", 8.0), ("_list_name", 16.0), ("_name", 22.0), ("_type", 14.0), ("_label_zh", 40.0), ("_label_ii", 40.0)]
        .iter()
        .map(|(c, w)| kit_column(c, lang, *w))
        .collect();
    sink.start("labels", &msg("bureau.sheet.labels", Lang::Zh), &columns)?;
    let mut n = 0u64;
    let mut st = conn.prepare("SELECT name, type, list, label_zh, label_ii FROM fields ORDER BY position")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        sink.row(&[
            Cell::Text("field".into()),
            Cell::Text(r.get::<_, Option<String>>(2)?.unwrap_or_default()),
            Cell::Text(r.get(0)?),
            Cell::Text(r.get(1)?),
            Cell::Text(r.get::<_, Option<String>>(3)?.unwrap_or_default()),
            Cell::Text(r.get::<_, Option<String>>(4)?.unwrap_or_default()),
        ])?;
        n += 1;
    }
    let mut st = conn.prepare("SELECT list_name, name, label_zh, label_ii FROM choices ORDER BY list_name, position")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        sink.row(&[
            Cell::Text("choice".into()),
            Cell::Text(r.get(0)?),
            Cell::Text(r.get(1)?),
            Cell::Empty,
            Cell::Text(r.get(2)?),
            Cell::Text(r.get(3)?),
        ])?;
        n += 1;
    }
    counts.push(("labels".to_string(), n, lap()));
    Ok(counts)
}

/// The visits sheet's columns before the visit's answers: its household, from the register.
const VISIT_HOUSEHOLD: [(&str, f64); 3] = [("_household_id", 38.0), ("_head_name", 12.0), ("_village", 12.0)];

/// The visits sheet's columns after the visit's answers.
const VISIT_KIT: [(&str, f64); 6] =
    [("_status", 10.0), ("_household_missing", 14.0), ("_visit_id", 38.0), ("_modified", 22.0), ("_enumerator_name", 12.0), ("_conflict", 8.0)];

/// 走访记录: one row per visit (its current version), with the head's name and village of
/// the household visited, joined from the register (empty, and 农户未收到 said, while the
/// register does not hold it); ordered like the households, then by visit date. Choices as
/// labels, photos as links (folder: the visit's id).
fn write_visits(conn: &Connection, sink: &mut dyn Sink, households: &Labels, lang: Lang) -> Result<u64> {
    let labels = Labels::load_kind(conn, Kind::Visit)?;
    let fields: Vec<String> = labels.value_fields(None).into_iter().filter(|f| has_column(conn, "visits", f).unwrap_or(false)).collect();
    let mut columns: Vec<Column> = VISIT_HOUSEHOLD.iter().map(|(n, w)| kit_column(n, lang, *w)).collect();
    columns.extend(fields.iter().map(|f| field_column(&labels, f, lang)));
    columns.extend(VISIT_KIT.iter().map(|(n, w)| kit_column(n, lang, *w)));
    sink.start("visits", &msg("bureau.sheet.visits", Lang::Zh), &columns)?;
    let hv = |c: &str| if has_column(conn, "households", c).unwrap_or(false) { format!("h.{}", ident(c)) } else { "NULL".into() };
    let date = if fields.iter().any(|f| f == VISIT_DATE) { format!("v.{}", ident(VISIT_DATE)) } else { "NULL".into() };
    let sql = format!(
        "SELECT v._household_id, {head}, {village}, h._household_id IS NULL, v._visit_id, v._status, v._modified, v._enumerator_name, v._conflict{answers}
         FROM visits v LEFT JOIN households h ON h._household_id = v._household_id
         {order}, {date}, v._visit_id",
        head = hv(lists::Fields::HEAD),
        village = hv(lists::Fields::VILLAGE),
        answers = fields.iter().map(|f| format!(", v.{}", ident(f))).collect::<String>(),
        order = household_order(conn)?.replace("h._household_id", "v._household_id"),
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    let mut n = 0u64;
    let text = |v: rusqlite::types::Value| match text_of(&v) {
        s if s.is_empty() => Cell::Empty,
        s => Cell::Text(s),
    };
    while let Some(r) = rows.next()? {
        let visit: String = r.get(4)?;
        let mut cells = vec![
            text(r.get(0)?),
            text(r.get(1)?),
            Cell::Text(households.value_in(lists::Fields::VILLAGE, &text_of(&r.get(2)?), lang)),
        ];
        for (j, f) in fields.iter().enumerate() {
            let v: rusqlite::types::Value = r.get(9 + j)?;
            cells.push(field_cell(&labels, &visit, f, &v, lang));
        }
        let missing: bool = r.get(3)?;
        cells.extend([
            Cell::Text(status_label(&r.get::<_, String>(5)?, lang)),
            if missing { Cell::Text(msg("bureau.visit.household_missing", lang)) } else { Cell::Empty },
            Cell::Text(visit),
            text(r.get(6)?),
            text(r.get(7)?),
            Cell::Number(r.get::<_, i64>(8)? as f64),
        ]);
        sink.row(&cells)?;
        n += 1;
    }
    Ok(n)
}

/// The visit survey's date of the visit (the visits' order, and the report's months).
pub const VISIT_DATE: &str = "visit_date";

/// `ORDER BY` of households: village, group, head name, id (where the columns exist).
pub fn household_order(conn: &Connection) -> Result<String> {
    let mut keys = Vec::new();
    for c in [lists::Fields::VILLAGE, lists::Fields::GROUP, lists::Fields::HEAD] {
        if has_column(conn, "households", c)? {
            keys.push(format!("h.{}", ident(c)));
        }
    }
    keys.push("h._household_id".into());
    Ok(format!("ORDER BY {}", keys.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_never_holds_more_than_excel_allows() {
        let long = "ꆈ".repeat(40_000);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with(&t("bureau.cli.cut").zh));
        assert_eq!(cell_text("短"), "短");
        let exact = "a".repeat(MAX_CELL_CHARS);
        assert_eq!(cell_text(&exact), exact.as_str());
    }
}
