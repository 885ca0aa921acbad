//! Drafts: every household on this tablet, kept in browser storage so that no answer is
//! ever lost, and the screens around them.
//!
//! - [`DraftStore`] (context): list, load, save, delete with undo, damaged entries, the
//!   enumerator profile and the device id; see [`store`].
//! - [`HomePage`]: the households on this tablet (search, filters, lifecycle, completion,
//!   delete with undo, damaged entries, storage use).
//! - [`HouseholdPage`]: opens one household, autosaves every change before the next one,
//!   warns about another tab editing it, lists answers to fields of another survey version.
//! - [`VisitStore`] (context): the visit log (走访记录), the same store under its own keys;
//!   [`VisitPage`] opens one visit, [`HouseholdVisits`] lists a household's on its page,
//!   [`OrphanVisits`] those whose household is not on this tablet.
//! - [`ProfilePage`]: the enumerator profile, validated with `validator`.
//! - [`StorageBanner`]: storage full / failures, in both languages.
mod banner;
mod home;
mod household_page;
mod profile;
pub mod store;
mod visits;

pub use banner::StorageBanner;
pub use home::{HomePage, PAGE_ROWS, UNDO_SECONDS};
pub use household_page::HouseholdPage;
pub use profile::{profile_error_text, ProfilePage};
pub use visits::{HouseholdVisits, OrphanVisits, VisitPage};
pub use store::{Damaged, DraftStore, HouseholdSummary, SaveOutcome, StoreError, Unsaved, VisitStore, VisitSummary};

use crate::i18n::Bi;
use crate::tr;
use survey_core::{Event, Status};

/// A stored RFC 3339 time as the tablet's local `YYYY-MM-DD HH:MM`.
pub fn local_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The name of a lifecycle status.
pub fn status_text(s: Status) -> Bi {
    match s {
        Status::Draft => tr!(drafts.status.draft),
        Status::Finalized => tr!(drafts.status.finalized),
        Status::Exported => tr!(drafts.status.exported),
    }
}

/// The stable lowercase name of a lifecycle status (`data-status`, CSS classes).
pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Draft => "draft",
        Status::Finalized => "finalized",
        Status::Exported => "exported",
    }
}

/// The name of a history event.
pub fn event_text(e: Event) -> Bi {
    match e {
        Event::Created => tr!(drafts.event.created),
        Event::Finalized => tr!(drafts.event.finalized),
        Event::Reopened => tr!(drafts.event.reopened),
        Event::Exported => tr!(drafts.event.exported),
        Event::Imported => tr!(drafts.event.imported),
    }
}

/// Whether two RFC 3339 UTC stamps fall in the same minute (what the kit shows of a time).
pub fn same_minute(a: &str, b: &str) -> bool {
    a.get(..16).is_some_and(|m| b.get(..16) == Some(m))
}

/// Offers `text` as a JSON file download (damaged entries, for recovery by hand).
pub fn download(file_name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    crate::exchange::browser::download(file_name, text, crate::exchange::browser::JSON_TYPE)
}
