//! The register: one SQLite file holding every version of every household that ever
//! arrived, which version is current, which file and tablet it came from, and the current
//! answers in queryable tables. The tables are documented in `docs/bureau.md`.
//!
//! Two kinds of tables:
//! - the record (`files`, `versions`, `resolutions`, `surveys`): written once, never
//!   rewritten (a version is only marked `head`/`current` or not);
//! - the current view (`households`, one table per repeat such as `members`, `issues`,
//!   `fields`, `choices`): rebuilt for a household whenever its current version changes,
//!   from that version, evaluated with the survey it was filled with.
//!
//! Visits (the visit log, 走访记录) are a second [`Kind`] of record kept the same way in
//! tables of their own (`visit_versions`, `visit_resolutions`, `visits`, `visit_issues`,
//! `visit_fields`, `visit_choices`): every function here takes the kind, so both go
//! through the same code.
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use survey_core::{
    exchange::instant, Context, FieldType, Household, Item, ItemKind, Message, Severity, Survey,
};

use crate::surveys::Surveys;
use crate::text::t;
use crate::Result;

/// Version of the register's own layout (`register_info.schema_version`). 2: visits.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS register_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS surveys (
  survey_id TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL, added_at TEXT NOT NULL,
  PRIMARY KEY (survey_id, version));
CREATE TABLE IF NOT EXISTS files (
  file_id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, name TEXT NOT NULL, bytes INTEGER NOT NULL,
  kind TEXT NOT NULL, survey_id TEXT NOT NULL, survey_version TEXT NOT NULL, app_version TEXT NOT NULL,
  exported_at TEXT NOT NULL, device TEXT NOT NULL,
  enumerator_name TEXT, enumerator_phone TEXT, enumerator_unit TEXT,
  taken_at TEXT NOT NULL, households INTEGER NOT NULL,
  new INTEGER NOT NULL, updated INTEGER NOT NULL, identical INTEGER NOT NULL,
  superseded INTEGER NOT NULL, conflict INTEGER NOT NULL);
"#;

