//! `liangshan-forms publish <survey folder>... --out <dir>`: loads each survey with the core's
//! loader, refuses every survey the core's compile rejects (all problems listed, nothing
//! written), and writes each accepted one as a content-hashed definition file plus
//! `index.json` (`survey_core::forms`) into `<dir>` — the `forms/` folder of a built app.
//!
//! Files of forms no longer listed are removed from `<dir>` (only `*.json` files this tool
//! names: `<form_id>-<16 hex>.json`), so a folder published twice holds exactly the index
//! and its forms.
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use survey_core::forms::{file_name, FormEntry, FormIndex, Role, INDEX_FILE, INDEX_FORMAT};
use survey_core::{Problem, RawSurvey, Survey};

/// One survey folder that cannot be published, with every problem found.
#[derive(Debug)]
pub struct Refused {
    /// The survey folder.
    pub dir: PathBuf,
    /// Every problem, each on its own line (the core's wording: table, row, what).
    pub problems: Vec<String>,
}

/// What a publish wrote.
#[derive(Debug)]
pub struct Published {
    /// The index written.
    pub index: FormIndex,
    /// Files removed (forms of an earlier publish no longer listed).
    pub removed: Vec<String>,
}

/// Why nothing was published.
#[derive(Debug)]
pub enum Error {
    /// Surveys the core rejects (nothing written).
    Refused(Vec<Refused>),
    /// The output folder could not be written.
    Io(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Refused(list) => {
                for r in list {
                    writeln!(f, "{}: {} 个问题 / {} problem(s), 未发布 / not published:", r.dir.display(), r.problems.len(), r.problems.len())?;
                    for p in &r.problems {
                        writeln!(f, "  {p}")?;
                    }
                }
                Ok(())
            }
            Error::Io(message) => writeln!(f, "{message}"),
        }
    }
}

