//! [`DraftStore`]: every household on this tablet, in browser storage, through
//! [`crate::storage`] (the only code that touches it).
//!
//! - Households are stored one per key in the compact form of
//!   [`survey_core::compact`] (about 1,500 UTF-16 units for 5 members fully answered,
//!   against 3,700 for plain JSON), with the schema stored once; plain JSON households
//!   (written by hand, or by an older kit) are read too.
//! - A summary per household (`lsk:s:<id>`) makes the home list cheap; a missing or
//!   unreadable summary is rebuilt from the household. While a household is edited its
//!   summary is written again only when the list would show something else: the stored
//!   `modified` is exact to the minute, which is what the list shows.
//! - A write that fails (storage full above all) changes nothing stored: the household
//!   stays in memory (and in `sessionStorage` where there is room, so a reload keeps it),
//!   is listed as unsaved, and is written by the next change or the retry timer.
//! - Writes of a household being edited are compare-and-swap against what this tab last
//!   read or wrote, so a change made meanwhile by another tab is never silently overwritten.
//!   While storage holds exactly what this tab last wrote, the check is one comparison in
//!   the browser (the stored string against the one written), with nothing copied. When
//!   another tab wrote meanwhile, the two versions are merged question by question
//!   ([`survey_core::concurrent`]); answers both tabs changed differently keep the stored
//!   tab's value, and the writing tab keeps its whole version as its own conflict copy
//!   (`lsk:c:<id>@<tab>`): every keystroke of every tab is stored somewhere the
//!   enumerator sees (the list's conflict badge, the household page).
//! - A summary records the fingerprint of the household text it was made from; when the
//!   list is read from storage (at start), a household whose text has another fingerprint
//!   is read itself: an entry damaged after its summary was written is listed as damaged.
//! - An entry that cannot be read is listed as damaged with its raw text, never dropped.
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use survey_core::checks::EnumeratorProfile;
use survey_core::compact::{self, Schema};
use survey_core::forms::Role;
use survey_core::media;
use survey_core::{Evaluation, HistoryEntry, Household, SectionState, Status, Survey};

use crate::i18n::Bi;
use crate::storage::{self, WriteError};
use crate::{clock, forms, tr};

/// Why a storage operation failed. Every variant has a bilingual message ([`StoreError::text`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Browser storage is full (`QuotaExceededError`).
    Quota,
    /// Browser storage is switched off or blocked.
    Unavailable,
    /// No household with this id.
    NotFound,
    /// The stored entry cannot be read (the reason, for the log).
    Damaged(String),
    /// Another tab changed the household since this tab last read or wrote it.
    Conflict,
    /// Any other browser error (name and message, for the log).
    Other(String),
}

impl StoreError {
    /// A stable code (tests and logs).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Quota => "quota",
            StoreError::Unavailable => "unavailable",
            StoreError::NotFound => "not_found",
            StoreError::Damaged(_) => "damaged",
            StoreError::Conflict => "conflict",
            StoreError::Other(_) => "other",
        }
    }

    /// What to tell the enumerator, in both languages.
    pub fn text(&self) -> Bi {
        match self {
            StoreError::Quota => tr!(drafts.error.quota),
            StoreError::Unavailable => tr!(drafts.error.unavailable),
            StoreError::NotFound => tr!(drafts.error.not_found),
            StoreError::Damaged(_) => tr!(drafts.error.damaged),
            StoreError::Conflict => tr!(drafts.error.conflict),
            StoreError::Other(_) => tr!(drafts.error.other),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Damaged(why) | StoreError::Other(why) => write!(f, "{}: {why}", self.code()),
            _ => f.write_str(self.code()),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<WriteError> for StoreError {
    fn from(e: WriteError) -> StoreError {
        match e {
            WriteError::Quota => StoreError::Quota,
            WriteError::Unavailable => StoreError::Unavailable,
            WriteError::Other(s) => StoreError::Other(s),
        }
    }
}

/// A stored entry that cannot be read: its key and raw text, kept for export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// The storage key (`lsk:h:<id>`).
    pub key: String,
    /// The raw stored text.
    pub raw: String,
    /// Why it cannot be read (for the log and the export file).
    pub reason: String,
}

impl Damaged {
    /// The household (or visit) id of the key.
    pub fn id(&self) -> &str {
        [storage::HOUSEHOLD_PREFIX, storage::VISIT_PREFIX]
            .iter()
            .find_map(|p| self.key.strip_prefix(p))
            .unwrap_or(&self.key)
    }

    /// A JSON document with everything needed to recover the entry by hand: key, raw
    /// text, reason, and the schema a compact entry names (when stored).
    pub fn export_json(&self) -> String {
        let schema = compact::schema_id(&self.raw)
            .and_then(|id| storage::get_raw(&format!("{}{id}", storage::SCHEMA_PREFIX)).ok().flatten());
        serde_json::to_string_pretty(&serde_json::json!({
            "kind": "liangshan-survey damaged entry",
            "key": self.key,
            "reason": self.reason,
            "raw": self.raw,
            "schema": schema,
        }))
        .expect("strings serialise")
    }
}

/// One line of the home list: what the list shows of a household without reading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdSummary {
    /// Household id.
    pub id: String,
    /// Head of household (`head_name`).
    #[serde(default)]
    pub head_name: String,
    /// Village (choice name, `village`).
    #[serde(default)]
    pub village: String,
    /// Village name typed when the village is "other" (`village_other`).
    #[serde(default)]
    pub village_other: String,
    /// Village group (choice name, `village_group`; or `group_other`).
    #[serde(default)]
    pub group: String,
    /// Lifecycle status.
    #[serde(default)]
    pub status: Status,
    /// Relevant sections complete.
    #[serde(default)]
    pub sections_complete: u32,
    /// Relevant sections.
    #[serde(default)]
    pub sections: u32,
    /// Relevant input fields answered.
    #[serde(default)]
    pub answered: u32,
    /// Relevant input fields.
    #[serde(default)]
    pub fields: u32,
    /// Errors (missing required answers included).
    #[serde(default)]
    pub errors: u32,
    /// Warnings not acknowledged.
    #[serde(default)]
    pub warnings: u32,
    /// Answers to fields the current survey does not have (kept).
    #[serde(default)]
    pub foreign: u32,
    /// Survey version the household was started with.
    #[serde(default)]
    pub survey_version: String,
    /// Started (RFC 3339).
    #[serde(default)]
    pub created: String,
    /// Last change (RFC 3339).
    #[serde(default)]
    pub modified: String,
    /// Lifecycle history.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// On a copy kept on import ("keep both"): the id of the household it is a version of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_of: Option<String>,
    /// ID number (`id_number`) of the roster member whose relation is the head (search).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub head_id: String,
    /// On a visit: the id of the household visited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<String>,
    /// On a visit: its date (`visit_date`, `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visit_date: String,
    /// On a visit: home visit or phone call (choice name, `visit_mode`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visit_mode: String,
    /// On a visit: who was met or called (`met_whom`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub met_whom: String,
    /// On a visit: the cadre (`cadre_name`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cadre_name: String,
    /// What the summary holds ([`SUMMARY_FORMAT`]); a stored summary of an older format
    /// (before `head_id`) gets it from its household when next read.
    #[serde(default)]
    pub format: u32,
    /// Fingerprint of the stored household text this summary was made from
    /// ([`compact::fingerprint`]; empty: not known). When the stored text has another one,
    /// the list reads the text itself (and finds it damaged, or makes the summary again).
    #[serde(default)]
    pub fingerprint: String,
    /// The entry cannot be read (not stored; set by [`DraftStore::list`]).
    #[serde(skip)]
    pub damaged: bool,
    /// Its latest version is only in memory: storage was full (not stored).
    #[serde(skip)]
    pub unsaved: bool,
    /// Another tab changed it while this one was editing; a copy waits for a choice.
    #[serde(skip)]
    pub conflict: bool,
}

