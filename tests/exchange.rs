//! Browser tests of the exchange panel (wasm-bindgen-test in headless Chromium): export
//! marks households exported in storage and the downloaded file holds them — encrypted,
//! since the shipped survey carries a (test) public key (the end-to-end tests open the
//! bureau's file with npm's jose; here the header is read and a backup opened again with
//! its passphrase); CSV tables behind the deliberate "unencrypted" choice;
//! the import preview and merge against storage; refused files change nothing and say why
//! in both languages; text from a file is shown as text, never run.
#![cfg(target_arch = "wasm32")]


use leptos::prelude::*;
use liangshan_survey::drafts::{DraftStore, VisitStore};
use liangshan_survey::exchange::{envelope_text, error_text, logic, match_text, ExchangePanel};
use liangshan_survey::{clock, forms, tr};
use serde_json::{json, Value};
use survey_core::envelope::{self, EnvelopeKind, FileKind};
use survey_core::exchange::{self, AppInfo, ExportKind, ExportMeta, ImportError, Match};
use survey_core::{Event, FieldPath, Household, HistoryEntry, Status};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

mod common;
use common::{clear, fill_storage, local, settle, shows, sleep, snapshot, wait_for, Mounted};

wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------------------
// Helpers

impl Mounted {
    /// Clicks an export button: encryption (WebCrypto) is asynchronous, and the exported
    /// marks are saved in a task of their own.
    async fn export(&self, testid: &str) {
        self.click(testid).await;
        sleep(30).await;
        for _ in 0..500 {
            if self.find("export-working").is_none() {
                break;
            }
            sleep(20).await;
        }
        sleep(30).await;
    }

    /// Chooses a file in the import input, as a person would.
    async fn choose_file(&self, name: &str, bytes: &[u8]) {
        let input: HtmlInputElement = self.get("import-file").unchecked_into();
        let data = js_sys::Uint8Array::from(bytes);
        let file = web_sys::File::new_with_u8_array_sequence(&js_sys::Array::of1(&data), name).unwrap();
        let dt = js_sys::eval("new DataTransfer()").unwrap();
        let items = js_sys::Reflect::get(&dt, &"items".into()).unwrap();
        let add: js_sys::Function = js_sys::Reflect::get(&items, &"add".into()).unwrap().unchecked_into();
        add.call1(&items, &file).unwrap();
        js_sys::Reflect::set(&input, &"files".into(), &js_sys::Reflect::get(&dt, &"files".into()).unwrap()).unwrap();
        let ev = document().create_event("Event").unwrap();
        ev.init_event_with_bubbles("change", true);
        input.dispatch_event(&ev).unwrap();
        // The file is read asynchronously.
        for _ in 0..100 {
            sleep(20).await;
            if self.find("import-reading").is_none() {
                break;
            }
        }
    }
}

/// Downloads are caught instead of saved: `<a download>` clicks are recorded.
fn catch_downloads() {
    js_sys::eval(
        "window.__downloads = [];
         HTMLAnchorElement.prototype.click = function () {
           window.__downloads.push({ name: this.download, href: this.href });
         };",
    )
    .unwrap();
}

/// The downloads caught so far: (file name, bytes).
async fn downloads() -> Vec<(String, Vec<u8>)> {
    let list: js_sys::Array = js_sys::eval("window.__downloads").unwrap().unchecked_into();
    let mut out = Vec::new();
    for d in list.iter() {
        let name = js_sys::Reflect::get(&d, &"name".into()).unwrap().as_string().unwrap();
        let href = js_sys::Reflect::get(&d, &"href".into()).unwrap().as_string().unwrap();
        let p = js_sys::eval(&format!("fetch({href:?}).then(r => r.arrayBuffer())")).unwrap();
        let buf = wait_for(p).await.unwrap();
        out.push((name, js_sys::Uint8Array::new(&buf).to_vec()));
    }
    out
}

/// The header of an envelope file (it must be one, of kind `kind`).
fn header_of(bytes: &[u8], kind: EnvelopeKind) -> envelope::Header {
    match envelope::classify(bytes) {
        FileKind::Envelope(e) if e.kind() == kind => e.header,
        other => panic!("not a {kind:?} envelope: {other:?}"),
    }
}

/// Opens a backup envelope with the app's WebCrypto code.
async fn open_backup(bytes: &[u8], passphrase: &str) -> Value {
    let FileKind::Envelope(e) = envelope::classify(bytes) else { panic!("not an envelope") };
    let plain = liangshan_survey::exchange::crypto::open_backup(&e, passphrase).await.unwrap();
    serde_json::from_slice(&plain).unwrap()
}

fn new_store() -> (Owner, DraftStore) {
    let owner = Owner::new();
    let store = owner.with(DraftStore::provide);
    (owner, store)
}

async fn panel(store: DraftStore) -> Mounted {
    Mounted::new(move || {
        provide_context(store);
        view! { <ExchangePanel /> }
    })
    .await
}

