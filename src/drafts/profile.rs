//! The enumerator profile screen: name, phone and work unit, set once, validated with
//! `validator`, stamped on every new household.
use leptos::prelude::*;
use survey_core::checks::{self, EnumeratorProfile};
use validator::Validate;

use super::{DraftStore, StorageBanner};
use crate::app::{Nav, Screen};
use crate::i18n::{Bi, T, UiLanguage};
use crate::tr;

/// The message of a profile validation code (`survey_core::checks` codes), in both
/// languages; an unknown code gets a generic message, never an English one.
pub fn profile_error_text(code: &str) -> Bi {
    match code {
        checks::NAME_LENGTH => tr!(drafts.profile.err.name_length),
        checks::MOBILE => tr!(drafts.profile.err.mobile),
        checks::UNIT_LENGTH => tr!(drafts.profile.err.unit_length),
        _ => tr!(drafts.profile.err.invalid),
    }
}

/// The enumerator profile form. Saving validates every field and shows each failing
/// field's message; a valid profile is stored and used for every new household.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let store = DraftStore::use_context();
    let lang = UiLanguage::use_context();
    let nav = use_context::<Nav>();
    let current = store.profile().unwrap_or_default();
    let name = RwSignal::new(current.name);
    let phone = RwSignal::new(current.phone);
    let unit = RwSignal::new(current.unit);
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let saved = RwSignal::new(false);
    let device = store.device_id();

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let p = EnumeratorProfile {
            name: name.get_untracked().trim().to_string(),
            phone: phone.get_untracked().trim().to_string(),
            unit: unit.get_untracked().trim().to_string(),
        };
        match p.validate() {
            Err(e) => errors.set(checks::error_codes(&e).into_iter().map(|(f, c)| (f, c.into_owned())).collect()),
            Ok(()) => {
                errors.set(Vec::new());
                if store.save_profile(&p).is_ok() {
                    saved.set(true);
                }
            }
        }
    };
    let error_of = move |field: &'static str| {
        move || {
            errors.with(|e| {
                e.iter().filter(|(f, _)| f == field).map(|(_, c)| profile_error_text(c)).next().map(|text| {
                    view! {
                        <p class="drafts-field-error" role="alert" data-testid=format!("profile-error-{field}")>
                            <T text=text />
                        </p>
                    }
                })
            })
        }
    };
    let input = move |field: &'static str, label: Bi, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label class="drafts-profile-field">
                <span class="drafts-label"><T text=label /></span>
                <input
                    type=kind
                    inputmode=if kind == "tel" { "numeric" } else { "text" }
                    data-testid=format!("profile-{field}")
                    aria-label=move || lang.mode.get().pick(label)
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                {error_of(field)}
            </label>
        }
    };

    view! {
        <section class="drafts-page drafts-profile" data-testid="profile-page">
            <div class="drafts-page-bar">
                <button type="button" data-testid="back-home" on:click=move |_| {
                    if let Some(nav) = nav {
                        nav.go(Screen::Home);
                    }
                }>
                    <T text=tr!(drafts.page.back) />
                </button>
            </div>
            <StorageBanner />
            <h2><T text=tr!(drafts.profile.title) /></h2>
            <p class="hint"><T text=tr!(drafts.profile.hint) /></p>
            <form on:submit=save novalidate>
                {input("name", tr!(drafts.profile.name), name, "text")}
                {input("phone", tr!(drafts.profile.phone), phone, "tel")}
                {input("unit", tr!(drafts.profile.unit), unit, "text")}
                <button type="submit" data-testid="profile-save"><T text=tr!(drafts.profile.save) /></button>
                <Show when=move || saved.get()>
                    <p class="drafts-notice" role="status" data-testid="profile-saved"><T text=tr!(drafts.profile.saved) /></p>
                </Show>
            </form>
            <p class="drafts-device">
                <T text=tr!(drafts.profile.device) /> " " <code data-testid="device-id">{device}</code>
            </p>
            <crate::review::ReviewEntry />
        </section>
    }
}
