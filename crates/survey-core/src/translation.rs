//! Counting Yi strings by review status, for the `translation-report` binary.
//!
//! Survey files: every text column with Chinese (`label`, `hint`, `*_message`,
//! `form_title`, and any other `X::zh` column) expects Yi text in `X::ii`; its status is
//! the row's `ii_status`. UI locale files (leptos_i18n JSON, nested or flat keys): every
//! Chinese string expects a Yi string at the same key (`null` or absent = missing, which
//! the app shows in Chinese); its status comes from the flat `ii-status` map
//! (`"dotted.key": "draft" | "sourced" | "reviewed"`). A Yi string with no (or an unknown)
//! status is counted as a draft: unreviewed until someone says otherwise.

use crate::definition::RawSurvey;
use crate::survey::IiStatus;
use serde::Serialize;
use serde_json::Value;

/// Counts of Yi strings by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Checked by the bureau's translators.
    pub reviewed: usize,
    /// Taken from a public source.
    pub sourced: usize,
    /// Drafted, awaiting review (includes Yi strings without a status).
    pub draft: usize,
    /// No Yi text at all (shown in Chinese).
    pub missing: usize,
}

impl Counts {
    /// Adds another count.
    pub fn add(&mut self, o: &Counts) {
        self.reviewed += o.reviewed;
        self.sourced += o.sourced;
        self.draft += o.draft;
        self.missing += o.missing;
    }

    /// All strings counted.
    pub fn total(&self) -> usize {
        self.reviewed + self.sourced + self.draft + self.missing
    }
}

/// The report for one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// File path as shown.
    pub file: String,
    /// Counts.
    pub counts: Counts,
    /// Drafted strings: (where, Chinese text).
    pub drafts: Vec<(String, String)>,
    /// Missing strings: (where, Chinese text).
    pub missing: Vec<(String, String)>,
}

impl FileReport {
    fn new(file: String) -> FileReport {
        FileReport {
            file,
            ..Default::default()
        }
    }

    fn count(&mut self, at: String, zh: &str, ii: &str, status: Option<IiStatus>) {
        if ii.trim().is_empty() {
            self.counts.missing += 1;
            self.missing.push((at, zh.to_string()));
            return;
        }
        match status {
            Some(IiStatus::Reviewed) => self.counts.reviewed += 1,
            Some(IiStatus::Sourced) => self.counts.sourced += 1,
            Some(IiStatus::Draft) | None => {
                self.counts.draft += 1;
                self.drafts.push((at, zh.to_string()));
            }
        }
    }
}

/// Counts the Yi strings of a survey definition: one report per CSV file, named
/// `{dir}/survey.csv`, `{dir}/choices.csv`, `{dir}/settings.csv`.
pub fn survey_reports(dir: &str, raw: &RawSurvey) -> Vec<FileReport> {
    fn rows<'a>(
        report: &mut FileReport,
        row: u32,
        name: &str,
        cells: impl Iterator<Item = (&'a str, &'a str)>,
        get: impl Fn(&str) -> &'a str,
        status: &str,
    ) {
        let status = IiStatus::parse(status);
        for (col, zh) in cells.filter(|(c, _)| c.ends_with("::zh")) {
            let base = &col[..col.len() - 4];
            let ii = get(&format!("{base}::ii"));
            let at = if name.is_empty() {
                format!("第 {row} 行 {base}")
            } else {
                format!("第 {row} 行 {base} ({name})")
            };
            report.count(at, zh, ii, status);
        }
    }
    let mut survey = FileReport::new(format!("{dir}/survey.csv"));
    for r in &raw.survey {
        rows(
            &mut survey,
            r.row,
            &r.name,
            r.cells(),
            |c| r.get(c),
            &r.ii_status,
        );
    }
    let mut choices = FileReport::new(format!("{dir}/choices.csv"));
    for c in &raw.choices {
        let name = format!("{}/{}", c.list_name, c.name);
        rows(
            &mut choices,
            c.row,
            &name,
            c.cells(),
            |col| c.get(col),
            &c.ii_status,
        );
    }
    let mut settings = FileReport::new(format!("{dir}/settings.csv"));
    let s = &raw.settings;
    rows(
        &mut settings,
        s.row.max(2),
        "",
        s.cells(),
        |c| s.get(c),
        &s.ii_status,
    );
    vec![survey, choices, settings]
}

