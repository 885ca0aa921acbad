//! What the exchange panel does, apart from its view: choosing households, building the
//! export file and the CSV tables, marking households exported, checking an import file
//! and merging it. Everything stored goes through [`DraftStore`].
use std::collections::{BTreeSet, HashMap, HashSet};

use survey_core::envelope::{self, Protection, Routing};
use survey_core::exchange::{
    self, csv_tables, differences, export_file, file_name, preview, to_json, AppInfo, Difference, ExportKind,
    ExportMeta, ImportError, ImportedFile, Match, MergeChoice, Preview,
};
use leptos::prelude::GetUntracked;
use survey_core::{Household, Status};

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

/// The households of the tablet that `scope` takes, oldest first; and how many entries
/// cannot be read.
fn taken(store: &DraftStore, scope: Scope, chosen: &BTreeSet<String>) -> (Vec<Household>, usize) {
    let (all, damaged) = tablet(store);
    (all.into_iter().filter(|h| scope.takes(h.status, &h.id, chosen)).collect(), damaged)
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

/// An export file ready to hand over: its name, its text, and the households it holds,
/// already marked exported (not yet saved: see [`save_marks`]).
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
    /// Entries that cannot be read (not in the file).
    pub damaged: usize,
    /// Milliseconds spent reading the tablet and building the file.
    pub timings: [(&'static str, f64); 2],
}

/// Builds the export file of `scope`; `None` when no household is taken.
pub fn prepare_json(store: &DraftStore, scope: Scope, chosen: &BTreeSet<String>) -> Option<Prepared> {
    let t0 = clock::perf_now();
    let (mut hs, damaged) = taken(store, scope, chosen);
    let t1 = clock::perf_now();
    if hs.is_empty() {
        return None;
    }
    // The tablet's local time: the file's `exported_at` and its name tell the same date.
    let now = clock::now_local_rfc3339();
    for h in &mut hs {
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
    let file = export_file(survey, &hs, &clock::context(), meta);
    let routing = Routing::of_file(&file);
    let text = to_json(&file);
    let name = file_name(survey.id(), &hs, &now, &store.device_id(), scope.kind(), "", "json");
    let t2 = clock::perf_now();
    Some(Prepared { name, text, routing, households: hs, damaged, timings: [("read", t1 - t0), ("build", t2 - t1)] })
}

/// Saves the exported marks; returns the ids that could not be saved, with why.
pub fn save_marks(store: &DraftStore, households: &[Household]) -> Vec<(String, StoreError)> {
    households.iter().filter_map(|h| store.save(h).err().map(|e| (h.id.clone(), e))).collect()
}

/// The two CSV tables of `scope`: `[(name, text); 2]` (households, members); `None` when no
/// household is taken. Nothing is marked: the tables are for looking at, the JSON file is
/// the delivery.
pub fn prepare_csv(store: &DraftStore, scope: Scope, chosen: &BTreeSet<String>) -> Option<[(String, String); 2]> {
    let (hs, _) = taken(store, scope, chosen);
    if hs.is_empty() {
        return None;
    }
    let survey = forms::household();
    let t = csv_tables(survey, &hs, &clock::context());
    let (now, device) = (clock::now_local_rfc3339(), store.device_id());
    Some([
        (file_name(survey.id(), &hs, &now, &device, scope.kind(), "households", "csv"), t.households),
        (file_name(survey.id(), &hs, &now, &device, scope.kind(), "members", "csv"), t.members),
    ])
}

/// A checked import file compared with the tablet.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The file.
    pub file: ImportedFile,
    /// Its households compared with the tablet's.
    pub preview: Preview,
    /// For each conflict, by household id: the answers that differ between the tablet's
    /// version (`held`) and the file's (`incoming`); empty when the tablet's entry cannot be
    /// read.
    pub differences: HashMap<String, Vec<Difference>>,
}

/// Reads and checks a file and compares it with the tablet. Stores nothing.
pub fn check_file(store: &DraftStore, bytes: &[u8]) -> Result<Checked, ImportError> {
    let survey = forms::household();
    let file = exchange::read_file(bytes, survey)?;
    let (here, _) = tablet(store);
    let mut preview = preview(&file.households, &here);
    // A household whose entry here cannot be read cannot be compared: a conflict, replaced
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
            let theirs = &file.households[e.index];
            let d = here.iter().find(|h| h.id == e.id).map(|mine| differences(survey, mine, theirs));
            (e.id.clone(), d.unwrap_or_default())
        })
        .collect();
    Ok(Checked { file, preview, differences })
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Ids saved.
    pub saved: Vec<String>,
    /// Ids that could not be saved, with why.
    pub failed: Vec<(String, StoreError)>,
}

/// Saves the households of a checked file that `choice` takes: all of them, or none when
/// the storage left cannot hold them all ([`ImportError::NoRoom`]). (A browser whose real
/// quota is below [`storage::QUOTA_CHARS`] can still fail part-way: those are reported.)
pub fn merge(store: &DraftStore, checked: &Checked, choice: &MergeChoice) -> Result<MergeReport, ImportError> {
    let now = clock::now_rfc3339();
    let (here, _) = tablet(store);
    let plan = exchange::plan(&checked.file, &here, &checked.preview, choice, &now, &mut || uuid::Uuid::new_v4().to_string());
    let needed = store.room_needed(&plan);
    let (used, _) = storage::used_chars();
    let free = (storage::QUOTA_CHARS - used).max(0.0) as usize;
    if needed > free {
        return Err(ImportError::NoRoom { needed, free });
    }
    let mut report = MergeReport::default();
    for h in plan {
        match store.save(&h) {
            Ok(()) => report.saved.push(h.id),
            Err(e) => report.failed.push((h.id, e)),
        }
    }
    Ok(report)
}
