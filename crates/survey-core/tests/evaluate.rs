//! Relevance, calculations, errors, warnings, acknowledgements, choices, sections.

mod common;
use common::*;
use survey_core::*;

fn survey() -> Survey {
    compile(
        vec![
            row("begin_group", "basic", &[]),
            row("select_one village", "village", &[("required", "yes")]),
            row(
                "select_one grp",
                "grp",
                &[("choice_filter", "village=${village}")],
            ),
            row(
                "integer",
                "size",
                &[
                    ("required", "yes"),
                    ("constraint", ". > 0 and . < 30"),
                    ("constraint_message::zh", "人数应在1–29之间"),
                    ("constraint_message::ii", "ꊿ"),
                ],
            ),
            row("decimal", "land", &[("warning", ". <= 50")]),
            row("date", "visit", &[("default", "")]),
            row("select_multiple causes", "causes", &[]),
            row(
                "text",
                "cause_other",
                &[
                    ("relevant", "selected(${causes}, 'other')"),
                    ("required", "yes"),
                ],
            ),
            row(
                "text",
                "note",
                &[
                    ("required", "${size} > 5"),
                    ("required_message::zh", "大户必填"),
                    ("required_message::ii", "ꉬ"),
                ],
            ),
            row("end_group", "", &[]),
            row("begin_group", "housing", &[("relevant", "${size} > 0")]),
            row("select_one grade", "grade", &[("required", "yes")]),
            row("text", "plan", &[("relevant", "${grade} = 'd'")]),
            row("end_group", "", &[]),
            row("begin_group", "roster", &[]),
            row("begin_repeat", "members", &[("repeat_count", "${size}")]),
            row("text", "name", &[("required", "yes")]),
            row(
                "integer",
                "age",
                &[("required", "yes"), ("warning", ". < 100"), ("default", "")],
            ),
            row(
                "text",
                "school",
                &[
                    ("relevant", "${age} >= 6 and ${age} <= 15"),
                    ("required", "yes"),
                ],
            ),
            row(
                "calculate",
                "adult",
                &[("calculation", "if(${age} >= 18, 1, 0)")],
            ),
            row("end_repeat", "", &[]),
            // Defined before what it reads: order comes from dependencies, not rows.
            row(
                "calculate",
                "share",
                &[("calculation", "${adults} div ${size}")],
            ),
            row("calculate", "adults", &[("calculation", "sum(${adult})")]),
            row("end_group", "", &[]),
            row("begin_group", "optional", &[]),
            row("text", "remarks", &[]),
            row("end_group", "", &[]),
        ],
        vec![
            choice("village", "a", &[]),
            choice("village", "b", &[]),
            choice("grp", "a1", &[("village", "a")]),
            choice("grp", "a2", &[("village", "a")]),
            choice("grp", "b1", &[("village", "b")]),
            choice("causes", "ill", &[]),
            choice("causes", "other", &[]),
            choice("grade", "a", &[]),
            choice("grade", "d", &[]),
        ],
    )
}

fn issues(ev: &Evaluation) -> Vec<(String, Rule, Message)> {
    ev.issues()
        .iter()
        .map(|i| (i.path.to_string(), i.rule, i.message.clone()))
        .collect()
}

fn code(c: Code) -> Message {
    Message::Code(c)
}

#[test]
fn an_empty_record_needs_the_required_fields_in_form_order() {
    let s = survey();
    let ev = evaluate(&s, &Answers::default());
    assert_eq!(
        issues(&ev),
        [
            ("village".into(), Rule::Required, code(Code::Required)),
            ("size".into(), Rule::Required, code(Code::Required)),
        ]
    );
    // housing is hidden (size blank) so grade is not required.
    assert!(!ev.is_relevant(&top("housing")));
    assert!(!ev.is_relevant(&top("grade")));
    assert_eq!(
        ev.section_status("basic").unwrap().state,
        SectionState::NotStarted
    );
    assert_eq!(
        ev.section_status("housing").unwrap().state,
        SectionState::NotRelevant
    );
    assert_eq!(
        ev.section_status("roster").unwrap().state,
        SectionState::NotStarted
    );
    assert_eq!(
        ev.section_status("optional").unwrap().state,
        SectionState::NotStarted
    );
    assert!(ev.section_status("size").is_none());
    assert!(!ev.is_valid());
}

