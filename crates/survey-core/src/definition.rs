//! Raw survey definitions: the three XLSForm tables as they are written in
//! `surveys/<id>/{survey,choices,settings}.csv` (see `docs/survey-format.md`).
//!
//! These types are plain data (`Serialize + Deserialize`): the app's build script loads the
//! CSV files with [`crate::loader`], lints them with [`crate::Survey::compile`] and embeds
//! the [`RawSurvey`] as JSON; the app compiles that JSON at start-up without the `csv`
//! feature. Column names are kept as in the CSV (`label::zh`, …); empty cells are "not set"
//! and are left out of the JSON. Columns this kit does not know are kept in `extra`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A whole survey definition: survey rows, choices and settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawSurvey {
    /// Rows of `survey.csv`, in order.
    #[serde(default)]
    pub survey: Vec<RawRow>,
    /// Rows of `choices.csv`, in order.
    #[serde(default)]
    pub choices: Vec<RawChoice>,
    /// The value row of `settings.csv`.
    #[serde(default)]
    pub settings: RawSettings,
}

macro_rules! raw_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $col:literal => $field:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $name {
            /// Spreadsheet row number (header = 1, first data row = 2). `0` when unknown;
            /// [`crate::Survey::compile`] then uses the position in the table.
            #[serde(rename = "_row", default, skip_serializing_if = "is_zero")]
            pub row: u32,
            $(
                $(#[$fmeta])*
                #[serde(rename = $col, default, skip_serializing_if = "is_empty")]
                pub $field: String,
            )*
            /// Columns this kit does not know (filter columns, future columns), kept as is.
            #[serde(flatten)]
            pub extra: BTreeMap<String, String>,
        }

        impl $name {
            /// The column names this type knows (all other columns go to `extra`).
            pub const COLUMNS: &'static [&'static str] = &[$($col),*];

            /// Reads a cell by column name (known column or `extra`); `""` when not set.
            pub fn get(&self, column: &str) -> &str {
                match column {
                    $( $col => &self.$field, )*
                    _ => self.extra.get(column).map_or("", String::as_str),
                }
            }

            /// Sets a cell by column name (known column or `extra`).
            pub fn set(&mut self, column: &str, value: impl Into<String>) {
                let value = value.into();
                match column {
                    $( $col => self.$field = value, )*
                    _ => {
                        if value.is_empty() {
                            self.extra.remove(column);
                        } else {
                            self.extra.insert(column.to_string(), value);
                        }
                    }
                }
            }

            /// All set cells as (column, value), known columns first.
            pub fn cells(&self) -> impl Iterator<Item = (&str, &str)> {
                [$( ($col, self.$field.as_str()), )*]
                    .into_iter()
                    .chain(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    .filter(|(_, v)| !v.is_empty())
            }
        }
    };
}

raw_struct! {
    /// One row of `survey.csv`.
    pub struct RawRow {
        /// `text`, `integer`, `select_one LIST`, `begin_group`, …
        "type" => kind,
        /// Field name (blank on `end_*` rows).
        "name" => name,
        /// Chinese label.
        "label::zh" => label_zh,
        /// Yi label.
        "label::ii" => label_ii,
        /// Chinese hint.
        "hint::zh" => hint_zh,
        /// Yi hint.
        "hint::ii" => hint_ii,
        /// `yes` or an expression.
        "required" => required,
        /// Chinese message when a required answer is missing.
        "required_message::zh" => required_message_zh,
        /// Yi message when a required answer is missing.
        "required_message::ii" => required_message_ii,
        /// Relevance expression.
        "relevant" => relevant,
        /// Constraint expression (hard error when false).
        "constraint" => constraint,
        /// Chinese constraint message.
        "constraint_message::zh" => constraint_message_zh,
        /// Yi constraint message.
        "constraint_message::ii" => constraint_message_ii,
        /// Kit extension: warning expression (soft warning when false).
        "warning" => warning,
        /// Chinese warning message.
        "warning_message::zh" => warning_message_zh,
        /// Yi warning message.
        "warning_message::ii" => warning_message_ii,
        /// Calculation expression.
        "calculation" => calculation,
        /// Choice filter expression.
        "choice_filter" => choice_filter,
        /// Display hint.
        "appearance" => appearance,
        /// Initial value.
        "default" => default,
        /// `yes` for read-only fields.
        "read_only" => read_only,
        /// Expression limiting the number of repeat instances.
        "repeat_count" => repeat_count,
        /// Kit extension: status of the Yi text of this row.
        "ii_status" => ii_status,
        /// Where sourced Yi text came from.
        "ii_source" => ii_source,
        /// Kit extension: who reviewed the row's Yi text (written by `apply-corrections`).
        "ii_reviewer" => ii_reviewer,
        /// Kit extension: when (`YYYY-MM-DD`).
        "ii_reviewed_on" => ii_reviewed_on,
    }
}

