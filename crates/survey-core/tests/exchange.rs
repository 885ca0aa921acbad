//! Export to the bureau and import back (`survey_core::exchange`): round trips, typed
//! values, the label dictionary, the JSON Schema, refused files, the merge preview and the
//! CSV tables — all on the shipped household survey.

use std::path::PathBuf;

use serde_json::{json, Value};
use survey_core::exchange::*;
use survey_core::*;

mod common;
use common::shipped;

fn cx() -> Context {
    Context::from_iso("2024-05-01").unwrap()
}

fn sample_record() -> Record {
    serde_json::from_str(include_str!("fixtures/household_6_members.json")).unwrap()
}

const T0: &str = "2024-04-20T02:00:00.000Z";
const T1: &str = "2024-04-20T03:30:00.000Z";
const NOW: &str = "2024-05-01T08:00:00.000Z";

fn profile() -> checks::EnumeratorProfile {
    checks::EnumeratorProfile { name: "吉克阿依".into(), phone: "13800138000".into(), unit: "州住建局".into() }
}

/// A finalized household: the 6-member sample, a reopening with a reason in its history,
/// two acknowledged warnings with reasons.
fn finalized(id: &str) -> Household {
    let s = shipped();
    let mut h = Household::new(id.into(), s.id(), s.version(), "device-a".into(), T0);
    h.record = sample_record();
    h.enumerator = Some(profile());
    h.record.acknowledge(FieldPath::member("members", 4, "medical_insurance"), "no", Some("已动员，下月参保".into()));
    h.record.acknowledge(FieldPath::member("members", 2, "school_status"), "dropout", Some("已上报控辍保学".into()));
    h.status = Status::Finalized;
    h.finalized = Some(T1.into());
    h.modified = T1.into();
    h.history.push(HistoryEntry::new(Event::Finalized, T1));
    h.history.push(HistoryEntry { reason: Some("身份证号抄错".into()), ..HistoryEntry::new(Event::Reopened, T1) });
    h.history.push(HistoryEntry::new(Event::Finalized, T1));
    h
}

/// A draft with everything a backup must keep: a hidden answer (not relevant), a stored
/// value on a calculated field, unknown fields at the top, in a member and as a whole
/// unknown repeat, unknown envelope keys, text that looks like HTML, odd number texts.
fn awkward_draft(id: &str) -> Household {
    let s = shipped();
    let mut h = Household::new(id.into(), s.id(), "2026.10.0", "device-b".into(), T0);
    let a = &mut h.record.answers;
    a.set(&FieldPath::top("village"), "aermazhi");
    a.set(&FieldPath::top("village_other"), "旧村名"); // not relevant: village is not `other`
    a.set(&FieldPath::top("head_name"), "<script>alert('x')</script>&amp;");
    a.set(&FieldPath::top("pepper_received"), "007"); // not a plain number: stays text
    a.set(&FieldPath::top("konjac_area"), "1.50");
    a.set(&FieldPath::top("potato_area"), "2.5");
    a.set(&FieldPath::top("household_category"), "lifted");
    a.set(&FieldPath::top("hardship_causes"), "illness  disability"); // two spaces
    a.set(&FieldPath::top("income_total"), "99"); // calculated: recomputed, kept in backups
    a.set(&FieldPath::top("old_question"), "旧版本的答案"); // unknown field
    a.set(&FieldPath::member("members", 0, "member_name"), "阿呷");
    a.set(&FieldPath::member("members", 0, "old_member_field"), "x");
    a.set(&FieldPath::member("members", 0, "months_away"), "3"); // not relevant (no work away)
    a.add_member("members", Values::new()); // an empty member
    a.repeats.insert("old_roster".into(), vec![Values::new(), [("k".to_string(), "v".to_string())].into()]);
    h.extra.insert("from_the_future".into(), json!({"k": [1, 2]}));
    h.record.extra.insert("note_v2".into(), json!("kept"));
    h
}

fn meta(kind: ExportKind) -> ExportMeta {
    ExportMeta {
        kind,
        exported_at: NOW.into(),
        app: AppInfo { name: "liangshan-survey".into(), version: "0.1.0".into() },
        enumerator: Some(profile()),
        device: "device-a".into(),
    }
}

fn export_json(hs: &[Household], kind: ExportKind) -> String {
    let f = export_file(&shipped(), hs, &cx(), meta(kind));
    let text = to_json(&f);
    assert_valid_against_schema(&text);
    text
}

fn read(text: &str) -> Result<ImportedFile, ImportError> {
    read_file(text.as_bytes(), &shipped())
}

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/export-v1.schema.json")
}

/// Every exported file of these tests is checked against the committed JSON Schema
/// (draft 2020-12, formats asserted).
fn assert_valid_against_schema(text: &str) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    compiler.add_resource("https://liangshan.invalid/export-v1.schema.json", schema).unwrap();
    let idx = compiler.compile("https://liangshan.invalid/export-v1.schema.json", &mut schemas).unwrap();
    let instance: Value = serde_json::from_str(text).unwrap();
    if let Err(e) = schemas.validate(&instance, idx) {
        panic!("export does not validate against the schema: {e:#}");
    }
}

#[cfg(feature = "schema")]
#[test]
fn committed_schema_is_generated_from_the_types() {
    let committed = std::fs::read_to_string(schema_path()).unwrap();
    assert_eq!(
        committed,
        json_schema(),
        "schema/export-v1.schema.json is stale: run `cargo run -p survey-core --bin export-schema`"
    );
}

