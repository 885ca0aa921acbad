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
    /// Reviewed strings per reviewer (as recorded by `apply-corrections`; `""` when the
    /// status file names nobody).
    pub by_reviewer: std::collections::BTreeMap<String, usize>,
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

    fn count_by(&mut self, reviewer: &str, status: Option<IiStatus>, ii: &str) {
        if status == Some(IiStatus::Reviewed) && !ii.trim().is_empty() {
            *self.by_reviewer.entry(reviewer.to_string()).or_default() += 1;
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
        let reviewer = get(REVIEWER_COLUMN);
        for (col, zh) in cells.filter(|(c, _)| c.ends_with("::zh")) {
            let base = &col[..col.len() - 4];
            let ii = get(&format!("{base}::ii"));
            let at = if name.is_empty() {
                format!("第 {row} 行 {base}")
            } else {
                format!("第 {row} 行 {base} ({name})")
            };
            report.count_by(reviewer, status, ii);
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
        let (st, reviewer) = status
            .and_then(|v| lookup(v, &key))
            .map(status_entry)
            .unwrap_or_default();
        report.count_by(&reviewer, st, &ii_text);
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

/// Column of the survey files naming who reviewed the row's Yi text (kit extension,
/// written by `apply-corrections`).
pub const REVIEWER_COLUMN: &str = "ii_reviewer";
/// Column of the survey files with the date (`YYYY-MM-DD`) of that review.
pub const REVIEWED_ON_COLUMN: &str = "ii_reviewed_on";

/// The status and reviewer of one entry of an `ii-status` file: either a plain status
/// (`"draft"`) or, once reviewed through a corrections file,
/// `{"status": "reviewed", "reviewer": "…", "date": "YYYY-MM-DD"}`.
pub fn status_entry(v: &Value) -> (Option<IiStatus>, String) {
    match v {
        Value::String(s) => (IiStatus::parse(s), String::new()),
        Value::Object(m) => (
            m.get("status")
                .and_then(Value::as_str)
                .and_then(IiStatus::parse),
            m.get("reviewer")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
        _ => (None, String::new()),
    }
}

/// One Yi text of the kit (interface or survey), as the review mode lists it and as a
/// corrections file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TextEntry {
    /// Stable key (see [`TextKey`]).
    pub key: String,
    /// Where it appears, for filtering: `ui/<area>` (an interface area), `section/<name>`
    /// (a section of the form), `list/<name>` (a choice list) or `title`.
    pub place: String,
    /// The survey field the text belongs to (`""` for interface texts and choices).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub question: String,
    /// The choice list: of a choice, or used by a select question.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub list: String,
    /// Chinese text.
    pub zh: String,
    /// Yi text (`""` = missing).
    pub ii: String,
    /// Review status; `None` when the Yi text is missing. Yi without a status is a draft.
    pub status: Option<IiStatus>,
}

/// What a [`TextEntry::key`] names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextKey {
    /// `ui/<area>/<dotted.key>`: an interface string in `locales/*/<area>.json`.
    Ui {
        /// The locale file (namespace).
        area: String,
        /// The dotted key inside it.
        key: String,
    },
    /// `survey/<form_id>/survey/<name>/<column>`: a text column of a `survey.csv` row.
    Row {
        /// The survey's `form_id`.
        form: String,
        /// The row's `name`.
        name: String,
        /// The column without `::zh`/`::ii` (`label`, `hint`, `constraint_message`, …).
        column: String,
    },
    /// `survey/<form_id>/choices/<list>/<name>/<column>`: a choice label.
    Choice {
        /// The survey's `form_id`.
        form: String,
        /// The choice list.
        list: String,
        /// The choice's name.
        name: String,
        /// The column (`label`).
        column: String,
    },
    /// `survey/<form_id>/settings/<column>`: the form title.
    Settings {
        /// The survey's `form_id`.
        form: String,
        /// The column (`form_title`).
        column: String,
    },
}

impl TextKey {
    /// Parses a key; `None` when it is not one of the four shapes.
    pub fn parse(key: &str) -> Option<TextKey> {
        let parts: Vec<&str> = key.split('/').collect();
        let ok = |s: &&str| !s.is_empty();
        match parts.as_slice() {
            ["ui", area, k] if [area, k].iter().all(|s| ok(s)) => Some(TextKey::Ui {
                area: area.to_string(),
                key: k.to_string(),
            }),
            ["survey", f, "survey", n, c] if [f, n, c].iter().all(|s| ok(s)) => {
                Some(TextKey::Row {
                    form: f.to_string(),
                    name: n.to_string(),
                    column: c.to_string(),
                })
            }
            ["survey", f, "choices", l, n, c] if [f, l, n, c].iter().all(|s| ok(s)) => {
                Some(TextKey::Choice {
                    form: f.to_string(),
                    list: l.to_string(),
                    name: n.to_string(),
                    column: c.to_string(),
                })
            }
            ["survey", f, "settings", c] if [f, c].iter().all(|s| ok(s)) => {
                Some(TextKey::Settings {
                    form: f.to_string(),
                    column: c.to_string(),
                })
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for TextKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextKey::Ui { area, key } => write!(f, "ui/{area}/{key}"),
            TextKey::Row { form, name, column } => {
                write!(f, "survey/{form}/survey/{name}/{column}")
            }
            TextKey::Choice {
                form,
                list,
                name,
                column,
            } => {
                write!(f, "survey/{form}/choices/{list}/{name}/{column}")
            }
            TextKey::Settings { form, column } => write!(f, "survey/{form}/settings/{column}"),
        }
    }
}

fn entry_status(ii: &str, status: Option<IiStatus>) -> Option<IiStatus> {
    if ii.trim().is_empty() {
        None
    } else {
        Some(status.unwrap_or(IiStatus::Draft))
    }
}

/// Every text of one interface area (locale namespace `area`): `zh` and `ii` are the
/// nested locale JSON, `status` the flat status map.
pub fn locale_texts(
    area: &str,
    zh: &Value,
    ii: Option<&Value>,
    status: Option<&Value>,
) -> Vec<TextEntry> {
    let mut leaves = Vec::new();
    collect_leaves(zh, String::new(), &mut leaves);
    leaves
        .into_iter()
        .map(|(key, zh_text)| {
            let ii_text = ii
                .and_then(|v| lookup(v, &key))
                .map(leaf_text)
                .unwrap_or_default();
            let st = status
                .and_then(|v| lookup(v, &key))
                .and_then(|v| status_entry(v).0);
            TextEntry {
                key: TextKey::Ui {
                    area: area.to_string(),
                    key: key.clone(),
                }
                .to_string(),
                place: format!("ui/{area}"),
                question: String::new(),
                list: String::new(),
                status: entry_status(&ii_text, st),
                zh: zh_text,
                ii: ii_text,
            }
        })
        .collect()
}

/// Every text of a survey definition (rows, choices, title), in file order. Survey texts
/// share their row's `ii_status`. A row is placed in its top-level section.
pub fn survey_texts(raw: &RawSurvey) -> Vec<TextEntry> {
    let form = raw.settings.form_id.as_str();
    let mut out = Vec::new();
    let push = |out: &mut Vec<TextEntry>,
                key: TextKey,
                place: &str,
                question: &str,
                list: &str,
                zh: &str,
                ii: &str,
                status: &str| {
        out.push(TextEntry {
            key: key.to_string(),
            place: place.to_string(),
            question: question.to_string(),
            list: list.to_string(),
            zh: zh.to_string(),
            ii: ii.to_string(),
            status: entry_status(ii, IiStatus::parse(status)),
        })
    };
    let s = &raw.settings;
    for (col, zh) in s.cells().filter(|(c, _)| c.ends_with("::zh")) {
        let base = &col[..col.len() - 4];
        let key = TextKey::Settings {
            form: form.into(),
            column: base.into(),
        };
        push(
            &mut out,
            key,
            "title",
            "",
            "",
            zh,
            s.get(&format!("{base}::ii")),
            &s.ii_status,
        );
    }
    let mut depth = 0usize;
    let mut section = String::new();
    for (i, r) in raw.survey.iter().enumerate() {
        let kind = r.kind.trim();
        if kind.starts_with("end_group")
            || kind.starts_with("end_repeat")
            || kind.starts_with("end group")
            || kind.starts_with("end repeat")
        {
            depth = depth.saturating_sub(1);
            continue;
        }
        let opens = kind.starts_with("begin_group")
            || kind.starts_with("begin_repeat")
            || kind.starts_with("begin group")
            || kind.starts_with("begin repeat");
        if opens && depth == 0 {
            section = r.name.clone();
        }
        let place = if depth == 0 && !opens {
            "section/".to_string()
        } else {
            format!("section/{section}")
        };
        let list = kind
            .strip_prefix("select_one ")
            .or_else(|| kind.strip_prefix("select_multiple "))
            .map(|l| l.split_whitespace().next().unwrap_or_default())
            .unwrap_or_default();
        let name = row_name(i, r);
        for (col, zh) in r.cells().filter(|(c, _)| c.ends_with("::zh")) {
            let base = &col[..col.len() - 4];
            let key = TextKey::Row {
                form: form.into(),
                name: name.clone(),
                column: base.into(),
            };
            push(
                &mut out,
                key,
                &place,
                &name,
                list,
                zh,
                r.get(&format!("{base}::ii")),
                &r.ii_status,
            );
        }
        if opens {
            depth += 1;
        }
    }
    for c in &raw.choices {
        for (col, zh) in c.cells().filter(|(c, _)| c.ends_with("::zh")) {
            let base = &col[..col.len() - 4];
            let key = TextKey::Choice {
                form: form.into(),
                list: c.list_name.clone(),
                name: c.name.clone(),
                column: base.into(),
            };
            let place = format!("list/{}", c.list_name);
            push(
                &mut out,
                key,
                &place,
                "",
                &c.list_name,
                zh,
                c.get(&format!("{base}::ii")),
                &c.ii_status,
            );
        }
    }
    out
}

/// The name a survey row has in a [`TextKey`]: its `name`, or `row<N>` (its spreadsheet
/// row) when it has none.
fn row_name(index: usize, r: &crate::definition::RawRow) -> String {
    if !r.name.is_empty() {
        return r.name.clone();
    }
    format!("row{}", if r.row == 0 { index as u32 + 2 } else { r.row })
}

/// Sets the Yi text a survey key names in a definition (`Row`, `Choice` or `Settings`
/// key of this survey): what the review mode shows in place before the sources are
/// changed. Returns whether the text was found.
pub fn set_survey_text(raw: &mut RawSurvey, key: &TextKey, ii: &str) -> bool {
    let form = raw.settings.form_id.clone();
    match key {
        TextKey::Row {
            form: f,
            name,
            column,
        } if *f == form => {
            let row = raw
                .survey
                .iter_mut()
                .enumerate()
                .find(|(i, r)| row_name(*i, r) == *name);
            match row {
                Some((_, r)) if !r.get(&format!("{column}::zh")).is_empty() => {
                    r.set(&format!("{column}::ii"), ii);
                    true
                }
                _ => false,
            }
        }
        TextKey::Choice {
            form: f,
            list,
            name,
            column,
        } if *f == form => {
            match raw
                .choices
                .iter_mut()
                .find(|c| c.list_name == *list && c.name == *name)
            {
                Some(c) if !c.get(&format!("{column}::zh")).is_empty() => {
                    c.set(&format!("{column}::ii"), ii);
                    true
                }
                _ => false,
            }
        }
        TextKey::Settings { form: f, column }
            if *f == form && !raw.settings.get(&format!("{column}::zh")).is_empty() =>
        {
            raw.settings.set(&format!("{column}::ii"), ii);
            true
        }
        _ => false,
    }
}

/// One term of the consistency list: a Chinese term that is a whole text somewhere, its
/// Yi renderings there, and the other texts whose Chinese contains the term but whose Yi
/// contains none of those renderings (or whose whole-text renderings differ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inconsistency {
    /// The Chinese term.
    pub zh: String,
    /// Each Yi rendering of the term as a whole text, with the keys that use it.
    pub renderings: Vec<(String, Vec<String>)>,
    /// Keys of longer texts with the term in Chinese and none of its renderings in Yi.
    pub elsewhere: Vec<String>,
}

/// The consistency list: Chinese terms rendered by different Yi in different texts.
/// A term is a Chinese text of at most `max_term` characters that is a whole text
/// (typically a choice label such as 户主); it is listed when it has more than one Yi
/// rendering as a whole text, or when a longer text containing it in Chinese has none of
/// its renderings in Yi. Texts without Yi are left out.
pub fn consistency(texts: &[TextEntry], max_term: usize) -> Vec<Inconsistency> {
    use std::collections::BTreeMap;
    let with_yi: Vec<&TextEntry> = texts.iter().filter(|t| !t.ii.trim().is_empty()).collect();
    let mut terms: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for t in &with_yi {
        let zh = t.zh.trim();
        let n = zh.chars().count();
        if n >= 2 && n <= max_term && zh.chars().all(|c| ('\u{3400}'..='\u{9FFF}').contains(&c)) {
            terms
                .entry(zh)
                .or_default()
                .entry(t.ii.trim())
                .or_default()
                .push(t.key.clone());
        }
    }
    let mut out = Vec::new();
    for (term, renderings) in terms {
        let elsewhere: Vec<String> = with_yi
            .iter()
            .filter(|t| t.zh.trim() != term && t.zh.contains(term))
            .filter(|t| !renderings.keys().any(|r| t.ii.contains(r)))
            .map(|t| t.key.clone())
            .collect();
        if renderings.len() > 1 || !elsewhere.is_empty() {
            out.push(Inconsistency {
                zh: term.to_string(),
                renderings: renderings
                    .into_iter()
                    .map(|(ii, keys)| (ii.to_string(), keys))
                    .collect(),
                elsewhere,
            });
        }
    }
    out
}

/// Reads a JSON file: `Ok(None)` when it does not exist, an error naming the file when it
/// cannot be read or parsed.
#[cfg(feature = "csv")]
pub fn read_json(p: &std::path::Path) -> Result<Option<Value>, String> {
    match std::fs::read_to_string(p) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", p.display())),
    }
}

/// Finds and counts the UI locale files under `locales`: either `zh.json` + `ii.json` +
/// `ii-status.json`, or per-namespace files `zh/<ns>.json` + `ii/<ns>.json` +
/// `ii-status/<ns>.json`. Returns an empty list when there are no locale files.
#[cfg(feature = "csv")]
pub fn locale_reports(locales: &std::path::Path) -> Result<Vec<FileReport>, String> {
    let read = read_json;
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
    fn survey_texts_keys_places_and_set_text() {
        let mut raw = RawSurvey::from_json(r#"{
          "settings": {"form_id": "f", "version": "1", "form_title::zh": "表", "form_title::ii": "ꀀ", "ii_status": "sourced", "ii_source": "x"},
          "survey": [
            {"type": "begin_group", "name": "g", "label::zh": "组", "label::ii": "ꀁ", "ii_status": "draft"},
            {"type": "select_one yn", "name": "q", "label::zh": "问", "hint::zh": "提示", "hint::ii": "ꀂ", "ii_status": "reviewed"},
            {"type": "end_group"},
            {"type": "note", "name": "n", "label::zh": "注"}
          ],
          "choices": [{"list_name": "yn", "name": "y", "label::zh": "是", "label::ii": "ꉬ", "ii_status": "sourced", "ii_source": "CLDR"}]
        }"#).unwrap();
        let t = survey_texts(&raw);
        let rows: Vec<_> = t
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    e.place.as_str(),
                    e.question.as_str(),
                    e.list.as_str(),
                    e.status,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "survey/f/settings/form_title",
                    "title",
                    "",
                    "",
                    Some(IiStatus::Sourced)
                ),
                (
                    "survey/f/survey/g/label",
                    "section/g",
                    "g",
                    "",
                    Some(IiStatus::Draft)
                ),
                ("survey/f/survey/q/label", "section/g", "q", "yn", None),
                (
                    "survey/f/survey/q/hint",
                    "section/g",
                    "q",
                    "yn",
                    Some(IiStatus::Reviewed)
                ),
                ("survey/f/survey/n/label", "section/", "n", "", None),
                (
                    "survey/f/choices/yn/y/label",
                    "list/yn",
                    "",
                    "yn",
                    Some(IiStatus::Sourced)
                ),
            ]
        );
        for e in &t {
            assert_eq!(
                TextKey::parse(&e.key).map(|k| k.to_string()).as_deref(),
                Some(e.key.as_str())
            );
        }
        assert!(
            TextKey::parse("ui/app").is_none()
                && TextKey::parse("survey/f/survey//label").is_none()
        );
        for key in [
            "survey/f/survey/q/label",
            "survey/f/choices/yn/y/label",
            "survey/f/settings/form_title",
        ] {
            assert!(
                set_survey_text(&mut raw, &TextKey::parse(key).unwrap(), "ꆈ"),
                "{key}"
            );
        }
        assert!(!set_survey_text(
            &mut raw,
            &TextKey::parse("survey/other/survey/q/label").unwrap(),
            "ꆈ"
        ));
        assert!(!set_survey_text(
            &mut raw,
            &TextKey::parse("survey/f/survey/q/constraint_message").unwrap(),
            "ꆈ"
        ));
        assert_eq!(
            survey_texts(&raw).iter().filter(|e| e.ii == "ꆈ").count(),
            3
        );
    }

    #[test]
    fn consistency_lists_terms_with_other_renderings() {
        let e = |key: &str, zh: &str, ii: &str| TextEntry {
            key: key.into(),
            place: String::new(),
            question: String::new(),
            list: String::new(),
            zh: zh.into(),
            ii: ii.into(),
            status: Some(IiStatus::Draft),
        };
        let texts = [
            e("a", "户主", "ꑷꈓꌊꁈ"),
            e("b", "户主", "ꑷꈓ ꌋ"),
            e("c", "户主的电话", "ꑷꈓꌊꁈ ꂷ"),
            e("d", "户主姓名", "ꑷꌋ ꂷ"),
            e("e", "花椒", "ꊰꀕ"),
            e("f", "花椒苗", "ꊰꀕ ꋩ"),
        ];
        let list = consistency(&texts, 6);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].zh, "户主");
        assert_eq!(
            list[0].renderings,
            [
                ("ꑷꈓ ꌋ".to_string(), vec!["b".to_string()]),
                ("ꑷꈓꌊꁈ".to_string(), vec!["a".to_string()])
            ]
        );
        assert_eq!(list[0].elsewhere, ["d"]);
    }

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