/// The tables of one kind of record: the same layout for households and visits (a visit's
/// tables also name the household visited).
fn record_schema(kind: Kind) -> String {
    let (short, visited, visited_current, extra) = match kind {
        Kind::Household => ("household", "", "", ""),
        Kind::Visit => (
            "visit",
            "household_id TEXT, ",
            "_household_id TEXT, ",
            "CREATE INDEX IF NOT EXISTS visits_household ON visits(_household_id);",
        ),
    };
    format!(
        r#"
CREATE TABLE IF NOT EXISTS {versions} (
  version_id INTEGER PRIMARY KEY, {id} TEXT NOT NULL, {visited}file_id INTEGER NOT NULL REFERENCES files(file_id),
  relation TEXT NOT NULL, head INTEGER NOT NULL, current INTEGER NOT NULL,
  status TEXT NOT NULL, survey_version TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL,
  modified_ms INTEGER, device TEXT NOT NULL, enumerator_name TEXT, {json} TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS {versions}_{short} ON {versions}({id}, head);
CREATE UNIQUE INDEX IF NOT EXISTS {versions}_current ON {versions}({id}) WHERE current = 1;
CREATE TABLE IF NOT EXISTS {resolutions} (
  resolution_id INTEGER PRIMARY KEY, {id} TEXT NOT NULL, kept_version INTEGER NOT NULL,
  dropped_versions TEXT NOT NULL, resolved_at TEXT NOT NULL, note TEXT);
CREATE TABLE IF NOT EXISTS {issues} (
  {id} TEXT NOT NULL, version_id INTEGER NOT NULL, path TEXT NOT NULL, repeat TEXT, member INTEGER,
  field TEXT NOT NULL, severity TEXT NOT NULL, rule TEXT NOT NULL, acknowledged INTEGER NOT NULL,
  reason TEXT, message_zh TEXT NOT NULL, message_ii TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS {issues}_{short} ON {issues}({id});
CREATE TABLE IF NOT EXISTS {fields} (
  name TEXT PRIMARY KEY, type TEXT NOT NULL, list TEXT, repeat TEXT, calculated INTEGER NOT NULL,
  label_zh TEXT, label_ii TEXT, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {choices} (
  list_name TEXT NOT NULL, name TEXT NOT NULL, label_zh TEXT NOT NULL, label_ii TEXT NOT NULL,
  position INTEGER NOT NULL, PRIMARY KEY (list_name, name));
CREATE TABLE IF NOT EXISTS {current} (
  {current_id} TEXT PRIMARY KEY, {visited_current}_version_id INTEGER NOT NULL, _status TEXT NOT NULL,
  _survey_version TEXT NOT NULL, _validated_with TEXT NOT NULL,
  _created TEXT NOT NULL, _modified TEXT NOT NULL, _finalized TEXT, _exported TEXT,
  _enumerator_name TEXT, _enumerator_phone TEXT, _enumerator_unit TEXT, _device TEXT NOT NULL,
  _file_id INTEGER NOT NULL, _errors INTEGER NOT NULL, _warnings INTEGER NOT NULL,
  _acknowledged INTEGER NOT NULL, _conflict INTEGER NOT NULL);
{extra}
"#,
        versions = kind.versions(),
        id = kind.id_column(),
        json = kind.json_column(),
        resolutions = kind.resolutions(),
        issues = kind.issues(),
        fields = kind.fields(),
        choices = kind.choices(),
        current = kind.current(),
        current_id = kind.current_id(),
    )
}

/// Columns of `files` added with visits (schema 2): how many visits a file held and what
/// became of them. Added to a register made before.
const FILE_VISIT_COLUMNS: [&str; 6] =
    ["visits", "visits_new", "visits_updated", "visits_identical", "visits_superseded", "visits_conflict"];

/// Which kind of record: a household (the register proper) or a visit (the visit log).
/// Each kind has its own tables of the same layout; the code is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A household (`versions`, `households`, `issues`, …).
    Household,
    /// A visit to a household (`visit_versions`, `visits`, `visit_issues`, …).
    Visit,
}

impl Kind {
    /// The kind of records a survey of `role` makes.
    pub fn of(role: survey_core::forms::Role) -> Kind {
        match role {
            survey_core::forms::Role::Household => Kind::Household,
            survey_core::forms::Role::Visit => Kind::Visit,
        }
    }

    /// The record: every version that arrived.
    pub fn versions(self) -> &'static str {
        match self {
            Kind::Household => "versions",
            Kind::Visit => "visit_versions",
        }
    }

    /// The record's id column in the versions, issues and resolutions tables.
    pub fn id_column(self) -> &'static str {
        match self {
            Kind::Household => "household_id",
            Kind::Visit => "visit_id",
        }
    }

    /// The versions table's column holding the whole record (JSON).
    fn json_column(self) -> &'static str {
        match self {
            Kind::Household => "household",
            Kind::Visit => "visit",
        }
    }

    /// The current view: one row per record.
    pub fn current(self) -> &'static str {
        match self {
            Kind::Household => "households",
            Kind::Visit => "visits",
        }
    }

    /// The current view's id column.
    pub fn current_id(self) -> &'static str {
        match self {
            Kind::Household => "_household_id",
            Kind::Visit => "_visit_id",
        }
    }

    /// Errors and warnings of the current versions.
    pub fn issues(self) -> &'static str {
        match self {
            Kind::Household => "issues",
            Kind::Visit => "visit_issues",
        }
    }

    /// Conflicts resolved by a clerk.
    pub fn resolutions(self) -> &'static str {
        match self {
            Kind::Household => "resolutions",
            Kind::Visit => "visit_resolutions",
        }
    }

    /// Field labels.
    pub fn fields(self) -> &'static str {
        match self {
            Kind::Household => "fields",
            Kind::Visit => "visit_fields",
        }
    }

    /// Choice labels.
    pub fn choices(self) -> &'static str {
        match self {
            Kind::Household => "choices",
            Kind::Visit => "visit_choices",
        }
    }

    /// The table of repeat `name`'s rows.
    pub fn repeat_table(self, name: &str) -> String {
        match self {
            Kind::Household => repeat_table(name),
            Kind::Visit => format!("visit_repeat_{name}"),
        }
    }
}

