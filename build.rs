//! Build script: generates the compile-time-checked translation module from `locales/`
//! (leptos_i18n) and writes every interface text with its Yi review status
//! (`ui_texts.json`) for the translators' review mode. The app embeds no survey: its forms
//! are files published next to it (`liangshan-forms publish`, a Trunk hook; src/forms.rs).
use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?);

    // Chinese is the default and the fallback: a Yi value of `null` shows the Chinese text.
    let areas = ["app", "form", "drafts", "exchange", "offline", "review", "media", "visits"];
    let cfg = Config::new("zh")?.add_locale("ii")?.add_namespaces(areas)?;
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.join("i18n"))?;

    // The review mode lists every interface text (key, Chinese, Yi, status); the status
    // files are not part of leptos_i18n's input, so they are watched here.
    println!("cargo::rerun-if-changed=locales/ii-status");
    let mut ui_texts = Vec::new();
    for area in areas {
        let read = |lang: &str| -> Result<Option<serde_json::Value>, Box<dyn Error>> {
            match std::fs::read_to_string(format!("locales/{lang}/{area}.json")) {
                Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let zh = read("zh")?.unwrap_or_default();
        let (ii, status) = (read("ii")?, read("ii-status")?);
        ui_texts.extend(survey_core::translation::locale_texts(area, &zh, ii.as_ref(), status.as_ref()));
    }
    std::fs::write(out.join("ui_texts.json"), serde_json::to_string(&ui_texts)?)?;

    // The browser tests (tests/common) install the shipped household survey as the app
    // installs a published form: loaded here from its workbook, as `liangshan-forms publish`
    // loads it. The app's wasm does not include it.
    println!("cargo::rerun-if-changed=surveys/household");
    let household = survey_core::load_survey_dir("surveys/household").map_err(|problems| {
        let mut text = format!("surveys/household has {} problem(s):\n", problems.len());
        for p in &problems {
            text.push_str(&format!("  {p}\n"));
        }
        text
    })?;
    std::fs::write(out.join("household-for-tests.json"), household.to_json())?;
    // And the visit form, for the visit log's browser tests.
    println!("cargo::rerun-if-changed=surveys/visit");
    let visit = survey_core::load_survey_dir("surveys/visit")
        .map_err(|problems| format!("surveys/visit has {} problem(s), the first: {:?}", problems.len(), problems.first().map(ToString::to_string)))?;
    std::fs::write(out.join("visit-for-tests.json"), visit.to_json())?;

    Ok(())
}

