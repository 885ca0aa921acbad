//! XLSForm `default` as ODK runs it (docs/survey-format.md, `default`): static or dynamic
//! exactly as pyxform decides (checked against pyxform's own `default_is_dynamic`, run
//! through python3: this test FAILS when pyxform is missing), dynamic defaults evaluated
//! when a record or member is created (checked against the values ODK's engine gave in
//! odk_cases.json, and against the kit's calculations), and bad defaults refused by the
//! linter with their row and column; any text in the cell is linted or run, never a panic.

mod common;
use common::*;
use serde_json::Value as Json;
use std::io::Write;
use std::process::{Command, Stdio};
use survey_core::defaults::default_is_dynamic;
use survey_core::{Context, Survey};

/// (XLSForm type, default), varied per type.
const CASES: &[(&str, &str)] = &[
    ("text", "hello"),
    ("text", "张三"),
    ("text", "张三(户主)"),
    ("text", "ꆈꌠ"),
    ("text", "concat('a', 'b')"),
    ("text", "'a+b'"),
    ("text", "a-b"),
    ("text", "a|b"),
    ("text", "a  mod b"),
    ("text", "a mod b"),
    ("text", "foo[1]"),
    ("text", "${name}"),
    ("text", "${last-saved#name}"),
    ("text", "${unclosed"),
    ("text", "x:y(1)"),
    ("text", "http://example.org/a-b"),
    ("text", "5x(2)"),
    ("integer", "3"),
    ("integer", "-1"),
    ("integer", "1-2"),
    ("integer", "1 - 2"),
    ("integer", "${a} + 1"),
    ("integer", "2*3"),
    ("integer", "7 div 2"),
    ("integer", "1.5e3"),
    ("decimal", "-.5"),
    ("decimal", "2.5"),
    ("decimal", "${a} div 4"),
    ("date", "2024-01-05"),
    ("date", "today()"),
    ("date", "today() - 1"),
    ("date", "1 - today()"),
    ("date", "${d} + 1"),
    ("date", "date('2024-01-05')"),
    ("date", "2024-01-05T10:20:30"),
    ("date", "10:20:30Z"),
    ("geopoint", "27.9 102.2 1500 5"),
    ("geopoint", "-27.9 102.2 0 5"),
    ("geopoint", "${g}"),
    ("select_one yes_no", "yes"),
    ("select_one yes_no", "if(${a} > 1, 'yes', 'no')"),
    ("select_multiple hazards", "roof walls"),
    ("select_multiple hazards", "roof | walls"),
    ("calculate", "${a} * 2"),
    ("note", "now()"),
    ("text", "x = 1"),
    ("text", "a and b"),
    ("text", "../a"),
    ("text", "{a}"),
];

#[test]
fn static_or_dynamic_as_pyxform_decides() {
    let script = "import sys\nfrom pyxform.utils import default_is_dynamic\n\
                  for line in sys.stdin.read().split('\\n')[:-1]:\n    \
                  t, v = line.split('\\t')\n    print(int(default_is_dynamic(v, t)))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut input = String::new();
    for (t, v) in CASES {
        input.push_str(&format!("{t}\t{v}\n"));
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pyxform is not installed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pyxform: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l == "1")
        .collect();
    assert_eq!(pyxform.len(), CASES.len());
    let differ: Vec<String> = CASES
        .iter()
        .zip(&pyxform)
        .filter(|((t, v), want)| default_is_dynamic(v, t) != **want)
        .map(|((t, v), want)| format!("{t} `{v}`: pyxform {want}"))
        .collect();
    assert!(differ.is_empty(), "differ from pyxform: {differ:#?}");
    // The table has both kinds.
    assert!(pyxform.iter().filter(|d| **d).count() >= 10);
    assert!(pyxform.iter().filter(|d| !**d).count() >= 10);
}

