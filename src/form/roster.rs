//! The household members roster: one card per member, summarised by name, relation and
//! age, expanded one at a time to edit; adding, and removing after a confirmation.
//!
//! Cards are keyed by index and everything on a card is derived from the evaluation by
//! path, so removing a member simply shifts what each card reads; typing in one member
//! updates only that member's summary text.
use std::time::Duration;

use leptos::prelude::*;
use survey_core::{Evaluation, FieldPath, FieldType, Item};
use wasm_bindgen::JsCast;

use super::field::field_view_issues;
use super::section::render_children;
use super::text::{bi, label};
use super::{focus_field, release_focus_in, FormCtx};
use crate::i18n::{UiLanguage, T};
use crate::{clock, tr};

/// Which fields of a repeat summarise a member on its card: the first text question (name),
/// the first single-choice question (relation) and the first labelled calculation (age).
#[derive(Clone, Copy)]
pub(crate) struct Summary {
    name: Option<&'static Item>,
    relation: Option<&'static Item>,
    age: Option<&'static Item>,
}

impl Summary {
    pub(crate) fn of(form: FormCtx, repeat: &'static Item) -> Summary {
        let fields: Vec<&'static Item> = form.survey.children(repeat).collect();
        let find = |f: &dyn Fn(&Item) -> bool| fields.iter().copied().find(|it| f(it));
        Summary {
            name: find(&|it| it.is_input() && it.field_type() == Some(&FieldType::Text)),
            relation: find(&|it| {
                it.is_input() && matches!(it.field_type(), Some(FieldType::SelectOne { .. }))
            }),
            age: find(&|it| it.field_type() == Some(&FieldType::Calculate) && it.label.is_some()),
        }
    }

    /// The member's name as entered (blank when not yet).
    pub(crate) fn name_of(&self, form: FormCtx, repeat: &str, index: usize) -> String {
        form.ev
            .with_untracked(|e| self.name_of_in(e, repeat, index))
            .unwrap_or_default()
    }

    /// The member's name in an evaluation, when the repeat has a name field.
    pub(crate) fn name_of_in(&self, e: &Evaluation, repeat: &str, index: usize) -> Option<String> {
        self.name.map(|it| {
            e.value(&FieldPath::member(repeat, index, &it.name))
                .to_string()
        })
    }
}

/// Scrolls the element with this test id into view once the DOM has caught up.
fn scroll_to(testid: String) {
    set_timeout(
        move || {
            if let Ok(Some(el)) = document().query_selector(&format!("[data-testid=\"{testid}\"]"))
            {
                let opts = web_sys::ScrollIntoViewOptions::new();
                opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&opts);
            }
        },
        Duration::ZERO,
    );
}

/// The roster of a repeat (the household members).
#[component]
pub(crate) fn Roster(
    /// The form.
    form: FormCtx,
    /// The repeat.
    item: &'static Item,
) -> impl IntoView {
    let repeat: &'static str = &item.name;
    let count = Memo::new(move |_| form.ev.with(|e| e.member_count(repeat)));
    let summary = Summary::of(form, item);
    let first_field: Option<&'static str> = form
        .survey
        .children(item)
        .find(|c| c.is_input())
        .map(|c| c.name.as_str());
    let add = move |_| {
        if !form.editable.get_untracked() {
            return;
        }
        release_focus_in(".member-body");
        let now = clock::now_rfc3339();
        let mut index = 0;
        form.household.update(|h| {
            let member = form
                .survey
                .new_member(&h.record.answers, repeat, &clock::context());
            index = h.record.answers.add_member(repeat, member);
            h.modified = now;
        });
        form.expanded.set(Some(index));
        if let Some(f) = first_field {
            focus_field(FieldPath::member(repeat, index, f).to_string());
        }
    };
    view! {
        <section class="roster">
            <div class="roster-head" data-testid=format!("field-{repeat}") tabindex="-1">
                <h3>
                    <T text=label(item) />
                </h3>
                <span class="roster-count">
                    <T text=tr!(form.members.count) />
                    ": "
                    <strong data-testid="member-count">{move || count.get()}</strong>
                </span>
            </div>
            {field_view_issues(form, FieldPath::top(repeat), form.scopes.get(None, 0))}
            {move || {
                (count.get() == 0)
                    .then(|| view! { <p class="roster-empty" data-testid="roster-empty"><T text=tr!(form.members.empty) /></p> })
            }}
            <ol class="member-list">
                <For
                    each=move || 0..count.get()
                    key=|i| *i
                    children=move |i| view! { <MemberCard form=form repeat=item index=i summary=summary /> }
                />
            </ol>
            {move || {
                form.editable.get().then(|| view! {
                    <button type="button" class="add-member" data-testid="add-member" on:click=add>
                        <span class="icon plus" aria-hidden="true"></span>
                        <T text=tr!(form.members.add) />
                    </button>
                })
            }}
        </section>
    }
}

