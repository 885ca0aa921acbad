//! What the exchange panel does, apart from its view: choosing households and their visits
//! (走访记录), building the export file and the CSV tables, marking them exported, checking
//! an import file and merging it. Everything stored goes through [`DraftStore`] — the
//! households' store, and the visits' ([`crate::drafts::VisitStore`] derefs to one), both
//! handled by the same code.
use std::collections::{BTreeSet, HashMap, HashSet};

use survey_core::envelope::{self, Protection, Routing};
use survey_core::exchange::{
    self, add_visits, csv_tables, differences, export_file, file_name, preview, to_json, AppInfo, Difference,
    ExportKind, ExportMeta, ImportError, ImportedFile, Match, MergeChoice, Preview,
};
use leptos::prelude::GetUntracked;
use survey_core::{Household, Status, Survey};

use crate::drafts::{DraftStore, StoreError};
use crate::{clock, forms, storage};

/// Which households an export takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Finalized, not yet exported (the usual delivery).
    #[default]
    New,
    /// Every finalized household, already exported ones too.
    Finalized,
    /// The households ticked in the list.
    Chosen,
    /// Everything, drafts included: a backup of the tablet.
    Backup,
}

impl Scope {
    /// Every scope, in the order the panel offers them.
    pub const ALL: [Scope; 4] = [Scope::New, Scope::Finalized, Scope::Chosen, Scope::Backup];

    /// The kind of file it makes.
    pub fn kind(self) -> ExportKind {
        match self {
            Scope::Backup => ExportKind::Backup,
            _ => ExportKind::Bureau,
        }
    }

    /// Stable name (test ids).
    pub fn name(self) -> &'static str {
        match self {
            Scope::New => "new",
            Scope::Finalized => "finalized",
            Scope::Chosen => "chosen",
            Scope::Backup => "backup",
        }
    }

    /// Whether a household of status `s` (and id `id`) is taken.
    pub fn takes(self, s: Status, id: &str, chosen: &BTreeSet<String>) -> bool {
        match self {
            Scope::New => s == Status::Finalized,
            Scope::Finalized => s != Status::Draft,
            Scope::Chosen => chosen.contains(id),
            Scope::Backup => true,
        }
    }

    /// Whether a visit of status `s` to the household `household_id` is taken: as a
    /// household for "new", "finalized" and a backup; for a chosen set, the finalized
    /// visits of the chosen households (a draft visit goes to the bureau only finalized).
    pub fn takes_visit(self, s: Status, household_id: Option<&str>, chosen: &BTreeSet<String>) -> bool {
        match self {
            Scope::Chosen => s != Status::Draft && household_id.is_some_and(|h| chosen.contains(h)),
            _ => self.takes(s, "", chosen),
        }
    }
}

/// The households on this tablet: every readable one (with the version waiting in memory
/// where storage was full), oldest first; and how many entries cannot be read.
pub fn tablet(store: &DraftStore) -> (Vec<Household>, usize) {
    let unsaved = store.unsaved.get_untracked();
    let mut damaged = 0;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for entry in store.load_all() {
        match entry {
            Ok(h) => {
                seen.insert(h.id.clone());
                out.push(unsaved.get(&h.id).map_or(h, |u| u.household.clone()));
            }
            Err(_) => damaged += 1,
        }
    }
    out.extend(unsaved.values().filter(|u| !seen.contains(&u.household.id)).map(|u| u.household.clone()));
    survey_core::sort::sort_by(&mut out, |a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    (out, damaged)
}

/// The households of the tablet that `scope` takes, and its visits, oldest first; and how
/// many entries (of both kinds) cannot be read. No visit when the app has no visit log.
fn taken(store: &DraftStore, visits: &DraftStore, scope: Scope, chosen: &BTreeSet<String>) -> Taken {
    let (all, damaged) = tablet(store);
    let households = all.into_iter().filter(|h| scope.takes(h.status, &h.id, chosen)).collect();
    let (all, damaged_visits) = if forms::visit().is_some() { tablet(visits) } else { (Vec::new(), 0) };
    let visits = all.into_iter().filter(|v| scope.takes_visit(v.status, v.household_id.as_deref(), chosen)).collect();
    Taken { households, visits, damaged: damaged + damaged_visits }
}

/// What an export takes.
struct Taken {
    households: Vec<Household>,
    visits: Vec<Household>,
    damaged: usize,
}

/// The app, as named in export files.
pub fn app_info() -> AppInfo {
    AppInfo { name: env!("CARGO_PKG_NAME").to_string(), version: env!("CARGO_PKG_VERSION").to_string() }
}

/// The survey's `public_key` setting (XLSForm's column): when present, exports leave the
/// tablet encrypted (`docs/export-format.md`, "Encrypted files").
pub fn public_key() -> Option<&'static str> {
    forms::household().setting("public_key").filter(|k| !k.is_empty())
}

