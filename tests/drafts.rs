//! Browser tests of drafts in storage (wasm-bindgen-test in headless Chromium): autosave,
//! recovery after a remount, storage full, damaged entries, households of another survey
//! version, two tabs, the enumerator profile, delete with undo, and room for a village.
#![cfg(target_arch = "wasm32")]


use leptos::prelude::*;
use liangshan_survey::drafts::{
    profile_error_text, DraftStore, HomePage, HouseholdPage, ProfilePage, SaveOutcome, StoreError,
};
use liangshan_survey::{clock, forms, storage, tr};
use survey_core::checks::{self, EnumeratorProfile};
use survey_core::compact::{self, RepeatSchema, Schema};
use survey_core::{FieldPath, Household, Status};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

mod common;
use common::{clear, fill_storage, local, session, settle, shows, sleep, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------
// Helpers

fn raw(id: &str) -> Option<String> {
    local().get_item(&format!("{}{id}", storage::HOUSEHOLD_PREFIX)).unwrap()
}

fn new_household(id: &str) -> Household {
    let s = forms::household();
    Household::new(id.into(), s.id(), s.version(), "device".into(), &clock::now_rfc3339())
}

/// A household of the shipped survey with `members` members and every input answered.
fn full_household(id: &str, members: usize) -> Household {
    let mut h = new_household(id);
    survey_core::fixtures::answer_every_input(forms::household(), &mut h, members);
    h
}

/// Mounts the household page; returns it and the edited household's signal.
async fn open(store: DraftStore, id: &str) -> (Mounted, RwSignal<Household>) {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None::<RwSignal<Household>>));
    let s2 = slot.clone();
    let id = id.to_string();
    let m = Mounted::new(move || {
        provide_context(store);
        let on_ready = Callback::new(move |sig: RwSignal<Household>| {
            *s2.lock().unwrap() = Some(sig);
        });
        view! { <HouseholdPage id=id on_ready=on_ready /> }
    })
    .await;
    let sig = slot.lock().unwrap().expect("the page hands over the household");
    (m, sig)
}

/// A store in its own reactive owner (kept alive by the returned owner).
fn new_store() -> (Owner, DraftStore) {
    let owner = Owner::new();
    let store = owner.with(DraftStore::provide);
    (owner, store)
}

fn head(sig: RwSignal<Household>) -> String {
    sig.with_untracked(|h| h.record.answers.get(&FieldPath::top("head_name")).to_string())
}

fn set_head(sig: RwSignal<Household>, v: &str) {
    sig.update(|h| h.record.answers.set(&FieldPath::top("head_name"), v));
}

/// Fills localStorage with filler keys until not one more character fits. Returns the
/// filler keys (remove them to free the space).
fn dispatch_storage_event(key: &str, old: Option<&str>, new: Option<&str>) {
    let init = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        js_sys::Reflect::set(&init, &JsValue::from_str(k), &v).unwrap();
    };
    set("key", JsValue::from_str(key));
    set("oldValue", old.map_or(JsValue::NULL, JsValue::from_str));
    set("newValue", new.map_or(JsValue::NULL, JsValue::from_str));
    set("storageArea", local().into());
    let window = web_sys::window().unwrap();
    let ctor: js_sys::Function = js_sys::Reflect::get(&window, &JsValue::from_str("StorageEvent")).unwrap().unchecked_into();
    let args = js_sys::Array::of2(&JsValue::from_str("storage"), &init);
    let ev: web_sys::Event = js_sys::Reflect::construct(&ctor, &args).unwrap().unchecked_into();
    window.dispatch_event(&ev).unwrap();
}

// ---------------------------------------------------------------------------------------
// Autosave and recovery

#[wasm_bindgen_test]
async fn autosave_stores_every_change_before_the_next() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let stored_at_start = raw(&h.id).expect("a new household is stored at once");
    assert!(compact::is_compact(&stored_at_start));

    let (page, sig) = open(store, &h.id).await;
    assert!(page.has("household-form"), "the form is shown");
    let created = sig.with_untracked(|h| h.modified.clone());

    // Each change is in storage before the next one is made (no save button, no timer).
    let text = "阿苏拉且ꆈꌠ 2026 木呷";
    let mut typed = String::new();
    for c in text.chars() {
        typed.push(c);
        set_head(sig, &typed);
        settle().await;
        let stored = store.load(&h.id).unwrap();
        assert_eq!(stored.record.answers.get(&FieldPath::top("head_name")), typed, "stored after each keystroke");
    }
    let stored = store.load(&h.id).unwrap();
    assert!(stored.modified >= created, "modified is bumped");
    assert_eq!(sig.with_untracked(|h| h.modified.clone()), stored.modified);
    assert_eq!(page.get("save-state").get_attribute("data-state").as_deref(), Some("saved"));

    // The summary index follows.
    let list = store.list();
    let row = list.iter().find(|s| s.id == h.id).unwrap();
    assert_eq!(row.head_name, text);
    assert!(row.fields > 0 && row.sections > 0);
    assert!(row.errors > 0, "an empty household has missing required answers");
}

