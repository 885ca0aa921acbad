//! One question: its label, hint, touch-friendly widget and inline messages.
//!
//! Every question derives small memos from the form's evaluation (its value, its issues,
//! whether they show), so a change elsewhere re-renders nothing here unless this question's
//! own value or messages changed. Text inputs are written on every keystroke but never
//! rewritten while a Chinese input method is composing.
use leptos::html;
use leptos::prelude::*;
use survey_core::{Choice, FieldPath, FieldType, Household, Issue, Item, Survey};

use super::text::{bi, issue_detail, issue_text};
use super::{FormCtx, ScopeView};
use crate::i18n::{Bi, UiLanguage, T};
use crate::{clock, tr};

/// An issue as one question shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shown {
    /// Error (else warning).
    pub error: bool,
    /// A missing required answer.
    pub is_required: bool,
    /// The message.
    pub text: Bi,
    /// A more precise reason (resident ID numbers).
    pub detail: Option<Bi>,
    /// A warning the enumerator acknowledged.
    pub acknowledged: bool,
    /// The reason given with the acknowledgement.
    pub reason: Option<String>,
}

impl Shown {
    pub(crate) fn new(
        survey: &'static Survey,
        household: RwSignal<Household>,
        issue: &Issue,
        value: &str,
    ) -> Shown {
        let reason = if issue.acknowledged {
            household.with_untracked(|h| {
                h.record
                    .acks
                    .get(&issue.path)
                    .and_then(|a| a.reason.clone())
            })
        } else {
            None
        };
        Shown {
            error: issue.is_error(),
            is_required: issue.rule == survey_core::Rule::Required,
            text: issue_text(survey, issue),
            detail: issue_detail(survey, issue, value),
            acknowledged: issue.acknowledged,
            reason,
        }
    }
}

/// The ARIA state of a question's input.
#[derive(Clone, Copy)]
struct Aria {
    invalid: Memo<bool>,
    describedby: Signal<Option<String>>,
}

/// The kinds of text-like inputs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Decimal,
    Digits,
    Date,
    Multiline,
}

/// Full-width digits, point and minus (typed with a Chinese input method) as ASCII.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' | '。' => '.',
            '－' => '-',
            _ => c,
        })
        .collect()
}

