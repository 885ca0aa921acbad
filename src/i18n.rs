//! Interface language: the three display modes (Chinese, Yi, both) and bilingual text.
//!
//! Interface strings live in `locales/zh.json` and `locales/ii.json` and are compiled into the
//! `locales` module by leptos_i18n (keys are checked at compile time). A Yi string that is
//! missing (`null`) falls back to Chinese. The display mode is our own: in "both" mode every
//! string is shown in Yi and Chinese together, so components ask for the pair with [`tr!`].
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n::Locale;
#[doc(hidden)]
pub use generated::i18n as locales;

/// How interface and survey text is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LangMode {
    /// Chinese only.
    Zh,
    /// Nuosu Yi only.
    Ii,
    /// Yi and Chinese together (the default: a question is read aloud in Yi while the
    /// cadre reads Chinese).
    #[default]
    Both,
}

impl LangMode {
    /// All modes in the order the switch shows them.
    pub const ALL: [LangMode; 3] = [LangMode::Zh, LangMode::Ii, LangMode::Both];

    /// Picks the string an attribute (placeholder, aria-label, title) should carry.
    pub fn pick(self, text: Bi) -> String {
        match self {
            LangMode::Zh => text.zh.to_string(),
            LangMode::Ii => text.ii.to_string(),
            LangMode::Both => format!("{} / {}", text.ii, text.zh),
        }
    }
}

/// A string in both languages. Interface strings come from the locale files through
/// [`tr!`]; survey labels come from the survey definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bi {
    /// Chinese text.
    pub zh: &'static str,
    /// Yi text (Chinese when the Yi text is missing).
    pub ii: &'static str,
}

/// The interface language mode, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct UiLanguage {
    /// Current display mode.
    pub mode: RwSignal<LangMode>,
}

impl UiLanguage {
    /// Gets the language from context, or creates the default one (for tests and isolated
    /// components).
    pub fn use_context() -> UiLanguage {
        use_context::<UiLanguage>().unwrap_or_else(|| {
            let lang = UiLanguage { mode: RwSignal::new(LangMode::default()) };
            provide_context(lang);
            lang
        })
    }
}

/// Looks up an interface string in both languages: `tr!(app.title)` is a [`Bi`]. The Yi
/// string goes through [`overrides::ii`] (a reviewer's correction not yet in the sources).
#[macro_export]
macro_rules! tr {
    ($($key:tt)+) => {
        $crate::i18n::Bi {
            zh: $crate::i18n::locales::td_string!($crate::i18n::Locale::zh, $($key)+),
            ii: $crate::i18n::overrides::ii(
                stringify!($($key)+),
                $crate::i18n::locales::td_string!($crate::i18n::Locale::ii, $($key)+),
            ),
        }
    };
}

/// Shows a text of the survey or of a household (owned, not a locale string) per the current
/// mode, like [`T`]; a text that is the same in both languages (an answer typed in) is shown
/// once.
#[component]
pub fn TextOf(
    /// The text in both languages (a blank Yi text falls back to Chinese).
    text: survey_core::Text,
) -> impl IntoView {
    let lang = UiLanguage::use_context();
    let zh = text.zh.clone();
    let ii = text.get(survey_core::Lang::Ii).to_string();
    move || match lang.mode.get() {
        LangMode::Zh => view! { <span lang="zh-Hans">{zh.clone()}</span> }.into_any(),
        LangMode::Ii => view! { <span lang="ii">{ii.clone()}</span> }.into_any(),
        LangMode::Both if ii == zh => view! { <span>{zh.clone()}</span> }.into_any(),
        LangMode::Both => view! {
            <span class="bi">
                <span lang="ii" class="bi-ii">{ii.clone()}</span>
                <span lang="zh-Hans" class="bi-zh">{zh.clone()}</span>
            </span>
        }
        .into_any(),
    }
}

/// Yi interface strings corrected in the translators' review mode, shown in place of the
/// compiled ones (leptos_i18n) until the corrections are applied to `locales/` and the kit
/// is rebuilt. On an enumerator's tablet there are none, and a lookup costs one flag read.
pub mod overrides {
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;

    thread_local! {
        static ANY: Cell<bool> = const { Cell::new(false) };
        /// `area.dotted.key` → corrected Yi text.
        static MAP: RefCell<HashMap<String, &'static str>> = RefCell::new(HashMap::new());
        /// Every corrected text ever shown, leaked once each (views borrow `&'static str`).
        static INTERNED: RefCell<HashMap<String, &'static str>> = RefCell::new(HashMap::new());
    }

    /// The Yi string of interface key `key` (`area.dotted.key`, as written in [`tr!`]):
    /// the reviewer's correction if there is one, else `compiled`.
    #[inline]
    pub fn ii(key: &'static str, compiled: &'static str) -> &'static str {
        if !ANY.with(Cell::get) {
            return compiled;
        }
        MAP.with(|m| m.borrow().get(key).copied().unwrap_or(compiled))
    }

    /// Replaces every correction: (`area.dotted.key`, Yi text).
    pub fn set(list: impl IntoIterator<Item = (String, String)>) {
        let list: Vec<(String, &'static str)> = list
            .into_iter()
            .map(|(k, v)| {
                let text = INTERNED.with(|i| {
                    *i.borrow_mut().entry(v.clone()).or_insert_with(|| Box::leak(v.into_boxed_str()))
                });
                (k, text)
            })
            .collect();
        MAP.with(|m| {
            let mut m = m.borrow_mut();
            m.clear();
            m.extend(list);
            ANY.set(!m.is_empty());
        });
    }
}

/// Shows a bilingual string per the current mode, each part tagged with its `lang`
/// (`ii` for Yi, `zh-Hans` for Chinese) so fonts and screen readers pick the right one.
#[component]
pub fn T(
    /// The text in both languages.
    text: Bi,
) -> impl IntoView {
    let lang = UiLanguage::use_context();
    move || match lang.mode.get() {
        LangMode::Zh => view! { <span lang="zh-Hans">{text.zh}</span> }.into_any(),
        LangMode::Ii => view! { <span lang="ii">{text.ii}</span> }.into_any(),
        LangMode::Both => view! {
            <span class="bi">
                <span lang="ii" class="bi-ii">{text.ii}</span>
                <span lang="zh-Hans" class="bi-zh">{text.zh}</span>
            </span>
        }
        .into_any(),
    }
}
