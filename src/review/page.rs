//! The review screen: the list of texts with filters and counts, and per text the
//! reviewer's verdict (accept, or correct with the romanized Yi input and a comment).
use leptos::prelude::*;
use std::sync::Arc;
use survey_core::translation::TextEntry;

use super::{all_texts, text_field, Review, YiKeyboard};
use crate::app::{Nav, Screen};
use crate::i18n::{Bi, LangMode, UiLanguage, T};
use crate::tr;

/// Texts shown at first, and added by "show more".
const PAGE: usize = 30;
/// The status filters, in the order shown ("here": reviewed on this tablet).
const STATUSES: [&str; 6] = ["all", "draft", "sourced", "reviewed", "missing", "here"];

fn status_text(status: &str) -> Bi {
    match status {
        "draft" => tr!(review.status.draft),
        "sourced" => tr!(review.status.sourced),
        "reviewed" => tr!(review.status.reviewed),
        "missing" => tr!(review.status.missing),
        "here" => tr!(review.status.here),
        _ => tr!(review.status.all),
    }
}

/// The filter value of a text's status: `here` once reviewed on this tablet.
fn status_of(t: &TextEntry, here: bool) -> &'static str {
    if here {
        return "here";
    }
    t.status.map_or("missing", |s| s.as_str())
}

/// A place (`ui/app`, `section/visit`, `list/relation`, `title`) as shown: its kind in
/// both languages and its name (a section by its Chinese label).
fn place_label(place: &str, texts: &[TextEntry]) -> (Bi, String) {
    let (kind, name) = place.split_once('/').unwrap_or((place, ""));
    let bi = match kind {
        "ui" => tr!(review.place.ui),
        "section" if name.is_empty() => tr!(review.place.top),
        "section" => tr!(review.place.section),
        "list" => tr!(review.place.list),
        _ => tr!(review.place.title),
    };
    let shown = if kind == "section" && !name.is_empty() {
        let suffix = format!("/survey/{name}/label");
        texts.iter().find(|t| t.key.ends_with(&suffix)).map_or(name.to_string(), |t| t.zh.clone())
    } else {
        name.to_string()
    };
    (bi, shown)
}

fn pick_place(mode: LangMode, kind: Bi, name: &str) -> String {
    let kind = mode.pick(kind);
    if name.is_empty() {
        kind
    } else {
        format!("{kind} · {name}")
    }
}

