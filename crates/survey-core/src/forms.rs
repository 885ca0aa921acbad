//! Forms as data: the index of the forms an app offers (`forms/index.json` next to the
//! wasm), written by `liangshan-forms publish` and read by the app at start.
//!
//! Each form is a file `<form_id>-<first 16 hex of its SHA-256>.json` holding the survey
//! definition ([`RawSurvey::to_json`]) that [`Survey::compile`] accepted when it was
//! published; the index lists them with their id, version, title, role, size and SHA-256.
//! Publishing a corrected form replaces these files on the server: no build of the app.
use serde::{Deserialize, Serialize};

use crate::definition::RawSurvey;
use crate::survey::{Survey, Text};

/// The index's format version ([`FormIndex::format`]).
pub const INDEX_FORMAT: u32 = 1;

/// The index file's name inside `forms/`.
pub const INDEX_FILE: &str = "index.json";

/// The settings column (a kit extension) naming what a form is for.
pub const ROLE_COLUMN: &str = "role";

/// What a form is for in the app: the register's household survey, or the visit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The household survey: one record per household (the register).
    Household,
    /// The visit log: records linked to a household already on the tablet.
    Visit,
}

impl Role {
    /// The role's name as written in `settings` and in the index.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Household => "household",
            Role::Visit => "visit",
        }
    }

    /// The role named in a survey's settings (`role`; blank: `household`). `Err` holds the
    /// unknown name.
    pub fn of(raw: &RawSurvey) -> Result<Role, String> {
        match raw.settings.get(ROLE_COLUMN).trim() {
            "" | "household" => Ok(Role::Household),
            "visit" => Ok(Role::Visit),
            other => Err(other.to_string()),
        }
    }
}

/// One published form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEntry {
    /// `form_id` from settings.
    pub id: String,
    /// `version` from settings.
    pub version: String,
    /// The form's title.
    pub title: Text,
    /// What the form is for.
    pub role: Role,
    /// The file's name inside `forms/` (content-hashed).
    pub file: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
}

/// `forms/index.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormIndex {
    /// [`INDEX_FORMAT`].
    pub format: u32,
    /// Every form, at most one per role.
    pub forms: Vec<FormEntry>,
}

/// Why a published form cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The index is not JSON of the expected shape, or of another format version.
    #[error("forms/index.json is damaged or of another format: {0}")]
    Index(String),
    /// The index lists no form for this role.
    #[error("forms/index.json lists no {0} form")]
    Missing(&'static str),
    /// The index lists two forms for one role.
    #[error("forms/index.json lists more than one {0} form")]
    Twice(&'static str),
    /// A form's file has another size or SHA-256 than the index says, or did not arrive.
    #[error("forms/{0} is missing or not the published file")]
    File(String),
    /// A form's file is not a definition the kit compiles.
    #[error("forms/{file} is not a valid form: {detail}")]
    Definition {
        /// The file's name.
        file: String,
        /// What is wrong (the first problems, or the JSON error).
        detail: String,
    },
}

impl FormIndex {
    /// Reads `forms/index.json`.
    pub fn from_json(text: &str) -> Result<FormIndex, FormError> {
        let index: FormIndex = serde_json::from_str(text).map_err(|e| FormError::Index(e.to_string()))?;
        if index.format != INDEX_FORMAT {
            return Err(FormError::Index(format!("format {} (this kit reads {INDEX_FORMAT})", index.format)));
        }
        for role in [Role::Household, Role::Visit] {
            if index.forms.iter().filter(|f| f.role == role).count() > 1 {
                return Err(FormError::Twice(role.as_str()));
            }
        }
        Ok(index)
    }

    /// The index as written to `forms/index.json` (pretty, one line per field).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an index always serialises")
    }

    /// The form for `role`, if the index lists one.
    pub fn get(&self, role: Role) -> Option<&FormEntry> {
        self.forms.iter().find(|f| f.role == role)
    }
}

