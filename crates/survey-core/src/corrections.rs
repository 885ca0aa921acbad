//! The translators' corrections file: what a reviewer accepted or corrected in the kit's
//! review mode, exported by the app and applied to the sources by the native
//! `apply-corrections` command (crate `translators`). The format and the rules deciding
//! what a correction may change live here, once.
//!
//! ```json
//! {"format": "liangshan-ii-corrections", "format_version": 1, "kit_version": "0.1.0",
//!  "surveys": [{"id": "liangshan_household", "version": "2026.11.1"}],
//!  "reviewer": "阿依", "exported_at": "2026-11-30T10:00:00Z",
//!  "corrections": [{"key": "ui/app/title", "place": "ui/app", "zh": "…",
//!    "ii_before": "…", "ii_after": "…", "comment": "", "at": "2026-11-30T09:58:00Z"}]}
//! ```
//! `ii_after` equal to `ii_before` means "accepted as correct".

use crate::translation::{TextEntry, TextKey};
use crate::yi::{self, NotYi};
use serde::{Deserialize, Serialize};

/// The `format` field of every corrections file.
pub const FORMAT: &str = "liangshan-ii-corrections";
/// The format version this kit writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A survey and its version, as the reviewer's kit had it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyVersion {
    /// `form_id`.
    pub id: String,
    /// `version`.
    pub version: String,
}

/// One reviewed text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// The text's key ([`TextKey`]).
    pub key: String,
    /// Where it appears ([`TextEntry::place`]).
    #[serde(default)]
    pub place: String,
    /// The Chinese text the reviewer saw.
    pub zh: String,
    /// The Yi text before the review (as shipped in the reviewer's kit).
    pub ii_before: String,
    /// The Yi text after the review (the same text: accepted as correct).
    pub ii_after: String,
    /// The reviewer's comment.
    #[serde(default)]
    pub comment: String,
    /// When the reviewer made it (RFC 3339).
    #[serde(default)]
    pub at: String,
}

impl Correction {
    /// Whether the reviewer accepted the text as it was.
    pub fn accepted(&self) -> bool {
        self.ii_before == self.ii_after
    }
}

/// A corrections file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionsFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The kit's version (the app's package version).
    pub kit_version: String,
    /// The surveys the reviewer's kit shipped.
    pub surveys: Vec<SurveyVersion>,
    /// Who reviewed.
    pub reviewer: String,
    /// When the file was exported (RFC 3339).
    pub exported_at: String,
    /// The reviewed texts.
    pub corrections: Vec<Correction>,
}

/// Why a corrections file is refused as a whole (nothing of it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not JSON, or not a corrections file.
    #[error("damaged file, not a corrections file: {0}")]
    Damaged(String),
    /// Another format version.
    #[error("corrections format version {0}, this kit reads version {FORMAT_VERSION}")]
    FormatVersion(u32),
    /// Written by another version of the kit.
    #[error("the corrections were made in kit version {file}, this is kit version {kit}")]
    KitVersion {
        /// In the file.
        file: String,
        /// Here.
        kit: String,
    },
    /// Made on another version of a survey.
    #[error("survey {id}: the corrections were made on version {file}, this is version {kit}")]
    SurveyVersion {
        /// Survey id.
        id: String,
        /// In the file.
        file: String,
        /// Here (`""`: no such survey).
        kit: String,
    },
    /// No reviewer named.
    #[error("the file names no reviewer")]
    NoReviewer,
    /// A key that names no text of this kit.
    #[error("{0}: no such text in this kit")]
    UnknownKey(String),
    /// The same text twice.
    #[error("{0}: corrected twice in one file")]
    Duplicate(String),
    /// The new Yi text is not Yi.
    #[error("{key}: the Yi text is not Yi ({error})")]
    NotYi {
        /// The text's key.
        key: String,
        /// What is wrong.
        error: NotYi,
    },
}