#[test]
fn backup_round_trip_gives_identical_households() {
    let hs = vec![finalized("h-1"), awkward_draft("h-2"), finalized("h-3")];
    let text = export_json(&hs, ExportKind::Backup);
    let file = read(&text).unwrap();
    assert_eq!(file.households, hs);
    assert_eq!(file.kind, ExportKind::Backup);
    assert_eq!(file.exported_at, NOW);
    assert_eq!(file.enumerator, Some(profile()));
    assert_eq!(file.survey.id, "liangshan_household");
    // And through a second export, byte for byte.
    assert_eq!(export_json(&file.households, ExportKind::Backup), text);
    let p = preview(&file.households, &hs);
    assert_eq!(p.counts(), PreviewCounts { identical: 3, ..Default::default() });
}

#[test]
fn bureau_round_trip_is_identical_and_leaves_out_hidden_answers() {
    let hs = vec![finalized("h-1"), finalized("h-2")];
    let file = read(&export_json(&hs, ExportKind::Bureau)).unwrap();
    assert_eq!(file.households, hs);

    let draft = awkward_draft("h-3");
    let text = export_json(std::slice::from_ref(&draft), ExportKind::Bureau);
    assert!(!text.contains("旧村名") && !text.contains("hidden_answers"), "no answers of non-relevant questions");
    let back = &read(&text).unwrap().households[0];
    let mut expected = draft.clone();
    let a = &mut expected.record.answers;
    a.values.remove("village_other");
    a.values.remove("income_total");
    a.repeats.get_mut("members").unwrap()[0].remove("months_away");
    assert_eq!(back, &expected, "everything else, unknown fields included, comes back");
}

#[test]
fn answers_are_typed_and_labelled_in_both_languages() {
    let hs = vec![finalized("h-1"), awkward_draft("h-2")];
    let v: Value = serde_json::from_str(&export_json(&hs, ExportKind::Backup)).unwrap();
    assert_eq!(v["format"], "liangshan-survey-export");
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["survey"]["version"], "2026.11.1");
    assert_eq!(v["household_count"], 2);
    assert_eq!(v["app"]["name"], "liangshan-survey");
    assert_eq!(v["enumerator"]["name"], "吉克阿依");

    let a = &v["households"][0]["answers"];
    assert_eq!(a["village"], "laguo", "choices are stable choice names");
    assert_eq!(a["visit_date"], "2024-04-20", "dates are ISO strings");
    assert_eq!(a["pepper_received"], 150, "integers are numbers");
    assert_eq!(a["konjac_area"], 1.5, "decimals are numbers");
    assert_eq!(a["support_flags"], json!(["dibao", "none"]), "multi-selects are arrays");
    assert_eq!(a["household_phone"], "1380013800", "text stays text, digits or not");
    assert_eq!(a["member_count"], 6, "calculated values are exported");
    assert_eq!(a["income_total"], 25000);
    let members = a["members"].as_array().unwrap();
    assert_eq!(members.len(), 6);
    assert_eq!(members[0]["member_name"], "阿苏拉且");
    assert_eq!(members[0]["id_number"], "513429197503120039");
    assert_eq!(members[0]["age"], 49);
    assert_eq!(members[5]["work"], json!(["out_province"]));
    assert_eq!(members[5]["months_away"], 14);
    assert!(members[2].get("labour_ability").is_none(), "non-relevant answers are not exported");

    let h = &v["households"][0];
    assert_eq!(h["status"], "finalized");
    assert_eq!(h["created"], T0);
    assert_eq!(h["finalized"], T1);
    let acks = h["acknowledged_warnings"].as_array().unwrap();
    let ack = acks.iter().find(|w| w["path"] == "members[4].medical_insurance").unwrap();
    assert_eq!(ack["reason"], "已动员，下月参保");
    assert_eq!(ack["value"], "no");
    assert_eq!(ack["message"]["zh"], "该成员未参加基本医疗保险，请动员参保");
    assert!(ack["message"]["ii"].as_str().is_some_and(|s| !s.is_empty()));
    let history: Vec<&str> = h["history"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(history, ["created", "finalized", "reopened", "finalized"]);
    assert_eq!(h["history"][2]["reason"], "身份证号抄错");

    // The awkward draft: exact texts kept as text, unknown and hidden answers apart.
    let d = &v["households"][1];
    assert_eq!(d["status"], "draft");
    assert_eq!(d["survey_version"], "2026.10.0");
    assert_eq!(d["answers"]["pepper_received"], "007");
    assert_eq!(d["answers"]["konjac_area"], "1.50");
    assert_eq!(d["answers"]["potato_area"], 2.5);
    assert_eq!(d["answers"]["hardship_causes"], "illness  disability");
    assert_eq!(d["answers"]["head_name"], "<script>alert('x')</script>&amp;");
    assert_eq!(d["unknown_answers"]["values"]["old_question"], "旧版本的答案");
    assert_eq!(d["unknown_answers"]["repeats"]["members"][0]["old_member_field"], "x");
    assert_eq!(d["unknown_answers"]["repeats"]["old_roster"], json!([{}, {"k": "v"}]));
    assert_eq!(d["hidden_answers"]["values"], json!({"village_other": "旧村名", "income_total": "99"}));
    assert_eq!(d["hidden_answers"]["repeats"]["members"][0]["months_away"], "3");
    assert_eq!(d["answers"]["members"].as_array().unwrap().len(), 2, "the empty member is kept");
    assert_eq!(d["from_the_future"], Value::Null, "unknown envelope keys sit under `extra`");
    assert_eq!(d["extra"]["from_the_future"], json!({"k": [1, 2]}));
    assert_eq!(d["record_extra"]["note_v2"], "kept");

    // The dictionary: every field and every choice, in both languages, once per file.
    let s = shipped();
    let fields = v["dictionary"]["fields"].as_array().unwrap();
    assert_eq!(fields.len(), s.items().len());
    let village = fields.iter().find(|f| f["name"] == "village").unwrap();
    assert_eq!(village["type"], "select_one");
    assert_eq!(village["list"], "village");
    assert_eq!(village["label"]["zh"], "所在村");
    let age = fields.iter().find(|f| f["name"] == "age").unwrap();
    assert_eq!((age["calculated"].as_bool(), age["repeat"].as_str()), (Some(true), Some("members")));
    for f in fields {
        if let Some(l) = f.get("label") {
            assert!(!l["zh"].as_str().unwrap().is_empty() && !l["ii"].as_str().unwrap().is_empty(), "{f}");
        }
    }
    let lists = v["dictionary"]["choices"].as_object().unwrap();
    assert_eq!(lists.len(), s.lists().count());
    let n_choices: usize = lists.values().map(|l| l.as_array().unwrap().len()).sum();
    assert_eq!(n_choices, s.lists().map(|l| l.choices.len()).sum::<usize>());
    assert_eq!(lists["yes_no"][1], json!({"name": "no", "label": {"zh": "否", "ii": "ꀋꉬ"}}));
    assert_eq!(text_count(&v.to_string(), "\"dictionary\""), 1);
}

