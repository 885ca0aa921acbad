//! Translation report: how many Yi strings are reviewed, sourced, drafted and missing, per
//! file, for every survey in `surveys/*/` and the UI locale files in `locales/`.
//!
//! ```text
//! cargo run -p survey-core --bin translation-report [-- --list] [--root DIR]
//! ```
//! `--list` lists the drafted strings (for the bureau's Yi translators). Missing strings are
//! always listed. Exits with status 1 when any Yi string is missing, 2 on a read error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use survey_core::translation::{locale_reports, survey_reports, Counts, FileReport};

fn main() -> ExitCode {
    let mut list = false;
    let mut root: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => list = true,
            "--root" => root = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("usage: translation-report [--list] [--root DIR]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("未知参数 {other}（用法：translation-report [--list] [--root DIR]）");
                return ExitCode::from(2);
            }
        }
    }
    let root = root.unwrap_or_else(default_root);
    let mut reports: Vec<FileReport> = Vec::new();

    let surveys = root.join("surveys");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&surveys)
        .map(|e| {
            e.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    if dirs.is_empty() {
        println!("没有问卷（no surveys in {}）", surveys.display());
    }
    for dir in dirs {
        let shown = rel(&root, &dir);
        match survey_core::load_survey_dir(&dir) {
            Ok(raw) => reports.extend(survey_reports(&shown, &raw)),
            Err(problems) => {
                for p in problems {
                    eprintln!("{shown}: {p}");
                }
                return ExitCode::from(2);
            }
        }
    }
    match locale_reports(&root.join("locales")) {
        Ok(found) if found.is_empty() => println!(
            "没有界面语言文件（no locale files in {}）",
            root.join("locales").display()
        ),
        Ok(found) => reports.extend(found.into_iter().map(|mut r| {
            r.file = rel(&root, Path::new(&r.file));
            r
        })),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }

    let mut total = Counts::default();
    let width = reports
        .iter()
        .map(|r| r.file.len())
        .max()
        .unwrap_or(10)
        .max(10);
    println!("{:width$}  reviewed  sourced  draft  missing", "file");
    for r in &reports {
        let c = r.counts;
        println!(
            "{:width$}  {:>8}  {:>7}  {:>5}  {:>7}",
            r.file, c.reviewed, c.sourced, c.draft, c.missing
        );
        total.add(&c);
    }
    println!(
        "{:width$}  {:>8}  {:>7}  {:>5}  {:>7}",
        "total", total.reviewed, total.sourced, total.draft, total.missing
    );
    for r in &reports {
        if list && !r.drafts.is_empty() {
            println!(
                "\n{} — 待审校的彝文草稿（draft）{} 条：",
                r.file,
                r.drafts.len()
            );
            for (at, zh) in &r.drafts {
                println!("  {at}: {zh}");
            }
        }
        if !r.missing.is_empty() {
            println!("\n{} — 缺少彝文（missing）{} 条：", r.file, r.missing.len());
            for (at, zh) in &r.missing {
                println!("  {at}: {zh}");
            }
        }
    }
    if total.missing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The workspace root: the current directory when it has `surveys/`, else two levels up
/// from this crate.
fn default_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    if cwd.join("surveys").is_dir() {
        cwd
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
