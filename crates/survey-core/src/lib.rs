//! Pure survey logic for the bilingual (Yi / Chinese) household survey kit: no browser,
//! no clock, builds natively and for `wasm32-unknown-unknown`.
//!
//! - [`definition`]: raw XLSForm-model tables ([`RawSurvey`]), serde (JSON) for embedding;
//! - [`loader`] (feature `csv`, on by default): `surveys/<id>/*.csv` → [`RawSurvey`];
//! - [`Survey::compile`]: lint + compile to a [`Survey`] (tree of [`Item`]s), reporting
//!   every [`Problem`] with its table and row; nested repeats are rejected;
//! - [`expr`]: the expression engine (ODK XPath semantics, see its docs);
//! - [`answers`]: [`Answers`], [`Record`], [`FieldPath`], warning acknowledgements;
//! - [`defaults`]: XLSForm `default`, static or dynamic as pyxform decides
//!   ([`Survey::new_answers`], [`Survey::new_member`] give a new record's and member's);
//! - [`validate`]: [`Survey::evaluate`] → [`Evaluation`] (relevance, calculated values,
//!   errors, warnings, section status) and [`Survey::visible_choices`];
//! - [`id_number`]: resident ID numbers (GB 11643-1999);
//! - [`checks`]: `validator` functions and the [`checks::EnumeratorProfile`];
//! - [`exchange`]: the export file (JSON, versioned, with its JSON Schema), CSV tables,
//!   import checks and the merge preview;
//! - [`forms`]: the index of published forms (`forms/index.json`) and reading a published
//!   form as the app does at start;
//! - [`concurrent`]: merging two versions of a household edited at the same time;
//! - [`translation`]: every Yi text of the kit with its place and review status, counts
//!   and the consistency list (used by the review mode and the translators' tools);
//! - [`corrections`]: the translators' corrections file and what applying it may change;
//! - [`media`]: photo references and locations (`image`, `geopoint`, `parameters`);
//! - [`yi`]: the Yi Pinyin of every syllable (from the UCD) and the "is this Yi" check.
//!
//! Non-relevant answers are kept in the record but not validated, read as blank in
//! expressions and not exported ([`Evaluation::export_answers`]).
//!
//! ```
//! use survey_core::{Answers, Context, FieldPath, RawSurvey, Survey};
//! let raw = RawSurvey::from_json(r#"{
//!   "settings": {"form_id": "demo", "version": "1", "form_title::zh": "示例", "form_title::ii": "ꀉ", "ii_status": "draft"},
//!   "survey": [
//!     {"type": "integer", "name": "size", "label::zh": "人数", "label::ii": "ꊿ", "ii_status": "draft",
//!      "required": "yes", "constraint": ". > 0"}
//!   ]
//! }"#).unwrap();
//! let survey = Survey::compile(raw).unwrap();
//! let mut answers = Answers::default();
//! answers.set(&FieldPath::top("size"), "0");
//! let ev = survey.evaluate(&answers, &Context::from_iso("2024-05-01").unwrap());
//! assert_eq!(ev.issues()[0].path, FieldPath::top("size"));
//! ```

#![warn(missing_docs)]

pub mod answers;
pub mod checks;
pub mod compact;
mod compile;
pub mod corrections;
pub mod concurrent;
pub mod dates;
pub mod defaults;
pub mod definition;
pub mod envelope;
pub mod exchange;
pub mod expr;
pub mod forms;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod household;
pub mod id_number;
#[cfg(feature = "csv")]
pub mod loader;
pub mod media;
pub mod problem;
pub mod sort;
pub mod survey;
pub mod translation;
pub mod validate;
pub mod yi;

pub use answers::{Acknowledgement, Answers, FieldPath, Record, Values};
pub use definition::{RawChoice, RawRow, RawSettings, RawSurvey};
pub use household::{CopyOf, Event, HistoryEntry, Household, LifecycleError, Status};
#[cfg(feature = "csv")]
pub use loader::load_survey_dir;
pub use problem::{Problem, ProblemKind, Table};
pub use survey::{
    Choice, ChoiceList, FieldType, IiStatus, Item, ItemId, ItemKind, Lang, Survey, Text,
};
pub use validate::{
    builtin_codes, Code, Context, Evaluation, Issue, Message, Rule, SectionState, SectionStatus,
    Severity,
};
