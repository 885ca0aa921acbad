//! The household form: one household of the shipped survey, filled section by section on
//! a tablet, in Yi, Chinese or both.
//!
//! Data flows one way. The household ([`Household`]) is the only state that matters; the
//! form evaluates it once per change into a [`Memo<Evaluation>`] (relevance, calculated
//! values, errors, warnings, section states). One effect then brings what each item of each
//! scope (the top level, each roster member) shows up to date, writing only the items that
//! changed ([`Scopes`]); each question derives its small memos (value, relevance, messages)
//! from its own item. A keystroke in member 20 thus wakes the typed question, what follows
//! from it and member 20's card, and only the DOM nodes whose text really changed are
//! touched. Only the current section is rendered, and in the members
//! roster only the expanded member's questions.
//!
//! UI-only state (which section is open, which member is expanded, which questions were
//! left once so their errors may show) lives in [`FormCtx`] and is never stored.
mod field;
pub mod media;
mod review;
mod roster;
mod scope;
mod section;
mod text;

use std::collections::HashSet;
use std::time::Duration;

use leptos::prelude::*;
use survey_core::{Evaluation, FieldPath, Household, Item, ItemKind, SectionStatus, Survey};
use wasm_bindgen::JsCast;

use crate::i18n::T;
use crate::{clock, forms, tr};

pub(crate) use scope::{ScopeView, Scopes};
pub use text::code_text;

/// What the form shows: one section (by index among the survey's sections) or the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pane {
    /// The section at this index of [`Survey::sections`].
    Section(usize),
    /// The list of every error and warning, with the finalize button.
    Review,
}

/// Everything the parts of the form share (all `Copy`: signals and the `'static` survey).
#[derive(Clone, Copy)]
pub(crate) struct FormCtx {
    /// The survey being filled.
    pub survey: &'static Survey,
    /// The household being edited (the caller stores every change).
    pub household: RwSignal<Household>,
    /// The evaluation of the household's record, once per change.
    pub ev: Memo<Evaluation>,
    /// What the items of each scope (top level, each member) show.
    pub scopes: Scopes,
    /// Whether answers may be changed (drafts only).
    pub editable: Signal<bool>,
    /// The section or review shown.
    pub pane: RwSignal<Pane>,
    /// The expanded roster member (one at a time).
    pub expanded: RwSignal<Option<usize>>,
    /// Questions left at least once (or answered before the form opened): their errors show.
    pub touched: RwSignal<HashSet<FieldPath>>,
    /// After a finalize attempt every error shows, touched or not.
    pub show_all: RwSignal<bool>,
    /// The member (repeat name, index) waiting for a confirmed removal.
    pub confirm_remove: RwSignal<Option<(&'static str, usize)>>,
    /// A finger (or mouse button) is down: questions left now are marked touched only once
    /// it is lifted, so an error appearing under the question just left cannot shift the
    /// layout between the press and the tap it belongs to.
    pub pointer_down: StoredValue<bool>,
    /// Questions left while the pointer was down.
    pub pending: StoredValue<Vec<FieldPath>>,
}

impl FormCtx {
    /// `household`'s wording on a household's form, `visit`'s on a visit record's (a record
    /// naming the household it visits).
    pub fn wording(&self, household: crate::i18n::Bi, visit: crate::i18n::Bi) -> crate::i18n::Bi {
        if self.household.with_untracked(|h| h.household_id.is_some()) {
            visit
        } else {
            household
        }
    }

    /// The path of `item`, for member `member` when the item is inside a repeat.
    pub fn path(&self, item: &Item, member: Option<usize>) -> FieldPath {
        match (self.survey.repeat_of(item), member) {
            (Some(repeat), Some(i)) if !item.is_repeat() => {
                FieldPath::member(&repeat.name, i, &item.name)
            }
            _ => FieldPath::top(&item.name),
        }
    }

