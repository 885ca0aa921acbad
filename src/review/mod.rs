//! The translators' review mode: every Yi text of the interface and of the shipped survey,
//! with its Chinese, status and place; a reviewer accepts or corrects each one (typing
//! Yi with the romanized input, [`YiKeyboard`]), sees the correction in place at once, and
//! exports the corrections as one file for the native `apply-corrections` command.
//!
//! Reached from the profile screen ([`ReviewEntry`]); while it is on, every question of the
//! form has a button to its texts ([`question_link`]). State lives in `lsk:review`
//! (through [`crate::storage`]); the text model and the file format are the core's
//! (`survey_core::translation`, `survey_core::corrections`).
mod page;
mod yi_input;

pub use page::ReviewPage;
pub use yi_input::YiKeyboard;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use serde::{Deserialize, Serialize};
use survey_core::corrections::{Correction, CorrectionsFile, SurveyVersion, FORMAT, FORMAT_VERSION};
use survey_core::translation::{survey_texts, TextEntry, TextKey};
use survey_core::yi::NotYi;

use crate::app::{Nav, Screen};
use crate::i18n::{Bi, UiLanguage, T};
use crate::{forms, storage, tr};

const UI_TEXTS: &str = include_str!(concat!(env!("OUT_DIR"), "/ui_texts.json"));

/// The review mode's state, as stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewState {
    /// The reviewer's name (asked once).
    #[serde(default)]
    pub reviewer: String,
    /// Whether the review mode is on.
    #[serde(default)]
    pub on: bool,
    /// The reviewed texts, in the order reviewed (one per key).
    #[serde(default)]
    pub corrections: Vec<Correction>,
}

/// The review mode, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Review {
    /// The state (always what storage holds, or newer when a write failed).
    pub state: RwSignal<ReviewState>,
    /// The last storage failure, shown until the next successful write.
    pub failed: RwSignal<bool>,
}

impl Review {
    /// Loads the review state from storage, shows its corrections in place, and provides it.
    pub fn provide() -> Review {
        let state = storage::get_raw(storage::REVIEW_KEY)
            .ok()
            .flatten()
            .and_then(|raw| serde_json::from_str::<ReviewState>(&raw).ok())
            .unwrap_or_default();
        install(&state.corrections);
        let review = Review { state: RwSignal::new(state), failed: RwSignal::new(false) };
        provide_context(review);
        review
    }

    /// The review mode from context (`None` in isolated components and tests).
    pub fn use_context() -> Option<Review> {
        use_context::<Review>()
    }

    /// Changes the state, stores it and shows the corrections in place. A failed write
    /// keeps the change in memory and says so.
    pub fn update(self, f: impl FnOnce(&mut ReviewState)) {
        self.state.update(f);
        let state = self.state.get_untracked();
        install(&state.corrections);
        let json = serde_json::to_string(&state).expect("the review state serialises");
        self.failed.set(storage::set_raw(storage::REVIEW_KEY, &json).is_err());
    }

    /// Records the reviewer's verdict on a text: `ii_after` equal to the shipped Yi means
    /// accepted. Refused (with the message to show) when `ii_after` is not Yi text.
    pub fn record(self, text: &TextEntry, ii_after: &str, comment: &str) -> Result<(), (Bi, String)> {
        let ii_after = ii_after.trim();
        survey_core::yi::check_text(ii_after).map_err(not_yi_text)?;
        let c = Correction {
            key: text.key.clone(),
            place: text.place.clone(),
            zh: text.zh.clone(),
            ii_before: text.ii.clone(),
            ii_after: ii_after.to_string(),
            comment: comment.trim().to_string(),
            at: crate::clock::now_rfc3339(),
        };
        self.update(|s| {
            s.corrections.retain(|o| o.key != c.key);
            s.corrections.push(c);
        });
        Ok(())
    }

    /// Forgets the verdict on `key`.
    pub fn undo(self, key: &str) {
        self.update(|s| s.corrections.retain(|c| c.key != key));
    }

    /// The corrections file of everything reviewed on this tablet.
    pub fn export_file(self) -> CorrectionsFile {
        let s = self.state.get_untracked();
        let surveys = std::iter::once(forms::household())
            .chain(forms::visit())
            .map(|survey| SurveyVersion { id: survey.id().into(), version: survey.version().into() })
            .collect();
        CorrectionsFile {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            kit_version: env!("CARGO_PKG_VERSION").into(),
            surveys,
            reviewer: s.reviewer,
            exported_at: crate::clock::now_rfc3339(),
            corrections: s.corrections,
        }
    }
}