/// The format of [`HouseholdSummary`] this kit writes.
pub const SUMMARY_FORMAT: u32 = 1;

/// The summary of a visit: the same type, with the visit's fields (`visit_date`,
/// `visit_mode`, `met_whom`, `cadre_name`, `household_id`) filled in.
pub type VisitSummary = HouseholdSummary;

impl HouseholdSummary {
    /// The summary of a household for the shipped survey.
    pub fn of(h: &Household) -> HouseholdSummary {
        HouseholdSummary::of_role(Role::Household, h)
    }

    /// The summary of a record of `role` (a household, or a visit) for its shipped form.
    pub fn of_role(role: Role, h: &Household) -> HouseholdSummary {
        let ev = survey_of(role).map(|survey| survey.evaluate_record(&h.record, &clock::context()));
        HouseholdSummary::summarize(role, h, ev.as_ref())
    }

    /// The summary of a household from its evaluation by the shipped survey (the one an
    /// open form already made).
    pub fn evaluated(h: &Household, ev: &Evaluation) -> HouseholdSummary {
        HouseholdSummary::summarize(Role::Household, h, Some(ev))
    }

    /// The summary of a record of `role` from its evaluation (`None`: no form to evaluate
    /// it by, the counts stay 0).
    fn summarize(role: Role, h: &Household, ev: Option<&Evaluation>) -> HouseholdSummary {
        let (mut sections, mut sections_complete, mut answered, mut fields) = (0, 0, 0, 0);
        for (_, st) in ev.into_iter().flat_map(Evaluation::sections) {
            if st.state == SectionState::NotRelevant {
                continue;
            }
            sections += 1;
            sections_complete += u32::from(st.state == SectionState::Complete);
            answered += st.answered;
            fields += st.fields;
        }
        let get = |f: &str| h.record.answers.values.get(f).cloned().unwrap_or_default();
        let group = match get("village_group") {
            g if g.is_empty() => get("group_other"),
            g => g,
        };
        HouseholdSummary {
            id: h.id.clone(),
            head_name: get("head_name"),
            village: get("village"),
            village_other: get("village_other"),
            group,
            status: h.status,
            sections_complete,
            sections,
            answered,
            fields,
            errors: ev.map_or(0, |ev| ev.errors().count() as u32),
            warnings: ev.map_or(0, |ev| ev.unacknowledged_warnings().count() as u32),
            foreign: schema_of(role).unknown_fields(&h.record.answers).len() as u32,
            survey_version: h.survey_version.clone(),
            created: h.created.clone(),
            modified: h.modified.clone(),
            history: h.history.clone(),
            copy_of: h.copy_of.as_ref().map(|c| c.id.clone()),
            head_id: head_id(h),
            household_id: h.household_id.clone(),
            visit_date: get("visit_date"),
            visit_mode: get("visit_mode"),
            met_whom: get("met_whom"),
            cadre_name: get("cadre_name"),
            format: SUMMARY_FORMAT,
            fingerprint: String::new(),
            damaged: false,
            unsaved: false,
            conflict: false,
        }
    }

    fn damaged(id: &str) -> HouseholdSummary {
        HouseholdSummary {
            id: id.to_string(),
            head_name: String::new(),
            village: String::new(),
            village_other: String::new(),
            group: String::new(),
            status: Status::Draft,
            sections_complete: 0,
            sections: 0,
            answered: 0,
            fields: 0,
            errors: 0,
            warnings: 0,
            foreign: 0,
            survey_version: String::new(),
            created: String::new(),
            modified: String::new(),
            history: Vec::new(),
            copy_of: None,
            head_id: String::new(),
            household_id: None,
            visit_date: String::new(),
            visit_mode: String::new(),
            met_whom: String::new(),
            cadre_name: String::new(),
            format: SUMMARY_FORMAT,
            fingerprint: String::new(),
            damaged: true,
            unsaved: false,
            conflict: false,
        }
    }

    /// Whether the home list shows the same for both: equal but for `modified` within the
    /// same minute (the list shows the minute) and for the fingerprint (a stale one costs
    /// one read of the household when the list is next read from storage, not a write of
    /// the summary with every keystroke).
    fn lists_as(&self, other: &HouseholdSummary) -> bool {
        // Every field is named, so a field added to the summary must be added here too.
        let HouseholdSummary {
            id,
            head_name,
            village,
            village_other,
            group,
            status,
            sections_complete,
            sections,
            answered,
            fields,
            errors,
            warnings,
            foreign,
            survey_version,
            created,
            modified,
            history,
            copy_of,
            head_id,
            household_id,
            visit_date,
            visit_mode,
            met_whom,
            cadre_name,
            format,
            fingerprint: _,
            damaged,
            unsaved,
            conflict,
        } = self;
        super::same_minute(modified, &other.modified)
            && *id == other.id
            && *head_name == other.head_name
            && *village == other.village
            && *village_other == other.village_other
            && *group == other.group
            && *status == other.status
            && *sections_complete == other.sections_complete
            && *sections == other.sections
            && *answered == other.answered
            && *fields == other.fields
            && *errors == other.errors
            && *warnings == other.warnings
            && *foreign == other.foreign
            && *survey_version == other.survey_version
            && *created == other.created
            && *history == other.history
            && *copy_of == other.copy_of
            && *head_id == other.head_id
            && *household_id == other.household_id
            && *visit_date == other.visit_date
            && *visit_mode == other.visit_mode
            && *met_whom == other.met_whom
            && *cadre_name == other.cadre_name
            && *format == other.format
            && *damaged == other.damaged
            && *unsaved == other.unsaved
            && *conflict == other.conflict
    }

    /// The sort key of a visit list: newest visit first (`visit_date`, then `modified`).
    pub fn newest_visit_first(a: &VisitSummary, b: &VisitSummary) -> std::cmp::Ordering {
        b.visit_date.cmp(&a.visit_date).then_with(|| b.modified.cmp(&a.modified)).then_with(|| a.id.cmp(&b.id))
    }

    /// Share of relevant input fields answered, 0–100.
    pub fn percent(&self) -> u32 {
        (self.answered * 100).checked_div(self.fields).unwrap_or(0)
    }
}

/// What became of an autosave.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveOutcome {
    /// Stored (or nothing to store).
    Saved,
    /// Not stored (storage full, or another failure): kept in memory and retried.
    Unsaved(StoreError),
    /// Another tab changed the stored household since this tab last read or wrote it, on
    /// other questions: both versions were merged and stored. Holds the merged version
    /// (the editor shows it from now on).
    Merged(Box<Household>),
    /// Another tab changed the stored household since this tab last read or wrote it, and
    /// changed some of the same answers differently (or deleted it): this tab's version
    /// is not stored (its answers on other questions are, merged). Holds the stored
    /// version (`None`: the other tab deleted it) and its raw text.
    Conflict(Option<Box<Household>>, Option<String>),
}

/// The ID number of the household's head: `id_number` of the first roster member whose
/// relation is `head` (blank when none).
fn head_id(h: &Household) -> String {
    h.record
        .answers
        .members("members")
        .iter()
        .find(|m| m.get("relation").is_some_and(|r| r == "head"))
        .and_then(|m| m.get("id_number").cloned())
        .unwrap_or_default()
}