/// Tables of the register that a repeat's table may not be named like.
const OWN_TABLES: [&str; 16] = [
    "register_info", "surveys", "files", "versions", "resolutions", "issues", "fields", "choices", "households", "sqlite_master",
    "visit_versions", "visit_resolutions", "visit_issues", "visit_fields", "visit_choices", "visits",
];

/// The table holding the members of repeat `name` (its own name, unless it is taken).
pub fn repeat_table(name: &str) -> String {
    if OWN_TABLES.contains(&name) || name.starts_with("sqlite_") {
        format!("repeat_{name}")
    } else {
        name.to_string()
    }
}

/// An SQL identifier, quoted.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQL column type of a field: numbers are numbers, everything else text (ID and phone
/// numbers stay text, leading zeros kept).
fn column_type(it: &Item) -> &'static str {
    match &it.kind {
        ItemKind::Field(FieldType::Integer) => "INTEGER",
        ItemKind::Field(FieldType::Decimal) => "REAL",
        ItemKind::Field(FieldType::Calculate) => "NUMERIC",
        _ => "TEXT",
    }
}

/// The register.
pub struct Register {
    /// The connection (open it read-only elsewhere with any SQLite tool).
    pub conn: Connection,
}

/// One version as stored.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    /// Its id.
    pub version_id: i64,
    /// The household, as the kit stores it.
    pub household: Household,
    /// Not replaced by a later version (a household with two heads is in conflict).
    pub head: bool,
    /// `modified` in milliseconds.
    pub modified_ms: Option<i64>,
}

impl Register {
    /// Opens (or creates) the register at `path`.
    pub fn open(path: &Path) -> Result<Register> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(64);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let existing: Option<String> = conn
            .query_row("SELECT value FROM register_info WHERE key = 'schema_version'", [], |r| r.get(0))
            .optional()
            .or_else(|e| match e {
                rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.contains("no such table") => Ok(None),
                e => Err(e),
            })?;
        match existing.as_deref().map(str::parse::<i64>) {
            Some(Ok(v)) if v > SCHEMA_VERSION => {
                return Err(crate::Error::Message(format!(
                    "{}: {} ({v} > {SCHEMA_VERSION})",
                    path.display(),
                    t("bureau.cli.register_newer").both()
                )))
            }
            Some(Err(_)) => return Err(crate::Error::Message(format!("{}: {}", path.display(), t("bureau.cli.not_register").both()))),
            _ => {}
        }
        conn.execute_batch(SCHEMA)?;
        for kind in [Kind::Household, Kind::Visit] {
            conn.execute_batch(&record_schema(kind))?;
        }
        // Schema 1 → 2: the files' visit counts.
        for c in FILE_VISIT_COLUMNS {
            if !crate::tables::has_column(&conn, "files", c)? {
                conn.execute_batch(&format!("ALTER TABLE files ADD COLUMN {} INTEGER NOT NULL DEFAULT 0", ident(c)))?;
            }
        }
        conn.execute(
            "INSERT OR REPLACE INTO register_info (key, value) VALUES ('schema_version', ?1)",
            [SCHEMA_VERSION.to_string()],
        )?;
        Ok(Register { conn })
    }

    /// The surveys of `known` plus every survey kept in the register.
    pub fn surveys(&self, mut known: Surveys) -> Result<Surveys> {
        let mut st = self.conn.prepare("SELECT definition FROM surveys ORDER BY added_at")?;
        let defs: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        for d in defs {
            // A version given on the command line wins over the one kept.
            if let Ok(raw) = survey_core::RawSurvey::from_json(&d) {
                let id = raw.settings.form_id.clone();
                let version = raw.settings.version.clone();
                if known.get(&id, &version).is_none() {
                    known.add_raw(raw).map_err(crate::Error::Message)?;
                }
            }
        }
        Ok(known)
    }
}