const T0: &str = "2026-11-20T02:00:00.000Z";
const T1: &str = "2026-11-21T02:00:00.000Z";
const T2: &str = "2026-11-22T02:00:00.000Z";

fn household(id: &str, head: &str, status: Status) -> Household {
    let s = forms::household();
    let mut h = Household::new(id.into(), s.id(), s.version(), "device-x".into(), T0);
    let a = &mut h.record.answers;
    a.set(&FieldPath::top("village"), "laguo");
    a.set(&FieldPath::top("head_name"), head);
    a.set(&FieldPath::top("support_flags"), "dibao wubao");
    a.set(&FieldPath::top("pigs"), "3");
    a.set(&FieldPath::member("members", 0, "member_name"), head);
    a.set(&FieldPath::member("members", 0, "birth_date"), "1975-03-12");
    if status != Status::Draft {
        h.status = status;
        h.finalized = Some(T1.into());
        h.modified = T1.into();
        h.history.push(HistoryEntry::new(Event::Finalized, T1));
    }
    h
}

/// The five ways a file's version of a record can stand to the tablet's, made with the real
/// lifecycle steps from `make(id)`: (the tablet's records, the file's). `new` is in the file
/// only; `same` on both sides; the tablet corrected `newer-here` (`field` = `values[0]`) and
/// `both` (`values[1]`) since; the other tablet corrected `older-here` (`values[2]`: it
/// continues ours) and `both` (`values[3]`: a conflict), and its `newer-here` is the
/// original, older than ours.
fn five_cases(make: impl Fn(&str) -> Household, field: &str, values: [&str; 4]) -> (Vec<Household>, Vec<Household>) {
    let corrected = |h: &Household, value: &str| {
        let mut h = h.clone();
        h.reopen("更正", T2).unwrap();
        h.record.answers.set(&FieldPath::top(field), value);
        h
    };
    let [same, older_here, original, both] = ["same", "older-here", "newer-here", "both"].map(&make);
    let here = vec![same.clone(), older_here.clone(), corrected(&original, values[0]), corrected(&both, values[1])];
    let file = vec![make("new"), same, corrected(&older_here, values[2]), original, corrected(&both, values[3])];
    (here, file)
}

fn file_of(hs: &[Household], kind: ExportKind) -> String {
    file_with_visits(hs, &[], kind)
}

/// An export file (plain JSON) of households and visits, written by another tablet.
fn file_with_visits(hs: &[Household], vs: &[Household], kind: ExportKind) -> String {
    let meta = ExportMeta {
        kind,
        exported_at: T2.into(),
        app: AppInfo { name: "liangshan-survey".into(), version: "0.1.0".into() },
        enumerator: None,
        device: "other-tablet".into(),
    };
    let cx = clock::context();
    let mut file = exchange::export_file(forms::household(), hs, &cx, meta);
    exchange::add_visits(&mut file, forms::visit().unwrap(), vs, &cx);
    exchange::to_json(&file)
}

// ---------------------------------------------------------------------------------------
// Export

