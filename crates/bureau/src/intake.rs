//! Intake: export files → the register, each file whole or not at all.
//!
//! For every file, in order: read (bounded), hash (a file taken before is skipped: running
//! the same intake twice changes nothing), the core's import checks ([`read_file`]: same
//! codes and messages as the tablet's import), then in one SQLite transaction every
//! household is merged by the core's merge rule and re-validated with the survey it was
//! filled with. Any failure rolls the file back; a refused file never stops the batch.
//!
//! Visits (the visit log) travel in the same files and are merged the same way, by the same
//! code ([`merge`] with [`Kind::Visit`]), into their own tables. A visit whose household is
//! not (yet) in the register is kept (its household may arrive in a later file) and
//! counted: `without_household` in the file's line, and in [`visits_without_household`].
//!
//! Merging a household (identified by its id) against the versions held:
//! - identical to a version held (any, even one a clerk dropped): counted, nothing stored;
//! - an older version that a head continues (`Superseded`): stored as history, not a head;
//! - continues every head it is related to: stored as the new head, the versions it
//!   continues retired (`updated`);
//! - independent of a head: stored as another head: the household is in **conflict**
//!   until a clerk keeps one version ([`resolve`]); meanwhile the head modified last is
//!   current.
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use survey_core::exchange::{read_file_with_visits, ExportKind, ImportError, ImportedFile};
use survey_core::forms::Role;
use survey_core::{Context, Household};

use crate::register::{self, Kind, Register};
use crate::sources::{self, Location, ReadError};
use crate::surveys::Surveys;
use crate::text::{t, Bi};
use crate::Result;

// Whether an incoming version continues the one held is the core's merge rule, the same
// one the tablet's import uses: `relate(held, incoming)`.
use survey_core::exchange::{relate, Relation};

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Checked and stored.
    Taken,
    /// Taken by an earlier intake (same content): nothing done.
    AlreadyTaken,
    /// Refused: nothing stored from it.
    Refused,
}

/// The per-file line of the intake table.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// Where the file was read from.
    pub name: String,
    /// What became of it.
    pub outcome: Outcome,
    /// For a refused file: the code (`exchange.error.<code>` or `bureau.refused.<code>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// For a refused file: why, in both languages, with details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Bi>,
    /// Technical detail (for support, not for the clerk).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `bureau` or `backup`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Households in the file.
    pub households: usize,
    /// What became of the households.
    #[serde(flatten)]
    pub tally: Tally,
    /// The visits in the file (absent when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits: Option<VisitTally>,
    /// An export with photos: photos checked and unpacked (each once per household).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photos: Option<usize>,
    /// Photo references whose photo was not in the file (`missing_photo`; the rest taken).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_photos: Vec<String>,
}

/// What became of a file's records of one kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    /// Not held before.
    pub new: usize,
    /// Continue the version held (replace it as current).
    pub updated: usize,
    /// Same as a version held.
    pub identical: usize,
    /// Older than the version held (kept as history).
    pub superseded: usize,
    /// Edited independently of the version held: a conflict.
    pub conflict: usize,
}

/// What became of a file's visits.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct VisitTally {
    /// Visits in the file.
    pub count: usize,
    /// What became of them.
    #[serde(flatten)]
    pub tally: Tally,
    /// Of the file's visits, those whose household the register does not hold (yet).
    pub without_household: usize,
}

impl FileReport {
    fn refused(name: String, code: &str, message: Bi, detail: Option<String>) -> FileReport {
        FileReport { code: Some(code.to_string()), message: Some(message), detail, ..FileReport::new(name, Outcome::Refused) }
    }

    fn new(name: String, outcome: Outcome) -> FileReport {
        FileReport {
            name,
            outcome,
            code: None,
            message: None,
            detail: None,
            kind: None,
            households: 0,
            tally: Tally::default(),
            visits: None,
            photos: None,
            missing_photos: Vec::new(),
        }
    }
}

/// What an intake needs besides the files.
#[derive(Debug)]
pub struct Options {
    /// "Today" for re-validation (`today()` in the survey's expressions).
    pub today: Context,
    /// Now, RFC 3339 (recorded as `taken_at`).
    pub now: String,
    /// The bureau's private key, for encrypted files.
    pub key: Option<crate::keys::BureauKey>,
    /// Where the photos of exports with photos are unpacked ([`crate::photos::photos_dir`]).
    pub photos_dir: PathBuf,
}