#[wasm_bindgen_test]
async fn summary_is_stored_again_only_when_the_list_would_show_something_else() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let (_page, sig) = open(store, &h.id).await;
    let summary = || local().get_item(&format!("lsk:s:{}", h.id)).unwrap().unwrap();
    let set_other = |v: &str| {
        sig.update(|x| {
            x.record.answers.set(&FieldPath::top("hardship_other"), v);
            x.modified = clock::now_rfc3339();
        })
    };
    set_head(sig, "阿苏");
    settle().await;
    set_other("甲");
    settle().await;
    let before = summary();
    assert!(before.contains("阿苏"));
    let listed: liangshan_survey::drafts::HouseholdSummary = serde_json::from_str(&before).unwrap();

    // A change the list shows nothing of: the household is stored, the summary only when
    // the minute the list shows has changed meanwhile.
    set_other("甲乙");
    settle().await;
    let stored = store.load(&h.id).unwrap();
    assert_eq!(stored.record.answers.get(&FieldPath::top("hardship_other")), "甲乙");
    if stored.modified[..16] == listed.modified[..16] {
        assert_eq!(summary(), before, "same minute: the stored summary shows the same");
    } else {
        assert_ne!(summary(), before);
    }
    // The list (read from storage, here and in another tab) shows the same minute.
    assert_eq!(store.list()[0].modified[..16], stored.modified[..16]);
    let (_owner2, other) = new_store();
    let theirs = other.list();
    assert_eq!(theirs[0].head_name, "阿苏");
    assert_eq!(theirs[0].modified[..16], stored.modified[..16]);

    // A change the list shows is written at once.
    set_head(sig, "阿苏拉且");
    settle().await;
    assert!(summary().contains("阿苏拉且"));
}

#[wasm_bindgen_test]
async fn a_remount_reads_what_was_saved_and_the_form_shows_it() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let (page, sig) = open(store, &h.id).await;
    set_head(sig, "吉克ꀉꑳ 1980");
    settle().await;
    page.unmount().await;

    // A fresh store (as after a reload) reads it back, and so does the form.
    let (_owner2, store2) = new_store();
    assert_eq!(store2.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "吉克ꀉꑳ 1980");
    let (page, sig) = open(store2, &h.id).await;
    assert_eq!(head(sig), "吉克ꀉꑳ 1980");
    page.click("section-household").await;
    let input = page.get("input-head_name");
    assert_eq!(input.unchecked_ref::<HtmlInputElement>().value(), "吉克ꀉꑳ 1980");

    // Typing into the real form is stored too.
    page.type_into("input-head_name", "吉克ꀉꑳ 1980 二").await;
    assert_eq!(store2.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "吉克ꀉꑳ 1980 二");
}