#[wasm_bindgen_test]
async fn export_marks_households_exported_and_the_file_holds_them() {
    common::install_forms_with_visit();
    clear();
    catch_downloads();
    let (_owner, store) = new_store();
    for h in [household("a", "阿苏拉且", Status::Finalized), household("b", "吉克阿依", Status::Finalized), household("c", "草稿户", Status::Draft)] {
        store.save(&h).unwrap();
    }
    let m = panel(store).await;
    assert_eq!(m.text("export-count-new"), "2");
    assert_eq!(m.text("export-count-finalized"), "2");
    assert_eq!(m.text("export-count-backup"), "3");

    m.export("export-json").await;
    assert!(shows(&m.text("export-result"), tr!(exchange.export.done)), "{}", m.text("export-result"));
    let files = downloads().await;
    assert_eq!(files.len(), 1);
    let (name, bytes) = &files[0];
    assert!(name.starts_with("liangshan_household_laguo_") && name.ends_with("_2户.json"), "{name}");
    assert_eq!(m.text("export-file-name"), *name);
    // For the bureau: an envelope whose readable header routes it, and nothing personal.
    let h = header_of(bytes, EnvelopeKind::Bureau).lsk;
    assert_eq!(h.format, "liangshan-survey-export");
    assert_eq!(h.kind, ExportKind::Bureau);
    assert_eq!(h.household_count, 2);
    assert_eq!(h.device, store.device_id());
    assert!(!String::from_utf8_lossy(bytes).contains("阿苏拉且"));
    assert!(shows(&m.text("export-protection"), tr!(exchange.secure.encrypted)));
    let exported_at = h.exported_at;

    // Marked in storage, with the file's time; the draft untouched.
    for id in ["a", "b"] {
        let h = store.load(id).unwrap();
        assert_eq!(h.status, Status::Exported);
        assert_eq!(h.exported.as_deref(), Some(exported_at.as_str()));
        assert_eq!(h.history.last().map(|e| e.event), Some(Event::Exported));
    }
    assert_eq!(store.load("c").unwrap().status, Status::Draft);
    settle().await;
    assert_eq!(m.text("export-count-new"), "0", "nothing new to deliver");

    // Nothing left in "new"; exporting every finalized one again is allowed.
    m.export("export-json").await;
    assert!(shows(&m.text("export-empty"), tr!(exchange.export.empty)));
    m.click("export-scope-finalized").await;
    m.export("export-json").await;
    assert_eq!(m.text("export-count"), "2");

    // A backup takes the draft too, and keeps it a draft; it needs a passphrase.
    m.click("export-scope-backup").await;
    m.export("export-json").await;
    assert_eq!(m.get("export-refused").get_attribute("data-code").as_deref(), Some("passphrase_short"));
    assert_eq!(downloads().await.len(), 2, "no file without a passphrase");
    m.type_into("backup-passphrase-1", "备份密码 ꆈꌠ 2026").await;
    m.type_into("backup-passphrase-2", "备份密码 ꆈꌠ 2026").await;
    m.export("export-json").await;
    let files = downloads().await;
    let (name, bytes) = files.last().unwrap();
    assert!(name.contains("_backup_") && name.ends_with("_3户.json"), "{name}");
    assert_eq!(header_of(bytes, EnvelopeKind::Backup).p2c, Some(u64::from(envelope::BACKUP_P2C)));
    let v = open_backup(bytes, "备份密码 ꆈꌠ 2026").await;
    assert_eq!(v["kind"], "backup");
    let a = v["households"].as_array().unwrap().iter().find(|h| h["id"] == "a").unwrap();
    assert_eq!(a["answers"]["pigs"], 3);
    assert_eq!(a["answers"]["support_flags"], json!(["dibao", "wubao"]));
    assert_eq!(a["answers"]["members"][0]["member_name"], "阿苏拉且");
    assert_eq!(a["status"], "exported");
    assert_eq!(store.load("c").unwrap().status, Status::Draft);
    assert!(store.load("c").unwrap().exported.is_some());
}

#[wasm_bindgen_test]
async fn a_chosen_set_and_the_csv_tables() {
    common::install_forms_with_visit();
    clear();
    catch_downloads();
    let (_owner, store) = new_store();
    for h in [household("a", "甲", Status::Finalized), household("b", "乙", Status::Finalized), household("c", "丙", Status::Draft)] {
        store.save(&h).unwrap();
    }
    let m = panel(store).await;
    m.click("export-scope-chosen").await;
    assert_eq!(m.text("export-count-chosen"), "0");
    m.click("export-pick-c").await;
    m.click("export-pick-a").await;
    assert_eq!(m.text("export-count-chosen"), "2");

    // The CSV tables are never encrypted: only after the deliberate choice.
    assert!(m.find("export-csv-households").is_none());
    assert!(shows(&m.text("export-csv-off"), tr!(exchange.secure.csv_off)));
    m.click("export-plain").await;
    m.click("export-csv-households").await;
    m.click("export-csv-members").await;
    let files = downloads().await;
    assert_eq!(files.len(), 2, "one download per table");
    let (hname, hbytes) = &files[0];
    let (mname, mbytes) = &files[1];
    assert!(hname.ends_with("_2户_households.csv") && mname.ends_with("_2户_members.csv"), "{hname} {mname}");
    assert_eq!(&hbytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM for Excel/WPS");
    let text = String::from_utf8(hbytes[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("_household_id,_status,"), "{header}");
    assert!(header.contains(",village,") && header.contains(",support_flags,"));
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains("dibao wubao"));
    let members = String::from_utf8(mbytes[3..].to_vec()).unwrap();
    assert!(members.starts_with("_household_id,_repeat,_member,member_name"));
    // The CSV tables mark nothing.
    assert_eq!(store.load("a").unwrap().status, Status::Finalized);

    // The bureau's file stays encrypted even then.
    m.export("export-json").await;
    let files = downloads().await;
    assert_eq!(header_of(&files[2].1, EnvelopeKind::Bureau).lsk.household_count, 2);
    assert_eq!(store.load("a").unwrap().status, Status::Exported);
    assert_eq!(store.load("b").unwrap().status, Status::Finalized, "not chosen, not marked");
}

// ---------------------------------------------------------------------------------------
// Import

#[wasm_bindgen_test]
async fn import_previews_then_merges_what_the_user_chose() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store) = new_store();
    let (here, in_file) = five_cases(|id| household(id, "阿苏拉且", Status::Finalized), "pigs", ["7", "4", "5", "9"]);
    for h in &here {
        store.save(h).unwrap();
    }
    let new = in_file[0].clone();
    let text = file_of(&in_file, ExportKind::Bureau);
    let raw_same = store.raw("same").unwrap();
    let raw_newer_here = store.raw("newer-here").unwrap();
    let raw_both = store.raw("both").unwrap();

    let m = panel(store).await;
    m.choose_file("from-other-tablet.json", text.as_bytes()).await;
    let preview = m.text("import-preview");
    assert!(shows(&preview, match_text(Match::New)), "{preview}");
    assert!(shows(&preview, match_text(Match::Conflict)), "{preview}");
    assert_eq!(m.text("preview-count-new"), "1");
    assert_eq!(m.text("preview-count-identical"), "1");
    assert_eq!(m.text("preview-count-continues"), "1");
    assert_eq!(m.text("preview-count-superseded"), "1");
    assert_eq!(m.text("preview-count-conflict"), "1");
    // The conflict says what differs, with the question's label.
    let diff = m.text("diff-pigs");
    let pigs = forms::household().find("pigs").unwrap().label.as_ref().unwrap();
    assert!(diff.contains(&pigs.zh) && diff.contains('4') && diff.contains('9'), "{diff}");
    assert_eq!(m.text("import-selected"), "2", "by default: new households and continuations");
    assert!(store.load("new").is_err(), "the preview stores nothing");

    m.click("import-confirm").await;
    assert_eq!(m.text("import-saved"), "2");
    let got = store.load("new").unwrap();
    assert_eq!(got.record, new.record);
    assert_eq!(got.history.last().map(|e| e.event), Some(Event::Imported));
    assert_eq!(store.load("older-here").unwrap().record.answers.get(&FieldPath::top("pigs")), "5");
    assert_eq!(store.raw("same").unwrap(), raw_same, "identical: untouched");
    assert_eq!(store.raw("newer-here").unwrap(), raw_newer_here, "newer work on the tablet is kept");
    assert_eq!(store.raw("both").unwrap(), raw_both, "a conflict is never resolved by default");

    // Again, now taking the file's version of the conflict on purpose.
    m.choose_file("from-other-tablet.json", text.as_bytes()).await;
    assert_eq!(m.text("preview-count-new"), "0");
    assert_eq!(m.text("preview-count-conflict"), "1");
    m.click("resolve-both-take-file").await;
    assert_eq!(m.text("import-selected"), "1");
    m.click("import-confirm").await;
    assert_eq!(store.load("both").unwrap().record.answers.get(&FieldPath::top("pigs")), "9");
    assert_eq!(store.raw("newer-here").unwrap(), raw_newer_here, "an older version is never taken");
}