/// The bilingual message of an import refusal, with its details: the tablet's own text
/// (`exchange.error.<code>`) followed by what the file says.
pub fn import_message(e: &ImportError) -> (Bi, Option<String>) {
    let mut m = t(&format!("exchange.error.{}", e.code()));
    let detail = match e {
        ImportError::TooLarge { bytes } => Some(format!("{bytes} bytes")),
        ImportError::NotJson { line, column } => Some(format!("line {line}, column {column}")),
        ImportError::FutureVersion { version } => Some(format!("format_version {version}")),
        ImportError::WrongSurvey { found } => Some(format!("survey {found}")),
        ImportError::Incomplete { declared, found } => Some(format!("household_count {declared}, found {found}")),
        ImportError::BrokenRecords { count, records } => {
            let mut zh = Vec::new();
            let mut ii = Vec::new();
            for r in records {
                let number = t(if r.visit { "bureau.visit.number" } else { "exchange.error.number" });
                let p = t(&format!("exchange.problem.{}", r.problem.code()));
                let id = r.id.as_deref().map(|i| format!(" ({i})")).unwrap_or_default();
                zh.push(format!("{} {}{id}: {}", number.zh, r.number, p.zh));
                ii.push(format!("{} {}{id}: {}", number.ii, r.number, p.ii));
            }
            if *count > records.len() {
                let more = t("exchange.error.more");
                zh.push(format!("{} ({})", more.zh, count - records.len()));
                ii.push(format!("{} ({})", more.ii, count - records.len()));
            }
            m.zh = format!("{} {}", m.zh, zh.join("; "));
            m.ii = format!("{} {}", m.ii, ii.join("; "));
            Some(
                records
                    .iter()
                    .map(|r| format!("{}#{} {}: {}", if r.visit { "visits" } else { "" }, r.number, r.problem.code(), r.detail))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
        _ => None,
    };
    (m, detail)
}

/// Hex SHA-256 of a file's bytes (how a file taken before is recognised).
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `bytes` as the tablet's import does, against the surveys the file names (its
/// household survey, and its visit survey when it holds visits).
fn check(bytes: &[u8], surveys: &Surveys) -> Result<ImportedFile, ImportError> {
    let (mut household, mut visit) = (surveys.primary(), surveys.visit());
    // At most one retry per survey: the file may name another household survey id, and
    // another visit survey id.
    for _ in 0..2 {
        match read_file_with_visits(bytes, household, visit) {
            Err(ImportError::WrongSurvey { found }) => match (surveys.newest(&found), surveys.role(&found)) {
                (Some(s), Some(Role::Household)) if s.id() != household.id() => household = s,
                (Some(s), Some(Role::Visit)) if visit.is_none_or(|v| v.id() != s.id()) => visit = Some(s),
                _ => return Err(ImportError::WrongSurvey { found }),
            },
            other => return other,
        }
    }
    read_file_with_visits(bytes, household, visit)
}

/// Takes every file at `locations` into the register; `progress` is called after each
/// file. Fails only when the register itself fails (a refused file is a line of the
/// result).
pub fn intake(
    reg: &mut Register,
    surveys: &Surveys,
    locations: &[Location],
    opts: &Options,
    mut progress: impl FnMut(&FileReport),
) -> Result<Vec<FileReport>> {
    let mut out = Vec::with_capacity(locations.len());
    for loc in locations {
        let report = take_file(reg, surveys, loc, opts)?;
        progress(&report);
        out.push(report);
    }
    Ok(out)
}

fn take_file(reg: &mut Register, surveys: &Surveys, loc: &Location, opts: &Options) -> Result<FileReport> {
    let name = loc.name();
    let bytes = match sources::read(loc) {
        Ok(b) => b,
        Err(ReadError::Import(e)) => {
            let (m, d) = import_message(&e);
            return Ok(FileReport::refused(name, e.code(), m, d));
        }
        Err(ReadError::Unreadable(d)) => {
            let code = if matches!(loc, Location::BadZip(..) | Location::NestedZip(..)) { "bad_zip" } else { "read_failed" };
            let m = if code == "bad_zip" { t("bureau.refused.bad_zip") } else { t("exchange.error.read_failed") };
            return Ok(FileReport::refused(name, code, m, Some(d)));
        }
    };
    let sha = sha256(&bytes);
    let seen: Option<i64> =
        reg.conn.query_row("SELECT file_id FROM files WHERE sha256 = ?1", [&sha], |r| r.get(0)).optional()?;
    if seen.is_some() {
        return Ok(FileReport::new(name, Outcome::AlreadyTaken));
    }
    // An encrypted file (the core's envelope) is opened with the bureau's private key,
    // then checked like any other; a wrong key or a changed file is refused.
    let bytes = match survey_core::envelope::classify(&bytes) {
        survey_core::envelope::FileKind::Plain => bytes,
        survey_core::envelope::FileKind::BadEnvelope(e) => {
            return Ok(FileReport::refused(name, e.code(), crate::keys::message(e.code()), None));
        }
        survey_core::envelope::FileKind::Envelope(_) => match &opts.key {
            None => return Ok(FileReport::refused(name, "no_key", t("bureau.envelope.no_key"), None)),
            Some(k) => match k.open(&bytes) {
                Ok(plain) => plain,
                Err(e) => return Ok(FileReport::refused(name, e.code(), crate::keys::message(e.code()), None)),
            },
        },
    };
    let file = match check(&bytes, surveys) {
        Ok(f) => f,
        Err(e) => {
            let (m, d) = import_message(&e);
            return Ok(FileReport::refused(name, e.code(), m, d));
        }
    };
    drop(bytes);
    // An export with photos: every photo is checked before anything is stored.
    let photos = match sources::photo_archive(loc) {
        None => None,
        Some(Err(e)) => {
            let d = match e {
                ReadError::Unreadable(d) => d,
                ReadError::Import(e) => e.code().to_string(),
            };
            return Ok(FileReport::refused(name, "bad_zip", t("bureau.refused.bad_zip"), Some(d)));
        }
        Some(Ok((mut z, _))) => {
            match crate::photos::gather(&mut z, &crate::photos::references(records(&file)), opts.key.as_ref()) {
                Ok(p) => Some(p),
                Err(crate::photos::PhotoError::NoKey) => {
                    return Ok(FileReport::refused(name, "no_key", t("bureau.envelope.no_key"), None));
                }
                Err(crate::photos::PhotoError::Bad { reference, detail }) => {
                    let m = t("bureau.photos.bad_photo");
                    let m = Bi { zh: format!("{}{reference}", m.zh), ii: format!("{}{reference}", m.ii), ..m };
                    return Ok(FileReport::refused(name, "bad_photo", m, Some(detail)));
                }
                Err(crate::photos::PhotoError::Unreadable(d)) => {
                    return Ok(FileReport::refused(name, "bad_zip", t("bureau.refused.bad_zip"), Some(d)));
                }
            }
        }
    };
    match store(reg, surveys, &name, &sha, &file, opts, photos.as_ref()) {
        Ok(r) => Ok(r),
        Err(e) => Ok(FileReport::refused(name, "register_failed", t("bureau.refused.register_failed"), Some(e.to_string()))),
    }
}

/// Every record of a file: its households, then its visits.
fn records(file: &ImportedFile) -> impl Iterator<Item = &Household> {
    file.households.iter().chain(&file.visits)
}

fn kind_name(k: ExportKind) -> &'static str {
    match k {
        ExportKind::Bureau => "bureau",
        ExportKind::Backup => "backup",
    }
}

fn store(
    reg: &mut Register,
    surveys: &Surveys,
    name: &str,
    sha: &str,
    file: &ImportedFile,
    opts: &Options,
    photos: Option<&crate::photos::Photos>,
) -> Result<FileReport> {
    let tx = reg.conn.transaction()?;
    // Every survey version the file's households and visits are re-validated with is kept.
    let mut used: Vec<(&str, &str)> = Vec::new();
    for h in records(file) {
        if !used.contains(&(h.survey_id.as_str(), h.survey_version.as_str())) {
            used.push((&h.survey_id, &h.survey_version));
        }
    }
    for (id, version) in used {
        let Some((s, _)) = surveys.for_household(id, version) else {
            return Err(crate::Error::Message(t("bureau.refused.no_survey").both()));
        };
        let entry = surveys.entries().iter().find(|e| e.survey.id() == s.id() && e.survey.version() == s.version()).expect("listed");
        register::ensure_survey(&tx, Kind::of(entry.role), s, &entry.json, &opts.now)?;
    }

    let en = file.enumerator.as_ref();
    tx.execute(
        "INSERT INTO files (sha256, name, bytes, kind, survey_id, survey_version, app_version, exported_at, device,
           enumerator_name, enumerator_phone, enumerator_unit, taken_at, households, new, updated, identical, superseded, conflict)
         VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, 0, 0, 0, 0)",
        params![
            sha,
            name,
            kind_name(file.kind),
            file.survey.id,
            file.survey.version,
            file.app.version,
            file.exported_at,
            file.device,
            en.map(|e| &e.name),
            en.map(|e| &e.phone),
            en.map(|e| &e.unit),
            opts.now,
            file.households.len() as i64
        ],
    )?;
    let file_id = tx.last_insert_rowid();
    let mut r = FileReport::new(name.to_string(), Outcome::Taken);
    r.kind = Some(kind_name(file.kind).to_string());
    r.households = file.households.len();
    for h in &file.households {
        merge(&tx, Kind::Household, surveys, file_id, h, &opts.today, &mut r.tally)?;
    }
    let t = r.tally;
    tx.execute(
        "UPDATE files SET new = ?2, updated = ?3, identical = ?4, superseded = ?5, conflict = ?6 WHERE file_id = ?1",
        params![file_id, t.new as i64, t.updated as i64, t.identical as i64, t.superseded as i64, t.conflict as i64],
    )?;
    // The visits, after the households (a visit's household may come in the same file).
    if !file.visits.is_empty() {
        let mut v = VisitTally { count: file.visits.len(), ..VisitTally::default() };
        for h in &file.visits {
            merge(&tx, Kind::Visit, surveys, file_id, h, &opts.today, &mut v.tally)?;
        }
        let mut held = tx.prepare_cached("SELECT 1 FROM households WHERE _household_id = ?1")?;
        for h in &file.visits {
            if !held.exists([h.household_id.as_deref().unwrap_or_default()])? {
                v.without_household += 1;
            }
        }
        drop(held);
        let t = v.tally;
        tx.execute(
            "UPDATE files SET visits = ?2, visits_new = ?3, visits_updated = ?4, visits_identical = ?5, visits_superseded = ?6, visits_conflict = ?7
             WHERE file_id = ?1",
            params![file_id, v.count as i64, t.new as i64, t.updated as i64, t.identical as i64, t.superseded as i64, t.conflict as i64],
        )?;
        r.visits = Some(v);
    }
    // The photos are unpacked before the commit: if that fails, the file is not taken.
    if let Some(p) = photos {
        crate::photos::unpack(&opts.photos_dir, records(file), p).map_err(|e| crate::Error::io(&opts.photos_dir, e))?;
        r.photos = Some(p.found.len());
        r.missing_photos = p.missing.clone();
    }
    tx.commit()?;
    Ok(r)
}