    /// Writes an answer (a blank value removes it). Ignored when the household is not
    /// editable or the value is unchanged, so the caller only stores real changes.
    pub fn set_answer(&self, path: &FieldPath, value: String) {
        if !self.editable.get_untracked() {
            return;
        }
        if self
            .household
            .with_untracked(|h| h.record.answers.get(path) == value)
        {
            return;
        }
        let now = clock::now_rfc3339();
        self.household.update(|h| {
            h.record.answers.set(path, value);
            h.modified = now;
        });
    }

    /// Marks a question as left once: its errors show from now on.
    pub fn touch(&self, path: &FieldPath) {
        if !self.touched.with_untracked(|t| t.contains(path)) {
            self.touched.update(|t| {
                t.insert(path.clone());
            });
        }
    }

    /// A question was left (focus moved out of it): its errors show from now on; while a
    /// pointer is down, only once the tap has landed.
    pub fn leave(&self, path: &FieldPath) {
        if self.pointer_down.try_get_value().unwrap_or(false) {
            self.pending.try_update_value(|p| p.push(path.clone()));
        } else {
            self.touch(path);
        }
    }

    /// Applies the questions left during a tap (after its click has been handled).
    fn flush_pending(&self) {
        let _ = self.pointer_down.try_update_value(|d| *d = false);
        let form = *self;
        set_timeout(
            move || {
                let left = form
                    .pending
                    .try_update_value(std::mem::take)
                    .unwrap_or_default();
                for path in left {
                    if form.touched.try_with_untracked(|_| ()).is_some() {
                        form.touch(&path);
                    }
                }
            },
            Duration::ZERO,
        );
    }

    /// The index of the section holding `item` (a question outside every group: the
    /// section it is shown with, see [`FormCtx::loose_in`]).
    pub fn section_of(&self, item: &Item) -> usize {
        let mut top = item;
        while let Some(p) = top.parent {
            top = self.survey.item(p);
        }
        if let Some(i) = self.survey.sections().position(|s| s.id == top.id) {
            return i;
        }
        // Outside every group: the next section, or the last one.
        let count = self.survey.sections().count();
        let mut next = 0;
        for t in self.survey.top_level() {
            if t.id == top.id {
                return next.min(count.saturating_sub(1));
            }
            next += usize::from(matches!(t.kind, ItemKind::Group | ItemKind::Repeat));
        }
        0
    }

    /// The questions outside every group shown with section `index`: those before it (after
    /// the section before), and on the last section those after it (a form of questions
    /// without groups, such as the visit log's, is one section of them all).
    pub fn loose_in(&self, index: usize) -> (Vec<&'static Item>, Vec<&'static Item>) {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        let count = self.survey.sections().count();
        let mut seen = 0;
        for t in self.survey.top_level() {
            if matches!(t.kind, ItemKind::Group | ItemKind::Repeat) {
                seen += 1;
            } else if seen == index {
                before.push(t);
            } else if seen == count && index + 1 == count {
                after.push(t);
            }
        }
        (before, after)
    }

    /// Shows a pane from the top of the page, with its entry visible in the section list.
    pub fn go(&self, pane: Pane) {
        if self.pane.get_untracked() != pane {
            release_focus_in(".form-pane");
        }
        self.pane.set(pane);
        window().scroll_to_with_x_and_y(0.0, 0.0);
        reveal_current_section();
    }

    /// Jumps to a question: opens its section, expands its member, marks it touched, then
    /// scrolls to it and focuses its input.
    pub fn jump(&self, path: &FieldPath, item: &Item) {
        self.touch(path);
        if let Some(i) = path.index() {
            if self.expanded.get_untracked() != Some(i) {
                release_focus_in(".member-body");
            }
            self.expanded.set(Some(i));
        }
        let pane = Pane::Section(self.section_of(item));
        if self.pane.get_untracked() != pane {
            release_focus_in(".form-pane");
        }
        self.pane.set(pane);
        reveal_current_section();
        focus_field(path.to_string());
    }
}

/// Moves the focus out of `selector` (the pane, or an expanded member) before that part is
/// removed: removing the subtree that holds the focused element is slow in Chromium (tens
/// of milliseconds for a member's questions); blurring it first is not.
pub(crate) fn release_focus_in(selector: &str) {
    let Some(el) = document().active_element() else {
        return;
    };
    if el.closest(selector).ok().flatten().is_some() {
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.blur();
        }
    }
}