/// Counts one UI locale file: `zh` (nested or flat JSON), its Yi counterpart `ii`
/// (absent file = everything missing) and the flat status map.
pub fn locale_report(
    file: &str,
    zh: &Value,
    ii: Option<&Value>,
    status: Option<&Value>,
) -> FileReport {
    let mut report = FileReport::new(file.to_string());
    let mut leaves = Vec::new();
    collect_leaves(zh, String::new(), &mut leaves);
    for (key, zh_text) in leaves {
        let ii_text = ii
            .and_then(|v| lookup(v, &key))
            .map(leaf_text)
            .unwrap_or_default();
        let st = status
            .and_then(|v| lookup(v, &key))
            .and_then(Value::as_str)
            .and_then(IiStatus::parse);
        report.count(key, &zh_text, &ii_text, st);
    }
    report
}

fn leaf_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn collect_leaves(v: &Value, prefix: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                collect_leaves(v, key, out);
            }
        }
        Value::Null => {}
        other => out.push((prefix, leaf_text(other))),
    }
}

/// Finds a dotted key in nested JSON, also accepting flat keys containing dots.
fn lookup<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let map = v.as_object()?;
    if let Some(found) = map.get(key) {
        return Some(found);
    }
    let (head, rest) = key.split_once('.')?;
    lookup(map.get(head)?, rest)
}

/// Finds and counts the UI locale files under `locales`: either `zh.json` + `ii.json` +
/// `ii-status.json`, or per-namespace files `zh/<ns>.json` + `ii/<ns>.json` +
/// `ii-status/<ns>.json`. Returns an empty list when there are no locale files.
#[cfg(feature = "csv")]
pub fn locale_reports(locales: &std::path::Path) -> Result<Vec<FileReport>, String> {
    use std::path::Path;
    let read = |p: &Path| -> Result<Option<Value>, String> {
        match std::fs::read_to_string(p) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{}: {e}", p.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    };
    let mut out = Vec::new();
    let flat = locales.join("zh.json");
    if let Some(zh) = read(&flat)? {
        let ii = read(&locales.join("ii.json"))?;
        let status = read(&locales.join("ii-status.json"))?;
        out.push(locale_report(
            &locales.join("ii.json").display().to_string(),
            &zh,
            ii.as_ref(),
            status.as_ref(),
        ));
    }
    let zh_dir = locales.join("zh");
    if let Ok(entries) = std::fs::read_dir(&zh_dir) {
        let mut files: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for zh_path in files {
            let name = zh_path.file_name().expect("a file").to_owned();
            let Some(zh) = read(&zh_path)? else { continue };
            let ii_path = locales.join("ii").join(&name);
            let ii = read(&ii_path)?;
            let status = read(&locales.join("ii-status").join(&name))?;
            out.push(locale_report(
                &ii_path.display().to_string(),
                &zh,
                ii.as_ref(),
                status.as_ref(),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locale_counts_by_status_with_null_as_missing() {
        let zh = json!({"title": "标题", "lang": {"zh": "中文", "ii": "彝文", "both": "双语"}, "empty": null});
        let ii = json!({"title": "ꀉ", "lang": {"zh": "ꍏꇩꉙ", "ii": null}, "lang.both": "ꆈꌠꉙ ꍏꇩꉙ"});
        let st = json!({"title": "reviewed", "lang.zh": "sourced", "lang.both": "bogus"});
        let r = locale_report("ii/app.json", &zh, Some(&ii), Some(&st));
        assert_eq!(
            r.counts,
            Counts {
                reviewed: 1,
                sourced: 1,
                draft: 1,
                missing: 1
            }
        );
        assert_eq!(r.drafts, [("lang.both".to_string(), "双语".to_string())]);
        assert_eq!(r.missing, [("lang.ii".to_string(), "彝文".to_string())]);
        let none = locale_report("ii/x.json", &zh, None, None);
        assert_eq!(
            none.counts,
            Counts {
                missing: 4,
                ..Default::default()
            }
        );
    }
}
