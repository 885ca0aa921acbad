//! Helpers to build small survey definitions in tests.
#![allow(dead_code)]

use survey_core::{
    Answers, Context, Evaluation, FieldPath, RawChoice, RawRow, RawSettings, RawSurvey, Survey,
};

/// A survey row with bilingual labels and `ii_status = draft` filled in (unless the
/// type is calculate or end_*), plus the given cells.
pub fn row(ty: &str, name: &str, cells: &[(&str, &str)]) -> RawRow {
    let mut r = RawRow {
        kind: ty.into(),
        name: name.into(),
        ..Default::default()
    };
    if !ty.starts_with("end") && ty != "calculate" {
        r.label_zh = format!("{name}标签");
        r.label_ii = "ꆈꌠ".into();
        r.ii_status = "draft".into();
    }
    for (k, v) in cells {
        r.set(k, *v);
    }
    r
}

/// A choice with bilingual labels and `ii_status = draft`, plus extra cells.
pub fn choice(list: &str, name: &str, cells: &[(&str, &str)]) -> RawChoice {
    let mut c = RawChoice {
        list_name: list.into(),
        name: name.into(),
        label_zh: format!("{name}选项"),
        label_ii: "ꉬ".into(),
        ii_status: "draft".into(),
        ..Default::default()
    };
    for (k, v) in cells {
        c.set(k, *v);
    }
    c
}

/// Settings with id, version, a bilingual title and `income_line = 7000`.
pub fn settings() -> RawSettings {
    let mut s = RawSettings {
        form_id: "test".into(),
        version: "1".into(),
        form_title_zh: "测试".into(),
        form_title_ii: "ꉬ".into(),
        ii_status: "draft".into(),
        ..Default::default()
    };
    s.set("income_line", "7000");
    s
}

pub fn raw(survey: Vec<RawRow>, choices: Vec<RawChoice>) -> RawSurvey {
    RawSurvey {
        survey,
        choices,
        settings: settings(),
    }
}

pub fn compile(survey: Vec<RawRow>, choices: Vec<RawChoice>) -> Survey {
    match Survey::compile(raw(survey, choices)) {
        Ok(s) => s,
        Err(p) => panic!("unexpected problems: {p:#?}"),
    }
}

/// The problem codes (with rows) of a definition that must fail.
pub fn problems(survey: Vec<RawRow>, choices: Vec<RawChoice>) -> Vec<(u32, &'static str)> {
    problems_raw(raw(survey, choices))
}

pub fn problems_raw(raw: RawSurvey) -> Vec<(u32, &'static str)> {
    match Survey::compile(raw) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p.iter().map(|p| (p.row, p.code())).collect(),
    }
}

pub fn ctx() -> Context {
    Context::from_iso("2024-05-01").unwrap()
}

pub fn top(name: &str) -> FieldPath {
    FieldPath::top(name)
}

pub fn member(i: usize, name: &str) -> FieldPath {
    FieldPath::member("members", i, name)
}

/// Answers from (path, value) pairs.
pub fn answers(pairs: &[(FieldPath, &str)]) -> Answers {
    let mut a = Answers::default();
    for (p, v) in pairs {
        a.set(p, *v);
    }
    a
}

pub fn evaluate(s: &Survey, a: &Answers) -> Evaluation {
    s.evaluate(a, &ctx())
}

/// The shipped household survey (`surveys/household`), loaded once.
pub fn shipped() -> Survey {
    static S: std::sync::OnceLock<Survey> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household");
        Survey::load_dir(dir).unwrap_or_else(|p| panic!("{p:?}"))
    })
    .clone()
}