#[wasm_bindgen_test]
async fn the_home_screen_lists_searches_filters_and_opens() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let mut a = full_household("a", 5);
    a.record.answers.set(&FieldPath::top("head_name"), "阿苏拉且");
    a.record.answers.set(&FieldPath::top("village"), "laguo");
    let mut b = new_household("b");
    b.record.answers.set(&FieldPath::top("head_name"), "吉克木呷");
    b.record.answers.set(&FieldPath::top("village"), "aermazhi");
    b.status = Status::Finalized;
    store.save(&a).unwrap();
    store.save(&b).unwrap();

    let home = Mounted::new(move || {
        provide_context(store);
        view! { <HomePage /> }
    })
    .await;
    assert!(home.has("household-row-a") && home.has("household-row-b"));
    assert!(home.has("exchange-slot"));
    let row_a = home.get("household-row-a").text_content().unwrap();
    assert!(row_a.contains("阿苏拉且"), "{row_a}");
    assert!(shows(&row_a, tr!(drafts.status.draft)), "status shown: {row_a}");
    assert!(row_a.contains("拉果村"), "village label: {row_a}");
    let completion = home.get("household-row-a").query_selector("[data-testid=row-completion]").unwrap().unwrap();
    assert!(completion.text_content().unwrap().contains('%'));
    assert_eq!(home.get("household-row-b").get_attribute("data-status").as_deref(), Some("finalized"));

    home.type_into("search", "吉克").await;
    assert!(!home.has("household-row-a") && home.has("household-row-b"));
    home.type_into("search", "").await;
    let select = home.get("filter-status");
    select.unchecked_ref::<web_sys::HtmlSelectElement>().set_value("finalized");
    let ev = document().create_event("Event").unwrap();
    ev.init_event_with_bubbles("change", true);
    select.dispatch_event(&ev).unwrap();
    settle().await;
    assert!(!home.has("household-row-a") && home.has("household-row-b"));
    select.unchecked_ref::<web_sys::HtmlSelectElement>().set_value("all");
    select.dispatch_event(&ev).unwrap();
    let village = home.get("filter-village");
    village.unchecked_ref::<web_sys::HtmlSelectElement>().set_value("laguo");
    village.dispatch_event(&ev).unwrap();
    settle().await;
    assert!(home.has("household-row-a") && !home.has("household-row-b"));
}

// ---------------------------------------------------------------------------------------
// Storage full

#[wasm_bindgen_test]
async fn storage_full_keeps_answers_in_memory_changes_nothing_and_saves_once_freed() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let mine = store.create();
    let mut other = full_household("other", 5);
    other.record.answers.set(&FieldPath::top("head_name"), "别的农户");
    store.save(&other).unwrap();
    let (page, sig) = open(store, &mine.id).await;
    set_head(sig, "第一");
    settle().await;
    let mine_before = raw(&mine.id).unwrap();
    let other_before = raw("other").unwrap();
    let summary_before = local().get_item("lsk:s:other").unwrap();

    let filler = fill_storage();
    set_head(sig, "第一 第二 ꆈꌠ 这段答案存不下");
    settle().await;

    // The banner says it in both languages; the answer is still in the form (memory).
    assert!(page.has("storage-full"), "storage-full banner");
    let banner = page.text("storage-full");
    assert!(shows(&banner, tr!(drafts.banner.quota_title)), "{banner}");
    assert_eq!(page.get("save-state").get_attribute("data-state").as_deref(), Some("unsaved"));
    assert_eq!(head(sig), "第一 第二 ꆈꌠ 这段答案存不下");
    assert_eq!(store.problem.get_untracked(), Some(StoreError::Quota));
    assert!(store.unsaved.with_untracked(|u| u.contains_key(&mine.id)));
    // Nothing stored changed: neither this household nor any other.
    assert_eq!(raw(&mine.id).unwrap(), mine_before);
    assert_eq!(raw("other").unwrap(), other_before);
    assert_eq!(local().get_item("lsk:s:other").unwrap(), summary_before);
    // The list says it is unsaved.
    assert!(store.list().iter().any(|s| s.id == mine.id && s.unsaved));

    // More typing while full: still kept, still nothing stored changes.
    set_head(sig, "第一 第二 ꆈꌠ 这段答案存不下 还有");
    settle().await;
    assert_eq!(raw(&mine.id).unwrap(), mine_before);

    // Space is freed: the retry (timer or next change) stores it, and the banner goes.
    for k in &filler {
        local().remove_item(k).unwrap();
    }
    store.retry_unsaved();
    settle().await;
    assert_eq!(
        store.load(&mine.id).unwrap().record.answers.get(&FieldPath::top("head_name")),
        "第一 第二 ꆈꌠ 这段答案存不下 还有"
    );
    assert!(!page.has("storage-full"));
    assert_eq!(page.get("save-state").get_attribute("data-state").as_deref(), Some("saved"));
    assert!(store.unsaved.with_untracked(|u| u.is_empty()));
    assert_eq!(raw("other").unwrap(), other_before);
}

