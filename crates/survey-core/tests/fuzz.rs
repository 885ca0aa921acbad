//! Hostile input for every parser that takes outside input, under property-based generators
//! (no coverage-guided fuzzer runs on this stable toolchain): the import file, the compact
//! stored form and its schema, the expression parser (through the survey compiler and the
//! ad-hoc evaluator), and the survey loader's CSV.
//!
//! The generators build *structured* hostile input: deep nesting, huge and odd numbers,
//! invalid UTF-8, lone UTF-16 surrogates in JSON escapes, duplicate keys, control and
//! separator characters, multi-megabyte strings, and valid documents cut or spliced at
//! random places. Every input must give an answer (Ok or an error), never a panic, and
//! within one second (a hang). Memory: inputs are bounded, and the peak resident size of
//! the process is printed at the end of each target.
//!
//! Cases per target: `LSK_FUZZ_CASES` (default 64, a few seconds in all, part of the test
//! command); `scripts/fuzz.sh` runs the long campaign. A failing case prints its input
//! (proptest shrinks it); every crash found becomes a regression test at the bottom.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use survey_core::compact::{self, Schema};
use survey_core::exchange::{export_file, read_file, to_json, AppInfo, ExportKind, ExportMeta};
use survey_core::{loader, Context, Household, Survey};

/// Longest time one input may take: 1 s in the release build (`scripts/fuzz.sh`); the
/// unoptimised build of the test command runs 10 to 30 times slower, so there 10 s.
const LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 10 } else { 1 });

fn cases() -> u32 {
    std::env::var("LSK_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64)
}

fn shipped() -> &'static Survey {
    static S: OnceLock<Survey> = OnceLock::new();
    S.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household");
        Survey::load_dir(dir).unwrap_or_else(|p| panic!("{p:?}"))
    })
}

fn cx() -> Context {
    Context::from_iso("2026-11-30").unwrap()
}

fn full_household(id: &str, members: usize) -> Household {
    let s = shipped();
    let mut h = Household::new(id.into(), s.id().into(), s.version().into(), "dev".into(), "2026-11-30T08:00:00.000Z");
    survey_core::fixtures::answer_every_input(s, &mut h, members);
    h
}

/// A real export file of two households (what hostile files are cut from).
fn valid_export() -> &'static str {
    static T: OnceLock<String> = OnceLock::new();
    T.get_or_init(|| {
        let meta = ExportMeta {
            kind: ExportKind::Backup,
            exported_at: "2026-11-30T08:00:00.000Z".into(),
            app: AppInfo { name: "liangshan-survey".into(), version: "0.1.0".into() },
            enumerator: None,
            device: "dev".into(),
        };
        to_json(&export_file(shipped(), &[full_household("a", 3), full_household("b", 1)], &cx(), meta))
    })
}

/// Runs `f` on every generated input; a panic or a call over [`LIMIT`] fails the case.
fn fuzz<T: std::fmt::Debug>(name: &str, strategy: impl Strategy<Value = T>, f: impl Fn(&T)) {
    let n = cases();
    let mut runner = TestRunner::new(Config { cases: n, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() });
    let started = Instant::now();
    let result = runner.run(&strategy, |input| {
        let t = Instant::now();
        f(&input);
        let took = t.elapsed();
        if took > LIMIT {
            return Err(TestCaseError::fail(format!("{name}: {took:?} on one input (limit {LIMIT:?})")));
        }
        Ok(())
    });
    println!(
        "fuzz {name}: {n} inputs in {:.1} s, peak resident {} MB",
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

/// Peak resident set size of this process (Linux `VmHWM`), in MB; 0 elsewhere.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}

// ---------------------------------------------------------------------------------------
// Generators

/// Odd and huge numbers as JSON text.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        Just("1e999999".to_string()),
        Just("-1e-999999".to_string()),
        Just("123456789012345678901234567890123456789".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-0".to_string()),
        Just("0.000000000000000000000000000001".to_string()),
        (1usize..5_000).prop_map(|n| "9".repeat(n)),
        Just("01".to_string()),
        Just("1.".to_string()),
        Just("NaN".to_string()),
    ]
}

/// A JSON string literal: escapes of lone surrogates, control characters, bad escapes,
/// Yi and Han text, separators of the compact form, sometimes megabytes long.
fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z0-9 ]{0,8}",
        Just(r"\ud800".to_string()),
        Just(r"\udfff\ud800".to_string()),
        Just(r"\ud83d\ude00".to_string()),
        Just(r"\u0000".to_string()),
        Just(r"\u001d\u001e\u001f\u001b".to_string()),
        Just(r"\x".to_string()),
        Just(r"\u12".to_string()),
        Just("ꆈꌠ阿苏拉且".to_string()),
        Just("\u{feff}\u{202e}".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        (1usize..200_000).prop_map(|n| "ꀀ".repeat(n)),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
}

