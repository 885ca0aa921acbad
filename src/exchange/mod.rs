//! Export to the bureau and import back (the home screen's exchange panel).
//!
//! - Export: the finalized households not yet exported, every finalized household, a
//!   chosen set, or everything as a backup → one JSON file in the documented format
//!   (`docs/export-format.md`, built by [`survey_core::exchange`]), downloaded, or shared
//!   where the browser can share files. The households in the file are marked exported
//!   (saved through [`DraftStore`]). CSV tables (households, members) for Excel/WPS are
//!   two separate downloads.
//! - Import: a JSON file made by the kit is checked first (a refused file changes
//!   nothing, and says why in both languages), then previewed (new, identical, another
//!   version and which is newer), then merged as the user chooses.
//!
//! Every string comes from the `exchange` locale namespace; text from files (names, ids)
//! is only ever shown as text.
pub mod browser;
pub mod logic;

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use survey_core::exchange::{ExportKind, ImportError, Match, MergeChoice, RecordProblem, MAX_FILE_BYTES};

use crate::drafts::{local_time, status_text, DraftStore, HouseholdSummary};
use crate::i18n::{Bi, T};
use crate::{clock, tr};
use logic::{Checked, MergeReport, Scope};

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
    }
}

/// The label of a preview category.
pub fn match_text(m: Match) -> Bi {
    match m {
        Match::New => tr!(exchange.import.new),
        Match::Identical => tr!(exchange.import.identical),
        Match::FileNewer => tr!(exchange.import.file_newer),
        Match::TabletNewer => tr!(exchange.import.tablet_newer),
        Match::SameTime => tr!(exchange.import.same_time),
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
        Match::FileNewer => "file-newer",
        Match::TabletNewer => "tablet-newer",
        Match::SameTime => "same-time",
    }
}

/// What the last export did.
#[derive(Debug, Clone, PartialEq)]
enum ExportOutcome {
    Done { name: String, count: usize, shared: bool, unsaved: Vec<String>, damaged: usize },
    Csv { names: Vec<String> },
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
}

