//! Export to the bureau and import back (the home screen's exchange panel).
//!
//! - Export: the finalized households not yet exported, every finalized household, a
//!   chosen set, or everything as a backup → one JSON file in the documented format
//!   (`docs/export-format.md`, built by [`survey_core::exchange`]), downloaded, or shared
//!   where the browser can share files. The visits (走访记录) of the same scope travel
//!   beside the households (a file may hold visits alone). The households and visits in
//!   the file are marked exported (saved through [`DraftStore`] and [`VisitStore`]). CSV
//!   tables (households, members, visits) for Excel/WPS are separate downloads.
//! - Import: a JSON file made by the kit is checked first (a refused file changes
//!   nothing, and says why in both languages), then previewed by the core's merge rule
//!   (new, identical, continues the tablet's version, older, or a conflict — edited
//!   independently, shown question by question), then merged as the user chooses: a
//!   conflict is never resolved by default (keep the tablet's, take the file's, or keep
//!   both, the file's as a marked copy). Visits are previewed and merged by the same rule
//!   and the same choices.
//!
//! Every string comes from the `exchange` locale namespace; text from files (names, ids)
//! is only ever shown as text.
pub mod browser;
pub mod crypto;
pub mod logic;
pub mod zip;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use survey_core::envelope::{self, Envelope, EnvelopeError, Protection};
use survey_core::exchange::{
    chosen, Difference, ExportKind, ImportError, Match, MergeChoice, RecordProblem, Resolution,
};

use crate::drafts::{local_time, status_text, DraftStore, HouseholdSummary, VisitStore};
use crate::i18n::{Bi, TextOf, T};
use crate::{clock, tr};
use logic::{Checked, MergeReport, Prepared, Scope};

/// The message of an import error code.
pub fn error_text(e: &ImportError) -> Bi {
    match e {
        ImportError::TooLarge { .. } => tr!(exchange.error.too_large),
        ImportError::NotJson { .. } => tr!(exchange.error.not_json),
        ImportError::NotExport => tr!(exchange.error.not_export),
        ImportError::FutureVersion { .. } => tr!(exchange.error.future_version),
        ImportError::WrongSurvey { .. } => tr!(exchange.error.wrong_survey),
        ImportError::NoHouseholds => tr!(exchange.error.no_households),
        ImportError::Incomplete { .. } => tr!(exchange.error.incomplete),
        ImportError::BrokenRecords { .. } => tr!(exchange.error.broken_records),
        ImportError::NoRoom { .. } => tr!(exchange.error.no_room),
    }
}

/// The message of an encrypted file's (or the encryption's) error code.
pub fn envelope_text(e: &EnvelopeError) -> Bi {
    match e {
        EnvelopeError::Truncated => tr!(exchange.envelope.truncated),
        EnvelopeError::Malformed => tr!(exchange.envelope.malformed),
        EnvelopeError::UnsupportedAlgorithm => tr!(exchange.envelope.unsupported_algorithm),
        EnvelopeError::NotEnvelope => tr!(exchange.envelope.not_envelope),
        EnvelopeError::ForBureau => tr!(exchange.envelope.for_bureau),
        EnvelopeError::IsBackup => tr!(exchange.envelope.is_backup),
        EnvelopeError::WrongKey => tr!(exchange.envelope.wrong_key),
        EnvelopeError::WrongPassphrase => tr!(exchange.envelope.wrong_passphrase),
        EnvelopeError::Tampered => tr!(exchange.envelope.tampered),
        EnvelopeError::HeaderMismatch => tr!(exchange.envelope.header_mismatch),
        EnvelopeError::BadPublicKey => tr!(exchange.envelope.bad_public_key),
        EnvelopeError::BadPrivateKey => tr!(exchange.envelope.bad_private_key),
        EnvelopeError::PassphraseShort => tr!(exchange.envelope.passphrase_short),
        EnvelopeError::PassphraseMismatch => tr!(exchange.envelope.passphrase_mismatch),
        EnvelopeError::NoWebCrypto => tr!(exchange.envelope.no_webcrypto),
        EnvelopeError::CryptoFailed => tr!(exchange.envelope.crypto_failed),
    }
}

/// The message of a broken household's problem.
pub fn problem_text(p: RecordProblem) -> Bi {
    match p {
        RecordProblem::Unreadable => tr!(exchange.problem.unreadable),
        RecordProblem::MissingId => tr!(exchange.problem.missing_id),
        RecordProblem::DuplicateId => tr!(exchange.problem.duplicate_id),
        RecordProblem::BadTime => tr!(exchange.problem.bad_time),
        RecordProblem::BadValue => tr!(exchange.problem.bad_value),
        RecordProblem::BadPath => tr!(exchange.problem.bad_path),
        RecordProblem::WrongSurvey => tr!(exchange.problem.wrong_survey),
        RecordProblem::MissingHousehold => tr!(exchange.problem.missing_household),
    }
}

/// The label of a preview category.
pub fn match_text(m: Match) -> Bi {
    match m {
        Match::New => tr!(exchange.import.new),
        Match::Identical => tr!(exchange.import.identical),
        Match::Continues => tr!(exchange.import.continues),
        Match::Superseded => tr!(exchange.import.superseded),
        Match::Conflict => tr!(exchange.import.conflict),
    }
}

/// The label of a conflict's resolution.
pub fn resolution_text(r: Resolution) -> Bi {
    match r {
        Resolution::KeepTablet => tr!(exchange.import.keep_tablet),
        Resolution::TakeFile => tr!(exchange.import.take_file),
        Resolution::KeepBoth => tr!(exchange.import.keep_both),
    }
}

/// Stable name of a resolution (test ids).
pub fn resolution_name(r: Resolution) -> &'static str {
    match r {
        Resolution::KeepTablet => "keep-tablet",
        Resolution::TakeFile => "take-file",
        Resolution::KeepBoth => "keep-both",
    }
}

fn scope_text(s: Scope) -> Bi {
    match s {
        Scope::New => tr!(exchange.export.scope_new),
        Scope::Finalized => tr!(exchange.export.scope_finalized),
        Scope::Chosen => tr!(exchange.export.scope_chosen),
        Scope::Backup => tr!(exchange.export.scope_backup),
    }
}