/// The shipped form of `role` (`None`: the published forms have no visit form).
pub fn survey_of(role: Role) -> Option<&'static Survey> {
    match role {
        Role::Household => Some(forms::household()),
        Role::Visit => forms::visit(),
    }
}

/// The storage keys of one kind of record (see [`crate::storage`]).
struct Keys {
    record: &'static str,
    summary: &'static str,
    conflict: &'static str,
    pending: &'static str,
    trash: &'static str,
}

fn keys_of(role: Role) -> &'static Keys {
    match role {
        Role::Household => &Keys {
            record: storage::HOUSEHOLD_PREFIX,
            summary: storage::SUMMARY_PREFIX,
            conflict: storage::CONFLICT_PREFIX,
            pending: storage::PENDING_PREFIX,
            trash: storage::TRASH_KEY,
        },
        Role::Visit => &Keys {
            record: storage::VISIT_PREFIX,
            summary: storage::VISIT_SUMMARY_PREFIX,
            conflict: storage::VISIT_CONFLICT_PREFIX,
            pending: storage::VISIT_PENDING_PREFIX,
            trash: storage::VISIT_TRASH_KEY,
        },
    }
}

/// The keys of every kind of record (photo references are counted over all of them).
const ROLES: [Role; 2] = [Role::Household, Role::Visit];

thread_local! {
    static CURRENT: Rc<Schema> = Rc::new(Schema::of(forms::household()));
    /// The visit form's compact-form schema (the household one when there is no visit form:
    /// then no visit is written by this kit).
    static VISIT: Rc<Schema> = forms::visit().map_or_else(current_schema, |v| Rc::new(Schema::of(v)));
    static SCHEMAS: RefCell<HashMap<String, Rc<Schema>>> = RefCell::new(HashMap::new());
    /// Schemas known to be stored, by id.
    static SCHEMA_STORED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    static DEVICE: RefCell<Option<String>> = const { RefCell::new(None) };
    static PERSIST_ASKED: RefCell<bool> = const { RefCell::new(false) };
    static TAB: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The compact-form schema of the shipped survey.
pub fn current_schema() -> Rc<Schema> {
    CURRENT.with(Rc::clone)
}

/// The compact-form schema of the shipped form of `role`.
pub fn schema_of(role: Role) -> Rc<Schema> {
    match role {
        Role::Household => current_schema(),
        Role::Visit => VISIT.with(Rc::clone),
    }
}

fn schema_for(id: &str) -> Result<Rc<Schema>, String> {
    for current in ROLES.map(schema_of) {
        if id == current.id() {
            return Ok(current);
        }
    }
    if let Some(s) = SCHEMAS.with(|m| m.borrow().get(id).cloned()) {
        return Ok(s);
    }
    let key = format!("{}{id}", storage::SCHEMA_PREFIX);
    let raw = storage::get_raw(&key).map_err(|e| format!("{e:?}"))?.ok_or_else(|| format!("schema {id} missing"))?;
    let schema = Schema::from_json(&raw).map_err(|e| e.to_string())?;
    if schema.id() != id {
        return Err(format!("schema {id} damaged"));
    }
    let schema = Rc::new(schema);
    SCHEMAS.with(|m| m.borrow_mut().insert(id.to_string(), schema.clone()));
    Ok(schema)
}

/// Reads a stored household text: the compact form, or plain JSON.
pub fn decode(raw: &str) -> Result<Household, String> {
    if compact::is_compact(raw) {
        let id = compact::schema_id(raw).ok_or("no schema id")?;
        let schema = schema_for(id)?;
        compact::decode(raw, &schema).map_err(|e| e.to_string())
    } else {
        serde_json::from_str(raw).map_err(|e| e.to_string())
    }
}

/// The household id of a conflict-copy key (without its prefix).
fn copy_household(rest: &str) -> &str {
    rest.rsplit_once('@').map_or(rest, |(id, _)| id)
}

/// This tab's id (a UUID kept in `sessionStorage`, so a reload of the tab keeps it; every
/// tab has its own).
pub fn tab_id() -> String {
    TAB.with(|t| {
        if let Some(id) = t.borrow().clone() {
            return id;
        }
        let id = storage::session_get(storage::TAB_KEY)
            .filter(|s| uuid::Uuid::parse_str(s).is_ok())
            .unwrap_or_else(|| {
                let id = uuid::Uuid::new_v4().to_string();
                let _ = storage::session_set(storage::TAB_KEY, &id);
                id
            });
        *t.borrow_mut() = Some(id.clone());
        id
    })
}

#[derive(Serialize, Deserialize)]
struct Trash {
    id: String,
    at: String,
}

/// A version of a household not yet stored, and the stored text it replaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsaved {
    /// The household as edited.
    pub household: Household,
    /// The stored text the edit started from (`None`: new household).
    pub base: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PendingMirror {
    base: Option<String>,
    household: String,
}

/// Whether `theirs` holds every change `mine` made since `anchor`: their merge adds nothing
/// to `theirs`, and an answer both changed is one `theirs` went on typing from (it
/// contains this tab's answer), as when another tab took this tab's version and typed on.
fn includes(anchor: &Household, mine: &Household, theirs: &Household) -> bool {
    let m = survey_core::concurrent::merge(anchor, mine, theirs);
    let went_on = m.clashes.iter().all(|c| {
        c.parse::<survey_core::FieldPath>().is_ok_and(|p| {
            let ours = mine.record.answers.get(&p);
            !ours.is_empty() && theirs.record.answers.get(&p).contains(ours)
        })
    });
    if !went_on {
        return false;
    }
    let mut merged = m.household;
    merged.modified = theirs.modified.clone();
    merged == *theirs
}

/// Storage of every household on this tablet (context type, `Copy`). See the module docs.
/// The same store keeps the visit log under its own keys ([`DraftStore::for_role`],
/// [`crate::drafts::VisitStore`]): every method works on its role's keys and form.
#[derive(Clone, Copy)]
pub struct DraftStore {
    /// What it stores: households, or visits.
    role: Role,
    /// Bumped on every change (by this tab or another): lists that read it refresh.
    pub revision: RwSignal<u64>,
    /// The last failure to store something; cleared by the next successful write.
    pub problem: RwSignal<Option<StoreError>>,
    /// Households whose latest version is only in memory (storage full), by id.
    pub unsaved: RwSignal<BTreeMap<String, Unsaved>>,
    /// Bumped when unsaved households should be retried (timer, page hidden, retry
    /// button): an open editor retries its own.
    pub retry: RwSignal<u64>,
    /// Answer of `navigator.storage.persist()`, once asked (on the first save).
    pub persisted: RwSignal<Option<bool>>,
    /// What this tab last read or wrote per household (compare-and-swap base).
    known: StoredValue<HashMap<String, Known>, LocalStorage>,
    /// Households open in an editor of this tab (their retries are the editor's).
    open: StoredValue<HashSet<String>>,
    /// In-memory copy of the index (summaries, conflict copies): read once, kept current by
    /// this tab's writes, dropped on any change by another tab and on deletes.
    index: StoredValue<Option<Index>>,
}

/// The compare-and-swap base of one household.
struct Known {
    /// The stored text this tab last read or wrote (`None`: absent).
    text: Option<String>,
    /// The same text as the browser holds it, when this tab wrote it last: storage still
    /// holding exactly this string means nobody wrote the key since.
    written: Option<storage::StoredText>,
    /// The summary this tab stored with it (`None`: not stored).
    summary: Option<HouseholdSummary>,
    /// The last version written by someone else that this tab built on (read, taken or
    /// merged in): this tab's own changes are those since it. `localStorage` is not one
    /// store shared by the tabs but a copy per browser process, kept in step after the
    /// fact, so another tab may write over this tab's last version without having seen
    /// it; then this tab's changes since the anchor are merged in again.
    anchor: Option<String>,
    /// When this tab last wrote it (`performance.now()`, ms; 0: never).
    written_at: f64,
}

/// Time for a write of one tab to reach the other tabs' copies of `localStorage`, with a
/// margin (Chromium: a few milliseconds between processes): a write of another tab coming
/// later than this after this tab's last write was made seeing it. Within it, another
/// tab's version is checked against this tab's changes (and merged again when it lacks
/// them); after it, one tab editing after the other is simply followed.
const SEEN_AFTER_MS: f64 = 300.0;

impl Known {
    fn read(text: Option<String>) -> Known {
        Known { anchor: text.clone(), text, written: None, summary: None, written_at: 0.0 }
    }
}

#[derive(Clone, Default)]
struct Index {
    summaries: BTreeMap<String, HouseholdSummary>,
    conflicts: HashSet<String>,
}

impl DraftStore {
    fn keys(&self) -> &'static Keys {
        keys_of(self.role)
    }

    /// What this store holds: households, or visits.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The shipped form of this store's records (`None`: a visit store without a visit form).
    pub fn survey(&self) -> Option<&'static Survey> {
        survey_of(self.role)
    }

    /// The compact-form schema of this store's records.
    pub fn schema(&self) -> Rc<Schema> {
        schema_of(self.role)
    }

    /// The storage key of record `id` (`lsk:h:<id>`, `lsk:v:<id>`).
    pub fn key(&self, id: &str) -> String {
        format!("{}{id}", self.keys().record)
    }

    /// The prefix of the conflict-copy keys of record `id`, any tab's.
    pub fn copies_prefix(&self, id: &str) -> String {
        format!("{}{id}", self.keys().conflict)
    }

    fn skey(&self, id: &str) -> String {
        format!("{}{id}", self.keys().summary)
    }

    /// Key of this tab's conflict copy of record `id`: `lsk:c:<id>@<tab>` (a copy belongs
    /// to the tab that wrote it; `lsk:c:<id>` alone is an older kit's copy).
    fn ckey(&self, id: &str) -> String {
        format!("{}{id}@{}", self.keys().conflict, tab_id())
    }

    /// Every conflict-copy key of record `id`, any tab's.
    fn copy_keys(&self, id: &str) -> Vec<String> {
        let prefix = self.keys().conflict;
        storage::keys()
            .into_iter()
            .filter(|k| k.strip_prefix(prefix).is_some_and(|rest| copy_household(rest) == id))
            .collect()
    }

    fn pkey(&self, id: &str) -> String {
        format!("{}{id}", self.keys().pending)
    }
}

