//! One interviewed household as the kit stores and exports it: the [`Record`] of answers
//! wrapped with its identity, survey version, lifecycle status and history.
//!
//! Times are RFC 3339 strings handed in by the caller (the core reads no clock). Unknown
//! keys are kept in `extra`, so a newer app's fields survive a round trip through an older
//! one.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answers::Record;
use crate::checks::EnumeratorProfile;
use crate::validate::Evaluation;

/// Version of the stored household format. Bump it on an incompatible change and keep a
/// reader for the old one.
pub const FORMAT_VERSION: u32 = 1;

/// Where a household is in its lifecycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being filled or corrected.
    #[default]
    Draft,
    /// Checked and closed by the enumerator: no hard errors, every warning acknowledged.
    Finalized,
    /// Finalized and written to an export file at least once.
    Exported,
}

/// What happened to a household, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// Started on this device.
    Created,
    /// Finalized.
    Finalized,
    /// Returned to draft for correction (a reason is recorded).
    Reopened,
    /// Written to an export file.
    Exported,
    /// Brought in from an export file.
    Imported,
}

/// One line of a household's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub event: Event,
    /// Why (required when reopening).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// On an `imported` line: the `modified` of the version brought in, so that which
    /// version a copy started from is known (see [`crate::exchange::relate`]). Absent on
    /// other lines and on import lines written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

impl HistoryEntry {
    /// A line of `event` at `at`, without reason.
    pub fn new(event: Event, at: &str) -> HistoryEntry {
        HistoryEntry { at: at.to_string(), event, reason: None, modified: None }
    }
}

/// Where a copy came from: another version of household `id`, kept as a household of its
/// own (with its own id) when an import found the tablet's version and a file's edited
/// independently — so that neither is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyOf {
    /// The id of the household it is a version of.
    pub id: String,
    /// `exported_at` of the file of that import.
    pub file_exported_at: String,
    /// The tablet (device id) that wrote that file.
    pub file_device: String,
    /// `false`: this is the file's version, kept beside the tablet's ("keep both");
    /// `true`: this is the tablet's own version, kept when the file's replaced it ("take the
    /// file's").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
}

/// Why a lifecycle step was refused. Codes map to translation keys in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// Finalizing with hard errors left.
    #[error("has_errors")]
    HasErrors,
    /// Finalizing with warnings not acknowledged.
    #[error("unacknowledged_warnings")]
    UnacknowledgedWarnings,
    /// The step does not apply in the current status (e.g. reopening a draft).
    #[error("wrong_status")]
    WrongStatus,
    /// Reopening without a reason.
    #[error("reason_required")]
    ReasonRequired,
}

impl LifecycleError {
    /// Stable code, used as a translation key.
    pub fn code(self) -> &'static str {
        match self {
            LifecycleError::HasErrors => "has_errors",
            LifecycleError::UnacknowledgedWarnings => "unacknowledged_warnings",
            LifecycleError::WrongStatus => "wrong_status",
            LifecycleError::ReasonRequired => "reason_required",
        }
    }
}

/// One household: identity, survey version, lifecycle and answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// Stable unique id (a UUID made where the household was started).
    pub id: String,
    /// Stored format version ([`FORMAT_VERSION`]).
    #[serde(default = "format_version")]
    pub format: u32,
    /// `form_id` of the survey it was started with.
    pub survey_id: String,
    /// Survey version it was started with (a draft from another version still opens).
    pub survey_version: String,
    /// Lifecycle status.
    #[serde(default)]
    pub status: Status,
    /// When started (RFC 3339).
    pub created: String,
    /// Last change (RFC 3339).
    pub modified: String,
    /// When last finalized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalized: Option<String>,
    /// When last exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported: Option<String>,
    /// The enumerator who interviewed the household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enumerator: Option<EnumeratorProfile>,
    /// The device (browser) id it was started on.
    #[serde(default)]
    pub device: String,
    /// What happened to it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Set on a copy kept when an import found the tablet's version and a file's edited
    /// independently: which household it is a version of, and which import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<CopyOf>,
    /// On a visit record (the visit log, `docs/export-format.md` "Visits"): the `id` of the
    /// household visited. `None` on a household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<String>,
    /// Answers and warning acknowledgements.
    #[serde(default)]
    pub record: Record,
    /// Unknown keys, kept as they are.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn format_version() -> u32 {
    FORMAT_VERSION
}

impl Household {
    /// A new, empty draft.
    pub fn new(
        id: String,
        survey_id: &str,
        survey_version: &str,
        device: String,
        now: &str,
    ) -> Household {
        Household {
            id,
            format: FORMAT_VERSION,
            survey_id: survey_id.to_string(),
            survey_version: survey_version.to_string(),
            status: Status::Draft,
            created: now.to_string(),
            modified: now.to_string(),
            finalized: None,
            exported: None,
            enumerator: None,
            device,
            history: vec![HistoryEntry::new(Event::Created, now)],
            copy_of: None,
            household_id: None,
            record: Record::default(),
            extra: BTreeMap::new(),
        }
    }

    /// Whether answers may be changed (only drafts are editable).
    pub fn is_editable(&self) -> bool {
        self.status == Status::Draft
    }

