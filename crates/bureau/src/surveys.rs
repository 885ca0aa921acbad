//! The survey versions households are re-validated with.
//!
//! The surveys the kit ships (`surveys/household` and the visit log `surveys/visit`) are
//! built into the binary, so a clerk needs no other file. Another version (an older or newer
//! `surveys/<id>/` folder) is added with `--survey DIR`; every version used is also kept in
//! the register (table `surveys`), so later commands evaluate each household (and visit)
//! with the very survey it was filled with.
use std::cmp::Ordering;
use std::path::Path;

use survey_core::forms::Role;
use survey_core::{RawSurvey, Survey};

/// A compiled survey with its definition as JSON (as kept in the register).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The compiled survey.
    pub survey: Survey,
    /// Its raw definition, JSON.
    pub json: String,
    /// What it is for: the household survey or the visit log (settings `role`).
    pub role: Role,
}

/// The surveys known to a command.
#[derive(Debug, Clone, Default)]
pub struct Surveys {
    entries: Vec<Entry>,
}

/// Compares two version texts segment by segment, numerically where both are numbers
/// (`2026.11.10` after `2026.11.9`).
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.split(['.', '-']);
    let mut y = b.split(['.', '-']);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => {
                let o = match (p.parse::<u64>(), q.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => p.cmp(q),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

fn describe(problems: &[survey_core::Problem]) -> String {
    problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
}

impl Surveys {
    /// The surveys shipped with the kit, built in: the household survey first, then the
    /// visit log.
    pub fn builtin() -> Surveys {
        // Loaded by build.rs from surveys/household and surveys/visit (workbook or CSV).
        let mut s = Surveys::default();
        for json in [include_str!(concat!(env!("OUT_DIR"), "/household.json")), include_str!(concat!(env!("OUT_DIR"), "/visit.json"))] {
            let raw = RawSurvey::from_json(json).expect("a shipped survey loads (the app's build checks it too)");
            s.add_raw(raw).expect("a shipped survey compiles");
        }
        s
    }

    /// Adds a survey from its definition; a version already known is replaced.
    pub fn add_raw(&mut self, raw: RawSurvey) -> Result<&Survey, String> {
        let json = raw.to_json();
        let role = Role::of(&raw).map_err(|r| format!("role: {r}"))?;
        let survey = Survey::compile(raw).map_err(|p| describe(&p))?;
        self.entries.retain(|e| !(e.survey.id() == survey.id() && e.survey.version() == survey.version()));
        self.entries.push(Entry { survey, json, role });
        Ok(&self.entries.last().expect("just pushed").survey)
    }

    /// Adds a survey from its JSON definition (as kept in the register).
    pub fn add_json(&mut self, json: &str) -> Result<&Survey, String> {
        let raw = RawSurvey::from_json(json).map_err(|e| e.to_string())?;
        self.add_raw(raw)
    }

    /// Adds a survey folder (its XLSForm workbook, or `survey.csv`, `choices.csv`,
    /// `settings.csv`).
    pub fn add_dir(&mut self, dir: &Path) -> Result<&Survey, String> {
        let raw = survey_core::load_survey_dir(dir).map_err(|p| format!("{}:\n{}", dir.display(), describe(&p)))?;
        self.add_raw(raw).map_err(|e| format!("{}:\n{e}", dir.display()))
    }

    /// Every survey known.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The survey with this id and version.
    pub fn get(&self, id: &str, version: &str) -> Option<&Survey> {
        self.entries.iter().map(|e| &e.survey).find(|s| s.id() == id && s.version() == version)
    }

    /// The newest version of survey `id`.
    pub fn newest(&self, id: &str) -> Option<&Survey> {
        self.entries
            .iter()
            .map(|e| &e.survey)
            .filter(|s| s.id() == id)
            .max_by(|a, b| version_cmp(a.version(), b.version()))
    }

    /// The survey files are checked against by default: the newest version of the first
    /// household survey id known (the shipped survey unless `--survey` says otherwise).
    pub fn primary(&self) -> &Survey {
        self.first_of(Role::Household).expect("at least the built-in survey")
    }

    /// The visit survey files are checked against by default: the newest version of the
    /// first visit survey id known (the shipped visit log).
    pub fn visit(&self) -> Option<&Survey> {
        self.first_of(Role::Visit)
    }

    fn first_of(&self, role: Role) -> Option<&Survey> {
        let id = self.entries.iter().find(|e| e.role == role)?.survey.id();
        self.newest(id)
    }

    /// What survey `id` is for (`None`: not known).
    pub fn role(&self, id: &str) -> Option<Role> {
        self.entries.iter().find(|e| e.survey.id() == id).map(|e| e.role)
    }

    /// The survey to re-validate a household with: its own version when known (`true`),
    /// else the newest version of its survey (`false`).
    pub fn for_household(&self, id: &str, version: &str) -> Option<(&Survey, bool)> {
        self.get(id, version).map(|s| (s, true)).or_else(|| self.newest(id).map(|s| (s, false)))
    }
}