fn text_count(s: &str, needle: &str) -> usize {
    s.matches(needle).count()
}

#[test]
fn an_unknown_key_in_a_file_is_kept_not_dropped() {
    let text = export_json(&[finalized("h-1")], ExportKind::Bureau);
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["households"][0]["added_by_v1_1"] = json!({"x": 1});
    v["households"][0]["answers"]["field_of_v1_1"] = json!(["a", "b"]);
    let text = v.to_string();
    assert_valid_against_schema(&text);
    let h = &read(&text).unwrap().households[0];
    assert_eq!(h.extra["added_by_v1_1"], json!({"x": 1}));
    assert_eq!(h.record.answers.values["field_of_v1_1"], "a b");
}

/// A tablet with two households; the import of a bad file must leave it exactly so.
fn bad_file_changes_nothing(bytes: &[u8], code: &str) -> ImportError {
    let tablet = vec![finalized("h-1"), awkward_draft("h-2")];
    let before = tablet.clone();
    let mut store = tablet;
    let err = match read_file(bytes, &shipped()) {
        Ok(f) => {
            let p = preview(&f.households, &store);
            store.extend(plan(&f, &store, &p, &MergeChoice::default(), NOW, &mut || "copy".into()));
            panic!("accepted a bad file ({code})")
        }
        Err(e) => e,
    };
    assert_eq!(err.code(), code, "{err:?}");
    assert_eq!(store, before);
    err
}

fn edited(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(&export_json(&[finalized("h-1"), finalized("h-2")], ExportKind::Bureau)).unwrap();
    f(&mut v);
    v.to_string().into_bytes()
}

#[test]
fn bad_files_are_refused_with_their_code() {
    // Too large: refused before reading.
    let mut big = vec![b' '; MAX_FILE_BYTES + 1];
    big[0] = b'{';
    assert_eq!(bad_file_changes_nothing(&big, "too_large"), ImportError::TooLarge { bytes: MAX_FILE_BYTES + 1 });

    // Not JSON: binary, not UTF-8, cut short, HTML, empty.
    bad_file_changes_nothing(&[0xff, 0xfe, 0x00, 0x01], "not_json");
    let text = export_json(&[finalized("h-1")], ExportKind::Bureau);
    let err = bad_file_changes_nothing(&text.as_bytes()[..text.len() / 2], "not_json");
    assert!(matches!(err, ImportError::NotJson { line, .. } if line > 1));
    bad_file_changes_nothing(b"<html><script>alert(1)</script></html>", "not_json");
    bad_file_changes_nothing(b"", "not_json");

    // JSON, but not this format.
    for other in [&b"[1, 2]"[..], b"\"text\"", b"{}", b"{\"format\": \"odk\", \"format_version\": 1}", b"null"] {
        bad_file_changes_nothing(other, "not_export");
    }
    bad_file_changes_nothing(&edited(|v| v["format_version"] = json!("1")), "not_export");
    bad_file_changes_nothing(&edited(|v| v["format_version"] = json!(0)), "not_export");
    bad_file_changes_nothing(&edited(|v| v.as_object_mut().unwrap().remove("dictionary").map(drop).unwrap()), "not_export");

    // A newer format version.
    let err = bad_file_changes_nothing(&edited(|v| v["format_version"] = json!(2)), "future_version");
    assert_eq!(err, ImportError::FutureVersion { version: 2 });

    // Another survey, no households, cut households.
    bad_file_changes_nothing(&edited(|v| v["survey"]["id"] = json!("other_survey")), "wrong_survey");
    bad_file_changes_nothing(
        &edited(|v| {
            v["households"] = json!([]);
            v["household_count"] = json!(0);
        }),
        "no_households",
    );
    bad_file_changes_nothing(&edited(|v| v["household_count"] = json!(3)), "incomplete");
}