/// Every top-level case of odk_cases.json as a `default` of a new record: its value is what
/// ODK's engine gave, when the fields it reads are the earlier rows' static defaults.
#[test]
fn dynamic_defaults_give_what_odk_gives() {
    let file: Json = serde_json::from_str(include_str!("odk_cases.json")).unwrap();
    let fields = file["fields"].as_object().unwrap();
    // Fields whose value can be written as a static default.
    let usable: Vec<(&String, &str)> = fields
        .iter()
        .map(|(k, v)| (k, v.as_str().unwrap()))
        .filter(|(_, v)| v.trim() == *v && !default_is_dynamic(v, "text"))
        .collect();
    let unusable: Vec<String> = fields
        .keys()
        .filter(|k| !usable.iter().any(|(u, _)| u == k))
        .map(|k| format!("${{{k}}}"))
        .chain(["${rep}", "${x}", "${y}", "${z}"].map(String::from))
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in file["cases"].as_array().unwrap() {
        let src = case["expr"].as_str().unwrap();
        let Some(want) = case["expected"].as_str() else {
            continue;
        };
        if case.get("member").is_some()
            || case.get("fields").is_some()
            || case.get("kit").is_some()
            || case["error"] == Json::Bool(true)
            || unusable.iter().any(|u| src.contains(u.as_str()))
            || !default_is_dynamic(src, "text")
        {
            continue;
        }
        let mut rows: Vec<_> = usable
            .iter()
            .map(|(k, v)| row("text", k, &[("default", v)]))
            .collect();
        rows.push(row("text", "result", &[("default", src)]));
        let survey = compile(rows, vec![]);
        let answers = survey.new_answers(&ctx());
        let got = answers.values.get("result").map_or("", String::as_str);
        checked += 1;
        let close = match (got.parse::<f64>(), want.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() <= 1e-15 * a.abs().max(b.abs()),
            _ => false,
        };
        if got != want && !close {
            failures.push(format!("{src}: kit {got:?}, ODK {want:?}"));
        }
    }
    assert!(checked > 300, "only {checked} cases");
    assert!(failures.is_empty(), "{failures:#?}");
}

fn visit_like() -> Survey {
    compile(
        vec![
            row("date", "visit_date", &[("default", "today()")]),
            row("integer", "size", &[("default", "4")]),
            row("integer", "next", &[("default", "${size} + 1")]),
            row("calculate", "next_calc", &[("calculation", "${size} + 1")]),
            row("date", "due", &[("default", "date(${visit_date} + 30)")]),
            row(
                "calculate",
                "due_calc",
                &[("calculation", "date(${visit_date} + 30)")],
            ),
            row("select_one yn", "insured", &[("default", "yes")]),
            row("begin_repeat", "members", &[]),
            row(
                "text",
                "label",
                &[("default", "concat('成员', position(..))")],
            ),
            row("integer", "double", &[("default", "${size} * 2")]),
            row("date", "seen", &[("default", "today()")]),
            row("end_repeat", "", &[]),
        ],
        vec![choice("yn", "yes", &[]), choice("yn", "no", &[])],
    )
}

#[test]
fn a_new_record_gets_static_values_and_evaluated_expressions() {
    let s = visit_like();
    let cx = Context::from_iso("2026-11-30").unwrap();
    let a = s.new_answers(&cx);
    assert_eq!(a.values["visit_date"], "2026-11-30");
    assert_eq!(a.values["size"], "4");
    assert_eq!(a.values["insured"], "yes");
    // The same expressions as calculations (checked against ODK in odk_cases.rs).
    let ev = s.evaluate(&a, &cx);
    assert_eq!(a.values["next"], ev.value(&top("next_calc")));
    assert_eq!(a.values["due"], ev.value(&top("due_calc")));
    assert!(a.repeats.is_empty());
    // Without a date, `today()` is blank and nothing is stored.
    assert!(!s
        .new_answers(&Context::default())
        .values
        .contains_key("visit_date"));
}

