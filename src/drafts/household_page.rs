//! One household open for entry: loads it, autosaves every change before the next one can
//! be made, guards against another tab editing it, and shows the form. A visit of the
//! visit log opens the same way, from its own store ([`super::VisitPage`]).
use leptos::prelude::*;
use survey_core::{Evaluation, Household, Survey};

use super::store::SaveOutcome;
use super::{local_time, same_minute, DraftStore, StorageBanner, StoreError};
use crate::app::{Nav, Screen};
use crate::i18n::T;
use crate::{clock, forms, storage, tr};

use crate::form::HouseholdForm;

/// Same answers, status and history (the `modified` stamp aside), compared in place.
fn same_content(a: &Household, b: &Household) -> bool {
    // Every field is named, so a field added to `Household` must be added here too.
    let Household {
        id,
        format,
        survey_id,
        survey_version,
        status,
        created,
        modified: _,
        finalized,
        exported,
        enumerator,
        device,
        history,
        copy_of,
        household_id,
        record,
        extra,
    } = a;
    *record == b.record
        && *id == b.id
        && *format == b.format
        && *survey_id == b.survey_id
        && *survey_version == b.survey_version
        && *status == b.status
        && *created == b.created
        && *finalized == b.finalized
        && *exported == b.exported
        && *enumerator == b.enumerator
        && *device == b.device
        && *history == b.history
        && *copy_of == b.copy_of
        && *household_id == b.household_id
        && *extra == b.extra
}

/// Where the household's latest version is.
#[derive(Clone, Debug, PartialEq)]
enum SaveState {
    /// Stored, at this time (RFC 3339).
    Saved(String),
    /// Only in memory: storage refused it (full).
    Unsaved,
    /// Changed by another tab: this tab's version is kept aside until the enumerator chooses.
    Conflict,
}

/// The other tab's version in a conflict (`None`: the other tab deleted the household).
#[derive(Clone, Debug, PartialEq)]
struct Theirs {
    household: Option<Household>,
    raw: Option<String>,
}

/// Opens household `id` for entry. Every change the form makes (through
/// `household.update(..)`) is stored before the next one can be made, with `modified`
/// bumped; the page also stores on `visibilitychange`, `pagehide` and when closed. When
/// storage is full the answers stay in memory (the banner says so) and are stored by the
/// next change or the retry timer. A change by another tab is never overwritten silently.
#[component]
pub fn HouseholdPage(
    /// The household id.
    id: String,
    /// Called with the edited household's signal once loaded (tests, embedding).
    #[prop(optional)]
    on_ready: Option<Callback<RwSignal<Household>>>,
) -> impl IntoView {
    let store = DraftStore::use_context();
    // The household's visits, when this kit has a visit log.
    let extra = forms::visit().map(|_| view! { <super::visits::HouseholdVisits household_id=id.clone() /> }.into_any());
    record_page(RecordPage { store, id, survey: forms::household(), on_ready, subtitle: None, extra })
}

/// What [`record_page`] opens.
pub(super) struct RecordPage {
    /// The store of the record (households, or visits).
    pub store: DraftStore,
    /// The record id.
    pub id: String,
    /// The form it is entered with.
    pub survey: &'static Survey,
    /// Called with the edited record's signal once loaded.
    pub on_ready: Option<Callback<RwSignal<Household>>>,
    /// Shown beside the form's title (a visit: the head of the household visited).
    pub subtitle: Option<String>,
    /// Shown above the form (a household: its visits).
    pub extra: Option<AnyView>,
}

