//! Every expression function and operator, with ODK's edge cases.

mod common;
use common::*;
use survey_core::{Answers, Evaluation, Survey};

/// Fields a, b (text), n (integer), d1 (date), multi (select_multiple), hidden (relevant
/// only when a = 'show'), a members roster (m_name, m_age, m_income, m_pos = position(..)).
fn survey() -> Survey {
    compile(
        vec![
            row("text", "a", &[]),
            row("text", "b", &[]),
            row("integer", "n", &[]),
            row("date", "d1", &[]),
            row("select_multiple abc", "multi", &[]),
            row("text", "hidden", &[("relevant", "${a} = 'show'")]),
            row("begin_repeat", "members", &[]),
            row("text", "m_name", &[]),
            row("integer", "m_age", &[]),
            row("decimal", "m_income", &[]),
            row("calculate", "m_pos", &[("calculation", "position(..)")]),
            row("end_repeat", "", &[]),
        ],
        vec![
            choice("abc", "a", &[]),
            choice("abc", "b", &[]),
            choice("abc", "c", &[]),
        ],
    )
}

fn household() -> Answers {
    let mut a = answers(&[
        (top("n"), "5"),
        (top("d1"), "2024-04-01"),
        (top("multi"), "a  c"),
        (top("hidden"), "secret"),
        (top("b"), "13800138000"),
    ]);
    for (i, (name, age, income)) in [
        ("阿呷", "10", "100.5"),
        ("木呷", "20", "200"),
        ("吉克", "30", ""),
    ]
    .iter()
    .enumerate()
    {
        a.set(&member(i, "m_name"), *name);
        a.set(&member(i, "m_age"), *age);
        a.set(&member(i, "m_income"), *income);
    }
    a
}

fn ev() -> Evaluation {
    evaluate(&survey(), &household())
}

#[track_caller]
fn check(cases: &[(&str, &str)]) {
    let ev = ev();
    for (src, want) in cases {
        let got = ev
            .evaluate_expression(src, None)
            .unwrap_or_else(|p| panic!("{src}: {p:?}"));
        assert_eq!(&got, want, "{src}");
    }
}

#[test]
fn arithmetic_and_odk_number_rules() {
    check(&[
        ("1 + 2", "3"),
        ("7 - 10", "-3"),
        ("2 * 3.5", "7"),
        ("7 div 2", "3.5"),
        ("1 div 0", "Infinity"),
        ("-1 div 0", "-Infinity"),
        ("0 div 0", ""),
        ("7 mod 3", "1"),
        ("-7 mod 3", "-1"),
        ("7 mod -3", "1"),
        ("5.5 mod 2", "1.5"),
        ("-${n}", "-5"),
        ("- - 2", "2"),
        ("${n} * 2 + 1", "11"),
        ("(${n} + 1) * 2", "12"),
        ("0.1 + 0.2", "0.30000000000000004"),
        ("'3' + '4'", "7"),
        ("'x' + 1", ""),
    ]);
}

#[test]
fn blank_is_empty_string_not_zero() {
    check(&[
        ("${a} + 1", ""),
        ("${a} = 0", "false"),
        ("${a} != 0", "true"),
        ("${a} = ''", "true"),
        ("${a} > -1", "false"),
        ("string-length(${a})", "0"),
        ("${a}", ""),
    ]);
}

#[test]
fn non_relevant_fields_read_as_blank() {
    // `hidden` has an answer but a = '' so it is not relevant.
    check(&[("${hidden}", ""), ("concat('[', ${hidden}, ']')", "[]")]);
}

#[test]
fn comparisons_follow_xpath_conversion_rules() {
    check(&[
        ("'10' > '9'", "true"),
        ("'10' = 10.0", "true"),
        ("'abc' = 'abc'", "true"),
        ("'abc' != 'abd'", "true"),
        ("'a' < 'b'", "false"),
        ("'1.0' = '1'", "false"),
        ("1 = '1.0'", "true"),
        ("true() = 'x'", "true"),
        ("false() = ''", "true"),
        ("1 = true()", "true"),
        ("2 >= 2", "true"),
        ("2 <= 1", "false"),
        ("${n} > 4 and ${n} < 6", "true"),
        ("${n} < 4 or ${n} = 5", "true"),
        ("1 < 2 = true()", "true"),
    ]);
}

