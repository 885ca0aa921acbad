//! The export file, version 1: the serde types, from which the JSON Schema
//! (`schema/export-v1.schema.json`) is generated with schemars (feature `schema`).
//!
//! These types are the *exchange* format, deliberately separate from the stored
//! [`crate::Household`]: storage may change with the app, a format version given to the
//! bureau may not. Field documentation below becomes the schema's descriptions.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// Value of the top-level `format` key of every export file.
pub const FORMAT_NAME: &str = "liangshan-survey-export";

/// The format version this kit writes, and the newest it reads.
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// One export file: who made it, when, with which survey, the label dictionary and the
/// households.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(title = "Liangshan household survey export, format version 1"))]
pub struct ExportFile {
    /// Always `liangshan-survey-export`.
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::format_name"))]
    pub format: String,
    /// Format version: 1. A reader refuses a file with a newer version than it knows.
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::format_version"))]
    pub format_version: u32,
    /// `bureau`: the finalized households (or a chosen set) for the bureau; `backup`: every
    /// household on the tablet, drafts included, with everything needed to restore them.
    pub kind: ExportKind,
    /// The survey (definition) the answers and the dictionary belong to.
    pub survey: SurveyRef,
    /// The app that wrote the file.
    pub app: AppInfo,
    /// When the file was written (RFC 3339, with the writing tablet's UTC offset, e.g.
    /// `2026-11-29T18:15:07.250+08:00`: its local date and time, which the file name repeats).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub exported_at: String,
    /// The enumerator profile of the tablet that wrote the file, if one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enumerator: Option<Enumerator>,
    /// Id of the tablet (browser) that wrote the file.
    #[serde(default)]
    pub device: String,
    /// Number of households in `households`.
    pub household_count: usize,
    /// Labels in both languages of every field and choice of the survey, and field types.
    pub dictionary: Dictionary,
    /// The households.
    pub households: Vec<ExportHousehold>,
    /// The visit log's survey (`liangshan_visit`), when the file has visit records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_survey: Option<SurveyRef>,
    /// Labels and types of the visit survey, as `dictionary`, when the file has visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_dictionary: Option<Dictionary>,
    /// Number of records in `visits` (present when the file has visits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_count: Option<usize>,
    /// Visit records (走访记录): each one visit or phone call to the household `household_id`.
    /// Same keys as a household. A bureau file holds finalized visits; a backup every visit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visits: Vec<ExportHousehold>,
}

/// What an export file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// For the bureau: answers of relevant questions only.
    Bureau,
    /// A backup of the tablet: also the kept answers of questions that are not relevant.
    Backup,
}

/// The survey definition a file was written with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct SurveyRef {
    /// `form_id` (e.g. `liangshan_household`).
    pub id: String,
    /// Survey version (e.g. `2026.11.1`).
    pub version: String,
    /// Survey title.
    pub title: Label,
}

/// The app that wrote a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AppInfo {
    /// Package name (`liangshan-survey`).
    pub name: String,
    /// App version.
    pub version: String,
}

/// A text in Chinese (`zh`) and Nuosu Yi (`ii`). A blank Yi text means "not translated".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Label {
    /// Chinese.
    pub zh: String,
    /// Nuosu Yi (language code `ii`).
    pub ii: String,
}

/// The enumerator who interviewed a household or wrote a file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Enumerator {
    /// Name.
    pub name: String,
    /// Mobile number.
    pub phone: String,
    /// Work unit.
    pub unit: String,
}

/// Field types and labels of the whole survey, once per file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Dictionary {
    /// Every field, group and repeat by name (names are unique in a survey), in form order.
    pub fields: Vec<FieldEntry>,
    /// Every choice list by list name: its choices in order.
    pub choices: BTreeMap<String, Vec<ChoiceEntry>>,
}

/// One field, group or repeat of the survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct FieldEntry {
    /// Field name: the key of its value in `answers` (or in a member object).
    pub name: String,
    /// `text`, `integer`, `decimal`, `date`, `select_one`, `select_multiple`, `image`, `geopoint`, `note`,
    /// `calculate`, `group` or `repeat`.
    #[serde(rename = "type")]
    pub kind: String,
    /// For select fields: the choice list (a key of `dictionary.choices`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// For fields inside a repeat: the repeat's name (e.g. `members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<String>,
    /// True when the value is computed by the survey (not typed by the enumerator). It is
    /// exported for convenience and recomputed, not imported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub calculated: bool,
    /// The question text (absent on hidden calculations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

/// One choice of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ChoiceEntry {
    /// The stable choice name: what answers hold.
    pub name: String,
    /// Its label.
    pub label: Label,
}

/// A typed answer of a top-level field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum Answer {
    /// `integer` and `decimal` fields, and calculations giving a number.
    Number(Number),
    /// `text`, `date` (`YYYY-MM-DD`), `select_one` (a choice name) and other calculations;
    /// also a number field whose text is not a plain number (kept as typed).
    Text(String),
    /// `select_multiple`: the chosen choice names, in the order chosen.
    Choices(Vec<String>),
    /// A repeat (the `members` roster): one object per member, field name → value.
    Members(Vec<BTreeMap<String, MemberAnswer>>),
}

