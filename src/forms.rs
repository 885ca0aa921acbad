//! The forms the app runs: it is an engine, and its forms are files next to the wasm
//! (`forms/index.json` and the definitions it lists, written by `liangshan-forms publish`;
//! see `survey_core::forms`). `assets/boot.js` (in `<head>`) has a worker
//! (`assets/forms-fetch.js`) fetch them while the page and the wasm download
//! (`window.lskForms`, a promise that never rejects); [`load`] reads that result once, before
//! the app mounts, and keeps the compiled forms for the app's lifetime.
//!
//! A missing or broken form file stops the start with [`FormsFailed`], a bilingual message
//! naming the file; nothing stored is read or written before the forms are loaded, so a
//! failed load never touches a household.
//!
//! In the translators' review mode, corrected Yi texts are shown in place: the household
//! survey is compiled again, with them, the next time a screen asks for it
//! ([`set_overrides`]).
use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use survey_core::forms::{compile_published, FormError, FormIndex, Role};
use survey_core::translation::{set_survey_text, TextKey};
use survey_core::{RawSurvey, Survey};
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::T;
use crate::tr;

/// The forms as published (no review corrections).
struct Published {
    index: FormIndex,
    household: RawSurvey,
    /// The visit log's form, when the index lists one.
    visit: Option<RawSurvey>,
}

thread_local! {
    static PUBLISHED: RefCell<Option<&'static Published>> = const { RefCell::new(None) };
    static CURRENT: Cell<Option<&'static Survey>> = const { Cell::new(None) };
    static CURRENT_VISIT: Cell<Option<&'static Survey>> = const { Cell::new(None) };
    /// Corrected survey texts of the review mode: (key, Yi text).
    static OVERRIDES: RefCell<Vec<(TextKey, String)>> = const { RefCell::new(Vec::new()) };
}

/// Checks and installs the forms as published: the index and the household form (the
/// register) are required; the visit form is installed when the index lists one (a broken
/// one stops the start like a broken household form). `files` holds each listed file's
/// text by name.
pub fn install(index_text: &str, files: &std::collections::BTreeMap<String, String>) -> Result<(), FormError> {
    crate::regex::install();
    let index = FormIndex::from_json(index_text)?;
    let entry = index.get(Role::Household).ok_or(FormError::Missing(Role::Household.as_str()))?;
    let text = files.get(&entry.file).ok_or_else(|| FormError::File(entry.file.clone()))?;
    let (household, survey) = compile_published(entry, text)?;
    let visit = match index.get(Role::Visit) {
        Some(entry) => {
            let text = files.get(&entry.file).ok_or_else(|| FormError::File(entry.file.clone()))?;
            let (raw, visit) = compile_published(entry, text)?;
            CURRENT_VISIT.with(|c| c.set(Some(Box::leak(Box::new(visit)))));
            Some(raw)
        }
        None => None,
    };
    let published: &'static Published = Box::leak(Box::new(Published { index, household, visit }));
    PUBLISHED.with(|p| *p.borrow_mut() = Some(published));
    CURRENT.with(|c| c.set(Some(Box::leak(Box::new(survey)))));
    Ok(())
}

/// Reads what `assets/forms-fetch.js` fetched (`window.lskForms`) and installs it ([`install`]).
/// `Err` holds a description naming the file, for [`FormsFailed`].
pub async fn load() -> Result<(), String> {
    let promise = js_sys::Reflect::get(&window(), &JsValue::from_str("lskForms"))
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        .ok_or("forms/index.json was not fetched (boot.js did not run)")?;
    // `{ index, files: { name: text } }`, or `{ error }` when the index did not arrive.
    let value = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| format!("{e:?}"))?;
    let field = |object: &JsValue, name: &str| js_sys::Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let Some(index) = field(&value, "index").as_string() else {
        return Err(field(&value, "error").as_string().unwrap_or_else(|| "forms/index.json did not arrive".into()));
    };
    let listed = field(&value, "files");
    let listed: js_sys::Object = if listed.is_object() { listed.unchecked_into() } else { js_sys::Object::new() };
    let files = js_sys::Object::entries(&listed)
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    install(&index, &files).map_err(|e| e.to_string())
}

/// The index of the forms this app runs.
pub fn index() -> &'static FormIndex {
    &published().index
}

fn published() -> &'static Published {
    PUBLISHED.with(|p| *p.borrow()).expect("the forms are loaded before the app mounts (forms::load)")
}

/// The household survey as published (no review corrections).
pub fn shipped() -> RawSurvey {
    published().household.clone()
}

/// The visit form as published (no review corrections), when there is one.
pub fn shipped_visit() -> Option<RawSurvey> {
    published().visit.clone()
}

/// `published` compiled with the corrected Yi texts of its keys in `overrides`.
fn compile(published: &RawSurvey, overrides: &[(TextKey, String)]) -> &'static Survey {
    crate::regex::install();
    let mut raw = published.clone();
    for (key, ii) in overrides {
        set_survey_text(&mut raw, key, ii);
    }
    // The published survey compiled without problems ([`install`]); a Yi text cannot add
    // one (the review mode only accepts Yi syllables, never radicals), but if it ever did,
    // the published survey is used.
    let survey = Survey::compile(raw).unwrap_or_else(|_| Survey::compile(published.clone()).expect("installed forms compile"));
    Box::leak(Box::new(survey))
}

/// The compiled household survey (`&'static`: labels can be borrowed by any view).
pub fn household() -> &'static Survey {
    if let Some(s) = CURRENT.with(Cell::get) {
        return s;
    }
    let s = OVERRIDES.with(|o| compile(&published().household, &o.borrow()));
    CURRENT.with(|c| c.set(Some(s)));
    s
}

/// The visit log's form (走访记录), when the published forms include one; `None`: this
/// app has no visit log. Shown with the review mode's corrections, like [`household`].
pub fn visit() -> Option<&'static Survey> {
    if let Some(s) = CURRENT_VISIT.with(Cell::get) {
        return Some(s);
    }
    let s = OVERRIDES.with(|o| compile(published().visit.as_ref()?, &o.borrow()).into());
    CURRENT_VISIT.with(|c| c.set(s));
    s
}

/// Sets the corrected Yi texts shown in place of the published ones. When they differ from
/// the last ones, the next [`household`] (and [`visit`]) compiles the survey again (screens already open
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
        CURRENT_VISIT.with(|c| c.set(None));
    }
}

/// The kit's forms could not be read: says so in both languages, with the file and what is
/// wrong, and offers to try again (stored households were not read and are untouched).
#[component]
pub fn FormsFailed(detail: String) -> impl IntoView {
    view! {
        <main class="app-main forms-failed" role="alert" data-testid="forms-failed">
            <h1><T text=tr!(app.title) /></h1>
            <p><T text=tr!(app.forms_failed) /></p>
            <p><small><T text=tr!(app.forms_failed_safe) /></small></p>
            <pre data-testid="forms-failed-detail">{detail}</pre>
            <button class="primary" on:click=|_| { let _ = window().location().reload(); }>
                <T text=tr!(app.forms_retry) />
            </button>
        </main>
    }
}