/// JSON text, nested and hostile (not always valid: unbalanced, trailing commas, duplicate
/// keys).
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        string_literal(),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("".to_string()),
        Just("{".to_string()),
        Just("]".to_string()),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((prop_oneof![string_literal(), Just("\"id\"".to_string()), Just("\"households\"".to_string())], inner.clone()), 0..8)
                .prop_map(|kv| format!("{{{}}}", kv.into_iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(","))),
            // Deep nesting, far past any recursion limit.
            (1usize..200_000, inner.clone()).prop_map(|(d, v)| format!("{}{v}{}", "[".repeat(d), "]".repeat(d))),
            (1usize..50_000).prop_map(|d| "{\"a\":".repeat(d) + "1" + &"}".repeat(d)),
            // Duplicate keys.
            (inner.clone(), inner).prop_map(|(a, b)| format!("{{\"id\":{a},\"id\":{b},\"format\":1,\"format\":\"liangshan-survey-export\"}}")),
        ]
    })
}

/// An export file with hostile parts: the valid file cut, spliced with hostile JSON at a
/// random place, a household or a field replaced, or raw bytes (invalid UTF-8).
fn export_bytes() -> impl Strategy<Value = Vec<u8>> {
    let valid = valid_export();
    let len = valid.len();
    prop_oneof![
        // Cut short anywhere.
        (0..len).prop_map(move |at| valid.as_bytes()[..at].to_vec()),
        // Hostile JSON spliced in at a random byte.
        (0..len, json_text()).prop_map(move |(at, j)| {
            let mut b = valid.as_bytes()[..at].to_vec();
            b.extend_from_slice(j.as_bytes());
            b.extend_from_slice(&valid.as_bytes()[at..]);
            b
        }),
        // A value of the file replaced by hostile JSON (after a key).
        (any::<prop::sample::Index>(), json_text()).prop_map(move |(i, j)| {
            let keys: Vec<usize> = valid.match_indices("\":").map(|(p, _)| p + 2).collect();
            let at = keys[i.index(keys.len())];
            let end = valid[at..].find([',', '}']).map_or(valid.len(), |e| at + e);
            format!("{}{j}{}", &valid[..at], &valid[end..]).into_bytes()
        }),
        // Households replaced by hostile ones, with a matching count.
        prop::collection::vec(json_text(), 1..4).prop_map(|hs| {
            format!(
                r#"{{"format":"liangshan-survey-export","format_version":1,"kind":"backup","survey":{{"id":"liangshan_household","version":"1"}},"household_count":{},"households":[{}]}}"#,
                hs.len(),
                hs.join(",")
            )
            .into_bytes()
        }),
        // Bytes flipped: invalid UTF-8 and broken structure.
        prop::collection::vec((0..len, any::<u8>()), 1..16).prop_map(move |flips| {
            let mut b = valid.as_bytes().to_vec();
            for (at, byte) in flips {
                b[at] = byte;
            }
            b
        }),
        prop::collection::vec(any::<u8>(), 0..2_000),
    ]
}

