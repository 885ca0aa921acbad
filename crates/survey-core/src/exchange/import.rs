//! Reading export files back: bytes → checked [`ImportedFile`] with the households as the
//! tablet stores them, or one [`ImportError`] and nothing else.
//!
//! Reading is all or nothing: a file with one broken household is refused as a whole, so
//! the caller never stores part of a file. Order of checks (each has its code, see
//! [`ImportError::code`]): size, UTF-8 and JSON syntax, this format, format version, survey,
//! completeness, then every household.
use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::format::*;
use super::time::instant;
use crate::answers::{Acknowledgement, Answers, FieldPath, Record, Values};
use crate::checks::EnumeratorProfile;
use crate::household::{CopyOf, Event, HistoryEntry, Household, Status, FORMAT_VERSION};
use crate::survey::Survey;

/// The largest file the kit reads (20 MiB: about 3,000 households with their rosters).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// The largest export `.zip` (a file with photos) the tablet's import reads: its export file
/// within [`MAX_FILE_BYTES`], and photos (100 households × 2 photos of ~250 KB are ~50 MB).
pub const MAX_ZIP_BYTES: usize = 256 * 1024 * 1024;

/// At most this many broken households are listed in [`ImportError::BrokenRecords`].
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// Why a file was refused. [`ImportError::code`] is the translation key in the app
/// (`exchange.error.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("too_large")]
    TooLarge {
        /// Size of the file.
        bytes: usize,
    },
    /// Not UTF-8 text, or not JSON (line and column of the first problem, 1-based; 0 when
    /// the text is not UTF-8).
    #[error("not_json")]
    NotJson {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// JSON, but not an export file of this kit.
    #[error("not_export")]
    NotExport,
    /// An export file of a newer format version than this kit reads.
    #[error("future_version")]
    FutureVersion {
        /// The file's format version.
        version: u64,
    },
    /// An export file of another survey.
    #[error("wrong_survey")]
    WrongSurvey {
        /// The file's survey id.
        found: String,
    },
    /// The file holds no households.
    #[error("no_households")]
    NoHouseholds,
    /// The file says it holds more or fewer households than it does (cut short or edited).
    #[error("incomplete")]
    Incomplete {
        /// `household_count` of the file.
        declared: usize,
        /// Households found.
        found: usize,
    },
    /// Some households cannot be read.
    #[error("broken_records")]
    BrokenRecords {
        /// Total number of broken households.
        count: usize,
        /// The first [`MAX_LISTED_PROBLEMS`] of them.
        records: Vec<BrokenRecord>,
    },
    /// The households chosen do not all fit in the tablet's storage (checked by the app
    /// before it stores any of them: an import is stored whole or not at all).
    #[error("no_room")]
    NoRoom {
        /// Storage the chosen households need (UTF-16 code units, as browsers count).
        needed: usize,
        /// Storage left.
        free: usize,
    },
}

impl ImportError {
    /// Every code, in the order checks are made (each needs a translation).
    pub const CODES: [&'static str; 9] = [
        "too_large",
        "not_json",
        "not_export",
        "future_version",
        "wrong_survey",
        "no_households",
        "incomplete",
        "broken_records",
        "no_room",
    ];

    /// The stable code, used as translation key.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::TooLarge { .. } => "too_large",
            ImportError::NotJson { .. } => "not_json",
            ImportError::NotExport => "not_export",
            ImportError::FutureVersion { .. } => "future_version",
            ImportError::WrongSurvey { .. } => "wrong_survey",
            ImportError::NoHouseholds => "no_households",
            ImportError::Incomplete { .. } => "incomplete",
            ImportError::BrokenRecords { .. } => "broken_records",
            ImportError::NoRoom { .. } => "no_room",
        }
    }
}

