//! Before an import changes anything: which households of a file are new, already here
//! and identical, or here in another version (and which version is newer); then the
//! households to save for the user's choice.
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
/// history at `now`.
pub fn plan(file: &[Household], preview: &Preview, choice: MergeChoice, now: &str) -> Vec<Household> {
    preview
        .entries
        .iter()
        .filter(|e| chosen(e.matched, choice))
        .map(|e| {
            let mut h = file[e.index].clone();
            h.history.push(HistoryEntry { at: now.to_string(), event: Event::Imported, reason: None });
            h
        })
        .collect()
}