/// A question (field) at `path`.
pub(crate) fn field_view(
    form: FormCtx,
    item: &'static Item,
    path: FieldPath,
    scope: ScopeView,
) -> AnyView {
    let Some(ft) = item.field_type() else {
        return ().into_any();
    };
    let id = path.to_string();
    let name: &'static str = &item.name;
    let value = Memo::new(move |_| {
        scope.with(name, |v| v.value.clone()).unwrap_or_default()
    });
    let input = item.is_input();
    let issues = Memo::new(move |_| {
        scope.with(name, |v| v.issues.clone()).unwrap_or_default()
    });
    let shown = {
        let p = path.clone();
        Memo::new(move |_| !input || form.show_all.get() || form.touched.with(|t| t.contains(&p)))
    };
    let visible = Memo::new(move |_| {
        if shown.get() {
            issues.get()
        } else {
            Vec::new()
        }
    });
    let has_error = Memo::new(move |_| visible.with(|v| v.iter().any(|s| s.error)));
    let has_warning =
        Memo::new(move |_| visible.with(|v| v.iter().any(|s| !s.error && !s.acknowledged)));
    let hint_id = item.hint.as_ref().map(|_| format!("hint-{id}"));
    let msg_id = format!("msg-{id}");
    let describedby = {
        let (hint_id, msg_id) = (hint_id.clone(), msg_id.clone());
        Signal::derive(move || {
            let mut ids: Vec<&str> = hint_id.iter().map(String::as_str).collect();
            if !visible.with(Vec::is_empty) {
                ids.push(&msg_id);
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        })
    };
    let aria = Aria {
        invalid: has_error,
        describedby,
    };
    let label_id = format!("label-{id}");
    let input_id = format!("in-{id}");
    let label = item.label.as_ref().map(bi);

    let (class, widget, label_view) = match ft {
        FieldType::Note => (
            "field note",
            ().into_any(),
            label.map(|l| {
                view! { <p class="note-text" id=label_id.clone()><T text=l /></p> }.into_any()
            }),
        ),
        _ if !input => (
            "field computed",
            computed_value(form, item, &id, value),
            label.map(|l| {
                view! { <div class="field-label" id=label_id.clone()><T text=l /></div> }.into_any()
            }),
        ),
        FieldType::SelectOne { .. } | FieldType::SelectMultiple { .. } => {
            let multiple = matches!(ft, FieldType::SelectMultiple { .. });
            (
                if multiple { "field select-multiple" } else { "field select-one" },
                choice_list(form, item, path.clone(), value, multiple, aria, label_id.clone()),
                label.map(|l| {
                    view! {
                        <div class="field-label" id=label_id.clone()>
                            <T text=l />
                            {multiple.then(|| view! { <span class="multi-note"><T text=tr!(form.field.multiple) /></span> })}
                        </div>
                    }
                    .into_any()
                }),
            )
        }
        _ => {
            let kind = match ft {
                FieldType::Integer => Kind::Integer,
                FieldType::Decimal => Kind::Decimal,
                FieldType::Date => Kind::Date,
                _ if item.appearance.split_whitespace().any(|a| a == "multiline") => {
                    Kind::Multiline
                }
                _ if item.appearance.split_whitespace().any(|a| a == "numbers") => Kind::Digits,
                _ => Kind::Text,
            };
            (
                "field text-like",
                text_input(form, path.clone(), input_id.clone(), value, kind, aria),
                label.map(|l| {
                    view! { <label class="field-label" for=input_id.clone() id=label_id.clone()><T text=l /></label> }
                        .into_any()
                }),
            )
        }
    };
    let hint = item.hint.as_ref().map(|h| {
        view! { <div class="field-hint" id=hint_id.clone()><T text=bi(h) /></div> }
    });
    let touch_path = path.clone();
    let msgs = {
        let path = path.clone();
        move || {
            visible
                .get()
                .into_iter()
                .map(|s| issue_view(form, path.clone(), s))
                .collect_view()
        }
    };
    view! {
        <div
            class=class
            class:required=item.always_required()
            class:has-error=move || has_error.get()
            class:has-warning=move || has_warning.get()
            data-testid=format!("field-{id}")
            tabindex="-1"
            on:focusout=move |_| form.leave(&touch_path)
        >
            {label_view}
            {crate::review::question_link(name)}
            {hint}
            {widget}
            <div class="field-msgs" id=msg_id aria-live="polite">
                {msgs}
            </div>
        </div>
    }
    .into_any()
}

/// A text, number, date or multiline input. Written on every keystroke (but not while an
/// input method is composing); the value shown follows the answer only when they differ.
fn text_input(
    form: FormCtx,
    path: FieldPath,
    input_id: String,
    value: Memo<String>,
    kind: Kind,
    aria: Aria,
) -> AnyView {
    let composing = StoredValue::new(false);
    let numeric = matches!(kind, Kind::Integer | Kind::Decimal | Kind::Digits);
    let write = move |raw: String| {
        let v = if numeric { ascii_digits(&raw) } else { raw };
        form.set_answer(&path, v);
    };
    let testid = format!("input-{}", input_id.trim_start_matches("in-"));
    let disabled = move || !form.editable.get();
    let invalid = move || aria.invalid.get().to_string();
    let describedby = move || aria.describedby.get();
    if kind == Kind::Multiline {
        let node = NodeRef::<html::Textarea>::new();
        Effect::new(move |_| {
            let v = value.get();
            if let Some(el) = node.get() {
                if !composing.get_value() && el.value() != v {
                    el.set_value(&v);
                }
            }
        });
        let write2 = write.clone();
        let write3 = write.clone();
        return view! {
            <textarea
                id=input_id
                node_ref=node
                class="input"
                rows="3"
                data-testid=testid
                disabled=disabled
                aria-invalid=invalid
                aria-describedby=describedby
                on:compositionstart=move |_| composing.set_value(true)
                on:compositionend=move |ev| {
                    composing.set_value(false);
                    write(event_target_value(&ev));
                }
                on:input=move |ev| {
                    if !composing.get_value() {
                        write2(event_target_value(&ev));
                    }
                }
                on:change=move |ev| write3(event_target_value(&ev))
            >
                {value.get_untracked()}
            </textarea>
        }
        .into_any();
    }
    let node = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        let v = value.get();
        if let Some(el) = node.get() {
            if !composing.get_value() && el.value() != v {
                el.set_value(&v);
            }
        }
    });
    let (ty, inputmode) = match kind {
        Kind::Integer => ("text", Some("numeric")),
        Kind::Decimal => ("text", Some("decimal")),
        Kind::Digits => ("text", Some("tel")),
        Kind::Date => ("date", None),
        _ => ("text", None),
    };
    let write2 = write.clone();
    let write3 = write.clone();
    view! {
        <input
            type=ty
            id=input_id
            node_ref=node
            class="input"
            class:date=kind == Kind::Date
            class:number=numeric
            data-testid=testid
            inputmode=inputmode
            autocomplete="off"
            value=value.get_untracked()
            disabled=disabled
            aria-invalid=invalid
            aria-describedby=describedby
            on:compositionstart=move |_| composing.set_value(true)
            on:compositionend=move |ev| {
                composing.set_value(false);
                write(event_target_value(&ev));
            }
            on:input=move |ev| {
                if !composing.get_value() {
                    write2(event_target_value(&ev));
                }
            }
            on:change=move |ev| write3(event_target_value(&ev))
        />
    }
    .into_any()
}