#[wasm_bindgen_test]
async fn storage_full_on_a_closed_page_keeps_the_version_for_the_next_open() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let (page, sig) = open(store, &h.id).await;
    let filler = fill_storage();
    set_head(sig, "存不下的名字");
    settle().await;
    page.unmount().await;
    // Closed, still unsaved: kept in memory and in sessionStorage (survives a reload).
    assert!(store.unsaved.with_untracked(|u| u.contains_key(&h.id)));
    assert!(session().get_item(&format!("{}{}", storage::PENDING_PREFIX, h.id)).unwrap().is_some());
    let (owner2, reloaded) = new_store();
    assert!(reloaded.unsaved.with_untracked(|u| u.contains_key(&h.id)), "a reload finds it");
    drop(owner2);

    // Reopened: the form shows the unsaved version.
    let (_page, sig) = open(store, &h.id).await;
    assert_eq!(head(sig), "存不下的名字");
    for k in &filler {
        local().remove_item(k).unwrap();
    }
    store.retry_unsaved();
    settle().await;
    assert_eq!(store.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "存不下的名字");
    assert!(session().get_item(&format!("{}{}", storage::PENDING_PREFIX, h.id)).unwrap().is_none());
}

// ---------------------------------------------------------------------------------------
// Damaged entries and other survey versions

#[wasm_bindgen_test]
async fn a_damaged_entry_is_listed_with_its_raw_text_and_stops_nothing() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let good = store.create();
    local().set_item("lsk:h:bad", "LSK1 0000000000000000\n{\"id\":\"bad\"").unwrap();
    local().set_item("lsk:h:worse", "not a household at all").unwrap();
    local().set_item(&format!("lsk:s:{}", good.id), "{broken summary").unwrap();

    let list = store.list();
    assert_eq!(list.len(), 3);
    assert!(list.iter().any(|s| s.id == "bad" && s.damaged));
    assert!(list.iter().any(|s| s.id == "worse" && s.damaged));
    assert!(list.iter().any(|s| s.id == good.id && !s.damaged), "a broken summary is rebuilt");
    let all = store.load_all();
    assert_eq!(all.iter().filter(|r| r.is_ok()).count(), 1);
    let damaged = store.damaged();
    let worse = damaged.iter().find(|d| d.id() == "worse").unwrap();
    assert_eq!(worse.raw, "not a household at all");
    assert!(worse.export_json().contains("not a household at all"));
    assert!(matches!(store.load("bad"), Err(StoreError::Damaged(_))));

    let home = Mounted::new(move || {
        provide_context(store);
        view! { <HomePage /> }
    })
    .await;
    assert!(home.has("household-row-bad"));
    assert_eq!(home.get("household-row-bad").get_attribute("data-damaged").as_deref(), Some("true"));
    assert!(home.has("download-bad"), "raw text can be downloaded");
    assert!(shows(&home.text("household-row-bad"), tr!(drafts.row.damaged)));
    assert!(home.has(&format!("open-{}", good.id)));
    // Nothing was changed by reading.
    assert_eq!(local().get_item("lsk:h:worse").unwrap().as_deref(), Some("not a household at all"));
}

#[wasm_bindgen_test]
async fn a_damaged_household_whose_summary_is_intact_shows_as_damaged_from_the_start() {
    common::install_forms();
    clear();
    {
        let (_owner, store) = new_store();
        for id in ["d1", "d2", "d3"] {
            store.save(&full_household(id, 2)).unwrap();
        }
    }
    // Damaged behind the kit's back: the household text is cut short, its summary stays.
    let key = format!("{}d2", storage::HOUSEHOLD_PREFIX);
    let text = local().get_item(&key).unwrap().unwrap();
    local().set_item(&key, &text[..text.len() / 2]).unwrap();
    let summary_key = format!("{}d2", storage::SUMMARY_PREFIX);
    let summary = local().get_item(&summary_key).unwrap().unwrap();

    // The kit starts: the list, its counts and the export choices all say so at once.
    let (_owner, store) = new_store();
    let list = store.list();
    assert_eq!(list.len(), 3);
    assert!(list.iter().any(|s| s.id == "d2" && s.damaged), "{list:?}");
    assert_eq!(list.iter().filter(|s| s.damaged).count(), 1);
    let home = Mounted::new(move || {
        provide_context(store);
        view! { <HomePage /> }
    })
    .await;
    assert_eq!(home.get("household-row-d2").get_attribute("data-damaged").as_deref(), Some("true"));
    assert!(shows(&home.text("household-row-d2"), tr!(drafts.status.damaged)));
    assert!(!shows(&home.text("household-row-d2"), tr!(drafts.status.draft)));
    drop(home);
    let panel = Mounted::new(move || {
        provide_context(store);
        view! { <liangshan_survey::exchange::ExchangePanel /> }
    })
    .await;
    assert_eq!(panel.text("export-count-backup"), "2", "a backup counts what it will write");
    assert!(shows(&panel.text("export-damaged-listed"), tr!(exchange.export.damaged_note)));
    // Reading changed nothing stored.
    assert_eq!(local().get_item(&summary_key).unwrap().as_deref(), Some(summary.as_str()));
    assert_eq!(local().get_item(&key).unwrap().as_deref(), Some(&text[..text.len() / 2]));

    // Damaged by another tab while this one runs: its line of the index is read again.
    let key1 = format!("{}d1", storage::HOUSEHOLD_PREFIX);
    let old = local().get_item(&key1).unwrap().unwrap();
    local().set_item(&key1, "LSK1 broken").unwrap();
    dispatch_storage_event(&key1, Some(&old), Some("LSK1 broken"));
    settle().await;
    assert!(store.list().iter().any(|s| s.id == "d1" && s.damaged));
    assert_eq!(panel.text("export-count-backup"), "1");
}