impl DraftStore {
    /// A store of households without listeners (see [`DraftStore::provide`]).
    pub fn new() -> DraftStore {
        DraftStore::for_role(Role::Household)
    }

    /// A store of the records of `role` without listeners.
    pub fn for_role(role: Role) -> DraftStore {
        let store = DraftStore {
            role,
            revision: RwSignal::new(0),
            problem: RwSignal::new(None),
            unsaved: RwSignal::new(BTreeMap::new()),
            retry: RwSignal::new(0),
            persisted: RwSignal::new(None),
            known: StoredValue::new_local(HashMap::new()),
            open: StoredValue::new(HashSet::new()),
            index: StoredValue::new(None),
        };
        store.restore_pending();
        store
    }

    /// Creates the store, provides it as context, follows other tabs' changes and retries
    /// unsaved households every 5 seconds and when the page is hidden.
    pub fn provide() -> DraftStore {
        let store = DraftStore::new();
        provide_context(store);
        store.follow();
        store
    }

    /// Follows other tabs' changes of this store's keys and retries unsaved records every
    /// 5 seconds and when the page is hidden (until the owner is cleaned up).
    pub fn follow(self) {
        let store = self;
        let keys = self.keys();
        let listener = storage::on_change(move |change| {
            let Some(key) = change.key.as_deref() else {
                // The whole storage was cleared.
                store.invalidate();
                store.bump();
                return;
            };
            let id = [keys.record, keys.summary]
                .iter()
                .find_map(|p| key.strip_prefix(p));
            if let Some(id) = id {
                // One household changed: only its line of the index is read again.
                store.refresh(id, false);
                store.bump();
            } else if let Some(rest) = key.strip_prefix(keys.conflict) {
                store.refresh(copy_household(rest), true);
                store.bump();
            } else if key == keys.trash {
                store.invalidate();
                store.bump();
            }
        });
        let retry = set_interval_with_handle(move || store.retry_unsaved(), std::time::Duration::from_secs(5)).ok();
        let hide = window_event_listener_untyped("pagehide", move |_| store.retry_unsaved());
        let unload = window_event_listener_untyped("beforeunload", move |e| {
            // Leaving now would lose answers that storage had no room for: ask first.
            if !store.unsaved.with_untracked(BTreeMap::is_empty) {
                e.prevent_default();
                let _ = js_sys::Reflect::set(&e, &"returnValue".into(), &"".into());
            }
        });
        on_cleanup(move || {
            listener.remove();
            hide.remove();
            unload.remove();
            if let Some(r) = retry {
                r.clear();
            }
        });
    }

    /// The store from context, or a new one provided there.
    pub fn use_context() -> DraftStore {
        use_context::<DraftStore>().unwrap_or_else(DraftStore::provide)
    }

