//! Typing Yi without a Yi keyboard: Yi Pinyin in, syllables out. The reviewer types a
//! syllable's romanization (initial + final + tone letter `t`, `x`, `p`, none for the mid
//! tone) and picks the syllable among the candidates (`survey_core::yi::candidates`, from
//! the Unicode names of the Yi Syllables block); Enter takes the first.
use leptos::prelude::*;
use survey_core::yi;

use crate::i18n::{UiLanguage, T};
use crate::tr;

/// Candidates shown at most.
const MAX: usize = 16;

/// An on-screen Yi input writing into `target` (appends syllables, a space, or removes
/// the last character).
#[component]
pub fn YiKeyboard(
    /// The Yi text being edited.
    target: RwSignal<String>,
) -> impl IntoView {
    let lang = UiLanguage::use_context();
    let typed = RwSignal::new(String::new());
    let candidates = Memo::new(move |_| typed.with(|t| yi::candidates(t, MAX)));
    let pick = move |c: char| {
        target.update(|t| t.push(c));
        typed.set(String::new());
    };
    let label = tr!(review.keyboard.label);
    view! {
        <div class="yi-keyboard" data-testid="yi-keyboard">
            <label class="yi-keyboard-typed">
                <span><T text=label /></span>
                <input
                    type="text"
                    data-testid="yi-pinyin"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label=move || lang.mode.get().pick(label)
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        let v: String = event_target_value(&ev).chars().filter(char::is_ascii_alphabetic).collect();
                        typed.set(v.to_ascii_lowercase());
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            if let Some((c, _)) = candidates.with_untracked(|c| c.first().copied()) {
                                pick(c);
                            }
                        }
                    }
                />
            </label>
            <p class="hint"><T text=tr!(review.keyboard.hint) /></p>
            <div class="yi-candidates" role="group" aria-label=move || lang.mode.get().pick(label)>
                <For each=move || candidates.get() key=|(c, _)| *c let:cand>
                    <button
                        type="button"
                        class="yi-candidate"
                        data-testid="yi-candidate"
                        data-pinyin=cand.1
                        on:click=move |_| pick(cand.0)
                    >
                        <span lang="ii">{cand.0.to_string()}</span>
                        <small>{cand.1}</small>
                    </button>
                </For>
                <Show when=move || typed.with(|t| !t.is_empty()) && candidates.with(Vec::is_empty)>
                    <span class="hint" data-testid="yi-none"><T text=tr!(review.keyboard.none) /></span>
                </Show>
            </div>
            <div class="yi-keyboard-keys">
                <button type="button" data-testid="yi-space" on:click=move |_| target.update(|t| t.push(' '))>
                    <T text=tr!(review.keyboard.space) />
                </button>
                <button type="button" data-testid="yi-backspace" on:click=move |_| target.update(|t| {
                    t.pop();
                })>
                    <T text=tr!(review.keyboard.backspace) />
                </button>
            </div>
        </div>
    }
}