#[wasm_bindgen_test]
async fn an_import_that_does_not_fit_stores_nothing_and_says_why() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store) = new_store();
    let here = household("here", "本机户", Status::Finalized);
    store.save(&here).unwrap();
    let many: Vec<Household> = (0..30).map(|i| household(&format!("h-{i}"), "阿苏拉且", Status::Finalized)).collect();
    let text = file_of(&many, ExportKind::Bureau);
    let fillers = fill_storage();
    let before = snapshot();

    let m = panel(store).await;
    m.choose_file("big.json", text.as_bytes()).await;
    assert_eq!(m.text("preview-count-new"), "30");
    m.click("import-confirm").await;
    let err = m.get("import-error");
    assert_eq!(err.get_attribute("data-code").as_deref(), Some("no_room"));
    let shown = err.text_content().unwrap_or_default();
    assert!(shows(&shown, tr!(exchange.error.no_room)), "{shown}");
    assert!(shows(&shown, tr!(exchange.import.unchanged)), "{shown}");
    assert_eq!(snapshot(), before, "not one household stored, nothing changed");
    assert!(store.load("h-0").is_err());
    // Visits count too: a file of visits alone that does not fit stores none.
    let visits_only = file_with_visits(&[], &[visit("v-0", "here", Status::Finalized), visit("v-1", "here", Status::Finalized)], ExportKind::Bureau);
    m.choose_file("visits.json", visits_only.as_bytes()).await;
    assert_eq!(m.text("preview-visit-count-new"), "2");
    m.click("import-confirm").await;
    assert_eq!(m.get("import-error").get_attribute("data-code").as_deref(), Some("no_room"));
    assert_eq!(snapshot(), before, "not one visit stored, nothing changed");

    // With room again, the same file is imported whole.
    for k in fillers {
        local().remove_item(&k).unwrap();
    }
    m.choose_file("big.json", text.as_bytes()).await;
    m.click("import-confirm").await;
    assert_eq!(m.text("import-saved"), "30");
    assert_eq!(store.load("h-29").unwrap().record, many[29].record);
    assert_eq!(store.raw("here").unwrap(), before.get("lsk:h:here").cloned(), "the tablet's household untouched");
}

