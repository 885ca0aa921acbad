//! Two versions of a published form (`survey_core::forms`): a household answered with the
//! first opens with the second as the app opens it (its stored compact text decoded with the
//! schema it was written with, then evaluated by the new form): answers to the removed
//! question are kept, the new required question shows as missing, nothing is lost.
use std::collections::BTreeMap;
use std::path::PathBuf;

use survey_core::compact::{self, Schema};
use survey_core::forms::{compile_published, Role};
use survey_core::*;

fn shipped() -> RawSurvey {
    load_survey_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household")).unwrap()
}

/// A form as published and read back by the app.
fn published(raw: &RawSurvey) -> Survey {
    let (entry, text) = fixtures::published(raw, Role::Household);
    compile_published(&entry, &text).unwrap().1
}

#[test]
fn a_household_started_with_one_version_opens_with_the_next_and_loses_nothing() {
    let v1_raw = shipped();
    let v1 = published(&v1_raw);

    // Version 2: a label changed, a question removed, a required question added.
    let mut v2_raw = v1_raw.clone();
    v2_raw.settings.set("version", "2099.1.1");
    let removed = "household_phone";
    let at = v2_raw.survey.iter().position(|r| r.name == removed).expect("the shipped survey asks the phone");
    v2_raw.survey.remove(at);
    let mut added = v2_raw.survey[at].clone();
    for (column, value) in [("type", "text"), ("name", "water_quality_2099"), ("label::zh", "饮用水来源"), ("label::ii", "ꒉ"), ("required", "yes"), ("ii_status", "draft")] {
        added.set(column, value);
    }
    for column in ["relevant", "constraint", "calculation", "choice_filter", "appearance", "default", "read_only", "hint::zh", "hint::ii"] {
        added.set(column, "");
    }
    v2_raw.survey.insert(at, added);
    let head = v2_raw.survey.iter_mut().find(|r| r.name == "head_name").unwrap();
    head.set("label::zh", "户主姓名（与户口簿一致）");
    let v2 = published(&v2_raw);
    assert_eq!(v2.find("head_name").unwrap().label.as_ref().unwrap().zh, "户主姓名（与户口簿一致）");

    // Answered with version 1 and stored in the compact form with version 1's schema.
    let mut h = Household::new("h1".into(), v1.id(), v1.version(), "tablet".into(), "2026-11-01T08:00:00Z");
    fixtures::answer_every_input(&v1, &mut h, 3);
    assert!(!h.record.answers.get(&FieldPath::top(removed)).is_empty());
    let v1_schema = Schema::of(&v1);
    let stored = compact::encode(&h, &v1_schema);

    // Opened with version 2: decoded with the schema it was written with: every answer back.
    let opened = compact::decode(&stored, &Schema::from_json(&v1_schema.to_json()).unwrap()).unwrap();
    assert_eq!(opened, h);
    let cx = Context::from_iso("2026-11-30").unwrap();
    let before = v1.evaluate_record(&h.record, &cx);
    let after = v2.evaluate_record(&opened.record, &cx);

    // The removed question's answer is kept and listed as one the form no longer asks.
    let v2_schema = Schema::of(&v2);
    let unknown: BTreeMap<String, String> =
        v2_schema.unknown_fields(&opened.record.answers).into_iter().map(|(p, v)| (p.to_string(), v)).collect();
    assert_eq!(unknown.keys().collect::<Vec<_>>(), vec![removed]);
    // The new required question shows as missing; version 1 had no such issue.
    let water = FieldPath::top("water_quality_2099");
    assert!(after.issues_at(&water).any(|i| i.rule == Rule::Required && i.severity == Severity::Error));
    assert!(before.issues_at(&water).next().is_none());

    // Saved again under version 2 (its own schema): still every answer, the removed one too.
    let mut edited = opened.clone();
    edited.record.answers.set(&water, "井水");
    let again = compact::decode(&compact::encode(&edited, &v2_schema), &v2_schema).unwrap();
    assert_eq!(again.record.answers.get(&FieldPath::top(removed)), h.record.answers.get(&FieldPath::top(removed)));
    for (k, v) in &h.record.answers.values {
        assert_eq!(&again.record.answers.values[k], v, "{k}");
    }
    assert_eq!(again.record.answers.repeats, h.record.answers.repeats);
    assert!(v2.evaluate_record(&again.record, &cx).issues_at(&water).next().is_none());
}
