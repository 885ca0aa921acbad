//! `liangshan-forms`: the form authors' tool. See `docs/survey-format.md`.
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// 问卷编制工具：检查 XLSForm 问卷，发布到已构建的应用旁。
/// The form authors' tool: checks an XLSForm survey and publishes it next to a built app.
#[derive(Parser, Debug)]
#[command(name = "liangshan-forms", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 发布问卷：检查并写入已构建应用的 forms/ 文件夹（含 index.json）。
    /// Publish: check the surveys and write them, with index.json, into a built app's forms/.
    Publish {
        /// 问卷文件夹 / survey folders (surveys/household, surveys/visit, …)
        #[arg(required = true)]
        surveys: Vec<PathBuf>,
        /// 输出文件夹 / output folder, e.g. dist/forms
        #[arg(long)]
        out: PathBuf,
    },
    /// 检查问卷（文件夹或 .xlsx），列出所有问题 / Check a survey (folder or .xlsx), list every problem
    Lint {
        /// 问卷文件夹或工作簿 / survey folder or workbook
        path: PathBuf,
        /// 输出 JSON / print JSON for scripts
        #[arg(long)]
        json: bool,
    },
    /// 以 JSON 输出问卷 / Print the loaded survey as JSON
    Show {
        /// 问卷文件夹或工作簿 / survey folder or workbook
        path: PathBuf,
    },
    /// 把 CSV 问卷转为 XLSForm 工作簿 / Convert a CSV survey folder to an XLSForm workbook
    Convert {
        /// CSV 问卷文件夹 / CSV survey folder
        dir: PathBuf,
        /// 要写出的 .xlsx / the .xlsx to write
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Publish { surveys, out } => forms::publish::run(&surveys, &out),
        Command::Lint { path, json } => forms::lint::run(&path, json),
        Command::Show { path } => forms::show::run(&path),
        Command::Convert { dir, out } => forms::convert::run(&dir, &out),
    }
}
