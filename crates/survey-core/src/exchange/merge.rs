//! Before an import changes anything: which households of a file are new, already here
//! and identical, continue the version here, are older, or conflict with it; then the
//! households to save for the user's choice.
//!
//! [`relate`] is the one merge rule of the kit (the tablet's import and the bureau's intake
//! both use it): whether one version of a household continues another, or the two were
//! edited independently since a common version. The rule, and why, is in
//! `docs/export-format.md` ("Which version continues which").
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::import::ImportedFile;
use super::time::instant;
use crate::answers::FieldPath;
use crate::household::{CopyOf, Event, HistoryEntry, Household, Status};
use crate::survey::{Item, Survey, Text};

/// How a household of a file compares with the tablet (by [`relate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Match {
    /// Not on the tablet.
    New,
    /// On the tablet with the same content (export and import stamps aside).
    Identical,
    /// The file's version continues the tablet's ([`Relation::Continues`]): taken by default.
    Continues,
    /// The file's version is an older one of the tablet's ([`Relation::Superseded`]): the
    /// tablet's is kept.
    Superseded,
    /// Edited independently on the tablet and elsewhere ([`Relation::Independent`]), or the
    /// tablet's entry cannot be read: a conflict, resolved one by one ([`Resolution`]).
    Conflict,
}

impl Match {
    /// The preview category of a relation.
    pub fn of(r: Relation) -> Match {
        match r {
            Relation::Identical => Match::Identical,
            Relation::Continues => Match::Continues,
            Relation::Superseded => Match::Superseded,
            Relation::Independent => Match::Conflict,
        }
    }
}

/// One household of a file in the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewEntry {
    /// Index in [`crate::exchange::ImportedFile::households`].
    pub index: usize,
    /// Household id.
    pub id: String,
    /// How it compares.
    pub matched: Match,
    /// `modified` of the file's version.
    pub file_modified: String,
    /// `modified` of the tablet's version, when there is one that can be read.
    pub tablet_modified: Option<String>,
}

/// Counts of a preview, by [`Match`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewCounts {
    /// New households.
    pub new: usize,
    /// Already here, identical.
    pub identical: usize,
    /// Here; the file's version continues it.
    pub continues: usize,
    /// Here; the file's version is an older one.
    pub superseded: usize,
    /// Here; edited independently (conflicts).
    pub conflict: usize,
}

/// The comparison of a file with the tablet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preview {
    /// One entry per household of the file, in file order.
    pub entries: Vec<PreviewEntry>,
}

impl Preview {
    /// The counts.
    pub fn counts(&self) -> PreviewCounts {
        let mut c = PreviewCounts::default();
        for e in &self.entries {
            match e.matched {
                Match::New => c.new += 1,
                Match::Identical => c.identical += 1,
                Match::Continues => c.continues += 1,
                Match::Superseded => c.superseded += 1,
                Match::Conflict => c.conflict += 1,
            }
        }
        c
    }
}

/// What to do with one conflict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Keep the tablet's version; the file's is not brought in (the file still holds it).
    #[default]
    KeepTablet,
    /// The file's version replaces the tablet's, which is kept as a copy (a new id, marked
    /// [`crate::Household::copy_of`] with `replaced`).
    TakeFile,
    /// Keep the tablet's, and store the file's as a separate copy (a new id, marked
    /// [`crate::Household::copy_of`]).
    KeepBoth,
}

/// What the user chose to bring in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeChoice {
    /// Add the new households.
    pub add_new: bool,
    /// Take the versions that continue the tablet's.
    pub take_newer: bool,
    /// What to do with each conflict, by household id (absent: keep the tablet's).
    pub conflicts: BTreeMap<String, Resolution>,
}

impl Default for MergeChoice {
    /// New households and continuations: never replaces anything the file's version does
    /// not continue.
    fn default() -> MergeChoice {
        MergeChoice { add_new: true, take_newer: true, conflicts: BTreeMap::new() }
    }
}

impl MergeChoice {
    /// The resolution chosen for the conflict on household `id`.
    pub fn resolution(&self, id: &str) -> Resolution {
        self.conflicts.get(id).copied().unwrap_or_default()
    }
}

/// How an incoming version of a household relates to the version already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// Same content (export/import bookkeeping aside).
    Identical,
    /// `incoming` continues `held`: its history extends held's and its content is what that
    /// history explains. Take it; nothing is lost.
    Continues,
    /// `held` continues `incoming`: incoming is an older version of the same line. Keep held.
    Superseded,
    /// Edited independently since a common version: a conflict. Neither may replace the
    /// other silently.
    Independent,
}

impl Relation {
    /// The relation seen from the other side: `relate(a, b).mirror() == relate(b, a)`.
    pub fn mirror(self) -> Relation {
        match self {
            Relation::Continues => Relation::Superseded,
            Relation::Superseded => Relation::Continues,
            r => r,
        }
    }
}

