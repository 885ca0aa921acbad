//! The linter reports every problem with its table and row.

mod common;
use common::*;
use survey_core::{ProblemKind, RawSurvey, Survey, Table};

fn ok_rows() -> Vec<survey_core::RawRow> {
    vec![row("text", "a", &[]), row("integer", "n", &[])]
}

#[test]
fn a_clean_definition_compiles() {
    let s = compile(ok_rows(), vec![]);
    assert_eq!(s.id(), "test");
    assert_eq!(s.version(), "1");
    assert_eq!(s.title().zh, "测试");
    assert_eq!(s.setting("income_line"), Some("7000"));
}

#[test]
fn duplicate_names() {
    let p = problems(
        vec![
            row("text", "a", &[]),
            row("text", "b", &[]),
            row("integer", "a", &[]),
        ],
        vec![],
    );
    assert_eq!(p, [(4, "duplicate_name")]);
}

#[test]
fn invalid_and_missing_names_and_types() {
    let p = problems(
        vec![
            row("text", "", &[]),
            row("text", "1abc", &[]),
            row("text", "with-dash", &[]),
            row("geoshape", "where", &[]),
            row("", "", &[("label::zh", "孤立")]),
        ],
        vec![],
    );
    assert_eq!(
        p,
        [
            (2, "missing_name"),
            (3, "invalid_name"),
            (4, "invalid_name"),
            (5, "unknown_type"),
            (6, "unknown_type")
        ]
    );
}

#[test]
fn unknown_lists_and_duplicate_choices() {
    let p = problems(
        vec![
            row("select_one nope", "a", &[]),
            row("select_multiple", "b", &[]),
            row("select_one yn", "c", &[]),
        ],
        vec![
            choice("yn", "yes", &[]),
            choice("yn", "no", &[]),
            choice("yn", "yes", &[]),
        ],
    );
    assert_eq!(
        p,
        [
            (2, "unknown_list"),
            (3, "missing_list"),
            (4, "duplicate_choice")
        ]
    );
}

#[test]
fn references_to_unknown_fields_and_bad_expressions() {
    let p = problems(
        vec![
            row("text", "a", &[("relevant", "${nope} = 1")]),
            row("integer", "b", &[("constraint", ". > ${a} +")]),
            row(
                "integer",
                "c",
                &[("calculation", "frob(1)"), ("read_only", "yes")],
            ),
            row("integer", "d", &[("required", "if(1, 2)")]),
            row("select_one yn", "e", &[("choice_filter", "colour = 'red'")]),
            row("integer", "f", &[("warning", "setting('nope') = 1")]),
            row("integer", "g", &[("constraint", "regex(., '[')")]),
        ],
        vec![choice("yn", "yes", &[("village", "x")])],
    );
    assert_eq!(
        p,
        [
            (2, "unknown_field"),
            (3, "parse"),
            (4, "unknown_function"),
            (5, "arity"),
            (6, "bad_reference"),
            (7, "unknown_setting"),
            (8, "bad_regex"),
        ]
    );
}

#[test]
fn parse_errors_name_row_column_and_character_position() {
    let err = Survey::compile(raw(
        vec![
            row("text", "a", &[]),
            row("integer", "b", &[("constraint", ". > ${a} +")]),
        ],
        vec![],
    ))
    .unwrap_err();
    assert_eq!(err.len(), 1);
    let p = &err[0];
    assert_eq!((p.table, p.row), (Table::Survey, 3));
    match &p.kind {
        ProblemKind::Parse {
            column, position, ..
        } => {
            assert_eq!(column, "constraint");
            assert_eq!(*position, 11);
        }
        k => panic!("{k:?}"),
    }
    let text = p.to_string();
    assert!(
        text.starts_with("survey.csv 第 3 行：constraint 表达式无法解析（第 11 个字符）"),
        "{text}"
    );
    assert!(text.ends_with("[parse]"), "{text}");
}

#[test]
fn choice_filter_may_use_choice_columns() {
    let s = compile(
        vec![
            row("select_one v", "village", &[]),
            row(
                "select_one g",
                "grp",
                &[("choice_filter", "village=${village} and name != 'x'")],
            ),
        ],
        vec![
            choice("v", "a", &[]),
            choice("g", "g1", &[("village", "a")]),
        ],
    );
    assert!(s.find("grp").unwrap().has_choice_filter());
}

