//! The storage banner: storage full (export now), or another failure, in both languages.
use leptos::prelude::*;

use super::{DraftStore, StoreError};
use crate::i18n::T;
use crate::tr;

/// Shows the last storage failure and how many households wait in memory for space.
/// Storage full gets the "export now" banner; it disappears by itself once a write
/// succeeds again.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let store = DraftStore::use_context();
    let waiting = move || store.unsaved.with(|u| u.len());
    move || {
        let problem = store.problem.get();
        let n = waiting();
        if problem.is_none() && n == 0 {
            return None;
        }
        let quota = problem == Some(StoreError::Quota) || (problem.is_none() && n > 0);
        Some(if quota {
            view! {
                <div class="drafts-banner drafts-banner-quota" role="alert" data-testid="storage-full">
                    <strong><T text=tr!(drafts.banner.quota_title) /></strong>
                    <p><T text=tr!(drafts.banner.quota_body) /></p>
                    <p class="drafts-banner-count" data-testid="unsaved-count">
                        <T text=tr!(drafts.banner.unsaved) /> " " {n}
                    </p>
                    <button type="button" data-testid="retry-save" on:click=move |_| store.retry_unsaved()>
                        <T text=tr!(drafts.banner.retry) />
                    </button>
                </div>
            }
            .into_any()
        } else {
            let e = problem.unwrap_or(StoreError::Other(String::new()));
            view! {
                <div class="drafts-banner drafts-banner-error" role="alert" data-testid="storage-error" data-code=e.code()>
                    <strong><T text=e.text() /></strong>
                </div>
            }
            .into_any()
        })
    }
}