/// The label of a choice value of `item` (or of the survey's `yes_no` list for calculated
/// `yes` / `no`), when there is one.
fn value_label(survey: &'static Survey, item: &'static Item, value: &str) -> Option<Bi> {
    let in_list = |c: &'static [Choice]| c.iter().find(|c| c.name == value).map(|c| bi(&c.label));
    match item.field_type() {
        Some(FieldType::SelectOne { .. } | FieldType::SelectMultiple { .. }) => {
            in_list(survey.choices(item))
        }
        _ => survey.list("yes_no").and_then(|l| in_list(&l.choices)),
    }
}

/// The read-only value of a calculation or read-only question.
fn computed_value(form: FormCtx, item: &'static Item, id: &str, value: Memo<String>) -> AnyView {
    let multiple = matches!(item.field_type(), Some(FieldType::SelectMultiple { .. }));
    view! {
        <output class="computed-value" data-testid=format!("input-{id}")>
            {move || {
                let v = value.get();
                if v.is_empty() {
                    return view! { <span class="empty-value"><T text=tr!(form.field.empty_value) /></span> }.into_any();
                }
                let parts: Vec<String> = if multiple { v.split_whitespace().map(String::from).collect() } else { vec![v] };
                parts
                    .into_iter()
                    .map(|p| match value_label(form.survey, item, &p) {
                        Some(l) => view! { <span class="value-part"><T text=l /></span> }.into_any(),
                        None => view! { <span class="value-part">{p}</span> }.into_any(),
                    })
                    .collect_view()
                    .into_any()
            }}
        </output>
    }
    .into_any()
}

/// `value` with choice `name` turned on or off, in the list's order (unknown values kept
/// at the end), space-separated.
fn toggled(value: &str, name: &str, on: bool, order: &[Choice]) -> String {
    let mut set: Vec<&str> = value.split_whitespace().filter(|v| *v != name).collect();
    if on {
        set.push(name);
    }
    let rank = |v: &str| order.iter().position(|c| c.name == v).unwrap_or(usize::MAX);
    survey_core::sort::sort_by_key(&mut set, |v| rank(v));
    set.dedup();
    set.join(" ")
}

/// Large radio buttons (select_one) or checkboxes (select_multiple), filtered by the
/// question's `choice_filter`.
fn choice_list(
    form: FormCtx,
    item: &'static Item,
    path: FieldPath,
    value: Memo<String>,
    multiple: bool,
    aria: Aria,
    label_id: String,
) -> AnyView {
    let id = path.to_string();
    let render = {
        let (path, id) = (path.clone(), id.clone());
        move |c: &'static Choice| {
            let cname: &'static str = &c.name;
            let path = path.clone();
            let checked = move || {
                if multiple {
                    value.with(|v| v.split_whitespace().any(|x| x == cname))
                } else {
                    value.with(|v| v == cname)
                }
            };
            view! {
                <label class="choice" data-testid=format!("choice-{id}-{cname}")>
                    <input
                        type=if multiple { "checkbox" } else { "radio" }
                        name=id.clone()
                        value=cname
                        prop:checked=checked
                        disabled=move || !form.editable.get()
                        on:change=move |ev| {
                            let new = if multiple {
                                let on = event_target_checked(&ev);
                                let cur = form.household.with_untracked(|h| h.record.answers.get(&path).to_string());
                                toggled(&cur, cname, on, form.survey.choices(item))
                            } else {
                                cname.to_string()
                            };
                            form.set_answer(&path, new);
                            form.touch(&path);
                        }
                    />
                    <span class="choice-text">
                        <T text=bi(&c.label) />
                    </span>
                </label>
            }
        }
    };
    let list = if item.has_choice_filter() {
        let p = path.clone();
        let visible = Memo::new(move |_| form.ev.with(|e| form.survey.visible_choices(&p, e)));
        (move || visible.get().into_iter().map(render.clone()).collect_view()).into_any()
    } else {
        form.survey
            .choices(item)
            .iter()
            .map(render)
            .collect_view()
            .into_any()
    };
    let clear = (!multiple).then(|| {
        let path = path.clone();
        view! {
            <button
                type="button"
                class="ghost clear-choice"
                data-testid=format!("clear-{id}")
                hidden=move || value.with(String::is_empty) || !form.editable.get()
                on:click=move |_| {
                    form.set_answer(&path, String::new());
                    form.touch(&path);
                }
            >
                <T text=tr!(form.field.clear) />
            </button>
        }
    });
    view! {
        <div
            class="choices"
            role=if multiple { "group" } else { "radiogroup" }
            aria-labelledby=label_id
            data-testid=format!("input-{id}")
            aria-invalid=move || aria.invalid.get().to_string()
            aria-describedby=move || aria.describedby.get()
        >
            {list}
        </div>
        {clear}
    }
    .into_any()
}

