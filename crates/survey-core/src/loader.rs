//! Loading a survey folder `surveys/<id>/` (feature `csv`): one XLSForm workbook
//! (`*.xlsx`, sheets `survey`, `choices`, `settings`; feature `xlsx`) or the three CSV
//! files `survey.csv`, `choices.csv`, `settings.csv` — never both (one source of truth).
//!
//! CSV: UTF-8, a leading BOM allowed, header row first. Workbook: the first row of each
//! sheet is its header; cells come back as the text the author sees (`1`, not `1.0`; a
//! date as `YYYY-MM-DD`; a formula's cached value). Fully blank rows are skipped but keep
//! their row numbers counted, so problems name the row the editor sees in WPS/Excel.

use crate::definition::{RawChoice, RawRow, RawSettings, RawSurvey};
use crate::problem::{Problem, ProblemKind, Table};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

const TABLES: [Table; 3] = [Table::Survey, Table::Choices, Table::Settings];

/// Where a survey was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The three CSV files of this folder.
    Csv(PathBuf),
    /// This XLSForm workbook.
    Workbook(PathBuf),
}

/// A loaded survey with where it came from and each sheet's header (to name a problem's
/// column by its letter).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The definition.
    pub raw: RawSurvey,
    /// Where it was read from.
    pub source: Source,
    headers: [Vec<String>; 3],
}

impl Loaded {
    /// Gives every problem whose column exists in a workbook's sheet that column's letter
    /// (`A`, `B`, …, `AA`); CSV sources have no letters.
    pub fn locate(&self, problems: &mut [Problem]) {
        if let Source::Workbook(_) = self.source {
            locate(&self.headers, problems);
        }
    }

    /// The header of a table, in its order.
    pub fn header(&self, table: Table) -> &[String] {
        &self.headers[table as usize]
    }
}

fn locate(headers: &[Vec<String>; 3], problems: &mut [Problem]) {
    for p in problems {
        let header = &headers[p.table as usize];
        if let Some(i) = p.column().and_then(|c| header.iter().position(|h| h == c)) {
            p.letter = Some(column_letter(i));
        }
    }
}

/// The spreadsheet letter of a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Loads a survey folder (a workbook or the CSV files), or a workbook given as a file.
/// Every problem of every sheet is reported.
pub fn load_survey_dir(path: impl AsRef<Path>) -> Result<RawSurvey, Vec<Problem>> {
    load_survey(path).map(|l| l.raw)
}

/// Finds a folder's source: its one workbook, or else its CSV files. A workbook beside
/// CSV files, or two workbooks, is a `two_sources` problem. (`~$…` files, which Excel
/// leaves while a workbook is open, are not workbooks.)
pub fn find_source(path: impl AsRef<Path>) -> Result<Source, Vec<Problem>> {
    let path = path.as_ref();
    let is_xlsx =
        |name: &str| name.to_ascii_lowercase().ends_with(".xlsx") && !name.starts_with("~$");
    if path.is_file() || is_xlsx(&path.to_string_lossy()) {
        return Ok(Source::Workbook(path.to_path_buf()));
    }
    if !path.is_dir() {
        // Reported as the three missing CSV files.
        return Ok(Source::Csv(path.to_path_buf()));
    }
    let io = |e: std::io::Error| {
        vec![Problem::new(
            Table::Survey,
            0,
            ProblemKind::Io {
                file: path.display().to_string(),
                message: e.to_string(),
            },
        )]
    };
    let mut workbooks = Vec::new();
    let mut csvs = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let name = entry
            .map_err(io)?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if is_xlsx(&name) {
            workbooks.push(name);
        } else if TABLES.iter().any(|t| t.file_name() == name) {
            csvs.push(name);
        }
    }
    workbooks.sort();
    csvs.sort();
    match workbooks.len() {
        0 => Ok(Source::Csv(path.to_path_buf())),
        1 if csvs.is_empty() => Ok(Source::Workbook(path.join(&workbooks[0]))),
        _ => Err(vec![Problem::new(
            Table::Survey,
            0,
            ProblemKind::TwoSources {
                files: workbooks.into_iter().chain(csvs).collect(),
            },
        )]),
    }
}