    fn bump(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// Drops the in-memory index: the next list reads storage again.
    fn invalidate(&self) {
        self.index.set_value(None);
    }

    /// Reads what another tab changed of household `id` into the in-memory index again
    /// (when there is one): its summary, or (`copy`) whether it has conflict copies.
    fn refresh(&self, id: &str, copy: bool) {
        if self.index.with_value(Option::is_none) {
            return;
        }
        if copy {
            let any = !self.copy_keys(id).is_empty();
            self.index.update_value(|index| {
                if let Some(index) = index {
                    if any {
                        index.conflicts.insert(id.to_string());
                    } else {
                        index.conflicts.remove(id);
                    }
                }
            });
            return;
        }
        let summary = storage::has(&self.key(id)).unwrap_or(false).then(|| self.summary(id, false));
        self.index.update_value(|index| {
            let Some(index) = index else { return };
            match summary {
                Some(s) => index.summaries.insert(id.to_string(), s),
                None => index.summaries.remove(id),
            };
        });
    }

    fn read_index(&self) -> Index {
        let mut index = Index::default();
        for k in storage::keys() {
            if let Some(id) = k.strip_prefix(self.keys().record) {
                index.summaries.insert(id.to_string(), self.summary(id, true));
            } else if let Some(rest) = k.strip_prefix(self.keys().conflict) {
                index.conflicts.insert(copy_household(rest).to_string());
            }
        }
        index
    }

    /// Summaries of every household (not the one in the trash), newest change first.
    /// Reads only the index, except for a household whose summary is missing.
    pub fn list(&self) -> Vec<HouseholdSummary> {
        let started = clock::perf_now();
        if self.index.with_value(Option::is_none) {
            let index = self.read_index();
            self.index.set_value(Some(index));
        }
        let trash = self.trash();
        let unsaved = self.unsaved.get_untracked();
        let mut out: Vec<HouseholdSummary> = self.index.with_value(|index| {
            let index = index.as_ref().expect("read above");
            let mut out = Vec::with_capacity(index.summaries.len() + unsaved.len());
            for (id, s) in &index.summaries {
                if trash.as_deref() == Some(id.as_str()) {
                    continue;
                }
                let mut s = match unsaved.get(id) {
                    Some(u) => HouseholdSummary::of_role(self.role, &u.household),
                    None => s.clone(),
                };
                s.unsaved = unsaved.contains_key(id);
                s.conflict = index.conflicts.contains(id);
                out.push(s);
            }
            for (id, u) in &unsaved {
                if !index.summaries.contains_key(id) && trash.as_deref() != Some(id.as_str()) {
                    let mut s = HouseholdSummary::of_role(self.role, &u.household);
                    s.unsaved = true;
                    out.push(s);
                }
            }
            out
        });
        survey_core::sort::sort_by(&mut out, |a, b| b.modified.cmp(&a.modified).then_with(|| a.id.cmp(&b.id)));
        record_perf("lsk:list", started);
        out
    }

    /// The summary of a stored household: the stored one when it was made from the text
    /// stored now (same fingerprint); otherwise the household is read — damaged, or the
    /// summary is made again (and, with `store`, stored if there is room; not while
    /// following another tab's writes, which store their own).
    fn summary(&self, id: &str, store: bool) -> HouseholdSummary {
        let Ok(Some(text)) = storage::get_raw(&self.key(id)) else {
            return HouseholdSummary::damaged(id);
        };
        let stored = storage::get_raw(&self.skey(id))
            .ok()
            .flatten()
            .and_then(|raw| serde_json::from_str::<HouseholdSummary>(&raw).ok())
            .filter(|s| s.id == id && compact::describes(&s.fingerprint, &text));
        if let Some(s) = stored.as_ref().filter(|s| s.format == SUMMARY_FORMAT) {
            return s.clone();
        }
        match decode(&text) {
            Ok(h) if h.id == id => {
                let s = match stored {
                    // An older kit's summary lacks only the head's ID number: no evaluation.
                    Some(old) => HouseholdSummary { head_id: head_id(&h), format: SUMMARY_FORMAT, ..old },
                    None => HouseholdSummary {
                        fingerprint: compact::fingerprint(&text),
                        ..HouseholdSummary::of_role(self.role, &h)
                    },
                };
                if store {
                    if let Ok(json) = serde_json::to_string(&s) {
                        let _ = storage::set_raw(&self.skey(id), &json);
                    }
                }
                s
            }
            _ => HouseholdSummary::damaged(id),
        }
    }

    /// The raw stored text of a household.
    pub fn raw(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(storage::get_raw(&self.key(id))?)
    }

    /// Storage (UTF-16 code units, keys included, as browsers count it) that storing `hs`
    /// would take beyond what their current entries take: checked before an import, so
    /// that it is stored whole or not at all. Includes the survey schema when it is not
    /// stored yet.
    pub fn room_needed(&self, hs: &[Household]) -> usize {
        let units = |s: &str| s.encode_utf16().count();
        let entry = |key: &str| storage::get_raw(key).ok().flatten().map_or(0, |v| units(key) + units(&v));
        let schema = self.schema();
        let schema_key = format!("{}{}", storage::SCHEMA_PREFIX, schema.id());
        let schema_room = if entry(&schema_key) == 0 { units(&schema_key) + units(&schema.to_json()) } else { 0 };
        let households: usize = hs
            .iter()
            .map(|h| {
                let (hk, sk) = (self.key(&h.id), self.skey(&h.id));
                let summary = serde_json::to_string(&HouseholdSummary::of_role(self.role, h)).unwrap_or_default();
                let new = units(&hk) + units(&compact::encode(h, &schema)) + units(&sk) + units(&summary);
                new.saturating_sub(entry(&hk) + entry(&sk))
            })
            .sum();
        schema_room + households
    }

    /// Reads one household. Also remembers what was read, as the base of later autosaves.
    pub fn load(&self, id: &str) -> Result<Household, StoreError> {
        let raw = storage::get_raw(&self.key(id))?;
        self.known.update_value(|k| {
            // Reading again what this tab already has changes nothing of what it knows.
            if k.get(id).is_none_or(|b| b.text != raw) {
                k.insert(id.to_string(), Known::read(raw.clone()));
            }
        });
        let raw = raw.ok_or(StoreError::NotFound)?;
        let h = decode(&raw).map_err(StoreError::Damaged)?;
        if h.id != id {
            return Err(StoreError::Damaged(format!("id {} stored under {id}", h.id)));
        }
        Ok(h)
    }

    /// Every stored household (not the one in the trash); an unreadable entry comes back
    /// as [`Damaged`] with its raw text.
    pub fn load_all(&self) -> Vec<Result<Household, Damaged>> {
        let trash = self.trash();
        let mut keys: Vec<String> = storage::keys()
            .into_iter()
            .filter(|k| k.starts_with(self.keys().record))
            .filter(|k| trash.as_deref() != k.strip_prefix(self.keys().record))
            .collect();
        survey_core::sort::sort(&mut keys);
        keys.into_iter()
            .filter_map(|key| {
                let raw = storage::get_raw(&key).ok().flatten()?;
                let id = &key[self.keys().record.len()..];
                Some(match decode(&raw) {
                    Ok(h) if h.id == id => Ok(h),
                    Ok(h) => Err(Damaged { reason: format!("id {} stored under {id}", h.id), key, raw }),
                    Err(reason) => Err(Damaged { key, raw, reason }),
                })
            })
            .collect()
    }

    /// Every entry that cannot be read.
    pub fn damaged(&self) -> Vec<Damaged> {
        self.load_all().into_iter().filter_map(Result::err).collect()
    }

    fn ensure_schema(&self) -> Result<(), StoreError> {
        let schema = self.schema();
        let key = format!("{}{}", storage::SCHEMA_PREFIX, schema.id());
        if SCHEMA_STORED.with(|s| s.borrow().contains(schema.id())) && storage::has(&key)? {
            return Ok(());
        }
        if storage::get_raw(&key)?.as_deref() != Some(schema.to_json().as_str()) {
            storage::set_raw(&key, &schema.to_json())?;
        }
        SCHEMA_STORED.with(|s| s.borrow_mut().insert(schema.id().to_string()));
        Ok(())
    }

    /// Writes a household and its summary (from `ev`, its evaluation, when at hand). On
    /// failure nothing stored changes. `ours`: storage held what this tab wrote last, so
    /// its summary is this tab's too, and is written again only when the home list would
    /// show something else (the stored `modified` is exact to the minute the list shows;
    /// this tab's list has it exact).
    fn write(&self, h: &Household, ev: Option<&Evaluation>, ours: bool) -> Result<(), StoreError> {
        let started = clock::perf_now();
        let result = self.ensure_schema().and_then(|()| {
            let text = compact::encode(h, &self.schema());
            let written = storage::set_raw_kept(&self.key(&h.id), &text)?;
            Ok((text, written))
        });
        let (text, written) = match result {
            Ok(t) => t,
            Err(e) => {
                self.problem.set(Some(e.clone()));
                return Err(e);
            }
        };
        // The summary is an index: when it cannot be written, remove the stale one (the
        // list then rebuilds it from the household).
        let mut summary = match ev {
            Some(ev) => HouseholdSummary::summarize(self.role, h, Some(ev)),
            None => HouseholdSummary::of_role(self.role, h),
        };
        summary.fingerprint = compact::fingerprint(&text);
        let listed = ours
            && self.known.with_value(|k| {
                k.get(&h.id).and_then(|b| b.summary.as_ref()).is_some_and(|s| s.lists_as(&summary))
            });
        // `None`: the stored summary stays as it is.
        let stored_summary = (!listed).then(|| {
            let json = serde_json::to_string(&summary).expect("a summary serialises");
            if storage::set_raw(&self.skey(&h.id), &json).is_ok() {
                Some(summary.clone())
            } else {
                let _ = storage::remove(&self.skey(&h.id));
                None
            }
        });
        self.index.update_value(|index| {
            if let Some(index) = index {
                index.summaries.insert(h.id.clone(), summary);
            }
        });
        self.known.update_value(|k| match k.get_mut(&h.id) {
            Some(slot) => {
                slot.text = Some(text);
                slot.written = Some(written);
                slot.written_at = clock::perf_now();
                if let Some(s) = stored_summary {
                    slot.summary = s;
                }
            }
            None => {
                k.insert(h.id.clone(), Known {
                    text: Some(text.clone()),
                    written: Some(written),
                    summary: stored_summary.flatten(),
                    // New here: the other tabs can only build on it.
                    anchor: Some(text.clone()),
                    written_at: clock::perf_now(),
                });
            }
        });
        // A household stored again is not deleted (e.g. still being edited in a tab while
        // another tab deleted it): take it out of the trash.
        if self.in_trash(&h.id) {
            let _ = storage::remove(self.keys().trash);
        }
        if self.problem.with_untracked(Option::is_some) {
            self.problem.set(None);
        }
        self.ask_persist();
        self.bump();
        record_perf("lsk:save", started);
        Ok(())
    }

    /// Stores a household as it is (no check against other tabs): import, export marks.
    pub fn save(&self, h: &Household) -> Result<(), StoreError> {
        self.write(h, None, false)?;
        self.forget_unsaved(&h.id);
        Ok(())
    }

    /// Stores the new version of a household being edited, unless another tab changed the
    /// stored one since this tab last read or wrote it. A version that cannot be stored is
    /// kept in [`DraftStore::unsaved`] (and mirrored to `sessionStorage`) and retried.
    pub fn autosave(&self, h: &Household) -> SaveOutcome {
        self.autosave_evaluated(h, None)
    }

    /// [`DraftStore::autosave`] with the household's evaluation by the shipped survey at
    /// hand (an open form has it), so the summary needs no evaluation of its own.
    pub fn autosave_evaluated(&self, h: &Household, ev: Option<&Evaluation>) -> SaveOutcome {
        let key = self.key(&h.id);
        // Storage still holds exactly what this tab wrote last: nobody changed it since.
        let written = self.known.with_value(|k| k.get(&h.id).and_then(|b| b.written.clone()));
        let ours = match written.map(|w| storage::holds(&key, &w)) {
            Some(Ok(ours)) => ours,
            Some(Err(e)) => return self.keep_unsaved(h, self.known_text(&h.id), e.into()),
            None => false,
        };
        if !ours {
            let current = match storage::get_raw(&key) {
                Ok(c) => c,
                Err(e) => return self.keep_unsaved(h, None, e.into()),
            };
            let base = self.known.with_value(|k| k.get(&h.id).map(|b| b.text.clone()));
            let base = match base {
                Some(b) => b,
                // Never read by this tab: a new household, or one written meanwhile elsewhere.
                None if current.is_none() => None,
                None => Some(String::new()),
            };
            if current != base {
                return self.merge_with_stored(h, base, current);
            }
        }
        match self.write(h, ev, ours) {
            Ok(()) => {
                self.forget_unsaved(&h.id);
                SaveOutcome::Saved
            }
            Err(e) => self.keep_unsaved(h, self.known_text(&h.id), e),
        }
    }

    /// Another tab stored household `h` since this tab last read or wrote it (`base`, the
    /// stored text now `current`): the two versions are merged question by question
    /// ([`survey_core::concurrent::merge`]). Answers changed on one side only are all
    /// stored; answers both sides changed differently keep the stored side's value and
    /// come back as a conflict (the caller keeps its own version whole, as its copy).
    fn merge_with_stored(&self, h: &Household, base: Option<String>, current: Option<String>) -> SaveOutcome {
        let theirs = current.as_deref().and_then(|c| decode(c).ok());
        let last = base.as_deref().filter(|b| !b.is_empty()).and_then(|b| decode(b).ok());
        // Built on this tab's last version, or written over it without having seen it?
        let anchor = self.recent_anchor(&h.id).and_then(|a| decode(&a).ok());
        let base = match (&last, &anchor, &theirs) {
            (Some(l), Some(a), Some(t)) if !includes(a, l, t) => Some(a.clone()),
            _ => last,
        };
        let (Some(theirs), Some(base)) = (theirs, base) else {
            // Deleted there, unreadable, or never read here: nothing to merge from.
            let theirs = current.as_deref().and_then(|c| decode(c).ok()).map(Box::new);
            return SaveOutcome::Conflict(theirs, current);
        };
        let merged = survey_core::concurrent::merge(&base, h, &theirs);
        let clean = merged.is_clean();
        let merged = merged.household;
        let adds = {
            let mut same = merged.clone();
            same.modified = theirs.modified.clone();
            same != theirs
        };
        if !clean && !adds {
            return SaveOutcome::Conflict(Some(Box::new(theirs)), current);
        }
        let written = self.write(&merged, None, false);
        if written.is_ok() {
            // What this tab builds on from now on: the other tab's version, merged in.
            self.known.update_value(|k| {
                if let Some(slot) = k.get_mut(&h.id) {
                    slot.anchor = current.clone();
                }
            });
        }
        match written {
            Ok(()) if clean => {
                self.forget_unsaved(&h.id);
                SaveOutcome::Merged(Box::new(merged))
            }
            Ok(()) => {
                let raw = self.known_text(&h.id);
                SaveOutcome::Conflict(Some(Box::new(merged)), raw)
            }
            Err(e) if clean => self.keep_unsaved(&merged, current, e),
            // Theirs stays stored; this tab's version (a copy) holds everything it typed.
            Err(_) => SaveOutcome::Conflict(Some(Box::new(theirs)), current),
        }
    }

    /// Whether the stored text `theirs` holds every change this tab made to household `id`
    /// since it last built on another tab's version (then taking it loses nothing).
    /// Its last write is long enough ago ([`SEEN_AFTER_MS`]) that the other tab saw it.
    pub fn holds_ours(&self, id: &str, theirs: &str) -> bool {
        let Some(anchor) = self.recent_anchor(id) else { return true };
        let last = self.known_text(id);
        let decoded = |t: Option<&str>| t.and_then(|t| decode(t).ok());
        match (decoded(last.as_deref()), decoded(Some(&anchor)), decoded(Some(theirs))) {
            (Some(l), Some(a), Some(t)) => includes(&a, &l, &t),
            _ => false,
        }
    }

    /// The anchor of household `id` ([`Known`]) while this tab's last write of it may not
    /// have reached the other tabs yet; `None` once it surely has (or when there is none).
    fn recent_anchor(&self, id: &str) -> Option<String> {
        self.known.with_value(|k| {
            k.get(id)
                .filter(|b| b.written_at > 0.0 && clock::perf_now() - b.written_at < SEEN_AFTER_MS)
                .and_then(|b| b.anchor.clone())
        })
    }

    /// The compare-and-swap base of a household, as text.
    fn known_text(&self, id: &str) -> Option<String> {
        self.known.with_value(|k| k.get(id).and_then(|b| b.text.clone()))
    }

    fn keep_unsaved(&self, h: &Household, base: Option<String>, e: StoreError) -> SaveOutcome {
        let mirror = PendingMirror { base: base.clone(), household: compact::encode(h, &self.schema()) };
        if let Ok(json) = serde_json::to_string(&mirror) {
            let _ = storage::session_set(&self.pkey(&h.id), &json);
        }
        self.unsaved.update(|u| {
            u.insert(h.id.clone(), Unsaved { household: h.clone(), base });
        });
        self.problem.set(Some(e.clone()));
        SaveOutcome::Unsaved(e)
    }

    fn forget_unsaved(&self, id: &str) {
        // A version is mirrored to `sessionStorage` only while it is listed as unsaved
        // (kept, or restored from the mirror after a reload).
        if self.unsaved.with_untracked(|u| u.contains_key(id)) {
            self.unsaved.update(|u| {
                u.remove(id);
            });
            let _ = storage::session_remove(&self.pkey(id));
        }
    }

    /// Unsaved versions left in `sessionStorage` by a reload while storage was full.
    fn restore_pending(&self) {
        let mut found = BTreeMap::new();
        for key in storage::session_keys() {
            let Some(id) = key.strip_prefix(self.keys().pending) else { continue };
            let Some(raw) = storage::session_get(&key) else { continue };
            let Ok(m) = serde_json::from_str::<PendingMirror>(&raw) else { continue };
            if let Ok(h) = decode(&m.household) {
                found.insert(id.to_string(), Unsaved { household: h, base: m.base });
            }
        }
        if !found.is_empty() {
            for (id, u) in &found {
                self.known.update_value(|k| {
                    k.insert(id.clone(), Known::read(u.base.clone()));
                });
            }
            self.unsaved.set(found);
        }
    }

    /// An unsaved version of a household, taken over by an editor.
    pub fn unsaved_version(&self, id: &str) -> Option<Unsaved> {
        self.unsaved.with_untracked(|u| u.get(id).cloned())
    }

    /// Marks a household as open in (or closed from) an editor of this tab; the editor
    /// retries its own unsaved changes.
    pub fn set_open(&self, id: &str, open: bool) {
        self.open.update_value(|o| {
            if open {
                o.insert(id.to_string());
            } else {
                o.remove(id);
            }
        });
    }

    /// What this tab last read or wrote of a household (`None`: never read here;
    /// `Some(None)`: it was absent).
    pub fn base(&self, id: &str) -> Option<Option<String>> {
        self.known.with_value(|k| k.get(id).map(|b| b.text.clone()))
    }

    /// Sets the compare-and-swap base of a household (after the editor chose a version).
    pub fn set_base(&self, id: &str, base: Option<String>) {
        self.known.update_value(|k| {
            k.insert(id.to_string(), Known::read(base));
        });
    }

    /// Tries again to store every unsaved household not open in an editor. A household
    /// changed meanwhile by another tab goes to its conflict copy.
    pub fn retry_unsaved(&self) {
        if self.unsaved.with_untracked(BTreeMap::is_empty) {
            return;
        }
        self.retry.update(|r| *r += 1);
        let waiting: Vec<Unsaved> = self.unsaved.with_untracked(|u| {
            u.iter().filter(|(id, _)| !self.open.with_value(|o| o.contains(*id))).map(|(_, u)| u.clone()).collect()
        });
        for u in waiting {
            if let SaveOutcome::Conflict(..) = self.autosave(&u.household) {
                if self.save_conflict_copy(&u.household).is_ok() {
                    self.forget_unsaved(&u.household.id);
                }
            }
        }
    }

    /// Stores this tab's version of a household another tab changed (`lsk:c:<id>`).
    pub fn save_conflict_copy(&self, h: &Household) -> Result<(), StoreError> {
        self.ensure_schema()?;
        let r = storage::set_raw(&self.ckey(&h.id), &compact::encode(h, &self.schema()));
        if let Err(e) = r {
            let e = StoreError::from(e);
            self.problem.set(Some(e.clone()));
            return Err(e);
        }
        self.index.update_value(|index| {
            if let Some(index) = index {
                index.conflicts.insert(h.id.clone());
            }
        });
        self.bump();
        Ok(())
    }

    /// This tab's version of a household changed meanwhile by another tab, if any.
    pub fn conflict_copy(&self, id: &str) -> Option<Household> {
        storage::get_raw(&self.ckey(id)).ok().flatten().and_then(|raw| decode(&raw).ok())
    }

    /// Drops this tab's conflict copy (once the enumerator chose a version).
    pub fn drop_conflict_copy(&self, id: &str) {
        let _ = storage::remove(&self.ckey(id));
        let others = !self.copy_keys(id).is_empty();
        self.index.update_value(|index| {
            if let Some(index) = index {
                if !others {
                    index.conflicts.remove(id);
                }
            }
        });
        self.bump();
    }

    /// Conflict copies of household `id` kept by other tabs (or by an older kit), with
    /// their keys: what the enumerator typed there and chose not to (or could not yet)
    /// put in the stored household.
    pub fn other_copies(&self, id: &str) -> Vec<(String, Household)> {
        let mine = self.ckey(id);
        let mut out: Vec<(String, Household)> = self.copy_keys(id)
            .into_iter()
            .filter(|k| *k != mine)
            .filter_map(|k| {
                let h = decode(&storage::get_raw(&k).ok().flatten()?).ok()?;
                Some((k, h))
            })
            .collect();
        survey_core::sort::sort_by(&mut out, |a, b| b.1.modified.cmp(&a.1.modified));
        out
    }

    /// Takes another tab's conflict copy (by its key) over as this tab's own: this tab then
    /// shows it as its version beside the stored one, to choose from. Nothing is lost if
    /// this tab already had a copy: it is replaced only when the two are the same.
    pub fn adopt_copy(&self, key: &str) -> Result<Household, StoreError> {
        let raw = storage::get_raw(key)?.ok_or(StoreError::NotFound)?;
        let h = decode(&raw).map_err(StoreError::Damaged)?;
        let own = self.ckey(&h.id);
        if storage::get_raw(&own)?.is_some_and(|mine| mine != raw) {
            return Err(StoreError::Conflict);
        }
        storage::set_raw(&own, &raw)?;
        storage::remove(key)?;
        self.bump();
        Ok(h)
    }

    /// The household in the trash (deleted last, restorable with [`DraftStore::undo_delete`]).
    pub fn trash(&self) -> Option<String> {
        let raw = storage::get_raw(self.keys().trash).ok().flatten()?;
        serde_json::from_str::<Trash>(&raw).ok().map(|t| t.id)
    }

    /// Whether household `id` is the one in the trash (read only as far as needed).
    fn in_trash(&self, id: &str) -> bool {
        storage::has(self.keys().trash).unwrap_or(false)
            && storage::get_raw(self.keys().trash)
                .ok()
                .flatten()
                .is_some_and(|raw| raw.contains(id) && serde_json::from_str::<Trash>(&raw).is_ok_and(|t| t.id == id))
    }

    /// Removes a household for good, with its conflict copies and the photos that no other
    /// stored entry references.
    fn purge(&self, id: &str) {
        let keys: Vec<String> = [self.key(id), self.skey(id)].into_iter().chain(self.copy_keys(id)).collect();
        let photos: BTreeSet<String> = keys
            .iter()
            .filter_map(|k| storage::get_raw(k).ok().flatten())
            .flat_map(|raw| media::refs_in_text(&raw))
            .collect();
        for key in keys {
            let _ = storage::remove(&key);
        }
        self.invalidate();
        Self::delete_unreferenced_photos(photos);
    }

    /// Deletes the photos among `candidates` that no stored household or visit, conflict
    /// copy or unsaved version references any more (in the background; a photo left behind
    /// by a failure costs space, never an answer).
    fn delete_unreferenced_photos(candidates: BTreeSet<String>) {
        if candidates.is_empty() {
            return;
        }
        let kinds = ROLES.map(keys_of);
        let held: BTreeSet<String> = storage::keys()
            .into_iter()
            .filter(|k| kinds.iter().any(|p| k.starts_with(p.record) || k.starts_with(p.conflict)))
            .filter_map(|k| storage::get_raw(&k).ok().flatten())
            .chain(
                storage::session_keys()
                    .into_iter()
                    .filter(|k| kinds.iter().any(|p| k.starts_with(p.pending)))
                    .filter_map(|k| storage::session_get(&k)),
            )
            .flat_map(|raw| media::refs_in_text(&raw))
            .collect();
        let gone: Vec<String> = candidates.difference(&held).cloned().collect();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = storage::photos::delete(gone).await;
        });
    }

    /// Deletes a household: it goes to the trash, and the household deleted before it is
    /// removed for good. Nothing changes when the trash cannot be written.
    pub fn delete(&self, id: &str) -> Result<(), StoreError> {
        let trash = serde_json::to_string(&Trash { id: id.to_string(), at: clock::now_rfc3339() })
            .expect("strings serialise");
        let previous = self.trash();
        let first = storage::set_raw(self.keys().trash, &trash);
        if let Err(e) = first {
            if e != WriteError::Quota || previous.is_none() {
                return Err(e.into());
            }
            // Full: free the previous trash first, then try again.
            self.purge(previous.as_deref().unwrap_or_default());
            let _ = storage::remove(self.keys().trash);
            storage::set_raw(self.keys().trash, &trash)?;
        } else if let Some(p) = previous.filter(|p| p != id) {
            self.purge(&p);
        }
        self.forget_unsaved(id);
        self.bump();
        Ok(())
    }

    /// Restores the household in the trash; returns its id.
    pub fn undo_delete(&self) -> Option<String> {
        let id = self.trash()?;
        let _ = storage::remove(self.keys().trash);
        self.bump();
        Some(id)
    }

    /// The enumerator profile, once set.
    pub fn profile(&self) -> Option<EnumeratorProfile> {
        let raw = storage::get_raw(storage::PROFILE_KEY).ok().flatten()?;
        serde_json::from_str(&raw).ok()
    }

    /// Stores the enumerator profile (validate it first).
    pub fn save_profile(&self, p: &EnumeratorProfile) -> Result<(), StoreError> {
        let json = serde_json::to_string(p).expect("a profile serialises");
        storage::set_raw(storage::PROFILE_KEY, &json).map_err(|e| {
            let e = StoreError::from(e);
            self.problem.set(Some(e.clone()));
            e
        })?;
        self.bump();
        Ok(())
    }

    /// This browser's device id: a UUID v4 made once and stored.
    pub fn device_id(&self) -> String {
        if let Some(id) = DEVICE.with(|d| d.borrow().clone()) {
            // Site data cleared while the kit runs: the same id is stored again.
            if !storage::has(storage::DEVICE_KEY).unwrap_or(true) {
                let _ = storage::set_raw(storage::DEVICE_KEY, &id);
            }
            return id;
        }
        let stored = storage::get_raw(storage::DEVICE_KEY).ok().flatten().filter(|s| uuid::Uuid::parse_str(s).is_ok());
        let id = stored.unwrap_or_else(|| {
            let id = uuid::Uuid::new_v4().to_string();
            // When it cannot be stored now, the same id is kept for this session and
            // stored with the next attempt.
            let _ = storage::set_raw(storage::DEVICE_KEY, &id);
            id
        });
        DEVICE.with(|d| *d.borrow_mut() = Some(id.clone()));
        id
    }

    /// A new household of the shipped survey, stamped with the enumerator profile and this
    /// device, and stored. When it cannot be stored it is kept in memory as unsaved.
    pub fn create(&self) -> Household {
        self.create_record(forms::household(), None)
    }

    fn create_record(&self, survey: &Survey, household_id: Option<String>) -> Household {
        let mut h = Household::new(
            uuid::Uuid::new_v4().to_string(),
            survey.id(),
            survey.version(),
            self.device_id(),
            &clock::now_rfc3339(),
        );
        h.enumerator = self.profile();
        h.household_id = household_id;
        h.record.answers = survey.new_answers(&clock::context());
        let _ = self.autosave(&h);
        h
    }

    fn ask_persist(&self) {
        if PERSIST_ASKED.with(|a| std::mem::replace(&mut *a.borrow_mut(), true)) {
            return;
        }
        let persisted = self.persisted;
        storage::persist(move |answer| {
            let _ = persisted.try_set(answer);
        });
    }
}

