//! The shipped household survey (`surveys/household`): it loads clean, and a sample
//! household with 6 members gives exactly the expected errors and warnings.

use std::path::PathBuf;
use survey_core::*;

fn survey_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household")
}

fn shipped() -> Survey {
    Survey::load_dir(survey_dir()).unwrap_or_else(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("surveys/household has problems:\n{}", text.join("\n"))
    })
}

fn sample() -> Record {
    let json = include_str!("fixtures/household_6_members.json");
    serde_json::from_str(json).unwrap()
}

fn ctx() -> Context {
    Context::from_iso("2024-05-01").unwrap()
}

#[test]
fn shipped_survey_loads_clean() {
    let s = shipped();
    assert_eq!(s.id(), "liangshan_household");
    assert!(s.find("members").is_some_and(Item::is_repeat));
    // The embedded JSON form compiles the same.
    let raw = load_survey_dir(survey_dir()).unwrap();
    let again = Survey::compile(RawSurvey::from_json(&raw.to_json()).unwrap()).unwrap();
    assert_eq!(again.items().len(), s.items().len());
}

#[test]
fn sample_household_has_exactly_the_expected_issues() {
    let s = shipped();
    let record = sample();
    assert_eq!(record.answers.members("members").len(), 6);
    let ev = s.evaluate_record(&record, &ctx());
    let got: Vec<(String, Severity, Rule)> = ev
        .issues()
        .iter()
        .map(|i| (i.path.to_string(), i.severity, i.rule))
        .collect();
    use Rule::{Constraint, Required};
    use Severity::{Error, Warning};
    let want: Vec<(String, Severity, Rule)> = [
        ("support_flags", Error, Constraint),
        ("household_phone", Error, Constraint),
        ("members[1].sex", Warning, Rule::Warning),
        ("members[2].school_status", Warning, Rule::Warning),
        ("members[3].birth_date", Warning, Rule::Warning),
        ("members[4].disability_grade", Error, Required),
        ("members[4].medical_insurance", Warning, Rule::Warning),
        ("members[5].id_number", Error, Constraint),
        ("members[5].months_away", Error, Constraint),
        ("education_secured", Warning, Rule::Warning),
        ("medical_secured", Warning, Rule::Warning),
        ("income_transfer", Warning, Rule::Warning),
    ]
    .into_iter()
    .map(|(p, s, r)| (p.to_string(), s, r))
    .collect();
    assert_eq!(got, want);

    // Every survey message is bilingual.
    for issue in ev.issues() {
        match &issue.message {
            Message::Text(t) => assert!(!t.zh.is_empty() && !t.ii.is_empty(), "{}", issue.key()),
            Message::Code(c) => assert_eq!(*c, Code::Required, "{}", issue.key()),
        }
    }
}

#[test]
fn sample_household_calculations() {
    let s = shipped();
    let ev = s.evaluate_record(&sample(), &ctx());
    let v = |p: &str| ev.value(&p.parse().unwrap()).to_string();
    assert_eq!(v("member_count"), "6");
    assert_eq!(v("head_count"), "1");
    assert_eq!(v("uninsured_count"), "1");
    assert_eq!(v("out_of_school_count"), "1");
    assert_eq!(v("members[0].age"), "49");
    assert_eq!(v("members[2].age"), "11");
    assert_eq!(v("members[3].age"), "7");
    assert_eq!(v("members[4].age"), "80");
    assert_eq!(v("migrant_count"), "1");
    assert_eq!(v("welfare_job_count"), "0");
    assert_eq!(v("income_total"), "25000");
    assert_eq!(v("income_per_capita"), "4167");
    assert_eq!(v("pepper_reward"), "yes");
    assert_eq!(v("scholarship"), "0");
    assert!(!ev.is_relevant(&"members[4].school_status".parse().unwrap()));
    assert!(ev.is_relevant(&"members[4].disability_grade".parse().unwrap()));
    assert!(!ev.is_relevant(&"members[2].work".parse().unwrap()));
    assert!(ev.is_relevant(&"monitor_type".parse().unwrap()));
    assert!(!ev.is_relevant(&"village_other".parse().unwrap()));
    let groups: Vec<String> = s
        .visible_choices(&"village_group".parse().unwrap(), &ev)
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        groups,
        ["laguo_1", "laguo_2", "laguo_3", "laguo_4", "laguo_5", "laguo_6"]
    );
}

#[test]
fn sample_household_sections() {
    let s = shipped();
    let ev = s.evaluate_record(&sample(), &ctx());
    let states: Vec<(String, SectionState)> = ev
        .sections()
        .map(|(i, st)| (i.name.clone(), st.state))
        .collect();
    use SectionState::*;
    assert_eq!(
        states,
        [
            ("visit".to_string(), Complete),
            ("household".to_string(), HasErrors),
            ("members_section".to_string(), HasErrors),
            ("guarantees".to_string(), Complete),
            ("industry".to_string(), Complete),
            ("income".to_string(), Complete),
            ("education_section".to_string(), Complete),
            ("assistance_section".to_string(), Complete),
        ]
    );
    assert_eq!(ev.section_status("members_section").unwrap().warnings, 4);
    assert_eq!(ev.section_status("members_section").unwrap().missing, 1);
}

#[test]
fn fixing_the_sample_leaves_only_acknowledged_warnings() {
    let s = shipped();
    let mut r = sample();
    let set = |r: &mut Record, p: &str, v: &str| r.answers.set(&p.parse().unwrap(), v);
    set(&mut r, "support_flags", "dibao");
    set(&mut r, "household_phone", "13800138001");
    set(&mut r, "members[4].disability_grade", "grade_2");
    set(&mut r, "members[5].id_number", "513429199402100038");
    set(&mut r, "members[5].months_away", "10");
    let ev = s.evaluate_record(&r, &ctx());
    assert!(ev.is_valid(), "{:?}", ev.errors().collect::<Vec<_>>());
    assert_eq!(ev.unacknowledged_warnings().count(), 7);
    let warnings: Vec<(FieldPath, String)> = ev
        .warnings()
        .map(|w| (w.path.clone(), ev.value(&w.path).to_string()))
        .collect();
    for (path, value) in warnings {
        r.acknowledge(path, &value, Some("已核实".into()));
    }
    let ev = s.evaluate_record(&r, &ctx());
    assert_eq!(ev.unacknowledged_warnings().count(), 0);
    assert!(ev
        .sections()
        .all(|(_, st)| st.state == SectionState::Complete));
    // The stored record round-trips through JSON with its acknowledgements.
    let json = serde_json::to_string(&r).unwrap();
    let back: Record = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.extra["id"], "sample-laguo-0001");
}