/// What is wrong with one household of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordProblem {
    /// Missing keys or values of the wrong type.
    Unreadable,
    /// No id.
    MissingId,
    /// The same id as an earlier household of the file.
    DuplicateId,
    /// A time that is not RFC 3339 (`created`, `modified`, `finalized`, `exported`).
    BadTime,
    /// An answer that cannot be stored (a bad field name or choice name).
    BadValue,
    /// An acknowledged warning on a path that is not a field path.
    BadPath,
    /// Started with another survey.
    WrongSurvey,
    /// A visit record without the id of the household visited (`household_id`).
    MissingHousehold,
}

impl RecordProblem {
    /// Every code (each needs a translation: `exchange.record_problem.<code>`).
    pub const CODES: [&'static str; 8] = [
        "unreadable",
        "missing_id",
        "duplicate_id",
        "bad_time",
        "bad_value",
        "bad_path",
        "wrong_survey",
        "missing_household",
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RecordProblem::Unreadable => "unreadable",
            RecordProblem::MissingId => "missing_id",
            RecordProblem::DuplicateId => "duplicate_id",
            RecordProblem::BadTime => "bad_time",
            RecordProblem::BadValue => "bad_value",
            RecordProblem::BadPath => "bad_path",
            RecordProblem::WrongSurvey => "wrong_survey",
            RecordProblem::MissingHousehold => "missing_household",
        }
    }
}

/// One broken household (or visit record) of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRecord {
    /// A visit record (`visits`), not a household.
    pub visit: bool,
    /// Its position in the file (1-based, as a person counts) among the households, or
    /// among the visits when `visit`.
    pub number: usize,
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// What is wrong.
    pub problem: RecordProblem,
    /// Technical detail (the key or the parser's message), for logs and support; not a
    /// message for users.
    pub detail: String,
}