/// How an export of `scope` is protected ([`envelope::protection`]).
pub fn protection(scope: Scope, plain_chosen: bool) -> Protection {
    envelope::protection(scope.kind(), public_key().is_some(), plain_chosen)
}

/// Whether the CSV tables may be written ([`envelope::csv_allowed`]).
pub fn csv_allowed(plain_chosen: bool) -> bool {
    envelope::csv_allowed(public_key().is_some(), plain_chosen)
}

/// An export file ready to hand over: its name, its text, and the households and visits it
/// holds, already marked exported (not yet saved: see [`save_marks`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// File name.
    pub name: String,
    /// JSON text.
    pub text: String,
    /// Its routing data (the header of an encrypted file).
    pub routing: Routing,
    /// The households, marked exported at the file's time.
    pub households: Vec<Household>,
    /// The visits, marked exported at the file's time.
    pub visits: Vec<Household>,
    /// Entries that cannot be read (not in the file).
    pub damaged: usize,
    /// Milliseconds spent reading the tablet and building the file.
    pub timings: [(&'static str, f64); 2],
}

/// Builds the export file of `scope` (households from `store`, visits from `visits`);
/// `None` when neither a household nor a visit is taken. A file may hold visits alone.
pub fn prepare_json(store: &DraftStore, visits: &DraftStore, scope: Scope, chosen: &BTreeSet<String>) -> Option<Prepared> {
    let t0 = clock::perf_now();
    let Taken { households: mut hs, visits: mut vs, damaged } = taken(store, visits, scope, chosen);
    let t1 = clock::perf_now();
    if hs.is_empty() && vs.is_empty() {
        return None;
    }
    // The tablet's local time: the file's `exported_at` and its name tell the same date.
    let now = clock::now_local_rfc3339();
    for h in hs.iter_mut().chain(vs.iter_mut()) {
        h.mark_exported(&now);
    }
    let survey = forms::household();
    let meta = ExportMeta {
        kind: scope.kind(),
        exported_at: now.clone(),
        app: app_info(),
        enumerator: store.profile(),
        device: store.device_id(),
    };
    let cx = clock::context();
    let mut file = export_file(survey, &hs, &cx, meta);
    if let Some(visit_survey) = forms::visit() {
        add_visits(&mut file, visit_survey, &vs, &cx);
    }
    let routing = Routing::of_file(&file);
    let text = to_json(&file);
    // A file with visits says how many (a "0户" file is not empty).
    let visits_part = if vs.is_empty() { String::new() } else { format!("{}条走访", vs.len()) };
    let name = file_name(survey.id(), &hs, &now, &store.device_id(), scope.kind(), &visits_part, "json");
    let t2 = clock::perf_now();
    Some(Prepared {
        name,
        text,
        routing,
        households: hs,
        visits: vs,
        damaged,
        timings: [("read", t1 - t0), ("build", t2 - t1)],
    })
}

/// Saves the exported marks of the households (in `store`) and visits (in `visits`) of
/// `p`; returns the ids that could not be saved, with why.
pub fn save_marks(store: &DraftStore, visits: &DraftStore, p: &Prepared) -> Vec<(String, StoreError)> {
    let save = |s: &DraftStore, h: &Household| s.save(h).err().map(|e| (h.id.clone(), e));
    let households = p.households.iter().filter_map(|h| save(store, h));
    households.chain(p.visits.iter().filter_map(|v| save(visits, v))).collect()
}

/// Which CSV table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// One row per household.
    Households,
    /// One row per roster member.
    Members,
    /// One row per visit (the visit survey's own table).
    Visits,
}

/// The CSV table `which` of `scope`: `(name, text)`; `None` when it would have no row's
/// record to come from (no household taken, or no visit for the visits table). Nothing is
/// marked: the tables are for looking at, the JSON file is the delivery. Written by the
/// core's [`csv_tables`], the visits with the visit survey.
pub fn prepare_csv(store: &DraftStore, visits: &DraftStore, scope: Scope, chosen: &BTreeSet<String>, which: Table) -> Option<(String, String)> {
    let Taken { households: hs, visits: vs, .. } = taken(store, visits, scope, chosen);
    let (now, device) = (clock::now_local_rfc3339(), store.device_id());
    let survey = forms::household();
    let name = |suffix: &str| file_name(survey.id(), &hs, &now, &device, scope.kind(), suffix, "csv");
    match which {
        Table::Households | Table::Members if hs.is_empty() => None,
        Table::Households => Some((name("households"), csv_tables(survey, &hs, &clock::context()).households)),
        Table::Members => Some((name("members"), csv_tables(survey, &hs, &clock::context()).members)),
        Table::Visits => {
            let visit_survey = forms::visit().filter(|_| !vs.is_empty())?;
            Some((name("visits"), exchange::visits_csv(visit_survey, &vs, &clock::context())))
        }
    }
}

