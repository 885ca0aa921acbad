//! The browser's clock, at the edge: the core never reads time, it is handed these values.
use survey_core::Context;

/// Now as an RFC 3339 UTC timestamp (`2026-11-29T10:15:00.000Z`).
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Today's local date as `YYYY-MM-DD` (the tablet's calendar day, not UTC's).
pub fn today_iso() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// The evaluation context for today.
pub fn context() -> Context {
    Context::from_iso(&today_iso()).expect("the browser gives a valid date")
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds since the page started (for timings).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn perf_now() -> f64;
}