/// The message for a text that is not Yi, and the offending character (`「户」U+6237`).
pub fn not_yi_text(e: NotYi) -> (Bi, String) {
    match e {
        NotYi::NoSyllable => (tr!(review.msg.no_syllable), String::new()),
        NotYi::Foreign { ch, code, .. } => (tr!(review.msg.not_yi), format!("「{ch}」U+{code:04X}")),
    }
}

/// Shows the corrections in place: interface strings through the i18n overrides, survey
/// texts through the survey compiled with them.
fn install(corrections: &[Correction]) {
    let mut ui = Vec::new();
    let mut survey = Vec::new();
    for c in corrections {
        match TextKey::parse(&c.key) {
            Some(TextKey::Ui { area, key }) => ui.push((format!("{area}.{key}"), c.ii_after.clone())),
            Some(k) => survey.push((k, c.ii_after.clone())),
            None => {}
        }
    }
    crate::i18n::overrides::set(ui);
    forms::set_overrides(survey);
}

/// Every Yi text of the kit as shipped: the surveys' (title, questions, choices; the
/// household survey's, then the visit log's), then the interface's.
pub fn all_texts() -> Vec<TextEntry> {
    let mut texts = survey_texts(&forms::shipped());
    if let Some(visit) = forms::shipped_visit() {
        texts.extend(survey_texts(&visit));
    }
    texts.extend(serde_json::from_str::<Vec<TextEntry>>(UI_TEXTS).expect("the build script wrote the interface texts"));
    texts
}

/// The review mode's part of the profile screen: the reviewer's name (asked once), and
/// the way in and out of the review mode.
#[component]
pub fn ReviewEntry() -> impl IntoView {
    let review = Review::use_context();
    let nav = use_context::<Nav>();
    let Some(review) = review else { return ().into_any() };
    let name = RwSignal::new(review.state.get_untracked().reviewer);
    let missing = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            missing.set(true);
            return;
        }
        missing.set(false);
        review.update(|s| {
            s.reviewer = n;
            s.on = true;
        });
        if let Some(nav) = nav {
            nav.go(Screen::Review(None));
        }
    };
    let label = tr!(review.profile.reviewer);
    view! {
        <section class="review-entry" data-testid="review-entry">
            <h3><T text=tr!(review.profile.heading) /></h3>
            <p class="hint"><T text=tr!(review.profile.hint) /></p>
            <form on:submit=start novalidate>
                {text_field("drafts-profile-field", label, name, "review-reviewer")}
                <Show when=move || missing.get()>
                    <p class="drafts-field-error" role="alert" data-testid="review-reviewer-missing"><T text=tr!(review.profile.name_required) /></p>
                </Show>
                <button type="submit" data-testid="review-start"><T text=tr!(review.profile.start) /></button>
            </form>
            <Show when=move || review.state.with(|s| s.on)>
                <p class="drafts-notice" data-testid="review-on"><T text=tr!(review.profile.on) /></p>
                <button type="button" data-testid="review-stop" on:click=move |_| review.update(|s| s.on = false)>
                    <T text=tr!(review.profile.stop) />
                </button>
            </Show>
        </section>
    }
    .into_any()
}

/// A labelled one-line text input bound to `value`.
fn text_field(class: &'static str, label: Bi, value: RwSignal<String>, testid: &'static str) -> impl IntoView {
    let lang = UiLanguage::use_context();
    view! {
        <label class=class>
            <span class="drafts-label"><T text=label /></span>
            <input
                type="text"
                data-testid=testid
                aria-label=move || lang.mode.get().pick(label)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// While the review mode is on, a button by a question that opens its texts (the
/// question's and its choice list's) in the review screen.
pub fn question_link(name: &'static str) -> impl IntoView {
    let review = Review::use_context();
    let nav = use_context::<Nav>();
    move || {
        let (review, nav) = (review?, nav?);
        review.state.with(|s| s.on).then(|| {
            view! {
                <button
                    type="button"
                    class="review-open"
                    data-testid=format!("review-open-{name}")
                    on:click=move |ev| {
                        // Leave the question first (its focusout runs while the form is
                        // still there), then change screens.
                        if let Some(button) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                            let _ = button.blur();
                        }
                        nav.go(Screen::Review(Some(name.to_string())))
                    }
                >
                    <T text=tr!(review.form.open) />
                </button>
            }
        })
    }
}