fn match_name(m: Match) -> &'static str {
    match m {
        Match::New => "new",
        Match::Identical => "identical",
        Match::Continues => "continues",
        Match::Superseded => "superseded",
        Match::Conflict => "conflict",
    }
}

/// What the last export did.
#[derive(Debug, Clone, PartialEq)]
enum ExportOutcome {
    Done {
        name: String,
        count: usize,
        /// Visits in the file.
        visits: usize,
        shared: bool,
        unsaved: Vec<String>,
        damaged: usize,
        protection: Protection,
        /// Photos referenced but not on this tablet (not in the file).
        missing: Vec<String>,
    },
    Csv { names: Vec<String> },
    /// Encrypting (WebCrypto works asynchronously; a backup's key derivation takes ~0.5 s).
    Working,
    /// Reading the photos and writing the zip of a plain file.
    Packing,
    /// Not written: why (no WebCrypto, a passphrase problem, a bad key).
    Refused(EnvelopeError),
    Empty,
    Failed,
    ShareFailed,
}

/// Where the import is.
#[derive(Debug, Clone, PartialEq)]
enum ImportState {
    Idle,
    Reading,
    Refused(ImportError),
    Unreadable,
    Preview(Arc<Checked>),
    Done(MergeReport),
    Nothing,
    /// A file refused as an encrypted file (or a bureau envelope, which a tablet cannot open).
    EnvelopeRefused(EnvelopeError),
    /// A passphrase-protected backup: waiting for the passphrase (and why the last one
    /// did not open it), or opening it.
    Sealed { envelope: Arc<Envelope>, error: Option<EnvelopeError>, opening: bool },
    /// A zip whose photos are refused, or could not be stored (nothing stored).
    PhotoRefused(zip::PhotoProblem),
}

/// Hands an export file over (download, or share) and then saves the exported marks;
/// `file` is the file as written (plain or an envelope, or the zip with photos),
/// `encrypt_ms` the time encryption (and reading the photos) took.
fn hand_over(
    (store, visit_store): (DraftStore, VisitStore),
    outcome: RwSignal<Option<ExportOutcome>>,
    p: Prepared,
    file: zip::Bundle,
    share: bool,
    protection: Protection,
    encrypt_ms: f64,
) {
    let t0 = clock::perf_now();
    let (count, visits) = (p.households.len(), p.visits.len());
    let (name, damaged, missing) = (file.name.clone(), p.damaged, file.missing.clone());
    let plain_bytes = p.text.len();
    let [(a, read_ms), (b, build_ms)] = p.timings;
    // The marks are saved in a task of their own, so the browser starts the download
    // (or the share sheet) first.
    let finish = move |shared: bool| {
        set_timeout(
            move || {
                let t = clock::perf_now();
                let unsaved: Vec<String> =
                    logic::save_marks(&store, &visit_store, &p).into_iter().map(|(id, _)| id).collect();
                let saved_ms = clock::perf_now() - t;
                browser::record_timings(
                    "export",
                    &[("households", count as f64), ("visits", visits as f64), ("save_marks", saved_ms), ("marks_at", t)],
                );
                let _ = outcome.try_set(Some(ExportOutcome::Done {
                    name,
                    count,
                    visits,
                    shared,
                    unsaved,
                    damaged,
                    protection,
                    missing,
                }));
            },
            std::time::Duration::ZERO,
        );
    };
    if share {
        let r = browser::share(&file.name, &file.bytes, file.mime, move |ok| {
            if ok {
                finish(true);
            } else {
                let _ = outcome.try_set(Some(ExportOutcome::ShareFailed));
            }
        });
        if r.is_err() {
            outcome.set(Some(ExportOutcome::ShareFailed));
        }
        return;
    }
    if browser::download_bytes(&file.name, &file.bytes, file.mime).is_err() {
        outcome.set(Some(ExportOutcome::Failed));
        return;
    }
    let download_ms = clock::perf_now() - t0;
    browser::record_timings(
        "export_file",
        &[
            (a, read_ms),
            (b, build_ms),
            ("encrypt", encrypt_ms),
            ("download", download_ms),
            ("bytes", file.bytes.len() as f64),
            ("plain_bytes", plain_bytes as f64),
            ("started_at", t0 - encrypt_ms - read_ms - build_ms),
            ("handed_at", t0 + download_ms),
        ],
    );
    finish(false);
}