raw_struct! {
    /// One row of `choices.csv`.
    pub struct RawChoice {
        /// The list this choice belongs to.
        "list_name" => list_name,
        /// Choice name (the stored value).
        "name" => name,
        /// Chinese label.
        "label::zh" => label_zh,
        /// Yi label.
        "label::ii" => label_ii,
        /// Status of the Yi label.
        "ii_status" => ii_status,
        /// Where sourced Yi text came from.
        "ii_source" => ii_source,
        /// Kit extension: who reviewed the row's Yi text (written by `apply-corrections`).
        "ii_reviewer" => ii_reviewer,
        /// Kit extension: when (`YYYY-MM-DD`).
        "ii_reviewed_on" => ii_reviewed_on,
    }
}

raw_struct! {
    /// The value row of `settings.csv`. Kit settings read with `setting('name')` (e.g.
    /// `income_monitoring_line`) are kept in `extra`.
    pub struct RawSettings {
        /// Survey id.
        "form_id" => form_id,
        /// Survey version.
        "version" => version,
        /// `zh`.
        "default_language" => default_language,
        /// Chinese title.
        "form_title::zh" => form_title_zh,
        /// Yi title.
        "form_title::ii" => form_title_ii,
        /// Status of the Yi title.
        "ii_status" => ii_status,
        /// Where a sourced Yi title came from.
        "ii_source" => ii_source,
        /// Kit extension: who reviewed the Yi title (written by `apply-corrections`).
        "ii_reviewer" => ii_reviewer,
        /// Kit extension: when (`YYYY-MM-DD`).
        "ii_reviewed_on" => ii_reviewed_on,
    }
}

impl RawSurvey {
    /// Parses the JSON form embedded by the app's build script.
    pub fn from_json(json: &str) -> Result<RawSurvey, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Serialises to compact JSON (empty cells left out).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a RawSurvey always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_extra_columns_and_rows() {
        let mut row = RawRow {
            row: 7,
            kind: "text".into(),
            name: "x".into(),
            ..Default::default()
        };
        row.set("media::image", "a.png");
        row.set("label::zh", "姓名");
        let raw = RawSurvey {
            survey: vec![row],
            ..Default::default()
        };
        let json = raw.to_json();
        assert!(json.contains("\"_row\":7"), "{json}");
        assert!(json.contains("\"media::image\":\"a.png\""), "{json}");
        assert!(!json.contains("hint::zh"), "{json}");
        let back = RawSurvey::from_json(&json).unwrap();
        assert_eq!(back, raw);
        assert_eq!(back.survey[0].get("label::zh"), "姓名");
        assert_eq!(back.survey[0].get("media::image"), "a.png");
        assert_eq!(back.survey[0].get("nope"), "");
        let cells: Vec<_> = back.survey[0].cells().collect();
        assert_eq!(
            cells,
            vec![
                ("type", "text"),
                ("name", "x"),
                ("label::zh", "姓名"),
                ("media::image", "a.png")
            ]
        );
    }
}