impl Default for DraftStore {
    fn default() -> DraftStore {
        DraftStore::new()
    }
}

/// Appends the milliseconds since `started` to `globalThis.__lsk_perf[name]` (last 1,000),
/// read by `e2e/bench/storage.mjs`.
fn record_perf(name: &str, started: f64) {
    use wasm_bindgen::JsValue;
    let ms = clock::perf_now() - started;
    let global = js_sys::global();
    let key = JsValue::from_str("__lsk_perf");
    let mut table = js_sys::Reflect::get(&global, &key).unwrap_or_default();
    if !table.is_object() {
        table = js_sys::Object::new().into();
        let _ = js_sys::Reflect::set(&global, &key, &table);
    }
    let name = JsValue::from_str(name);
    let mut list = js_sys::Reflect::get(&table, &name).unwrap_or_default();
    if !js_sys::Array::is_array(&list) {
        list = js_sys::Array::new().into();
        let _ = js_sys::Reflect::set(&table, &name, &list);
    }
    let list: js_sys::Array = list.unchecked_into();
    if list.length() >= 1000 {
        list.shift();
    }
    list.push(&JsValue::from_f64(ms));
}

use wasm_bindgen::JsCast;

/// The visit log (走访记录) on this tablet: a [`DraftStore`] of the visit role (keys
/// `lsk:v:`, `lsk:vs:`, `lsk:vc:`, `lsk:vp:`, `lsk:vtrash`; the visit form), context type.
/// A visit is a [`Household`] record whose `household_id` names the household visited.
#[derive(Clone, Copy)]
pub struct VisitStore(pub DraftStore);

