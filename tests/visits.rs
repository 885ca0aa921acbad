//! Browser tests of the visit log (wasm-bindgen-test in headless Chromium): one store, two
//! kinds of record under their own keys; a visit round-trips; a photo a visit references
//! outlives the household that referenced it too; the visit form's questions outside its
//! group are shown and reached from the review.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use liangshan_survey::drafts::{DraftStore, StoreError, VisitStore};
use liangshan_survey::{clock, forms, storage};
use survey_core::{FieldPath, Household};
use wasm_bindgen_test::*;

mod common;
use common::{clear, local, snapshot, wait_for, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

fn stores() -> (Owner, DraftStore, VisitStore) {
    common::install_forms_with_visit();
    let owner = Owner::new();
    let (households, visits) = owner.with(|| (DraftStore::provide(), VisitStore::provide()));
    (owner, households, visits)
}

fn household(id: &str, head: &str, head_id: &str) -> Household {
    let s = forms::household();
    let mut h = Household::new(id.into(), s.id(), s.version(), "device".into(), &clock::now_rfc3339());
    let a = &mut h.record.answers;
    a.set(&FieldPath::top("head_name"), head);
    a.set(&FieldPath::member("members", 0, "member_name"), "阿说");
    a.set(&FieldPath::member("members", 0, "relation"), "spouse");
    a.set(&FieldPath::member("members", 0, "id_number"), "513431199001010011");
    a.set(&FieldPath::member("members", 1, "member_name"), head);
    a.set(&FieldPath::member("members", 1, "relation"), "head");
    a.set(&FieldPath::member("members", 1, "id_number"), head_id);
    h
}

fn visit(id: &str, household_id: &str, date: &str, mode: &str) -> Household {
    let s = forms::visit().expect("the visit form is installed");
    let mut v = Household::new(id.into(), s.id(), s.version(), "device".into(), &clock::now_rfc3339());
    v.household_id = Some(household_id.into());
    let a = &mut v.record.answers;
    a.set(&FieldPath::top("visit_date"), date);
    a.set(&FieldPath::top("visit_mode"), mode);
    a.set(&FieldPath::top("met_whom"), "吉克 本人");
    a.set(&FieldPath::top("cadre_name"), "王芳");
    a.set(&FieldPath::top("changes"), "none");
    v
}

#[wasm_bindgen_test]
async fn households_and_visits_do_not_see_each_other() {
    clear();
    let (_owner, households, visits) = stores();
    households.save(&household("h1", "吉克阿木", "513431198001010012")).unwrap();
    visits.save(&visit("v1", "h1", "2026-11-20", "home")).unwrap();

    let keys: Vec<String> = snapshot().into_keys().filter(|k| !k.starts_with("lsk:schema:")).collect();
    assert_eq!(keys, ["lsk:h:h1", "lsk:s:h1", "lsk:v:v1", "lsk:vs:v1"], "each kind under its own keys");
    assert_eq!(households.list().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["h1"]);
    assert_eq!(visits.list().iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["v1"]);
    assert_eq!(households.load_all().len(), 1);
    assert_eq!(visits.load_all().len(), 1);
    assert_eq!(households.load("v1"), Err(StoreError::NotFound));
    assert_eq!(visits.load("h1"), Err(StoreError::NotFound));
    // The household's summary has its head's ID number (the search of the home list).
    assert_eq!(households.list()[0].head_id, "513431198001010012");

    // A deleted visit goes to the visits' own trash; the households' is untouched.
    visits.delete("v1").unwrap();
    assert!(visits.list().is_empty());
    assert_eq!(households.trash(), None);
    assert_eq!(local().get_item(storage::VISIT_TRASH_KEY).unwrap().is_some(), true);
    assert_eq!(households.list().len(), 1);
    assert_eq!(visits.undo_delete().as_deref(), Some("v1"));
    assert_eq!(visits.list().len(), 1);
    // And a deleted household leaves its visits where they are.
    households.delete("h1").unwrap();
    assert_eq!(visits.list().len(), 1);
    assert_eq!(households.undo_delete().as_deref(), Some("h1"));
}

#[wasm_bindgen_test]
async fn a_visit_round_trips_and_lists_newest_first() {
    clear();
    let (owner, households, visits) = stores();
    households.save(&household("h1", "吉克", "513431198001010012")).unwrap();
    let created = visits.create("h1").expect("a visit form is installed");
    assert_eq!(created.household_id.as_deref(), Some("h1"));
    assert_eq!(created.survey_id, forms::visit().unwrap().id());
    let mut edited = created.clone();
    edited.record.answers.set(&FieldPath::top("visit_date"), "2026-11-02");
    edited.record.answers.set(&FieldPath::top("visit_mode"), "phone");
    edited.record.answers.set(&FieldPath::top("met_whom"), "吉克 本人");
    edited.record.answers.set(&FieldPath::top("cadre_name"), "王芳");
    edited.record.answers.set(&FieldPath::top("changes"), "none");
    edited.record.answers.set(&FieldPath::top("promise"), "帮助申请危房改造");
    edited.record.answers.set(&FieldPath::top("promise_due"), "2026-12-31");
    assert_eq!(visits.autosave(&edited), liangshan_survey::drafts::SaveOutcome::Saved);
    visits.save(&visit("v-later", "h1", "2026-11-20", "home")).unwrap();
    visits.save(&visit("v-other", "h2", "2026-11-25", "home")).unwrap();
    drop(owner);

    // Another start of the kit reads it back as written.
    let (_owner, _households, visits) = stores();
    assert_eq!(visits.load(&created.id).unwrap(), edited);
    let list = visits.of_household("h1");
    assert_eq!(list.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["v-later", created.id.as_str()]);
    let s = &list[1];
    assert_eq!(
        (s.visit_date.as_str(), s.visit_mode.as_str(), s.met_whom.as_str(), s.cadre_name.as_str()),
        ("2026-11-02", "phone", "吉克 本人", "王芳")
    );
    assert_eq!(s.household_id.as_deref(), Some("h1"));
    assert_eq!(s.errors, 0, "every required answer of the visit form is given");
}

/// Waits `ms` milliseconds (the background deletes of photos).
async fn pause(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    let _ = wait_for(p.into()).await;
}

async fn has_photo(reference: &str) -> bool {
    storage::photos::get(reference).await.unwrap().is_some()
}

#[wasm_bindgen_test]
async fn a_photo_a_visit_references_outlives_the_households_trash() {
    clear();
    let (_owner, households, visits) = stores();
    let shared = survey_core::media::photo_ref(&[1; 32]);
    let only_household = survey_core::media::photo_ref(&[2; 32]);
    let blob = web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&"jpeg bytes".into())).unwrap();
    for r in [&shared, &only_household] {
        storage::photos::put(r, &blob).await.unwrap();
    }
    let mut h = household("h1", "吉克", "513431198001010012");
    h.record.answers.set(&FieldPath::top("house_photo_front"), shared.as_str());
    h.record.answers.set(&FieldPath::top("house_photo_damage"), only_household.as_str());
    households.save(&h).unwrap();
    let mut v = visit("v1", "h1", "2026-11-20", "home");
    v.record.answers.set(&FieldPath::top("visit_photo"), shared.as_str());
    visits.save(&v).unwrap();
    households.save(&household("h2", "阿依", "513431198001010020")).unwrap();

    // h1 to the trash, then emptied from it by the next delete.
    households.delete("h1").unwrap();
    households.delete("h2").unwrap();
    pause(300).await;
    assert!(!has_photo(&only_household).await, "the household's own photo went with it");
    assert!(has_photo(&shared).await, "the visit's photo stays");
    assert_eq!(visits.load("v1").unwrap(), v);

    // And the other way round: a visit emptied from its trash keeps a household's photo.
    households.undo_delete();
    households.save(&h).unwrap();
    visits.save(&visit("v2", "h1", "2026-11-21", "phone")).unwrap();
    visits.delete("v1").unwrap();
    visits.delete("v2").unwrap();
    pause(300).await;
    assert!(has_photo(&shared).await, "the household's photo stays");
}

#[wasm_bindgen_test]
async fn the_visit_forms_questions_outside_its_group_are_shown_and_reached_from_the_review() {
    clear();
    let (_owner, _households, _visits) = stores();
    let survey = forms::visit().unwrap();
    let v = RwSignal::new(visit("v1", "h1", "", "home"));
    let lang = liangshan_survey::i18n::UiLanguage { mode: RwSignal::new(liangshan_survey::i18n::LangMode::Both) };
    let form = Mounted::new(move || {
        provide_context(lang);
        view! { <liangshan_survey::form::HouseholdForm household=v on_close=Callback::new(|_| ()) survey=survey subtitle="吉克" /> }
    })
    .await;
    // The one section (the group of changes), with the questions before and after it.
    for testid in ["input-visit_date", "section-view-changes_section", "input-promise", "input-cadre_name"] {
        assert!(form.has(testid), "{testid} shown");
    }
    assert_eq!(form.text("form-subtitle"), "吉克");
    // The missing date is listed by the review, and its link brings the question back.
    form.click("open-review").await;
    assert!(!form.has("input-visit_date"));
    form.click("review-error-visit_date").await;
    assert!(form.has("input-visit_date"));
}
