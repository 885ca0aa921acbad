//! The Leptos CSR app of the Liangshan household survey kit.
//!
//! The survey logic lives in the pure `survey-core` crate; this crate is the edge: pages and
//! widgets, the interface language, and the storage adapter. Components are public so the
//! browser tests in `tests/` can mount them.
pub mod app;
pub mod clock;
pub mod components;
pub mod forms;
pub mod drafts;
pub mod exchange;
pub mod form;
pub mod i18n;
pub mod offline;
pub mod regex;
pub mod review;
pub mod storage;

pub use app::App;