/// One member: a summary button (expands the card) and, when expanded, its questions.
#[component]
fn MemberCard(
    /// The form.
    form: FormCtx,
    /// The repeat.
    repeat: &'static Item,
    /// 0-based member index.
    index: usize,
    /// Which fields summarise the member.
    summary: Summary,
) -> impl IntoView {
    let rname: &'static str = &repeat.name;
    let open = Memo::new(move |_| form.expanded.get() == Some(index));
    // Everything on the card derives from this member's own view.
    let scope = form.scopes.get(Some(repeat), index);
    let value_of = move |it: &'static Item| {
        let n: &'static str = &it.name;
        Memo::new(move |_| scope.with(n, |v| v.value.clone()).unwrap_or_default())
    };
    let name = summary.name.map(value_of);
    let relation = summary.relation.map(|it| {
        let n: &'static str = &it.name;
        Memo::new(move |_| {
            scope
                .with(n, |v| {
                    form.survey.choices(it).iter().find(|c| c.name == v.value).map(|c| bi(&c.label))
                })
                .flatten()
        })
    });
    let age = summary.age.map(value_of);
    let errors = Memo::new(move |_| {
        let all = form.show_all.get();
        scope
            .items()
            .iter()
            .map(|item| {
                item.with(|v| {
                    if v.relevant {
                        v.issues.iter().filter(|i| i.error && (all || !i.is_required)).count()
                    } else {
                        0
                    }
                })
            })
            .sum::<usize>()
    });
    let toggle = move |_| {
        release_focus_in(".member-body");
        let opening = !open.get_untracked();
        form.expanded.set(opening.then_some(index));
        if opening {
            scroll_to(format!("member-card-{index}"));
        }
    };
    let lang = UiLanguage::use_context();
    view! {
        <li class="member-card" class:open=move || open.get() data-testid=format!("member-card-{index}")>
            <div class="member-head">
                <button
                    type="button"
                    class="member-summary"
                    data-testid=format!("member-toggle-{index}")
                    aria-expanded=move || open.get().to_string()
                    aria-controls=format!("member-body-{index}")
                    on:click=toggle
                >
                    <span class="member-no">{index + 1}</span>
                    <span class="member-facts">
                        <span class="member-name" data-testid=format!("member-name-{index}")>
                            {move || match name.map(|n| n.get()).filter(|n| !n.is_empty()) {
                                Some(n) => view! { <span class="user-text">{n}</span> }.into_any(),
                                None => view! { <span class="unnamed"><T text=tr!(form.members.unnamed) /></span> }.into_any(),
                            }}
                        </span>
                        <span class="member-relation" data-testid=format!("member-relation-{index}")>
                            {move || relation.and_then(|r| r.get()).map(|t| view! { <T text=t /> })}
                        </span>
                        <span class="member-age" data-testid=format!("member-age-{index}")>
                            {move || {
                                age.map(|a| a.get()).filter(|a| !a.is_empty()).map(|a| view! {
                                    <span class="age-number">{a}</span>
                                    " "
                                    <T text=tr!(form.members.age_unit) />
                                })
                            }}
                        </span>
                    </span>
                    <span class="member-errors" hidden=move || errors.get() == 0 data-testid=format!("member-errors-{index}")>
                        {move || errors.get()}
                    </span>
                    <span class="chevron" aria-hidden="true"></span>
                </button>
                {move || {
                    form.editable.get().then(|| view! {
                        <button
                            type="button"
                            class="ghost remove-member"
                            data-testid=format!("remove-member-{index}")
                            aria-label=move || lang.mode.get().pick(tr!(form.members.remove_label))
                            on:click=move |_| form.confirm_remove.set(Some((rname, index)))
                        >
                            <span class="icon trash" aria-hidden="true"></span>
                            <T text=tr!(form.members.remove) />
                        </button>
                    })
                }}
            </div>
            {move || {
                open.get().then(|| view! {
                    <div class="member-body" id=format!("member-body-{index}")>
                        {render_children(form, repeat, Some(index), scope)}
                        <button
                            type="button"
                            class="ghost collapse"
                            on:click=move |_| {
                                release_focus_in(".member-body");
                                form.expanded.set(None);
                            }
                        >
                            <T text=tr!(form.members.collapse) />
                        </button>
                    </div>
                })
            }}
        </li>
    }
}