/// After the DOM has caught up, scrolls to the question `field-<path>` and focuses its
/// first input (or the question itself when it has none).
pub(crate) fn focus_field(path: String) {
    set_timeout(
        move || {
            let Ok(Some(wrapper)) =
                document().query_selector(&format!("[data-testid=\"field-{path}\"]"))
            else {
                return;
            };
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Center);
            wrapper.scroll_into_view_with_scroll_into_view_options(&opts);
            let target = wrapper
                .query_selector(
                    "input:not([disabled]), textarea:not([disabled]), select:not([disabled])",
                )
                .ok()
                .flatten()
                .unwrap_or(wrapper);
            if let Ok(el) = target.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        },
        Duration::ZERO,
    );
}

/// Scrolls the section list (sideways on portrait screens) so the current section shows.
fn reveal_current_section() {
    set_timeout(
        || {
            if let Ok(Some(el)) = document().query_selector(".section-nav .section-link.current") {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                opts.set_inline(web_sys::ScrollLogicalPosition::Center);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        },
        Duration::ZERO,
    );
}

/// Every answered path of a household: their errors show at once when a saved draft opens.
fn answered_paths(h: &Household) -> HashSet<FieldPath> {
    let a = &h.record.answers;
    let mut out: HashSet<FieldPath> = a.values.keys().map(|k| FieldPath::top(k)).collect();
    for (repeat, members) in &a.repeats {
        for (i, m) in members.iter().enumerate() {
            out.extend(m.keys().map(|k| FieldPath::member(repeat, i, k)));
        }
    }
    out
}

/// The evaluation of `household`, once per change. Every change of the household changes
/// what it evaluates to (a value at least), so the new evaluation is not compared with the
/// old one (that comparison costs a third of the evaluation) before it is passed on.
pub fn evaluation_of(
    household: RwSignal<Household>,
    survey: &'static Survey,
    cx: survey_core::Context,
) -> Memo<Evaluation> {
    Memo::new_with_compare(
        move |_| household.with(|h| survey.evaluate_record(&h.record, &cx)),
        |_, _| true,
    )
}

/// The form of one household, section by section, with the members roster and a review
/// screen that finalizes it. A finalized or exported household is read-only until it is
/// reopened with a reason.
#[component]
pub fn HouseholdForm(
    /// The household being edited. The form changes it only via `household.update(..)`
    /// (answers, acknowledgements, finalize/reopen through `Household` methods with
    /// `clock::now_rfc3339()`); the caller stores every change.
    household: RwSignal<Household>,
    /// Leave the form (back to the household list).
    on_close: Callback<()>,
    /// The evaluation of `household` by the shipped survey, when the caller already keeps
    /// one (the form makes its own otherwise).
    #[prop(optional)]
    evaluation: Option<Memo<Evaluation>>,
    /// The form it is entered with (default: the household survey; a visit: the visit form).
    #[prop(optional)]
    survey: Option<&'static Survey>,
    /// Shown after the form's title (a visit: the head of the household visited).
    #[prop(optional, into)]
    subtitle: String,
    /// The text of the button that leaves the form (default: back to the household list).
    #[prop(optional)]
    close_text: Option<crate::i18n::Bi>,
) -> impl IntoView {
    let survey = survey.unwrap_or_else(forms::household);
    let ev = evaluation.unwrap_or_else(|| {
        let cx = clock::context();
        evaluation_of(household, survey, cx)
    });
    // Whether answers may be changed: a signal set only when that changes, so a keystroke
    // (a change of the household) does not wake every input and button that reads it.
    let editable = RwSignal::new(household.with_untracked(Household::is_editable));
    Effect::new(move |_| {
        let now = household.with(Household::is_editable);
        if editable.get_untracked() != now {
            editable.set(now);
        }
    });
    let editable: Signal<bool> = editable.into();
    let scopes = Scopes::new(survey, household, ev);
    let form = FormCtx {
        survey,
        household,
        ev,
        scopes,
        editable,
        pane: RwSignal::new(Pane::Section(0)),
        expanded: RwSignal::new(None),
        touched: RwSignal::new(household.with_untracked(answered_paths)),
        show_all: RwSignal::new(false),
        confirm_remove: RwSignal::new(None),
        pointer_down: StoredValue::new(false),
        pending: StoredValue::new(Vec::new()),
    };
    let listeners = [
        window_event_listener(leptos::ev::pointerdown, move |_| {
            let _ = form.pointer_down.try_update_value(|d| *d = true);
        }),
        window_event_listener(leptos::ev::pointerup, move |_| form.flush_pending()),
        window_event_listener(leptos::ev::pointercancel, move |_| form.flush_pending()),
    ];
    on_cleanup(move || listeners.into_iter().for_each(|l| l.remove()));
    let status = Memo::new(move |_| household.with(|h| h.status));
    let error_count = Memo::new(move |_| ev.with(|e| e.errors().count()));

    view! {
        <div class="hh-form" data-testid="household-form" class:readonly=move || !editable.get()>
            <div class="form-toolbar">
                <button type="button" class="ghost back" data-testid="close-form" on:click=move |_| on_close.run(())>
                    <span class="icon" aria-hidden="true"></span>
                    <T text=close_text.unwrap_or(tr!(form.close)) />
                </button>
                <div class="form-title">
                    <span class="form-title-text">
                        <T text=text::bi(survey.title()) />
                    </span>
                    {(!subtitle.is_empty()).then(|| view! { <span class="form-title-sub" data-testid="form-subtitle">{subtitle}</span> })}
                    {move || {
                        let s = status.get();
                        view! {
                            <span class="status-badge" data-testid="form-status" data-status=crate::drafts::status_name(s)>
                                <T text=crate::drafts::status_text(s) />
                            </span>
                        }
                    }}
                </div>
                <button
                    type="button"
                    class="review-button"
                    class:current=move || form.pane.get() == Pane::Review
                    data-testid="open-review"
                    on:click=move |_| form.go(Pane::Review)
                >
                    <T text=tr!(form.review.open) />
                    <span class="count-badge" class:zero=move || error_count.get() == 0>
                        {move || error_count.get()}
                    </span>
                </button>
            </div>
            {move || (!editable.get()).then(|| view! { <ReopenBanner form=form /> })}
            <div class="form-layout">
                <SectionNav form=form />
                <div class="form-pane">
                    {move || match form.pane.get() {
                        Pane::Section(i) => section::section_view(form, i),
                        Pane::Review => view! { <review::Review form=form /> }.into_any(),
                    }}
                </div>
            </div>
            <FormFooter form=form />
            <roster::ConfirmRemove form=form />
        </div>
    }
}

/// The list of sections with their state; a tap opens one.
#[component]
fn SectionNav(
    /// The form.
    form: FormCtx,
) -> impl IntoView {
    let states = Memo::new(move |_| {
        form.ev
            .with(|e| e.sections().map(|(_, s)| s).collect::<Vec<SectionStatus>>())
    });
    let items = form
        .survey
        .sections()
        .enumerate()
        .map(|(i, item)| {
            let state = Memo::new(move |_| states.with(|s| s[i].state));
            view! {
                <li>
                    <button
                        type="button"
                        class="section-link"
                        data-testid=format!("section-{}", item.name)
                        data-state=move || text::state_name(state.get())
                        class:current=move || form.pane.get() == Pane::Section(i)
                        aria-current=move || (form.pane.get() == Pane::Section(i)).then_some("step")
                        on:click=move |_| form.go(Pane::Section(i))
                    >
                        <span class="section-no">{i + 1}</span>
                        <span class="section-label">
                            <T text=text::label(item) />
                        </span>
                        <span class="section-state">
                            <span class="state-icon" aria-hidden="true"></span>
                            {move || view! { <T text=text::state_text(state.get()) /> }}
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let lang = crate::i18n::UiLanguage::use_context();
    view! {
        <nav class="section-nav" aria-label=move || lang.mode.get().pick(tr!(form.sections))>
            <ol>{items}</ol>
        </nav>
    }
}

/// Previous / next section, always at hand at the bottom of the screen.
#[component]
fn FormFooter(
    /// The form.
    form: FormCtx,
) -> impl IntoView {
    let count = form.survey.sections().count().max(1);
    let prev = move || match form.pane.get() {
        Pane::Section(0) => None,
        Pane::Section(i) => Some(Pane::Section(i - 1)),
        Pane::Review => Some(Pane::Section(count.saturating_sub(1))),
    };
    let next = move || match form.pane.get() {
        Pane::Section(i) if i + 1 < count => Some(Pane::Section(i + 1)),
        Pane::Section(_) => Some(Pane::Review),
        Pane::Review => None,
    };
    view! {
        <div class="form-footer">
            <button
                type="button"
                data-testid="prev-section"
                disabled=move || prev().is_none()
                on:click=move |_| {
                    if let Some(p) = prev() {
                        form.go(p)
                    }
                }
            >
                <span class="icon prev" aria-hidden="true"></span>
                <T text=tr!(form.prev) />
            </button>
            <span class="footer-position" aria-hidden="true">
                {move || match form.pane.get() {
                    Pane::Section(i) => format!("{} / {count}", i + 1),
                    Pane::Review => String::new(),
                }}
            </span>
            <button
                type="button"
                class="primary"
                data-testid="next-section"
                disabled=move || next().is_none()
                on:click=move |_| {
                    if let Some(p) = next() {
                        form.go(p)
                    }
                }
            >
                {move || match next() {
                    Some(Pane::Review) => view! { <T text=form.wording(tr!(form.to_review), tr!(visits.to_review)) /> }.into_any(),
                    _ => view! { <T text=tr!(form.next) /> }.into_any(),
                }}
                <span class="icon next" aria-hidden="true"></span>
            </button>
        </div>
    }
}

/// Shown on a finalized or exported household: everything is read-only; reopening for a
/// correction asks for a reason (kept in the household's history).
#[component]
fn ReopenBanner(
    /// The form.
    form: FormCtx,
) -> impl IntoView {
    let (asking, set_asking) = signal(false);
    let (reason, set_reason) = signal(String::new());
    let (refusal, set_refusal) = signal(None::<&'static str>);
    let lang = crate::i18n::UiLanguage::use_context();
    let confirm = move |_| {
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            set_refusal.set(Some("reason_required"));
            return;
        }
        let now = clock::now_rfc3339();
        let mut result = Ok(());
        form.household.update(|h| result = h.reopen(&why, &now));
        match result {
            Err(e) => set_refusal.set(Some(e.code())),
            Ok(()) => {
                set_refusal.set(None);
                set_asking.set(false);
            }
        }
    };
    view! {
        <div class="readonly-banner" data-testid="readonly-banner" role="status">
            <p>
                <T text=tr!(form.readonly.notice) />
            </p>
            <Show
                when=move || asking.get()
                fallback=move || {
                    view! {
                        <button type="button" data-testid="reopen" on:click=move |_| set_asking.set(true)>
                            <T text=tr!(form.readonly.reopen) />
                        </button>
                    }
                }
            >
                <div class="reopen-form">
                    <label for="reopen-reason">
                        <T text=tr!(form.readonly.reason_label) />
                    </label>
                    <textarea
                        id="reopen-reason"
                        data-testid="reopen-reason"
                        rows="2"
                        aria-describedby="reopen-refusal"
                        on:input=move |ev| set_reason.set(event_target_value(&ev))
                        placeholder=move || lang.mode.get().pick(tr!(form.readonly.reason_label))
                    ></textarea>
                    <div id="reopen-refusal" class="msg msg-error" data-testid="reopen-refusal" hidden=move || refusal.get().is_none()>
                        {move || refusal.get().and_then(code_text).map(|t| view! { <T text=t /> })}
                    </div>
                    <div class="row-buttons">
                        <button type="button" class="primary" data-testid="confirm-reopen" on:click=confirm>
                            <T text=tr!(form.readonly.confirm) />
                        </button>
                        <button type="button" data-testid="cancel-reopen" on:click=move |_| set_asking.set(false)>
                            <T text=tr!(form.readonly.cancel) />
                        </button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