#[test]
fn broken_records_are_listed_and_refuse_the_whole_file() {
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(Edit, RecordProblem)> = vec![
        (Box::new(|h| drop(h.as_object_mut().unwrap().remove("modified"))), RecordProblem::Unreadable),
        (Box::new(|h| h["status"] = json!("lost")), RecordProblem::Unreadable),
        (Box::new(|h| h["answers"]["village"] = json!({"nested": true})), RecordProblem::Unreadable),
        (Box::new(|h| h["id"] = json!("  ")), RecordProblem::MissingId),
        // The `id` key missing, or null: the documented `missing_id`, not `unreadable`.
        (Box::new(|h| drop(h.as_object_mut().unwrap().remove("id"))), RecordProblem::MissingId),
        (Box::new(|h| h["id"] = Value::Null), RecordProblem::MissingId),
        (Box::new(|h| h["id"] = json!(7)), RecordProblem::Unreadable),
        (Box::new(|h| h["id"] = json!("h-1")), RecordProblem::DuplicateId),
        (Box::new(|h| h["modified"] = json!("yesterday")), RecordProblem::BadTime),
        (Box::new(|h| h["finalized"] = json!("2024-13-01T00:00:00Z")), RecordProblem::BadTime),
        (Box::new(|h| h["answers"]["support_flags"] = json!(["a b"])), RecordProblem::BadValue),
        (Box::new(|h| h["answers"]["members[0].x"] = json!("v")), RecordProblem::BadValue),
        (Box::new(|h| h["extra"] = json!({"record": 1})), RecordProblem::BadValue),
        (Box::new(|h| h["acknowledged_warnings"] = json!([{"path": "a..b", "value": "1"}])), RecordProblem::BadPath),
        (Box::new(|h| h["survey_id"] = json!("other")), RecordProblem::WrongSurvey),
    ];
    for (edit, problem) in cases {
        let bytes = edited(|v| edit(&mut v["households"][1]));
        match bad_file_changes_nothing(&bytes, "broken_records") {
            ImportError::BrokenRecords { count, records } => {
                assert_eq!(count, 1);
                assert_eq!(records[0].number, 2);
                assert_eq!(records[0].problem, problem, "{:?}", records[0]);
            }
            other => panic!("{other:?}"),
        }
    }
    // Many broken households: all counted, the first ones listed.
    let bytes = edited(|v| {
        let h = v["households"][0].clone();
        let many: Vec<Value> = (0..30).map(|i| {
            let mut h = h.clone();
            h["id"] = json!(format!("x{i}"));
            h["created"] = json!("?");
            h
        }).collect();
        v["household_count"] = json!(30);
        v["households"] = Value::Array(many);
    });
    match bad_file_changes_nothing(&bytes, "broken_records") {
        ImportError::BrokenRecords { count, records } => {
            assert_eq!((count, records.len()), (30, MAX_LISTED_PROBLEMS));
            assert_eq!(records[3].id.as_deref(), Some("x3"));
        }
        other => panic!("{other:?}"),
    }
    for code in ImportError::CODES {
        assert!(!code.is_empty());
    }
    assert_eq!(RecordProblem::CODES.len(), 8);
}

#[test]
fn a_file_with_a_bom_and_other_time_zones_is_read() {
    let mut text = String::from('\u{feff}');
    let mut v: Value = serde_json::from_str(&export_json(&[finalized("h-1")], ExportKind::Bureau)).unwrap();
    v["households"][0]["modified"] = json!("2024-04-20T11:30:00+08:00");
    text.push_str(&v.to_string());
    let f = read(&text).unwrap();
    assert_eq!(f.households[0].modified, "2024-04-20T11:30:00+08:00");
}