/// Reads a corrections file (JSON): refused when damaged or of another format version.
pub fn parse(json: &str) -> Result<CorrectionsFile, Refusal> {
    #[derive(Deserialize)]
    struct Head {
        format: String,
        format_version: u32,
    }
    let head: Head = serde_json::from_str(json).map_err(|e| Refusal::Damaged(e.to_string()))?;
    if head.format != FORMAT {
        return Err(Refusal::Damaged(format!(
            "format is {:?}, not {FORMAT:?}",
            head.format
        )));
    }
    if head.format_version != FORMAT_VERSION {
        return Err(Refusal::FormatVersion(head.format_version));
    }
    serde_json::from_str(json).map_err(|e| Refusal::Damaged(e.to_string()))
}

/// A text a corrections file changes (its Yi, its status, or both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The correction.
    pub correction: Correction,
    /// The text as it is now.
    pub current: TextEntry,
}

/// A correction not applied because the text changed since the reviewer saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The text's key.
    pub key: String,
    /// Which language changed: `"zh"` or `"ii"`.
    pub changed: &'static str,
    /// What the reviewer saw.
    pub seen: String,
    /// What it is now.
    pub now: String,
}

/// What applying a corrections file would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Texts to replace and/or mark reviewed.
    pub changes: Vec<Change>,
    /// Keys already as the file says (reviewed, same Yi).
    pub unchanged: Vec<String>,
    /// Corrections left out: the text changed since.
    pub stale: Vec<Stale>,
}

