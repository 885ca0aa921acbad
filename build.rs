//! Build script: generates the compile-time-checked translation module from `locales/`
//! (leptos_i18n) and embeds the default survey, loaded and linted by survey-core.
use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set")?);

    // Chinese is the default and the fallback: a Yi value of `null` shows the Chinese text.
    let cfg = Config::new("zh")?.add_locale("ii")?;
    let translations = TranslationsInfos::parse(cfg)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out.join("i18n"))?;
    Ok(())
}
