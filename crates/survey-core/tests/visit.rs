//! The shipped visit log (`surveys/visit`, 走访记录): it loads clean as the `visit` form, and
//! its rules hold: a change named needs its description, "no change" stands alone, a
//! promise needs a date no earlier than the visit.
use std::path::PathBuf;
use survey_core::forms::Role;
use survey_core::*;

fn visit() -> (RawSurvey, Survey) {
    let raw = load_survey_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/visit")).unwrap();
    let survey = Survey::compile(raw.clone()).unwrap_or_else(|problems| {
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("surveys/visit has problems:\n{}", text.join("\n"))
    });
    (raw, survey)
}

/// (field, rule) of every error.
fn errors(s: &Survey, answers: &Answers) -> Vec<(String, Rule)> {
    let ev = s.evaluate(answers, &Context::from_iso("2026-11-30").unwrap());
    ev.issues().iter().filter(|i| i.severity == Severity::Error).map(|i| (i.path.to_string(), i.rule)).collect()
}

#[test]
fn the_visit_log_is_the_visit_form_and_its_rules_hold() {
    let (raw, s) = visit();
    assert_eq!(Role::of(&raw), Ok(Role::Visit));
    assert_eq!(s.id(), "liangshan_visit");
    let choices: Vec<&str> = s.list("visit_mode").unwrap().choices.iter().map(|c| c.label.zh.as_str()).collect();
    assert_eq!(choices, ["入户走访", "电话回访"]);

    let mut a = Answers::default();
    let set = |a: &mut Answers, k: &str, v: &str| a.set(&FieldPath::top(k), v);
    set(&mut a, "visit_date", "2026-11-20");
    set(&mut a, "visit_mode", "phone");
    set(&mut a, "met_whom", "户主本人");
    set(&mut a, "cadre_name", "吉克阿依");
    set(&mut a, "changes", "none");
    assert_eq!(errors(&s, &a), vec![]);

    // A change named needs its description; "no change" cannot go with it.
    set(&mut a, "changes", "none health");
    assert_eq!(errors(&s, &a), vec![("changes".into(), Rule::Constraint), ("change_health".into(), Rule::Required)]);
    set(&mut a, "changes", "health work_away");
    set(&mut a, "change_health", "母亲住院");
    assert_eq!(errors(&s, &a), vec![("change_work_away".into(), Rule::Required)]);
    set(&mut a, "change_work_away", "长子去浙江务工");

    // A promise needs its date, not before the visit; a visit in the future is refused.
    set(&mut a, "promise", "协调危房改造补助");
    assert_eq!(errors(&s, &a), vec![("promise_due".into(), Rule::Required)]);
    set(&mut a, "promise_due", "2026-11-01");
    assert_eq!(errors(&s, &a), vec![("promise_due".into(), Rule::Constraint)]);
    set(&mut a, "promise_due", "2026-12-31");
    set(&mut a, "visit_date", "2026-12-01");
    assert_eq!(errors(&s, &a), vec![("visit_date".into(), Rule::Constraint)]);
}