#[test]
fn dates_compare_and_subtract_in_days() {
    check(&[
        ("'2024-01-05' < '2024-02-01'", "true"),
        ("'2024-12-31' > '2025-01-01'", "false"),
        ("date('2024-03-01') - date('2024-02-01')", "29"),
        ("'2024-03-01' - '2024-02-01'", "29"),
        ("today()", "2024-05-01"),
        ("today() - ${d1}", "30"),
        ("${d1} <= today()", "true"),
        ("${d1} = '2024-04-01'", "true"),
        ("today() = '2024-05-01'", "true"),
        ("date(0)", "1970-01-01"),
        ("date(19723)", "2024-01-01"),
        ("date('2024-02-30')", ""),
        ("date('nonsense')", ""),
        // A date-time keeps its time (converted to UTC), as ODK's date() does.
        (
            "date('2024-01-05T10:00:00+08:00')",
            "2024-01-05T02:00:00.000+00:00",
        ),
        ("'2024-01-05T10:00:00' < '2024-01-05T12:00:00'", "true"),
        ("number(date('1970-01-11'))", "10"),
        ("concat('on ', today())", "on 2024-05-01"),
    ]);
}

#[test]
fn logic_functions() {
    check(&[
        ("not(1 = 2)", "true"),
        ("not('')", "true"),
        ("true()", "true"),
        ("false()", "false"),
        ("boolean('x')", "true"),
        ("boolean(0)", "false"),
        ("boolean(0 div 0)", "false"),
        ("if(${n} > 3, 'big', 'small')", "big"),
        // A field is a node: true even when blank, as in ODK (compare with '' instead).
        ("if(${a}, 'set', 'blank')", "set"),
        ("if(${a} != '', 'set', 'blank')", "blank"),
        ("if(1, 2, 1 div 0)", "2"),
    ]);
}

#[test]
fn select_functions_split_on_whitespace() {
    check(&[
        ("selected(${multi}, 'a')", "true"),
        ("selected(${multi}, 'c')", "true"),
        ("selected(${multi}, 'b')", "false"),
        ("selected(${multi}, ' a ')", "true"),
        ("selected('ab', 'a')", "false"),
        ("count-selected(${multi})", "2"),
        ("count-selected('')", "0"),
        ("count-selected(' x  y\tz ')", "3"),
    ]);
}

#[test]
fn string_functions() {
    check(&[
        ("string-length('abc')", "3"),
        ("string-length('彝文')", "2"),
        ("string-length('ꆈꌠꉙ')", "3"),
        ("string-length('😀')", "2"),
        ("string-length(12.5)", "4"),
        ("string(1 div 0)", "Infinity"),
        ("string(2)", "2"),
        ("contains('凉山州', '山')", "true"),
        ("starts-with('513429', '5134')", "true"),
        ("starts-with('513429', '34')", "false"),
        ("concat('a', 1, true())", "a1true"),
        ("concat()", ""),
        ("coalesce(${a}, 'x')", "x"),
        ("coalesce('y', 'x')", "y"),
        ("coalesce(0, 5)", "0"),
        ("coalesce(0 div 0, 5)", "5"),
    ]);
}

#[test]
fn regex_uses_javascript_style_search() {
    check(&[
        (r"regex(${b}, '^1[3-9]\d{9}$')", "true"),
        (r"regex('12800138000', '^1[3-9]\d{9}$')", "false"),
        ("regex('abc', 'b')", "true"),
        ("regex('abc', '^b')", "false"),
        ("regex('ABC', '^[A-Z]+$')", "true"),
        ("regex('a b', '\\s')", "true"),
        ("regex('x', concat('[', 'x', ']'))", "true"),
        ("regex('x', concat('[', 'x'))", "false"),
    ]);
}