/// Loads a survey folder or workbook, keeping where it came from and the headers.
pub fn load_survey(path: impl AsRef<Path>) -> Result<Loaded, Vec<Problem>> {
    let (source, grids) = read_grids(path)?;
    let (raw, headers) = build(grids.map(Ok), matches!(source, Source::Workbook(_)))?;
    Ok(Loaded {
        raw,
        source,
        headers,
    })
}

/// A sheet as text, as the author sees it: the header (row 1) and the data rows with their
/// spreadsheet row numbers (blank rows left out, their numbers not reused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grid {
    /// The header's cells, in column order (a blank header cell is `""`).
    pub header: Vec<String>,
    /// (row number, cells) of every data row, in order.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Reads the three sheets of a survey folder or workbook as text, in the order
/// survey, choices, settings (for tools that rewrite them keeping every cell and column).
pub fn read_grids(path: impl AsRef<Path>) -> Result<(Source, [Grid; 3]), Vec<Problem>> {
    let source = find_source(path)?;
    let sheets = match &source {
        Source::Csv(dir) => {
            let mut problems = Vec::new();
            let texts: Vec<String> = TABLES
                .into_iter()
                .map(|table| {
                    let file = dir.join(table.file_name());
                    std::fs::read_to_string(&file)
                        .map_err(|e| {
                            problems.push(Problem::new(
                                table,
                                0,
                                ProblemKind::Io {
                                    file: file.display().to_string(),
                                    message: e.to_string(),
                                },
                            ))
                        })
                        .unwrap_or_default()
                })
                .collect();
            if !problems.is_empty() {
                return Err(problems);
            }
            TABLES.map(|t| csv_sheet(t, &texts[t as usize]))
        }
        Source::Workbook(file) => workbook::read(file)?,
    };
    let mut problems = Vec::new();
    let grids = sheets.map(|s| {
        s.unwrap_or_else(|p| {
            problems.extend(p);
            Grid::default()
        })
    });
    if problems.is_empty() {
        Ok((source, grids))
    } else {
        Err(problems)
    }
}

/// One sheet as read, or the problems that stopped it from being read.
type Sheet = Result<Grid, Vec<Problem>>;