/// Decides what a corrections file does to the texts of this kit (`texts`, with the
/// kit's version and surveys). Refused as a whole (every reason listed) when it was made
/// on another kit or survey version, names no reviewer, names an unknown text or one text
/// twice, or has a new Yi text that is not Yi. A text whose Chinese changed since the
/// reviewer saw it, or whose Yi is neither what the reviewer saw nor what they wrote, is
/// stale: reported, not overwritten.
pub fn plan(
    file: &CorrectionsFile,
    texts: &[TextEntry],
    kit_version: &str,
    surveys: &[SurveyVersion],
) -> Result<Plan, Vec<Refusal>> {
    let mut refusals = Vec::new();
    if file.kit_version != kit_version {
        refusals.push(Refusal::KitVersion {
            file: file.kit_version.clone(),
            kit: kit_version.to_string(),
        });
    }
    for s in &file.surveys {
        let here = surveys
            .iter()
            .find(|k| k.id == s.id)
            .map(|k| k.version.as_str())
            .unwrap_or_default();
        if here != s.version {
            refusals.push(Refusal::SurveyVersion {
                id: s.id.clone(),
                file: s.version.clone(),
                kit: here.to_string(),
            });
        }
    }
    if file.reviewer.trim().is_empty() {
        refusals.push(Refusal::NoReviewer);
    }
    let by_key: std::collections::HashMap<&str, &TextEntry> =
        texts.iter().map(|t| (t.key.as_str(), t)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut plan = Plan::default();
    for c in &file.corrections {
        if !seen.insert(c.key.as_str()) {
            refusals.push(Refusal::Duplicate(c.key.clone()));
            continue;
        }
        let Some(current) = by_key
            .get(c.key.as_str())
            .filter(|_| TextKey::parse(&c.key).is_some())
        else {
            refusals.push(Refusal::UnknownKey(c.key.clone()));
            continue;
        };
        if let Err(error) = yi::check_text(&c.ii_after) {
            refusals.push(Refusal::NotYi {
                key: c.key.clone(),
                error,
            });
            continue;
        }
        if current.zh != c.zh {
            plan.stale.push(Stale {
                key: c.key.clone(),
                changed: "zh",
                seen: c.zh.clone(),
                now: current.zh.clone(),
            });
        } else if current.ii == c.ii_after
            && current.status == Some(crate::survey::IiStatus::Reviewed)
        {
            plan.unchanged.push(c.key.clone());
        } else if current.ii != c.ii_before && current.ii != c.ii_after {
            plan.stale.push(Stale {
                key: c.key.clone(),
                changed: "ii",
                seen: c.ii_before.clone(),
                now: current.ii.clone(),
            });
        } else {
            plan.changes.push(Change {
                correction: c.clone(),
                current: (*current).clone(),
            });
        }
    }
    if refusals.is_empty() {
        Ok(plan)
    } else {
        Err(refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::IiStatus;

    fn text(key: &str, zh: &str, ii: &str, status: IiStatus) -> TextEntry {
        TextEntry {
            key: key.into(),
            place: "ui/app".into(),
            question: String::new(),
            list: String::new(),
            zh: zh.into(),
            ii: ii.into(),
            status: Some(status),
        }
    }

    fn file(corrections: Vec<Correction>) -> CorrectionsFile {
        CorrectionsFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            kit_version: "1.0".into(),
            surveys: vec![SurveyVersion {
                id: "s".into(),
                version: "2".into(),
            }],
            reviewer: "阿依".into(),
            exported_at: "2026-11-30T10:00:00Z".into(),
            corrections,
        }
    }

    fn fix(key: &str, zh: &str, before: &str, after: &str) -> Correction {
        Correction {
            key: key.into(),
            place: String::new(),
            zh: zh.into(),
            ii_before: before.into(),
            ii_after: after.into(),
            comment: String::new(),
            at: String::new(),
        }
    }

    #[test]
    fn changes_unchanged_and_stale() {
        let texts = [
            text("ui/app/a", "甲", "ꀀ", IiStatus::Draft),
            text("ui/app/b", "乙", "ꀁ", IiStatus::Reviewed),
            text("ui/app/c", "丙改", "ꀂ", IiStatus::Draft),
            text("ui/app/d", "丁", "ꀄ", IiStatus::Draft),
            text("ui/app/e", "戊", "ꀅ", IiStatus::Draft),
        ];
        let f = file(vec![
            fix("ui/app/a", "甲", "ꀀ", "ꀈ"),
            fix("ui/app/b", "乙", "ꀉ", "ꀁ"),
            fix("ui/app/c", "丙", "ꀂ", "ꀊ"),
            fix("ui/app/d", "丁", "ꀃ", "ꀋ"),
            fix("ui/app/e", "戊", "ꀅ", "ꀅ"),
        ]);
        let surveys = [SurveyVersion {
            id: "s".into(),
            version: "2".into(),
        }];
        let p = plan(&f, &texts, "1.0", &surveys).unwrap();
        let keys: Vec<_> = p
            .changes
            .iter()
            .map(|c| c.correction.key.as_str())
            .collect();
        assert_eq!(keys, ["ui/app/a", "ui/app/e"]);
        assert!(p.changes[1].correction.accepted());
        assert_eq!(p.unchanged, ["ui/app/b"]);
        let stale: Vec<_> = p
            .stale
            .iter()
            .map(|s| (s.key.as_str(), s.changed))
            .collect();
        assert_eq!(stale, [("ui/app/c", "zh"), ("ui/app/d", "ii")]);
    }

    #[test]
    fn refusals_are_all_listed() {
        let texts = [text("ui/app/a", "甲", "ꀀ", IiStatus::Draft)];
        let mut f = file(vec![
            fix("ui/app/a", "甲", "ꀀ", "ꀈ户"),
            fix("ui/app/zz", "甲", "ꀀ", "ꀈ"),
            fix("ui/app/zz", "甲", "ꀀ", "ꀈ"),
        ]);
        f.kit_version = "0.9".into();
        f.reviewer = " ".into();
        let err = plan(&f, &texts, "1.0", &[]).unwrap_err();
        assert_eq!(err.len(), 6, "{err:?}");
        assert!(matches!(err[0], Refusal::KitVersion { .. }));
        assert!(matches!(err[1], Refusal::SurveyVersion { ref kit, .. } if kit.is_empty()));
        assert_eq!(err[2], Refusal::NoReviewer);
        assert!(matches!(err[3], Refusal::NotYi { .. }));
        assert_eq!(err[4], Refusal::UnknownKey("ui/app/zz".into()));
        assert_eq!(err[5], Refusal::Duplicate("ui/app/zz".into()));
    }

    #[test]
    fn parse_refuses_damaged_and_other_formats() {
        let good = serde_json::to_string(&file(vec![])).unwrap();
        assert_eq!(parse(&good).unwrap(), file(vec![]));
        assert!(matches!(
            parse(&good[..good.len() - 3]),
            Err(Refusal::Damaged(_))
        ));
        assert!(matches!(
            parse("{\"format\": \"x\", \"format_version\": 1}"),
            Err(Refusal::Damaged(_))
        ));
        let v2 = good.replace("\"format_version\":1", "\"format_version\":2");
        assert_eq!(parse(&v2), Err(Refusal::FormatVersion(2)));
    }
}