    /// Finalizes a draft whose evaluation has no hard errors and no unacknowledged warnings.
    pub fn finalize(&mut self, ev: &Evaluation, now: &str) -> Result<(), LifecycleError> {
        if self.status != Status::Draft {
            return Err(LifecycleError::WrongStatus);
        }
        if ev.errors().next().is_some() {
            return Err(LifecycleError::HasErrors);
        }
        if ev.unacknowledged_warnings().next().is_some() {
            return Err(LifecycleError::UnacknowledgedWarnings);
        }
        self.status = Status::Finalized;
        self.finalized = Some(now.to_string());
        self.modified = now.to_string();
        self.history.push(HistoryEntry::new(Event::Finalized, now));
        Ok(())
    }

    /// Returns a finalized or exported household to draft for correction, recording why.
    pub fn reopen(&mut self, reason: &str, now: &str) -> Result<(), LifecycleError> {
        if self.status == Status::Draft {
            return Err(LifecycleError::WrongStatus);
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LifecycleError::ReasonRequired);
        }
        self.status = Status::Draft;
        self.modified = now.to_string();
        self.history.push(HistoryEntry { reason: Some(reason.to_string()), ..HistoryEntry::new(Event::Reopened, now) });
        Ok(())
    }

    /// Records that a finalized household was written to an export file. Exporting again is
    /// allowed; a draft exported as part of a backup keeps its status.
    pub fn mark_exported(&mut self, now: &str) {
        if self.status != Status::Draft {
            self.status = Status::Exported;
        }
        self.exported = Some(now.to_string());
        self.history.push(HistoryEntry::new(Event::Exported, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, FieldPath, RawSurvey, Survey};

    fn survey() -> Survey {
        Survey::compile(
            RawSurvey::from_json(
                r#"{"settings": {"form_id": "t", "version": "1", "form_title::zh": "测", "form_title::ii": "ꉬ", "ii_status": "draft"},
                "survey": [{"type": "integer", "name": "n", "label::zh": "数", "label::ii": "ꉬ", "ii_status": "draft",
                  "required": "yes", "warning": ". < 10", "warning_message::zh": "大", "warning_message::ii": "ꉬ"}]}"#,
            )
            .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn lifecycle_draft_finalize_reopen_export() {
        let s = survey();
        let cx = Context::from_iso("2026-11-29").unwrap();
        let mut h = Household::new(
            "h1".into(),
            s.id(),
            s.version(),
            "dev".into(),
            "2026-11-29T08:00:00Z",
        );
        assert!(h.is_editable());
        let ev = s.evaluate_record(&h.record, &cx);
        assert_eq!(h.finalize(&ev, "t1"), Err(LifecycleError::HasErrors));

        h.record.answers.set(&FieldPath::top("n"), "12");
        let ev = s.evaluate_record(&h.record, &cx);
        assert_eq!(
            h.finalize(&ev, "t1"),
            Err(LifecycleError::UnacknowledgedWarnings)
        );
        h.record
            .acknowledge(FieldPath::top("n"), "12", Some("真的".into()));
        let ev = s.evaluate_record(&h.record, &cx);
        assert_eq!(h.finalize(&ev, "t2"), Ok(()));
        assert_eq!(h.status, Status::Finalized);
        assert!(!h.is_editable());
        assert_eq!(h.finalize(&ev, "t3"), Err(LifecycleError::WrongStatus));

        assert_eq!(h.reopen("  ", "t4"), Err(LifecycleError::ReasonRequired));
        assert_eq!(h.reopen("身份证号抄错", "t4"), Ok(()));
        assert_eq!(h.status, Status::Draft);
        assert_eq!(h.reopen("again", "t5"), Err(LifecycleError::WrongStatus));

        h.mark_exported("t6");
        assert_eq!(h.status, Status::Draft, "a draft in a backup stays a draft");
        let ev = s.evaluate_record(&h.record, &cx);
        h.finalize(&ev, "t7").unwrap();
        h.mark_exported("t8");
        assert_eq!(h.status, Status::Exported);
        assert_eq!(h.exported.as_deref(), Some("t8"));
        let events: Vec<Event> = h.history.iter().map(|e| e.event).collect();
        assert_eq!(
            events,
            [
                Event::Created,
                Event::Finalized,
                Event::Reopened,
                Event::Exported,
                Event::Finalized,
                Event::Exported
            ]
        );
        assert_eq!(h.history[2].reason.as_deref(), Some("身份证号抄错"));
    }

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let json = r#"{"id":"h","survey_id":"s","survey_version":"0.9","created":"a","modified":"b",
            "record":{"answers":{"values":{"gone_field":"x"}}},"from_the_future":{"k":[1,2]}}"#;
        let h: Household = serde_json::from_str(json).unwrap();
        assert_eq!(h.format, FORMAT_VERSION);
        assert_eq!(h.status, Status::Draft);
        let back: serde_json::Value = serde_json::to_value(&h).unwrap();
        assert_eq!(back["from_the_future"], serde_json::json!({"k": [1, 2]}));
        assert_eq!(back["record"]["answers"]["values"]["gone_field"], "x");
    }
}
