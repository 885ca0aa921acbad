//! Writing export files: households → [`ExportFile`] → JSON text.
//!
//! Typed values are an exact, reversible view of the stored strings: a stored number is
//! written as a JSON number only when that number reads back as the very same text
//! (`"12"` → `12`, `"1.5"` → `1.5`, but `"007"` or `"12.50"` stay strings), and a
//! multi-select as an array only when joining the array with single spaces gives the
//! stored text back. So importing a file gives back exactly the stored answers.
use std::collections::BTreeMap;

use serde_json::Number;

use super::format::*;
use super::time::instant;
use crate::answers::Values;
use crate::checks::EnumeratorProfile;
use crate::household::{Event, Household, Status};
use crate::survey::{FieldType, Item, ItemKind, Survey, Text};
use crate::validate::{Context, Message, Severity};

/// Who writes a file, when, and what for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMeta {
    /// Bureau delivery or full backup.
    pub kind: ExportKind,
    /// Now (RFC 3339). The caller marks the households exported at this time first
    /// ([`Household::mark_exported`]) so the file and the tablet agree.
    pub exported_at: String,
    /// The app's name and version.
    pub app: AppInfo,
    /// The tablet's enumerator profile, if set.
    pub enumerator: Option<EnumeratorProfile>,
    /// The tablet's device id.
    pub device: String,
}

/// Builds the export file of `households` (in the given order).
pub fn export_file(survey: &Survey, households: &[Household], cx: &Context, meta: ExportMeta) -> ExportFile {
    let households: Vec<ExportHousehold> = households.iter().map(|h| export_household(survey, h, cx, meta.kind)).collect();
    ExportFile {
        format: FORMAT_NAME.to_string(),
        format_version: EXPORT_FORMAT_VERSION,
        kind: meta.kind,
        survey: survey_ref(survey),
        app: meta.app,
        exported_at: meta.exported_at,
        enumerator: meta.enumerator.map(enumerator),
        device: meta.device,
        household_count: households.len(),
        dictionary: dictionary(survey),
        households,
        visit_survey: None,
        visit_dictionary: None,
        visit_count: None,
        visits: Vec::new(),
    }
}

/// Adds the visit records `visits` (of the visit survey `survey`, in the given order) to
/// `file`: `visit_survey`, `visit_dictionary`, `visit_count` and `visits`. Nothing is added
/// when `visits` is empty. The caller marks them exported first, as it does households.
pub fn add_visits(file: &mut ExportFile, survey: &Survey, visits: &[Household], cx: &Context) {
    if visits.is_empty() {
        return;
    }
    file.visits = visits.iter().map(|v| export_household(survey, v, cx, file.kind)).collect();
    file.visit_count = Some(file.visits.len());
    file.visit_survey = Some(survey_ref(survey));
    file.visit_dictionary = Some(dictionary(survey));
}

fn survey_ref(survey: &Survey) -> SurveyRef {
    SurveyRef { id: survey.id().to_string(), version: survey.version().to_string(), title: label(survey.title()) }
}

/// The file as JSON text (indented by one space: readable in a text editor, and about
/// 30 % smaller than two-space indentation).
pub fn to_json(file: &ExportFile) -> String {
    let mut out = Vec::with_capacity(4096 + file.households.len() * 6000);
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(file, &mut ser).expect("export types always serialise");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

pub(crate) fn label(t: &Text) -> Label {
    Label { zh: t.zh.clone(), ii: t.ii.clone() }
}

pub(crate) fn enumerator(p: EnumeratorProfile) -> Enumerator {
    Enumerator { name: p.name, phone: p.phone, unit: p.unit }
}

/// The type name of an item in the dictionary.
pub(crate) fn kind_name(it: &Item) -> &'static str {
    match &it.kind {
        ItemKind::Group => "group",
        ItemKind::Repeat => "repeat",
        ItemKind::Field(t) => match t {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Date => "date",
            FieldType::SelectOne { .. } => "select_one",
            FieldType::SelectMultiple { .. } => "select_multiple",
            FieldType::Note => "note",
            FieldType::Calculate => "calculate",
            FieldType::Image => "image",
            FieldType::Geopoint => "geopoint",
        },
    }
}

/// Labels and types of every item and choice of the survey.
pub fn dictionary(survey: &Survey) -> Dictionary {
    let fields = survey
        .items()
        .iter()
        .map(|it| FieldEntry {
            name: it.name.clone(),
            kind: kind_name(it).to_string(),
            list: it.field_type().and_then(FieldType::list).map(str::to_string),
            repeat: survey.repeat_of(it).filter(|r| r.id != it.id).map(|r| r.name.clone()),
            calculated: it.is_calculated(),
            label: it.label.as_ref().map(label),
        })
        .collect();
    let choices = survey
        .lists()
        .map(|l| {
            let entries = l.choices.iter().map(|c| ChoiceEntry { name: c.name.clone(), label: label(&c.label) }).collect();
            (l.name.clone(), entries)
        })
        .collect();
    Dictionary { fields, choices }
}