#[test]
fn preview_tells_new_identical_continuing_older_and_conflicting_and_plan_follows_the_choice() {
    let tablet = vec![finalized("same"), finalized("older-here"), finalized("newer-here"), finalized("both")];
    let mut file_hs = vec![finalized("new"), finalized("same"), finalized("older-here"), finalized("newer-here"), finalized("both")];
    // The file's version was exported (and imported) elsewhere: still identical.
    file_hs[1].mark_exported(NOW);
    file_hs[1].history.push(HistoryEntry { modified: Some(T1.into()), ..HistoryEntry::new(Event::Imported, NOW) });
    // Corrected later on the tablet that wrote the file: it continues the tablet's.
    file_hs[2].reopen("更正", "2024-04-20T12:00:00+08:00").unwrap();
    file_hs[2].record.answers.set(&FieldPath::top("pigs"), "3");
    file_hs[2].modified = "2024-04-20T12:05:00+08:00".into();
    // The tablet corrected it after this (older) version was written.
    let mut tablet = tablet;
    tablet[2].reopen("更正", "2024-04-21T01:00:00.000Z").unwrap();
    tablet[2].record.answers.set(&FieldPath::top("pigs"), "1");
    // Both corrected it, independently.
    tablet[3].reopen("更正", "2024-04-21T02:00:00.000Z").unwrap();
    tablet[3].record.answers.set(&FieldPath::top("pigs"), "4");
    file_hs[4].reopen("改正", "2024-04-21T02:00:00.000Z").unwrap();
    file_hs[4].record.answers.set(&FieldPath::top("pigs"), "9");

    let text = export_json(&file_hs, ExportKind::Bureau);
    let file = read(&text).unwrap();
    let p = preview(&file.households, &tablet);
    let kinds: Vec<Match> = p.entries.iter().map(|e| e.matched).collect();
    assert_eq!(kinds, [Match::New, Match::Identical, Match::Continues, Match::Superseded, Match::Conflict]);
    assert_eq!(p.counts(), PreviewCounts { new: 1, identical: 1, continues: 1, superseded: 1, conflict: 1 });
    assert_eq!(p.entries[2].tablet_modified.as_deref(), Some(T1));

    let mut ids = (1..).map(|i| format!("copy-{i}"));
    let mut new_id = || ids.next().unwrap();
    let saved = plan(&file, &tablet, &p, &MergeChoice::default(), NOW, &mut new_id);
    let saved_ids: Vec<&str> = saved.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(saved_ids, ["new", "older-here"], "the default replaces nothing the file's version does not continue");
    let last = saved[0].history.last().unwrap();
    assert_eq!((last.event, last.modified.as_deref()), (Event::Imported, Some(T1)));

    // The conflict, each way.
    let take = MergeChoice { conflicts: [("both".to_string(), Resolution::TakeFile)].into(), ..MergeChoice::default() };
    let saved = plan(&file, &tablet, &p, &take, NOW, &mut new_id);
    assert_eq!(saved.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["new", "older-here", "copy-1", "both"]);
    assert_eq!(saved[3].record.answers.values["pigs"], "9");
    // The tablet's version is not lost: kept as a copy, marked as the replaced one.
    assert_eq!(saved[2].record, tablet[3].record);
    assert_eq!(
        saved[2].copy_of,
        Some(CopyOf { id: "both".into(), file_exported_at: NOW.into(), file_device: "device-a".into(), replaced: true })
    );
    let both = MergeChoice { add_new: false, take_newer: false, conflicts: [("both".to_string(), Resolution::KeepBoth)].into() };
    let saved = plan(&file, &tablet, &p, &both, NOW, &mut new_id);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].id, "copy-2");
    assert_eq!(saved[0].record.answers.values["pigs"], "9");
    assert_eq!(
        saved[0].copy_of,
        Some(CopyOf { id: "both".into(), file_exported_at: NOW.into(), file_device: "device-a".into(), replaced: false })
    );
    // The copy goes out and comes back as it is.
    let copy_text = export_json(&saved, ExportKind::Bureau);
    assert_eq!(read(&copy_text).unwrap().households[0].copy_of, saved[0].copy_of);
    let keep = MergeChoice { add_new: false, take_newer: false, conflicts: [("both".to_string(), Resolution::KeepTablet)].into() };
    assert!(plan(&file, &tablet, &p, &keep, NOW, &mut new_id).is_empty());

    // What differs, question by question, with the survey's labels.
    let diff = differences(&shipped(), &tablet[4 - 1], &file.households[4]);
    assert_eq!(diff.len(), 1, "{diff:?}");
    let pigs = shipped().find("pigs").unwrap().label.clone().unwrap();
    assert_eq!(diff[0].question, pigs);
    assert_eq!(diff[0].held.as_ref().map(|t| t.zh.as_str()), Some("4"));
    assert_eq!(diff[0].incoming.as_ref().map(|t| t.zh.as_str()), Some("9"));

    // After merging, importing the same file again finds nothing to do.
    let mut merged = tablet.clone();
    for h in plan(&file, &tablet, &p, &MergeChoice::default(), NOW, &mut new_id) {
        match merged.iter_mut().find(|t| t.id == h.id) {
            Some(t) => *t = h,
            None => merged.push(h),
        }
    }
    let again = preview(&file.households, &merged).counts();
    assert_eq!((again.new, again.continues, again.conflict), (0, 0, 1));
}

#[test]
fn differences_show_choices_and_members_with_their_labels() {
    let s = shipped();
    let a = finalized("h");
    let mut b = a.clone();
    b.record.answers.set(&FieldPath::top("village"), "aermazhi");
    b.record.answers.set(&FieldPath::member("members", 1, "member_name"), "阿呷莫");
    b.record.answers.set(&FieldPath::top("old_question"), "x");
    let diff = differences(&s, &a, &b);
    let paths: Vec<String> = diff.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(paths, ["village", "old_question", "members[1].member_name"]);
    let village = s.find("village").unwrap();
    let label = |name: &str| s.choices(village).iter().find(|c| c.name == name).unwrap().label.clone();
    let old = a.record.answers.values["village"].clone();
    assert_eq!(diff[0].held, Some(label(&old)));
    assert_eq!(diff[0].incoming, Some(label("aermazhi")));
    assert_eq!(diff[1].question.zh, "old_question", "a field the survey lacks is named");
    assert_eq!(diff[1].held, None);
    let members = s.find("members").unwrap().label.clone().unwrap();
    assert_eq!(diff[2].member, Some((members, 2)));
    assert!(differences(&s, &a, &a).is_empty());
}

