//! Build script: generates the compile-time-checked translation module from `locales/`
//! (leptos_i18n), and loads + lints the shipped survey with survey-core and embeds it as
//! JSON, so a survey file with a problem fails the build with its table and row.
use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

/// The survey the app ships with.
const SURVEY_DIR: &str = "surveys/household";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    println!("cargo::rerun-if-changed={SURVEY_DIR}");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?);

    // Chinese is the default and the fallback: a Yi value of `null` shows the Chinese text.
    let cfg = Config::new("zh")?
        .add_locale("ii")?
        .add_namespaces(["app", "form", "drafts", "exchange", "offline"])?;
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.join("i18n"))?;

    let raw = survey_core::load_survey_dir(SURVEY_DIR).map_err(|problems| describe(&problems))?;
    if let Err(problems) = survey_core::Survey::compile(raw.clone()) {
        return Err(describe(&problems).into());
    }
    std::fs::write(out.join("household.json"), raw.to_json())?;
    Ok(())
}

fn describe(problems: &[survey_core::Problem]) -> String {
    let mut text = format!("{SURVEY_DIR} has {} problem(s):\n", problems.len());
    for p in problems {
        text.push_str(&format!("  {p}\n"));
    }
    text
}