/// The JSON number whose text is exactly `s`, if there is one.
pub(crate) fn exact_number(s: &str) -> Option<Number> {
    let n = match s.parse::<i64>() {
        Ok(i) => Number::from(i),
        Err(_) => {
            // Only plain decimal notation is a candidate (Rust also reads "inf", "NaN").
            if !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+')) {
                return None;
            }
            Number::from_f64(s.parse::<f64>().ok()?)?
        }
    };
    (n.to_string() == s).then_some(n)
}

/// The choice names of a multi-select text, if it is in canonical form (single spaces).
fn exact_choices(s: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = s.split(' ').map(str::to_string).collect();
    parts.iter().all(|p| !p.is_empty()).then_some(parts)
}

/// How a stored value of a field of type `t` is written.
pub(crate) fn typed(t: Option<&FieldType>, s: &str) -> MemberAnswer {
    match t {
        Some(FieldType::Integer | FieldType::Decimal | FieldType::Calculate) => {
            exact_number(s).map_or_else(|| MemberAnswer::Text(s.to_string()), MemberAnswer::Number)
        }
        Some(FieldType::SelectMultiple { .. }) => {
            exact_choices(s).map_or_else(|| MemberAnswer::Text(s.to_string()), MemberAnswer::Choices)
        }
        _ => MemberAnswer::Text(s.to_string()),
    }
}

fn top_answer(a: MemberAnswer) -> Answer {
    match a {
        MemberAnswer::Number(n) => Answer::Number(n),
        MemberAnswer::Text(s) => Answer::Text(s),
        MemberAnswer::Choices(c) => Answer::Choices(c),
    }
}

pub(crate) fn status(s: Status) -> ExportStatus {
    match s {
        Status::Draft => ExportStatus::Draft,
        Status::Finalized => ExportStatus::Finalized,
        Status::Exported => ExportStatus::Exported,
    }
}

pub(crate) fn event(e: Event) -> ExportEvent {
    match e {
        Event::Created => ExportEvent::Created,
        Event::Finalized => ExportEvent::Finalized,
        Event::Reopened => ExportEvent::Reopened,
        Event::Exported => ExportEvent::Exported,
        Event::Imported => ExportEvent::Imported,
    }
}

fn member_slot(v: &mut Vec<BTreeMap<String, String>>, i: usize) -> &mut BTreeMap<String, String> {
    if v.len() <= i {
        v.resize_with(i + 1, BTreeMap::new);
    }
    &mut v[i]
}

/// Whether `it` is a value-holding field of the repeat `repeat` (`None`: top level).
fn field_in<'s>(survey: &'s Survey, name: &str, repeat: Option<&str>) -> Option<&'s Item> {
    let it = survey.find(name).filter(|it| it.has_value())?;
    let r = survey.repeat_of(it).map(|r| r.name.as_str());
    (r == repeat).then_some(it)
}