#[test]
fn type_errors_use_builtin_codes() {
    let s = survey();
    let a = answers(&[
        (top("village"), "zz"),
        (top("size"), "2.5"),
        (top("land"), "lots"),
        (top("visit"), "2024-02-30"),
        (top("causes"), "ill nope"),
    ]);
    let ev = evaluate(&s, &a);
    assert_eq!(
        issues(&ev),
        [
            ("village".into(), Rule::Type, code(Code::NotAChoice)),
            ("size".into(), Rule::Type, code(Code::NotInteger)),
            ("land".into(), Rule::Type, code(Code::NotNumber)),
            ("visit".into(), Rule::Type, code(Code::NotDate)),
            ("causes".into(), Rule::Type, code(Code::NotAChoice)),
            // `2.5 > 0`, so the housing section is shown even though 2.5 is not an integer.
            ("grade".into(), Rule::Required, code(Code::Required)),
        ]
    );
    assert_eq!(
        ev.section_status("basic").unwrap().state,
        SectionState::HasErrors
    );
    assert_eq!(ev.section_status("basic").unwrap().errors, 5);
}

#[test]
fn integers_accept_a_minus_sign_and_surrounding_spaces_only() {
    let s = survey();
    for (v, ok) in [
        ("-3", true),
        (" 4 ", true),
        ("+4", false),
        ("1e2", false),
        ("4.0", false),
        ("٣", false),
    ] {
        let ev = evaluate(&s, &answers(&[(top("village"), "a"), (top("size"), v)]));
        let type_error = ev.issues_at(&top("size")).any(|i| i.rule == Rule::Type);
        assert_eq!(!type_error, ok, "{v}");
    }
}

#[test]
fn constraints_use_the_survey_message_in_both_languages() {
    let s = survey();
    let ev = evaluate(&s, &answers(&[(top("village"), "a"), (top("size"), "40")]));
    let issue = ev.issues_at(&top("size")).next().unwrap();
    assert_eq!(issue.severity, Severity::Error);
    assert_eq!(issue.rule, Rule::Constraint);
    match &issue.message {
        Message::Text(t) => {
            assert_eq!(t.zh, "人数应在1–29之间");
            assert_eq!(t.ii, "ꊿ");
            assert_eq!(t.get(Lang::Ii), "ꊿ");
        }
        m => panic!("{m:?}"),
    }
    assert_eq!(issue.key(), "size#constraint");
}

#[test]
fn required_expressions_and_custom_required_messages() {
    let s = survey();
    let ev = evaluate(&s, &answers(&[(top("village"), "a"), (top("size"), "6")]));
    let note: Vec<_> = ev.issues_at(&top("note")).collect();
    assert_eq!(note.len(), 1);
    assert!(matches!(&note[0].message, Message::Text(t) if t.zh == "大户必填"));
    let ev = evaluate(&s, &answers(&[(top("village"), "a"), (top("size"), "5")]));
    assert_eq!(ev.issues_at(&top("note")).count(), 0);
    // Whitespace only counts as blank.
    let ev = evaluate(&s, &answers(&[(top("village"), "  "), (top("size"), "5")]));
    assert_eq!(
        ev.issues_at(&top("village")).next().unwrap().rule,
        Rule::Required
    );
}

#[test]
fn non_relevant_answers_are_kept_but_not_validated_or_exported() {
    let s = survey();
    let a = answers(&[
        (top("village"), "a"),
        (top("size"), "1"),
        (top("causes"), "ill"),
        (top("cause_other"), "x".repeat(3).as_str()),
        (top("grade"), "a"),
        (top("plan"), "not a plan"),
        (member(0, "name"), "阿呷"),
        (member(0, "age"), "40"),
        (member(0, "school"), "3rd grade"),
    ]);
    let ev = evaluate(&s, &a);
    assert!(ev.is_valid(), "{:?}", ev.issues());
    assert!(!ev.is_relevant(&top("cause_other")));
    assert!(!ev.is_relevant(&member(0, "school")));
    assert_eq!(ev.value(&top("cause_other")), "xxx", "kept");
    let out = ev.export_answers();
    assert!(!out.values.contains_key("cause_other"));
    assert!(!out.values.contains_key("plan"));
    assert_eq!(
        out.members("members")[0].get("name").map(String::as_str),
        Some("阿呷")
    );
    assert!(!out.members("members")[0].contains_key("school"));
    assert_eq!(out.values["adults"], "1");
    assert_eq!(out.members("members")[0]["adult"], "1");
    // A non-relevant group hides its children even when they have answers and errors.
    let mut hidden = a.clone();
    hidden.set(&top("size"), "0");
    hidden.set(&top("grade"), "not a grade");
    let ev = evaluate(&s, &hidden);
    assert!(!ev.is_relevant(&top("plan")));
    assert!(ev.issues_at(&top("grade")).next().is_none());
}

