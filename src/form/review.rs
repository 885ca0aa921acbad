//! The review screen: every error and warning of the household, grouped by section, each a
//! link to its question; and the finalize button, allowed only with no errors and every
//! warning acknowledged (otherwise it says why).
use leptos::prelude::*;
use survey_core::{FieldPath, ItemId};

use super::roster::Summary;
use super::text::{code_text, issue_detail, issue_text, label};
use super::FormCtx;
use crate::i18n::{Bi, T};
use crate::{clock, tr};

/// One line of the review.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    path: FieldPath,
    item: ItemId,
    section: usize,
    error: bool,
    acknowledged: bool,
    text: Bi,
    detail: Option<Bi>,
    /// For member fields: the member's name as entered.
    member_name: String,
}

/// Why finalizing is refused right now, if it is.
fn blocked(form: FormCtx) -> Option<&'static str> {
    form.ev.with(|e| {
        if e.errors().next().is_some() {
            Some("has_errors")
        } else if e.unacknowledged_warnings().next().is_some() {
            Some("unacknowledged_warnings")
        } else {
            None
        }
    })
}

/// The review of the whole household.
#[component]
pub(crate) fn Review(
    /// The form.
    form: FormCtx,
) -> impl IntoView {
    let rows = Memo::new(move |_| {
        form.ev.with(|e| {
            e.issues()
                .iter()
                .map(|i| {
                    let item = form.survey.item(i.item());
                    let member_name = match &i.path.member {
                        Some((r, k)) => form
                            .survey
                            .find(r)
                            .and_then(|rep| Summary::of(form, rep).name_of_in(e, r, *k)),
                        None => None,
                    }
                    .unwrap_or_default();
                    Row {
                        path: i.path.clone(),
                        item: i.item(),
                        section: form.section_of(item),
                        error: i.is_error(),
                        acknowledged: i.acknowledged,
                        text: issue_text(form.survey, i),
                        detail: issue_detail(form.survey, i, e.value(&i.path)),
                        member_name,
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    let errors = Memo::new(move |_| rows.with(|r| r.iter().filter(|r| r.error).count()));
    let open_warnings =
        Memo::new(move |_| rows.with(|r| r.iter().filter(|r| !r.error && !r.acknowledged).count()));
    let acked =
        Memo::new(move |_| rows.with(|r| r.iter().filter(|r| !r.error && r.acknowledged).count()));
    let block = Memo::new(move |_| blocked(form));
    let (attempted, set_attempted) = signal(false);
    let (refusal, set_refusal) = signal(None::<&'static str>);
    let finalize = move |_| {
        set_attempted.set(true);
        form.show_all.set(true);
        if !form.editable.get_untracked() {
            return;
        }
        if let Some(code) = block.get_untracked() {
            set_refusal.set(Some(code));
            return;
        }
        let ev = form.ev.get_untracked();
        let now = clock::now_rfc3339();
        let mut result = Ok(());
        form.household.update(|h| result = h.finalize(&ev, &now));
        set_refusal.set(result.err().map(|e| e.code()));
    };

    let sections: Vec<_> = form
        .survey
        .sections()
        .enumerate()
        .map(|(s, sec)| {
            let mine = Memo::new(move |_| rows.with(|r| r.iter().filter(|r| r.section == s).cloned().collect::<Vec<_>>()));
            move || {
                mine.with(|m| !m.is_empty()).then(|| {
                    view! {
                        <section class="review-section" data-testid=format!("review-section-{}", sec.name)>
                            <h3>
                                <T text=label(sec) />
                            </h3>
                            <ul class="review-list">
                                {mine.get().into_iter().map(|r| row_view(form, r)).collect_view()}
                            </ul>
                        </section>
                    }
                })
            }
        })
        .collect();

    view! {
        <section class="review" data-testid="review">
            <h2 class="section-title">
                <T text=form.wording(tr!(form.review.title), tr!(visits.review_title)) />
            </h2>
            <div class="review-counts">
                <span class="count error" data-testid="review-error-count">
                    <span class="msg-icon" aria-hidden="true"></span>
                    <T text=tr!(form.review.errors) />
                    <strong>{move || errors.get()}</strong>
                </span>
                <span class="count warning" data-testid="review-warning-count">
                    <span class="msg-icon" aria-hidden="true"></span>
                    <T text=tr!(form.review.warnings) />
                    <strong>{move || open_warnings.get()}</strong>
                </span>
                <span class="count acked">
                    <span class="msg-icon" aria-hidden="true"></span>
                    <T text=tr!(form.review.acknowledged) />
                    <strong>{move || acked.get()}</strong>
                </span>
            </div>
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="review-none" data-testid="review-none"><T text=tr!(form.review.none) /></p> })}
            {sections}
            {form.survey.sections().next().is_none().then(|| {
                // A form without any group: its questions are one list.
                move || view! { <ul class="review-list">{rows.get().into_iter().map(|r| row_view(form, r)).collect_view()}</ul> }
            })}
            <div class="finalize-box">
                {move || {
                    if form.editable.get() {
                        view! {
                            <div
                                class="finalize-reason"
                                id="finalize-why"
                                class:attempted=move || attempted.get()
                                data-testid="finalize-blocked"
                                role=move || attempted.get().then_some("alert")
                                hidden=move || block.get().is_none()
                            >
                                {move || {
                                    refusal.get().or(block.get()).and_then(code_text).map(|t| view! { <T text=t /> })
                                }}
                            </div>
                            <p class="finalize-ready" hidden=move || block.get().is_some()>
                                <T text=tr!(form.review.ready) />
                            </p>
                            <button
                                type="button"
                                class="primary finalize"
                                data-testid="finalize"
                                class:blocked=move || block.get().is_some()
                                aria-describedby="finalize-why"
                                on:click=finalize
                            >
                                <T text=tr!(form.review.finalize) />
                            </button>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p class="finalized-note" data-testid="finalized-note">
                                <T text=tr!(form.review.finalized) />
                            </p>
                        }
                            .into_any()
                    }
                }}
            </div>
            <button type="button" class="ghost" data-testid="back-to-form" on:click=move |_| form.go(super::Pane::Section(0))>
                <T text=tr!(form.review.back) />
            </button>
        </section>
    }
}

/// One error or warning, a link to its question.
fn row_view(form: FormCtx, r: Row) -> impl IntoView {
    let kind = if r.error {
        "error"
    } else if r.acknowledged {
        "acked"
    } else {
        "warning"
    };
    let item = form.survey.item(r.item);
    let href = format!("#field-{}", r.path);
    let path = r.path.clone();
    let member = r.path.index().map(|i| {
        let name = r.member_name.clone();
        view! {
            <span class="review-member">
                <T text=tr!(form.members.member) />
                " "
                {i + 1}
                {(!name.is_empty()).then(|| view! { " · " <span class="user-text">{name}</span> })}
            </span>
        }
    });
    view! {
        <li class=format!("review-item {kind}")>
            <a
                href=href
                class="review-link"
                data-testid=format!("review-{kind}-{}", r.path)
                on:click=move |ev| {
                    ev.prevent_default();
                    form.jump(&path, item);
                }
            >
                <span class="msg-icon" aria-hidden="true"></span>
                <span class="review-where">
                    {member}
                    <span class="review-field">
                        <T text=label(item) />
                    </span>
                </span>
                <span class="review-msg">
                    <T text=r.text />
                    {r.detail.map(|d| view! { <span class="msg-detail"><T text=d /></span> })}
                </span>
            </a>
        </li>
    }
}