/// Opens a record of `page.store` for entry (see [`HouseholdPage`]). Closing it goes back to
/// where it belongs: a visit to its household's page (when that household is on the
/// tablet), anything else to the home screen.
pub(super) fn record_page(page: RecordPage) -> AnyView {
    let RecordPage { store, id, survey, on_ready, subtitle, extra } = page;
    let nav = use_context::<Nav>();
    let households = use_context::<DraftStore>();
    let back = StoredValue::new(Screen::Home);
    let go_home = move || {
        if let Some(nav) = nav {
            nav.go(back.get_value());
        }
    };

    let stored = store.load(&id);
    let unsaved = store.unsaved_version(&id);
    let copy = store.conflict_copy(&id);
    let (start, saved_start, theirs) = match (stored, unsaved) {
        (stored, Some(u)) => {
            store.set_base(&id, u.base.clone());
            (u.household, stored.ok(), None)
        }
        (Ok(h), None) => match copy {
            Some(mine) => {
                let raw = store.raw(&id).ok().flatten();
                (mine, Some(h.clone()), Some(Theirs { household: Some(h), raw }))
            }
            None => (h.clone(), Some(h), None),
        },
        (Err(e), None) => {
            let damaged = store.raw(&id).ok().flatten().filter(|_| matches!(e, StoreError::Damaged(_)));
            let key = store.key(&id);
            return view! {
                <section class="drafts-page" data-testid="household-load-error" data-code=e.code()>
                    <StorageBanner />
                    <p class="drafts-banner drafts-banner-error" role="alert"><T text=tr!(drafts.page.load_failed) /> " — " <T text=e.text() /></p>
                    {damaged.map(|raw| {
                        let d = super::Damaged { key: key.clone(), raw, reason: e.to_string() };
                        let name = format!("damaged-{id}.json");
                        view! {
                            <button type="button" data-testid="download-damaged" on:click=move |_| {
                                let _ = super::download(&name, &d.export_json());
                            }><T text=tr!(drafts.row.download) /></button>
                        }
                    })}
                    <button type="button" data-testid="back-home" on:click=move |_| go_home()><T text=tr!(drafts.page.back) /></button>
                </section>
            }
            .into_any();
        }
    };

    store.set_open(&id, true);
    if let (Some(hid), Some(households)) = (start.household_id.as_deref(), households) {
        // Stored and not deleted (a deleted one stays stored in the trash until the next delete).
        if households.raw(hid).is_ok_and(|raw| raw.is_some()) && households.trash().as_deref() != Some(hid) {
            back.set_value(Screen::Household(hid.to_string()));
        }
    }
    let household = RwSignal::new(start);
    let saved = StoredValue::new(saved_start);
    let conflict = RwSignal::new(theirs);
    let state = RwSignal::new(match (conflict.get_untracked(), store.unsaved_version(&id)) {
        (Some(_), _) => SaveState::Conflict,
        (None, Some(_)) => SaveState::Unsaved,
        (None, None) => SaveState::Saved(household.with_untracked(|h| h.modified.clone())),
    });
    let other_tab = RwSignal::new(false);
    // Versions other tabs kept aside (their conflict copies): shown, and can be taken over.
    let others = RwSignal::new(store.other_copies(&id));

    // The evaluation of the household, shared with the form: the summary stored with every
    // change is made from it rather than from an evaluation of its own.
    let cx = clock::context();
    let ev: Memo<Evaluation> = crate::form::evaluation_of(household, survey, cx);

    // Stores the current version; returns without writing when nothing changed.
    let persist = move || {
        let Some((unchanged, waiting, stamped)) = household.try_with_untracked(|h| {
            saved.with_value(|s| {
                let unchanged = s.as_ref().is_some_and(|s| same_content(s, h));
                // The form stamps each change it makes with its time.
                let stamped = s.as_ref().is_some_and(|s| s.modified != h.modified);
                let waiting = store.unsaved.with_untracked(|u| u.contains_key(&h.id));
                (unchanged, waiting, stamped)
            })
        }) else {
            return;
        };
        if conflict.with_untracked(Option::is_some) {
            // The other tab's version stays stored; this one is kept aside.
            household.with_untracked(|h| {
                let _ = store.save_conflict_copy(h);
            });
            state.set(SaveState::Conflict);
            return;
        }
        if unchanged && !waiting {
            return;
        }
        if !unchanged && !stamped {
            let now = clock::now_rfc3339();
            household.update_untracked(|x| x.modified = now);
        }
        let outcome = household.with_untracked(|h| {
            ev.try_with_untracked(|e| store.autosave_evaluated(h, Some(e)))
                .unwrap_or_else(|| store.autosave(h))
        });
        match outcome {
            SaveOutcome::Saved => {
                let h = household.get_untracked();
                // The save state shows the minute: a new one only when that changes.
                let shown = state.with_untracked(|s| matches!(s, SaveState::Saved(at) if same_minute(at, &h.modified)));
                if !shown {
                    state.set(SaveState::Saved(h.modified.clone()));
                }
                saved.set_value(Some(h));
            }
            SaveOutcome::Merged(merged) => {
                // The other tab's answers on other questions are in it: shown from now on.
                let merged = *merged;
                state.set(SaveState::Saved(merged.modified.clone()));
                saved.set_value(Some(merged.clone()));
                household.set(merged);
                other_tab.set(true);
            }
            SaveOutcome::Unsaved(_) => state.set(SaveState::Unsaved),
            SaveOutcome::Conflict(theirs, raw) => {
                conflict.set(Some(Theirs { household: theirs.map(|b| *b), raw }));
                household.with_untracked(|h| {
                    let _ = store.save_conflict_copy(h);
                });
                state.set(SaveState::Conflict);
            }
        }
    };

    // Every change, before the next: effects run in a microtask right after the update,
    // before the browser hands over the next input event.
    Effect::new(move |_| {
        household.track();
        persist();
    });
    Effect::new(move |prev: Option<()>| {
        store.retry.track();
        if prev.is_some() {
            persist();
        }
    });

    let key = store.key(&id);
    let id_for_events = id.clone();
    // Another tab wrote this household. `localStorage` is a copy per browser process, kept
    // in step after the fact: the other tab may have written without having seen this
    // tab's last version. Events come in the order of the writes, possibly after this tab
    // wrote again: an event is acted on only when storage holds something this tab has not
    // seen, and only the latest write (`new` is what storage holds now).
    let copies = store.copies_prefix(&id);
    let id_for_copies = id.clone();
    let listener = storage::on_change(move |change| {
        if change.key.as_deref().is_some_and(|k| k.starts_with(&copies)) {
            others.set(store.other_copies(&id_for_copies));
            return;
        }
        if change.key.as_deref().is_some_and(|k| k != key) {
            return;
        }
        let base = store.base(&id_for_events).flatten();
        let now = store.raw(&id_for_events).ok().flatten();
        if change.new == base || now == base || (change.key.is_some() && now != change.new) {
            return;
        }
        let theirs = change.new.as_deref().and_then(|raw| super::store::decode(raw).ok());
        let pristine = conflict.with_untracked(Option::is_none)
            && !store.unsaved.with_untracked(|u| u.contains_key(&id_for_events))
            && household.with_untracked(|h| saved.with_value(|s| s.as_ref().is_some_and(|s| same_content(s, h))));
        let holds_ours = change.new.as_deref().is_some_and(|raw| store.holds_ours(&id_for_events, raw));
        match theirs {
            // It holds everything typed here, and nothing was typed since: take it.
            Some(t) if pristine && holds_ours && change.key.is_some() => {
                store.set_base(&id_for_events, change.new.clone());
                saved.set_value(Some(t.clone()));
                state.set(SaveState::Saved(t.modified.clone()));
                household.set(t);
                other_tab.set(true);
            }
            // Typed here since, or written over what this tab stored: merged by a save now
            // (question by question; a clash keeps this tab's version as its copy).
            Some(_) if conflict.with_untracked(Option::is_none) && change.key.is_some() => {
                saved.set_value(None);
                persist();
            }
            theirs => {
                conflict.set(Some(Theirs { household: theirs, raw: change.new }));
                persist();
            }
        }
    });
    let flush_hidden = window_event_listener_untyped("visibilitychange", move |_| persist());
    let flush_hide = window_event_listener_untyped("pagehide", move |_| persist());
    let id_for_cleanup = id.clone();
    on_cleanup(move || {
        persist();
        listener.remove();
        flush_hidden.remove();
        flush_hide.remove();
        store.set_open(&id_for_cleanup, false);
    });

    let id_theirs = id.clone();
    let use_theirs = move |_| {
        let Some(t) = conflict.get_untracked() else { return };
        store.drop_conflict_copy(&id_theirs);
        match t.household {
            None => {
                conflict.set(None);
                store.set_open(&id_theirs, false);
                go_home();
            }
            Some(h) => {
                store.set_base(&id_theirs, t.raw);
                saved.set_value(Some(h.clone()));
                conflict.set(None);
                state.set(SaveState::Saved(h.modified.clone()));
                household.set(h);
            }
        }
    };
    let id_mine = id.clone();
    let keep_mine = move |_| {
        let current = store.raw(&id_mine).ok().flatten();
        store.set_base(&id_mine, current);
        conflict.set(None);
        saved.set_value(None);
        persist();
        if matches!(state.get_untracked(), SaveState::Saved(_)) {
            store.drop_conflict_copy(&id_mine);
        }
    };

    let adopt = move |key: String| {
        if conflict.with_untracked(Option::is_some) {
            return;
        }
        let Ok(mine) = store.adopt_copy(&key) else { return };
        let raw = store.raw(&mine.id).ok().flatten();
        let stored = raw.as_deref().and_then(|r| super::store::decode(r).ok());
        store.set_base(&mine.id, raw.clone());
        others.set(store.other_copies(&mine.id));
        conflict.set(Some(Theirs { household: stored, raw }));
        state.set(SaveState::Conflict);
        household.set(mine);
    };

    if let Some(cb) = on_ready {
        cb.run(household);
    }

    let version_notice = move || {
        household.with(|h| {
            (h.survey_id != survey.id() || h.survey_version != survey.version()).then(|| {
                let started = format!("{} {}", h.survey_id, h.survey_version);
                let current = format!("{} {}", survey.id(), survey.version());
                view! {
                    <p class="drafts-notice" data-testid="version-notice">
                        <T text=tr!(drafts.page.version_notice) />
                        " " <span class="drafts-version" data-testid="household-version">{started}</span>
                        " → " <span class="drafts-version">{current}</span>
                    </p>
                }
            })
        })
    };
    let copy_notice = move || {
        household.with(|h| {
            h.copy_of.clone().map(|c| {
                let text = if c.replaced { tr!(drafts.page.copy_replaced) } else { tr!(drafts.page.copy_of) };
                view! {
                    <p class="drafts-notice drafts-copy-notice" data-testid="copy-notice" data-replaced=c.replaced.to_string()>
                        <T text=text />
                        " " <code data-testid="copy-of-id">{c.id}</code>
                        " · " <T text=tr!(drafts.page.copy_from) /> " " {local_time(&c.file_exported_at)}
                    </p>
                }
            })
        })
    };
    let foreign = Memo::new(move |_| household.with(|h| store.schema().unknown_fields(&h.record.answers)));
    let foreign_view = move || {
        let list = foreign.get();
        (!list.is_empty()).then(|| {
            view! {
                <details class="drafts-foreign" data-testid="foreign-fields" open>
                    <summary><T text=tr!(drafts.page.foreign_title) /> " (" {list.len()} ")"</summary>
                    <p class="hint"><T text=tr!(drafts.page.foreign_hint) /></p>
                    <dl>
                        {list
                            .into_iter()
                            .map(|(path, value)| {
                                let p = path.to_string();
                                view! {
                                    <dt data-testid=format!("foreign-{p}")>{p.clone()}</dt>
                                    <dd>{value}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                </details>
            }
        })
    };
    let conflict_view = move || {
        conflict.get().map(|t| {
            let deleted = t.household.is_none();
            let when = t.household.as_ref().map(|h| local_time(&h.modified)).unwrap_or_default();
            view! {
                <div class="drafts-banner drafts-banner-conflict" role="alert" data-testid="conflict-banner">
                    <strong>
                        {if deleted {
                            view! { <T text=tr!(drafts.page.deleted_elsewhere) /> }.into_any()
                        } else {
                            view! { <T text=tr!(drafts.page.conflict_title) /> " " <span>{when}</span> }.into_any()
                        }}
                    </strong>
                    <p><T text=tr!(drafts.page.conflict_body) /></p>
                    <button type="button" data-testid="use-theirs" on:click=use_theirs.clone()>
                        {if deleted {
                            view! { <T text=tr!(drafts.page.close_deleted) /> }.into_any()
                        } else {
                            view! { <T text=tr!(drafts.page.use_theirs) /> }.into_any()
                        }}
                    </button>
                    <button type="button" data-testid="keep-mine" on:click=keep_mine.clone()>
                        <T text=tr!(drafts.page.keep_mine) />
                    </button>
                </div>
            }
        })
    };
    let others_view = move || {
        let list = others.get();
        (!list.is_empty() && conflict.with(Option::is_none)).then(|| {
            view! {
                <div class="drafts-notice" role="status" data-testid="other-copies">
                    <p><T text=tr!(drafts.page.other_copies) /></p>
                    {list
                        .into_iter()
                        .map(|(key, h)| {
                            let when = local_time(&h.modified);
                            view! {
                                <p data-testid="other-copy">
                                    <span>{when}</span> " "
                                    <button type="button" data-testid="adopt-copy" on:click=move |_| adopt(key.clone())>
                                        <T text=tr!(drafts.page.adopt_copy) />
                                    </button>
                                </p>
                            }
                        })
                        .collect_view()}
                </div>
            }
        })
    };
    let save_state = move || match state.get() {
        SaveState::Saved(at) => view! {
            <span class="drafts-save-state" data-testid="save-state" data-state="saved">
                <T text=tr!(drafts.page.saved) /> " " {local_time(&at)}
            </span>
        }
        .into_any(),
        SaveState::Unsaved => view! {
            <span class="drafts-save-state drafts-save-unsaved" data-testid="save-state" data-state="unsaved">
                <T text=tr!(drafts.page.unsaved) />
            </span>
        }
        .into_any(),
        SaveState::Conflict => view! {
            <span class="drafts-save-state drafts-save-unsaved" data-testid="save-state" data-state="conflict">
                <T text=tr!(drafts.page.kept_aside) />
            </span>
        }
        .into_any(),
    };
    let (page_testid, close_text) = match store.role() {
        survey_core::forms::Role::Household => ("household-page", tr!(form.close)),
        survey_core::forms::Role::Visit => ("visit-page", tr!(visits.back)),
    };
    let close = Callback::new(move |_: ()| {
        persist();
        go_home();
    });

    view! {
        <section class="drafts-page" data-testid=page_testid data-id=id.clone()>
            // (Back to the list: the form's own toolbar button, `close-form`.)
            <div class="drafts-page-bar">{save_state}</div>
            <StorageBanner />
            {conflict_view}
            {others_view}
            <Show when=move || other_tab.get()>
                <p class="drafts-notice" role="status" data-testid="other-tab-notice">
                    <T text=tr!(drafts.page.other_tab) />
                    <button type="button" class="drafts-link" on:click=move |_| other_tab.set(false)>
                        <T text=tr!(drafts.page.dismiss) />
                    </button>
                </p>
            </Show>
            {copy_notice}
            {version_notice}
            {foreign_view}
            {extra}
            <HouseholdForm household=household on_close=close evaluation=ev survey=survey subtitle=subtitle.unwrap_or_default() close_text=close_text />
        </section>
    }
    .into_any()
}
