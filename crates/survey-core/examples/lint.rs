//! Lints a survey folder: `cargo run -p survey-core --example lint -- surveys/household`.
fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "surveys/household".into());
    match survey_core::Survey::load_dir(&dir) {
        Ok(s) => println!("{dir}: {} items, no problems", s.items().len()),
        Err(problems) => {
            for p in &problems {
                println!("{p}");
            }
            std::process::exit(1);
        }
    }
}