/// A file that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedFile {
    /// Bureau delivery or backup.
    pub kind: ExportKind,
    /// The survey it was written with.
    pub survey: SurveyRef,
    /// The app that wrote it.
    pub app: AppInfo,
    /// When it was written.
    pub exported_at: String,
    /// The enumerator of the tablet that wrote it.
    pub enumerator: Option<EnumeratorProfile>,
    /// The tablet that wrote it.
    pub device: String,
    /// The households, as the tablet stores them.
    pub households: Vec<Household>,
    /// The visit survey, when the file has visit records.
    pub visit_survey: Option<SurveyRef>,
    /// The visit records, as the tablet stores them (each with its `household_id`).
    pub visits: Vec<Household>,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    format_version: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    kind: ExportKind,
    survey: SurveyRef,
    app: AppInfo,
    exported_at: String,
    #[serde(default)]
    enumerator: Option<Enumerator>,
    #[serde(default)]
    device: String,
    household_count: usize,
    dictionary: Dictionary,
    #[serde(borrow)]
    households: Vec<&'a RawValue>,
    #[serde(default)]
    visit_survey: Option<SurveyRef>,
    #[serde(default)]
    visit_dictionary: Option<Dictionary>,
    #[serde(default)]
    visit_count: Option<usize>,
    #[serde(default, borrow)]
    visits: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct IdProbe {
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// Reads and checks an export file for `survey`, without a visit survey: a file with visit
/// records is refused as [`ImportError::WrongSurvey`] (see [`read_file_with_visits`]).
pub fn read_file(bytes: &[u8], survey: &Survey) -> Result<ImportedFile, ImportError> {
    read_file_with_visits(bytes, survey, None)
}

/// Reads and checks an export file for `survey` (households) and `visit_survey` (the visit
/// log's records, `visits`). Nothing is stored here: the caller saves the records (after
/// [`super::preview`]) only when this succeeded. Visits are checked like households, and each
/// must name the household visited; a file may hold visits and no households.
pub fn read_file_with_visits(bytes: &[u8], survey: &Survey, visit_survey: Option<&Survey>) -> Result<ImportedFile, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotJson { line: 0, column: 0 })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(ImportError::NotJson { line: e.line(), column: e.column() });
    }
    let probe: Probe = serde_json::from_str(text).map_err(|_| ImportError::NotExport)?;
    if probe.format.as_ref().and_then(serde_json::Value::as_str) != Some(FORMAT_NAME) {
        return Err(ImportError::NotExport);
    }
    match probe.format_version.as_ref().and_then(serde_json::Value::as_u64) {
        Some(v) if v > u64::from(EXPORT_FORMAT_VERSION) => return Err(ImportError::FutureVersion { version: v }),
        Some(v) if v >= 1 => {}
        _ => return Err(ImportError::NotExport),
    }
    let env: Envelope<'_> = serde_json::from_str(text).map_err(|_| ImportError::NotExport)?;
    if env.survey.id != survey.id() {
        return Err(ImportError::WrongSurvey { found: env.survey.id });
    }
    let has_visits = !env.visits.is_empty() || env.visit_count.is_some_and(|n| n > 0);
    let visit_survey = match (has_visits, visit_survey) {
        (false, _) => None,
        (true, Some(v)) if env.visit_survey.as_ref().is_some_and(|r| r.id == v.id()) => Some(v),
        (true, _) => {
            let found = env.visit_survey.as_ref().map_or_else(|| "(visits without visit_survey)".to_string(), |r| r.id.clone());
            return Err(ImportError::WrongSurvey { found });
        }
    };
    if env.households.is_empty() && env.visits.is_empty() {
        return Err(ImportError::NoHouseholds);
    }
    if env.household_count != env.households.len() {
        return Err(ImportError::Incomplete { declared: env.household_count, found: env.households.len() });
    }
    if env.visit_count.unwrap_or(0) != env.visits.len() {
        return Err(ImportError::Incomplete { declared: env.visit_count.unwrap_or(0), found: env.visits.len() });
    }

    let mut broken = Records::default();
    let households = broken.read(&env.households, &DictIndex::new(&env.dictionary), survey, false);
    let visits = match (visit_survey, &env.visit_dictionary) {
        (Some(v), Some(d)) => broken.read(&env.visits, &DictIndex::new(d), v, true),
        (Some(v), None) => broken.read(&env.visits, &DictIndex::new(&Dictionary::default()), v, true),
        (None, _) => Vec::new(),
    };
    if broken.count > 0 {
        return Err(ImportError::BrokenRecords { count: broken.count, records: broken.listed });
    }
    Ok(ImportedFile {
        kind: env.kind,
        survey: env.survey,
        app: env.app,
        exported_at: env.exported_at,
        enumerator: env.enumerator.map(profile),
        device: env.device,
        households,
        visit_survey: env.visit_survey.filter(|_| has_visits),
        visits,
    })
}

/// The broken records found so far (households, then visits).
#[derive(Default)]
struct Records {
    count: usize,
    listed: Vec<BrokenRecord>,
}

impl Records {
    /// Reads the records `raws` (households, or visits when `visit`) of `survey`, whose
    /// dictionary in the file is `dict`; the broken ones are counted and listed.
    fn read(&mut self, raws: &[&RawValue], dict: &DictIndex<'_>, survey: &Survey, visit: bool) -> Vec<Household> {
        let mut out = Vec::with_capacity(raws.len());
        let mut seen: HashSet<String> = HashSet::with_capacity(raws.len());
        for (i, raw) in raws.iter().enumerate() {
            let result = serde_json::from_str::<ExportHousehold>(raw.get())
                .map_err(|e| (if lacks_id(raw) { RecordProblem::MissingId } else { RecordProblem::Unreadable }, e.to_string()))
                .and_then(|h| to_household(h, dict, survey))
                .and_then(|h| match (visit, h.household_id.as_deref().map(str::trim)) {
                    (true, None | Some("")) => Err((RecordProblem::MissingHousehold, "household_id".into())),
                    (false, Some(_)) => Err((RecordProblem::BadValue, "household_id".into())),
                    _ => Ok(h),
                });
            let (id, problem, detail) = match result {
                Ok(h) if !seen.insert(h.id.clone()) => (Some(h.id), RecordProblem::DuplicateId, "id".to_string()),
                Ok(h) => {
                    out.push(h);
                    continue;
                }
                Err((problem, detail)) => {
                    let id = serde_json::from_str::<IdProbe>(raw.get())
                        .ok()
                        .and_then(|p| p.id)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .filter(|s| !s.is_empty());
                    (id, problem, detail)
                }
            };
            self.count += 1;
            if self.listed.len() < MAX_LISTED_PROBLEMS {
                self.listed.push(BrokenRecord { visit, number: i + 1, id, problem, detail });
            }
        }
        out
    }
}