/// The review screen. `question`: show only that question's texts (and its choices').
#[component]
pub fn ReviewPage(
    /// A survey field name, when opened from a question of the form.
    question: Option<String>,
) -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = UiLanguage::use_context();
    let nav = use_context::<Nav>();
    let texts: Arc<Vec<TextEntry>> = Arc::new(all_texts());
    let status = RwSignal::new("all".to_string());
    let place = RwSignal::new(String::new());
    let question = RwSignal::new(question);
    let limit = RwSignal::new(PAGE);
    let notice = RwSignal::new(None::<(Bi, &'static str)>);

    // Texts matching the place and question filters (indexes into `texts`).
    let scoped = {
        let texts = texts.clone();
        Memo::new(move |_| {
            let q = question.get();
            let p = place.get();
            let list = q.as_deref().and_then(|q| texts.iter().find(|t| t.question == q && !t.list.is_empty())).map(|t| t.list.clone());
            texts
                .iter()
                .enumerate()
                .filter(|(_, t)| p.is_empty() || t.place == p)
                .filter(|(_, t)| match q.as_deref() {
                    None => true,
                    Some(q) => t.question == q || (t.question.is_empty() && list.as_deref().is_some_and(|l| t.place == format!("list/{l}"))),
                })
                .map(|(i, _)| i)
                .collect::<Vec<usize>>()
        })
    };
    let here = move |key: &str| review.state.with(|s| s.corrections.iter().any(|c| c.key == key));
    let counts = {
        let texts = texts.clone();
        Memo::new(move |_| {
            let mut n = [0usize; STATUSES.len()];
            scoped.with(|idx| {
                n[0] = idx.len();
                for &i in idx {
                    let t = &texts[i];
                    let s = status_of(t, here(&t.key));
                    if let Some(k) = STATUSES.iter().position(|x| *x == s) {
                        n[k] += 1;
                    }
                }
            });
            n
        })
    };
    let visible = {
        let texts = texts.clone();
        Memo::new(move |_| {
            let st = status.get();
            scoped.with(|idx| {
                idx.iter()
                    .copied()
                    .filter(|&i| st == "all" || status_of(&texts[i], here(&texts[i].key)) == st)
                    .collect::<Vec<usize>>()
            })
        })
    };
    let places: Vec<(String, Bi, String)> = {
        let mut seen = Vec::<String>::new();
        for t in texts.iter() {
            if !seen.contains(&t.place) {
                seen.push(t.place.clone());
            }
        }
        seen.into_iter()
            .map(|p| {
                let (kind, name) = place_label(&p, &texts);
                (p, kind, name)
            })
            .collect()
    };
    let export = move |_| {
        let file = review.export_file();
        if file.corrections.is_empty() {
            notice.set(Some((tr!(review.msg.nothing), "review-nothing")));
            return;
        }
        let json = serde_json::to_string_pretty(&file).expect("a corrections file serialises");
        let name = format!("ii-corrections-{}.json", crate::clock::today_iso());
        match crate::exchange::browser::download(&name, &json, crate::exchange::browser::JSON_TYPE) {
            Ok(()) => notice.set(Some((tr!(review.msg.exported), "review-exported"))),
            Err(_) => notice.set(Some((tr!(review.msg.export_failed), "review-export-failed"))),
        }
    };
    let question_zh = {
        let texts = texts.clone();
        move || question.get().map(|q| texts.iter().find(|t| t.question == q).map_or(q.clone(), |t| t.zh.clone()))
    };
    let rows = {
        let texts = texts.clone();
        move || {
            let n = limit.get();
            visible.with(|v| v.iter().take(n).copied().collect::<Vec<usize>>())
                .into_iter()
                .map(|i| {
                    let (kind, name) = place_label(&texts[i].place, &texts);
                    view! { <ReviewItem text=texts[i].clone() place=(kind, name) /> }
                })
                .collect_view()
        }
    };

    view! {
        <section class="drafts-page review-page" data-testid="review-page">
            <div class="drafts-page-bar">
                <button type="button" data-testid="review-back" on:click=move |_| {
                    if let Some(nav) = nav {
                        nav.go(Screen::Profile);
                    }
                }>
                    <T text=tr!(review.page.back) />
                </button>
                <button type="button" data-testid="review-export" on:click=export>
                    <T text=tr!(review.action.export) />
                </button>
            </div>
            <h2><T text=tr!(review.page.title) /></h2>
            <p class="review-reviewer">
                <T text=tr!(review.page.reviewer) /> "：" <span data-testid="review-reviewer-name">{move || review.state.with(|s| s.reviewer.clone())}</span>
            </p>
            {move || notice.get().map(|(text, id)| view! { <p class="drafts-notice" role="status" data-testid=id><T text=text /></p> })}
            <Show when=move || review.failed.get()>
                <p class="drafts-field-error" role="alert" data-testid="review-storage-failed"><T text=tr!(review.msg.storage) /></p>
            </Show>
            {move || question_zh().map(|q| view! {
                <p class="review-question" data-testid="review-question">
                    <T text=tr!(review.filter.question) /> " " <span lang="zh-Hans">{q}</span> " "
                    <button type="button" data-testid="review-clear-question" on:click=move |_| question.set(None)>
                        <T text=tr!(review.filter.clear) />
                    </button>
                </p>
            })}
            <div class="review-filters" role="group" aria-label=move || lang.mode.get().pick(tr!(review.filter.status))>
                {STATUSES.iter().enumerate().map(|(k, s)| {
                    let s = *s;
                    view! {
                        <button
                            type="button"
                            class="review-filter"
                            class:selected=move || status.with(|x| x == s)
                            aria-pressed=move || status.with(|x| if x == s { "true" } else { "false" })
                            data-testid=format!("review-filter-{s}")
                            on:click=move |_| {
                                status.set(s.to_string());
                                limit.set(PAGE);
                            }
                        >
                            <T text=status_text(s) /> " "
                            <span class="review-count" data-testid=format!("review-count-{s}")>{move || counts.with(|c| c[k])}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
            <label class="review-place">
                <span><T text=tr!(review.filter.place) /></span>
                <select
                    data-testid="review-place"
                    on:change=move |ev| {
                        place.set(event_target_value(&ev));
                        limit.set(PAGE);
                    }
                    prop:value=move || place.get()
                >
                    <option value="">{move || lang.mode.get().pick(tr!(review.filter.all_places))}</option>
                    {places.into_iter().map(|(p, kind, name)| {
                        view! { <option value=p.clone()>{move || pick_place(lang.mode.get(), kind, &name)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <ul class="review-list" data-testid="review-list">{rows}</ul>
            <Show when=move || visible.with(Vec::is_empty)>
                <p class="hint" data-testid="review-none"><T text=tr!(review.page.none) /></p>
            </Show>
            <Show when=move || { visible.with(Vec::len) > limit.get() }>
                <button type="button" data-testid="review-more" on:click=move |_| limit.update(|n| *n += PAGE)>
                    <T text=tr!(review.page.more) />
                </button>
            </Show>
        </section>
    }
}

/// One text: place, Chinese, Yi (the reviewer's version once reviewed), status, and the
/// verdict buttons or the correction editor.
#[component]
fn ReviewItem(
    /// The text as shipped.
    text: TextEntry,
    /// Its place: kind and name.
    place: (Bi, String),
) -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = UiLanguage::use_context();
    let key = text.key.clone();
    let before = text.ii.clone();
    let zh = text.zh.clone();
    let text = StoredValue::new(text);
    let mine = Memo::new(move |_| {
        text.with_value(|t| review.state.with(|s| s.corrections.iter().find(|c| c.key == t.key).cloned()))
    });
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Bi, String)>);
    let shown_ii = move || mine.with(|m| m.as_ref().map_or_else(|| text.with_value(|t| t.ii.clone()), |c| c.ii_after.clone()));
    let status = move || text.with_value(|t| status_text(status_of(t, mine.with(Option::is_some))));
    let accept = move |_| {
        if let Err(e) = text.with_value(|t| review.record(t, &t.ii, "")) {
            error.set(Some(e));
        }
    };
    let open = move |_| {
        let (ii, c) = mine.with_untracked(|m| {
            m.as_ref().map_or_else(|| (text.with_value(|t| t.ii.clone()), String::new()), |c| (c.ii_after.clone(), c.comment.clone()))
        });
        draft.set(ii);
        comment.set(c);
        error.set(None);
        editing.set(true);
    };
    let save = move |_| match text.with_value(|t| review.record(t, &draft.get_untracked(), &comment.get_untracked())) {
        Ok(()) => {
            error.set(None);
            editing.set(false);
        }
        Err(e) => error.set(Some(e)),
    };
    let undo = move |_| text.with_value(|t| review.undo(&t.key));
    let (kind, name) = place;
    let new_label = tr!(review.item.new_ii);
    let comment_label = tr!(review.item.comment);
    view! {
        <li class="review-item" data-testid="review-item" data-key=key.clone()>
            <div class="review-where">
                <span class="review-place-name">{move || pick_place(lang.mode.get(), kind, &name)}</span>
                " "
                <code class="review-key">{key.clone()}</code>
                " "
                <span class="review-status" data-testid="review-status">{move || view! { <T text=status() /> }}</span>
            </div>
            <div class="review-zh"><span class="review-label"><T text=tr!(review.item.zh) /></span> <span lang="zh-Hans" data-testid="review-zh">{zh}</span></div>
            <div class="review-ii"><span class="review-label"><T text=tr!(review.item.ii) /></span> <span lang="ii" data-testid="review-ii">{shown_ii}</span></div>
            {move || mine.with(|m| m.as_ref().filter(|c| !c.accepted()).map(|_| before.clone())).map(|b| view! {
                <div class="review-before"><span class="review-label"><T text=tr!(review.item.before) /></span> <span lang="ii" data-testid="review-before">{b}</span></div>
            })}
            {move || mine.with(|m| m.as_ref().map(|c| c.comment.clone()).filter(|c| !c.is_empty())).map(|c| view! {
                <div class="review-comment-shown" data-testid="review-comment-shown">{c}</div>
            })}
            <Show when=move || !editing.get()>
                <div class="review-actions">
                    <button type="button" data-testid="review-accept" on:click=accept><T text=tr!(review.action.accept) /></button>
                    <button type="button" data-testid="review-correct" on:click=open><T text=tr!(review.action.correct) /></button>
                    <Show when=move || mine.with(Option::is_some)>
                        <button type="button" data-testid="review-undo" on:click=undo><T text=tr!(review.action.undo) /></button>
                    </Show>
                </div>
            </Show>
            <Show when=move || editing.get()>
                <div class="review-editor" data-testid="review-editor">
                    <label>
                        <span><T text=new_label /></span>
                        <textarea
                            lang="ii"
                            rows="2"
                            data-testid="review-edit"
                            aria-label=move || lang.mode.get().pick(new_label)
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <YiKeyboard target=draft />
                    {text_field("review-comment", comment_label, comment, "review-comment")}
                    {move || error.get().map(|(e, what)| view! { <p class="drafts-field-error" role="alert" data-testid="review-error"><T text=e /> " " <span>{what}</span></p> })}
                    <div class="review-actions">
                        <button type="button" data-testid="review-save" on:click=save><T text=tr!(review.action.save) /></button>
                        <button type="button" data-testid="review-cancel" on:click=move |_| editing.set(false)><T text=tr!(review.action.cancel) /></button>
                    </div>
                </div>
            </Show>
        </li>
    }
}