/// One message under a question: an error, or a warning with its acknowledgement.
fn issue_view(form: FormCtx, path: FieldPath, s: Shown) -> AnyView {
    let id = path.to_string();
    let detail = s
        .detail
        .map(|d| view! { <span class="msg-detail"><T text=d /></span> });
    if s.error {
        return view! {
            <div class="msg msg-error" data-testid=format!("error-{id}")>
                <span class="msg-icon" aria-hidden="true"></span>
                <div class="msg-body">
                    <span class="msg-kind"><T text=tr!(form.issue.error) /></span>
                    <span class="msg-text"><T text=s.text /></span>
                    {detail}
                </div>
            </div>
        }
        .into_any();
    }
    if s.acknowledged {
        return view! {
            <div class="msg msg-warning acked" data-testid=format!("warning-{id}") data-acknowledged="true">
                <span class="msg-icon" aria-hidden="true"></span>
                <div class="msg-body">
                    <span class="msg-kind"><T text=tr!(form.issue.acknowledged) /></span>
                    <span class="msg-text"><T text=s.text /></span>
                    {s.reason.map(|r| view! {
                        <span class="ack-reason">
                            <T text=tr!(form.issue.reason) />
                            ": "
                            <span class="user-text">{r}</span>
                        </span>
                    })}
                </div>
            </div>
        }
        .into_any();
    }
    let lang = UiLanguage::use_context();
    let (reason, set_reason) = signal(String::new());
    let ack = {
        let path = path.clone();
        move |_| {
            if !form.editable.get_untracked() {
                return;
            }
            let r = reason.get_untracked();
            let r = Some(r.trim().to_string()).filter(|r| !r.is_empty());
            let v = form.ev.with_untracked(|e| e.value(&path).to_string());
            let now = clock::now_rfc3339();
            let p = path.clone();
            form.household.update(|h| {
                h.record.acknowledge(p, &v, r);
                h.modified = now;
            });
        }
    };
    let reason_id = format!("ack-reason-{id}");
    let ack_id = format!("ack-{id}");
    view! {
        <div class="msg msg-warning" data-testid=format!("warning-{id}") data-acknowledged="false">
            <span class="msg-icon" aria-hidden="true"></span>
            <div class="msg-body">
                <span class="msg-kind"><T text=tr!(form.issue.warning) /></span>
                <span class="msg-text"><T text=s.text /></span>
                {detail}
                {move || form.editable.get().then(|| {
                    let ack = ack.clone();
                    view! {
                        <div class="ack-form">
                            <input
                                type="text"
                                class="input ack-reason"
                                id=reason_id.clone()
                                data-testid=reason_id.clone()
                                autocomplete="off"
                                placeholder=move || lang.mode.get().pick(tr!(form.issue.ack_reason))
                                aria-label=move || lang.mode.get().pick(tr!(form.issue.ack_reason))
                                on:input=move |ev| set_reason.set(event_target_value(&ev))
                            />
                            <button type="button" class="ack-button" data-testid=ack_id.clone() on:click=ack>
                                <T text=tr!(form.issue.ack_button) />
                            </button>
                        </div>
                    }
                })}
            </div>
        </div>
    }
    .into_any()
}

/// The messages on a path that is not a question (a roster's `too_many_members`), shown
/// at once.
pub(crate) fn field_view_issues(
    form: FormCtx,
    path: FieldPath,
    scope: ScopeView,
) -> impl IntoView {
    let name = path.field.clone();
    let issues = Memo::new(move |_| {
        scope.with(&name, |v| v.issues.clone()).unwrap_or_default()
    });
    view! {
        <div class="field-msgs" aria-live="polite">
            {move || issues.get().into_iter().map(|s| issue_view(form, path.clone(), s)).collect_view()}
        </div>
    }
}