#[test]
fn number_functions() {
    check(&[
        ("number(' 12 ')", "12"),
        ("number('-3')", "-3"),
        ("number('+3')", "3"),
        ("number('1e3')", "1000"),
        ("number('2.5E-1')", "0.25"),
        ("number('abc')", ""),
        ("number('')", ""),
        ("number(true())", "1"),
        ("int(3.7)", "3"),
        ("int(-3.7)", "-3"),
        ("int('')", ""),
        ("int(1 div 0)", "Infinity"),
        ("round(2.5)", "3"),
        ("round(-2.5)", "-3"),
        ("round(2.4)", "2"),
        ("round(-0.4)", "0"),
        ("round(3.14159, 2)", "3.14"),
        ("round(1250, -2)", "1300"),
        ("floor(-1.5)", "-2"),
        ("ceiling(1.2)", "2"),
        ("abs(-4)", "4"),
        ("min(3, 1, 2)", "1"),
        ("max(3, 1, 2)", "3"),
        ("max(3, 'x')", ""),
    ]);
}

#[test]
fn aggregates_over_the_roster() {
    check(&[
        ("sum(${m_age})", "60"),
        ("count(${m_age})", "3"),
        ("count(${members})", "3"),
        ("min(${m_age})", "10"),
        ("max(${m_age})", "30"),
        ("max(${m_age}, 45)", "45"),
        // One member's income is blank: XPath sums to NaN, shown as ''.
        ("sum(${m_income})", ""),
        ("sum(${n})", "5"),
        ("count(${n})", "1"),
        // Outside the roster a roster field is a node-set, as in ODK: its first member's
        // value where one value is wanted, any member in a comparison.
        ("${m_age} + 1", "11"),
        ("${m_age} > 25", "true"),
        ("${m_age} = 20", "true"),
        ("join('、', ${m_name})", "阿呷、木呷、吉克"),
        ("count-non-empty(${m_income})", "2"),
        ("indexed-repeat(${m_name}, ${members}, 2)", "木呷"),
        ("indexed-repeat(${m_name}, ${members}, 4)", ""),
    ]);
}

#[test]
fn inside_the_repeat_siblings_are_the_same_member() {
    let ev = ev();
    let at = |src: &str, i: usize| ev.evaluate_expression(src, Some(("members", i))).unwrap();
    assert_eq!(at("${m_age} + 1", 1), "21");
    assert_eq!(at("concat(${m_name}, '/', ${n})", 0), "阿呷/5");
    assert_eq!(at("position(..)", 2), "3");
    assert_eq!(at("sum(${m_age})", 2), "30");
    // indexed-repeat() reads another member from inside the roster.
    assert_eq!(
        at("indexed-repeat(${m_name}, ${members}, position(..) + 1)", 0),
        "木呷"
    );
    assert_eq!(ev.value(&member(1, "m_pos")), "2");
    assert_eq!(ev.value(&member(0, "m_pos")), "1");
}

#[test]
fn settings_and_id_functions() {
    check(&[
        ("setting('income_line')", "7000"),
        ("number(setting('income_line')) + 1", "7001"),
        ("id-valid('11010519491231002X')", "true"),
        ("id-valid('440524188001010014')", "true"),
        ("id-valid('110105194912310021')", "false"),
        ("id-valid('')", "false"),
        ("id-valid(' 440524188001010014 ')", "true"),
        ("id-birthdate('11010519491231002X')", "1949-12-31"),
        ("id-birthdate('110105194912310021')", ""),
        ("id-birthdate('11010519491231002X') = '1949-12-31'", "true"),
        ("id-sex('11010519491231002X')", "female"),
        ("id-sex('440524188001010014')", "male"),
        ("id-sex('bad')", ""),
        ("age('1949-12-31', '2024-12-30')", "74"),
        ("age('1949-12-31', '2024-12-31')", "75"),
        ("age(id-birthdate('11010519491231002X'), today())", "74"),
        ("age('', today())", ""),
        ("age('2000-01-01', '')", ""),
        ("age('2000-02-29', '2001-02-28')", "0"),
    ]);
}

/// An ID number with the given birth date (YYYYMMDD) and a right check character.
fn id_born(date: &str) -> String {
    let body = format!("513429{date}001");
    format!("{body}{}", survey_core::id_number::check_char(&body).unwrap())
}

