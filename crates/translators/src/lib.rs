//! The Yi translators' native tools, on the core's translation model
//! (`survey_core::translation`, `survey_core::corrections`):
//!
//! - `translation-report`: reviewed / sourced / draft / missing per file and per reviewer,
//!   and the consistency list;
//! - `apply-corrections`: a corrections file exported by the kit's review mode into
//!   `locales/ii/*.json`, `locales/ii-status/*.json` and `surveys/<id>/*.csv`.
//!
//! This library reads the kit's sources ([`Kit`]), and turns a [`Plan`] into new file
//! contents ([`prepare`]) written all together or not at all ([`write_all`]).

pub mod ordered;

use ordered::Ordered;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use survey_core::corrections::{self, Change, CorrectionsFile, Plan, Refusal, SurveyVersion};
use survey_core::survey::IiStatus;
use survey_core::translation::{
    self, read_json, TextEntry, TextKey, REVIEWED_ON_COLUMN, REVIEWER_COLUMN,
};
use survey_core::loader::{find_source, read_grids, Grid, Source};
use survey_core::RawSurvey;

/// The kit's translatable sources under a root directory.
pub struct Kit {
    /// The repository root.
    pub root: PathBuf,
    /// The app's package version (`[package] version` of the root `Cargo.toml`; `""`
    /// when there is none).
    pub version: String,
    /// Every survey: its directory and definition.
    pub surveys: Vec<(PathBuf, RawSurvey)>,
    /// The interface areas (`locales/zh/<area>.json`), sorted.
    pub areas: Vec<String>,
}

/// The workspace root: the current directory when it has `surveys/`, else two levels up
/// from this crate.
pub fn default_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    if cwd.join("surveys").is_dir() {
        cwd
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}

