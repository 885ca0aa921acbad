//! Full re-evaluation of one household of the shipped survey with 30 members: what the
//! app does on every keystroke.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::path::PathBuf;
use survey_core::{Answers, Context, FieldPath, Record, Survey};

fn household(members: usize) -> Answers {
    let json = include_str!("../tests/fixtures/household_6_members.json");
    let record: Record = serde_json::from_str(json).expect("fixture");
    let mut answers = record.answers;
    let template = answers.members("members").to_vec();
    answers.repeats.insert("members".into(), Vec::new());
    for i in 0..members {
        let mut m = template[i % template.len()].clone();
        m.insert("member_name".into(), format!("成员{i}"));
        answers.add_member("members", m);
    }
    answers
}

fn bench(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../surveys/household");
    let survey = Survey::load_dir(dir).expect("shipped survey loads");
    let answers = household(30);
    let cx = Context::from_iso("2024-05-01").unwrap();
    assert_eq!(survey.evaluate(&answers, &cx).member_count("members"), 30);
    c.bench_function("evaluate household, 30 members", |b| {
        b.iter(|| survey.evaluate(black_box(&answers), black_box(&cx)))
    });
    let path = FieldPath::member("members", 17, "school_status");
    c.bench_function("evaluate + visible choices, 30 members", |b| {
        b.iter(|| {
            let ev = survey.evaluate(black_box(&answers), &cx);
            survey.visible_choices(&path, &ev).len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
