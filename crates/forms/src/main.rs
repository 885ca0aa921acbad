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
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