/// A typed answer of a field inside a repeat (same rules as [`Answer`], no nesting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum MemberAnswer {
    /// A number.
    Number(Number),
    /// A text, date or choice name.
    Text(String),
    /// The choice names of a `select_multiple` field.
    Choices(Vec<String>),
}

/// Answers kept as the tablet stores them (strings; multi-selects space-separated), used
/// for `unknown_answers` and `hidden_answers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RawAnswers {
    /// Top-level values by field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Repeat name → members (in roster order, so member *i* here is member *i* of
    /// `answers`), each field name → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repeats: BTreeMap<String, Vec<BTreeMap<String, String>>>,
}

impl RawAnswers {
    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.repeats.is_empty()
    }
}

/// Lifecycle status of a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportStatus {
    /// Still being filled in (only in backups).
    Draft,
    /// Checked and closed by the enumerator.
    Finalized,
    /// Finalized and exported at least once before.
    Exported,
}

/// What happened to a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportEvent {
    /// Started.
    Created,
    /// Finalized.
    Finalized,
    /// Returned to draft for a correction (with a reason).
    Reopened,
    /// Written to an export file.
    Exported,
    /// Brought in from an export file.
    Imported,
}

/// One line of a household's history (the correction history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ExportHistoryEntry {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub event: ExportEvent,
    /// Why (given when a household was reopened for correction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// On an `imported` line: the `modified` of the version that was brought in (tells
    /// which version a copy on another tablet started from). Absent on other lines, and on
    /// import lines written by kit versions that did not record it.
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// Where a copy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ExportCopyOf {
    /// The id of the household it is another version of.
    pub id: String,
    /// `exported_at` of the file it was brought in from.
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub file_exported_at: String,
    /// The tablet that wrote that file.
    pub file_device: String,
    /// `true` when this is the tablet's own version, kept as a copy when the file's version
    /// replaced it; absent (false) when this is the file's version kept beside the tablet's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
}

/// A soft warning the enumerator acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct AcknowledgedWarning {
    /// Where: `field` or `repeat[index].field` (0-based, e.g. `members[2].birth_date`).
    pub path: String,
    /// The value the field had when the warning was acknowledged (the acknowledgement
    /// holds while the value stays the same).
    pub value: String,
    /// The reason the enumerator gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The warning as the survey words it, when it is currently shown and acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Label>,
}

/// One household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct ExportHousehold {
    /// Stable unique id (a UUID made on the tablet where the household was started).
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub id: String,
    /// `form_id` of the survey the household was started with.
    pub survey_id: String,
    /// Survey version the household was started with.
    pub survey_version: String,
    /// Lifecycle status.
    pub status: ExportStatus,
    /// When started (RFC 3339).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub created: String,
    /// Last change of the answers or status (RFC 3339). Which of two versions of a
    /// household continues the other is told by their histories and `modified` together
    /// (docs/export-format.md, "Which version continues which").
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub modified: String,
    /// When last finalized.
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalized: Option<String>,
    /// When last exported (this file's `exported_at` for the households it marked).
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported: Option<String>,
    /// The enumerator who interviewed the household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enumerator: Option<Enumerator>,
    /// Id of the tablet the household was started on.
    #[serde(default)]
    pub device: String,
    /// Answers of the relevant questions and the calculated values, by field name, typed:
    /// numbers as numbers, multi-selects as arrays of choice names, dates as `YYYY-MM-DD`
    /// strings, choices as choice names, the roster as an array of member objects.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Answers to fields the survey does not have (from another survey version), kept as
    /// the tablet stored them.
    #[serde(default, skip_serializing_if = "RawAnswers::is_empty")]
    pub unknown_answers: RawAnswers,
    /// Backups only: kept answers of questions that are not relevant any more (hidden by
    /// an earlier answer). Not part of the household's data; kept so a restore loses
    /// nothing.
    #[serde(default, skip_serializing_if = "RawAnswers::is_empty")]
    pub hidden_answers: RawAnswers,
    /// Soft warnings the enumerator acknowledged, with reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledged_warnings: Vec<AcknowledgedWarning>,
    /// What happened to the household, oldest first: creation, finalization, corrections
    /// (reopening with a reason), exports and imports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ExportHistoryEntry>,
    /// On a visit record: the `id` of the household visited (it need not be in the same
    /// file). Absent on a household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<String>,
    /// Present on a copy: another version of household `copy_of.id`, edited independently,
    /// that an import kept as a household of its own so that neither version was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<ExportCopyOf>,
    /// Keys of the stored household this format does not know (written by another kit
    /// version), kept as they are.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Keys of the stored answer record this format does not know, kept as they are.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub record_extra: BTreeMap<String, serde_json::Value>,
    /// Any other key found in the file is kept (and moved into `extra` on import).
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

#[cfg(feature = "schema")]
mod schema {
    use schemars::{json_schema, Schema, SchemaGenerator};

    pub fn format_name(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "const": super::FORMAT_NAME })
    }

    pub fn format_version(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer", "const": super::EXPORT_FORMAT_VERSION })
    }
}
