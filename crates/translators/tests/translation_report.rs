//! The translation report: counting on fixtures, and the binary's output and exit code.

use std::path::{Path, PathBuf};
use std::process::Command;
use survey_core::translation::{locale_reports, survey_reports, Counts};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(root: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_translation-report"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn survey_strings_are_counted_per_file_by_row_status() {
    let raw = survey_core::load_survey_dir(fixture("flat/surveys/mini")).unwrap();
    let reports = survey_reports("mini", &raw);
    let counts: Vec<(&str, Counts)> = reports
        .iter()
        .map(|r| (r.file.as_str(), r.counts))
        .collect();
    assert_eq!(
        counts,
        [
            (
                "mini/survey.csv",
                Counts {
                    reviewed: 2,
                    sourced: 1,
                    draft: 2,
                    missing: 0
                }
            ),
            (
                "mini/choices.csv",
                Counts {
                    reviewed: 0,
                    sourced: 2,
                    draft: 0,
                    missing: 0
                }
            ),
            (
                "mini/settings.csv",
                Counts {
                    reviewed: 0,
                    sourced: 0,
                    draft: 1,
                    missing: 0
                }
            ),
        ]
    );
    let drafts: Vec<&str> = reports[0].drafts.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        drafts,
        ["第 3 行 label (size)", "第 3 行 constraint_message (size)"]
    );
}

#[test]
fn flat_and_namespaced_locale_files() {
    let flat = locale_reports(&fixture("flat/locales")).unwrap();
    assert_eq!(flat.len(), 1);
    assert_eq!(
        flat[0].counts,
        Counts {
            reviewed: 1,
            sourced: 1,
            draft: 1,
            missing: 1
        }
    );
    assert_eq!(flat[0].missing[0].0, "app.save");
    let ns = locale_reports(&fixture("ns/locales")).unwrap();
    let counts: Vec<Counts> = ns.iter().map(|r| r.counts).collect();
    assert_eq!(
        counts,
        [
            Counts {
                reviewed: 0,
                sourced: 2,
                draft: 1,
                missing: 0
            },
            Counts {
                missing: 1,
                ..Default::default()
            }
        ]
    );
    assert!(ns[1].file.ends_with("form.json"));
    assert!(locale_reports(&fixture("none/locales")).unwrap().is_empty());
}

#[test]
fn binary_fails_when_yi_is_missing_and_lists_drafts() {
    let (code, out) = run(&fixture("flat"), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("surveys/mini/survey.csv"), "{out}");
    assert!(out.contains("locales/ii.json"), "{out}");
    assert!(out.contains("缺少彝文（missing）1 条"), "{out}");
    assert!(out.contains("app.save: 保存"), "{out}");
    assert!(!out.contains("待审校"), "{out}");
    let (_, listed) = run(&fixture("flat"), &["--list"]);
    assert!(listed.contains("第 3 行 label (size): 人数"), "{listed}");
    assert!(listed.contains("app.title: 采集"), "{listed}");
}

#[test]
fn binary_without_locale_files_says_so() {
    let (code, out) = run(&fixture("none"), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no locale files"), "{out}");
    let total = out.lines().find(|l| l.starts_with("total")).unwrap();
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    assert_eq!(numbers, ["2", "3", "3", "0"]);
}
