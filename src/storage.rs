//! The one place that reads and writes browser storage (`localStorage`, and the
//! `navigator.storage` manager for the usage estimate and persistence).
//!
//! Keys are namespaced with `lsk:` so the kit never touches another app's data on the same
//! origin. Every write reports failure (a full quota above all) instead of hiding it, and a
//! failed write leaves the stored value as it was (`setItem` is all or nothing).
//!
//! What lives where (the drafts layer, [`crate::drafts::DraftStore`], is the only user of
//! the household keys):
//!
//! | key | value |
//! |---|---|
//! | `lsk:lang` | interface language mode (JSON) |
//! | `lsk:h:<id>` | one household, compact form ([`survey_core::compact`]) or plain JSON |
//! | `lsk:s:<id>` | its summary for the home list (JSON), rebuilt from `lsk:h:` when missing |
//! | `lsk:c:<id>@<tab>` | a tab's own version of a household whose same answers another tab changed differently meanwhile (`sessionStorage` `lsk:tab` holds the tab's id) |
//! | `lsk:schema:<hash>` | field dictionary of compact households (immutable) |
//! | `lsk:trash` | the last deleted household (id), kept for undo until the next delete |
//! | `lsk:profile` | enumerator profile (JSON) |
//! | `lsk:device` | this browser's device id (UUID v4) |
//! | `lsk:review` | the translators' review mode: reviewer, on/off, corrections (JSON) |
//! | `lsk:v:<id>`, `lsk:vs:<id>`, `lsk:vc:<id>@<tab>`, `lsk:vtrash` | the visit log (走访记录): one visit, its summary, a tab's conflict copy, the last deleted visit (as the household keys above) |
//!
//! Photos live in IndexedDB, by reference, in the submodule [`photos`] (database
//! `lsk-photos`).
//!
//! While `localStorage` is full, the version of a household that could not be stored is
//! mirrored to `sessionStorage` (`lsk:p:<id>`, a separate quota that survives a reload of
//! the tab) until it is stored (`lsk:vp:<id>` for a visit).
pub mod photos;

use gloo_storage::{errors::StorageError, LocalStorage, Storage};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::i18n::LangMode;

/// Prefix of every key the kit writes.
pub const PREFIX: &str = "lsk:";
/// Key of the interface language mode.
pub const LANG_KEY: &str = "lsk:lang";
/// Prefix of stored households.
pub const HOUSEHOLD_PREFIX: &str = "lsk:h:";
/// Prefix of household summaries (the index of the home list).
pub const SUMMARY_PREFIX: &str = "lsk:s:";
/// Prefix of conflict copies (this tab's version of a household another tab changed).
pub const CONFLICT_PREFIX: &str = "lsk:c:";
/// Prefix of compact-form schemas.
pub const SCHEMA_PREFIX: &str = "lsk:schema:";
/// Prefix of unsaved versions mirrored to `sessionStorage` while `localStorage` is full.
pub const PENDING_PREFIX: &str = "lsk:p:";
/// Key of the trash (the last deleted household).
pub const TRASH_KEY: &str = "lsk:trash";
/// Prefix of stored visits (the visit log; a visit names its household).
pub const VISIT_PREFIX: &str = "lsk:v:";
/// Prefix of visit summaries (the visit lists).
pub const VISIT_SUMMARY_PREFIX: &str = "lsk:vs:";
/// Prefix of conflict copies of visits.
pub const VISIT_CONFLICT_PREFIX: &str = "lsk:vc:";
/// Prefix of unsaved visits mirrored to `sessionStorage` while `localStorage` is full.
pub const VISIT_PENDING_PREFIX: &str = "lsk:vp:";
/// Key of the visits' trash (the last deleted visit).
pub const VISIT_TRASH_KEY: &str = "lsk:vtrash";
/// Key of the enumerator profile.
pub const PROFILE_KEY: &str = "lsk:profile";
/// Key of the translators' review mode (reviewer, on/off, corrections).
pub const REVIEW_KEY: &str = "lsk:review";
/// Key of this browser's device id.
pub const DEVICE_KEY: &str = "lsk:device";
/// `sessionStorage` key of this tab's id (conflict copies belong to the tab that wrote them).
pub const TAB_KEY: &str = "lsk:tab";
/// `sessionStorage` key of the screen shown in this tab (a reload comes back to it).
pub const SCREEN_KEY: &str = "lsk:screen";
/// Characters (UTF-16 units, keys and values) Chromium, Firefox and Safari allow
/// `localStorage` per origin: 5 Mi.
pub const QUOTA_CHARS: f64 = 5_242_880.0;