#[wasm_bindgen_test]
async fn a_backup_restores_into_an_empty_tablet_exactly() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store) = new_store();
    let mut draft = household("d", "草稿户", Status::Draft);
    draft.record.answers.set(&FieldPath::top("village_other"), "隐藏的答案");
    draft.record.answers.set(&FieldPath::top("question_of_v0"), "旧字段");
    let hs = vec![household("f", "完成户", Status::Finalized), draft];
    let text = file_of(&hs, ExportKind::Backup);
    let m = panel(store).await;
    m.choose_file("backup.json", text.as_bytes()).await;
    assert_eq!(m.text("preview-count-new"), "2");
    m.click("import-confirm").await;
    for h in &hs {
        let mut got = store.load(&h.id).unwrap();
        assert_eq!(got.history.pop().map(|e| e.event), Some(Event::Imported));
        assert_eq!(&got, h);
    }
}

fn edited(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(&file_of(&[household("x", "户", Status::Finalized)], ExportKind::Bureau)).unwrap();
    f(&mut v);
    v.to_string().into_bytes()
}

#[wasm_bindgen_test]
async fn refused_files_change_nothing_and_say_why_in_both_languages() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store) = new_store();
    store.save(&household("a", "阿苏拉且", Status::Finalized)).unwrap();
    let before = snapshot();
    let m = panel(store).await;

    let cases: Vec<(Vec<u8>, ImportError)> = vec![
        (b"\x89PNG\r\n\x1a\n\x00\x00".to_vec(), ImportError::NotJson { line: 0, column: 0 }),
        (b"{\"households\": [".to_vec(), ImportError::NotJson { line: 0, column: 0 }),
        (b"{\"hello\": \"world\"}".to_vec(), ImportError::NotExport),
        (edited(|v| v["format_version"] = json!(2)), ImportError::FutureVersion { version: 2 }),
        (edited(|v| v["survey"]["id"] = json!("another")), ImportError::WrongSurvey { found: String::new() }),
        (edited(|v| v["household_count"] = json!(5)), ImportError::Incomplete { declared: 5, found: 1 }),
        (edited(|v| v["households"][0]["modified"] = json!("昨天")), ImportError::BrokenRecords { count: 1, records: vec![] }),
    ];
    for (bytes, expected) in cases {
        m.choose_file("bad.json", &bytes).await;
        let el = m.get("import-error");
        assert_eq!(el.get_attribute("data-code").as_deref(), Some(expected.code()));
        let shown = el.text_content().unwrap_or_default();
        assert!(shows(&shown, error_text(&expected)), "{shown}");
        assert!(shows(&shown, tr!(exchange.import.unchanged)));
        assert!(m.find("import-confirm").is_none());
        assert_eq!(snapshot(), before, "{} changed storage", expected.code());
    }
    // A broken household is listed by its number and problem.
    assert_eq!(m.get("broken-1").get_attribute("data-problem").as_deref(), Some("bad_time"));
    assert!(shows(&m.text("broken-1"), tr!(exchange.problem.bad_time)));

    // Too large: refused before it is read.
    let big = vec![b' '; exchange::MAX_FILE_BYTES + 1];
    m.choose_file("huge.json", &big).await;
    assert_eq!(m.get("import-error").get_attribute("data-code").as_deref(), Some("too_large"));
    assert_eq!(snapshot(), before);
}

#[wasm_bindgen_test]
async fn text_from_a_file_is_shown_as_text_never_run() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store) = new_store();
    let evil = "<img src=x onerror=\"window.__pwned = 1\"><script>window.__pwned = 2</script>";
    let text = file_of(&[household("<b>id</b>", evil, Status::Finalized)], ExportKind::Bureau);
    let m = panel(store).await;
    m.choose_file("evil.json", text.as_bytes()).await;
    sleep(50).await;
    let row = m.get("preview-row-<b>id</b>");
    assert!(row.text_content().unwrap().contains(evil), "shown as text");
    assert!(m.root.query_selector("img, script, b").unwrap().is_none(), "no element made from the file");
    assert!(js_sys::eval("window.__pwned").unwrap().is_undefined());
}

#[wasm_bindgen_test]
fn logic_scopes_take_the_right_households() {
    common::install_forms_with_visit();
    use std::collections::BTreeSet;
    let chosen: BTreeSet<String> = ["x".to_string()].into();
    assert!(logic::Scope::New.takes(Status::Finalized, "a", &chosen));
    assert!(!logic::Scope::New.takes(Status::Exported, "a", &chosen));
    assert!(logic::Scope::Finalized.takes(Status::Exported, "a", &chosen));
    assert!(!logic::Scope::Finalized.takes(Status::Draft, "a", &chosen));
    assert!(logic::Scope::Chosen.takes(Status::Draft, "x", &chosen));
    assert!(logic::Scope::Backup.takes(Status::Draft, "a", &chosen));
    assert_eq!(logic::Scope::Backup.kind(), ExportKind::Backup);
}