#[wasm_bindgen_test]
async fn a_household_of_another_survey_version_opens_and_keeps_unknown_answers() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    // Plain JSON, as an older kit or an import wrote it.
    let json = r#"{"id":"old1","format":1,"survey_id":"liangshan_household","survey_version":"2025.3.0",
        "status":"draft","created":"2025-03-01T08:00:00.000Z","modified":"2025-03-01T09:00:00.000Z",
        "device":"d","record":{"answers":{"values":{"head_name":"旧版户主","old_income_note":"旧字段的答案"},
        "repeats":{"members":[{"member_name":"阿呷","old_member_field":"x1"}],"plots":[{"area":"2"}]}}},
        "from_the_future":{"k":1}}"#;
    local().set_item("lsk:h:old1", json).unwrap();
    // Compact, written with an older schema that had a field the survey dropped.
    let old_schema = Schema::new(
        vec!["head_name".into(), "retired_field".into()],
        vec![RepeatSchema { name: "members".into(), fields: vec!["member_name".into()] }],
    );
    local().set_item(&format!("{}{}", storage::SCHEMA_PREFIX, old_schema.id()), &old_schema.to_json()).unwrap();
    let mut old2 = new_household("old2");
    old2.survey_version = "2024.1".into();
    old2.record.answers.set(&FieldPath::top("head_name"), "更旧的户主");
    old2.record.answers.set(&FieldPath::top("retired_field"), "停用字段");
    local().set_item("lsk:h:old2", &compact::encode(&old2, &old_schema)).unwrap();

    assert_eq!(store.load("old2").unwrap(), old2, "decoded with its own stored schema");
    let list = store.list();
    let row = list.iter().find(|s| s.id == "old1").unwrap();
    assert_eq!(row.survey_version, "2025.3.0");
    assert_eq!(row.foreign, 3);

    let (page, sig) = open(store, "old1").await;
    assert!(page.has("version-notice"));
    assert!(page.text("household-version").contains("2025.3.0"));
    assert!(page.has("foreign-fields"));
    for p in ["old_income_note", "members[0].old_member_field", "plots[0].area"] {
        assert!(page.has(&format!("foreign-{p}")), "{p} listed");
    }
    assert!(page.text("foreign-fields").contains("旧字段的答案"));

    // A change stores it in the compact form; every unknown answer is still there.
    set_head(sig, "旧版户主（核对）");
    settle().await;
    let text = raw("old1").unwrap();
    assert!(compact::is_compact(&text));
    let back = store.load("old1").unwrap();
    assert_eq!(back.record.answers.get(&FieldPath::top("old_income_note")), "旧字段的答案");
    assert_eq!(back.record.answers.get(&FieldPath::member("members", 0, "old_member_field")), "x1");
    assert_eq!(back.record.answers.get(&FieldPath::member("plots", 0, "area")), "2");
    assert_eq!(back.extra.get("from_the_future"), Some(&serde_json::json!({"k": 1})));
    assert_eq!(back.survey_version, "2025.3.0", "the version it was started with is kept");
}

// ---------------------------------------------------------------------------------------
// Two tabs