/// Why a read or write of storage failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The origin's quota is used up (`QuotaExceededError`).
    Quota,
    /// No `localStorage` at all (disabled, or blocked by the browser's privacy settings).
    Unavailable,
    /// Any other exception, by its name and message.
    Other(String),
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// A `Storage` seen through the two methods below.
    type RawStorage;
    /// `storage.getItem(key)` as the JavaScript value itself (a string or `null`), without
    /// copying it into Rust.
    #[wasm_bindgen(method, catch, js_name = getItem)]
    fn get_item_value(this: &RawStorage, key: &str) -> Result<JsValue, JsValue>;
    /// `storage.setItem(key, value)` with a JavaScript string made beforehand.
    #[wasm_bindgen(method, catch, js_name = setItem)]
    fn set_item_value(this: &RawStorage, key: &str, value: &JsValue) -> Result<(), JsValue>;
}

fn raw_local() -> Result<RawStorage, WriteError> {
    local().map(JsCast::unchecked_into)
}

thread_local! {
    /// `window.localStorage`, once found (asking the window for it on every access costs
    /// more than the access itself).
    static LOCAL: std::cell::RefCell<Option<web_sys::Storage>> = const { std::cell::RefCell::new(None) };
}

fn local() -> Result<web_sys::Storage, WriteError> {
    if let Some(s) = LOCAL.with(|l| l.borrow().clone()) {
        return Ok(s);
    }
    let s = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or(WriteError::Unavailable)?;
    LOCAL.with(|l| *l.borrow_mut() = Some(s.clone()));
    Ok(s)
}

fn classify(e: JsValue) -> WriteError {
    let name = js_sys::Reflect::get(&e, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    // Old Firefox named it NS_ERROR_DOM_QUOTA_REACHED; old WebKit used code 22.
    let code = e.dyn_ref::<web_sys::DomException>().map_or(0, |d| d.code());
    if name == "QuotaExceededError" || name == "NS_ERROR_DOM_QUOTA_REACHED" || code == 22 {
        return WriteError::Quota;
    }
    let message = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    WriteError::Other(format!("{name}: {message}"))
}

/// The raw text stored under `key`; `Ok(None)` when absent.
pub fn get_raw(key: &str) -> Result<Option<String>, WriteError> {
    local()?.get_item(key).map_err(classify)
}

/// Whether `key` holds a value (without copying it out of the browser).
pub fn has(key: &str) -> Result<bool, WriteError> {
    let v = raw_local()?.get_item_value(key).map_err(classify)?;
    Ok(!v.is_null())
}

/// Stores `value` under `key`. On failure the old value stays as it was.
pub fn set_raw(key: &str, value: &str) -> Result<(), WriteError> {
    local()?.set_item(key, value).map_err(classify)
}

/// A value as stored in the browser (a JavaScript string), kept to check cheaply later
/// whether `key` still holds exactly it ([`holds`]).
#[derive(Clone, Debug)]
pub struct StoredText(JsValue);

/// Stores `value` under `key` like [`set_raw`], and returns the stored JavaScript string.
pub fn set_raw_kept(key: &str, value: &str) -> Result<StoredText, WriteError> {
    let js = JsValue::from_str(value);
    raw_local()?.set_item_value(key, &js).map_err(classify)?;
    Ok(StoredText(js))
}

/// Whether `key` holds exactly `text` now: compared in the browser (`===`), without
/// copying the stored value into Rust.
pub fn holds(key: &str, text: &StoredText) -> Result<bool, WriteError> {
    let v = raw_local()?.get_item_value(key).map_err(classify)?;
    Ok(v == text.0)
}

/// Removes `key` (frees its space; never fails for lack of space).
pub fn remove(key: &str) -> Result<(), WriteError> {
    local()?.remove_item(key).map_err(classify)
}

/// Every key of the kit (`lsk:…`) now in storage, in no particular order.
pub fn keys() -> Vec<String> {
    let Ok(s) = local() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    (0..n).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with(PREFIX)).collect()
}