#[wasm_bindgen_test]
fn every_code_has_a_message_in_both_languages() {
    common::install_forms_with_visit();
    for e in [
        ImportError::TooLarge { bytes: 0 },
        ImportError::NotJson { line: 0, column: 0 },
        ImportError::NotExport,
        ImportError::FutureVersion { version: 2 },
        ImportError::WrongSurvey { found: String::new() },
        ImportError::NoHouseholds,
        ImportError::Incomplete { declared: 0, found: 0 },
        ImportError::BrokenRecords { count: 0, records: vec![] },
    ] {
        let t = error_text(&e);
        assert!(!t.zh.is_empty() && !t.ii.is_empty(), "{}", e.code());
        assert_ne!(t.zh, t.ii);
    }
    // Every refusal of an encrypted file has its own message, in both languages.
    use survey_core::envelope::EnvelopeError as E;
    let all = [
        E::Truncated, E::Malformed, E::UnsupportedAlgorithm, E::NotEnvelope, E::ForBureau, E::IsBackup,
        E::WrongKey, E::WrongPassphrase, E::Tampered, E::HeaderMismatch, E::BadPublicKey, E::BadPrivateKey,
        E::PassphraseShort, E::PassphraseMismatch, E::NoWebCrypto, E::CryptoFailed,
    ];
    assert_eq!(all.clone().map(|e| e.code()), E::CODES);
    let mut seen = std::collections::HashSet::new();
    for e in all {
        let t = envelope_text(&e);
        assert!(!t.zh.is_empty() && !t.ii.is_empty(), "{}", e.code());
        assert!(seen.insert(t.zh.clone()) && seen.insert(t.ii.clone()), "{}: a message of its own", e.code());
    }
    let _ = JsValue::NULL;
}

// ---------------------------------------------------------------------------------------
// Visits (走访记录): exported beside the households, imported and merged by the same rule

fn new_stores() -> (Owner, DraftStore, VisitStore) {
    let owner = Owner::new();
    let (store, visits) = owner.with(|| (DraftStore::provide(), VisitStore::provide()));
    (owner, store, visits)
}

async fn panel_with(store: DraftStore, visits: VisitStore) -> Mounted {
    Mounted::new(move || {
        provide_context(store);
        provide_context(visits);
        view! { <ExchangePanel /> }
    })
    .await
}

/// A visit to household `of`, recorded at T0 (finalized at T1 unless a draft).
fn visit(id: &str, of: &str, status: Status) -> Household {
    let s = forms::visit().expect("the shipped visit form is installed");
    let mut v = Household::new(id.into(), s.id(), s.version(), "device-x".into(), T0);
    v.household_id = Some(of.into());
    let a = &mut v.record.answers;
    a.set(&FieldPath::top("visit_date"), "2026-11-20");
    a.set(&FieldPath::top("visit_mode"), "home");
    a.set(&FieldPath::top("met_whom"), "户主本人");
    a.set(&FieldPath::top("changes"), "health income");
    a.set(&FieldPath::top("problems"), "屋顶漏雨");
    a.set(&FieldPath::top("cadre_name"), "吉克阿依");
    if status != Status::Draft {
        v.status = status;
        v.finalized = Some(T1.into());
        v.modified = T1.into();
        v.history.push(HistoryEntry::new(Event::Finalized, T1));
    }
    v
}