/// Keeps `survey`, whose records are of `kind`, in the register (definition, answer columns,
/// labels). Cheap when it is already there.
pub fn ensure_survey(tx: &Transaction<'_>, kind: Kind, survey: &Survey, json: &str, now: &str) -> Result<()> {
    let known: Option<String> = tx
        .query_row(
            "SELECT definition FROM surveys WHERE survey_id = ?1 AND version = ?2",
            params![survey.id(), survey.version()],
            |r| r.get(0),
        )
        .optional()?;
    if known.as_deref() == Some(json) {
        return Ok(());
    }
    tx.execute(
        "INSERT OR REPLACE INTO surveys (survey_id, version, definition, added_at) VALUES (?1, ?2, ?3, ?4)",
        params![survey.id(), survey.version(), json, now],
    )?;
    // Answer columns: every value field, top level in `households` (`visits`), repeat fields
    // in the repeat's table. A column is added when a version brings a new field; none is
    // dropped.
    let mut tables: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    for it in survey.items().iter().filter(|it| it.has_value()) {
        let table = survey.repeat_of(it).map_or_else(|| kind.current().to_string(), |r| kind.repeat_table(&r.name));
        tables.entry(table).or_default().push(it);
    }
    for r in survey.items().iter().filter(|it| it.is_repeat()) {
        tables.entry(kind.repeat_table(&r.name)).or_default();
    }
    for (table, items) in tables {
        tx.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {t} ({id} TEXT NOT NULL, _member INTEGER NOT NULL, PRIMARY KEY ({id}, _member));",
            t = ident(&table),
            id = kind.current_id()
        ))?;
        let have: HashSet<String> = {
            let mut st = tx.prepare(&format!("SELECT name FROM pragma_table_info({})", sql_text(&table)))?;
            let names = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
            names
        };
        for it in items {
            if !have.contains(&it.name) {
                tx.execute_batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    ident(&table),
                    ident(&it.name),
                    column_type(it)
                ))?;
            }
        }
    }
    // Labels: the newest survey's wording wins.
    let dict = survey_core::exchange::dictionary(survey);
    for (i, f) in dict.fields.iter().enumerate() {
        tx.execute(
            &format!("INSERT OR REPLACE INTO {} (name, type, list, repeat, calculated, label_zh, label_ii, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", kind.fields()),
            params![
                f.name,
                f.kind,
                f.list,
                f.repeat,
                f.calculated,
                f.label.as_ref().map(|l| &l.zh),
                f.label.as_ref().map(|l| &l.ii),
                i as i64
            ],
        )?;
    }
    for (list, choices) in &dict.choices {
        for (i, c) in choices.iter().enumerate() {
            tx.execute(
                &format!("INSERT OR REPLACE INTO {} (list_name, name, label_zh, label_ii, position) VALUES (?1, ?2, ?3, ?4, ?5)", kind.choices()),
                params![list, c.name, c.label.zh, c.label.ii, i as i64],
            )?;
        }
    }
    Ok(())
}

/// An SQL string literal.
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Every version of record `id` that is still a head (not replaced), oldest first.
pub fn heads(tx: &Connection, kind: Kind, id: &str) -> Result<Vec<StoredVersion>> {
    versions_where(tx, kind, id, true)
}

/// Every version of record `id`, oldest first.
pub fn all_versions(tx: &Connection, kind: Kind, id: &str) -> Result<Vec<StoredVersion>> {
    versions_where(tx, kind, id, false)
}

fn versions_where(tx: &Connection, kind: Kind, id: &str, heads_only: bool) -> Result<Vec<StoredVersion>> {
    let sql = format!(
        "SELECT version_id, {json}, head, modified_ms FROM {table} WHERE {id} = ?1{heads} ORDER BY version_id",
        json = kind.json_column(),
        table = kind.versions(),
        id = kind.id_column(),
        heads = if heads_only { " AND head = 1" } else { "" }
    );
    let mut st = tx.prepare_cached(&sql)?;
    let rows = st.query_map([id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, Option<i64>>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (version_id, json, head, modified_ms) = row?;
        let household: Household = serde_json::from_str(&json)
            .map_err(|e| crate::Error::Message(format!("version {version_id}: {e}")))?;
        out.push(StoredVersion { version_id, household, head, modified_ms });
    }
    Ok(out)
}

/// Stores a new version; returns its id.
pub fn insert_version(tx: &Transaction<'_>, kind: Kind, h: &Household, file_id: i64, relation: &str, head: bool) -> Result<i64> {
    let json = serde_json::to_string(h).map_err(|e| crate::Error::Message(e.to_string()))?;
    let mut st = tx.prepare_cached(&format!(
        "INSERT INTO {} ({}, file_id, relation, head, current, status, survey_version, created, modified, modified_ms, device, enumerator_name, {})
         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        kind.versions(),
        kind.id_column(),
        kind.json_column()
    ))?;
    st.execute(params![
        h.id,
        file_id,
        relation,
        head,
        status_name(h),
        h.survey_version,
        h.created,
        h.modified,
        instant(&h.modified),
        h.device,
        h.enumerator.as_ref().map(|e| &e.name),
        json
    ])?;
    let version_id = tx.last_insert_rowid();
    if kind == Kind::Visit {
        // The household visited (queryable without the JSON).
        tx.prepare_cached("UPDATE visit_versions SET household_id = ?2 WHERE version_id = ?1")?
            .execute(params![version_id, h.household_id])?;
    }
    Ok(version_id)
}

fn status_name(h: &Household) -> &'static str {
    match h.status {
        survey_core::Status::Draft => "draft",
        survey_core::Status::Finalized => "finalized",
        survey_core::Status::Exported => "exported",
    }
}