/// How `incoming` (e.g. a file's version of a household) relates to `held` (the version
/// already on the tablet, or at the bureau) of the same household.
///
/// A version's *line* is its history without the `exported` lines (bookkeeping: an export
/// changes neither content nor `modified`) and without the `imported` lines at its end
/// after which it was not changed (a copy brought in and left alone is the version it
/// copied). Within one line the household changes only on one tablet — edits to a draft
/// add no line, but a copy moved to another tablet gets an `imported` line there, which
/// records the `modified` of the version brought in. So `incoming` continues `held` when
/// held's line is a prefix of incoming's and held was not changed after the point where
/// incoming's further history begins:
/// - the lines are equal: held is the earlier (`modified` strictly before incoming's);
/// - the next line of incoming is a local step (finalized, reopened) at time *t*:
///   held's `modified` is not after *t*;
/// - the next line is an `imported` one: held's `modified` is not after the `modified` of
///   the version that import brought in (an import line without it, written by an older
///   kit, cannot tell, and counts as independent).
///
/// Times that cannot be read count as independent. Never panics.
pub fn relate(held: &Household, incoming: &Household) -> Relation {
    if content(held) == content(incoming) {
        Relation::Identical
    } else if descends(incoming, held) {
        Relation::Continues
    } else if descends(held, incoming) {
        Relation::Superseded
    } else {
        Relation::Independent
    }
}

/// `a` is not after `b` (both readable RFC 3339 times).
fn not_after(a: &str, b: &str) -> bool {
    matches!((instant(a), instant(b)), (Some(a), Some(b)) if a <= b)
}

/// The line of a version (see [`relate`]).
fn line(h: &Household) -> Vec<&HistoryEntry> {
    let mut line: Vec<&HistoryEntry> = h.history.iter().filter(|e| e.event != Event::Exported).collect();
    while let Some(last) = line.last() {
        let unchanged_since = last.event == Event::Imported
            && match &last.modified {
                Some(m) => instant(m).is_some() && instant(m) == instant(&h.modified),
                // Older import lines: any change after the import is later than it.
                None => not_after(&h.modified, &last.at),
            };
        if !unchanged_since {
            break;
        }
        line.pop();
    }
    line
}

/// Whether `newer`'s history passed through `older`'s version.
fn descends(newer: &Household, older: &Household) -> bool {
    let (old, new) = (line(older), line(newer));
    if old.len() > new.len() || old[..] != new[..old.len()] {
        return false;
    }
    match new.get(old.len()) {
        None => matches!((instant(&older.modified), instant(&newer.modified)), (Some(o), Some(n)) if o < n),
        Some(next) if next.event == Event::Imported => {
            next.modified.as_deref().is_some_and(|m| not_after(&older.modified, m))
        }
        Some(next) => not_after(&older.modified, &next.at),
    }
}

/// The household as far as comparison goes: export bookkeeping (status exported, export
/// time, export and import lines of the history) does not make two versions different.
fn content(h: &Household) -> Household {
    let mut c = h.clone();
    if c.status == Status::Exported {
        c.status = Status::Finalized;
    }
    c.exported = None;
    c.history.retain(|e| !matches!(e.event, Event::Exported | Event::Imported));
    c
}

/// Compares a file's version of a household with the tablet's.
pub fn compare(file: &Household, tablet: &Household) -> Match {
    Match::of(relate(tablet, file))
}

/// Compares every household of a file with the tablet's households (`tablet`: every
/// readable household stored on the tablet).
pub fn preview(file: &[Household], tablet: &[Household]) -> Preview {
    let stored: HashMap<&str, &Household> = tablet.iter().map(|h| (h.id.as_str(), h)).collect();
    let entries = file
        .iter()
        .enumerate()
        .map(|(index, h)| {
            let here = stored.get(h.id.as_str());
            PreviewEntry {
                index,
                id: h.id.clone(),
                matched: here.map_or(Match::New, |t| compare(h, t)),
                file_modified: h.modified.clone(),
                tablet_modified: here.map(|t| t.modified.clone()),
            }
        })
        .collect();
    Preview { entries }
}

/// Whether `choice` brings in (or keeps a copy of) the file's version of `e`.
pub fn chosen(e: &PreviewEntry, choice: &MergeChoice) -> bool {
    match e.matched {
        Match::New => choice.add_new,
        Match::Identical | Match::Superseded => false,
        Match::Continues => choice.take_newer,
        Match::Conflict => choice.resolution(&e.id) != Resolution::KeepTablet,
    }
}