#[test]
fn calculations_run_in_dependency_order() {
    let s = survey();
    let mut a = answers(&[(top("village"), "a"), (top("size"), "4")]);
    for (i, age) in ["40", "38", "12", "3"].iter().enumerate() {
        a.set(&member(i, "name"), "x");
        a.set(&member(i, "age"), *age);
    }
    let ev = evaluate(&s, &a);
    assert_eq!(ev.value(&top("adults")), "2");
    assert_eq!(ev.value(&top("share")), "0.5");
    assert_eq!(ev.value(&member(2, "adult")), "0");
    assert_eq!(ev.member_count("members"), 4);
    // The 12-year-old needs a school answer.
    let missing: Vec<String> = ev.errors().map(|i| i.path.to_string()).collect();
    assert_eq!(missing, ["grade", "members[2].school"]);
}

#[test]
fn choice_filters_limit_visible_and_valid_choices() {
    let s = survey();
    let a = answers(&[
        (top("village"), "b"),
        (top("grp"), "a1"),
        (top("size"), "1"),
    ]);
    let ev = evaluate(&s, &a);
    let names = |p: &FieldPath, ev: &Evaluation| {
        s.visible_choices(p, ev)
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&top("grp"), &ev), ["b1"]);
    assert_eq!(names(&top("village"), &ev), ["a", "b"]);
    assert!(names(&top("nope"), &ev).is_empty());
    assert_eq!(
        ev.issues_at(&top("grp")).next().unwrap().message,
        Message::Code(Code::NotAChoice)
    );
    let ev = evaluate(&s, &answers(&[(top("village"), "a"), (top("grp"), "a1")]));
    assert_eq!(names(&top("grp"), &ev), ["a1", "a2"]);
    assert!(ev.issues_at(&top("grp")).next().is_none());
}

#[test]
fn repeat_count_limits_the_roster() {
    let s = survey();
    let mut a = answers(&[
        (top("village"), "a"),
        (top("size"), "1"),
        (top("grade"), "a"),
    ]);
    for i in 0..2 {
        a.set(&member(i, "name"), "x");
        a.set(&member(i, "age"), "30");
    }
    let ev = evaluate(&s, &a);
    let e: Vec<_> = issues(&ev);
    assert_eq!(
        e,
        [(
            "members".into(),
            Rule::RepeatCount,
            code(Code::TooManyMembers)
        )]
    );
    assert_eq!(
        ev.section_status("roster").unwrap().state,
        SectionState::HasErrors
    );
}

#[test]
fn warnings_can_be_acknowledged_until_the_value_changes() {
    let s = survey();
    let mut r = Record {
        answers: answers(&[
            (top("village"), "a"),
            (top("size"), "1"),
            (top("grade"), "a"),
            (top("land"), "80"),
        ]),
        ..Default::default()
    };
    r.answers.set(&member(0, "name"), "老人");
    r.answers.set(&member(0, "age"), "104");
    let ev = s.evaluate_record(&r, &ctx());
    let warnings: Vec<String> = ev.unacknowledged_warnings().map(Issue::key).collect();
    assert_eq!(warnings, ["land#warning", "members[0].age#warning"]);
    assert!(ev.is_valid(), "warnings are not errors");
    assert_eq!(ev.section_status("roster").unwrap().warnings, 1);
    assert_eq!(
        ev.section_status("roster").unwrap().state,
        SectionState::Complete
    );

    let w = ev.warnings().nth(1).unwrap().clone();
    r.acknowledge(w.path.clone(), ev.value(&w.path), Some("户口本如此".into()));
    let ev = s.evaluate_record(&r, &ctx());
    let warnings: Vec<String> = ev.unacknowledged_warnings().map(Issue::key).collect();
    assert_eq!(warnings, ["land#warning"]);
    assert_eq!(ev.warnings().count(), 2);
    assert_eq!(ev.section_status("roster").unwrap().warnings, 0);

    // A different value brings the warning back.
    r.answers.set(&member(0, "age"), "105");
    let ev = s.evaluate_record(&r, &ctx());
    assert_eq!(ev.unacknowledged_warnings().count(), 2);
    assert_eq!(ev.section_status("roster").unwrap().warnings, 1);
}

