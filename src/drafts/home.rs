//! The home screen: every household on this tablet.
use std::time::Duration;

use leptos::prelude::*;
use survey_core::{Status, Survey};

use super::{event_text, local_time, status_name, status_text, DraftStore, HouseholdSummary, StorageBanner, VisitStore};
use crate::app::{Nav, Screen};
use crate::i18n::{Bi, T, UiLanguage};
use crate::{forms, storage, tr};

/// How long the undo of a delete is offered.
pub const UNDO_SECONDS: u64 = 10;
/// Rows drawn at first (and added by "show more"): a village of 1,000 households lists at
/// once, and search or filters find the rest.
pub const PAGE_ROWS: usize = 50;

/// A household survey choice label as a bilingual string (Yi falls back to Chinese).
fn choice_label(list: &str, name: &str) -> Option<Bi> {
    choice_text(forms::household(), list, name)
}

/// A choice label of `survey` as a bilingual string (Yi falls back to Chinese).
pub(super) fn choice_text(survey: &'static Survey, list: &str, name: &str) -> Option<Bi> {
    let c = survey.list(list)?.get(name)?;
    let zh: &'static str = &c.label.zh;
    let ii: &'static str = if c.label.ii.is_empty() { zh } else { &c.label.ii };
    Some(Bi { zh, ii })
}

/// The village (and group) of a summary, as shown.
fn place(s: &HouseholdSummary) -> impl IntoView {
    let village = match (s.village.as_str(), choice_label("village", &s.village)) {
        ("other", _) | (_, None) if !s.village_other.is_empty() => s.village_other.clone().into_any(),
        (_, Some(bi)) if s.village != "other" => view! { <T text=bi /> }.into_any(),
        _ => s.village.clone().into_any(),
    };
    let group = match choice_label("village_group", &s.group) {
        Some(bi) => view! { <T text=bi /> }.into_any(),
        None => s.group.clone().into_any(),
    };
    view! { <span class="drafts-place" data-testid="row-place">{village} " " {group}</span> }
}

/// The key a summary is filtered by village with.
fn village_key(s: &HouseholdSummary) -> String {
    if s.village == "other" && !s.village_other.is_empty() {
        s.village_other.clone()
    } else {
        s.village.clone()
    }
}