#[wasm_bindgen_test]
async fn a_bureau_file_holds_the_finalized_visits_with_their_household() {
    common::install_forms_with_visit();
    clear();
    catch_downloads();
    let (_owner, store, visits) = new_stores();
    store.save(&household("a", "阿苏拉且", Status::Finalized)).unwrap();
    store.save(&household("b", "吉克阿依", Status::Draft)).unwrap();
    for v in [visit("v1", "a", Status::Finalized), visit("v2", "a", Status::Draft), visit("v3", "b", Status::Finalized)] {
        visits.save(&v).unwrap();
    }
    // The file as it is before encryption (the bureau's file is always encrypted; the
    // end-to-end test opens it with the test key).
    let p = logic::prepare_json(&store, &visits, logic::Scope::New, &Default::default()).unwrap();
    let v: Value = serde_json::from_str(&p.text).unwrap();
    assert_eq!(v["kind"], "bureau");
    assert_eq!(v["household_count"], 1);
    assert_eq!(v["visit_count"], 2);
    assert_eq!(v["visit_survey"]["id"], forms::visit().unwrap().id());
    let got: Vec<(&str, &str, &str)> = v["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap(), x["household_id"].as_str().unwrap(), x["status"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("v1", "a", "exported"), ("v3", "b", "exported")], "finalized visits only, each with its household");
    assert_eq!(v["visits"][0]["answers"]["changes"], json!(["health", "income"]));
    assert!(v["visit_dictionary"]["fields"].as_array().unwrap().iter().any(|f| f["name"] == "visit_mode"));
    assert!(v["households"].as_array().unwrap().iter().all(|h| h.get("household_id").is_none()));

    // Through the panel: counted per scope, counted in the message, marked exported.
    let m = panel_with(store, visits).await;
    assert_eq!(m.text("export-visit-count-new"), "2");
    assert_eq!(m.text("export-visit-count-finalized"), "2");
    assert_eq!(m.text("export-visit-count-backup"), "3");
    m.export("export-json").await;
    let files = downloads().await;
    assert_eq!(files.len(), 1);
    assert_eq!(header_of(&files[0].1, EnvelopeKind::Bureau).lsk.household_count, 1);
    let result = m.text("export-result");
    assert!(shows(&result, tr!(exchange.export.visits)), "{result}");
    assert_eq!(m.text("export-visit-count"), "2");
    for id in ["v1", "v3"] {
        let got = visits.load(id).unwrap();
        assert_eq!(got.status, Status::Exported, "{id}");
        assert_eq!(got.history.last().map(|e| e.event), Some(Event::Exported));
    }
    assert_eq!(visits.load("v2").unwrap().status, Status::Draft, "a draft visit is not delivered");
    settle().await;
    assert_eq!(m.text("export-visit-count-new"), "0");

    // A chosen household takes its finalized visits (exported ones too), not its drafts.
    m.click("export-scope-chosen").await;
    m.click("export-pick-b").await;
    assert_eq!(m.text("export-visit-count-chosen"), "1");
    let chosen = ["b".to_string()].into();
    let p = logic::prepare_json(&store, &visits, logic::Scope::Chosen, &chosen).unwrap();
    assert_eq!(p.visits.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["v3"]);
}

#[wasm_bindgen_test]
async fn a_new_export_may_hold_visits_alone() {
    common::install_forms_with_visit();
    clear();
    catch_downloads();
    let (_owner, store, visits) = new_stores();
    let mut a = household("a", "阿苏拉且", Status::Finalized);
    a.mark_exported(T2);
    store.save(&a).unwrap();
    visits.save(&visit("v1", "a", Status::Finalized)).unwrap();
    let m = panel_with(store, visits).await;
    assert_eq!(m.text("export-count-new"), "0");
    assert_eq!(m.text("export-visit-count-new"), "1");
    m.export("export-json").await;
    assert!(m.find("export-empty").is_none(), "a new visit is something to export");
    assert_eq!(m.text("export-count"), "0");
    assert_eq!(m.text("export-visit-count"), "1");
    let files = downloads().await;
    assert!(files[0].0.ends_with("_0户_1条走访.json"), "a file of visits alone says so: {}", files[0].0);
    assert_eq!(header_of(&files[0].1, EnvelopeKind::Bureau).lsk.household_count, 0);
    assert_eq!(visits.load("v1").unwrap().status, Status::Exported);
    assert_eq!(store.load("a").unwrap(), a, "the household already delivered is not touched");
    // Then there is nothing new.
    settle().await;
    m.export("export-json").await;
    assert!(shows(&m.text("export-empty"), tr!(exchange.export.empty)));

    // The visits table for Excel/WPS, behind the same "unencrypted" choice.
    m.click("export-scope-finalized").await;
    m.click("export-plain").await;
    m.click("export-csv-visits").await;
    let files = downloads().await;
    let (name, bytes) = files.last().unwrap();
    assert!(name.ends_with("_visits.csv"), "{name}");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.starts_with("_visit_id,_household_id,_status,"), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("v1,a,exported,"), "{text}");
}

#[wasm_bindgen_test]
async fn a_backup_with_visits_restores_into_a_fresh_tablet() {
    common::install_forms_with_visit();
    clear();
    catch_downloads();
    let (owner, store, visits) = new_stores();
    let hs = [household("a", "阿苏拉且", Status::Finalized), household("b", "草稿户", Status::Draft)];
    let vs = [visit("v1", "a", Status::Finalized), visit("v2", "b", Status::Draft)];
    for h in &hs {
        store.save(h).unwrap();
    }
    for v in &vs {
        visits.save(v).unwrap();
    }
    let m = panel_with(store, visits).await;
    m.click("export-scope-backup").await;
    m.click("export-plain").await;
    m.export("export-json").await;
    let files = downloads().await;
    let (name, bytes) = files.last().unwrap();
    assert!(name.contains("_backup_") && name.ends_with("_2户_2条走访.json"), "{name}");
    assert_eq!(m.text("export-visit-count"), "2");
    m.unmount().await;
    drop(owner);

    // A fresh tablet.
    clear();
    let (_owner, store, visits) = new_stores();
    let m = panel_with(store, visits).await;
    m.choose_file(name, bytes).await;
    assert_eq!(m.text("preview-count-new"), "2");
    assert_eq!(m.text("preview-visit-count-new"), "2");
    assert_eq!(m.text("import-selected-visits"), "2");
    m.click("import-confirm").await;
    assert_eq!(m.text("import-saved"), "2");
    assert_eq!(m.text("import-saved-visits"), "2");
    for (stored, v) in [(&visits, &vs[0]), (&visits, &vs[1])] {
        let mut got = stored.load(&v.id).unwrap();
        assert_eq!(got.history.pop().map(|e| e.event), Some(Event::Imported));
        assert_eq!(got.history.pop().map(|e| e.event), Some(Event::Exported));
        assert_eq!((&got.record, &got.household_id, got.created.as_str()), (&v.record, &v.household_id, v.created.as_str()));
    }
    assert_eq!(store.load("b").unwrap().record, hs[1].record);
    assert!(store.load("v1").is_err() && visits.load("a").is_err(), "each kind in its own store");
}