/// Merges one record of `kind` (a household or a visit) into the register, counting what
/// became of it in `r`.
fn merge(
    tx: &rusqlite::Transaction<'_>,
    kind: Kind,
    surveys: &Surveys,
    file_id: i64,
    h: &Household,
    cx: &Context,
    r: &mut Tally,
) -> Result<()> {
    let held = register::all_versions(tx, kind, &h.id)?;
    if held.is_empty() {
        register::insert_version(tx, kind, h, file_id, "new", true)?;
        register::refresh_current(tx, kind, surveys, &h.id, cx)?;
        r.new += 1;
        return Ok(());
    }
    if held.iter().any(|v| relate(&v.household, h) == Relation::Identical) {
        r.identical += 1;
        return Ok(());
    }
    let rels: Vec<(i64, Relation)> =
        held.iter().filter(|v| v.head).map(|v| (v.version_id, relate(&v.household, h))).collect();
    if rels.iter().any(|(_, rel)| *rel == Relation::Superseded) {
        register::insert_version(tx, kind, h, file_id, "superseded", false)?;
        r.superseded += 1;
        return Ok(());
    }
    let continued: Vec<i64> = rels.iter().filter(|(_, rel)| *rel == Relation::Continues).map(|(v, _)| *v).collect();
    let independent = rels.iter().any(|(_, rel)| *rel == Relation::Independent);
    register::insert_version(tx, kind, h, file_id, if independent { "independent" } else { "continues" }, true)?;
    register::retire(tx, kind, &continued)?;
    register::refresh_current(tx, kind, surveys, &h.id, cx)?;
    if independent {
        r.conflict += 1;
    } else {
        r.updated += 1;
    }
    Ok(())
}