fn lines(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

/// Loads and compiles one survey folder, as the app will compile the published file.
fn load(dir: &Path) -> Result<(RawSurvey, Survey, Role), Vec<String>> {
    let raw = survey_core::load_survey_dir(dir).map_err(|p| lines(&p))?;
    let role = Role::of(&raw).map_err(|name| {
        vec![format!("settings: role \"{name}\" 不是 household 或 visit / is not household or visit")]
    })?;
    let survey = Survey::compile(raw.clone()).map_err(|p| lines(&p))?;
    Ok((raw, survey, role))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Publishes the surveys in `dirs` into `out` (created if missing). Every survey is checked
/// before anything is written: one refused survey publishes none.
pub fn publish(dirs: &[PathBuf], out: &Path) -> Result<Published, Error> {
    let mut refused = Vec::new();
    let mut forms = Vec::new();
    for dir in dirs {
        match load(dir) {
            Ok(form) => forms.push((dir, form)),
            Err(problems) => refused.push(Refused { dir: dir.clone(), problems }),
        }
    }
    let mut roles = BTreeSet::new();
    for (dir, (_, _, role)) in &forms {
        if !roles.insert(role.as_str()) {
            let problem = format!("settings: 另一个问卷也是 {0} / another survey given is also the {0} form", role.as_str());
            refused.push(Refused { dir: (*dir).clone(), problems: vec![problem] });
        }
    }
    if !refused.is_empty() {
        return Err(Error::Refused(refused));
    }

    let io = |what: &str, path: &Path, e: std::io::Error| Error::Io(format!("{what} {}: {e}", path.display()));
    std::fs::create_dir_all(out).map_err(|e| io("cannot create", out, e))?;
    let mut index = FormIndex { format: INDEX_FORMAT, forms: Vec::new() };
    for (_, (raw, survey, role)) in &forms {
        let text = raw.to_json();
        let sha256 = sha256_hex(text.as_bytes());
        let file = file_name(survey.id(), &sha256);
        let path = out.join(&file);
        std::fs::write(&path, &text).map_err(|e| io("cannot write", &path, e))?;
        index.forms.push(FormEntry {
            id: survey.id().to_string(),
            version: survey.version().to_string(),
            title: survey.title().clone(),
            role: *role,
            file,
            sha256,
            size: text.len() as u64,
        });
    }
    // The index last: a server copying this folder file by file lists no form before its file.
    let index_path = out.join(INDEX_FILE);
    std::fs::write(&index_path, index.to_json() + "\n").map_err(|e| io("cannot write", &index_path, e))?;

    let listed: BTreeSet<&str> = index.forms.iter().map(|f| f.file.as_str()).collect();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(out).map_err(|e| io("cannot read", out, e))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_form_file(&name) && !listed.contains(name.as_str()) {
            std::fs::remove_file(entry.path()).map_err(|e| io("cannot remove", &entry.path(), e))?;
            removed.push(name);
        }
    }
    removed.sort();
    Ok(Published { index, removed })
}

/// The subcommand: prints what was written (or every problem), exit 1 when refused.
pub fn run(dirs: &[PathBuf], out: &Path) -> std::process::ExitCode {
    match publish(dirs, out) {
        Ok(published) => {
            for f in &published.index.forms {
                println!("{} {} ({}) → {} ({} bytes)", f.id, f.version, f.role.as_str(), out.join(&f.file).display(), f.size);
            }
            for name in &published.removed {
                println!("removed {name}");
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A name [`file_name`] writes: `<something>-<16 lowercase hex>.json`.
fn is_form_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".json") else { return false };
    let Some((_, hash)) = stem.rsplit_once('-') else { return false };
    hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use survey_core::forms::compile_published;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// A CSV copy of a survey folder (workbook or CSV), as the kit loads it, for tests that
    /// edit its text.
    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        let (_, grids) = survey_core::loader::read_grids(from).unwrap();
        crate::workbook::write_csv_dir(to, &grids).unwrap();
    }

    #[test]
    fn the_shipped_household_survey_publishes_and_reads_back_as_the_app_reads_it() {
        let out = tempfile::tempdir().unwrap();
        let published = publish(&[root().join("surveys/household")], out.path()).unwrap();
        let index = FormIndex::from_json(&std::fs::read_to_string(out.path().join(INDEX_FILE)).unwrap()).unwrap();
        assert_eq!(index, published.index);
        let entry = index.get(Role::Household).unwrap();
        assert_eq!(entry.id, "liangshan_household");
        let bytes = std::fs::read(out.path().join(&entry.file)).unwrap();
        assert_eq!(sha256_hex(&bytes), entry.sha256);
        assert_eq!(bytes.len() as u64, entry.size);
        assert!(entry.file.starts_with("liangshan_household-") && entry.file.contains(&entry.sha256[..16]));
        let (_, survey) = compile_published(entry, std::str::from_utf8(&bytes).unwrap()).unwrap();
        let shipped = survey_core::load_survey_dir(root().join("surveys/household")).unwrap();
        assert_eq!(survey.version(), shipped.settings.get("version"));
    }

    #[test]
    fn a_changed_form_replaces_the_old_file_and_a_rejected_one_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (form, out) = (tmp.path().join("household"), tmp.path().join("forms"));
        copy_dir(&root().join("surveys/household"), &form);
        let first = publish(&[form.clone()], &out).unwrap();
        // A label changed: a new file (new hash), the old one removed.
        let survey_csv = std::fs::read_to_string(form.join("survey.csv")).unwrap();
        std::fs::write(form.join("survey.csv"), survey_csv.replacen("所在村", "所在行政村", 1)).unwrap();
        let second = publish(&[form.clone()], &out).unwrap();
        assert_ne!(first.index.forms[0].file, second.index.forms[0].file);
        assert_eq!(second.removed, vec![first.index.forms[0].file.clone()]);
        let mut names: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, vec![INDEX_FILE.to_string(), second.index.forms[0].file.clone()]);

        // Two broken rows: both listed, nothing written.
        let before = std::fs::read_to_string(out.join(INDEX_FILE)).unwrap();
        let broken = survey_csv
            .replacen("select_one village,village,", "select_one nowhere,village,", 1)
            .replacen("${village} = 'other'", "${no_such_field} = 'other'", 1);
        std::fs::write(form.join("survey.csv"), broken).unwrap();
        let Err(Error::Refused(refused)) = publish(&[form.clone()], &out) else { panic!("published a broken form") };
        assert_eq!(refused.len(), 1);
        assert!(refused[0].problems.len() >= 2, "{:?}", refused[0].problems);
        assert!(refused[0].problems.iter().any(|p| p.contains("nowhere")), "{:?}", refused[0].problems);
        assert!(refused[0].problems.iter().any(|p| p.contains("no_such_field")), "{:?}", refused[0].problems);
        assert_eq!(std::fs::read_to_string(out.join(INDEX_FILE)).unwrap(), before);
    }

    #[test]
    fn two_forms_for_one_role_and_an_unknown_role_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        copy_dir(&root().join("surveys/household"), &a);
        copy_dir(&root().join("surveys/household"), &b);
        let Err(Error::Refused(refused)) = publish(&[a.clone(), b.clone()], &tmp.path().join("out")) else { panic!() };
        assert_eq!(refused[0].dir, b);
        let settings = std::fs::read_to_string(a.join("settings.csv")).unwrap();
        let mut lines = settings.lines();
        let (head, row) = (lines.next().unwrap(), lines.next().unwrap());
        std::fs::write(a.join("settings.csv"), format!("{head},role\n{row},census\n")).unwrap();
        let Err(Error::Refused(refused)) = publish(&[a.clone()], &tmp.path().join("out")) else { panic!() };
        assert!(refused[0].problems[0].contains("census"));
        assert!(!tmp.path().join("out").exists());
    }

    #[test]
    fn only_names_this_tool_writes_count_as_form_files() {
        assert!(is_form_file("liangshan_household-0123456789abcdef.json"));
        assert!(!is_form_file("index.json"));
        assert!(!is_form_file("notes-0123456789ABCDEF.json"));
        assert!(!is_form_file("a-0123456789abcdef.txt"));
    }
}