fn lines(csv: &str) -> Vec<Vec<String>> {
    let body = csv.strip_prefix('\u{feff}').expect("BOM");
    let mut r = ::csv::ReaderBuilder::new().has_headers(false).from_reader(body.as_bytes());
    r.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn csv_tables_have_bom_and_the_right_columns() {
    let s = shipped();
    let mut draft = awkward_draft("h-2");
    draft.record.answers.set(&FieldPath::top("notes"), "=HYPERLINK(\"http://x\")");
    let t = csv_tables(&s, &[finalized("h-1"), draft], &cx());
    assert!(t.households.starts_with('\u{feff}') && t.members.starts_with('\u{feff}'));
    assert!(t.households.contains("\r\n"));

    let rows = lines(&t.households);
    let header = &rows[0];
    let expected: Vec<String> = HOUSEHOLD_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(s.items().iter().filter(|it| it.has_value() && s.repeat_of(it).is_none()).map(|it| it.name.clone()))
        .chain(["old_question".to_string()])
        .collect();
    assert_eq!(header, &expected);
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let h1 = &rows[1];
    assert_eq!(h1[col("_household_id")], "h-1");
    assert_eq!(h1[col("_status")], "finalized");
    assert_eq!(h1[col("support_flags")], "dibao none", "multi-selects space-separated");
    assert_eq!(h1[col("pepper_received")], "150");
    assert_eq!(h1[col("village")], "laguo");
    assert_eq!(h1[col("member_count")], "6");
    assert_eq!(h1[col("cadre_phone")], "=\"13800138000\"", "long digit strings keep every digit in Excel");
    assert!(h1[col("_acknowledged_warnings")].contains("members[4].medical_insurance: 已动员，下月参保"));
    let h2 = &rows[2];
    assert_eq!(h2[col("notes")], "'=HYPERLINK(\"http://x\")", "never a formula");
    assert_eq!(h2[col("village_other")], "", "non-relevant answers are left out");
    assert_eq!(h2[col("old_question")], "旧版本的答案", "unknown fields are kept");
    assert_eq!(h2[col("head_name")], "<script>alert('x')</script>&amp;");

    let rows = lines(&t.members);
    let header = &rows[0];
    assert_eq!(&header[..3], &MEMBER_COLUMNS.map(String::from));
    assert!(header.contains(&"member_name".to_string()) && header.contains(&"age".to_string()));
    assert_eq!(header.last().unwrap(), "old_member_field");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let members: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == "h-1").collect();
    assert_eq!(members.len(), 6);
    assert_eq!(members[0][col("_member")], "1");
    assert_eq!(members[0][col("id_number")], "=\"513429197503120039\"");
    assert_eq!(members[0][col("age")], "49");
    assert_eq!(members[5][col("work")], "out_province");
    let other: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == "h-2").collect();
    assert!(other.iter().any(|r| r[col("old_member_field")] == "x"));
}

#[test]
fn spreadsheet_cells() {
    assert_eq!(spreadsheet_cell("-5", false), "-5", "numbers are never touched");
    assert_eq!(spreadsheet_cell("-5", true), "'-5");
    assert_eq!(spreadsheet_cell("@SUM(A1)", true), "'@SUM(A1)");
    assert_eq!(spreadsheet_cell("0834", true), "=\"0834\"");
    assert_eq!(spreadsheet_cell("11010519491231002X", true), "11010519491231002X");
    assert_eq!(spreadsheet_cell("12", true), "12");
    assert_eq!(spreadsheet_cell("阿呷", true), "阿呷");
}

#[test]
fn file_names_tell_files_apart_and_are_safe() {
    let mut a = finalized("a");
    let b = finalized("b");
    const AT: &str = "2026-11-29T18:15:07.250+08:00";
    const DEVICE: &str = "3F1C9a2e-77b0-4f4e-9d1a-5c0b1e2f3a4b";
    let name = file_name("liangshan_household", &[a.clone(), b.clone()], AT, DEVICE, ExportKind::Bureau, "", "json");
    assert_eq!(name, "liangshan_household_laguo_2026-11-29_181507_3f1c_2户.json");
    // The file's own local date, not UTC's (10:15 UTC on the 29th; 00:30 on the 30th here).
    let late = file_name("liangshan_household", &[b.clone()], "2026-11-30T00:30:00.000+08:00", DEVICE, ExportKind::Bureau, "", "json");
    assert_eq!(late, "liangshan_household_laguo_2026-11-30_003000_3f1c_1户.json");
    // Another second, another tablet: other names.
    let names: std::collections::HashSet<String> = [("2026-11-29T18:15:07.250+08:00", DEVICE), ("2026-11-29T18:15:08.000+08:00", DEVICE), (AT, "77aa-…")]
        .iter()
        .map(|(at, d)| file_name("liangshan_household", &[a.clone()], at, d, ExportKind::Bureau, "", "json"))
        .collect();
    assert_eq!(names.len(), 3);
    a.record.answers.set(&FieldPath::top("village"), "aermazhi");
    let name = file_name("liangshan_household", &[a, b], AT, DEVICE, ExportKind::Backup, "members", "csv");
    assert_eq!(name, "liangshan_household_backup_mixed_2026-11-29_181507_3f1c_2户_members.csv");
    let mut evil = finalized("c");
    evil.record.answers.set(&FieldPath::top("village"), "../..\\x:y z");
    let name = file_name("s", &[evil], "../x", "/../", ExportKind::Bureau, "", "json");
    assert_eq!(name, "s_______x_y_z____x_none_1户.json");
    assert_eq!(file_name("s", &[], AT, "", ExportKind::Backup, "", "json"), "s_backup_none_2026-11-29_181507_none_0户.json");
}