#[test]
fn repeat_fields_outside_the_repeat_are_node_sets_the_repeat_is_not_a_value() {
    let p = problems(
        vec![
            row("begin_repeat", "members", &[]),
            row("integer", "age", &[]),
            row("end_repeat", "", &[]),
            row("calculate", "total", &[("calculation", "sum(${age})")]),
            // As in ODK: the first member's age.
            row("calculate", "first_age", &[("calculation", "${age} + 1")]),
            row("calculate", "pos", &[("calculation", "position(..)")]),
            row(
                "calculate",
                "grp",
                &[("calculation", "count(${members}) + ${members}")],
            ),
        ],
        vec![],
    );
    assert_eq!(p, [(7, "bad_reference"), (8, "bad_reference")]);
}

/// An ODK function the kit does not run fails the linter with its row and its name — it is
/// never evaluated as something else.
#[test]
fn unsupported_odk_functions_are_named_with_their_row() {
    let raw = raw(
        vec![
            row("text", "a", &[]),
            row("calculate", "stamp", &[("calculation", "once(now())")]),
            row(
                "text",
                "b",
                &[("relevant", "pulldata('x', 'y', 'z', ${a}) = 1")],
            ),
            row("calculate", "c", &[("calculation", "frobnicate(${a})")]),
        ],
        vec![],
    );
    let problems = survey_core::Survey::compile(raw).unwrap_err();
    let got: Vec<(u32, &str, String)> = problems
        .iter()
        .map(|p| (p.row, p.code(), p.to_string()))
        .collect();
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!((got[0].0, got[0].1), (3, "unsupported_function"));
    assert!(got[0].2.contains("`once()`"), "{}", got[0].2);
    assert_eq!((got[1].0, got[1].1), (3, "unsupported_function"));
    assert!(
        got[1].2.contains("`now()`") && got[1].2.contains("时钟"),
        "{}",
        got[1].2
    );
    assert_eq!((got[2].0, got[2].1), (4, "unsupported_function"));
    assert!(got[2].2.contains("`pulldata()`"), "{}", got[2].2);
    assert_eq!((got[3].0, got[3].1), (5, "unknown_function"));
}

#[test]
fn calculation_and_relevance_cycles() {
    let p = problems(
        vec![
            row("calculate", "x", &[("calculation", "${y} + 1")]),
            row("calculate", "y", &[("calculation", "${x} + 1")]),
            row("text", "z", &[("relevant", "${z} != ''")]),
            row("calculate", "ok", &[("calculation", "${x}")]),
        ],
        vec![],
    );
    assert_eq!(p, [(2, "cycle"), (4, "cycle")]);
    let err = Survey::compile(raw(
        vec![
            row("calculate", "x", &[("calculation", "${y} + 1")]),
            row("calculate", "y", &[("calculation", "${x} + 1")]),
        ],
        vec![],
    ))
    .unwrap_err();
    assert!(err[0].to_string().contains("x → y → x"), "{}", err[0]);
}

#[test]
fn unbalanced_groups_and_repeats() {
    let p = problems(
        vec![
            row("end_group", "", &[]),
            row("begin_group", "g", &[]),
            row("text", "a", &[]),
            row("end_repeat", "", &[]),
            row("end_group", "", &[]),
            row("begin_repeat", "r", &[]),
            row("text", "b", &[]),
        ],
        vec![],
    );
    assert_eq!(
        p,
        [(2, "unmatched_end"), (5, "unmatched_end"), (7, "unclosed")]
    );
    // "begin group" with a space (older XLSForm spelling) is accepted.
    compile(
        vec![
            row("begin group", "g", &[]),
            row("text", "a", &[]),
            row("end group", "", &[]),
        ],
        vec![],
    );
}

#[test]
fn nested_repeats_are_rejected() {
    let p = problems(
        vec![
            row("begin_repeat", "members", &[]),
            row("begin_group", "g", &[]),
            row("begin_repeat", "children", &[]),
            row("text", "a", &[]),
            row("end_repeat", "", &[]),
            row("end_group", "", &[]),
            row("end_repeat", "", &[]),
        ],
        vec![],
    );
    assert_eq!(p, [(4, "nested_repeat")]);
}

#[test]
fn calculate_without_calculation_and_bad_yes_no() {
    let p = problems(
        vec![
            row("calculate", "c", &[]),
            row("text", "t", &[("read_only", "maybe")]),
        ],
        vec![],
    );
    assert_eq!(p, [(2, "missing_calculation"), (3, "not_yes_no")]);
}

