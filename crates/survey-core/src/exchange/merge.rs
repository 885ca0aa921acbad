//! Before an import changes anything: which households of a file are new, already here
//! and identical, or here in another version (and which version is newer); then the
//! households to save for the user's choice.
//!
//! [`relate`] is the one merge rule of the kit (the tablet's import and the bureau's intake
//! both use it): whether one version of a household continues another, or the two were
//! edited independently since a common version. The rule, and why, is in
//! `docs/export-format.md` ("Which version continues which").
use std::cmp::Ordering;
use std::collections::HashMap;

use super::time::instant;
use crate::household::{Event, HistoryEntry, Household, Status};

/// How a household of a file compares with the tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Match {
    /// Not on the tablet.
    New,
    /// On the tablet with the same content (export and import stamps aside).
    Identical,
    /// On the tablet with other content; the file's version was modified later.
    FileNewer,
    /// On the tablet with other content; the tablet's version was modified later.
    TabletNewer,
    /// On the tablet with other content, both modified at the same time (or a time that
    /// cannot be compared).
    SameTime,
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
    /// `modified` of the tablet's version, when there is one.
    pub tablet_modified: Option<String>,
}

/// Counts of a preview, by [`Match`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewCounts {
    /// New households.
    pub new: usize,
    /// Already here, identical.
    pub identical: usize,
    /// Here, the file's version is newer.
    pub file_newer: usize,
    /// Here, the tablet's version is newer.
    pub tablet_newer: usize,
    /// Here, different content with the same time.
    pub same_time: usize,
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
                Match::FileNewer => c.file_newer += 1,
                Match::TabletNewer => c.tablet_newer += 1,
                Match::SameTime => c.same_time += 1,
            }
        }
        c
    }
}

/// What the user chose to bring in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeChoice {
    /// Add the new households.
    pub add_new: bool,
    /// Replace the tablet's version where the file's is newer.
    pub take_newer: bool,
    /// Replace the tablet's version even where it is newer or as new (it is lost).
    pub replace_other: bool,
}

impl Default for MergeChoice {
    /// New households and newer versions: never overwrites newer work on the tablet.
    fn default() -> MergeChoice {
        MergeChoice { add_new: true, take_newer: true, replace_other: false }
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
    if content(file) == content(tablet) {
        return Match::Identical;
    }
    match (instant(&file.modified), instant(&tablet.modified)) {
        (Some(f), Some(t)) => match f.cmp(&t) {
            Ordering::Greater => Match::FileNewer,
            Ordering::Less => Match::TabletNewer,
            Ordering::Equal => Match::SameTime,
        },
        _ => Match::SameTime,
    }
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

/// Whether `choice` brings in a household that compares as `m`.
pub fn chosen(m: Match, choice: MergeChoice) -> bool {
    match m {
        Match::New => choice.add_new,
        Match::Identical => false,
        Match::FileNewer => choice.take_newer,
        Match::TabletNewer | Match::SameTime => choice.replace_other,
    }
}

/// The households to save for `choice`, each with an `imported` line added to its
/// history at `now`, recording the `modified` of the version brought in.
pub fn plan(file: &[Household], preview: &Preview, choice: MergeChoice, now: &str) -> Vec<Household> {
    preview
        .entries
        .iter()
        .filter(|e| chosen(e.matched, choice))
        .map(|e| {
            let mut h = file[e.index].clone();
            h.history.push(HistoryEntry { modified: Some(h.modified.clone()), ..HistoryEntry::new(Event::Imported, now) });
            h
        })
        .collect()
}