#[test]
fn a_thousand_households_fit_well_under_the_size_limit() {
    let hs: Vec<Household> = (0..1000).map(|i| finalized(&format!("h-{i:04}"))).collect();
    let text = to_json(&export_file(&shipped(), &hs, &cx(), meta(ExportKind::Bureau)));
    assert!(text.len() * 3 < MAX_FILE_BYTES, "1,000 households of 6 members: {} bytes", text.len());
    let f = read(&text).unwrap();
    assert_eq!(f.households.len(), 1000);
}

#[test]
#[ignore = "timing, run with --release -- --ignored --nocapture"]
fn timing_native_export() {
    let hs: Vec<Household> = (0..1000).map(|i| finalized(&format!("h-{i:04}"))).collect();
    let s = shipped();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let evs: Vec<_> = hs.iter().map(|h| s.evaluate_record(&h.record, &cx())).collect();
        let t_eval = t.elapsed();
        let t = std::time::Instant::now();
        let ex: Vec<_> = evs.iter().map(|e| e.export_answers()).collect();
        let t_ea = t.elapsed();
        drop((evs, ex));
        let t = std::time::Instant::now();
        let f = export_file(&s, &hs, &cx(), meta(ExportKind::Bureau));
        let t_file = t.elapsed();
        let t = std::time::Instant::now();
        let text = to_json(&f);
        eprintln!("evaluate {t_eval:?} export_answers {t_ea:?} export_file {t_file:?} to_json {:?} ({} bytes)", t.elapsed(), text.len());
    }
}

fn visit_survey() -> Survey {
    static S: std::sync::OnceLock<Survey> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/visit");
        Survey::load_dir(dir).unwrap_or_else(|p| panic!("{p:?}"))
    })
    .clone()
}

/// A visit record of household `household`: a phone call, or a home visit with a promise.
fn visit(id: &str, household: &str, phone: bool, status: Status) -> Household {
    let v = visit_survey();
    let mut r = Household::new(id.into(), v.id(), v.version(), "device-a".into(), T0);
    r.household_id = Some(household.into());
    r.enumerator = Some(profile());
    let a = &mut r.record.answers;
    a.set(&FieldPath::top("visit_date"), "2024-04-19");
    a.set(&FieldPath::top("visit_mode"), if phone { "phone" } else { "home" });
    a.set(&FieldPath::top("met_whom"), "户主本人");
    a.set(&FieldPath::top("cadre_name"), "吉克阿依");
    if phone {
        a.set(&FieldPath::top("changes"), "none");
    } else {
        a.set(&FieldPath::top("changes"), "health housing");
        a.set(&FieldPath::top("change_health"), "老人住院");
        a.set(&FieldPath::top("change_housing"), "屋顶漏雨");
        a.set(&FieldPath::top("promise"), "联系维修");
        a.set(&FieldPath::top("promise_due"), "2024-05-15");
    }
    if status != Status::Draft {
        r.status = status;
        r.finalized = Some(T1.into());
        r.modified = T1.into();
        r.history.push(HistoryEntry::new(Event::Finalized, T1));
    }
    r
}

fn export_with_visits(hs: &[Household], visits: &[Household], kind: ExportKind) -> String {
    let mut f = export_file(&shipped(), hs, &cx(), meta(kind));
    add_visits(&mut f, &visit_survey(), visits, &cx());
    let text = to_json(&f);
    assert_valid_against_schema(&text);
    text
}

fn read_with_visits(text: &str) -> Result<ImportedFile, ImportError> {
    read_file_with_visits(text.as_bytes(), &shipped(), Some(&visit_survey()))
}

#[test]
fn visits_travel_beside_the_households_and_come_back_identical() {
    let hs = vec![finalized("h-1"), awkward_draft("h-2")];
    let visits = vec![visit("v-1", "h-1", false, Status::Finalized), visit("v-2", "h-1", true, Status::Draft)];
    let text = export_with_visits(&hs, &visits, ExportKind::Backup);
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["visit_count"], 2);
    assert_eq!(json["visit_survey"]["id"], "liangshan_visit");
    assert_eq!(json["visits"][0]["household_id"], "h-1");
    assert_eq!(json["visits"][0]["answers"]["changes"], json!(["health", "housing"]));
    assert!(json["visit_dictionary"]["fields"].as_array().unwrap().iter().any(|f| f["name"] == "promise_due"));
    assert!(json["households"][0].get("household_id").is_none(), "a household names no household");

    // An encrypted file's readable header says how many visits it holds, like the file.
    let routing = survey_core::envelope::Routing::of_plain(text.as_bytes()).unwrap();
    assert_eq!((routing.household_count, routing.visit_count), (2, Some(2)));
    assert!(serde_json::to_string(&routing).unwrap().contains("\"visit_count\":2"));

    let file = read_with_visits(&text).unwrap();
    assert_eq!(file.households, hs);
    assert_eq!(file.visits, visits);
    assert_eq!(file.visit_survey.as_ref().map(|s| s.id.as_str()), Some("liangshan_visit"));

    // Without visits the file is as before: no visit keys at all.
    let plain = export_json(&hs, ExportKind::Backup);
    assert!(!plain.contains("visit_count") && !plain.contains("\"visits\""));
    let routing = survey_core::envelope::Routing::of_plain(plain.as_bytes()).unwrap();
    assert!(routing.visit_count.is_none() && !serde_json::to_string(&routing).unwrap().contains("visit_count"));
    let file = read_with_visits(&plain).unwrap();
    assert!(file.visits.is_empty() && file.visit_survey.is_none());
}