#[test]
fn a_new_member_gets_its_defaults_evaluated_for_itself() {
    let s = visit_like();
    let cx = Context::from_iso("2026-11-30").unwrap();
    let mut a = s.new_answers(&cx);
    a.set(&top("size"), "5");
    let first = s.new_member(&a, "members", &cx);
    a.add_member("members", first.clone());
    let second = s.new_member(&a, "members", &cx);
    a.add_member("members", second.clone());
    assert_eq!(first["seen"], "2026-11-30");
    let ev = s.evaluate(&a, &cx);
    for (i, m) in [first, second].iter().enumerate() {
        // What the engine gives for the same expressions in that member.
        let label = ev
            .evaluate_expression("concat('成员', position(..))", Some(("members", i)))
            .unwrap();
        assert_eq!(m["label"], label);
        let double = ev
            .evaluate_expression("${size} * 2", Some(("members", i)))
            .unwrap();
        assert_eq!(m["double"], double);
    }
    assert_ne!(
        a.members("members")[0]["label"],
        a.members("members")[1]["label"]
    );
    // Not a repeat: nothing.
    assert!(s.new_member(&a, "size", &cx).is_empty());
}

#[test]
fn the_linter_refuses_bad_defaults_with_row_and_column() {
    let raw = raw(
        vec![
            row("text", "a", &[("default", "foo()")]),
            row("integer", "b", &[("default", "abc")]),
            row("select_one yn", "c", &[("default", "maybe")]),
            row("date", "d", &[("default", "2024-13-01")]),
            row("text", "e", &[("default", "${nowhere} + 1")]),
            row("date", "f", &[("default", "today()")]),
            row("integer", "g", &[("default", "12")]),
            row("select_multiple yn", "h", &[("default", "yes no")]),
            row("text", "k", &[("default", "${last-saved#a}")]),
            row("text", "l", &[("default", "张三(户主)")]),
            row("text", "m", &[("default", "张三（户主）")]),
            row("image", "n", &[("default", "house.jpg")]),
        ],
        vec![choice("yn", "yes", &[]), choice("yn", "no", &[])],
    );
    let problems = Survey::compile(raw).unwrap_err();
    let got: Vec<(u32, &str, Option<&str>)> = problems
        .iter()
        .map(|p| (p.row, p.code(), p.kind.column()))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "unknown_function", Some("default")),
            (3, "bad_default", Some("default")),
            (4, "bad_default", Some("default")),
            (5, "bad_default", Some("default")),
            (6, "unknown_field", Some("default")),
            // No "last saved" record in the kit.
            (10, "unknown_field", Some("default")),
            // A call of the function `张三` for ODK too; the full-width brackets are text.
            (11, "unknown_function", Some("default")),
            (11, "bad_reference", Some("default")),
            // ODK's media file.
            (13, "bad_default", Some("default")),
        ]
    );
    let foo = &problems[0];
    assert!(foo.to_string().contains("foo"), "{foo}");
    assert!(
        foo.kind.english().contains("`foo()`"),
        "{}",
        foo.kind.english()
    );
    let abc = &problems[1];
    assert!(abc.to_string().contains("`abc`") && abc.to_string().contains("integer"));
    assert!(abc.kind.english().contains("`abc`"));
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any text in the `default` cell of any type is classified, linted or run, never a
    /// panic: pieces of pyxform's tokens glued at random, with odd characters between.
    #[test]
    fn any_default_is_classified_and_linted_without_a_panic(
        pieces in proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(vec![
                    "-", "+", "*", " mod ", " div ", "|", "${", "}", "${a}", "${last-saved#a}",
                    "(", ")", "[", "]", "today()", "concat(", "'", "\"", "2024-01-05", "T",
                    "10:20:30", "Z", "+08:00", ".", "..", "/", ",", " ", "1", "-1", ".5",
                    "a", "张三", "ꆈꌠ", "𠮷", "x:y", "\u{0301}", "\n", "yes",
                ]).prop_map(String::from),
                "\\PC{0,3}",
            ],
            0..12,
        ),
        ty in proptest::sample::select(vec![
            "text", "integer", "decimal", "date", "geopoint", "select_one yn", "calculate",
        ]),
    ) {
        let value: String = pieces.concat();
        let _ = default_is_dynamic(&value, ty);
        let mut cells = vec![("default", value.as_str())];
        if ty == "calculate" {
            cells.push(("calculation", "1"));
        }
        let rows = vec![
            row("integer", "a", &[("default", "2")]),
            row(ty, "b", &cells),
        ];
        let choices = vec![choice("yn", "yes", &[])];
        if let Ok(s) = Survey::compile(raw(rows, choices)) {
            let _ = s.new_answers(&ctx());
        }
    }
}