/// The exchange panel of the home screen: export (JSON, share, CSV) and import (check,
/// preview, merge). Needs the [`DraftStore`] and [`VisitStore`] contexts (it creates them
/// when absent).
#[component]
pub fn ExchangePanel() -> impl IntoView {
    let store = DraftStore::use_context();
    let visit_store = VisitStore::use_context();
    let summaries = Memo::new(move |_| {
        store.revision.track();
        store.unsaved.track();
        store.list()
    });
    // The visits (status and household) that the scopes count; none without a visit log.
    let visit_summaries = Memo::new(move |_| {
        visit_store.revision.track();
        visit_store.unsaved.track();
        let list = if crate::forms::visit().is_some() { visit_store.list() } else { Vec::new() };
        list.into_iter().filter(|v| !v.damaged).map(|v| (v.status, v.household_id)).collect::<Vec<_>>()
    });
    let (scope, set_scope) = signal(Scope::default());
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let outcome = RwSignal::new(None::<ExportOutcome>);
    let can_share = browser::can_share_files();
    // Encryption (a survey with a `public_key`): the backup's passphrase, typed twice, and
    // the deliberate choice of plain text for backups and CSV tables.
    let encrypted = logic::public_key().is_some();
    let (pass1, set_pass1) = signal(String::new());
    let (pass2, set_pass2) = signal(String::new());
    let (plain_chosen, set_plain_chosen) = signal(false);
    let csv_on = move || logic::csv_allowed(plain_chosen.get());

    let count = move |s: Scope| {
        summaries.with(|all| {
            chosen.with(|c| all.iter().filter(|h| !h.damaged && s.takes(h.status, &h.id, c)).count())
        })
    };
    let visit_count = move |s: Scope| {
        visit_summaries.with(|all| chosen.with(|c| all.iter().filter(|(st, h)| s.takes_visit(*st, h.as_deref(), c)).count()))
    };

    let deliver = move |share: bool| {
        if matches!(outcome.get_untracked(), Some(ExportOutcome::Working | ExportOutcome::Packing)) {
            return;
        }
        let scope = scope.get_untracked();
        let protection = logic::protection(scope, plain_chosen.get_untracked());
        let passphrase = pass1.get_untracked();
        if protection == Protection::Passphrase {
            if let Err(e) = envelope::check_new_passphrase(&passphrase, &pass2.get_untracked()) {
                outcome.set(Some(ExportOutcome::Refused(e)));
                return;
            }
        }
        if protection != Protection::Plain && !crypto::available() {
            // Never a plain file instead.
            outcome.set(Some(ExportOutcome::Refused(EnvelopeError::NoWebCrypto)));
            return;
        }
        let Some(p) = logic::prepare_json(&store, &visit_store, scope, &chosen.get_untracked()) else {
            outcome.set(Some(ExportOutcome::Empty));
            return;
        };
        let key = logic::public_key().unwrap_or_default();
        if protection == Protection::Plain && zip::referenced(&p).is_empty() {
            let file = zip::Bundle { name: p.name.clone(), bytes: p.text.clone().into_bytes(), mime: browser::JSON_TYPE, missing: Vec::new() };
            hand_over((store, visit_store), outcome, p, file, share, protection, 0.0);
            return;
        }
        outcome.set(Some(if protection == Protection::Plain { ExportOutcome::Packing } else { ExportOutcome::Working }));
        spawn_local(async move {
            let t0 = clock::perf_now();
            let sealed = zip::bundle(&p, protection, key, &passphrase).await;
            let encrypt_ms = clock::perf_now() - t0;
            match sealed {
                Ok(file) => hand_over((store, visit_store), outcome, p, file, share, protection, encrypt_ms),
                Err(e) => {
                    let _ = outcome.try_set(Some(ExportOutcome::Refused(e)));
                }
            }
        });
    };

    let csv = move |which: logic::Table| {
        if !logic::csv_allowed(plain_chosen.get_untracked()) {
            return;
        }
        match logic::prepare_csv(&store, &visit_store, scope.get_untracked(), &chosen.get_untracked(), which) {
            None => outcome.set(Some(ExportOutcome::Empty)),
            Some((name, text)) => match browser::download(&name, &text, browser::CSV_TYPE) {
                Ok(()) => outcome.set(Some(ExportOutcome::Csv { names: vec![name] })),
                Err(_) => outcome.set(Some(ExportOutcome::Failed)),
            },
        }
    };
    let has_visits = move || visit_summaries.with(|v| !v.is_empty());

    let scope_choice = move |s: Scope| {
        let id = format!("export-scope-{}", s.name());
        view! {
            <label class="exchange-scope">
                <input
                    type="radio"
                    name="export-scope"
                    data-testid=id
                    prop:checked=move || scope.get() == s
                    on:change=move |_| {
                        set_scope.set(s);
                        outcome.set(None);
                    }
                />
                <T text=scope_text(s) />
                " "
                <span class="exchange-count" data-testid=format!("export-count-{}", s.name())>{move || count(s)}</span>
                " "
                <T text=tr!(exchange.export.households) />
                <Show when=has_visits>
                    " · "
                    <span class="exchange-count" data-testid=format!("export-visit-count-{}", s.name())>
                        {move || visit_count(s)}
                    </span>
                    " "
                    <T text=tr!(exchange.export.visits) />
                </Show>
            </label>
        }
    };

    let pick_row = move |s: HouseholdSummary| {
        let id = s.id.clone();
        let id2 = id.clone();
        let id3 = id.clone();
        let head = if s.head_name.is_empty() {
            view! { <T text=tr!(exchange.export.unnamed) /> }.into_any()
        } else {
            s.head_name.clone().into_any()
        };
        view! {
            <li>
                <label>
                    <input
                        type="checkbox"
                        data-testid=format!("export-pick-{id}")
                        prop:checked=move || chosen.with(|c| c.contains(&id2))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                if on {
                                    c.insert(id3.clone());
                                } else {
                                    c.remove(&id3);
                                }
                            });
                            outcome.set(None);
                        }
                    />
                    <span class="exchange-head">{head}</span>
                    " "
                    <span class="exchange-status"><T text=status_text(s.status) /></span>
                    " "
                    <span class="exchange-time">{local_time(&s.modified)}</span>
                </label>
            </li>
        }
    };

    let outcome_view = move || {
        outcome.get().map(|o| match o {
            ExportOutcome::Done { name, count, visits, shared, unsaved, damaged, protection, missing } => view! {
                <div class="exchange-result" role="status" data-testid="export-result">
                    <p>
                        {if shared {
                            view! { <T text=tr!(exchange.export.shared) /> }.into_any()
                        } else {
                            view! { <T text=tr!(exchange.export.done) /> }.into_any()
                        }}
                        " "
                        <span data-testid="export-count">{count}</span>
                        " "
                        <T text=tr!(exchange.export.households) />
                        {(visits > 0).then(|| view! {
                            " · "
                            <span data-testid="export-visit-count">{visits}</span>
                            " "
                            <T text=tr!(exchange.export.visits) />
                        })}
                        " · "
                        <code data-testid="export-file-name">{name}</code>
                    </p>
                    {encrypted.then(|| {
                        let (code, text) = match protection {
                            Protection::Bureau => ("bureau", tr!(exchange.secure.encrypted)),
                            Protection::Passphrase => ("passphrase", tr!(exchange.secure.backup_encrypted)),
                            Protection::Plain => ("plain", tr!(exchange.secure.plain_written)),
                        };
                        view! { <p class="exchange-hint" data-testid="export-protection" data-protection=code><T text=text /></p> }
                    })}
                    <p class="exchange-hint"><T text=tr!(exchange.export.again_hint) /></p>
                    <Show when={
                        let n = unsaved.len();
                        move || n > 0
                    }>
                        <p class="exchange-error" role="alert" data-testid="export-save-failed">
                            <T text=tr!(exchange.export.save_failed) />
                            " "
                            {unsaved.join(", ")}
                        </p>
                    </Show>
                    <Show when={move || damaged > 0}>
                        <p class="exchange-warning" data-testid="export-damaged-note">
                            <T text=tr!(exchange.export.damaged_note) />
                        </p>
                    </Show>
                    {(!missing.is_empty()).then(|| view! {
                        <p class="exchange-warning" role="alert" data-testid="export-missing-photos">
                            <T text=tr!(exchange.zip.missing_export) />
                            " "
                            {missing.join(", ")}
                        </p>
                    })}
                </div>
            }
            .into_any(),
            ExportOutcome::Csv { names } => view! {
                <p class="exchange-result" role="status" data-testid="export-result">
                    <T text=tr!(exchange.export.csv_done) />
                    " "
                    <code data-testid="export-file-name">{names.join(", ")}</code>
                </p>
            }
            .into_any(),
            ExportOutcome::Working => view! {
                <p class="exchange-hint" role="status" data-testid="export-working"><T text=tr!(exchange.secure.working) /></p>
            }
            .into_any(),
            ExportOutcome::Refused(e) => view! {
                <p class="exchange-error" role="alert" data-testid="export-refused" data-code=e.code()>
                    <T text=envelope_text(&e) />
                </p>
            }
            .into_any(),
            ExportOutcome::Packing => view! {
                <p class="exchange-hint" role="status" data-testid="export-working"><T text=tr!(exchange.zip.working) /></p>
            }
            .into_any(),
            ExportOutcome::Empty => view! {
                <p class="exchange-warning" role="status" data-testid="export-empty"><T text=tr!(exchange.export.empty) /></p>
            }
            .into_any(),
            ExportOutcome::Failed => view! {
                <p class="exchange-error" role="alert" data-testid="export-failed"><T text=tr!(exchange.export.failed) /></p>
            }
            .into_any(),
            ExportOutcome::ShareFailed => view! {
                <p class="exchange-warning" role="status" data-testid="share-failed"><T text=tr!(exchange.export.share_failed) /></p>
            }
            .into_any(),
        })
    };

    view! {
        <section class="exchange" data-testid="exchange-panel" aria-labelledby="exchange-title">
            <h2 id="exchange-title"><T text=tr!(exchange.title) /></h2>
            <div class="exchange-export">
                <h3><T text=tr!(exchange.export.heading) /></h3>
                <fieldset class="exchange-scopes">
                    <legend><T text=tr!(exchange.export.scope) /></legend>
                    {Scope::ALL.into_iter().map(scope_choice).collect_view()}
                </fieldset>
                // Damaged entries are in no choice: said before exporting, not only after.
                <Show when=move || summaries.with(|all| all.iter().any(|s| s.damaged))>
                    <p class="exchange-warning" role="status" data-testid="export-damaged-listed">
                        <T text=tr!(exchange.export.damaged_note) />
                    </p>
                </Show>
                <Show when=move || scope.get() == Scope::Chosen>
                    <p class="exchange-hint"><T text=tr!(exchange.export.pick_hint) /></p>
                    <ul class="exchange-picks" data-testid="export-picks">
                        <For
                            each={move || summaries.get().into_iter().filter(|s| !s.damaged).collect::<Vec<_>>()}
                            key=|s| (s.id.clone(), s.status)
                            children=pick_row
                        />
                    </ul>
                </Show>
                {encrypted.then(|| view! {
                    <p class="exchange-hint" data-testid="export-encrypted-note"><T text=tr!(exchange.secure.note) /></p>
                    <Show when=move || scope.get() == Scope::Backup && !plain_chosen.get()>
                        <div class="exchange-passphrase" data-testid="backup-passphrase">
                            <PassphraseField
                                label=tr!(exchange.secure.passphrase)
                                testid="backup-passphrase-1"
                                autocomplete="new-password"
                                value=(pass1, set_pass1)
                            />
                            <PassphraseField
                                label=tr!(exchange.secure.passphrase_again)
                                testid="backup-passphrase-2"
                                autocomplete="new-password"
                                value=(pass2, set_pass2)
                            />
                            <p class="exchange-hint"><T text=tr!(exchange.secure.passphrase_hint) /></p>
                        </div>
                    </Show>
                    <label class="exchange-choice exchange-plain">
                        <input
                            type="checkbox"
                            data-testid="export-plain"
                            prop:checked=move || plain_chosen.get()
                            on:change=move |ev| {
                                set_plain_chosen.set(event_target_checked(&ev));
                                outcome.set(None);
                            }
                        />
                        <T text=tr!(exchange.secure.plain_choice) />
                    </label>
                })}
                <div class="exchange-actions">
                    <button type="button" class="primary" data-testid="export-json" on:click=move |_| deliver(false)>
                        <T text=tr!(exchange.export.json) />
                    </button>
                    {can_share.then(|| view! {
                        <button type="button" data-testid="export-share" on:click=move |_| deliver(true)>
                            <T text=tr!(exchange.export.share) />
                        </button>
                    })}
                    <Show when=csv_on>
                        <button type="button" data-testid="export-csv-households" on:click=move |_| csv(logic::Table::Households)>
                            <T text=tr!(exchange.export.csv_households) />
                        </button>
                        <button type="button" data-testid="export-csv-members" on:click=move |_| csv(logic::Table::Members)>
                            <T text=tr!(exchange.export.csv_members) />
                        </button>
                        <Show when=has_visits>
                            <button type="button" data-testid="export-csv-visits" on:click=move |_| csv(logic::Table::Visits)>
                                <T text=tr!(exchange.export.csv_visits) />
                            </button>
                        </Show>
                    </Show>
                </div>
                <Show
                    when=csv_on
                    fallback=|| view! { <p class="exchange-hint" data-testid="export-csv-off"><T text=tr!(exchange.secure.csv_off) /></p> }
                >
                    <p class="exchange-hint"><T text=tr!(exchange.export.csv_hint) /></p>
                </Show>
                {outcome_view}
            </div>
            <ImportSection store=store visit_store=visit_store />
        </section>
    }
}

