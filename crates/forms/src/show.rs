//! `liangshan-forms show <folder|file.xlsx>`: the loaded survey as JSON
//! ([`survey_core::RawSurvey::to_json`], what the app's build embeds), for scripts and tests
//! that need the survey without reading its files themselves. A survey with problems is not
//! shown: its problems are printed as `lint` prints them (exit 1, or 2 when unreadable).
use crate::lint::{check, exit_code, report_plain};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Prints the survey's JSON on stdout.
pub fn run(path: &Path) -> ExitCode {
    match check(path) {
        Ok(loaded) => {
            // A closed pipe (`| head`) is not an error of the survey.
            let _ = writeln!(std::io::stdout(), "{}", loaded.raw.to_json());
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprint!("{}", report_plain(&path.display().to_string(), &problems));
            exit_code(&problems)
        }
    }
}