#[test]
fn id_functions_refuse_a_birth_date_after_the_survey_today() {
    // The context's today is 2024-05-01.
    let on_today = id_born("20240501");
    let tomorrow = id_born("20240502");
    let next_year = id_born("20250101");
    let cases = [
        (format!("id-valid('{on_today}')"), "true"),
        (format!("id-valid('{tomorrow}')"), "false"),
        (format!("id-valid('{next_year}')"), "false"),
        (format!("id-birthdate('{tomorrow}')"), ""),
        (format!("id-sex('{tomorrow}')"), ""),
        (format!("id-birthdate('{on_today}')"), "2024-05-01"),
    ];
    let ev = ev();
    for (src, want) in &cases {
        assert_eq!(&ev.evaluate_expression(src, None).unwrap(), want, "{src}");
    }
    // Without a calendar (no context date) only the number's shape is checked.
    let s = survey();
    let no_date = s.evaluate(&household(), &survey_core::Context::default());
    let src = format!("id-valid('{tomorrow}')");
    assert_eq!(no_date.evaluate_expression(&src, None).unwrap(), "true");
}

#[test]
fn id_functions_and_the_parser_treat_surrounding_spaces_alike() {
    use survey_core::id_number::ResidentId;
    let ev = ev();
    for padded in [
        " 440524188001010014 ",
        "\t440524188001010014\n",
        "\u{3000}440524188001010014\u{3000}",
    ] {
        let src = format!("id-valid('{padded}')");
        assert_eq!(ev.evaluate_expression(&src, None).unwrap(), "true", "{padded:?}");
        assert!(ResidentId::parse(padded, None).is_ok(), "{padded:?}");
    }
    // Spaces inside the number are still wrong, for both.
    let inner = "44052418800101 014";
    assert_eq!(ev.evaluate_expression(&format!("id-valid('{inner}')"), None).unwrap(), "false");
    assert!(ResidentId::parse(inner, None).is_err());
}

#[test]
fn today_is_blank_without_a_context_date() {
    let s = survey();
    let ev = s.evaluate(&household(), &survey_core::Context::default());
    assert_eq!(ev.evaluate_expression("today()", None).unwrap(), "");
    assert_eq!(
        ev.evaluate_expression("age('2000-01-01', today())", None)
            .unwrap(),
        ""
    );
}

#[test]
fn bad_expressions_are_reported_not_evaluated() {
    let ev = ev();
    let codes = |src: &str, member: Option<(&str, usize)>| -> Vec<&'static str> {
        ev.evaluate_expression(src, member)
            .unwrap_err()
            .iter()
            .map(|p| p.code())
            .collect()
    };
    assert_eq!(codes("${nope} + 1", None), ["unknown_field"]);
    assert_eq!(codes("frob(1)", None), ["unknown_function"]);
    assert_eq!(codes("if(1, 2)", None), ["arity"]);
    assert_eq!(codes("now()", None), ["unsupported_function"]);
    assert_eq!(
        codes("jr:choice-name('a', '${a}')", None),
        ["unsupported_function"]
    );
    assert_eq!(codes("count('a')", None), ["bad_reference"]);
    assert_eq!(
        codes("indexed-repeat(${n}, ${members}, 1)", None),
        ["bad_reference"]
    );
    assert_eq!(
        codes("indexed-repeat(${m_age}, ${n}, 1)", None),
        ["bad_reference"]
    );
    assert_eq!(
        codes(
            "indexed-repeat(${m_age}, ${members}, 1, ${members}, 2)",
            None
        ),
        ["arity"]
    );
    assert_eq!(codes("weighted-checklist(1, 2, 'yes')", None), ["arity"]);
    assert_eq!(
        codes("count-non-empty(${members})", None),
        ["bad_reference"]
    );
    assert_eq!(codes("position(..)", None), ["bad_reference"]);
    assert_eq!(codes("..", Some(("members", 0))), ["bad_reference"]);
    assert_eq!(codes("village = 'x'", None), ["bad_reference"]);
    assert_eq!(codes("setting('nope')", None), ["unknown_setting"]);
    assert_eq!(codes("setting(${a})", None), ["bad_reference"]);
    assert_eq!(codes("regex(${a}, '(')", None), ["bad_regex"]);
    assert_eq!(codes("${members} + 1", None), ["bad_reference"]);
    assert_eq!(codes("1 +", None), ["parse"]);
    // Two problems in one expression are both reported.
    assert_eq!(
        codes("${x} + ${y}", None),
        ["unknown_field", "unknown_field"]
    );
}