#[wasm_bindgen_test]
async fn another_tab_building_on_this_one_is_followed_with_a_notice() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let (page, sig) = open(store, &h.id).await;
    set_head(sig, "本窗口");
    settle().await;
    let ours = raw(&h.id).unwrap();
    assert_eq!(store.list()[0].head_name, "本窗口", "the index is read (and kept in memory)");

    // The other tab loaded our version and, a moment later (past the 300 ms in which a
    // write of ours may not have reached it), changed it (its summary too).
    sleep(400).await;
    let mut theirs = store.load(&h.id).unwrap();
    theirs.record.answers.set(&FieldPath::top("head_name"), "另一窗口接着写");
    theirs.modified = clock::now_rfc3339();
    let text = compact::encode(&theirs, &liangshan_survey::drafts::store::current_schema());
    local().set_item(&format!("lsk:h:{}", h.id), &text).unwrap();
    let summary = serde_json::to_string(&liangshan_survey::drafts::HouseholdSummary::of(&theirs)).unwrap();
    local().set_item(&format!("lsk:s:{}", h.id), &summary).unwrap();
    dispatch_storage_event(&format!("lsk:h:{}", h.id), Some(&ours), Some(&text));
    settle().await;

    assert_eq!(head(sig), "另一窗口接着写", "nothing typed here since: their version is shown");
    assert_eq!(store.list()[0].head_name, "另一窗口接着写", "the list follows the other tab");
    assert!(page.has("other-tab-notice"));
    assert!(shows(&page.text("other-tab-notice"), tr!(drafts.page.other_tab)));
    // Typing here goes on from their version.
    set_head(sig, "另一窗口接着写，本窗口再写");
    settle().await;
    assert_eq!(store.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "另一窗口接着写，本窗口再写");
}

#[wasm_bindgen_test]
async fn a_concurrent_change_in_another_tab_is_never_overwritten_silently() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let (page, sig) = open(store, &h.id).await;
    let first = raw(&h.id).unwrap();
    set_head(sig, "本窗口一");
    settle().await;

    // The other tab started from the first version, and writes over ours (no event yet).
    let mut theirs = h.clone();
    theirs.record.answers.set(&FieldPath::top("head_name"), "另一窗口");
    theirs.modified = clock::now_rfc3339();
    let text = compact::encode(&theirs, &liangshan_survey::drafts::store::current_schema());
    local().set_item(&format!("lsk:h:{}", h.id), &text).unwrap();

    // Our next change finds it (compare-and-swap) and writes nothing over it.
    set_head(sig, "本窗口一二");
    settle().await;
    assert!(page.has("conflict-banner"));
    assert!(shows(&page.text("conflict-banner"), tr!(drafts.page.conflict_title)));
    assert_eq!(raw(&h.id).unwrap(), text, "the other tab's version stays stored");
    assert_eq!(store.conflict_copy(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "本窗口一二");
    assert!(store.list().iter().any(|s| s.id == h.id && s.conflict));
    // Still typing: kept aside, not over theirs.
    set_head(sig, "本窗口一二三");
    settle().await;
    assert_eq!(raw(&h.id).unwrap(), text);
    assert_eq!(store.conflict_copy(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "本窗口一二三");

    // The enumerator keeps this window's version.
    page.click("keep-mine").await;
    assert!(!page.has("conflict-banner"));
    assert_eq!(store.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "本窗口一二三");
    assert!(store.conflict_copy(&h.id).is_none());
    let _ = first;

    // Another round, through the storage event, and this time the other version is taken.
    let ours = raw(&h.id).unwrap();
    let mut again = theirs.clone();
    again.record.answers.set(&FieldPath::top("head_name"), "另一窗口二");
    let text2 = compact::encode(&again, &liangshan_survey::drafts::store::current_schema());
    local().set_item(&format!("lsk:h:{}", h.id), &text2).unwrap();
    dispatch_storage_event(&format!("lsk:h:{}", h.id), Some(&text), Some(&text2));
    settle().await;
    assert!(page.has("conflict-banner"), "built on an older version: a conflict, not a silent take-over");
    assert_ne!(raw(&h.id).unwrap(), ours);
    page.click("use-theirs").await;
    assert_eq!(head(sig), "另一窗口二");
    assert!(!page.has("conflict-banner"));
    set_head(sig, "另一窗口二，再改");
    settle().await;
    assert_eq!(store.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "另一窗口二，再改");
}

#[wasm_bindgen_test]
async fn autosave_merges_other_questions_and_reports_a_conflict_on_the_same_one() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    assert_eq!(store.autosave(&h), SaveOutcome::Saved);
    let schema = liangshan_survey::drafts::store::current_schema();
    // Another tab answered another question meanwhile: both answers are stored.
    let mut theirs = h.clone();
    theirs.record.answers.set(&FieldPath::top("needs"), "另一窗口");
    local().set_item(&format!("lsk:h:{}", h.id), &compact::encode(&theirs, &schema)).unwrap();
    let mut mine = h.clone();
    mine.record.answers.set(&FieldPath::top("head_name"), "x");
    match store.autosave(&mine) {
        SaveOutcome::Merged(m) => {
            assert_eq!(m.record.answers.get(&FieldPath::top("needs")), "另一窗口");
            assert_eq!(m.record.answers.get(&FieldPath::top("head_name")), "x");
        }
        other => panic!("{other:?}"),
    }
    let stored = store.load(&h.id).unwrap();
    assert_eq!(stored.record.answers.get(&FieldPath::top("needs")), "另一窗口");
    assert_eq!(stored.record.answers.get(&FieldPath::top("head_name")), "x");
    // The same question answered differently there: a conflict, theirs stays stored.
    let mut theirs = stored.clone();
    theirs.record.answers.set(&FieldPath::top("head_name"), "y");
    let text = compact::encode(&theirs, &schema);
    local().set_item(&format!("lsk:h:{}", h.id), &text).unwrap();
    let mut mine = stored.clone();
    mine.record.answers.set(&FieldPath::top("head_name"), "xz");
    assert!(matches!(store.autosave(&mine), SaveOutcome::Conflict(Some(_), Some(_))));
    assert_eq!(raw(&h.id).unwrap(), text);
}

