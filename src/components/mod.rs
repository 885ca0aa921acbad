//! Reusable widgets.
mod language_switch;

pub use language_switch::LanguageSwitch;