/// The exchange panel of the home screen: export (JSON, share, CSV) and import (check,
/// preview, merge). Needs the [`DraftStore`] context (it creates one when absent).
#[component]
pub fn ExchangePanel() -> impl IntoView {
    let store = DraftStore::use_context();
    let summaries = Memo::new(move |_| {
        store.revision.track();
        store.unsaved.track();
        store.list()
    });
    let (scope, set_scope) = signal(Scope::default());
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let outcome = RwSignal::new(None::<ExportOutcome>);
    let can_share = browser::can_share_files();

    let count = move |s: Scope| {
        summaries.with(|all| {
            chosen.with(|c| all.iter().filter(|h| !h.damaged && s.takes(h.status, &h.id, c)).count())
        })
    };

    let deliver = move |share: bool| {
        let Some(p) = logic::prepare_json(&store, scope.get_untracked(), &chosen.get_untracked()) else {
            outcome.set(Some(ExportOutcome::Empty));
            return;
        };
        let t0 = clock::perf_now();
        let count = p.households.len();
        let (name, damaged) = (p.name.clone(), p.damaged);
        let households = p.households;
        // The marks are saved in a task of their own, so the browser starts the download
        // (or the share sheet) first.
        let finish = move |shared: bool| {
            set_timeout(
                move || {
                    let t = clock::perf_now();
                    let unsaved: Vec<String> =
                        logic::save_marks(&store, &households).into_iter().map(|(id, _)| id).collect();
                    let saved_ms = clock::perf_now() - t;
                    browser::record_timings(
                        "export",
                        &[("households", count as f64), ("save_marks", saved_ms), ("marks_at", t)],
                    );
                    let _ = outcome.try_set(Some(ExportOutcome::Done { name, count, shared, unsaved, damaged }));
                },
                std::time::Duration::ZERO,
            );
        };
        if share {
            let r = browser::share(&p.name, &p.text, browser::JSON_TYPE, move |ok| {
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
        if browser::download(&p.name, &p.text, browser::JSON_TYPE).is_err() {
            outcome.set(Some(ExportOutcome::Failed));
            return;
        }
        let download_ms = clock::perf_now() - t0;
        let [(a, read_ms), (b, build_ms)] = p.timings;
        browser::record_timings(
            "export_file",
            &[
                (a, read_ms),
                (b, build_ms),
                ("download", download_ms),
                ("bytes", p.text.len() as f64),
                ("started_at", t0 - read_ms - build_ms),
                ("handed_at", t0 + download_ms),
            ],
        );
        finish(false);
    };

    let csv = move |which: usize| {
        match logic::prepare_csv(&store, scope.get_untracked(), &chosen.get_untracked()) {
            None => outcome.set(Some(ExportOutcome::Empty)),
            Some(tables) => {
                let (name, text) = &tables[which];
                match browser::download(name, text, browser::CSV_TYPE) {
                    Ok(()) => outcome.set(Some(ExportOutcome::Csv { names: vec![name.clone()] })),
                    Err(_) => outcome.set(Some(ExportOutcome::Failed)),
                }
            }
        }
    };

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
            ExportOutcome::Done { name, count, shared, unsaved, damaged } => view! {
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
                        " · "
                        <code data-testid="export-file-name">{name}</code>
                    </p>
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
                <div class="exchange-actions">
                    <button type="button" class="primary" data-testid="export-json" on:click=move |_| deliver(false)>
                        <T text=tr!(exchange.export.json) />
                    </button>
                    {can_share.then(|| view! {
                        <button type="button" data-testid="export-share" on:click=move |_| deliver(true)>
                            <T text=tr!(exchange.export.share) />
                        </button>
                    })}
                    <button type="button" data-testid="export-csv-households" on:click=move |_| csv(0)>
                        <T text=tr!(exchange.export.csv_households) />
                    </button>
                    <button type="button" data-testid="export-csv-members" on:click=move |_| csv(1)>
                        <T text=tr!(exchange.export.csv_members) />
                    </button>
                </div>
                <p class="exchange-hint"><T text=tr!(exchange.export.csv_hint) /></p>
                {outcome_view}
            </div>
            <ImportSection store=store />
        </section>
    }
}

/// The import part of the panel: file input, refusal message, preview and merge.
#[component]
fn ImportSection(
    /// Where households are stored.
    store: DraftStore,
) -> impl IntoView {
    let state = RwSignal::new(ImportState::Idle);
    let (take_new, set_take_new) = signal(true);
    let (take_newer, set_take_newer) = signal(true);
    let (replace_other, set_replace_other) = signal(false);
    let input = NodeRef::<leptos::html::Input>::new();

    let on_file = move |_| {
        let Some(el) = input.get() else { return };
        let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
        // Choosing the same file again must fire `change` again.
        el.set_value("");
        if file.size() > MAX_FILE_BYTES as f64 {
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
            let next = match logic::check_file(&store, &bytes) {
                Ok(checked) => ImportState::Preview(Arc::new(checked)),
                Err(e) => ImportState::Refused(e),
            };
            browser::record_timings("import_check", &[("check", clock::perf_now() - t0), ("bytes", bytes.len() as f64)]);
            set_take_new.set(true);
            set_take_newer.set(true);
            set_replace_other.set(false);
            let _ = state.try_set(next);
        });
        if read.is_err() {
            state.set(ImportState::Unreadable);
        }
    };

    let choice = move || MergeChoice {
        add_new: take_new.get(),
        take_newer: take_newer.get(),
        replace_other: replace_other.get(),
    };

    let confirm = move |_| {
        let ImportState::Preview(checked) = state.get_untracked() else { return };
        let c = choice();
        if !checked.preview.entries.iter().any(|e| survey_core::exchange::chosen(e.matched, c)) {
            state.set(ImportState::Nothing);
            return;
        }
        let t0 = clock::perf_now();
        match logic::merge(&store, &checked, c) {
            Ok(report) => {
                browser::record_timings("import_merge", &[("merge", clock::perf_now() - t0), ("saved", report.saved.len() as f64)]);
                state.set(ImportState::Done(report));
            }
            Err(e) => state.set(ImportState::Refused(e)),
        }
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
                                <li data-testid=format!("broken-{}", r.number) data-problem=r.problem.code()>
                                    <T text=tr!(exchange.error.number) />
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
        let counts = checked.preview.counts();
        let file = &checked.file;
        let kind = match file.kind {
            ExportKind::Bureau => tr!(exchange.import.file_kind_bureau),
            ExportKind::Backup => tr!(exchange.import.file_kind_backup),
        };
        let line = |m: Match, n: usize| {
            view! {
                <li data-testid=format!("preview-{}", match_name(m))>
                    <T text=match_text(m) />
                    ": "
                    <strong data-testid=format!("preview-count-{}", match_name(m))>{n}</strong>
                </li>
            }
        };
        let selected = {
            let checked = checked.clone();
            move || {
                let c = choice();
                checked.preview.entries.iter().filter(|e| survey_core::exchange::chosen(e.matched, c)).count()
            }
        };
        let rows: Vec<_> = checked
            .preview
            .entries
            .iter()
            .filter(|e| e.matched != Match::Identical)
            .take(200)
            .map(|e| {
                let h = &checked.file.households[e.index];
                let head = h.record.answers.values.get("head_name").cloned().unwrap_or_default();
                view! {
                    <li data-testid=format!("preview-row-{}", e.id) data-match=match_name(e.matched)>
                        <span class="exchange-head">{head}</span>
                        " · "
                        <T text=match_text(e.matched) />
                        " · "
                        <T text=tr!(exchange.import.file_modified) />
                        " " {local_time(&e.file_modified)}
                        {e.tablet_modified.as_ref().map(|t| view! {
                            " · " <T text=tr!(exchange.import.tablet_modified) /> " " {local_time(t)}
                        })}
                    </li>
                }
            })
            .collect();
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
                </p>
                <ul class="exchange-counts">
                    {line(Match::New, counts.new)}
                    {line(Match::Identical, counts.identical)}
                    {line(Match::FileNewer, counts.file_newer)}
                    {line(Match::TabletNewer, counts.tablet_newer)}
                    {line(Match::SameTime, counts.same_time)}
                </ul>
                {(!rows.is_empty()).then(|| view! { <ul class="exchange-rows" data-testid="preview-rows">{rows}</ul> })}
                <div class="exchange-choices">
                    {checkbox("import-take-new", tr!(exchange.import.take_new), counts.new, take_new, set_take_new)}
                    {checkbox("import-take-newer", tr!(exchange.import.take_newer), counts.file_newer, take_newer, set_take_newer)}
                    {checkbox(
                        "import-replace-other",
                        tr!(exchange.import.replace_other),
                        counts.tablet_newer + counts.same_time,
                        replace_other,
                        set_replace_other,
                    )}
                </div>
                <p>
                    <T text=tr!(exchange.import.selected) />
                    " " <strong data-testid="import-selected">{selected}</strong> " "
                    <T text=tr!(exchange.export.households) />
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
        ImportState::Preview(checked) => preview_view(checked).into_any(),
        ImportState::Done(report) => {
            let failed = report.failed.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
            view! {
                <div class="exchange-result" role="status" data-testid="import-result">
                    <p>
                        <T text=tr!(exchange.import.done) />
                        " " <span data-testid="import-saved">{report.saved.len()}</span> " "
                        <T text=tr!(exchange.export.households) />
                    </p>
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
    };

    view! {
        <div class="exchange-import">
            <h3><T text=tr!(exchange.import.heading) /></h3>
            <p class="exchange-hint"><T text=tr!(exchange.import.hint) /></p>
            <label class="exchange-file">
                <T text=tr!(exchange.import.choose) />
                <input
                    type="file"
                    accept=".json,application/json"
                    data-testid="import-file"
                    node_ref=input
                    on:change=on_file
                />
            </label>
            {state_view}
        </div>
    }
}