#[wasm_bindgen_test]
async fn a_copy_kept_by_another_tab_is_shown_and_can_be_taken_over() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let h = store.create();
    let mut other = h.clone();
    other.record.answers.set(&FieldPath::top("head_name"), "另一窗口另存");
    let schema = liangshan_survey::drafts::store::current_schema();
    // A copy of another tab (its own key), and this tab's id is not that one.
    let key = format!("{}{}@another-tab", storage::CONFLICT_PREFIX, h.id);
    local().set_item(&key, &compact::encode(&other, &schema)).unwrap();
    assert!(store.conflict_copy(&h.id).is_none(), "another tab's copy is not this tab's");
    assert!(store.list().iter().any(|s| s.id == h.id && s.conflict));
    let (page, sig) = open(store, &h.id).await;
    assert!(!page.has("conflict-banner"));
    assert!(shows(&page.text("other-copies"), tr!(drafts.page.other_copies)));
    page.click("adopt-copy").await;
    assert!(page.has("conflict-banner"));
    assert_eq!(head(sig), "另一窗口另存");
    assert!(local().get_item(&key).unwrap().is_none());
    assert_eq!(store.conflict_copy(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "另一窗口另存");
    page.click("keep-mine").await;
    assert_eq!(store.load(&h.id).unwrap().record.answers.get(&FieldPath::top("head_name")), "另一窗口另存");
}

// ---------------------------------------------------------------------------------------
// Profile, device, delete

#[wasm_bindgen_test]
async fn the_profile_is_validated_with_translated_messages_and_stamped_on_new_households() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    // Every code the profile can produce has a message in both languages.
    for code in [checks::NAME_LENGTH, checks::MOBILE, checks::UNIT_LENGTH] {
        let t = profile_error_text(code);
        assert!(!t.zh.is_empty() && !t.ii.is_empty() && t.zh != tr!(drafts.profile.err.invalid).zh, "{code}");
    }
    let page = Mounted::new(move || {
        provide_context(store);
        view! { <ProfilePage /> }
    })
    .await;
    page.type_into("profile-name", "").await;
    page.type_into("profile-phone", "1380013").await;
    page.type_into("profile-unit", "州住建局").await;
    page.click("profile-save").await;
    assert!(shows(&page.text("profile-error-name"), tr!(drafts.profile.err.name_length)));
    assert!(shows(&page.text("profile-error-phone"), tr!(drafts.profile.err.mobile)));
    assert!(!page.has("profile-error-unit"));
    assert!(store.profile().is_none(), "an invalid profile is not stored");

    page.type_into("profile-name", "吉克阿依").await;
    page.type_into("profile-phone", "13800138000").await;
    page.click("profile-save").await;
    assert!(!page.has("profile-error-name") && !page.has("profile-error-phone"));
    assert!(page.has("profile-saved"));
    let p = store.profile().unwrap();
    assert_eq!(p, EnumeratorProfile { name: "吉克阿依".into(), phone: "13800138000".into(), unit: "州住建局".into() });

    // The device id is a UUID v4 made once.
    let device = store.device_id();
    assert_eq!(uuid::Uuid::parse_str(&device).unwrap().get_version_num(), 4);
    assert_eq!(page.text("device-id"), device);
    assert_eq!(local().get_item(storage::DEVICE_KEY).unwrap().as_deref(), Some(device.as_str()));

    let h = store.create();
    assert_eq!(h.enumerator, Some(p));
    assert_eq!(h.device, device);
    assert_eq!(uuid::Uuid::parse_str(&h.id).unwrap().get_version_num(), 4);
    assert_eq!(store.load(&h.id).unwrap().enumerator, h.enumerator);
}