/// The households to save for `choice`, each brought in with an `imported` line added to
/// its history at `now`, recording the `modified` of the version brought in. Nothing is
/// lost in a conflict: kept both ways, the file's version gets a new id from `new_id` and
/// says whose copy it is ([`CopyOf`]); taken, the tablet's version (from `tablet`, every
/// readable household on it) is saved as such a copy before the file's takes its place.
pub fn plan(
    file: &ImportedFile,
    tablet: &[Household],
    preview: &Preview,
    choice: &MergeChoice,
    now: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Vec<Household> {
    plan_records(&file.households, file, tablet, preview, choice, now, new_id)
}

/// [`plan`] for other records of `file` than its households — its visits — previewed
/// against the tablet's records of the same kind (`tablet`).
pub fn plan_records(
    records: &[Household],
    file: &ImportedFile,
    tablet: &[Household],
    preview: &Preview,
    choice: &MergeChoice,
    now: &str,
    new_id: &mut dyn FnMut() -> String,
) -> Vec<Household> {
    let mut out = Vec::new();
    for e in preview.entries.iter().filter(|e| chosen(e, choice)) {
        let mut h = records[e.index].clone();
        h.history.push(HistoryEntry { modified: Some(h.modified.clone()), ..HistoryEntry::new(Event::Imported, now) });
        let copy_of = |replaced: bool| CopyOf {
            id: e.id.clone(),
            file_exported_at: file.exported_at.clone(),
            file_device: file.device.clone(),
            replaced,
        };
        if e.matched == Match::Conflict {
            match choice.resolution(&e.id) {
                Resolution::KeepBoth => {
                    h.id = new_id();
                    h.copy_of = Some(copy_of(false));
                }
                Resolution::TakeFile => {
                    if let Some(mine) = tablet.iter().find(|t| t.id == e.id) {
                        out.push(Household { id: new_id(), copy_of: Some(copy_of(true)), ..mine.clone() });
                    }
                }
                Resolution::KeepTablet => {}
            }
        }
        out.push(h);
    }
    out
}

/// One question whose answer differs between two versions of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where.
    pub path: FieldPath,
    /// The question (its label; the field name when the survey has no label for it).
    pub question: Text,
    /// For a field inside a repeat: the repeat's label and the member's number (1-based).
    pub member: Option<(Text, usize)>,
    /// The answer of the first version as shown (choice labels for choices); `None`: none.
    pub held: Option<Text>,
    /// The answer of the second version as shown; `None`: none.
    pub incoming: Option<Text>,
}

/// The questions whose stored answers differ between `held` and `incoming`, in form order
/// (fields the survey does not know last, by name), with the survey's labels.
pub fn differences(survey: &Survey, held: &Household, incoming: &Household) -> Vec<Difference> {
    let (a, b) = (&held.record.answers, &incoming.record.answers);
    let order = |name: &str| (survey.find(name).map_or(usize::MAX, |it| it.id.index()), name.to_string());
    let mut out = Vec::new();
    let mut top: Vec<&String> = a.values.keys().chain(b.values.keys()).collect::<BTreeSet<_>>().into_iter().collect();
    crate::sort::sort_by_key(&mut top, |n| order(n));
    let mut repeats: Vec<&String> = a.repeats.keys().chain(b.repeats.keys()).collect::<BTreeSet<_>>().into_iter().collect();
    crate::sort::sort_by_key(&mut repeats, |n| order(n));
    let mut push = |path: FieldPath, member: Option<(Text, usize)>, x: Option<&String>, y: Option<&String>| {
        if x != y {
            let item = survey.find(&path.field);
            let question = item.and_then(|it| it.label.clone()).unwrap_or_else(|| plain(&path.field));
            let shown = |v: &String| item.map_or_else(|| plain(v), |it| shown_value(survey, it, v));
            out.push(Difference { path, question, member, held: x.map(shown), incoming: y.map(shown) });
        }
    };
    for name in top {
        push(FieldPath::top(name), None, a.values.get(name), b.values.get(name));
    }
    for r in repeats {
        let (ma, mb) = (a.members(r), b.members(r));
        let label = survey.find(r).and_then(|it| it.label.clone()).unwrap_or_else(|| plain(r));
        for i in 0..ma.len().max(mb.len()) {
            let (va, vb) = (ma.get(i), mb.get(i));
            let mut names: Vec<&String> =
                va.into_iter().chain(vb).flat_map(|m| m.keys()).collect::<BTreeSet<_>>().into_iter().collect();
            crate::sort::sort_by_key(&mut names, |n| order(n));
            for n in names {
                push(
                    FieldPath::member(r, i, n),
                    Some((label.clone(), i + 1)),
                    va.and_then(|m| m.get(n)),
                    vb.and_then(|m| m.get(n)),
                );
            }
        }
    }
    out
}

fn plain(s: &str) -> Text {
    Text { zh: s.to_string(), ii: s.to_string() }
}

/// A stored answer as a person reads it: choice labels (in both languages) for choice
/// questions, the text itself otherwise.
fn shown_value(survey: &Survey, item: &Item, v: &str) -> Text {
    let choices = survey.choices(item);
    if choices.is_empty() {
        return plain(v);
    }
    let labels: Vec<Text> = v
        .split_whitespace()
        .map(|name| choices.iter().find(|c| c.name == name).map_or_else(|| plain(name), |c| c.label.clone()))
        .collect();
    let join = |f: fn(&Text) -> &str| labels.iter().map(f).collect::<Vec<_>>().join("、");
    Text { zh: join(|t| &t.zh), ii: join(|t| if t.ii.is_empty() { &t.zh } else { &t.ii }) }
}
