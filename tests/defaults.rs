//! Browser tests of XLSForm `default` (wasm-bindgen-test in headless Chromium): the shipped
//! household and visit forms, given static and dynamic defaults as an ODK form would have
//! them, installed as the app installs its published forms; a new household, a new visit
//! and a new roster member (added with the form's button) start with them, dynamic ones
//! evaluated with the browser's date. The expected values come from the core's evaluation
//! of the same expressions (checked against ODK's engine in crates/survey-core/tests).
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use leptos::prelude::*;
use liangshan_survey::drafts::{DraftStore, VisitStore};
use liangshan_survey::form::HouseholdForm;
use liangshan_survey::i18n::{LangMode, UiLanguage};
use liangshan_survey::{clock, forms};
use survey_core::{FieldPath, Household, RawSurvey};
use wasm_bindgen_test::*;

mod common;
use common::{clear, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

/// Sets `default` on the row named `name`.
fn set_default(raw: &mut RawSurvey, name: &str, default: &str) {
    let row = raw
        .survey
        .iter_mut()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"));
    row.set("default", default);
}

/// The name of the first choice of `list`.
fn first_choice(raw: &RawSurvey, list: &str) -> String {
    raw.choices
        .iter()
        .find(|c| c.list_name == list)
        .unwrap_or_else(|| panic!("no list {list}"))
        .name
        .clone()
}

/// The shipped forms with defaults, installed once for this test binary.
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use survey_core::forms::{FormIndex, Role, INDEX_FORMAT};
        let read = |text: &str| RawSurvey::from_json(text).expect("build.rs wrote the shipped survey");
        let mut household = read(include_str!(concat!(env!("OUT_DIR"), "/household-for-tests.json")));
        let mut visit = read(include_str!(concat!(env!("OUT_DIR"), "/visit-for-tests.json")));
        let village = first_choice(&household, "village");
        set_default(&mut household, "village", &village);
        set_default(&mut household, "visit_date", "today()");
        set_default(&mut household, "cadre_name", "村干部");
        set_default(&mut household, "member_name", "concat('成员', position(..))");
        set_default(&mut household, "medical_insurance", "yes");
        let mode = first_choice(&visit, "visit_mode");
        set_default(&mut visit, "visit_mode", &mode);
        set_default(&mut visit, "visit_date", "today()");
        set_default(&mut visit, "promise_due", "date(${visit_date} + 30)");
        let (h, h_text) = survey_core::fixtures::published(&household, Role::Household);
        let (v, v_text) = survey_core::fixtures::published(&visit, Role::Visit);
        let files = BTreeMap::from([(h.file.clone(), h_text), (v.file.clone(), v_text)]);
        let index = FormIndex { format: INDEX_FORMAT, forms: vec![h, v] };
        forms::install(&index.to_json(), &files).unwrap();
    });
}

fn value(h: &Household, path: &str) -> String {
    h.record.answers.get(&path.parse::<FieldPath>().unwrap()).to_string()
}

#[wasm_bindgen_test]
async fn a_new_household_and_its_new_members_start_with_the_forms_defaults() {
    clear();
    install();
    let owner = Owner::new();
    let store = owner.with(DraftStore::provide);
    let h = store.create();
    let survey = forms::household();
    let today = clock::today_iso();
    assert_eq!(value(&h, "visit_date"), today, "today() evaluated with the browser's date");
    assert_eq!(value(&h, "cadre_name"), "村干部");
    assert_eq!(value(&h, "village"), survey.find("village").unwrap().default);
    assert!(h.record.answers.members("members").is_empty());
    // What was stored is what was made.
    let stored = store.load(&h.id).expect("stored");
    assert_eq!(stored.record.answers, h.record.answers);

    // A member added with the form's button.
    let household = RwSignal::new(h);
    let view = Mounted::new(move || {
        provide_context(UiLanguage { mode: RwSignal::new(LangMode::Both) });
        view! { <HouseholdForm household=household on_close=Callback::new(|_| ()) /> }.into_any()
    })
    .await;
    view.click("section-members_section").await;
    view.click("add-member").await;
    view.click("add-member").await;
    let h = household.get_untracked();
    assert_eq!(h.record.answers.members("members").len(), 2);
    let ev = survey.evaluate(&h.record.answers, &clock::context());
    for i in 0..2 {
        let want = ev
            .evaluate_expression("concat('成员', position(..))", Some(("members", i)))
            .unwrap();
        assert_eq!(value(&h, &format!("members[{i}].member_name")), want);
        assert_eq!(value(&h, &format!("members[{i}].medical_insurance")), "yes");
    }
    assert_ne!(value(&h, "members[0].member_name"), value(&h, "members[1].member_name"));
    view.unmount().await;
    drop(owner);
}

#[wasm_bindgen_test]
async fn a_new_visit_starts_with_its_forms_defaults() {
    clear();
    install();
    let owner = Owner::new();
    let visits = owner.with(VisitStore::provide);
    let v = visits.create("household-1").expect("the visit form is installed");
    let survey = forms::visit().unwrap();
    let today = clock::today_iso();
    assert_eq!(value(&v, "visit_date"), today);
    assert_eq!(value(&v, "visit_mode"), survey.find("visit_mode").unwrap().default);
    let ev = survey.evaluate(&v.record.answers, &clock::context());
    let due = ev.evaluate_expression("date(${visit_date} + 30)", None).unwrap();
    assert!(!due.is_empty());
    assert_eq!(value(&v, "promise_due"), due);
    assert_eq!(v.household_id.as_deref(), Some("household-1"));
    drop(owner);
}