#[test]
fn labels_and_messages_need_both_languages() {
    let mut no_yi = row(
        "text",
        "a",
        &[
            ("constraint_message::zh", "不对"),
            ("constraint", ". != 'x'"),
        ],
    );
    no_yi.label_ii.clear();
    let mut no_zh = row("text", "b", &[("hint::ii", "ꉬ")]);
    no_zh.label_zh.clear();
    let mut no_label = row("integer", "c", &[]);
    no_label.label_zh.clear();
    no_label.label_ii.clear();
    no_label.ii_status.clear();
    let p = problems(
        vec![
            no_yi,
            no_zh,
            no_label,
            row("calculate", "d", &[("calculation", "1")]),
        ],
        vec![],
    );
    assert_eq!(
        p,
        [
            (2, "missing_yi"),
            (2, "missing_yi"),
            (3, "missing_chinese"),
            (3, "missing_chinese"),
            (4, "missing_chinese"),
            (4, "missing_yi"),
        ]
    );
}

#[test]
fn yi_status_rules() {
    let mut no_status = row("text", "a", &[]);
    no_status.ii_status.clear();
    let bad_status = row("text", "b", &[("ii_status", "done")]);
    let sourced = row("text", "c", &[("ii_status", "sourced")]);
    let sourced_ok = row(
        "text",
        "d",
        &[("ii_status", "sourced"), ("ii_source", "CLDR ii")],
    );
    let reviewed = row("text", "e", &[("ii_status", "reviewed")]);
    // U+A494 is the radical that looks like the syllable U+A2CD.
    let radical = row("text", "f", &[("label::ii", "ꆈ\u{A494}")]);
    let p = problems(
        vec![
            no_status, bad_status, sourced, sourced_ok, reviewed, radical,
        ],
        vec![],
    );
    assert_eq!(
        p,
        [
            (2, "missing_ii_status"),
            (3, "bad_ii_status"),
            (4, "missing_ii_source"),
            (7, "yi_radical")
        ]
    );
    let err = Survey::compile(raw(
        vec![row("text", "f", &[("label::ii", "ꆈ\u{A494}")])],
        vec![],
    ))
    .unwrap_err();
    assert_eq!(
        err[0].kind,
        ProblemKind::YiRadical {
            column: "label::ii".into(),
            codepoint: 0xA494,
            position: 2
        }
    );
}

#[test]
fn choices_and_settings_are_linted_too() {
    let mut c = choice("yn", "yes", &[]);
    c.label_ii.clear();
    let mut c2 = choice("yn", "no", &[]);
    c2.ii_status = "final".into();
    let mut c3 = choice("yn", "", &[]);
    c3.label_zh = "空".into();
    let mut r = raw(vec![row("select_one yn", "a", &[])], vec![c, c2, c3]);
    r.settings.form_id.clear();
    r.settings.form_title_ii.clear();
    let problems = Survey::compile(r).unwrap_err();
    let got: Vec<_> = problems
        .iter()
        .map(|p| (p.table, p.row, p.code()))
        .collect();
    assert_eq!(
        got,
        [
            (Table::Choices, 2, "missing_yi"),
            (Table::Choices, 3, "bad_ii_status"),
            (Table::Choices, 4, "missing_name"),
            (Table::Settings, 2, "missing_setting"),
            (Table::Settings, 2, "missing_yi"),
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once_sorted_by_table_and_row() {
    let mut r = raw(
        vec![
            row("text", "a", &[("relevant", "${zz}")]),
            row("text", "a", &[]),
            row("begin_group", "g", &[]),
        ],
        vec![],
    );
    r.settings.version.clear();
    let got = problems_raw(r);
    assert_eq!(
        got,
        [
            (2, "unknown_field"),
            (3, "duplicate_name"),
            (4, "unclosed"),
            (2, "missing_setting")
        ]
    );
}

#[test]
fn explicit_row_numbers_survive_json() {
    let mut a = row("text", "a", &[]);
    a.row = 10;
    let mut b = row("text", "a", &[]);
    b.row = 14;
    let json = raw(vec![a, b], vec![]).to_json();
    let back = RawSurvey::from_json(&json).unwrap();
    assert_eq!(problems_raw(back), [(14, "duplicate_name")]);
}

#[test]
fn problem_display_is_chinese_with_a_stable_code() {
    let err = Survey::compile(raw(
        vec![row("text", "a", &[]), row("text", "a", &[])],
        vec![],
    ))
    .unwrap_err();
    assert_eq!(
        err[0].to_string(),
        "survey.csv 第 3 行：名称 `a` 重复（第 2 行已使用） [duplicate_name]"
    );
    let json = serde_json::to_value(&err[0]).unwrap();
    assert_eq!(json["kind"]["code"], "duplicate_name");
    assert_eq!(json["table"], "survey");
}