/// One household in the export format.
pub fn export_household(survey: &Survey, h: &Household, cx: &Context, kind: ExportKind) -> ExportHousehold {
    let stored = &h.record.answers;
    let ev = survey.evaluate_record(&h.record, cx);
    let relevant = ev.export_answers();

    let mut answers: BTreeMap<String, Answer> = BTreeMap::new();
    for (name, v) in &relevant.values {
        answers.insert(name.clone(), top_answer(typed(survey.find(name).and_then(Item::field_type), v)));
    }
    for (rname, members) in &relevant.repeats {
        // A roster the tablet never started is left out; one emptied again is `[]`.
        if !stored.repeats.contains_key(rname) {
            continue;
        }
        let members = members
            .iter()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), typed(survey.find(k).and_then(Item::field_type), v))).collect())
            .collect();
        answers.insert(rname.clone(), Answer::Members(members));
    }

    // What the typed answers do not give back: unknown fields (always kept) and hidden
    // answers — not relevant, or stored on a calculated field (backups only).
    let mut unknown = RawAnswers::default();
    let mut hidden = RawAnswers::default();
    for (name, v) in &stored.values {
        match field_in(survey, name, None) {
            None => {
                unknown.values.insert(name.clone(), v.clone());
            }
            Some(it) if it.is_calculated() || relevant.values.get(name) != Some(v) => {
                hidden.values.insert(name.clone(), v.clone());
            }
            Some(_) => {}
        }
    }
    for (rname, members) in &stored.repeats {
        if !survey.find(rname).is_some_and(Item::is_repeat) {
            unknown.repeats.insert(rname.clone(), members.clone());
            continue;
        }
        let typed_members: &[Values] = relevant.repeats.get(rname).map_or(&[], Vec::as_slice);
        for (i, m) in members.iter().enumerate() {
            for (name, v) in m {
                match field_in(survey, name, Some(rname)) {
                    None => {
                        member_slot(unknown.repeats.entry(rname.clone()).or_default(), i).insert(name.clone(), v.clone());
                    }
                    Some(it) if it.is_calculated() || typed_members.get(i).and_then(|t| t.get(name)) != Some(v) => {
                        member_slot(hidden.repeats.entry(rname.clone()).or_default(), i).insert(name.clone(), v.clone());
                    }
                    Some(_) => {}
                }
            }
        }
        // A roster hidden as a whole: keep every member, empty ones too.
        if !answers.contains_key(rname) && kind == ExportKind::Backup {
            hidden.repeats.entry(rname.clone()).or_default().resize_with(members.len(), BTreeMap::new);
        }
    }
    if kind == ExportKind::Bureau {
        hidden = RawAnswers::default();
    }

    let acknowledged_warnings = h
        .record
        .acks
        .iter()
        .map(|(path, ack)| {
            let message = ev
                .issues_at(path)
                .find(|i| i.severity == Severity::Warning && i.acknowledged)
                .and_then(|i| match &i.message {
                    Message::Text(t) => Some(label(t)),
                    Message::Code(_) => None,
                });
            AcknowledgedWarning { path: path.to_string(), value: ack.value.clone(), reason: ack.reason.clone(), message }
        })
        .collect();

    ExportHousehold {
        id: h.id.clone(),
        survey_id: h.survey_id.clone(),
        survey_version: h.survey_version.clone(),
        status: status(h.status),
        created: h.created.clone(),
        modified: h.modified.clone(),
        finalized: h.finalized.clone(),
        exported: h.exported.clone(),
        enumerator: h.enumerator.clone().map(enumerator),
        device: h.device.clone(),
        answers,
        unknown_answers: unknown,
        hidden_answers: hidden,
        acknowledged_warnings,
        history: h
            .history
            .iter()
            .map(|e| ExportHistoryEntry {
                at: e.at.clone(),
                event: event(e.event),
                reason: e.reason.clone(),
                modified: e.modified.clone(),
            })
            .collect(),
        copy_of: h.copy_of.as_ref().map(|c| ExportCopyOf {
            id: c.id.clone(),
            file_exported_at: c.file_exported_at.clone(),
            file_device: c.file_device.clone(),
            replaced: c.replaced,
        }),
        household_id: h.household_id.clone(),
        extra: h.extra.clone(),
        record_extra: h.record.extra.clone(),
        other: BTreeMap::new(),
    }
}

/// A file name a person can tell apart from others, safe on every file system:
/// `<survey>_<village>_<YYYY-MM-DD>_<HHMMSS>_<tablet>_<n>户.<ext>`
/// (`liangshan_household_laguo_2026-11-29_181500_3f1c_12户.json`), with `backup_` before the
/// village for backups. Date and time are those of `written` (the file's `exported_at`, an
/// RFC 3339 time with the tablet's UTC offset: its local date and time, as the file says);
/// `<tablet>` is the first four letters or digits of the tablet's device id. So two files of
/// one tablet differ unless written in the same second, and files of two tablets differ.
/// The village is the choice name shared by every household, `mixed` when they differ,
/// `none` when unanswered. `suffix` (e.g. `members`) is added before the extension for the
/// CSV tables.
pub fn file_name(
    survey_id: &str,
    households: &[Household],
    written: &str,
    device: &str,
    kind: ExportKind,
    suffix: &str,
    ext: &str,
) -> String {
    let mut villages = households.iter().map(|h| h.record.answers.values.get("village").map_or("", String::as_str));
    let village = match villages.next() {
        None | Some("") if households.len() <= 1 => "none",
        Some(first) if villages.all(|v| v == first) => {
            if first.is_empty() {
                "none"
            } else {
                first
            }
        }
        _ => "mixed",
    };
    let stamp = match (instant(written), written.get(..10), written.get(11..19)) {
        (Some(_), Some(date), Some(time)) => format!("{date}_{}", time.replace(':', "")),
        _ => written.to_string(),
    };
    let tablet: String = device.chars().filter(char::is_ascii_alphanumeric).take(4).collect::<String>().to_lowercase();
    let mut name = String::from(survey_id);
    if kind == ExportKind::Backup {
        name.push_str("_backup");
    }
    for part in [village, &stamp, if tablet.is_empty() { "none" } else { &tablet }] {
        name.push('_');
        name.push_str(part);
    }
    name.push_str(&format!("_{}户", households.len()));
    if !suffix.is_empty() {
        name.push('_');
        name.push_str(suffix);
    }
    let mut safe = safe_file_name(&name);
    safe.push('.');
    safe.push_str(&safe_file_name(ext));
    safe
}

/// Keeps letters and digits of any script, `-` and `_`; anything else (path separators,
/// `:`, spaces, control characters…) becomes `_`. At most 120 characters.
pub fn safe_file_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(120)
        .collect()
}

/// `draft` / `finalized` / `exported`.
pub(crate) fn status_name(s: Status) -> &'static str {
    match s {
        Status::Draft => "draft",
        Status::Finalized => "finalized",
        Status::Exported => "exported",
    }
}