#[test]
fn section_states() {
    let s = survey();
    let a = answers(&[(top("village"), "a")]);
    let ev = evaluate(&s, &a);
    assert_eq!(
        ev.section_status("basic").unwrap().state,
        SectionState::InProgress
    );
    let st = ev.section_status("basic").unwrap();
    assert_eq!((st.answered, st.missing, st.errors), (1, 1, 0));
    let a = answers(&[
        (top("village"), "a"),
        (top("size"), "1"),
        (top("remarks"), "好"),
    ]);
    let ev = evaluate(&s, &a);
    assert_eq!(
        ev.section_status("basic").unwrap().state,
        SectionState::Complete
    );
    assert_eq!(
        ev.section_status("housing").unwrap().state,
        SectionState::NotStarted
    );
    assert_eq!(
        ev.section_status("optional").unwrap().state,
        SectionState::Complete
    );
    let all: Vec<(String, SectionState)> = ev
        .sections()
        .map(|(i, st)| (i.name.clone(), st.state))
        .collect();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], ("basic".to_string(), SectionState::Complete));
}

#[test]
fn builtin_codes_are_listed_for_translation() {
    let codes: Vec<&str> = builtin_codes().collect();
    assert_eq!(
        codes,
        [
            "required",
            "not_integer",
            "not_number",
            "not_date",
            "not_a_choice",
            "constraint",
            "warning",
            "too_many_members",
            "not_photo",
            "not_geopoint",
            "inaccurate_location"
        ]
    );
    let json = serde_json::to_string(&Message::Code(Code::NotAChoice)).unwrap();
    assert_eq!(json, r#"{"code":"not_a_choice"}"#);
}

#[test]
fn tree_accessors() {
    let s = survey();
    let sections: Vec<&str> = s.sections().map(|i| i.name.as_str()).collect();
    assert_eq!(sections, ["basic", "housing", "roster", "optional"]);
    let roster = s.find("roster").unwrap();
    let kids: Vec<&str> = s.children(roster).map(|i| i.name.as_str()).collect();
    assert_eq!(kids, ["members", "share", "adults"]);
    let age = s.find("age").unwrap();
    assert_eq!(age.field_type(), Some(&FieldType::Integer));
    assert_eq!(s.repeat_of(age).unwrap().name, "members");
    assert!(s.repeat_of(s.find("size").unwrap()).is_none());
    assert_eq!(age.label.as_ref().unwrap().zh, "age标签");
    assert!(age.is_input() && age.always_required());
    assert!(!s.find("adult").unwrap().is_input());
    assert_eq!(s.choices(s.find("grp").unwrap()).len(), 3);
    assert_eq!(
        s.list("grp").unwrap().get("b1").unwrap().extra["village"],
        "b"
    );
    assert_eq!(s.top_level().count(), 4);
}

#[test]
fn defaults_fill_new_records_and_members() {
    let s = compile(
        vec![
            row("text", "a", &[("default", "x")]),
            row("begin_repeat", "members", &[]),
            row("select_one yn", "insured", &[("default", "yes")]),
            row("end_repeat", "", &[]),
        ],
        vec![choice("yn", "yes", &[])],
    );
    let cx = Context::default();
    assert_eq!(s.new_answers(&cx).values["a"], "x");
    let none = Answers::default();
    assert_eq!(s.new_member(&none, "members", &cx)["insured"], "yes");
    assert!(s.new_member(&none, "a", &cx).is_empty());
}

#[test]
fn evaluations_compare_by_content() {
    let s = survey();
    let a = answers(&[(top("village"), "a")]);
    assert_eq!(evaluate(&s, &a), evaluate(&s, &a));
    assert_ne!(
        evaluate(&s, &a),
        evaluate(&s, &answers(&[(top("village"), "b")]))
    );
}
