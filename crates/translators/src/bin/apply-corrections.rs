//! Applies a corrections file exported by the kit's review mode to the sources:
//! `locales/ii/<area>.json` and `locales/ii-status/<area>.json` (interface) and
//! `surveys/<id>/{survey,choices,settings}.csv` (the `::ii` columns, `ii_status`,
//! `ii_reviewer`, `ii_reviewed_on`).
//!
//! ```text
//! cargo run -p translators --bin apply-corrections -- FILE.json [--root DIR] [--dry-run]
//! ```
//! Prints what it changes. A text whose Chinese (or Yi) changed since the reviewer saw it
//! is reported as stale and left alone. A file made on another kit or survey version, a
//! damaged file, or a Yi text that is not Yi is refused as a whole: nothing is written.
//! Running it twice changes nothing the second time. Exit status: 0 applied (or nothing
//! to do), 1 refused, 2 usage or read/write error.

use std::path::PathBuf;
use std::process::ExitCode;
use survey_core::corrections;
use translators::{default_root, prepare, write_all, Kit};

const USAGE: &str = "用法 usage: apply-corrections FILE.json [--root DIR] [--dry-run]";

fn main() -> ExitCode {
    let mut file: Option<PathBuf> = None;
    let mut root: Option<PathBuf> = None;
    let mut dry_run = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = args.next().map(PathBuf::from),
            "--dry-run" => dry_run = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if file.is_none() && !other.starts_with("--") => {
                file = Some(PathBuf::from(other))
            }
            other => {
                eprintln!("未知参数 unknown argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let root = root.unwrap_or_else(default_root);
    let text = match std::fs::read(&file) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return refused(
                    &file,
                    &[corrections::Refusal::Damaged("not UTF-8 text".into())],
                )
            }
        },
        Err(e) => {
            eprintln!("无法读取 cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let parsed = match corrections::parse(&text) {
        Ok(p) => p,
        Err(r) => return refused(&file, &[r]),
    };
    let kit = match Kit::load(&root) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("无法读取工具包 cannot read the kit: {e}");
            return ExitCode::from(2);
        }
    };
    let prepared = match prepare(&kit, &parsed) {
        Ok(p) => p,
        Err(refusals) => return refused(&file, &refusals),
    };
    println!(
        "{}：审校人 reviewer {}，导出 exported {}，{} 条 corrections",
        file.display(),
        parsed.reviewer,
        parsed.exported_at,
        parsed.corrections.len()
    );
    for c in &prepared.plan.changes {
        let c = &c.correction;
        if c.accepted() {
            println!("  确认 accepted   {}  「{}」", c.key, c.ii_after);
        } else {
            println!(
                "  更正 corrected  {}  「{}」 → 「{}」",
                c.key, c.ii_before, c.ii_after
            );
        }
        if !c.comment.trim().is_empty() {
            println!("                  备注 comment: {}", c.comment.trim());
        }
    }
    for (file, row) in &prepared.partial_rows {
        println!("  注意 note  {file}: {row} 这一行还有未审校的彝文，状态不改为 reviewed (other Yi texts of the row are not reviewed yet)");
    }
    for s in &prepared.plan.stale {
        let what = if s.changed == "zh" {
            "中文已改 Chinese changed"
        } else {
            "彝文已改 Yi changed"
        };
        println!(
            "  过期未改 stale  {}: {what} since the review: 「{}」 → 「{}」",
            s.key, s.seen, s.now
        );
    }
    if !prepared.plan.unchanged.is_empty() {
        println!(
            "  已是审校后的文字 already applied: {}",
            prepared.plan.unchanged.len()
        );
    }
    if prepared.writes.is_empty() {
        println!("没有要修改的文件 nothing to change.");
        return ExitCode::SUCCESS;
    }
    if dry_run {
        for w in &prepared.writes {
            println!("  将修改 would write {}", rel(&root, &w.path));
        }
        return ExitCode::SUCCESS;
    }
    if let Err(e) = write_all(&prepared.writes) {
        eprintln!("写入失败 write failed: {e}");
        return ExitCode::from(2);
    }
    for w in &prepared.writes {
        println!("  已修改 wrote {}", rel(&root, &w.path));
    }
    ExitCode::SUCCESS
}

fn refused(file: &std::path::Path, reasons: &[corrections::Refusal]) -> ExitCode {
    eprintln!(
        "拒绝 refused {}: 没有修改任何文件 nothing was changed.",
        file.display()
    );
    for r in reasons {
        eprintln!("  {}", translators::describe(r));
    }
    ExitCode::from(1)
}

fn rel(root: &std::path::Path, p: &std::path::Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}