#[test]
fn a_file_of_visits_only_is_read_and_a_reader_without_the_visit_survey_refuses_it() {
    let visits = vec![visit("v-1", "h-9", true, Status::Finalized)];
    let text = export_with_visits(&[], &visits, ExportKind::Bureau);
    let file = read_with_visits(&text).unwrap();
    assert!(file.households.is_empty());
    assert_eq!(file.visits, visits);
    // A reader that has no visit survey does not drop the visits: it refuses the file.
    assert_eq!(read(&text), Err(ImportError::WrongSurvey { found: "liangshan_visit".into() }));
    // Nor does a reader whose visit survey is another one.
    let other = shipped();
    assert_eq!(
        read_file_with_visits(text.as_bytes(), &shipped(), Some(&other)),
        Err(ImportError::WrongSurvey { found: "liangshan_visit".into() })
    );
    // An empty file is still refused.
    let empty = export_with_visits(&[], &[], ExportKind::Bureau);
    assert_eq!(read_with_visits(&empty), Err(ImportError::NoHouseholds));
}

#[test]
fn broken_visits_are_named_as_visits_and_refuse_the_file() {
    let text = export_with_visits(
        &[finalized("h-1")],
        &[visit("v-1", "h-1", true, Status::Finalized), visit("v-2", "h-1", false, Status::Finalized)],
        ExportKind::Bureau,
    );
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["visits"][1].as_object_mut().unwrap().remove("household_id");
    match read_with_visits(&json.to_string()) {
        Err(ImportError::BrokenRecords { count: 1, records }) => {
            assert_eq!(records.len(), 1);
            let r = &records[0];
            assert!(r.visit);
            assert_eq!((r.number, r.id.as_deref(), r.problem), (2, Some("v-2"), RecordProblem::MissingHousehold));
        }
        other => panic!("{other:?}"),
    }

    // A count that does not match the visits: cut short.
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["visit_count"] = json!(3);
    assert_eq!(read_with_visits(&json.to_string()), Err(ImportError::Incomplete { declared: 3, found: 2 }));

    // A visit of another survey, and the same visit twice.
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["visits"][1]["survey_id"] = json!("liangshan_household");
    json["visits"][0]["id"] = json!("v-2");
    match read_with_visits(&json.to_string()) {
        Err(ImportError::BrokenRecords { count: 1, records }) => {
            assert_eq!((records[0].visit, records[0].problem), (true, RecordProblem::WrongSurvey));
        }
        other => panic!("{other:?}"),
    }
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["visits"][1]["id"] = json!("v-1");
    match read_with_visits(&json.to_string()) {
        Err(ImportError::BrokenRecords { records, .. }) => {
            assert_eq!((records[0].visit, records[0].number, records[0].problem), (true, 2, RecordProblem::DuplicateId));
        }
        other => panic!("{other:?}"),
    }

    // A household that names a household is not a household.
    let mut json: Value = serde_json::from_str(&text).unwrap();
    json["households"][0]["household_id"] = json!("h-0");
    match read_with_visits(&json.to_string()) {
        Err(ImportError::BrokenRecords { records, .. }) => {
            assert_eq!((records[0].visit, records[0].problem), (false, RecordProblem::BadValue));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn visits_merge_with_the_households_rule() {
    let base = visit("v-1", "h-1", true, Status::Finalized);
    let mut later = base.clone();
    later.reopen("日期写错", T1).unwrap();
    later.record.answers.set(&FieldPath::top("visit_date"), "2024-04-18");
    later.modified = "2024-04-21T00:00:00.000Z".into();
    assert_eq!(relate(&base, &base.clone()), Relation::Identical);
    assert_eq!(relate(&base, &later), Relation::Continues);
    assert_eq!(relate(&later, &base), Relation::Superseded);
}

#[test]
fn the_visits_table_names_each_visit_and_its_household() {
    let v = visit_survey();
    let mut odd = visit("v-2", "h-1", true, Status::Draft);
    odd.record.answers.set(&FieldPath::top("problems"), "=1+1");
    let table = visits_csv(&v, &[visit("v-1", "h-1", false, Status::Finalized), odd], &cx());
    let rows = lines(&table);
    let header = &rows[0];
    let expected: Vec<String> = [VISIT_ID_COLUMN]
        .iter()
        .chain(&HOUSEHOLD_COLUMNS)
        .map(|c| c.to_string())
        .chain(v.items().iter().filter(|it| it.has_value()).map(|it| it.name.clone()))
        .collect();
    assert_eq!(header, &expected);
    assert_eq!(&header[..3], ["_visit_id", "_household_id", "_status"]);
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!((rows[1][col("_visit_id")].as_str(), rows[1][col("_household_id")].as_str()), ("v-1", "h-1"));
    assert_eq!(rows[1][col("_status")], "finalized");
    assert_eq!(rows[1][col("changes")], "health housing");
    assert_eq!(rows[1][col("promise_due")], "2024-05-15");
    assert_eq!(rows[2][col("visit_mode")], "phone");
    assert_eq!(rows[2][col("change_health")], "", "not relevant on a call without changes");
    assert_eq!(rows[2][col("problems")], "'=1+1", "never a formula");
    // The households' tables are as before.
    assert_eq!(lines(&csv_tables(&shipped(), &[finalized("h-1")], &cx()).households)[0][0], "_household_id");
}