fn csv_sheet(table: Table, text: &str) -> Sheet {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
        Err(e) => {
            return Err(vec![Problem::new(
                table,
                1,
                ProblemKind::Csv {
                    message: e.to_string(),
                },
            )])
        }
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(rec) => {
                let row = rec.position().map_or(0, |p| line_at(text, p.byte()));
                rows.push((row, rec.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let row = e.position().map_or(0, |p| line_at(text, p.byte()));
                problems.push(Problem::new(
                    table,
                    row,
                    ProblemKind::Csv {
                        message: e.to_string(),
                    },
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(Grid {
            header: headers,
            rows,
        })
    } else {
        Err(problems)
    }
}

/// Builds a raw survey from the text of the three CSV files.
pub fn from_csv_strs(
    survey: &str,
    choices: &str,
    settings: &str,
) -> Result<RawSurvey, Vec<Problem>> {
    build(
        [
            csv_sheet(Table::Survey, survey),
            csv_sheet(Table::Choices, choices),
            csv_sheet(Table::Settings, settings),
        ],
        false,
    )
    .map(|(raw, _)| raw)
}

/// Builds a raw survey from the three sheets, reporting every problem of every sheet (with
/// its column's letter when `letters`: a workbook's).
fn build(sheets: [Sheet; 3], letters: bool) -> Result<(RawSurvey, [Vec<String>; 3]), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut headers: [Vec<String>; 3] = Default::default();
    let [survey, choices, settings] = sheets.map(|s| match s {
        Ok(s) => Some(s),
        Err(p) => {
            problems.extend(p);
            None
        }
    });
    let mut take = |table: Table, sheet: Option<Grid>| {
        sheet.map(|g| {
            headers[table as usize] = g.header;
            (table, g.rows)
        })
    };
    let (survey, choices, settings) = (
        take(Table::Survey, survey),
        take(Table::Choices, choices),
        take(Table::Settings, settings),
    );
    let survey_rows: Vec<RawRow> = survey.map_or_else(Vec::new, |(t, rows)| {
        typed_rows(t, &headers[0], rows, &["type", "name"], &mut problems)
    });
    let choice_rows: Vec<RawChoice> = choices.map_or_else(Vec::new, |(t, rows)| {
        typed_rows(t, &headers[1], rows, &["list_name", "name"], &mut problems)
    });
    let mut settings_rows: Vec<RawSettings> = match settings {
        Some((t, rows)) => typed_rows(t, &headers[2], rows, &["form_id"], &mut problems),
        None => Vec::new(),
    };
    if settings_rows.len() != 1 && problems.iter().all(|p| p.table != Table::Settings) {
        problems.push(Problem::new(
            Table::Settings,
            0,
            ProblemKind::SettingsRows {
                rows: settings_rows.len(),
            },
        ));
    }
    if !problems.is_empty() {
        if letters {
            locate(&headers, &mut problems);
        }
        return Err(problems);
    }
    Ok((
        RawSurvey {
            survey: survey_rows,
            choices: choice_rows,
            settings: settings_rows.remove(0),
        },
        headers,
    ))
}

/// Turns a sheet's rows into typed rows: each row becomes a map of its non-empty cells,
/// deserialised into `T` (known columns into fields, others into `extra`), with `_row` set
/// to the spreadsheet row number. Fully blank rows are skipped.
fn typed_rows<T: DeserializeOwned>(
    table: Table,
    headers: &[String],
    rows: Vec<(u32, Vec<String>)>,
    required: &[&str],
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    let mut missing = false;
    for col in required {
        if !headers.iter().any(|h| h == col) {
            problems.push(Problem::new(
                table,
                1,
                ProblemKind::MissingColumn {
                    column: col.to_string(),
                },
            ));
            missing = true;
        }
    }
    if missing {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (row, cells) in rows {
        let mut map = serde_json::Map::new();
        for (h, v) in headers.iter().zip(cells) {
            if !v.trim().is_empty() && !h.is_empty() {
                map.insert(h.clone(), serde_json::Value::String(v));
            }
        }
        if map.is_empty() {
            continue;
        }
        map.insert("_row".into(), serde_json::Value::from(row));
        match serde_json::from_value::<T>(serde_json::Value::Object(map)) {
            Ok(t) => out.push(t),
            Err(e) => problems.push(Problem::new(
                table,
                row,
                ProblemKind::Csv {
                    message: e.to_string(),
                },
            )),
        }
    }
    out
}

/// The 1-based line a record starting at `byte` begins on. (csv's own line counter is one
/// short after CRLF line ends: the `\n` is read as the start of the next record.)
fn line_at(text: &str, byte: u64) -> u32 {
    let bytes = text.as_bytes();
    let mut at = (byte as usize).min(bytes.len());
    while at < bytes.len() && (bytes[at] == b'\n' || bytes[at] == b'\r') {
        at += 1;
    }
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32
}

/// Reading the workbook (feature `xlsx`, with calamine).
#[cfg(feature = "xlsx")]
mod workbook {
    use super::{column_letter, Grid, Sheet, TABLES};
    use crate::problem::{Problem, ProblemKind, Table};
    use calamine::{Data, Reader};
    use std::path::Path;

    /// Reads the three sheets of a workbook.
    pub(super) fn read(file: &Path) -> Result<[Sheet; 3], Vec<Problem>> {
        let fail = |message: String| {
            vec![Problem::new(
                Table::Survey,
                0,
                ProblemKind::Workbook { message },
            )]
        };
        let mut book = calamine::open_workbook_auto(file)
            .map_err(|e| fail(format!("{}: {e}", file.display())))?;
        let names = book.sheet_names();
        Ok(TABLES.map(|table| {
            let wanted = table.sheet_name();
            // XLSForm tools accept the sheet names in any case.
            let Some(name) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted)) else {
                return Err(vec![Problem::new(
                    table,
                    0,
                    ProblemKind::MissingSheet {
                        sheet: wanted.to_string(),
                    },
                )]);
            };
            let range = book.worksheet_range(name).map_err(|e| {
                vec![Problem::new(
                    table,
                    0,
                    ProblemKind::Workbook {
                        message: format!("{wanted}: {e}"),
                    },
                )]
            })?;
            sheet(table, &range)
        }))
    }

    fn sheet(table: Table, range: &calamine::Range<Data>) -> Sheet {
        let Some((top, left)) = range.start() else {
            return Ok(Grid::default());
        };
        let mut problems = Vec::new();
        let mut rows = range.rows().enumerate();
        // Columns left of the used range are blank: the header keeps their places, so
        // that a column's index is its letter.
        let blank = vec![String::new(); left as usize];
        let headers: Vec<String> = match rows.next() {
            Some((_, cells)) => blank
                .iter()
                .cloned()
                .chain(
                    cells
                        .iter()
                        .map(|c| text(c).unwrap_or_default().trim().to_string()),
                )
                .collect(),
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for (i, cells) in rows {
            let row = top + i as u32 + 1;
            let mut values = blank.clone();
            for (j, cell) in cells.iter().enumerate() {
                match text(cell) {
                    Ok(v) => values.push(v),
                    Err(value) => {
                        let at = left as usize + j;
                        let column = headers.get(at).cloned().unwrap_or_default();
                        let mut p =
                            Problem::new(table, row, ProblemKind::CellError { column, value });
                        p.letter = Some(column_letter(at));
                        problems.push(p);
                        values.push(String::new());
                    }
                }
            }
            out.push((row, values));
        }
        if problems.is_empty() {
            Ok(Grid {
                header: headers,
                rows: out,
            })
        } else {
            Err(problems)
        }
    }

    /// A cell as the text the author sees; `Err` with the error's text for an error cell.
    pub(crate) fn text(cell: &Data) -> Result<String, String> {
        Ok(match cell {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) => number(*f),
            Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Data::DateTime(d) if d.is_datetime() => date_time(d.as_f64()),
            Data::DateTime(d) => number(d.as_f64()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => return Err(e.to_string()),
        })
    }

    /// A number as Excel shows it in General format: at most 15 significant digits, no
    /// `.0` (Excel stores `1` as the float 1.0).
    fn number(f: f64) -> String {
        if !f.is_finite() {
            return f.to_string();
        }
        let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
        let s = rounded.to_string();
        if s == "-0" {
            "0".into()
        } else {
            s
        }
    }

    /// An Excel date serial (1900 system) as `YYYY-MM-DD`, with `THH:MM[:SS]` when it
    /// has a time of day.
    fn date_time(serial: f64) -> String {
        // Whole seconds first, so that 23:59:59.9 is the next day's 00:00:00, not 24:00.
        let total = (serial * 86_400.0).round();
        let days = (total / 86_400.0).floor();
        // Serial 25569 is 1970-01-01, Julian day 2440588.
        let julian = days + 2_415_019.0;
        let date = match time::Date::from_julian_day(julian as i32) {
            Ok(date) if julian.abs() < i32::MAX as f64 => date,
            _ => return number(serial),
        };
        let (y, m, d) = (date.year(), date.month() as u8, date.day());
        let secs = (total - days * 86_400.0) as u32;
        if secs == 0 {
            return format!("{y:04}-{m:02}-{d:02}");
        }
        let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if s == 0 {
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}")
        } else {
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
        }
    }
}

/// Without the `xlsx` feature a workbook cannot be read.
#[cfg(not(feature = "xlsx"))]
mod workbook {
    use super::Sheet;
    use crate::problem::{Problem, ProblemKind, Table};
    use std::path::Path;

    pub(super) fn read(file: &Path) -> Result<[Sheet; 3], Vec<Problem>> {
        Err(vec![Problem::new(
            Table::Survey,
            0,
            ProblemKind::Workbook {
                message: format!(
                    "{}: this build reads CSV surveys only (survey-core without the `xlsx` feature)",
                    file.display()
                ),
            },
        )])
    }
}
