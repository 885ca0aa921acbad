//! The kit's expression engine against ODK's: every case of `odk_cases.json` (expression,
//! the answers it reads, and what ODK's engine `@getodk/xpath` gave for it — recorded and
//! re-checked by e2e/tests/odk-expressions.test.mjs) is evaluated through a compiled survey
//! holding the same answers, and must give the same text. A case may carry `kit`: the
//! kit's deliberate different result, each listed with its reason in docs/survey-format.md.

mod common;
use common::*;
use serde_json::Value as Json;
use survey_core::{Answers, FieldPath, RawRow};

const CASES: &str = include_str!("odk_cases.json");

/// Same text, or two numbers equal up to rounding in the last bits (the math library of
/// JavaScript and Rust's may differ there for `tan`, `log`, …).
fn same(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    match (got.parse::<f64>(), want.parse::<f64>()) {
        // Different text for the same number is a difference (of writing numbers).
        (Ok(a), Ok(b)) => a != b && (a - b).abs() <= 1e-15 * a.abs().max(b.abs()),
        _ => false,
    }
}

fn text_rows(fields: &serde_json::Map<String, Json>) -> Vec<RawRow> {
    fields.keys().map(|k| row("text", k, &[])).collect()
}

#[test]
fn the_kit_evaluates_every_case_as_odk_does() {
    let file: Json = serde_json::from_str(CASES).expect("odk_cases.json");
    let fields = file["fields"].as_object().expect("fields");
    let members = file["members"].as_array().expect("members");
    let member_fields = members[0].as_object().expect("member");

    let mut rows = text_rows(fields);
    rows.push(row("begin_repeat", "rep", &[]));
    rows.extend(text_rows(member_fields));
    rows.push(row("end_repeat", "", &[]));
    let survey = compile(rows, vec![]);

    let cases = file["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let src = case["expr"].as_str().expect("expr");
        let mut answers = Answers::default();
        let overrides = case.get("fields").and_then(Json::as_object);
        for (k, v) in fields.iter().chain(overrides.into_iter().flatten()) {
            answers.set(&FieldPath::top(k), v.as_str().unwrap_or_default());
        }
        for (i, m) in members.iter().enumerate() {
            for (k, v) in m.as_object().expect("member") {
                answers.set(
                    &FieldPath::member("rep", i, k),
                    v.as_str().unwrap_or_default(),
                );
            }
        }
        let at = case["member"].as_u64().map(|m| ("rep", m as usize - 1));
        let got = evaluate(&survey, &answers).evaluate_expression(src, at);
        let want = case.get("kit").or_else(|| case.get("expected"));
        checked += 1;
        match (got, want.and_then(Json::as_str)) {
            (Ok(got), Some(want)) if same(&got, want) => {}
            // ODK stops on these (`error`), or the kit refuses them (`kit: null`): the
            // survey does not pass the linter.
            (Err(_), None) if case["error"] == Json::Bool(true) || want == Some(&Json::Null) => {}
            (got, want) => failures.push(format!("{src}: kit {got:?}, ODK {want:?}")),
        }
    }
    assert!(checked > 300, "only {checked} cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from ODK:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// docs/survey-format.md names every function the kit runs and every ODK function it
/// refuses, so a form author can tell from the docs alone.
#[test]
fn the_format_docs_name_every_function() {
    let docs = include_str!("../../../docs/survey-format.md");
    let missing: Vec<&str> = survey_core::expr::function_names()
        .chain(survey_core::expr::UNSUPPORTED.iter().map(|u| u.0))
        .filter(|name| !docs.contains(&format!("`{name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in docs/survey-format.md: {missing:?}"
    );
}

/// Every ODK function the kit runs has cases checked against ODK's engine (the kit's own
/// functions, and `today()`, which reads the clock in ODK, are tested in expressions.rs).
#[test]
fn every_odk_function_has_reference_cases() {
    let kit_only = [
        "setting",
        "id-valid",
        "id-birthdate",
        "id-sex",
        "age",
        "today",
    ];
    let missing: Vec<&str> = survey_core::expr::function_names()
        .filter(|name| !kit_only.contains(name))
        .filter(|name| !CASES.contains(&format!("{name}(")))
        .collect();
    assert!(missing.is_empty(), "no case in odk_cases.json: {missing:?}");
}