/// The list of households: search by the head's name, filter by status and village, start
/// a new household, resume one, delete one (with confirmation, and an undo for
/// [`UNDO_SECONDS`]); damaged entries are listed with their raw text for download. Shows
/// storage use and whether the browser keeps the data persistently.
#[component]
pub fn HomePage() -> impl IntoView {
    let store = DraftStore::use_context();
    let visits = VisitStore::use_context();
    let lang = UiLanguage::use_context();
    let nav = use_context::<Nav>();
    let go = move |screen: Screen| {
        if let Some(nav) = nav {
            nav.go(screen);
        }
    };

    let summaries = Memo::new(move |_| {
        store.revision.track();
        store.unsaved.track();
        store.list()
    });
    let profile = Memo::new(move |_| {
        store.revision.track();
        store.profile()
    });
    let (search, set_search) = signal(String::new());
    let (status, set_status) = signal(String::from("all"));
    let (village, set_village) = signal(String::from("all"));
    let deleting = Deleting::new("");
    let pending_delete = deleting.pending;
    let limit = RwSignal::new(PAGE_ROWS);

    let shown = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        let st = status.get();
        let vi = village.get();
        summaries.with(|all| {
            all.iter()
                .filter(|s| q.is_empty() || s.head_name.to_lowercase().contains(&q) || s.head_id.to_lowercase().contains(&q))
                .filter(|s| match st.as_str() {
                    "draft" => s.status == Status::Draft && !s.damaged,
                    "finalized" => s.status == Status::Finalized,
                    "exported" => s.status == Status::Exported,
                    "damaged" => s.damaged,
                    _ => true,
                })
                .filter(|s| vi == "all" || village_key(s) == vi)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let page = Memo::new(move |_| shown.with(|all| all.iter().take(limit.get()).cloned().collect::<Vec<_>>()));
    let has_more = move || shown.with(Vec::len) > page.with(Vec::len);
    let villages = Memo::new(move |_| {
        let mut v: Vec<String> =
            summaries.with(|all| all.iter().map(village_key).filter(|v| !v.is_empty()).collect());
        survey_core::sort::sort(&mut v);
        v.dedup();
        v
    });

    // Secondary parts (export/import) are drawn after the first frame: the list and the
    // "new household" button come first, and a tap on it does not wait for them.
    let secondary = RwSignal::new(false);
    request_animation_frame(move || {
        set_timeout(
            move || {
                let _ = secondary.try_set(true);
            },
            Duration::ZERO,
        );
    });

    // Storage use: the kit's share of localStorage, and the browser's estimate.
    let used = RwSignal::new(None::<(f64, f64)>);
    let estimate = RwSignal::new(None::<(f64, f64)>);
    let measure = move || {
        used.set(Some(storage::used_chars()));
        storage::estimate(move |e| {
            let _ = estimate.try_set(e);
        });
    };
    Effect::new(move |_| {
        store.revision.track();
        measure();
    });
    storage::persisted(move |p| {
        if p.is_some() {
            let _ = store.persisted.try_set(p);
        }
    });

    let new_household = move |_| {
        let h = store.create();
        go(Screen::Household(h.id));
    };

    // Per household: its visits on this tablet and the latest visit date (the list shows
    // who was visited lately and who not yet).
    let visited = Memo::new(move |_| {
        visits.revision.track();
        visits.unsaved.track();
        let mut by: std::collections::HashMap<String, (usize, String)> = std::collections::HashMap::new();
        for v in visits.list().into_iter().filter(|v| !v.damaged) {
            let Some(h) = v.household_id else { continue };
            let e = by.entry(h).or_default();
            e.0 += 1;
            if v.visit_date > e.1 {
                e.1 = v.visit_date;
            }
        }
        by
    });

    let row = move |s: HouseholdSummary| {
        let id = s.id.clone();
        let open_id = id.clone();
        let delete_id = id.clone();
        let confirm_for = id.clone();
        let visits_of = id.clone();
        let status_class = format!("drafts-status drafts-status-{}", if s.damaged { "damaged" } else { status_name(s.status) });
        let head = if s.damaged {
            view! { <T text=tr!(drafts.row.damaged) /> }.into_any()
        } else if s.head_name.is_empty() {
            view! { <T text=tr!(drafts.row.unnamed) /> }.into_any()
        } else {
            s.head_name.clone().into_any()
        };
        let download = s.damaged.then(|| view! { <DownloadDamaged store=store id=id.clone() kind="" /> });
        let history = (!s.history.is_empty()).then(|| {
            view! {
                <details class="drafts-history" data-testid=format!("history-{id}")>
                    <summary><T text=tr!(drafts.row.history) /></summary>
                    <ol>
                        {s.history
                            .iter()
                            .map(|e| {
                                let reason = e.reason.clone().map(|r| view! { " — " <q data-testid="history-reason">{r}</q> });
                                view! {
                                    <li data-event=format!("{:?}", e.event).to_lowercase()>
                                        <time>{local_time(&e.at)}</time> " " <T text=event_text(e.event) /> {reason}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                </details>
            }
        });
        let reopened = s.history.iter().rev().find(|e| e.event == survey_core::Event::Reopened).cloned();
        let reopened = reopened.map(|e| {
            view! {
                <span class="drafts-badge" data-testid="row-reopened">
                    <T text=tr!(drafts.event.reopened) /> " " {local_time(&e.at)}
                    {e.reason.map(|r| view! { " — " <q>{r}</q> })}
                </span>
            }
        });
        let survey = forms::household();
        let other_version = (!s.damaged && !s.survey_version.is_empty() && s.survey_version != survey.version())
            .then(|| {
                view! {
                    <span class="drafts-badge" data-testid="row-version">
                        <T text=tr!(drafts.row.version) /> " " {s.survey_version.clone()}
                    </span>
                }
            });
        let (has_errors, has_warnings) = (s.errors > 0, s.warnings > 0);
        let meta = (!s.damaged).then(|| {
            view! {
                <div class="drafts-row-meta">
                    <span data-testid="row-completion">
                        <T text=tr!(drafts.row.sections) /> " " {s.sections_complete} "/" {s.sections} " · " {s.percent()} "%"
                    </span>
                    <span class="drafts-count" class:drafts-count-errors=has_errors data-testid="row-errors">
                        <T text=tr!(drafts.row.errors) /> " " {s.errors}
                    </span>
                    <span class="drafts-count" class:drafts-count-warnings=has_warnings data-testid="row-warnings">
                        <T text=tr!(drafts.row.warnings) /> " " {s.warnings}
                    </span>
                    <span data-testid="row-modified"><T text=tr!(drafts.row.modified) /> " " {local_time(&s.modified)}</span>
                    {move || visited.with(|by| by.get(&visits_of).cloned()).map(|(n, last)| view! {
                        <span data-testid="row-visits" data-count=n data-last=last.clone()>
                            <T text=tr!(visits.row_count) /> " " {n}
                            {(!last.is_empty()).then(|| view! { " · " <T text=tr!(visits.row_last) /> " " {last.clone()} })}
                        </span>
                    })}
                </div>
            }
        });
        view! {
            <li class="drafts-row" data-testid=format!("household-row-{id}") data-status=status_name(s.status) data-damaged=s.damaged.to_string()>
                <div class="drafts-row-main">
                    <strong class="drafts-head" data-testid="row-head">{head}</strong>
                    {(!s.damaged).then(|| place(&s))}
                    <span class=status_class data-testid="row-status">
                        {if s.damaged {
                            view! { <T text=tr!(drafts.status.damaged) /> }.into_any()
                        } else {
                            view! { <T text=status_text(s.status) /> }.into_any()
                        }}
                    </span>
                </div>
                {meta}
                <div class="drafts-badges">
                    {s.unsaved.then(|| view! { <span class="drafts-badge drafts-badge-alert" data-testid="row-unsaved"><T text=tr!(drafts.row.unsaved) /></span> })}
                    {s.conflict.then(|| view! { <span class="drafts-badge drafts-badge-alert" data-testid="row-conflict"><T text=tr!(drafts.row.conflict) /></span> })}
                    {s.copy_of.clone().map(|of| view! {
                        <span class="drafts-badge drafts-badge-copy" data-testid="row-copy-of">
                            <T text=tr!(drafts.row.copy_of) /> " " <code data-testid="row-copy-of-id">{of}</code>
                        </span>
                    })}
                    {(s.foreign > 0).then(|| view! { <span class="drafts-badge" data-testid="row-foreign"><T text=tr!(drafts.row.foreign) /> " " {s.foreign}</span> })}
                    {other_version}
                    {reopened}
                </div>
                {history}
                <div class="drafts-row-actions">
                    {(!s.damaged).then(|| view! {
                        <button type="button" class="drafts-open" data-testid=format!("open-{id}") on:click=move |_| go(Screen::Household(open_id.clone()))>
                            <T text=tr!(drafts.row.open) />
                        </button>
                    })}
                    {(!s.damaged && forms::visit().is_some()).then(|| {
                        let household_id = id.clone();
                        view! {
                            <button type="button" data-testid=format!("record-visit-{id}") on:click=move |_| {
                                if let Some(v) = visits.create(&household_id) {
                                    go(Screen::Visit(v.id));
                                }
                            }>
                                <T text=tr!(visits.record) />
                            </button>
                        }
                    })}
                    {download}
                    <button type="button" class="drafts-delete" data-testid=format!("delete-{id}") on:click=move |_| pending_delete.set(Some(delete_id.clone()))>
                        <T text=tr!(drafts.row.delete) />
                    </button>
                </div>
                <DeleteDialog deleting=deleting store=store id=confirm_for question=tr!(drafts.delete.question) />
            </li>
        }
    };

    let status_option = move |value: &'static str, text: Bi| {
        view! { <option value=value selected=move || status.get() == value>{move || lang.mode.get().pick(text)}</option> }
    };
    let usage_view = move || {
        let (all, ours) = used.get().unwrap_or((0.0, 0.0));
        let percent = (all / storage::QUOTA_CHARS * 100.0).round();
        let kb = (ours / 1024.0).round();
        let estimate = estimate.get().map(|(u, q)| {
            view! {
                <span data-testid="storage-estimate">
                    " · " <T text=tr!(drafts.usage.browser) /> " " {format!("{:.1} MB / {:.0} MB", u / 1e6, q / 1e6)}
                </span>
            }
        });
        let persisted = match store.persisted.get() {
            Some(true) => tr!(drafts.usage.yes),
            Some(false) => tr!(drafts.usage.no),
            None => tr!(drafts.usage.unknown),
        };
        view! {
            <p class="drafts-usage" data-testid="storage-use" data-used=all.to_string()>
                <T text=tr!(drafts.usage.local) /> " " {format!("{percent}%")} " (" {format!("{kb} K")} ")"
                {estimate}
                " · " <T text=tr!(drafts.usage.persistent) /> " "
                <span data-testid="storage-persist"><T text=persisted /></span>
            </p>
        }
    };

    view! {
        <section class="drafts-home" data-testid="home">
            <StorageBanner />
            <div class="drafts-toolbar">
                <button type="button" class="drafts-primary" data-testid="new-household" on:click=new_household>
                    <T text=tr!(drafts.home.new) />
                </button>
                <button type="button" data-testid="open-profile" on:click=move |_| go(Screen::Profile)>
                    <T text=tr!(drafts.profile.title) />
                    {move || profile.get().map(|p| view! { ": " <span data-testid="profile-name-shown">{p.name}</span> })}
                </button>
            </div>
            <Show when=move || profile.with(Option::is_none)>
                <p class="drafts-notice" data-testid="profile-missing"><T text=tr!(drafts.profile.missing) /></p>
            </Show>
            <div class="drafts-filters">
                <input
                    type="search"
                    data-testid="search"
                    placeholder=move || lang.mode.get().pick(tr!(drafts.home.search))
                    aria-label=move || lang.mode.get().pick(tr!(drafts.home.search))
                    prop:value=move || search.get()
                    on:input=move |ev| set_search.set(event_target_value(&ev))
                />
                <select
                    data-testid="filter-status"
                    aria-label=move || lang.mode.get().pick(tr!(drafts.home.filter_status))
                    on:change=move |ev| set_status.set(event_target_value(&ev))
                >
                    {status_option("all", tr!(drafts.home.all_status))}
                    {status_option("draft", tr!(drafts.status.draft))}
                    {status_option("finalized", tr!(drafts.status.finalized))}
                    {status_option("exported", tr!(drafts.status.exported))}
                    {status_option("damaged", tr!(drafts.status.damaged))}
                </select>
                <select
                    data-testid="filter-village"
                    aria-label=move || lang.mode.get().pick(tr!(drafts.home.filter_village))
                    on:change=move |ev| set_village.set(event_target_value(&ev))
                >
                    <option value="all" selected=move || village.get() == "all">
                        {move || lang.mode.get().pick(tr!(drafts.home.all_villages))}
                    </option>
                    {move || {
                        villages
                            .get()
                            .into_iter()
                            .map(|v| {
                                let label = match choice_label("village", &v) {
                                    Some(bi) => lang.mode.get().pick(bi),
                                    None => v.clone(),
                                };
                                let value = v.clone();
                                view! { <option value=v selected=move || village.get() == value>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <UndoBar deleting=deleting store=store />
            <p class="drafts-count-line" data-testid="household-count">
                {move || shown.with(Vec::len)} " / " {move || summaries.with(Vec::len)} " " <T text=tr!(drafts.home.count) />
            </p>
            <Show
                when=move || !summaries.with(Vec::is_empty)
                fallback=|| view! { <p class="hint" data-testid="empty-list"><T text=tr!(drafts.home.empty) /></p> }
            >
                <Show
                    when=move || !shown.with(Vec::is_empty)
                    fallback=|| view! { <p class="hint" data-testid="no-match"><T text=tr!(drafts.home.no_match) /></p> }
                >
                    <ul class="drafts-list" data-testid="household-list">
                        <For each=move || page.get() key=|s| (s.id.clone(), s.modified.clone(), s.status, s.unsaved, s.conflict, s.damaged) children=row />
                    </ul>
                    <Show when=has_more>
                        <button type="button" class="drafts-more" data-testid="show-more" on:click=move |_| limit.update(|l| *l += 2 * PAGE_ROWS)>
                            <T text=tr!(drafts.home.more) /> " (" {move || shown.with(Vec::len) - page.with(Vec::len)} ")"
                        </button>
                    </Show>
                </Show>
            </Show>
            <super::visits::OrphanVisits />
            <div class="exchange-slot" data-testid="exchange-slot">
                <Show when=move || secondary.get()><crate::exchange::ExchangePanel /></Show>
            </div>
            {usage_view}
        </section>
    }
}

/// A delete with confirmation, and an undo offered for [`UNDO_SECONDS`] (the home list, a
/// household's visits). `testid`: the prefix of its test ids (`""` on the home list).
#[derive(Clone, Copy)]
pub(super) struct Deleting {
    /// The id whose delete waits for confirmation.
    pub pending: RwSignal<Option<String>>,
    /// The id just deleted, offered for undo (with a token of this offer).
    undo: RwSignal<Option<(String, u64)>>,
    /// The last delete failed (the trash could not be written).
    failed: RwSignal<bool>,
    testid: &'static str,
}

impl Deleting {
    pub fn new(testid: &'static str) -> Deleting {
        Deleting { pending: RwSignal::new(None), undo: RwSignal::new(None), failed: RwSignal::new(false), testid }
    }

    /// Deletes the record waiting for confirmation (to the trash), and offers the undo.
    fn confirm(self, store: DraftStore) {
        let Some(id) = self.pending.get_untracked() else { return };
        self.pending.set(None);
        let undo = self.undo;
        match store.delete(&id) {
            Ok(()) => {
                self.failed.set(false);
                let token = js_sys::Date::now() as u64;
                undo.set(Some((id, token)));
                set_timeout(
                    move || {
                        if undo.try_get_untracked().flatten().is_some_and(|(_, t)| t == token) {
                            let _ = undo.try_set(None);
                        }
                    },
                    Duration::from_secs(UNDO_SECONDS),
                );
            }
            Err(_) => self.failed.set(true),
        }
    }

    fn id(self, name: &str) -> String {
        format!("{}{name}", self.testid)
    }
}

/// Downloads the raw text of damaged entry `id` of `store` (`damaged-<kind><id>.json`; test
/// id `download-<kind><id>`), for recovery by hand.
#[component]
pub(super) fn DownloadDamaged(store: DraftStore, id: String, kind: &'static str) -> impl IntoView {
    view! {
        <button type="button" data-testid=format!("download-{kind}{id}") on:click=move |_| {
            if let Some(d) = store.damaged().into_iter().find(|d| d.id() == id) {
                let _ = super::download(&format!("damaged-{kind}{id}.json"), &d.export_json());
            }
        }>
            <T text=tr!(drafts.row.download) />
        </button>
    }
}

/// The confirmation of a delete of record `id`, shown while it waits for one.
#[component]
pub(super) fn DeleteDialog(deleting: Deleting, store: DraftStore, id: String, question: Bi) -> impl IntoView {
    view! {
        <Show when=move || deleting.pending.get().as_deref() == Some(id.as_str())>
            <div class="drafts-confirm" role="alertdialog" data-testid=deleting.id("delete-dialog")>
                <p><T text=question /></p>
                <p class="hint"><T text=tr!(drafts.delete.hint) /></p>
                <button type="button" class="drafts-delete" data-testid=deleting.id("confirm-delete") on:click=move |_| deleting.confirm(store)>
                    <T text=tr!(drafts.delete.confirm) />
                </button>
                <button type="button" data-testid=deleting.id("cancel-delete") on:click=move |_| deleting.pending.set(None)>
                    <T text=tr!(drafts.delete.cancel) />
                </button>
            </div>
        </Show>
    }
}

/// The undo of the last delete (for [`UNDO_SECONDS`]), or the failure of a delete.
#[component]
pub(super) fn UndoBar(deleting: Deleting, store: DraftStore) -> impl IntoView {
    let undo = deleting.undo;
    view! {
        <Show when=move || undo.get().is_some()>
            <div class="drafts-undo" role="status" data-testid=deleting.id("undo-bar")>
                <T text=tr!(drafts.delete.done) />
                <button type="button" data-testid=deleting.id("undo-delete") on:click=move |_| {
                    store.undo_delete();
                    undo.set(None);
                }><T text=tr!(drafts.delete.undo) /></button>
            </div>
        </Show>
        <Show when=move || deleting.failed.get()>
            <p class="drafts-banner drafts-banner-error" role="alert" data-testid=deleting.id("delete-failed")><T text=tr!(drafts.delete.failed) /></p>
        </Show>
    }
}
