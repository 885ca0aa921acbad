use leptos::prelude::*;

use crate::i18n::{Bi, LangMode, UiLanguage, T};
use crate::tr;

/// The three-way switch between Chinese, Yi and both languages. The choice is kept in the
/// [`UiLanguage`] context; the app persists it.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = UiLanguage::use_context();
    let label = |mode: LangMode| -> Bi {
        match mode {
            LangMode::Zh => tr!(app.lang.zh),
            LangMode::Ii => tr!(app.lang.ii),
            LangMode::Both => tr!(app.lang.both),
        }
    };
    view! {
        <div class="lang-switch" role="radiogroup" aria-label=move || lang.mode.get().pick(tr!(app.lang.label))>
            {LangMode::ALL
                .into_iter()
                .map(|mode| {
                    let text = label(mode);
                    view! {
                        <button
                            type="button"
                            role="radio"
                            data-testid=format!("lang-{}", serde_json::to_value(mode).unwrap().as_str().unwrap_or_default())
                            aria-checked=move || (lang.mode.get() == mode).to_string()
                            class:active=move || lang.mode.get() == mode
                            on:click=move |_| lang.mode.set(mode)
                        >
                            {match mode {
                                LangMode::Zh => view! { <span lang="zh-Hans">{text.zh}</span> }.into_any(),
                                LangMode::Ii => view! { <span lang="ii">{text.ii}</span> }.into_any(),
                                LangMode::Both => view! { <T text=text /> }.into_any(),
                            }}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
