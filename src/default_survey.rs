//! The survey the app ships with: `surveys/household`, loaded and linted by the build
//! script and embedded as JSON, compiled once at start-up and kept for the app's lifetime.
use survey_core::{RawSurvey, Survey};

const HOUSEHOLD_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/household.json"));

thread_local! {
    static HOUSEHOLD: &'static Survey = {
        let raw = RawSurvey::from_json(HOUSEHOLD_JSON).expect("the build script wrote a valid definition");
        // The build script already compiled it without problems.
        Box::leak(Box::new(Survey::compile(raw).expect("the build script linted the survey")))
    };
}

/// The compiled household survey (`&'static`: labels can be borrowed by any view).
pub fn household() -> &'static Survey {
    HOUSEHOLD.with(|s| *s)
}
