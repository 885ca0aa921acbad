//! The visit log's screens (走访记录): a household's visits on its page ([`HouseholdVisits`]),
//! one visit open in the visit form ([`VisitPage`]), and the visits whose household is not
//! on this tablet ([`OrphanVisits`], on the home screen: never lost, always openable).
use std::collections::HashSet;

use leptos::prelude::*;

use super::home::{choice_text, DeleteDialog, Deleting, UndoBar};
use super::household_page::{record_page, RecordPage};
use super::{local_time, status_name, status_text, DraftStore, VisitStore, VisitSummary};
use crate::app::{Nav, Screen};
use crate::i18n::T;
use crate::{forms, tr};

/// One line of a visit list: date, home visit or phone call, who was met, the cadre,
/// status; open and delete (with confirmation). `household`: also show the household id.
fn visit_row(s: VisitSummary, deleting: Deleting, store: DraftStore, household: bool) -> impl IntoView {
    let nav = use_context::<Nav>();
    let id = s.id.clone();
    let open_id = id.clone();
    let delete_id = id.clone();
    let mode = forms::visit().and_then(|v| choice_text(v, "visit_mode", &s.visit_mode));
    let mode = match mode {
        Some(bi) => view! { <T text=bi /> }.into_any(),
        None => s.visit_mode.clone().into_any(),
    };
    let date = if s.visit_date.is_empty() {
        view! { <T text=tr!(visits.no_date) /> }.into_any()
    } else {
        s.visit_date.clone().into_any()
    };
    let status = if s.damaged { tr!(drafts.status.damaged) } else { status_text(s.status) };
    let household_id = s.household_id.clone().unwrap_or_default();
    view! {
        <li class="drafts-row visit-row" data-testid=format!("visit-row-{id}") data-status=status_name(s.status) data-mode=s.visit_mode.clone() data-date=s.visit_date.clone()>
            <div class="drafts-row-main">
                <strong data-testid="visit-date">{date}</strong>
                <span data-testid="visit-mode">{mode}</span>
                <span class="drafts-status" data-testid="visit-status"><T text=status /></span>
            </div>
            <div class="drafts-row-meta">
                <span data-testid="visit-met"><T text=tr!(visits.met) /> " " {s.met_whom.clone()}</span>
                <span data-testid="visit-cadre"><T text=tr!(visits.cadre) /> " " {s.cadre_name.clone()}</span>
                <span><T text=tr!(drafts.row.errors) /> " " {s.errors}</span>
                <span><T text=tr!(drafts.row.modified) /> " " {local_time(&s.modified)}</span>
                {household.then(|| view! {
                    <span><T text=tr!(visits.household_id) /> " " <code data-testid="visit-household-id">{household_id}</code></span>
                })}
            </div>
            <div class="drafts-badges">
                {s.unsaved.then(|| view! { <span class="drafts-badge drafts-badge-alert"><T text=tr!(drafts.row.unsaved) /></span> })}
                {s.conflict.then(|| view! { <span class="drafts-badge drafts-badge-alert"><T text=tr!(drafts.row.conflict) /></span> })}
            </div>
            <div class="drafts-row-actions">
                {(!s.damaged).then(|| view! {
                    <button type="button" class="drafts-open" data-testid=format!("open-visit-{id}") on:click=move |_| {
                        if let Some(nav) = nav {
                            nav.go(Screen::Visit(open_id.clone()));
                        }
                    }>
                        <T text=tr!(visits.open) />
                    </button>
                })}
                <button type="button" class="drafts-delete" data-testid=format!("delete-visit-{id}") on:click=move |_| deleting.pending.set(Some(delete_id.clone()))>
                    <T text=tr!(visits.delete) />
                </button>
            </div>
            <DeleteDialog deleting=deleting store=store id=id.clone() question=tr!(visits.delete_question) />
        </li>
    }
}

/// A list of visits ([`visit_row`] each; `household`: with the household's id).
#[component]
fn VisitList(list: Memo<Vec<VisitSummary>>, deleting: Deleting, store: DraftStore, household: bool, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="drafts-list" data-testid=testid>
            <For
                each=move || list.get()
                key=|s| (s.id.clone(), s.modified.clone(), s.status, s.unsaved, s.conflict, s.damaged)
                children=move |s| visit_row(s, deleting, store, household)
            />
        </ul>
    }
}