/// A labelled password input bound to a signal pair.
#[component]
fn PassphraseField(
    /// The label.
    label: Bi,
    /// Test id of the input.
    testid: &'static str,
    /// `new-password` (export) or `current-password` (import).
    autocomplete: &'static str,
    /// The value and its setter.
    value: (ReadSignal<String>, WriteSignal<String>),
) -> impl IntoView {
    let (get, set) = value;
    view! {
        <label>
            <T text=label />
            <input
                type="password"
                autocomplete=autocomplete
                data-testid=testid
                prop:value=move || get.get()
                on:input=move |ev| set.set(event_target_value(&ev))
            />
        </label>
    }
}

/// Why a zip's photos are refused, in both languages.
fn photo_problem_text(p: zip::PhotoProblem) -> Bi {
    match p {
        zip::PhotoProblem::BadZip => tr!(exchange.zip.bad_zip),
        zip::PhotoProblem::BadPhoto => tr!(exchange.zip.bad_photo),
        zip::PhotoProblem::PhotoFailed => tr!(exchange.zip.photo_failed),
    }
}

/// A plain file checked and compared with the tablet: the preview, or why it is refused.
fn checked_state(store: &DraftStore, visit_store: &DraftStore, bytes: &[u8]) -> ImportState {
    match logic::check_file(store, visit_store, bytes) {
        Ok(checked) => ImportState::Preview(Arc::new(checked)),
        Err(e) => ImportState::Refused(e),
    }
}

