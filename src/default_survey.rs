//! The survey the app ships with: `surveys/household`, loaded and linted by the build
//! script and embedded as JSON, compiled at start-up and kept for the app's lifetime.
//!
//! In the translators' review mode, corrected Yi texts are shown in place: the survey is
//! compiled again, with them, the next time a screen asks for it ([`set_overrides`]).
use std::cell::{Cell, RefCell};
use survey_core::translation::{set_survey_text, TextKey};
use survey_core::{RawSurvey, Survey};

const HOUSEHOLD_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/household.json"));

thread_local! {
    static CURRENT: Cell<Option<&'static Survey>> = const { Cell::new(None) };
    /// Corrected survey texts of the review mode: (key, Yi text).
    static OVERRIDES: RefCell<Vec<(TextKey, String)>> = const { RefCell::new(Vec::new()) };
}

/// The survey definition as shipped (no review corrections).
pub fn shipped() -> RawSurvey {
    RawSurvey::from_json(HOUSEHOLD_JSON).expect("the build script wrote a valid definition")
}

fn compile(overrides: &[(TextKey, String)]) -> &'static Survey {
    crate::regex::install();
    let mut raw = shipped();
    for (key, ii) in overrides {
        set_survey_text(&mut raw, key, ii);
    }
    // The build script compiled the shipped survey without problems; a Yi text cannot add
    // one (the review mode only accepts Yi syllables, never radicals), but if it ever did,
    // the shipped survey is used.
    let survey = Survey::compile(raw).unwrap_or_else(|_| Survey::compile(shipped()).expect("the build script linted the survey"));
    Box::leak(Box::new(survey))
}

/// The compiled household survey (`&'static`: labels can be borrowed by any view).
pub fn household() -> &'static Survey {
    if let Some(s) = CURRENT.with(Cell::get) {
        return s;
    }
    let s = OVERRIDES.with(|o| compile(&o.borrow()));
    CURRENT.with(|c| c.set(Some(s)));
    s
}

/// Sets the corrected Yi texts shown in place of the shipped ones. When they differ from
/// the last ones, the next [`household`] compiles the survey again (screens already open
/// keep the survey they have).
pub fn set_overrides(list: Vec<(TextKey, String)>) {
    let changed = OVERRIDES.with(|o| {
        let same = *o.borrow() == list;
        if !same {
            *o.borrow_mut() = list;
        }
        !same
    });
    if changed {
        CURRENT.with(|c| c.set(None));
    }
}
