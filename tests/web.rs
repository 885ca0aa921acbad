//! Browser tests (wasm-bindgen-test in headless Chromium): components and storage.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use liangshan_survey::i18n::{LangMode, UiLanguage};
use liangshan_survey::{storage, tr, App};
use gloo_storage::Storage;
use wasm_bindgen_test::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = document();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn text_of(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector).unwrap().expect(selector).text_content().unwrap_or_default()
}

async fn tick() {
    leptos::task::tick().await;
}

use wasm_bindgen::JsCast;

#[wasm_bindgen_test]
async fn start_screen_shows_title_in_both_languages_and_switch_persists() {
    common::install_forms();
    gloo_storage::LocalStorage::clear();
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), App);
    tick().await;

    let title = tr!(app.title);
    let shown = text_of(&root, "[data-testid=app-title]");
    assert!(shown.contains(title.zh) && shown.contains(title.ii), "both mode shows both: {shown}");
    assert!(root.query_selector("[data-testid=app-title] [lang=ii]").unwrap().is_some());

    // Switch to Chinese only: the Yi text disappears and the choice is stored.
    let zh_button: web_sys::HtmlElement =
        root.query_selector("[data-testid=lang-zh]").unwrap().unwrap().unchecked_into();
    zh_button.click();
    tick().await;
    let shown = text_of(&root, "[data-testid=app-title]");
    assert_eq!(shown, title.zh);
    assert_eq!(storage::load_lang(), LangMode::Zh);

    // Yi only.
    let ii_button: web_sys::HtmlElement =
        root.query_selector("[data-testid=lang-ii]").unwrap().unwrap().unchecked_into();
    ii_button.click();
    tick().await;
    assert_eq!(text_of(&root, "[data-testid=app-title]"), title.ii);
    assert_eq!(storage::load_lang(), LangMode::Ii);
}

#[wasm_bindgen_test]
fn language_round_trips_through_local_storage() {
    common::install_forms();
    gloo_storage::LocalStorage::clear();
    assert_eq!(storage::load_lang(), LangMode::Both, "default when nothing is stored");
    storage::save_lang(LangMode::Ii).unwrap();
    assert_eq!(storage::load_lang(), LangMode::Ii);
    // A damaged entry does not break the app: it falls back to the default.
    gloo_storage::LocalStorage::raw().set_item(storage::LANG_KEY, "{not json").unwrap();
    assert_eq!(storage::load_lang(), LangMode::Both);
}

#[wasm_bindgen_test]
fn ui_language_context_defaults_to_both() {
    common::install_forms();
    let owner = Owner::new();
    owner.with(|| {
        let lang = UiLanguage::use_context();
        assert_eq!(lang.mode.get_untracked(), LangMode::Both);
    });
}