/// The visits of one household (on its page), newest visit first, and "new visit".
#[component]
pub fn HouseholdVisits(
    /// The household's id.
    household_id: String,
) -> impl IntoView {
    let visits = VisitStore::use_context();
    let nav = use_context::<Nav>();
    let hid = household_id.clone();
    let list = Memo::new(move |_| {
        visits.revision.track();
        visits.unsaved.track();
        visits.of_household(&hid)
    });
    let deleting = Deleting::new("visit-");
    let store = visits.0;
    let new_visit = move |_| {
        if let Some(v) = visits.create(&household_id) {
            if let Some(nav) = nav {
                nav.go(Screen::Visit(v.id));
            }
        }
    };
    view! {
        <section class="visits" data-testid="household-visits">
            <h2>
                <T text=tr!(visits.title) /> " (" <span data-testid="visit-count">{move || list.with(Vec::len)}</span> ")"
            </h2>
            <button type="button" class="drafts-primary" data-testid="new-visit" on:click=new_visit>
                <T text=tr!(visits.new) />
            </button>
            <UndoBar deleting=deleting store=store />
            <Show
                when=move || !list.with(Vec::is_empty)
                fallback=|| view! { <p class="hint" data-testid="no-visits"><T text=tr!(visits.empty) /></p> }
            >
                <VisitList list=list deleting=deleting store=store household=false testid="visit-list" />
            </Show>
        </section>
    }
}

/// The visits whose household is not on this tablet (deleted, or imported without it):
/// listed with their household id, openable. Nothing is shown when there are none.
#[component]
pub fn OrphanVisits() -> impl IntoView {
    let households = DraftStore::use_context();
    let visits = VisitStore::use_context();
    let orphans = Memo::new(move |_| {
        households.revision.track();
        visits.revision.track();
        visits.unsaved.track();
        if forms::visit().is_none() {
            return Vec::new();
        }
        let here: HashSet<String> = households.list().into_iter().map(|s| s.id).collect();
        let mut list: Vec<VisitSummary> = visits
            .list()
            .into_iter()
            .filter(|v| v.household_id.as_ref().is_none_or(|h| !here.contains(h)))
            .collect();
        survey_core::sort::sort_by(&mut list, VisitSummary::newest_visit_first);
        list
    });
    let deleting = Deleting::new("orphan-visit-");
    let store = visits.0;
    view! {
        <UndoBar deleting=deleting store=store />
        <Show when=move || !orphans.with(Vec::is_empty)>
            <section class="visits visits-orphans" data-testid="orphan-visits">
                <h2><T text=tr!(visits.orphans_title) /></h2>
                <p class="hint"><T text=tr!(visits.orphans_hint) /></p>
                <VisitList list=orphans deleting=deleting store=store household=true testid="orphan-visit-list" />
            </section>
        </Show>
    }
}

/// One visit open in the visit form: autosaved, finalized, reopened exactly as a household
/// ([`record_page`]), titled with the visit form's title and the head of the household
/// visited (or a notice that the household is not on this tablet).
#[component]
pub fn VisitPage(
    /// The visit's id.
    id: String,
    /// Called with the edited visit's signal once loaded (tests).
    #[prop(optional)]
    on_ready: Option<Callback<RwSignal<survey_core::Household>>>,
) -> impl IntoView {
    let visits = VisitStore::use_context();
    let households = DraftStore::use_context();
    let Some(survey) = forms::visit() else {
        return view! { <p class="drafts-banner drafts-banner-error" role="alert"><T text=tr!(drafts.error.not_found) /></p> }
            .into_any();
    };
    let household_id = visits
        .unsaved_version(&id)
        .map(|u| u.household)
        .or_else(|| visits.load(&id).ok())
        .and_then(|v| v.household_id);
    let head = household_id
        .as_deref()
        .and_then(|hid| households.list().into_iter().find(|s| s.id == hid))
        .map(|s| s.head_name);
    let missing = head.is_none().then(|| {
        view! {
            <p class="drafts-notice" data-testid="visit-household-missing">
                <T text=tr!(visits.household_missing) /> " " <T text=tr!(visits.household_id) /> " "
                <code>{household_id.clone().unwrap_or_default()}</code>
            </p>
        }
        .into_any()
    });
    record_page(RecordPage { store: visits.0, id, survey, on_ready, subtitle: head, extra: missing })
}