/// Marks versions as no longer heads (replaced by a continuation, or dropped by a clerk).
pub fn retire(tx: &Transaction<'_>, kind: Kind, version_ids: &[i64]) -> Result<()> {
    let mut st = tx.prepare_cached(&format!("UPDATE {} SET head = 0 WHERE version_id = ?1", kind.versions()))?;
    for v in version_ids {
        st.execute([v])?;
    }
    Ok(())
}

/// Makes the newest head (by `modified`, then arrival) current and rebuilds the record's
/// rows in the current view. Returns the number of heads (2 or more: a conflict).
pub fn refresh_current(tx: &Transaction<'_>, kind: Kind, surveys: &Surveys, id: &str, cx: &Context) -> Result<usize> {
    let heads = heads(tx, kind, id)?;
    let Some(cur) = heads
        .iter()
        .max_by_key(|v| (v.modified_ms.unwrap_or(i64::MIN), v.version_id))
    else {
        return Ok(0);
    };
    let table = kind.versions();
    tx.prepare_cached(&format!("UPDATE {table} SET current = 0 WHERE {} = ?1 AND current = 1", kind.id_column()))?.execute([id])?;
    tx.prepare_cached(&format!("UPDATE {table} SET current = 1 WHERE version_id = ?1"))?.execute([cur.version_id])?;
    write_current(tx, kind, surveys, cur, heads.len(), cx)?;
    Ok(heads.len())
}