/// Stored household texts: a real compact text cut, with separators and escapes inserted,
/// fields spliced, or made up from separators.
fn compact_text() -> impl Strategy<Value = String> {
    static T: OnceLock<String> = OnceLock::new();
    let valid: &'static str = T.get_or_init(|| compact::encode(&full_household("h", 3), &Schema::of(shipped())));
    let chars: Vec<usize> = valid.char_indices().map(|(i, _)| i).collect();
    let n = chars.len();
    let special = prop_oneof![
        Just("\u{1b}".to_string()),
        Just("\u{1d}".to_string()),
        Just("\u{1e}".to_string()),
        Just("\u{1f}".to_string()),
        Just("\n".to_string()),
        Just("{".to_string()),
        Just("\u{1b}\u{1b}\u{1b}".to_string()),
        Just("\u{fffd}".to_string()),
        (1usize..100_000).prop_map(|k| "\u{1e}".repeat(k)),
        json_text(),
    ];
    let chars2 = chars.clone();
    prop_oneof![
        (0..n).prop_map(move |i| valid[..chars[i]].to_string()),
        prop::collection::vec((0..n, special.clone()), 1..8).prop_map(move |ins| {
            let mut s = valid.to_string();
            let mut at: Vec<(usize, String)> = ins.into_iter().map(|(i, x)| (chars2[i], x)).collect();
            at.sort_by(|a, b| b.0.cmp(&a.0));
            for (i, x) in at {
                s.insert_str(i, &x);
            }
            s
        }),
        prop::collection::vec(special, 0..20).prop_map(move |p| format!("LSK1 {}\n{}", Schema::of(shipped()).id(), p.concat())),
        json_text(),
    ]
}

/// Expressions: tokens of the language in any order, deep nesting, odd literals.
fn expression() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = survey_core::expr::function_names().collect();
    let token = prop_oneof![
        Just("${head_name}".to_string()),
        Just("${members}".to_string()),
        Just("${member_name}".to_string()),
        Just("${nope}".to_string()),
        Just("${".to_string()),
        Just(".".to_string()),
        Just("..".to_string()),
        number(),
        Just("'ꆈꌠ'".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        prop::sample::select(vec!["+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or", "|", "(", ")", ",", "[", "]", "/", "@"])
            .prop_map(str::to_string),
        prop::sample::select(names).prop_map(|f| format!("{f}(")),
        Just("regex(., '(a+)+$')".to_string()),
        Just("regex(., '[')".to_string()),
        Just("string-length(concat(., ., ., .))".to_string()),
        "\\PC{0,4}",
    ];
    prop_oneof![
        prop::collection::vec(token.clone(), 0..40).prop_map(|t| t.join(" ")),
        (1usize..100_000).prop_map(|d| format!("{}1{}", "(".repeat(d), ")".repeat(d))),
        (1usize..100_000).prop_map(|d| "-".repeat(d) + "1"),
        (1usize..50_000).prop_map(|d| "not(".repeat(d) + "1" + &")".repeat(d)),
        (1usize..50_000).prop_map(|d| vec!["1"; d].join(" + ")),
        (1usize..20_000, token).prop_map(|(d, t)| format!("{}{t}", "concat(".repeat(d))),
    ]
}

/// CSV text for the loader: rows of hostile cells (quotes, newlines, BOM, huge cells,
/// hostile expressions), sometimes with the right header.
fn csv_text(header: &'static str) -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        "[a-z_]{0,6}",
        Just("text".to_string()),
        Just("begin_repeat".to_string()),
        Just("end_group".to_string()),
        Just("select_one x".to_string()),
        Just("\"a,\"\"b\"\"\nc\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("\u{feff}".to_string()),
        Just("ꆈꌠ".to_string()),
        expression(),
        (1usize..100_000).prop_map(|n| "x".repeat(n)),
    ];
    let row = prop::collection::vec(cell, 0..10).prop_map(|c| c.join(","));
    (any::<bool>(), prop::collection::vec(row, 0..20)).prop_map(move |(with_header, rows)| {
        let mut s = if with_header { format!("{header}\n") } else { String::new() };
        s.push_str(&rows.join("\n"));
        s
    })
}

