//! Browser tests of the translators' review mode (wasm-bindgen-test in headless Chromium):
//! the i18n override layer, the review state in storage (kept over a remount, a failed
//! write said and kept in memory), corrections shown in place in the survey, non-Yi text
//! refused, and the romanized Yi input.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use liangshan_survey::review::{all_texts, Review, YiKeyboard};
use liangshan_survey::{forms, i18n, storage, tr};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;
use common::{clear, fill_storage, local, settle, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

const Q_KEY: &str = "survey/liangshan_household/survey/head_name/label";
const UI_KEY: &str = "ui/app/subtitle";

/// Mounts something with a review mode provided from storage; returns it with the mount.
async fn with_review() -> (Mounted, Review) {
    let slot: Rc<Cell<Option<Review>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let m = Mounted::new(move || {
        s.set(Some(Review::provide()));
        view! { <p>"review"</p> }
    })
    .await;
    (m, slot.get().expect("provided"))
}

fn text(key: &str) -> survey_core::translation::TextEntry {
    all_texts().into_iter().find(|t| t.key == key).unwrap_or_else(|| panic!("{key}"))
}

fn head_name_ii() -> String {
    forms::household().find("head_name").unwrap().label.as_ref().unwrap().ii.clone()
}

#[wasm_bindgen_test]
fn overrides_replace_one_yi_string_and_only_while_set() {
    common::install_forms();
    let compiled = tr!(app.subtitle);
    let other = tr!(app.title);
    i18n::overrides::set([("app.subtitle".to_string(), "ꆈꌠ".to_string())]);
    assert_eq!(tr!(app.subtitle).ii, "ꆈꌠ");
    assert_eq!(tr!(app.subtitle).zh, compiled.zh);
    assert_eq!(tr!(app.title), other);
    i18n::overrides::set([]);
    assert_eq!(tr!(app.subtitle), compiled);
}

#[wasm_bindgen_test]
async fn corrections_are_stored_shown_in_place_and_read_back() {
    common::install_forms();
    clear();
    let shipped = head_name_ii();
    let (m, review) = with_review().await;
    review.record(&text(Q_KEY), "ꑷꈓ ꌋ ꂓ", "统一").unwrap();
    review.record(&text(UI_KEY), &text(UI_KEY).ii, "").unwrap();
    // Shown in place at once: the survey compiled again with the correction.
    assert_eq!(head_name_ii(), "ꑷꈓ ꌋ ꂓ");
    let stored = local().get_item(storage::REVIEW_KEY).unwrap().expect("stored");
    assert!(stored.contains("ꑷꈓ ꌋ ꂓ") && stored.contains("统一"), "{stored}");
    // Not Yi: refused, nothing stored changes.
    let (msg, what) = review.record(&text(Q_KEY), "ꑷꈓ户主", "").unwrap_err();
    assert_eq!(msg, tr!(review.msg.not_yi));
    assert!(what.contains("U+6237"), "{what}");
    assert!(review.record(&text(Q_KEY), "  ", "").is_err());
    assert_eq!(local().get_item(storage::REVIEW_KEY).unwrap().as_deref(), Some(stored.as_str()));
    m.unmount().await;

    // A fresh start (a reload) reads them back and shows them in place again.
    i18n::overrides::set([]);
    forms::set_overrides(Vec::new());
    assert_eq!(head_name_ii(), shipped);
    let (m, review) = with_review().await;
    let keys: Vec<String> = review.state.get_untracked().corrections.iter().map(|c| c.key.clone()).collect();
    assert_eq!(keys, [Q_KEY, UI_KEY]);
    assert_eq!(head_name_ii(), "ꑷꈓ ꌋ ꂓ");
    let file = review.export_file();
    assert_eq!(file.kit_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(file.surveys[0].version, forms::household().version());
    assert!(file.corrections[1].accepted());
    review.undo(Q_KEY);
    assert_eq!(head_name_ii(), shipped);
    m.unmount().await;
    clear();
}

#[wasm_bindgen_test]
async fn a_failed_write_is_said_and_the_correction_kept_in_memory() {
    common::install_forms();
    clear();
    let (m, review) = with_review().await;
    let fillers = fill_storage();
    review.record(&text(UI_KEY), "ꆈꌠ", "").unwrap();
    assert!(review.failed.get_untracked());
    assert_eq!(review.state.get_untracked().corrections.len(), 1);
    assert_eq!(tr!(app.subtitle).ii, "ꆈꌠ");
    for k in fillers {
        local().remove_item(&k).unwrap();
    }
    review.record(&text(UI_KEY), "ꆈꌠ ꉬ", "").unwrap();
    assert!(!review.failed.get_untracked());
    review.undo(UI_KEY);
    m.unmount().await;
    clear();
}

#[wasm_bindgen_test]
async fn the_romanized_input_types_syllables() {
    common::install_forms();
    let target = RwSignal::new(String::new());
    let m = Mounted::new(move || view! { <YiKeyboard target=target /> }).await;
    m.type_into("yi-pinyin", "NUO").await;
    let cands = m.root.query_selector_all("[data-testid=yi-candidate]").unwrap();
    let names: Vec<String> = (0..cands.length())
        .map(|i| cands.item(i).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-pinyin").unwrap())
        .collect();
    assert_eq!(names[..3], ["nuox", "nuo", "nuop"]);
    m.root
        .query_selector("[data-testid=yi-candidate][data-pinyin=nuo]")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    settle().await;
    assert_eq!(target.get_untracked(), "ꆈ");
    m.click("yi-space").await;
    m.click("yi-backspace").await;
    assert_eq!(target.get_untracked(), "ꆈ");
    m.type_into("yi-pinyin", "zzzz").await;
    assert!(m.has("yi-none"));
}