#[wasm_bindgen_test]
async fn visits_merge_by_the_households_rule() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store, visits) = new_stores();
    let (here, in_file) = five_cases(|id| visit(id, "a", Status::Finalized), "help_given", ["本机改过", "送去米和油", "别处改过", "联系了医院"]);
    for v in &here {
        visits.save(v).unwrap();
    }
    let new = in_file[0].clone();
    let text = file_with_visits(&[], &in_file, ExportKind::Bureau);
    let raw_same = visits.raw("same").unwrap();
    let raw_newer_here = visits.raw("newer-here").unwrap();
    let raw_both = visits.raw("both").unwrap();

    let m = panel_with(store, visits).await;
    m.choose_file("visits.json", text.as_bytes()).await;
    for (m_, n) in [("new", "1"), ("identical", "1"), ("continues", "1"), ("superseded", "1"), ("conflict", "1")] {
        assert_eq!(m.text(&format!("preview-visit-count-{m_}")), n, "{m_}");
    }
    assert_eq!(m.text("preview-count-new"), "0", "no household in the file");
    let preview = m.text("import-preview");
    assert!(shows(&preview, tr!(exchange.import.visits_heading)), "{preview}");
    assert!(shows(&preview, tr!(exchange.import.take_new_with_visits)), "the choice names the visits: {preview}");
    // The conflict shows what differs with the visit form's label.
    let help = forms::visit().unwrap().find("help_given").unwrap().label.as_ref().unwrap();
    let diff = m.text("diff-help_given");
    assert!(diff.contains(&help.zh) && diff.contains("送去米和油") && diff.contains("联系了医院"), "{diff}");
    assert_eq!(m.text("import-selected-visits"), "2", "by default: new visits and continuations");
    m.click("import-confirm").await;
    assert_eq!(m.text("import-saved-visits"), "2");
    assert_eq!(visits.load("new").unwrap().record, new.record);
    assert_eq!(visits.load("older-here").unwrap().record.answers.get(&FieldPath::top("help_given")), "别处改过");
    assert_eq!(visits.raw("same").unwrap(), raw_same);
    assert_eq!(visits.raw("newer-here").unwrap(), raw_newer_here, "newer work on the tablet is kept");
    assert_eq!(visits.raw("both").unwrap(), raw_both, "a conflict is never resolved by default");

    // Keeping both: the file's visit becomes a marked copy of the same household's visit.
    m.choose_file("visits.json", text.as_bytes()).await;
    m.click("resolve-both-keep-both").await;
    assert_eq!(m.text("import-selected-visits"), "1");
    m.click("import-confirm").await;
    assert_eq!(visits.raw("both").unwrap(), raw_both);
    let copies: Vec<Household> =
        visits.load_all().into_iter().filter_map(Result::ok).filter(|v| v.copy_of.as_ref().is_some_and(|c| c.id == "both")).collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].household_id.as_deref(), Some("a"));
    assert_eq!(copies[0].record.answers.get(&FieldPath::top("help_given")), "联系了医院");
    assert!(store.load_all().is_empty(), "no household was made of a visit");
}

#[wasm_bindgen_test]
async fn a_broken_visit_is_named_as_a_visit_and_nothing_changes() {
    common::install_forms_with_visit();
    clear();
    let (_owner, store, visits) = new_stores();
    visits.save(&visit("v0", "a", Status::Finalized)).unwrap();
    let before = snapshot();
    let mut v: Value = serde_json::from_str(&file_with_visits(
        &[household("x", "户", Status::Finalized)],
        &[visit("v1", "x", Status::Finalized), visit("v2", "x", Status::Finalized)],
        ExportKind::Bureau,
    ))
    .unwrap();
    v["visits"][1]["modified"] = json!("昨天");
    let m = panel_with(store, visits).await;
    m.choose_file("bad.json", v.to_string().as_bytes()).await;
    assert_eq!(m.get("import-error").get_attribute("data-code").as_deref(), Some("broken_records"));
    let line = m.get("broken-visit-2");
    assert_eq!(line.get_attribute("data-problem").as_deref(), Some("bad_time"));
    assert!(shows(&m.text("broken-visit-2"), tr!(exchange.error.visit_number)));
    assert!(!m.text("broken-visit-2").contains(tr!(exchange.error.number).zh));
    assert_eq!(snapshot(), before);
}