/// One conflict in the preview: what differs, question by question (the survey's labels,
/// in the current language), and the three ways to resolve it; keeping the tablet's
/// version is chosen until the enumerator picks another.
fn conflict_view(
    id: String,
    tablet_readable: bool,
    diffs: Vec<Difference>,
    resolutions: RwSignal<BTreeMap<String, Resolution>>,
) -> impl IntoView {
    let no_answer = || view! { <span class="exchange-none"><T text=tr!(exchange.import.no_answer) /></span> };
    let value = move |v: Option<survey_core::Text>| match v {
        Some(t) => view! { <TextOf text=t /> }.into_any(),
        None => no_answer().into_any(),
    };
    let table = if !tablet_readable {
        view! { <p class="exchange-warning" data-testid="conflict-unreadable"><T text=tr!(exchange.import.tablet_unreadable) /></p> }
            .into_any()
    } else if diffs.is_empty() {
        view! { <p class="exchange-hint" data-testid="conflict-same-answers"><T text=tr!(exchange.import.same_answers) /></p> }
            .into_any()
    } else {
        view! {
            <table class="exchange-diff" data-testid=format!("conflict-diff-{id}")>
                <thead>
                    <tr>
                        <th><T text=tr!(exchange.import.question) /></th>
                        <th><T text=tr!(exchange.import.on_tablet) /></th>
                        <th><T text=tr!(exchange.import.in_file) /></th>
                    </tr>
                </thead>
                <tbody>
                    {diffs.into_iter().map(|d| view! {
                        <tr data-testid=format!("diff-{}", d.path)>
                            <th scope="row">
                                {d.member.map(|(repeat, n)| view! { <TextOf text=repeat /> " " {n} " · " })}
                                <TextOf text=d.question />
                            </th>
                            <td data-testid="diff-tablet">{value(d.held)}</td>
                            <td data-testid="diff-file">{value(d.incoming)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let option = {
        let id = id.clone();
        move |r: Resolution| {
            let (id_get, id_set) = (id.clone(), id.clone());
            view! {
                <label class="exchange-choice">
                    <input
                        type="radio"
                        name=format!("resolve-{id}")
                        data-testid=format!("resolve-{id}-{}", resolution_name(r))
                        prop:checked=move || resolutions.with(|m| m.get(&id_get).copied().unwrap_or_default() == r)
                        on:change=move |_| resolutions.update(|m| {
                            m.insert(id_set.clone(), r);
                        })
                    />
                    <T text=resolution_text(r) />
                </label>
            }
        }
    };
    view! {
        <div class="exchange-conflict" role="group" data-testid=format!("conflict-{id}")>
            <p class="exchange-warning"><T text=tr!(exchange.import.conflict_hint) /></p>
            {table}
            <fieldset class="exchange-resolutions">
                {[Resolution::KeepTablet, Resolution::TakeFile, Resolution::KeepBoth].into_iter().map(option).collect_view()}
            </fieldset>
        </div>
    }
}

/// The import part of the panel: file input, refusal message, preview and merge.
#[component]
fn ImportSection(
    /// Where households are stored.
    store: DraftStore,
    /// Where visits are stored.
    visit_store: VisitStore,
) -> impl IntoView {
    let state = RwSignal::new(ImportState::Idle);
    let (take_new, set_take_new) = signal(true);
    let (take_newer, set_take_newer) = signal(true);
    // What to do with each conflict (absent: keep the tablet's version).
    let resolutions = RwSignal::new(BTreeMap::<String, Resolution>::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let (import_pass, set_import_pass) = signal(String::new());
    // A zip: its photo entries as read (None: not a zip), then checked (by reference), and
    // the references its households hold that it lacks.
    let zip_entries = RwSignal::new(None::<Arc<BTreeMap<String, Vec<u8>>>>);
    let zip_photos = RwSignal::new(Arc::new(BTreeMap::<String, Vec<u8>>::new()));
    let missing = RwSignal::new(Vec::<String>::new());
    let stored_photos = RwSignal::new(0usize);

    // The plain export file checked; a zip's photos then checked against their references
    // (a backup's opened with its passphrase) before the preview shows.
    let check = move |plain: Vec<u8>, backup: Option<crypto::BackupKey>| {
        let next = checked_state(&store, &visit_store, &plain);
        let entries = zip_entries.get_untracked();
        let (ImportState::Preview(checked), Some(entries)) = (&next, entries) else {
            let _ = state.try_set(next);
            return;
        };
        let checked = checked.clone();
        let _ = state.try_set(ImportState::Reading);
        spawn_local(async move {
            let t0 = clock::perf_now();
            let next = match zip::check_photos(&entries, backup.as_ref()).await {
                Ok(photos) => {
                    missing.set(zip::missing(&checked.file, &photos));
                    zip_photos.set(Arc::new(photos));
                    ImportState::Preview(checked)
                }
                Err(p) => ImportState::PhotoRefused(p),
            };
            browser::record_timings("import_photos", &[("check", clock::perf_now() - t0), ("photos", entries.len() as f64)]);
            let _ = state.try_set(next);
        });
    };

    // A backup envelope: open it with the passphrase typed (WebCrypto), then check it as
    // any plain file. A wrong passphrase leaves the state waiting for another one.
    let open_backup = move || {
        let ImportState::Sealed { envelope, opening: false, .. } = state.get_untracked() else { return };
        state.set(ImportState::Sealed { envelope: envelope.clone(), error: None, opening: true });
        let passphrase = import_pass.get_untracked();
        spawn_local(async move {
            let t0 = clock::perf_now();
            let opened = crypto::open_backup_keyed(&envelope, &passphrase).await;
            browser::record_timings("import_open", &[("open", clock::perf_now() - t0)]);
            match opened {
                Ok((plain, key)) => check(plain, Some(key)),
                Err(e) => {
                    let _ = state.try_set(ImportState::Sealed { envelope, error: Some(e), opening: false });
                }
            }
        });
    };

    let on_file = move |_| {
        let Some(el) = input.get() else { return };
        let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
        // Choosing the same file again must fire `change` again.
        el.set_value("");
        // An encrypted backup is 4/3 of its plain file (base64url); a plain file is checked
        // against MAX_FILE_BYTES once read, and so is the plaintext of a backup. A zip holds
        // photos besides: its own limit, and its file the others.
        if file.size() > zip::MAX_ZIP_BYTES as f64 {
            state.set(ImportState::Refused(ImportError::TooLarge { bytes: file.size() as usize }));
            return;
        }
        state.set(ImportState::Reading);
        let read = browser::read_bytes(&file, move |bytes| {
            let Some(bytes) = bytes else {
                let _ = state.try_set(ImportState::Unreadable);
                return;
            };
            let t0 = clock::perf_now();
            set_import_pass.set(String::new());
            set_take_new.set(true);
            set_take_newer.set(true);
            resolutions.set(BTreeMap::new());
            missing.set(Vec::new());
            stored_photos.set(0);
            zip_photos.set(Arc::new(BTreeMap::new()));
            let total = bytes.len();
            let bytes = if zip::is_zip(&bytes) {
                match zip::read(&bytes) {
                    Some(unpacked) => {
                        zip_entries.set(Some(Arc::new(unpacked.photos)));
                        unpacked.json
                    }
                    None => {
                        let _ = state.try_set(ImportState::PhotoRefused(zip::PhotoProblem::BadZip));
                        return;
                    }
                }
            } else {
                zip_entries.set(None);
                bytes
            };
            if bytes.len() > envelope::MAX_ENVELOPE_BYTES {
                let _ = state.try_set(ImportState::Refused(ImportError::TooLarge { bytes: bytes.len() }));
                return;
            }
            let next = match envelope::for_tablet(&bytes) {
                Ok(None) => {
                    browser::record_timings("import_check", &[("check", clock::perf_now() - t0), ("bytes", total as f64)]);
                    check(bytes, None);
                    return;
                }
                Ok(Some(e)) => ImportState::Sealed { envelope: Arc::new(e), error: None, opening: false },
                Err(e) => ImportState::EnvelopeRefused(e),
            };
            browser::record_timings("import_check", &[("check", clock::perf_now() - t0), ("bytes", total as f64)]);
            let _ = state.try_set(next);
        });
        if read.is_err() {
            state.set(ImportState::Unreadable);
        }
    };

    let choice = move || MergeChoice { add_new: take_new.get(), take_newer: take_newer.get(), conflicts: resolutions.get() };

    let confirm = move |_| {
        let ImportState::Preview(checked) = state.get_untracked() else { return };
        let c = choice();
        if !checked.takes_any(&c) {
            state.set(ImportState::Nothing);
            return;
        }
        let merge = move |checked: Arc<Checked>, c: MergeChoice, t0: f64| match logic::merge(&store, &visit_store, &checked, &c) {
            Ok(report) => {
                let saved = (report.saved.len() + report.saved_visits.len()) as f64;
                browser::record_timings("import_merge", &[("merge", clock::perf_now() - t0), ("saved", saved)]);
                let _ = state.try_set(ImportState::Done(report));
            }
            Err(e) => {
                let _ = state.try_set(ImportState::Refused(e));
            }
        };
        let t0 = clock::perf_now();
        // The photos of the households and visits taken are stored first: a record never
        // references a photo the tablet lacks because of the import.
        let photos = zip_photos.get_untracked();
        let wanted: BTreeMap<String, Vec<u8>> = zip::photo_refs(checked.taken(&c))
            .into_iter()
            .filter_map(|r| photos.get(&r).map(|b| (r, b.clone())))
            .collect();
        if wanted.is_empty() {
            merge(checked, c, t0);
            return;
        }
        state.set(ImportState::Reading);
        spawn_local(async move {
            match zip::store_photos(&wanted).await {
                Ok(()) => {
                    browser::record_timings("import_store_photos", &[("store", clock::perf_now() - t0), ("photos", wanted.len() as f64)]);
                    stored_photos.set(wanted.len());
                    merge(checked, c, t0);
                }
                Err(p) => {
                    let _ = state.try_set(ImportState::PhotoRefused(p));
                }
            }
        });
    };

    let refused = move |e: ImportError| {
        let records = match &e {
            ImportError::BrokenRecords { count, records } => Some((*count, records.clone())),
            _ => None,
        };
        view! {
            <div class="exchange-error" role="alert" data-testid="import-error" data-code=e.code()>
                <p><T text=error_text(&e) /></p>
                {records.map(|(count, records)| {
                    let more = count > records.len();
                    view! {
                        <ul class="exchange-broken" data-testid="import-broken">
                            {records.into_iter().map(|r| view! {
                                <li
                                    data-testid=format!("broken-{}{}", if r.visit { "visit-" } else { "" }, r.number)
                                    data-problem=r.problem.code()
                                >
                                    {if r.visit {
                                        view! { <T text=tr!(exchange.error.visit_number) /> }
                                    } else {
                                        view! { <T text=tr!(exchange.error.number) /> }
                                    }}
                                    " " {r.number}
                                    {r.id.map(|id| view! { " · " <code>{id}</code> })}
                                    " · "
                                    <T text=problem_text(r.problem) />
                                </li>
                            }).collect_view()}
                        </ul>
                        <Show when=move || more>
                            <p><T text=tr!(exchange.error.more) /> " (" {count} ")"</p>
                        </Show>
                    }
                })}
                <p class="exchange-hint"><T text=tr!(exchange.import.unchanged) /></p>
            </div>
        }
    };

    let preview_view = move |checked: Arc<Checked>| {
        let counts = checked.households.preview.counts();
        let visit_counts = checked.visits.preview.counts();
        let has_visits = !checked.file.visits.is_empty();
        let file = &checked.file;
        let kind = match file.kind {
            ExportKind::Bureau => tr!(exchange.import.file_kind_bureau),
            ExportKind::Backup => tr!(exchange.import.file_kind_backup),
        };
        // `kind`: "" for households, "visit-" for visits (test ids).
        let line = |kind: &str, m: Match, n: usize| {
            view! {
                <li data-testid=format!("preview-{kind}{}", match_name(m))>
                    <T text=match_text(m) />
                    ": "
                    <strong data-testid=format!("preview-{kind}count-{}", match_name(m))>{n}</strong>
                </li>
            }
        };
        let lines = move |kind: &'static str, c: survey_core::exchange::PreviewCounts| {
            view! {
                <ul class="exchange-counts" data-testid=format!("preview-{kind}counts")>
                    {line(kind, Match::New, c.new)}
                    {line(kind, Match::Identical, c.identical)}
                    {line(kind, Match::Continues, c.continues)}
                    {line(kind, Match::Superseded, c.superseded)}
                    {line(kind, Match::Conflict, c.conflict)}
                </ul>
            }
        };
        let selected = {
            let checked = checked.clone();
            move |of: fn(&Checked) -> &logic::Compared| {
                let c = choice();
                of(&checked).preview.entries.iter().filter(|e| chosen(e, &c)).count()
            }
        };
        let selected_visits = selected.clone();
        // A household is named by its head; a visit by its date and the household visited.
        let rows = |compared: &logic::Compared, records: &[survey_core::Household], visit: bool| -> Vec<_> {
            compared
                .preview
                .entries
                .iter()
                .filter(|e| e.matched != Match::Identical)
                .take(200)
                .map(|e| {
                    let h = &records[e.index];
                    let field = if visit { "visit_date" } else { "head_name" };
                    let name = h.record.answers.values.get(field).cloned().unwrap_or_default();
                    let of = h.household_id.clone().filter(|_| visit).map(|id| view! {
                        " · " <T text=tr!(exchange.import.visit_of) /> " " <code>{id}</code>
                    });
                    let conflict = (e.matched == Match::Conflict).then(|| {
                        let diffs = compared.differences.get(&e.id).cloned().unwrap_or_default();
                        conflict_view(e.id.clone(), e.tablet_modified.is_some(), diffs, resolutions)
                    });
                    view! {
                        <li data-testid=format!("preview-row-{}", e.id) data-match=match_name(e.matched) data-visit=visit.to_string()>
                            <span class="exchange-head">{name}</span>
                            {of}
                            " · "
                            <T text=match_text(e.matched) />
                            " · "
                            <T text=tr!(exchange.import.file_modified) />
                            " " {local_time(&e.file_modified)}
                            {e.tablet_modified.as_ref().map(|t| view! {
                                " · " <T text=tr!(exchange.import.tablet_modified) /> " " {local_time(t)}
                            })}
                            {conflict}
                        </li>
                    }
                })
                .collect()
        };
        let household_rows = rows(&checked.households, &file.households, false);
        let visit_rows = rows(&checked.visits, &file.visits, true);
        let checkbox = move |testid: &'static str, text: Bi, n: usize, get: ReadSignal<bool>, set: WriteSignal<bool>| {
            (n > 0).then(|| view! {
                <label class="exchange-choice">
                    <input
                        type="checkbox"
                        data-testid=testid
                        prop:checked=move || get.get()
                        on:change=move |ev| set.set(event_target_checked(&ev))
                    />
                    <T text=text />
                </label>
            })
        };
        view! {
            <div class="exchange-preview" data-testid="import-preview">
                <h4><T text=tr!(exchange.import.preview) /></h4>
                <p class="exchange-hint">
                    <T text=kind />
                    " · "
                    <T text=tr!(exchange.import.file_from) />
                    " " {local_time(&file.exported_at)}
                    " · " {file.households.len()} " " <T text=tr!(exchange.export.households) />
                    {has_visits.then(|| view! { " · " {file.visits.len()} " " <T text=tr!(exchange.export.visits) /> })}
                </p>
                {lines("", counts)}
                {(!household_rows.is_empty()).then(|| view! { <ul class="exchange-rows" data-testid="preview-rows">{household_rows}</ul> })}
                {has_visits.then(|| view! {
                    <h5><T text=tr!(exchange.import.visits_heading) /></h5>
                    {lines("visit-", visit_counts)}
                    {(!visit_rows.is_empty()).then(|| view! { <ul class="exchange-rows" data-testid="preview-visit-rows">{visit_rows}</ul> })}
                })}
                <div class="exchange-choices">
                    // One choice for both kinds: it names the visits when the file has some.
                    {checkbox(
                        "import-take-new",
                        if has_visits { tr!(exchange.import.take_new_with_visits) } else { tr!(exchange.import.take_new) },
                        counts.new + visit_counts.new,
                        take_new,
                        set_take_new,
                    )}
                    {checkbox(
                        "import-take-newer",
                        if has_visits { tr!(exchange.import.take_newer_with_visits) } else { tr!(exchange.import.take_newer) },
                        counts.continues + visit_counts.continues,
                        take_newer,
                        set_take_newer,
                    )}
                </div>
                <p>
                    <T text=tr!(exchange.import.selected) />
                    " " <strong data-testid="import-selected">{move || selected(|c| &c.households)}</strong> " "
                    <T text=tr!(exchange.export.households) />
                    {has_visits.then(|| view! {
                        " · "
                        <strong data-testid="import-selected-visits">{move || selected_visits(|c| &c.visits)}</strong>
                        " "
                        <T text=tr!(exchange.export.visits) />
                    })}
                </p>
                <div class="exchange-actions">
                    <button type="button" class="primary" data-testid="import-confirm" on:click=confirm>
                        <T text=tr!(exchange.import.confirm) />
                    </button>
                    <button type="button" data-testid="import-cancel" on:click=move |_| state.set(ImportState::Idle)>
                        <T text=tr!(exchange.import.cancel) />
                    </button>
                </div>
            </div>
        }
    };

    let missing_view = move || {
        let list = missing.get();
        (!list.is_empty()).then(|| view! {
            <p class="exchange-warning" role="status" data-testid="import-missing-photos" data-code="missing_photo">
                <T text=tr!(exchange.zip.missing_import) /> " " {list.join(", ")}
            </p>
        })
    };

    let state_view = move || match state.get() {
        ImportState::Idle => ().into_any(),
        ImportState::Reading => view! {
            <p class="exchange-hint" role="status" data-testid="import-reading"><T text=tr!(exchange.import.reading) /></p>
        }
        .into_any(),
        ImportState::Refused(e) => refused(e).into_any(),
        ImportState::Unreadable => view! {
            <div class="exchange-error" role="alert" data-testid="import-error" data-code="read_failed">
                <p><T text=tr!(exchange.error.read_failed) /></p>
                <p class="exchange-hint"><T text=tr!(exchange.import.unchanged) /></p>
            </div>
        }
        .into_any(),
        ImportState::Preview(checked) => view! {
            {missing_view()}
            {preview_view(checked)}
        }
        .into_any(),
        ImportState::PhotoRefused(p) => view! {
            <div class="exchange-error" role="alert" data-testid="import-error" data-code=p.code()>
                <p><T text=photo_problem_text(p) /></p>
                <p class="exchange-hint"><T text=tr!(exchange.import.unchanged) /></p>
            </div>
        }
        .into_any(),
        ImportState::Done(report) => {
            let failed = report.failed.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
            view! {
                <div class="exchange-result" role="status" data-testid="import-result">
                    <p>
                        <T text=tr!(exchange.import.done) />
                        " " <span data-testid="import-saved">{report.saved.len()}</span> " "
                        <T text=tr!(exchange.export.households) />
                        {(!report.saved_visits.is_empty()).then(|| view! {
                            " · "
                            <span data-testid="import-saved-visits">{report.saved_visits.len()}</span>
                            " "
                            <T text=tr!(exchange.export.visits) />
                        })}
                    </p>
                    {(stored_photos.get_untracked() > 0).then(|| view! {
                        <p data-testid="import-photos-stored">
                            <T text=tr!(exchange.zip.photos_stored) /> " " {stored_photos.get_untracked()}
                        </p>
                    })}
                    {missing_view()}
                    {(!failed.is_empty()).then(|| view! {
                        <p class="exchange-error" role="alert" data-testid="import-save-failed">
                            <T text=tr!(exchange.import.save_failed) /> " " {failed.join(", ")}
                        </p>
                    })}
                </div>
            }
            .into_any()
        }
        ImportState::Nothing => view! {
            <p class="exchange-warning" role="status" data-testid="import-nothing"><T text=tr!(exchange.import.nothing) /></p>
        }
        .into_any(),
        ImportState::EnvelopeRefused(e) => view! {
            <div class="exchange-error" role="alert" data-testid="import-error" data-code=e.code()>
                <p><T text=envelope_text(&e) /></p>
                <p class="exchange-hint"><T text=tr!(exchange.import.unchanged) /></p>
            </div>
        }
        .into_any(),
        ImportState::Sealed { error, opening, .. } => view! {
            <form
                class="exchange-sealed"
                data-testid="import-sealed"
                on:submit=move |ev| {
                    ev.prevent_default();
                    open_backup();
                }
            >
                <p><T text=tr!(exchange.secure.need_passphrase) /></p>
                <PassphraseField
                    label=tr!(exchange.secure.passphrase)
                    testid="import-passphrase"
                    autocomplete="current-password"
                    value=(import_pass, set_import_pass)
                />
                <div class="exchange-actions">
                    <button type="submit" class="primary" data-testid="import-open" disabled=opening>
                        <T text=tr!(exchange.secure.open) />
                    </button>
                    <button type="button" data-testid="import-cancel" on:click=move |_| state.set(ImportState::Idle)>
                        <T text=tr!(exchange.import.cancel) />
                    </button>
                </div>
                {opening.then(|| view! {
                    <p class="exchange-hint" role="status" data-testid="import-opening"><T text=tr!(exchange.secure.opening) /></p>
                })}
                {error.map(|e| view! {
                    <div class="exchange-error" role="alert" data-testid="import-error" data-code=e.code()>
                        <p><T text=envelope_text(&e) /></p>
                        <p class="exchange-hint"><T text=tr!(exchange.import.unchanged) /></p>
                    </div>
                })}
            </form>
        }
        .into_any(),
    };

    view! {
        <div class="exchange-import">
            <h3><T text=tr!(exchange.import.heading) /></h3>
            <p class="exchange-hint"><T text=tr!(exchange.import.hint) /></p>
            <label class="exchange-file">
                <T text=tr!(exchange.import.choose) />
                <input
                    type="file"
                    accept=".json,application/json,.zip,application/zip"
                    data-testid="import-file"
                    node_ref=input
                    on:change=on_file
                />
            </label>
            {state_view}
        </div>
    }
}