/// Whether a household that cannot be read is an object without an id (the key missing,
/// `null`, or a blank text): that is what is wrong with it first.
fn lacks_id(raw: &RawValue) -> bool {
    match serde_json::from_str::<IdProbe>(raw.get()) {
        Ok(p) => match p.id {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::String(s)) => s.trim().is_empty(),
            Some(_) => false,
        },
        Err(_) => false,
    }
}

/// What import needs from the file's own dictionary: which keys are repeats and which
/// values are calculated (recomputed, so not stored).
struct DictIndex<'a> {
    repeats: HashSet<&'a str>,
    calculated: HashSet<&'a str>,
}

impl<'a> DictIndex<'a> {
    fn new(d: &'a Dictionary) -> DictIndex<'a> {
        DictIndex {
            repeats: d.fields.iter().filter(|f| f.kind == "repeat").map(|f| f.name.as_str()).collect(),
            calculated: d.fields.iter().filter(|f| f.calculated).map(|f| f.name.as_str()).collect(),
        }
    }
}

fn profile(e: Enumerator) -> EnumeratorProfile {
    EnumeratorProfile { name: e.name, phone: e.phone, unit: e.unit }
}

type Problem = (RecordProblem, String);

/// Keys of a stored [`Household`] and of its [`Record`]: unknown keys may not use them.
const HOUSEHOLD_KEYS: [&str; 15] = [
    "id", "format", "survey_id", "survey_version", "status", "created", "modified", "finalized", "exported",
    "enumerator", "device", "history", "copy_of", "household_id", "record",
];
const RECORD_KEYS: [&str; 2] = ["answers", "acks"];

fn check_time(key: &str, value: &str) -> Result<(), Problem> {
    instant(value).map(|_| ()).ok_or_else(|| (RecordProblem::BadTime, key.to_string()))
}

/// A name usable as a field (or repeat) name: the text form of a top-level field path.
fn check_name(name: &str) -> Result<(), Problem> {
    match name.parse::<FieldPath>() {
        Ok(p) if p.member.is_none() => Ok(()),
        _ => Err((RecordProblem::BadValue, name.to_string())),
    }
}

fn stored_text(name: &str, a: &MemberAnswer) -> Result<String, Problem> {
    Ok(match a {
        MemberAnswer::Number(n) => n.to_string(),
        MemberAnswer::Text(s) => s.clone(),
        MemberAnswer::Choices(c) => {
            if c.iter().any(|x| x.is_empty() || x.chars().any(char::is_whitespace)) {
                return Err((RecordProblem::BadValue, name.to_string()));
            }
            c.join(" ")
        }
    })
}

fn put(map: &mut Values, name: &str, value: String) {
    // A blank typed answer means "no answer".
    if !value.is_empty() {
        map.insert(name.to_string(), value);
    }
}

fn overlay(answers: &mut Answers, raw: RawAnswers) -> Result<(), Problem> {
    for (k, v) in raw.values {
        check_name(&k)?;
        answers.values.insert(k, v);
    }
    for (r, members) in raw.repeats {
        check_name(&r)?;
        let target = answers.repeats.entry(r).or_default();
        if target.len() < members.len() {
            target.resize_with(members.len(), Values::new);
        }
        for (i, m) in members.into_iter().enumerate() {
            for (k, v) in m {
                check_name(&k)?;
                target[i].insert(k, v);
            }
        }
    }
    Ok(())
}

fn to_household(h: ExportHousehold, dict: &DictIndex<'_>, survey: &Survey) -> Result<Household, Problem> {
    if h.id.trim().is_empty() {
        return Err((RecordProblem::MissingId, "id".into()));
    }
    if h.survey_id != survey.id() {
        return Err((RecordProblem::WrongSurvey, h.survey_id));
    }
    check_time("created", &h.created)?;
    check_time("modified", &h.modified)?;
    if let Some(t) = &h.finalized {
        check_time("finalized", t)?;
    }
    if let Some(t) = &h.exported {
        check_time("exported", t)?;
    }

    let mut answers = Answers::default();
    for (name, a) in h.answers {
        check_name(&name)?;
        if dict.calculated.contains(name.as_str()) {
            continue;
        }
        match a {
            Answer::Members(members) => {
                let mut list = Vec::with_capacity(members.len());
                for m in members {
                    let mut values = Values::new();
                    for (k, v) in m {
                        check_name(&k)?;
                        if !dict.calculated.contains(k.as_str()) {
                            put(&mut values, &k, stored_text(&k, &v)?);
                        }
                    }
                    list.push(values);
                }
                answers.repeats.insert(name, list);
            }
            Answer::Choices(c) if c.is_empty() && dict.repeats.contains(name.as_str()) => {
                answers.repeats.insert(name, Vec::new());
            }
            Answer::Number(n) => put(&mut answers.values, &name, n.to_string()),
            Answer::Text(s) => put(&mut answers.values, &name, s),
            Answer::Choices(c) => {
                let text = stored_text(&name, &MemberAnswer::Choices(c))?;
                put(&mut answers.values, &name, text);
            }
        }
    }
    overlay(&mut answers, h.unknown_answers)?;
    overlay(&mut answers, h.hidden_answers)?;

    let mut acks = BTreeMap::new();
    for w in h.acknowledged_warnings {
        let path: FieldPath = w.path.parse().map_err(|_| (RecordProblem::BadPath, w.path.clone()))?;
        acks.insert(path, Acknowledgement { value: w.value, reason: w.reason });
    }

    let mut extra = h.extra;
    // Keys this format does not know are kept with the household's own unknown keys.
    for (k, v) in h.other {
        extra.entry(k).or_insert(v);
    }
    // Unknown keys are stored beside the known ones: one with a known name would clash.
    if let Some(k) = extra.keys().find(|k| HOUSEHOLD_KEYS.contains(&k.as_str())) {
        return Err((RecordProblem::BadValue, k.clone()));
    }
    if let Some(k) = h.record_extra.keys().find(|k| RECORD_KEYS.contains(&k.as_str())) {
        return Err((RecordProblem::BadValue, k.clone()));
    }
    Ok(Household {
        id: h.id,
        format: FORMAT_VERSION,
        survey_id: h.survey_id,
        survey_version: h.survey_version,
        status: match h.status {
            ExportStatus::Draft => Status::Draft,
            ExportStatus::Finalized => Status::Finalized,
            ExportStatus::Exported => Status::Exported,
        },
        created: h.created,
        modified: h.modified,
        finalized: h.finalized,
        exported: h.exported,
        enumerator: h.enumerator.map(profile),
        device: h.device,
        history: h
            .history
            .into_iter()
            .map(|e| HistoryEntry {
                at: e.at,
                event: match e.event {
                    ExportEvent::Created => Event::Created,
                    ExportEvent::Finalized => Event::Finalized,
                    ExportEvent::Reopened => Event::Reopened,
                    ExportEvent::Exported => Event::Exported,
                    ExportEvent::Imported => Event::Imported,
                },
                reason: e.reason,
                modified: e.modified,
            })
            .collect(),
        copy_of: h.copy_of.map(|c| CopyOf {
            id: c.id,
            file_exported_at: c.file_exported_at,
            file_device: c.file_device,
            replaced: c.replaced,
        }),
        household_id: h.household_id,
        record: Record { answers, acks, extra: h.record_extra },
        extra,
    })
}
