//! Runs the 30-member evaluation in a loop (for profiling): `cargo run --release --example profile`.
use survey_core::{Context, Record, Survey};
fn main() {
    let survey = Survey::load_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../surveys/household"
    ))
    .unwrap();
    let record: Record =
        serde_json::from_str(include_str!("../tests/fixtures/household_6_members.json")).unwrap();
    let mut answers = record.answers;
    let template = answers.members("members").to_vec();
    answers.repeats.insert("members".into(), Vec::new());
    for i in 0..30 {
        answers.add_member("members", template[i % 6].clone());
    }
    let cx = Context::from_iso("2024-05-01").unwrap();
    let n = 3000;
    let t = std::time::Instant::now();
    let mut issues = 0;
    for _ in 0..n {
        issues += survey.evaluate(&answers, &cx).issues().len();
    }
    println!(
        "{:?} per evaluation ({} issues)",
        t.elapsed() / n,
        issues / n as usize
    );
}