impl Kit {
    /// Reads the kit under `root`.
    pub fn load(root: &Path) -> Result<Kit, String> {
        let cargo = root.join("Cargo.toml");
        // Without a Cargo.toml (a bare copy of the sources) the version is unknown: a
        // corrections file is then refused, the report still works.
        let version = match std::fs::read_to_string(&cargo) {
            Ok(text) => {
                let manifest: toml::Table = text
                    .parse()
                    .map_err(|e| format!("{}: {e}", cargo.display()))?;
                manifest
                    .get("package")
                    .and_then(|p| p.get("version"))
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| format!("{}: no [package] version", cargo.display()))?
                    .to_string()
            }
            Err(_) => String::new(),
        };
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("surveys"))
            .map(|e| {
                e.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        let mut surveys = Vec::new();
        for dir in dirs {
            let raw = survey_core::load_survey_dir(&dir).map_err(|problems| {
                let list: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
                format!("{}:\n{}", dir.display(), list.join("\n"))
            })?;
            surveys.push((dir, raw));
        }
        let mut areas: Vec<String> = std::fs::read_dir(root.join("locales/zh"))
            .map(|e| {
                e.flatten()
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()?
                            .strip_suffix(".json")
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        areas.sort();
        Ok(Kit {
            root: root.to_path_buf(),
            version,
            surveys,
            areas,
        })
    }

    /// Every survey's id and version.
    pub fn survey_versions(&self) -> Vec<SurveyVersion> {
        self.surveys
            .iter()
            .map(|(_, r)| SurveyVersion {
                id: r.settings.form_id.clone(),
                version: r.settings.version.clone(),
            })
            .collect()
    }

    fn locale(&self, lang: &str, area: &str) -> PathBuf {
        self.root
            .join("locales")
            .join(lang)
            .join(format!("{area}.json"))
    }

    /// Every Yi text of the kit: the surveys', then the interface's.
    pub fn texts(&self) -> Result<Vec<TextEntry>, String> {
        let mut out = Vec::new();
        for (_, raw) in &self.surveys {
            out.extend(translation::survey_texts(raw));
        }
        for area in &self.areas {
            let zh = read_json(&self.locale("zh", area))?.unwrap_or_default();
            let ii = read_json(&self.locale("ii", area))?;
            let st = read_json(&self.locale("ii-status", area))?;
            out.extend(translation::locale_texts(
                area,
                &zh,
                ii.as_ref(),
                st.as_ref(),
            ));
        }
        Ok(out)
    }
}

/// A file to write: its path, what it holds now, and what it will hold.
#[derive(Debug, Clone)]
pub struct FileWrite {
    /// The file.
    pub path: PathBuf,
    /// Its content now.
    pub before: Vec<u8>,
    /// Its new content.
    pub after: Vec<u8>,
}

/// What applying a corrections file does: the plan, the files to write (only those that
/// change) and notes for the person running it.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The plan (changes, unchanged, stale).
    pub plan: Plan,
    /// Files whose content changes.
    pub writes: Vec<FileWrite>,
    /// Rows whose texts were replaced but which stay unreviewed because not all of their
    /// Yi texts were reviewed in this file: (file, row key).
    pub partial_rows: Vec<(String, String)>,
}

/// The date part (`YYYY-MM-DD`) of an RFC 3339 time, when it has one.
fn date_of(at: &str) -> Option<&str> {
    let d = at.get(..10)?;
    let b = d.as_bytes();
    (b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars().filter(|c| c.is_ascii_digit()).count() == 8)
        .then_some(d)
}

/// Checks a corrections file against the kit and computes every file it changes, without
/// writing anything.
pub fn prepare(kit: &Kit, file: &CorrectionsFile) -> Result<Prepared, Vec<Refusal>> {
    let texts = kit.texts().map_err(|e| vec![Refusal::Damaged(e)])?;
    let plan = corrections::plan(file, &texts, &kit.version, &kit.survey_versions())?;
    let date = date_of(&file.exported_at).unwrap_or_default().to_string();
    let reviewer = file.reviewer.trim().to_string();
    let mut writes = Vec::new();
    let mut partial_rows = Vec::new();
    // Interface texts, per area.
    let mut ui: BTreeMap<String, Vec<(&Change, String)>> = BTreeMap::new();
    // Survey texts, per form id.
    let mut sv: BTreeMap<String, Vec<(&Change, TextKey)>> = BTreeMap::new();
    for ch in &plan.changes {
        match TextKey::parse(&ch.correction.key) {
            Some(TextKey::Ui { area, key }) => ui.entry(area).or_default().push((ch, key)),
            Some(k @ (TextKey::Row { .. } | TextKey::Choice { .. } | TextKey::Settings { .. })) => {
                let form = match &k {
                    TextKey::Row { form, .. }
                    | TextKey::Choice { form, .. }
                    | TextKey::Settings { form, .. } => form.clone(),
                    TextKey::Ui { .. } => unreachable!(),
                };
                sv.entry(form).or_default().push((ch, k));
            }
            None => return Err(vec![Refusal::UnknownKey(ch.correction.key.clone())]),
        }
    }
    let damaged = |e: String| vec![Refusal::Damaged(e)];
    for (area, changes) in ui {
        let ii_path = kit.locale("ii", &area);
        let st_path = kit.locale("ii-status", &area);
        let ii_before = std::fs::read_to_string(&ii_path).unwrap_or_else(|_| "{}\n".into());
        let st_before = std::fs::read_to_string(&st_path).unwrap_or_else(|_| "{}\n".into());
        let mut ii: Ordered = serde_json::from_str(&ii_before)
            .map_err(|e| damaged(format!("{}: {e}", ii_path.display())))?;
        let mut st: Ordered = serde_json::from_str(&st_before)
            .map_err(|e| damaged(format!("{}: {e}", st_path.display())))?;
        for (ch, key) in changes {
            ii.set_path(
                &key,
                serde_json::Value::String(ch.correction.ii_after.clone()),
            );
            st.set_flat(
                &key,
                serde_json::json!({"status": IiStatus::Reviewed.as_str(), "reviewer": reviewer, "date": date}),
            );
        }
        for (path, before, value) in [(ii_path, ii_before, ii), (st_path, st_before, st)] {
            let after = value.to_pretty();
            if after != before {
                writes.push(FileWrite {
                    path,
                    before: before.into_bytes(),
                    after: after.into_bytes(),
                });
            }
        }
    }
    for (form, changes) in sv {
        let Some((dir, raw)) = kit.surveys.iter().find(|(_, r)| r.settings.form_id == form) else {
            return Err(vec![Refusal::UnknownKey(
                changes[0].0.correction.key.clone(),
            )]);
        };
        // A survey kept as a workbook: its three sheets, changed in memory and written once.
        let mut workbook = match find_source(dir).map_err(|p| damaged(format!("{p:?}")))? {
            Source::Workbook(file) => {
                let (_, grids) = read_grids(&file).map_err(|p| damaged(format!("{}: {p:?}", file.display())))?;
                Some((file, grids.map(Sheet::from_grid)))
            }
            Source::Csv(_) => None,
        };
        let workbook_before = workbook.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
        let mut csv_before: BTreeMap<u8, String> = BTreeMap::new();
        let keys: BTreeSet<&str> = plan
            .changes
            .iter()
            .map(|c| c.correction.key.as_str())
            .chain(plan.unchanged.iter().map(String::as_str))
            .collect();
        // Every Yi text of each row, to know whether the whole row was reviewed.
        let all = translation::survey_texts(raw);
        for (table, pick) in [("survey", 0u8), ("choices", 1), ("settings", 2)] {
            let mine: Vec<&(&Change, TextKey)> = changes
                .iter()
                .filter(|(_, k)| {
                    matches!(
                        (pick, k),
                        (0, TextKey::Row { .. })
                            | (1, TextKey::Choice { .. })
                            | (2, TextKey::Settings { .. })
                    )
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            let (path, mut sheet) = match &workbook {
                Some((file, sheets)) => (file.clone(), sheets[pick as usize].clone()),
                None => {
                    let path = dir.join(format!("{table}.csv"));
                    let before = std::fs::read_to_string(&path)
                        .map_err(|e| damaged(format!("{}: {e}", path.display())))?;
                    let sheet = Sheet::parse(&before)
                        .map_err(|e| damaged(format!("{}: {e}", path.display())))?;
                    csv_before.insert(pick, before);
                    (path, sheet)
                }
            };
            let mut rows_done: BTreeSet<usize> = BTreeSet::new();
            for (ch, key) in mine {
                let (row, column, row_prefix) = match key {
                    TextKey::Row { name, column, .. } => (
                        sheet.find(&[("name", name)]),
                        column,
                        format!("survey/{form}/survey/{name}/"),
                    ),
                    TextKey::Choice {
                        list, name, column, ..
                    } => (
                        sheet.find(&[("list_name", list), ("name", name)]),
                        column,
                        format!("survey/{form}/choices/{list}/{name}/"),
                    ),
                    TextKey::Settings { column, .. } => (
                        Some(1).filter(|_| sheet.rows.len() > 1),
                        column,
                        format!("survey/{form}/settings/"),
                    ),
                    TextKey::Ui { .. } => unreachable!(),
                };
                let Some(row) = row else {
                    return Err(vec![Refusal::UnknownKey(ch.correction.key.clone())]);
                };
                sheet.set(row, &format!("{column}::ii"), &ch.correction.ii_after);
                if rows_done.insert(row) {
                    let whole = all
                        .iter()
                        .filter(|t| t.key.starts_with(&row_prefix))
                        .all(|t| keys.contains(t.key.as_str()));
                    if whole {
                        sheet.set(row, "ii_status", IiStatus::Reviewed.as_str());
                        sheet.set(row, REVIEWER_COLUMN, &reviewer);
                        sheet.set(row, REVIEWED_ON_COLUMN, &date);
                    } else {
                        partial_rows.push((
                            path.display().to_string(),
                            row_prefix.trim_end_matches('/').to_string(),
                        ));
                    }
                }
            }
            match (&mut workbook, csv_before.remove(&pick)) {
                (Some((_, sheets)), _) => sheets[pick as usize] = sheet,
                (None, Some(before)) => {
                    let after = sheet
                        .to_csv()
                        .map_err(|e| damaged(format!("{}: {e}", path.display())))?;
                    if after != before {
                        writes.push(FileWrite {
                            path,
                            before: before.into_bytes(),
                            after: after.into_bytes(),
                        });
                    }
                }
                (None, None) => {}
            }
        }
        // A workbook is written whole, once, when one of its sheets changed.
        if let Some((file, sheets)) = workbook {
            if sheets != workbook_before {
                let fail = |e: String| damaged(format!("{}: {e}", file.display()));
                let before = std::fs::read(&file).map_err(|e| fail(e.to_string()))?;
                let grids = sheets.map(Sheet::into_grid);
                let after = forms::workbook::to_bytes(&grids).map_err(|e| fail(e.to_string()))?;
                writes.push(FileWrite {
                    path: file,
                    before,
                    after,
                });
            }
        }
    }
    Ok(Prepared {
        plan,
        writes,
        partial_rows,
    })
}

/// Writes every file or none: each new content goes to a temporary file beside its
/// target first; only when all are written are they renamed over the targets.
pub fn write_all(writes: &[FileWrite]) -> std::io::Result<()> {
    let mut temps = Vec::new();
    for w in writes {
        let tmp = w.path.with_extension("apply-corrections.tmp");
        if let Err(e) = std::fs::write(&tmp, &w.after) {
            for t in &temps {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        temps.push(tmp);
    }
    for (w, tmp) in writes.iter().zip(&temps) {
        std::fs::rename(tmp, &w.path)?;
    }
    Ok(())
}

/// A sheet (a CSV file or a workbook's sheet) kept as text cells, header first, so that
/// writing it back changes only the cells set. A workbook's rows keep their spreadsheet
/// row numbers (`numbers`, one per data row).
#[derive(Debug, Clone, Default, PartialEq)]
struct Sheet {
    rows: Vec<Vec<String>>,
    numbers: Vec<u32>,
}

impl Sheet {
    fn from_grid(g: Grid) -> Sheet {
        let numbers = g.rows.iter().map(|(n, _)| *n).collect();
        let rows = std::iter::once(g.header).chain(g.rows.into_iter().map(|(_, r)| r)).collect();
        Sheet { rows, numbers }
    }

    fn into_grid(self) -> Grid {
        let mut rows = self.rows.into_iter();
        let header = rows.next().unwrap_or_default();
        Grid {
            header,
            rows: self.numbers.into_iter().zip(rows).collect(),
        }
    }

    fn parse(text: &str) -> Result<Sheet, csv::Error> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for rec in r.records() {
            rows.push(rec?.iter().map(str::to_string).collect());
        }
        Ok(Sheet {
            rows,
            numbers: Vec::new(),
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.rows.first()?.iter().position(|h| h == name)
    }

    /// The first data row whose cells match every (column, value).
    fn find(&self, by: &[(&str, &String)]) -> Option<usize> {
        let cols: Option<Vec<(usize, &String)>> = by
            .iter()
            .map(|(c, v)| self.column(c).map(|i| (i, *v)))
            .collect();
        let cols = cols?;
        (1..self.rows.len()).find(|&r| cols.iter().all(|(i, v)| self.rows[r].get(*i) == Some(*v)))
    }

    fn set(&mut self, row: usize, column: &str, value: &str) {
        let i = match self.column(column) {
            Some(i) => i,
            None => {
                self.rows[0].push(column.to_string());
                self.rows[0].len() - 1
            }
        };
        let cells = &mut self.rows[row];
        if cells.len() <= i {
            cells.resize(i + 1, String::new());
        }
        cells[i] = value.to_string();
    }

    fn to_csv(&self) -> Result<String, csv::Error> {
        let width = self.rows.first().map_or(0, Vec::len);
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for r in &self.rows {
            let mut r = r.clone();
            if r.len() < width {
                r.resize(width, String::new());
            }
            w.write_record(&r)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8(bytes).expect("cells are UTF-8"))
    }
}

/// A refusal in Chinese, with the core's English wording after it.
pub fn describe(r: &Refusal) -> String {
    let zh = match r {
        Refusal::Damaged(_) => "文件已损坏或不是审校文件",
        Refusal::FormatVersion(_) => "审校文件格式版本不同",
        Refusal::KitVersion { .. } => "审校是在另一个版本的工具包上做的",
        Refusal::SurveyVersion { .. } => "审校是在另一个版本的问卷上做的",
        Refusal::NoReviewer => "文件没有审校人姓名",
        Refusal::UnknownKey(_) => "本工具包没有这条文字",
        Refusal::Duplicate(_) => "同一条文字在文件中出现两次",
        Refusal::NotYi { .. } => "彝文栏里有非彝文字符",
    };
    format!("{zh}：{r}")
}