/// One version of a household in conflict.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictVersion {
    /// Version id (what `resolve --keep` takes).
    pub version_id: i64,
    /// `modified` of the version.
    pub modified: String,
    /// The tablet it came from.
    pub device: String,
    /// The enumerator of the version.
    pub enumerator: Option<String>,
    /// The file it arrived in.
    pub file: String,
    /// The version currently shown in the tables.
    pub current: bool,
}

/// A household, or a visit, whose versions were edited independently.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Household id (for a visit: the household visited).
    pub household_id: String,
    /// A visit in conflict: its id (what `resolve` takes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit_id: Option<String>,
    /// Head name of the household's current version (for people).
    pub head_name: Option<String>,
    /// The competing versions.
    pub versions: Vec<ConflictVersion>,
}

impl Conflict {
    /// The id `resolve` takes: the visit's, or the household's.
    pub fn record_id(&self) -> &str {
        self.visit_id.as_deref().unwrap_or(&self.household_id)
    }
}

/// Every household in conflict (two or more heads), then every visit in conflict.
pub fn conflicts(conn: &rusqlite::Connection) -> Result<Vec<Conflict>> {
    let mut out = conflicts_of(conn, Kind::Household)?;
    out.extend(conflicts_of(conn, Kind::Visit)?);
    Ok(out)
}

