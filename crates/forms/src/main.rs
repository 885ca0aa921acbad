//! `liangshan-forms`: the form authors' tool. See `docs/survey-format.md`.
use clap::{Parser, Subcommand};
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
        surveys: Vec<std::path::PathBuf>,
        /// 输出文件夹 / output folder, e.g. dist/forms
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Publish { surveys, out } => forms::publish::run(&surveys, &out),
    }
}