/// UTF-16 units used by every key and value of this origin's `localStorage` (what the
/// quota counts), and the part used by the kit. Lengths are read on the JavaScript side,
/// without copying the values.
pub fn used_chars() -> (f64, f64) {
    let Ok(s) = local() else { return (0.0, 0.0) };
    let get_item = js_sys::Reflect::get(&s, &JsValue::from_str("getItem"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(get_item) = get_item else { return (0.0, 0.0) };
    let n = s.length().unwrap_or(0);
    let (mut all, mut ours) = (0.0, 0.0);
    for i in 0..n {
        let Some(k) = s.key(i).ok().flatten() else { continue };
        let key = JsValue::from_str(&k);
        let v_len = get_item
            .call1(&s, &key)
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::JsString>().ok())
            .map_or(0, |v| v.length());
        let len = f64::from(key.unchecked_ref::<js_sys::JsString>().length() + v_len);
        all += len;
        if k.starts_with(PREFIX) {
            ours += len;
        }
    }
    (all, ours)
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Stores `value` in `sessionStorage` (this tab only; survives a reload).
pub fn session_set(key: &str, value: &str) -> Result<(), WriteError> {
    session().ok_or(WriteError::Unavailable)?.set_item(key, value).map_err(classify)
}

/// Reads `key` from `sessionStorage`.
pub fn session_get(key: &str) -> Option<String> {
    session()?.get_item(key).ok().flatten()
}

/// Removes `key` from `sessionStorage`.
pub fn session_remove(key: &str) -> Result<(), WriteError> {
    session().ok_or(WriteError::Unavailable)?.remove_item(key).map_err(classify)
}

/// The kit's keys in `sessionStorage`.
pub fn session_keys() -> Vec<String> {
    let Some(s) = session() else { return Vec::new() };
    let n = s.length().unwrap_or(0);
    (0..n).filter_map(|i| s.key(i).ok().flatten()).filter(|k| k.starts_with(PREFIX)).collect()
}

/// A change of `localStorage` made by another tab or window of the same origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageChange {
    /// The key changed (`None`: the whole storage was cleared).
    pub key: Option<String>,
    /// Its value before.
    pub old: Option<String>,
    /// Its value now (`None`: removed).
    pub new: Option<String>,
}

/// Calls `f` on every change another tab makes to `localStorage` (`storage` events; a tab
/// never sees its own writes). Remove the returned handle to stop.
pub fn on_change(f: impl Fn(StorageChange) + 'static) -> leptos::prelude::WindowListenerHandle {
    leptos::prelude::window_event_listener(leptos::ev::storage, move |e: web_sys::StorageEvent| {
        let ours = match e.storage_area() {
            Some(area) => local().is_ok_and(|l| JsValue::from(area) == JsValue::from(l)),
            None => true,
        };
        if ours {
            f(StorageChange { key: e.key(), old: e.old_value(), new: e.new_value() });
        }
    })
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    let nav = web_sys::window()?.navigator();
    let sm = js_sys::Reflect::get(&nav, &JsValue::from_str("storage")).ok()?;
    (!sm.is_undefined() && !sm.is_null()).then(|| sm.unchecked_into())
}

fn on_promise(p: js_sys::Promise, f: impl FnOnce(Option<JsValue>) + 'static) {
    let f = std::rc::Rc::new(std::cell::RefCell::new(Some(f)));
    let f2 = f.clone();
    let ok = Closure::once_into_js(move |v: JsValue| {
        if let Some(f) = f.borrow_mut().take() {
            f(Some(v));
        }
    });
    let err = Closure::once_into_js(move |_: JsValue| {
        if let Some(f) = f2.borrow_mut().take() {
            f(None);
        }
    });
    // (The branch not taken stays allocated: one small closure per call, and these calls
    // are rare.)
    let then = js_sys::Reflect::get(&p, &JsValue::from_str("then"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(then) = then {
        let _ = then.call2(&p, &ok, &err);
    }
}

/// `navigator.storage.estimate()`: calls `f` with (usage, quota) in bytes, or `None` where
/// the browser has no storage manager.
pub fn estimate(f: impl FnOnce(Option<(f64, f64)>) + 'static) {
    let Some(p) = storage_manager().and_then(|sm| sm.estimate().ok()) else {
        f(None);
        return;
    };
    on_promise(p, move |v| {
        f(v.map(|v| {
            let e: web_sys::StorageEstimate = v.unchecked_into();
            (e.get_usage().unwrap_or(0.0), e.get_quota().unwrap_or(0.0))
        }))
    });
}

/// `navigator.storage.persist()` (asks the browser not to evict the kit's data under
/// storage pressure): calls `f` with the answer, `None` where unsupported.
pub fn persist(f: impl FnOnce(Option<bool>) + 'static) {
    let Some(p) = storage_manager().and_then(|sm| sm.persist().ok()) else {
        f(None);
        return;
    };
    on_promise(p, move |v| f(v.and_then(|v| v.as_bool())));
}

/// `navigator.storage.persisted()`: whether storage is already persistent.
pub fn persisted(f: impl FnOnce(Option<bool>) + 'static) {
    let Some(p) = storage_manager().and_then(|sm| sm.persisted().ok()) else {
        f(None);
        return;
    };
    on_promise(p, move |v| f(v.and_then(|v| v.as_bool())));
}

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
