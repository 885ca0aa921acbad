//! The browser's clock, at the edge: the core never reads time, it is handed these values.
use survey_core::Context;

/// Now as an RFC 3339 UTC timestamp (`2026-11-29T10:15:00.000Z`).
pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Now as an RFC 3339 timestamp in the tablet's local time, with its UTC offset
/// (`2026-11-29T18:15:00.000+08:00`): the same instant as [`now_rfc3339`], and its date and
/// time are what the tablet's calendar and clock show. Export files carry this time, and
/// their names repeat its date and time.
pub fn now_local_rfc3339() -> String {
    let d = js_sys::Date::new_0();
    // getTimezoneOffset: minutes to add to local time to get UTC (−480 in China).
    let offset = -(d.get_timezone_offset() as i32);
    let (sign, abs) = if offset < 0 { ('-', -offset) } else { ('+', offset) };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{sign}{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds(),
        d.get_milliseconds(),
        abs / 60,
        abs % 60
    )
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