/// The confirmation step before a member is removed.
#[component]
pub(crate) fn ConfirmRemove(
    /// The form.
    form: FormCtx,
) -> impl IntoView {
    let confirm = move |_| {
        let Some((repeat, i)) = form.confirm_remove.get_untracked() else {
            return;
        };
        form.confirm_remove.set(None);
        if !form.editable.get_untracked() {
            return;
        }
        release_focus_in(".member-body");
        let now = clock::now_rfc3339();
        form.household.update(|h| {
            h.record.remove_member(repeat, i);
            h.modified = now;
        });
        form.expanded.update(|e| match *e {
            Some(x) if x == i => *e = None,
            Some(x) if x > i => *e = Some(x - 1),
            _ => {}
        });
        form.touched.update(|t| {
            let old = std::mem::take(t);
            t.extend(old.into_iter().filter_map(|mut p| {
                if let Some((r, k)) = &mut p.member {
                    if &**r == repeat {
                        if *k == i {
                            return None;
                        }
                        if *k > i {
                            *k -= 1;
                        }
                    }
                }
                Some(p)
            }));
        });
    };
    move || {
        form.confirm_remove.get().map(|(repeat, i)| {
            // The safe choice has the focus; Escape cancels.
            set_timeout(
                || {
                    if let Ok(Some(el)) = document().query_selector("[data-testid=\"cancel-remove\"]") {
                        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                            let _ = el.focus();
                        }
                    }
                },
                Duration::ZERO,
            );
            let name = form
                .survey
                .find(repeat)
                .map(|r| Summary::of(form, r).name_of(form, repeat, i))
                .unwrap_or_default();
            view! {
                <div class="modal-backdrop">
                    <div
                        class="modal"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="confirm-remove-text"
                        data-testid="confirm-dialog"
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                form.confirm_remove.set(None);
                            }
                        }
                    >
                        <p id="confirm-remove-text">
                            <T text=tr!(form.members.confirm_question) />
                        </p>
                        <p class="modal-member">
                            <span class="member-no">{i + 1}</span>
                            {if name.is_empty() {
                                view! { <T text=tr!(form.members.unnamed) /> }.into_any()
                            } else {
                                view! { <span class="user-text">{name}</span> }.into_any()
                            }}
                        </p>
                        <div class="row-buttons">
                            <button type="button" class="danger" data-testid="confirm-remove" on:click=confirm>
                                <T text=tr!(form.members.confirm) />
                            </button>
                            <button
                                type="button"
                                data-testid="cancel-remove"
                                on:click=move |_| form.confirm_remove.set(None)
                            >
                                <T text=tr!(form.members.cancel) />
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