impl std::ops::Deref for VisitStore {
    type Target = DraftStore;

    fn deref(&self) -> &DraftStore {
        &self.0
    }
}

impl VisitStore {
    /// A store of visits without listeners.
    pub fn new() -> VisitStore {
        VisitStore(DraftStore::for_role(Role::Visit))
    }

    /// Creates the store, provides it as context and follows other tabs' changes of visits.
    pub fn provide() -> VisitStore {
        let store = VisitStore::new();
        provide_context(store);
        store.0.follow();
        store
    }

    /// The store from context, or a new one provided there.
    pub fn use_context() -> VisitStore {
        use_context::<VisitStore>().unwrap_or_else(VisitStore::provide)
    }

    /// A new visit of household `household_id`, of the shipped visit form, stamped with the
    /// enumerator profile and this device, and stored (kept in memory as unsaved when it
    /// cannot be). `None` when the published forms have no visit form.
    pub fn create(&self, household_id: &str) -> Option<Household> {
        let survey = forms::visit()?;
        Some(self.0.create_record(survey, Some(household_id.to_string())))
    }

    /// The summaries of the visits of household `household_id`, newest visit first.
    pub fn of_household(&self, household_id: &str) -> Vec<VisitSummary> {
        let mut list: Vec<VisitSummary> =
            self.list().into_iter().filter(|v| v.household_id.as_deref() == Some(household_id)).collect();
        survey_core::sort::sort_by(&mut list, HouseholdSummary::newest_visit_first);
        list
    }
}

impl Default for VisitStore {
    fn default() -> VisitStore {
        VisitStore::new()
    }
}