// ---------------------------------------------------------------------------------------
// Targets

#[test]
fn import_file_takes_hostile_files() {
    let survey = shipped();
    fuzz("import", export_bytes(), |bytes| {
        let _ = read_file(bytes, survey);
    });
}

#[test]
fn compact_form_and_schema_take_hostile_text() {
    let schema = Schema::of(shipped());
    fuzz("compact", compact_text(), |text| {
        let _ = compact::decode(text, &schema);
        let _ = compact::schema_id(text);
        let _ = Schema::from_json(text);
    });
}

#[test]
fn expressions_take_hostile_text() {
    let survey = shipped();
    let ev = survey.evaluate_record(&full_household("e", 2).record, &cx());
    fuzz("expression", expression(), |src| {
        let _ = ev.evaluate_expression(src, None);
        let _ = ev.evaluate_expression(src, Some(("members", 1)));
    });
}

#[test]
fn survey_loader_takes_hostile_csv() {
    let strategy = (
        csv_text("type,name,label::zh,label::ii,relevant,constraint,calculation,choice_filter,ii_status"),
        csv_text("list_name,name,label::zh,label::ii,ii_status"),
        csv_text("form_id,version,form_title::zh,form_title::ii,ii_status"),
    );
    fuzz("survey CSV", strategy, |(survey, choices, settings)| {
        if let Ok(raw) = loader::from_csv_strs(survey, choices, settings) {
            let _ = Survey::compile(raw);
        }
    });
}

#[test]
fn ten_megabyte_strings_are_refused_or_read_in_time() {
    // A 10 MB string in the import file, in a stored household and in an expression.
    let big = "ꀀ".repeat(10 * 1024 * 1024 / 3);
    let survey = shipped();
    let t = Instant::now();
    let file = valid_export().replacen("\"head_name\":\"", &format!("\"head_name\":\"{big}"), 1);
    let _ = read_file(file.as_bytes(), survey);
    let stored = compact::encode(&full_household("h", 1), &Schema::of(survey)).replacen("阿苏拉且木呷", &big, 1);
    let _ = compact::decode(&stored, &Schema::of(survey));
    let ev = survey.evaluate_record(&full_household("e", 1).record, &cx());
    let _ = ev.evaluate_expression(&format!("string-length('{big}')"), None);
    assert!(t.elapsed() < LIMIT * 3, "{:?} for three 10 MB inputs", t.elapsed());
    println!("fuzz 10 MB strings: 3 inputs in {:.1} s, peak resident {} MB", t.elapsed().as_secs_f64(), peak_rss_mb());
}

// ---------------------------------------------------------------------------------------
// Regression tests: every crash the fuzzer found.

#[test]
fn regression_deep_nesting_in_expressions_is_refused_not_a_stack_overflow() {
    // Found by `expressions_take_hostile_text`: thousands of `(` overflowed the stack.
    let survey = shipped();
    let ev = survey.evaluate_record(&full_household("e", 1).record, &cx());
    for src in [
        format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        "-".repeat(100_000) + "1",
        "not(".repeat(10_000) + "1" + &")".repeat(10_000),
        vec!["1"; 1_999].join("+"),
        "concat(".repeat(20_000),
    ] {
        let problems = ev.evaluate_expression(&src, None).unwrap_err();
        assert!(problems.iter().any(|p| p.to_string().contains("嵌套太深")), "{problems:?}");
    }
    // Within the limits, still evaluated.
    assert_eq!(ev.evaluate_expression(&format!("{}1{}", "(".repeat(60), ")".repeat(60)), None).unwrap(), "1");
    assert_eq!(ev.evaluate_expression(&vec!["1"; 200].join("+"), None).unwrap(), "200");
}