fn conflicts_of(conn: &rusqlite::Connection, kind: Kind) -> Result<Vec<Conflict>> {
    let mut st = conn.prepare(&format!(
        "SELECT v.{id}, v.version_id, v.modified, v.device, v.enumerator_name, f.name, v.current
         FROM {versions} v JOIN files f ON f.file_id = v.file_id
         WHERE v.head = 1 AND v.{id} IN (SELECT {id} FROM {versions} WHERE head = 1 GROUP BY {id} HAVING count(*) > 1)
         ORDER BY v.{id}, v.version_id",
        id = kind.id_column(),
        versions = kind.versions()
    ))?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            ConflictVersion {
                version_id: r.get(1)?,
                modified: r.get(2)?,
                device: r.get(3)?,
                enumerator: r.get(4)?,
                file: r.get(5)?,
                current: r.get(6)?,
            },
        ))
    })?;
    let has_head_name = crate::tables::has_column(conn, "households", "head_name")?;
    let mut out: Vec<Conflict> = Vec::new();
    for row in rows {
        let (id, v) = row?;
        match out.last_mut() {
            Some(c) if c.household_id == id => c.versions.push(v),
            _ => out.push(Conflict { household_id: id, visit_id: None, head_name: None, versions: vec![v] }),
        }
    }
    if kind == Kind::Visit {
        for c in &mut out {
            let visited: Option<String> = conn
                .query_row("SELECT _household_id FROM visits WHERE _visit_id = ?1", [&c.household_id], |r| r.get(0))
                .optional()?
                .flatten();
            c.visit_id = Some(std::mem::replace(&mut c.household_id, visited.unwrap_or_default()));
        }
    }
    if has_head_name {
        for c in &mut out {
            c.head_name = conn
                .query_row("SELECT head_name FROM households WHERE _household_id = ?1", [&c.household_id], |r| r.get(0))
                .optional()?
                .flatten();
        }
    }
    Ok(out)
}

/// Why a resolution was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// No household with this id is in conflict.
    NotInConflict,
    /// The version is not one of the household's competing versions.
    NotAHead,
}

/// Resolves a conflict of a household or a visit (`id`): `keep` stays, the other competing
/// versions are retired (kept in `versions`, listed in `resolutions`; for a visit
/// `visit_versions`, `visit_resolutions`), and the record's rows are rebuilt from `keep`.
pub fn resolve(
    reg: &mut Register,
    surveys: &Surveys,
    id: &str,
    keep: i64,
    note: Option<&str>,
    opts: &Options,
) -> Result<Result<(), ResolveError>> {
    let tx = reg.conn.transaction()?;
    let mut kind = Kind::Household;
    let mut heads = register::heads(&tx, kind, id)?;
    if heads.len() < 2 {
        kind = Kind::Visit;
        heads = register::heads(&tx, kind, id)?;
    }
    if heads.len() < 2 {
        return Ok(Err(ResolveError::NotInConflict));
    }
    if !heads.iter().any(|v| v.version_id == keep) {
        return Ok(Err(ResolveError::NotAHead));
    }
    let dropped: Vec<i64> = heads.iter().map(|v| v.version_id).filter(|v| *v != keep).collect();
    register::retire(&tx, kind, &dropped)?;
    tx.execute(
        &format!(
            "INSERT INTO {} ({}, kept_version, dropped_versions, resolved_at, note) VALUES (?1, ?2, ?3, ?4, ?5)",
            kind.resolutions(),
            kind.id_column()
        ),
        params![
            id,
            keep,
            dropped.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
            opts.now,
            note
        ],
    )?;
    register::refresh_current(&tx, kind, surveys, id, &opts.today)?;
    tx.commit()?;
    Ok(Ok(()))
}

/// Visits in the register whose household it does not hold (yet).
pub fn visits_without_household(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM visits v WHERE NOT EXISTS (SELECT 1 FROM households h WHERE h._household_id = v._household_id)",
        [],
        |r| r.get(0),
    )?)
}

/// Every input file named by `inputs`, or the first input that does not exist.
pub fn locate(inputs: &[PathBuf]) -> Result<Vec<Location>, String> {
    sources::locate(inputs)
}
