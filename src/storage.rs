//! The one place that reads and writes browser storage (localStorage through gloo-storage).
//!
//! Keys are namespaced with `lsk:` so the kit never touches another app's data on the same
//! origin. Every write reports failure (e.g. a full quota) instead of hiding it.
use gloo_storage::{errors::StorageError, LocalStorage, Storage};
use serde::{de::DeserializeOwned, Serialize};

use crate::i18n::LangMode;

/// Prefix of every key the kit writes.
pub const PREFIX: &str = "lsk:";
/// Key of the interface language mode.
pub const LANG_KEY: &str = "lsk:lang";

/// Reads a value; `None` when absent or unreadable.
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    LocalStorage::get(key).ok()
}

/// Writes a value.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), StorageError> {
    LocalStorage::set(key, value)
}

/// The stored interface language mode, or the default.
pub fn load_lang() -> LangMode {
    load(LANG_KEY).unwrap_or_default()
}

/// Stores the interface language mode.
pub fn save_lang(mode: LangMode) -> Result<(), StorageError> {
    save(LANG_KEY, &mode)
}