/// The published file's name for a form: `<form_id>-<first 16 hex of sha256>.json`.
pub fn file_name(form_id: &str, sha256: &str) -> String {
    format!("{form_id}-{}.json", &sha256[..16.min(sha256.len())])
}

/// Compiles one published form file as the app does at start: the definition is read
/// and compiled; a file that fails either is refused with its name.
pub fn compile_published(entry: &FormEntry, text: &str) -> Result<(RawSurvey, Survey), FormError> {
    if text.len() as u64 != entry.size {
        return Err(FormError::File(entry.file.clone()));
    }
    let definition = |detail: String| FormError::Definition { file: entry.file.clone(), detail };
    let raw = RawSurvey::from_json(text).map_err(|e| definition(e.to_string()))?;
    let survey = Survey::compile(raw.clone()).map_err(|problems| {
        let first: Vec<String> = problems.iter().take(3).map(ToString::to_string).collect();
        definition(first.join("; "))
    })?;
    if survey.id() != entry.id || survey.version() != entry.version {
        return Err(definition(format!("it is {} {}, the index says {} {}", survey.id(), survey.version(), entry.id, entry.version)));
    }
    Ok((raw, survey))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"{"settings": {"form_id": "t", "version": "2", "form_title::zh": "测", "form_title::ii": "ꉬ", "ii_status": "draft"},
        "survey": [{"type": "integer", "name": "size", "label::zh": "人数", "label::ii": "ꊿ", "ii_status": "draft"}]}"#;

    fn entry(text: &str) -> FormEntry {
        FormEntry {
            id: "t".into(),
            version: "2".into(),
            title: Text { zh: "测".into(), ii: "ꉬ".into() },
            role: Role::Household,
            file: "t-0123456789abcdef.json".into(),
            sha256: "0123456789abcdef".repeat(4),
            size: text.len() as u64,
        }
    }

    #[test]
    fn an_index_reads_back_and_refuses_other_formats_and_two_forms_for_a_role() {
        let index = FormIndex { format: INDEX_FORMAT, forms: vec![entry(FORM)] };
        assert_eq!(FormIndex::from_json(&index.to_json()).unwrap(), index);
        assert_eq!(index.get(Role::Household).unwrap().id, "t");
        assert!(index.get(Role::Visit).is_none());
        let other = index.to_json().replace("\"format\": 1", "\"format\": 2");
        assert!(matches!(FormIndex::from_json(&other), Err(FormError::Index(_))));
        let twice = FormIndex { format: INDEX_FORMAT, forms: vec![entry(FORM), entry(FORM)] };
        assert_eq!(FormIndex::from_json(&twice.to_json()), Err(FormError::Twice("household")));
        assert!(matches!(FormIndex::from_json("{\"forms\": 3}"), Err(FormError::Index(_))));
    }

    #[test]
    fn a_published_file_compiles_only_whole_valid_and_as_listed() {
        let (_, survey) = compile_published(&entry(FORM), FORM).unwrap();
        assert_eq!(survey.version(), "2");
        let cut = &FORM[..FORM.len() - 3];
        assert_eq!(compile_published(&entry(FORM), cut).unwrap_err(), FormError::File(entry(FORM).file));
        assert!(matches!(compile_published(&entry(cut), cut), Err(FormError::Definition { .. })));
        let other = FORM.replace("\"version\": \"2\"", "\"version\": \"3\"");
        assert!(matches!(compile_published(&entry(&other), &other), Err(FormError::Definition { .. })));
    }

    #[test]
    fn the_role_comes_from_settings() {
        let mut raw = RawSurvey::from_json(FORM).unwrap();
        assert_eq!(Role::of(&raw), Ok(Role::Household));
        raw.settings.set(ROLE_COLUMN, "visit");
        assert_eq!(Role::of(&raw), Ok(Role::Visit));
        raw.settings.set(ROLE_COLUMN, "census");
        assert_eq!(Role::of(&raw), Err("census".to_string()));
    }
}
