//! Translation report: how many Yi strings are reviewed, sourced, drafted and missing, per
//! file and per reviewer, for every survey in `surveys/*/` and the UI locale files in
//! `locales/`, and the consistency list (a Chinese term rendered by different Yi).
//!
//! ```text
//! cargo run -p translators --bin translation-report [-- --list] [--root DIR]
//! ```
//! `--list` lists the drafted strings (for the bureau's Yi translators). Missing strings are
//! always listed. Exits with status 1 when any Yi string is missing, 2 on a read error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use survey_core::translation::{consistency, locale_reports, survey_reports, Counts, FileReport};

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
    let root = root.unwrap_or_else(translators::default_root);
    let mut reports: Vec<FileReport> = Vec::new();

    let kit = match translators::Kit::load(&root) {
        Ok(kit) => kit,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if kit.surveys.is_empty() {
        println!("没有问卷（no surveys in {}）", root.join("surveys").display());
    }
    for (dir, raw) in &kit.surveys {
        let mut found = survey_reports(&rel(&root, dir), raw);
        // A survey kept as a workbook: its sheets, not CSV files.
        if let Ok(survey_core::loader::Source::Workbook(book)) = survey_core::loader::find_source(dir) {
            for r in &mut found {
                if let Some((_, sheet)) = r.file.rsplit_once('/') {
                    r.file = format!("{} [{}]", rel(&root, &book), sheet.trim_end_matches(".csv"));
                }
            }
        }
        reports.extend(found);
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
    let mut reviewers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        for (who, n) in &r.by_reviewer {
            *reviewers.entry(who.as_str()).or_default() += n;
        }
    }
    if !reviewers.is_empty() {
        println!("\n审校人 reviewer  reviewed");
        for (who, n) in &reviewers {
            let who = if who.is_empty() {
                "（未记录 not recorded）"
            } else {
                who
            };
            println!("  {who}  {n}");
        }
        for r in reports.iter().filter(|r| !r.by_reviewer.is_empty()) {
            let parts: Vec<String> = r
                .by_reviewer
                .iter()
                .map(|(w, n)| format!("{w} {n}"))
                .collect();
            println!("  {}: {}", r.file, parts.join(", "));
        }
    }
    match kit.texts() {
        Ok(texts) => {
            let list = consistency(&texts, 6);
            if !list.is_empty() {
                println!(
                    "\n一致性 consistency — 同一中文词的彝文译法不同 ({} 个词 terms):",
                    list.len()
                );
            }
            for item in &list {
                let forms: Vec<String> = item
                    .renderings
                    .iter()
                    .map(|(ii, keys)| format!("「{ii}」 ({})", keys.join(", ")))
                    .collect();
                println!("  {}: {}", item.zh, forms.join(" / "));
                if !item.elsewhere.is_empty() {
                    println!(
                        "      其他含「{}」而彝文不同的文字 elsewhere: {}",
                        item.zh,
                        item.elsewhere.join(", ")
                    );
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    if total.missing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