/// One kind of record of a checked file (households, or visits) compared with the tablet's.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Compared {
    /// The file's records compared with the tablet's, by id.
    pub preview: Preview,
    /// For each conflict, by id: the answers that differ between the tablet's version
    /// (`held`) and the file's (`incoming`); empty when the tablet's entry cannot be read.
    pub differences: HashMap<String, Vec<Difference>>,
}

/// A checked import file compared with the tablet.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The file.
    pub file: ImportedFile,
    /// Its households compared with the tablet's.
    pub households: Compared,
    /// Its visits compared with the tablet's (none when the file has none).
    pub visits: Compared,
}

impl Checked {
    /// Whether `choice` brings in anything (a household or a visit).
    pub fn takes_any(&self, choice: &MergeChoice) -> bool {
        let any = |c: &Compared| c.preview.entries.iter().any(|e| exchange::chosen(e, choice));
        any(&self.households) || any(&self.visits)
    }

    /// The records `choice` brings in, households then visits.
    pub fn taken<'a>(&'a self, choice: &'a MergeChoice) -> impl Iterator<Item = &'a Household> + 'a {
        let of = move |c: &'a Compared, records: &'a [Household]| {
            c.preview.entries.iter().filter(move |e| exchange::chosen(e, choice)).filter_map(move |e| records.get(e.index))
        };
        of(&self.households, &self.file.households).chain(of(&self.visits, &self.file.visits))
    }
}

/// Compares `records` of a file with what `store` holds of their kind (`survey`'s).
fn compare(store: &DraftStore, records: &[Household], survey: &Survey) -> Compared {
    let (here, _) = tablet(store);
    let mut preview = preview(records, &here);
    // A record whose entry here cannot be read cannot be compared: a conflict, replaced
    // only on purpose (the damaged entry's raw text can be downloaded from the list first).
    let damaged: HashSet<String> = store.damaged().iter().map(|d| d.id().to_string()).collect();
    for e in &mut preview.entries {
        if e.matched == Match::New && damaged.contains(&e.id) {
            e.matched = Match::Conflict;
        }
    }
    let differences = preview
        .entries
        .iter()
        .filter(|e| e.matched == Match::Conflict)
        .map(|e| {
            let theirs = &records[e.index];
            let d = here.iter().find(|h| h.id == e.id).map(|mine| differences(survey, mine, theirs));
            (e.id.clone(), d.unwrap_or_default())
        })
        .collect();
    Compared { preview, differences }
}

/// Reads and checks a file (households, and visits when the app has a visit log) and
/// compares it with the tablet. Stores nothing.
pub fn check_file(store: &DraftStore, visits: &DraftStore, bytes: &[u8]) -> Result<Checked, ImportError> {
    let survey = forms::household();
    let visit_survey = forms::visit();
    let file = exchange::read_file_with_visits(bytes, survey, visit_survey)?;
    let households = compare(store, &file.households, survey);
    let visits = match visit_survey {
        Some(vs) if !file.visits.is_empty() => compare(visits, &file.visits, vs),
        _ => Compared::default(),
    };
    Ok(Checked { file, households, visits })
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Household ids saved.
    pub saved: Vec<String>,
    /// Visit ids saved.
    pub saved_visits: Vec<String>,
    /// Ids (of households or visits) that could not be saved, with why.
    pub failed: Vec<(String, StoreError)>,
}

/// Saves the households and visits of a checked file that `choice` takes: all of them, or
/// none when the storage left cannot hold them all ([`ImportError::NoRoom`]). Visits are
/// planned by the same rule as households ([`exchange::plan`]: a conflict resolved by
/// keeping both keeps the file's visit as a marked copy). (A browser whose real quota is
/// below [`storage::QUOTA_CHARS`] can still fail part-way: those are reported.)
pub fn merge(store: &DraftStore, visits: &DraftStore, checked: &Checked, choice: &MergeChoice) -> Result<MergeReport, ImportError> {
    let now = clock::now_rfc3339();
    let mut new_id = || uuid::Uuid::new_v4().to_string();
    let (here, _) = tablet(store);
    let plan = exchange::plan(&checked.file, &here, &checked.households.preview, choice, &now, &mut new_id);
    let visit_plan = if checked.file.visits.is_empty() {
        Vec::new()
    } else {
        let (here, _) = tablet(visits);
        let f = &checked.file;
        exchange::plan_records(&f.visits, f, &here, &checked.visits.preview, choice, &now, &mut new_id)
    };
    let needed = store.room_needed(&plan) + visits.room_needed(&visit_plan);
    let (used, _) = storage::used_chars();
    let free = (storage::QUOTA_CHARS - used).max(0.0) as usize;
    if needed > free {
        return Err(ImportError::NoRoom { needed, free });
    }
    let mut report = MergeReport::default();
    for (s, records, saved) in [(store, plan, &mut report.saved), (visits, visit_plan, &mut report.saved_visits)] {
        for h in records {
            match s.save(&h) {
                Ok(()) => saved.push(h.id),
                Err(e) => report.failed.push((h.id, e)),
            }
        }
    }
    Ok(report)
}
