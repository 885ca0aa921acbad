//! `liangshan-forms lint <folder|file.xlsx> [--json]`: loads a survey (its workbook or CSV
//! files) and lints it as the app's build does, reporting every problem at once with its
//! sheet, spreadsheet row (header = row 1), column (header name, and letter in a workbook),
//! what is wrong and how to fix it, in Chinese and English.
//!
//! Exit codes: 0 no problem, 1 problems, 2 the survey cannot be read (no such file or
//! folder, not a workbook, a workbook beside CSV files).
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;
use survey_core::loader::{load_survey, Loaded};
use survey_core::{Problem, Survey};

/// Codes that mean the survey could not be read at all.
const UNREADABLE: &[&str] = &["io", "workbook", "two_sources"];

/// Loads and lints; the problems come sorted by sheet and row, workbook columns with
/// their letters.
pub fn check(path: &Path) -> Result<Loaded, Vec<Problem>> {
    let sorted = |mut problems: Vec<Problem>| {
        problems.sort_by_key(|p| (p.table, p.row));
        problems
    };
    let loaded = load_survey(path).map_err(sorted)?;
    match Survey::compile(loaded.raw.clone()) {
        Ok(_) => Ok(loaded),
        Err(mut problems) => {
            loaded.locate(&mut problems);
            Err(sorted(problems))
        }
    }
}

/// 1 for problems in the form, 2 when it cannot be read.
pub fn exit_code(problems: &[Problem]) -> ExitCode {
    if problems.iter().any(|p| UNREADABLE.contains(&p.code())) {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// One problem as `--json` writes it.
#[derive(Debug, Serialize)]
pub struct JsonProblem<'a> {
    /// `survey`, `choices` or `settings`.
    pub sheet: &'static str,
    /// Spreadsheet row (header = 1); 0 for the whole sheet or file.
    pub row: u32,
    /// The header's name of the column, if the problem is in one.
    pub column: Option<&'a str>,
    /// The column's letter in a workbook.
    pub letter: Option<&'a str>,
    /// Stable code (`unknown_field`, …).
    pub code: &'static str,
    /// What is wrong, Chinese.
    pub message_zh: String,
    /// What is wrong, English.
    pub message_en: String,
    /// How to fix it, Chinese.
    pub fix_zh: &'static str,
    /// How to fix it, English.
    pub fix_en: &'static str,
    /// The problem's own fields (function, position, first_row, …).
    pub detail: &'a survey_core::ProblemKind,
}

/// The `--json` report.
pub fn report_json(path: &str, problems: &[Problem]) -> String {
    let list: Vec<JsonProblem> = problems
        .iter()
        .map(|p| {
            let (fix_zh, fix_en) = p.kind.fix();
            JsonProblem {
                sheet: p.table.sheet_name(),
                row: p.row,
                column: p.column(),
                letter: p.letter.as_deref(),
                code: p.code(),
                message_zh: p.kind.to_string(),
                message_en: p.kind.english(),
                fix_zh,
                fix_en,
                detail: &p.kind,
            }
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({
        "survey": path,
        "ok": problems.is_empty(),
        "count": problems.len(),
        "problems": list,
    }))
    .unwrap_or_default()
}

/// Where a problem is, in Chinese and English: `survey 表第 12 行，F 列（relevant）`.
pub fn location(p: &Problem) -> (String, String) {
    if matches!(p.code(), "two_sources" | "workbook") {
        return ("问卷".into(), "survey".into());
    }
    let sheet = p.table.sheet_name();
    let (mut zh, mut en) = (format!("{sheet} 表"), format!("sheet {sheet}"));
    if p.row > 0 {
        zh.push_str(&format!("第 {} 行", p.row));
        en.push_str(&format!(", row {}", p.row));
    }
    match (p.column(), p.letter.as_deref()) {
        (Some(c), Some(l)) => {
            zh.push_str(&format!("，{l} 列（{c}）"));
            en.push_str(&format!(", column {l} ({c})"));
        }
        (Some(c), None) => {
            zh.push_str(&format!("，{c} 列"));
            en.push_str(&format!(", column {c}"));
        }
        _ => {}
    }
    (zh, en)
}

/// The plain report a clerk reads: one group of lines per problem, then the count.
pub fn report_plain(path: &str, problems: &[Problem]) -> String {
    let mut out = format!("{path}\n");
    for p in problems {
        let (zh, en) = location(p);
        let (fix_zh, fix_en) = p.kind.fix();
        out.push_str(&format!(
            "\n{zh}：{}  [{}]\n{en}: {}\n  改法：{fix_zh}\n  Fix: {fix_en}\n",
            p.kind,
            p.code(),
            p.kind.english()
        ));
    }
    match problems.len() {
        0 => out.push_str("没有问题 / no problems\n"),
        n => out.push_str(&format!("\n共 {n} 个问题 / {n} problem(s)\n")),
    }
    out
}

/// Runs the command: prints the report, returns the exit code.
pub fn run(path: &Path, json: bool) -> ExitCode {
    let shown = path.display().to_string();
    let problems = match check(path) {
        Ok(_) => Vec::new(),
        Err(p) => p,
    };
    if json {
        println!("{}", report_json(&shown, &problems));
    } else {
        print!("{}", report_plain(&shown, &problems));
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        exit_code(&problems)
    }
}
