//! The root component: provides the shared contexts and shows the current screen.
use leptos::prelude::*;

use crate::components::LanguageSwitch;
use crate::i18n::{UiLanguage, T};
use crate::{storage, tr};

/// The screens of the kit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The list of households on this tablet.
    Home,
    /// One household's form, by household id.
    Household(String),
    /// One visit of the visit log, by visit id.
    Visit(String),
    /// The enumerator profile.
    Profile,
    /// The translators' review mode: every Yi text, or one question's (by field name).
    Review(Option<String>),
}

impl Screen {
    /// The screen as kept in `sessionStorage`.
    fn key(&self) -> String {
        match self {
            Screen::Home => "home".into(),
            Screen::Household(id) => format!("household:{id}"),
            Screen::Visit(id) => format!("visit:{id}"),
            Screen::Profile => "profile".into(),
            Screen::Review(None) => "review".into(),
            Screen::Review(Some(q)) => format!("review:{q}"),
        }
    }

    /// The screen kept by [`Screen::key`], if `key` names one.
    fn from_key(key: &str) -> Option<Screen> {
        match key {
            "home" => Some(Screen::Home),
            "profile" => Some(Screen::Profile),
            "review" => Some(Screen::Review(None)),
            _ if key.starts_with("review:") => Some(Screen::Review(key.strip_prefix("review:").map(String::from))),
            _ if key.starts_with("visit:") => key.strip_prefix("visit:").filter(|id| !id.is_empty()).map(|id| Screen::Visit(id.into())),
            _ => key.strip_prefix("household:").filter(|id| !id.is_empty()).map(|id| Screen::Household(id.into())),
        }
    }
}

/// Navigation between screens, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Nav {
    /// The screen shown.
    pub screen: RwSignal<Screen>,
}

impl Nav {
    /// Gets navigation from context.
    pub fn use_context() -> Nav {
        expect_context::<Nav>()
    }

    /// Shows `screen`.
    pub fn go(self, screen: Screen) {
        self.screen.set(screen);
    }
}

/// The whole kit. Restores the interface language from storage and persists every change.
#[component]
pub fn App() -> impl IntoView {
    let lang = UiLanguage { mode: RwSignal::new(storage::load_lang()) };
    provide_context(lang);
    // The translators' review mode: its corrections are shown in place from the start.
    let _review = crate::review::Review::provide();
    // Drafts in browser storage: follows other tabs, retries unsaved households.
    let store = crate::drafts::DraftStore::provide();
    // The visit log, under its own keys.
    let visits = crate::drafts::VisitStore::provide();
    // A reload comes back to the screen this tab showed (the household being entered), as
    // long as that household is still stored; a new tab starts on the home screen.
    let start = storage::session_get(storage::SCREEN_KEY)
        .and_then(|k| Screen::from_key(&k))
        .filter(|s| match s {
            Screen::Household(id) => store.raw(id).is_ok_and(|raw| raw.is_some()) || store.unsaved_version(id).is_some(),
            Screen::Visit(id) => {
                crate::forms::visit().is_some()
                    && (visits.raw(id).is_ok_and(|raw| raw.is_some()) || visits.unsaved_version(id).is_some())
            }
            _ => true,
        })
        .unwrap_or(Screen::Home);
    let nav = Nav { screen: RwSignal::new(start) };
    provide_context(nav);
    // A page is rebuilt only when the screen really changes (an open household keeps its state).
    let screen = Memo::new(move |_| nav.screen.get());
    Effect::new(move |_| {
        // Not kept (private mode, storage off): a reload shows the home screen.
        let _ = screen.with(|s| storage::session_set(storage::SCREEN_KEY, &s.key()));
    });
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
        <crate::offline::UpdateBanner />
        <main class="app-main">
            {move || match screen.get() {
                Screen::Home => view! { <StartScreen /> <crate::drafts::HomePage /> }.into_any(),
                Screen::Household(id) => view! { <crate::drafts::HouseholdPage id=id /> }.into_any(),
                Screen::Visit(id) => view! { <crate::drafts::VisitPage id=id /> }.into_any(),
                Screen::Profile => view! { <crate::drafts::ProfilePage /> }.into_any(),
                Screen::Review(q) => view! { <crate::review::ReviewPage question=q /> }.into_any(),
            }}
        </main>
    }
}

/// The start screen shown before anything else exists.
#[component]
fn StartScreen() -> impl IntoView {
    view! {
        <p class="subtitle" data-testid="app-subtitle"><T text=tr!(app.subtitle) /></p>
        <p class="hint" data-testid="start-hint"><T text=tr!(app.start_hint) /></p>
    }
}