fn write_current(tx: &Transaction<'_>, kind: Kind, surveys: &Surveys, v: &StoredVersion, heads: usize, cx: &Context) -> Result<()> {
    let h = &v.household;
    let (file_id,): (i64,) = tx
        .prepare_cached(&format!("SELECT file_id FROM {} WHERE version_id = ?1", kind.versions()))?
        .query_row([v.version_id], |r| Ok((r.get(0)?,)))?;
    let Some((survey, _exact)) = surveys.for_household(&h.survey_id, &h.survey_version) else {
        return Err(crate::Error::Message(format!("{}: {}", h.survey_id, t("bureau.refused.no_survey").both())));
    };
    let ev = survey.evaluate_record(&h.record, cx);
    let answers = ev.export_answers();

    // Remove the record's rows from every table of the current view.
    let (current, current_id) = (kind.current(), kind.current_id());
    tx.prepare_cached(&format!("DELETE FROM {current} WHERE {current_id} = ?1"))?.execute([&h.id])?;
    tx.prepare_cached(&format!("DELETE FROM {} WHERE {} = ?1", kind.issues(), kind.id_column()))?.execute([&h.id])?;
    for r in survey.items().iter().filter(|it| it.is_repeat()) {
        tx.prepare_cached(&format!("DELETE FROM {} WHERE {current_id} = ?1", ident(&kind.repeat_table(&r.name))))?
            .execute([&h.id])?;
    }

    let errors = ev.errors().count() as i64;
    let warnings = ev.unacknowledged_warnings().count() as i64;
    let acknowledged = ev.warnings().filter(|i| i.acknowledged).count() as i64;
    let (en, ep, eu) = h.enumerator.as_ref().map_or((None, None, None), |e| (Some(&e.name), Some(&e.phone), Some(&e.unit)));

    // households (visits): kit columns, then the answers (relevant answers and calculated
    // values, as exported) of fields this survey has.
    let mut cols: Vec<String> = [
        current_id, "_version_id", "_status", "_survey_version", "_validated_with", "_created", "_modified",
        "_finalized", "_exported", "_enumerator_name", "_enumerator_phone", "_enumerator_unit", "_device", "_file_id",
        "_errors", "_warnings", "_acknowledged", "_conflict",
    ]
    .iter()
    .map(|c| ident(c))
    .collect();
    let mut vals: Vec<rusqlite::types::Value> = vec![
        h.id.clone().into(),
        v.version_id.into(),
        status_name(h).to_string().into(),
        h.survey_version.clone().into(),
        survey.version().to_string().into(),
        h.created.clone().into(),
        h.modified.clone().into(),
        opt(h.finalized.clone()),
        opt(h.exported.clone()),
        opt(en.cloned()),
        opt(ep.cloned()),
        opt(eu.cloned()),
        h.device.clone().into(),
        file_id.into(),
        errors.into(),
        warnings.into(),
        acknowledged.into(),
        (heads as i64 - 1).into(),
    ];
    if kind == Kind::Visit {
        // The household visited.
        cols.push(ident("_household_id"));
        vals.push(opt(h.household_id.clone()));
    }
    // Every value field of the survey, in form order (blank: NULL), so that the statement
    // is the same for every household of a survey version.
    let null = rusqlite::types::Value::Null;
    for it in survey.items().iter().filter(|it| it.has_value() && survey.repeat_of(it).is_none()) {
        cols.push(ident(&it.name));
        vals.push(answers.values.get(&it.name).map_or(null.clone(), |v| v.clone().into()));
    }
    insert_row(tx, current, &cols, vals)?;

    for r in survey.items().iter().filter(|it| it.is_repeat()) {
        let Some(members) = answers.repeats.get(&r.name) else { continue };
        let table = kind.repeat_table(&r.name);
        let fields: Vec<&Item> = survey
            .items()
            .iter()
            .filter(|it| it.has_value() && survey.repeat_of(it).is_some_and(|x| x.id == r.id))
            .collect();
        let mut cols = vec![ident(current_id), ident("_member")];
        cols.extend(fields.iter().map(|it| ident(&it.name)));
        for (i, m) in members.iter().enumerate() {
            let mut vals: Vec<rusqlite::types::Value> = vec![h.id.clone().into(), (i as i64 + 1).into()];
            vals.extend(fields.iter().map(|it| m.get(&it.name).map_or(null.clone(), |v| v.clone().into())));
            insert_row(tx, &table, &cols, vals)?;
        }
    }

    let mut st = tx.prepare_cached(&format!(
        "INSERT INTO {} ({}, version_id, path, repeat, member, field, severity, rule, acknowledged, reason, message_zh, message_ii)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        kind.issues(),
        kind.id_column()
    ))?;
    for i in ev.issues() {
        let (zh, ii) = match &i.message {
            Message::Text(text) => (text.zh.clone(), text.get(survey_core::Lang::Ii).to_string()),
            Message::Code(c) => {
                let m = t(&format!("form.code.{}", c.as_str()));
                (m.zh, m.ii)
            }
        };
        let reason = h.record.acks.get(&i.path).and_then(|a| a.reason.clone());
        st.execute(params![
            h.id,
            v.version_id,
            i.path.to_string(),
            i.path.member.as_ref().map(|(r, _)| r.clone()),
            i.path.member.as_ref().map(|(_, m)| *m as i64 + 1),
            i.path.field,
            if i.severity == Severity::Error { "error" } else { "warning" },
            i.rule.name(),
            i.acknowledged,
            reason,
            zh,
            ii
        ])?;
    }
    Ok(())
}

fn opt(s: Option<String>) -> rusqlite::types::Value {
    s.map_or(rusqlite::types::Value::Null, rusqlite::types::Value::from)
}

fn insert_row(tx: &Transaction<'_>, table: &str, cols: &[String], vals: Vec<rusqlite::types::Value>) -> Result<()> {
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {} ({}) VALUES ({})", ident(table), cols.join(", "), marks.join(", "));
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(vals))?;
    Ok(())
}
