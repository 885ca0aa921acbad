//! The root component: provides the shared contexts and shows the current screen.
use leptos::prelude::*;

use crate::components::LanguageSwitch;
use crate::i18n::{UiLanguage, T};
use crate::{storage, tr};

/// The whole kit. Restores the interface language from storage and persists every change.
#[component]
pub fn App() -> impl IntoView {
    let lang = UiLanguage { mode: RwSignal::new(storage::load_lang()) };
    provide_context(lang);
    Effect::new(move |_| {
        let mode = lang.mode.get();
        // A failed write of a preference is harmless: the default comes back next time.
        let _ = storage::save_lang(mode);
    });

    view! {
        <header class="app-header">
            <h1 data-testid="app-title"><T text=tr!(app.title) /></h1>
            <LanguageSwitch />
        </header>
        <main class="app-main">
            <p class="subtitle" data-testid="app-subtitle"><T text=tr!(app.subtitle) /></p>
            <p class="hint" data-testid="start-hint"><T text=tr!(home.start_hint) /></p>
        </main>
    }
}
