//! Loading `surveys/<id>/{survey,choices,settings}.csv` (feature `csv`).
//!
//! UTF-8, a leading BOM allowed, header row first. Cells are trimmed of a trailing `\r`
//! only; fully blank rows are skipped but keep their row numbers counted, so problems name
//! the row the editor sees in WPS/Excel.

use crate::definition::{RawChoice, RawRow, RawSettings, RawSurvey};
use crate::problem::{Problem, ProblemKind, Table};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Loads the three CSV files of a survey folder. Every problem of every file is reported.
pub fn load_survey_dir(path: impl AsRef<Path>) -> Result<RawSurvey, Vec<Problem>> {
    let dir = path.as_ref();
    let read = |table: Table| {
        let file = dir.join(table.file_name());
        std::fs::read_to_string(&file).map_err(|e| {
            vec![Problem::new(
                table,
                0,
                ProblemKind::Io {
                    file: file.display().to_string(),
                    message: e.to_string(),
                },
            )]
        })
    };
    let mut problems = Vec::new();
    let texts: Vec<Option<String>> = [Table::Survey, Table::Choices, Table::Settings]
        .into_iter()
        .map(|t| read(t).map_err(|p| problems.extend(p)).ok())
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let [s, c, st] = [0, 1, 2].map(|i| texts[i].as_deref().unwrap_or_default());
    from_csv_strs(s, c, st)
}

/// Builds a raw survey from the text of the three CSV files.
pub fn from_csv_strs(
    survey: &str,
    choices: &str,
    settings: &str,
) -> Result<RawSurvey, Vec<Problem>> {
    let mut problems = Vec::new();
    let survey_rows = read_table::<RawRow>(Table::Survey, survey, &["type", "name"], &mut problems);
    let choice_rows = read_table::<RawChoice>(
        Table::Choices,
        choices,
        &["list_name", "name"],
        &mut problems,
    );
    let mut settings_rows =
        read_table::<RawSettings>(Table::Settings, settings, &["form_id"], &mut problems);
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
        return Err(problems);
    }
    Ok(RawSurvey {
        survey: survey_rows,
        choices: choice_rows,
        settings: settings_rows.remove(0),
    })
}

/// Reads one table into typed rows: each record becomes a map of its non-empty cells,
/// deserialised into `T` (known columns into fields, others into `extra`), with `_row` set
/// to the spreadsheet row number.
fn read_table<T: DeserializeOwned>(
    table: Table,
    text: &str,
    required: &[&str],
    problems: &mut Vec<Problem>,
) -> Vec<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
        Err(e) => {
            problems.push(Problem::new(
                table,
                1,
                ProblemKind::Csv {
                    message: e.to_string(),
                },
            ));
            return Vec::new();
        }
    };
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
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| line_at(text, p.byte()));
                problems.push(Problem::new(
                    table,
                    row,
                    ProblemKind::Csv {
                        message: e.to_string(),
                    },
                ));
                continue;
            }
        };
        let row = rec.position().map_or(0, |p| line_at(text, p.byte()));
        let mut map = serde_json::Map::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if !v.trim().is_empty() && !h.is_empty() {
                map.insert(h.clone(), serde_json::Value::String(v.to_string()));
            }
        }
        if map.is_empty() {
            continue;
        }
        map.insert("_row".into(), serde_json::Value::from(row));
        match serde_json::from_value::<T>(serde_json::Value::Object(map)) {
            Ok(t) => rows.push(t),
            Err(e) => problems.push(Problem::new(
                table,
                row,
                ProblemKind::Csv {
                    message: e.to_string(),
                },
            )),
        }
    }
    rows
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