#[wasm_bindgen_test]
async fn delete_asks_first_and_can_be_undone() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let a = store.create();
    let b = store.create();
    let home = Mounted::new(move || {
        provide_context(store);
        view! { <HomePage /> }
    })
    .await;
    home.click(&format!("delete-{}", a.id)).await;
    assert!(home.has("confirm-delete"));
    assert!(home.has(&format!("household-row-{}", a.id)), "nothing deleted before confirming");
    home.click("confirm-delete").await;
    assert!(!home.has(&format!("household-row-{}", a.id)));
    assert!(store.load_all().iter().all(|r| r.as_ref().map_or(true, |h| h.id != a.id)));
    assert!(home.has("undo-delete"));
    home.click("undo-delete").await;
    assert!(home.has(&format!("household-row-{}", a.id)), "undone");
    assert_eq!(store.load(&a.id).unwrap().id, a.id);

    // The trash keeps one: deleting b then a removes b for good.
    store.delete(&b.id).unwrap();
    store.delete(&a.id).unwrap();
    assert!(raw(&b.id).is_none());
    assert_eq!(store.undo_delete().as_deref(), Some(a.id.as_str()));
    assert!(raw(&a.id).is_some());
    settle().await;
    // The undo offer goes away after a while.
    home.click(&format!("delete-{}", a.id)).await;
    home.click("confirm-delete").await;
    assert!(home.has("undo-delete"));
    sleep(10_300).await;
    assert!(!home.has("undo-delete"));
}

// ---------------------------------------------------------------------------------------
// Room for a village

#[wasm_bindgen_test]
async fn a_village_of_1000_full_households_fits_and_lists_fast() {
    common::install_forms();
    clear();
    let (_owner, store) = new_store();
    let template = full_household("template", 5);
    store.save(&template).unwrap();
    let text = raw("template").unwrap();
    let summary = local().get_item("lsk:s:template").unwrap().unwrap();
    let per = text.encode_utf16().count() + summary.encode_utf16().count() + 2 * (6 + 36);
    leptos::logging::log!(
        "one household (5 members, all answered): {} + summary {} UTF-16 units",
        text.encode_utf16().count(),
        summary.encode_utf16().count()
    );
    assert!(per * 1000 < 5_242_880 * 6 / 10, "{per} units a household");
    local().remove_item("lsk:h:template").unwrap();
    local().remove_item("lsk:s:template").unwrap();

    // Write 1,000 through the store (as the app does; ids as UUIDs).
    for i in 0..1000 {
        let mut h = template.clone();
        h.id = format!("{i:08}-0000-4000-8000-000000000000");
        h.record.answers.set(&FieldPath::top("head_name"), format!("户主{i}"));
        store.save(&h).unwrap_or_else(|e| panic!("household {i}: {e}"));
    }
    let (all, _) = storage::used_chars();
    leptos::logging::log!("1,000 households use {all} of 5,242,880 UTF-16 units");
    let t0 = js_sys::Date::now();
    let list = store.list();
    let ms = js_sys::Date::now() - t0;
    leptos::logging::log!("list of 1,000: {ms} ms");
    assert_eq!(list.len(), 1000);
    assert!(ms < 1000.0, "{ms} ms");

    // The home screen draws a first page at once; "show more" draws the next ones.
    let t0 = js_sys::Date::now();
    let home = Mounted::new(move || {
        provide_context(store);
        view! { <HomePage /> }
    })
    .await;
    leptos::logging::log!("home screen with 1,000: {} ms", js_sys::Date::now() - t0);
    let rows = || home.root.query_selector_all("[data-testid^=household-row-]").unwrap().length() as usize;
    assert_eq!(rows(), liangshan_survey::drafts::PAGE_ROWS);
    assert!(home.text("household-count").contains("1000"));
    home.click("show-more").await;
    assert_eq!(rows(), 3 * liangshan_survey::drafts::PAGE_ROWS);
    home.type_into("search", "户主999").await;
    assert_eq!(rows(), 1, "search reaches beyond the first page");
}
