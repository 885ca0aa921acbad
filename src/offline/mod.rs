//! Offline use and updates: registers the service worker and tells the enumerator when a new
//! version of the kit is ready.
//!
//! The worker (`assets/sw.js`) caches exactly the files of the release build; the list is
//! written into it at build time by `scripts/precache.mjs` (a Trunk `post_build` hook), so
//! after the first visit the kit starts with no network at all.
//!
//! Update flow: on a visit with network the browser fetches `sw.js`; a new build installs in
//! the background into its own cache while this version keeps running. [`UpdateBanner`] then
//! says so in both languages, and nothing else happens until the enumerator clicks "update":
//! only then does the new worker take over (`SKIP_WAITING`) and the page reload once. Stored
//! households (localStorage) are never touched by an update: the worker manages only its own
//! caches (`lsk-app-…`).
//!
//! Forms published after the build (`liangshan-forms publish` on the server, no new `sw.js`)
//! come through the same banner: at every online start (and when the network comes back) the
//! page asks the worker to compare the server's `forms/index.json` with the one it runs
//! (`CHECK_FORMS`); the worker downloads a changed set beside the running one and answers
//! `FORMS_READY`; "update" then sends `APPLY_FORMS` and reloads once the worker answers
//! `FORMS_APPLIED` ([`check_forms`], [`apply`]).
//!
//! Debug builds (`trunk serve`) register nothing: dev builds must never be cached.
use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{
    HtmlElement, RegistrationOptions, ServiceWorkerContainer, ServiceWorkerRegistration,
    ServiceWorkerState,
};

use crate::i18n::T;
use crate::tr;

/// The service worker script, relative to the page so the kit works under any path.
pub const WORKER_URL: &str = "./sw.js";

/// The message that lets a waiting worker take over (see `assets/sw.js`).
const SKIP_WAITING: &str = "SKIP_WAITING";
/// Asks the worker to look for forms published since (see `assets/sw.js`).
const CHECK_FORMS: &str = "CHECK_FORMS";
/// Lets staged forms take over (see `assets/sw.js`).
const APPLY_FORMS: &str = "APPLY_FORMS";

/// The state of an app update, shared through context by [`UpdateBanner`].
#[derive(Clone, Copy, Debug)]
pub struct AppUpdate {
    /// A new version is installed and waits for the enumerator.
    pub ready: RwSignal<bool>,
    /// The enumerator asked for the new version: the page reloads as soon as it takes over.
    pub applying: RwSignal<bool>,
    /// The banner was put aside ("later"); it comes back on the next start.
    pub dismissed: RwSignal<bool>,
    /// Newly published forms are staged by the worker (the build itself may be the same).
    pub forms: RwSignal<bool>,
}

impl AppUpdate {
    /// No update known yet.
    pub fn new() -> AppUpdate {
        AppUpdate {
            ready: RwSignal::new(false),
            applying: RwSignal::new(false),
            dismissed: RwSignal::new(false),
            forms: RwSignal::new(false),
        }
    }
}

impl Default for AppUpdate {
    fn default() -> Self {
        AppUpdate::new()
    }
}

/// `navigator.serviceWorker`, absent on insecure origins and in some web views.
fn container() -> Option<ServiceWorkerContainer> {
    let sw =
        js_sys::Reflect::get(&window().navigator(), &JsValue::from_str("serviceWorker")).ok()?;
    (!sw.is_undefined() && !sw.is_null()).then(|| sw.unchecked_into())
}

/// A callback for a promise rejection that is expected and harmless (e.g. an update check
/// with no network); without one the browser logs "Uncaught (in promise)".
fn ignore_rejection() -> Closure<dyn FnMut(JsValue)> {
    Closure::new(|_: JsValue| {})
}

/// Registers the service worker (release builds only) and watches for new versions.
pub fn register(update: AppUpdate) {
    if cfg!(debug_assertions) {
        return;
    }
    let Some(container) = container() else { return };

    // The page's controller changes when a worker first takes over (first visit: nothing to
    // tell) and when a new version takes over (after the enumerator's click here: reload; after
    // a click in another tab: this tab still runs the old code, so it offers the reload too).
    let had_controller = Rc::new(Cell::new(container.controller().is_some()));
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if update.applying.get_untracked() {
            let _ = window().location().reload();
        } else if had_controller.replace(true) {
            update.ready.set(true);
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    // The worker's answers about forms (see `assets/sw.js`).
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        let kind = js_sys::Reflect::get(&event.data(), &"type".into()).ok().and_then(|t| t.as_string());
        match kind.as_deref() {
            Some("FORMS_READY") => {
                update.forms.set(true);
                update.ready.set(true);
            }
            Some("FORMS_APPLIED") if update.applying.get_untracked() => {
                let _ = window().location().reload();
            }
            _ => {}
        }
    });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let options = RegistrationOptions::new();
    options.set_scope("./");
    let watched = container.clone();
    let on_registered = Closure::<dyn FnMut(JsValue)>::new(move |reg: JsValue| {
        if let Ok(reg) = reg.dyn_into::<ServiceWorkerRegistration>() {
            watch(reg, watched.clone(), update);
        }
    });
    let on_failed = Closure::<dyn FnMut(JsValue)>::new(|err: JsValue| {
        leptos::logging::warn!("service worker not registered: {err:?}");
    });
    let _ = container
        .register_with_options(WORKER_URL, &options)
        .then2(&on_registered, &on_failed);
    on_registered.forget();
    on_failed.forget();
}

/// Follows a registration: a new version that finishes installing while a version already
/// controls the page is an update waiting for the enumerator.
fn watch(reg: ServiceWorkerRegistration, container: ServiceWorkerContainer, update: AppUpdate) {
    if reg.waiting().is_some() && container.controller().is_some() {
        update.ready.set(true);
    }
    check_forms(&container);
    let checked = container.clone();
    let found_in = reg.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        let Some(worker) = found_in.installing() else {
            return;
        };
        let watched = worker.clone();
        let container = container.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if watched.state() == ServiceWorkerState::Installed && container.controller().is_some()
            {
                update.ready.set(true);
            }
        });
        worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();

    // A tablet may stay open for days: look for a new version whenever the network comes
    // back or the kit is brought to the front, not only when it is started.
    let ignore = ignore_rejection();
    let check = Closure::<dyn FnMut()>::new(move || {
        let online = window().navigator().on_line();
        let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
        if online && visible {
            if let Ok(p) = reg.update() {
                let _ = p.catch(&ignore);
            }
            check_forms(&checked);
        }
    });
    let _ = window().add_event_listener_with_callback("online", check.as_ref().unchecked_ref());
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", check.as_ref().unchecked_ref());
    check.forget();
}

/// Sends `type` to the worker controlling the page, if any.
fn tell_worker(container: &ServiceWorkerContainer, kind: &str) -> bool {
    let Some(worker) = container.controller() else { return false };
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"type".into(), &kind.into());
    worker.post_message(&msg).is_ok()
}

/// Asks the worker whether forms were published since the ones this page runs (with
/// network only; the answer, `FORMS_READY`, shows the banner).
fn check_forms(container: &ServiceWorkerContainer) {
    if window().navigator().on_line() {
        tell_worker(container, CHECK_FORMS);
    }
}

/// Lets the waiting version take over; the page reloads when it has (see [`register`]).
pub fn apply(update: AppUpdate) {
    // The field being edited commits its answer on blur, before anything reloads.
    if let Some(el) = document()
        .active_element()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        el.blur().ok();
    }
    update.applying.set(true);
    let Some(container) = container() else {
        let _ = window().location().reload();
        return;
    };
    let worker_of_page = container.clone();
    let on_reg = Closure::<dyn FnMut(JsValue)>::new(move |reg: JsValue| {
        let waiting = reg
            .dyn_into::<ServiceWorkerRegistration>()
            .ok()
            .and_then(|r| r.waiting());
        match waiting {
            Some(worker) => {
                let msg = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&msg, &"type".into(), &SKIP_WAITING.into());
                let _ = worker.post_message(&msg);
            }
            // Only forms are new: they take over, and the page reloads on the worker's answer.
            None if update.forms.get_untracked() && tell_worker(&worker_of_page, APPLY_FORMS) => {}
            // Already taken over (from another tab): just load it.
            None => {
                let _ = window().location().reload();
            }
        }
    });
    let ignore = ignore_rejection();
    let _ = container.get_registration().then2(&on_reg, &ignore);
    on_reg.forget();
    ignore.forget();
}

/// Registers the service worker once the page has loaded (so its downloads never compete with
/// the first screen) and shows, in both languages, that a new version is ready. The update is
/// applied only when the enumerator clicks "update"; "later" puts the banner aside.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let update = AppUpdate::new();
    provide_context(update);
    if document().ready_state() == "complete" {
        register(update);
    } else {
        let on_load = Closure::once_into_js(move || register(update));
        let _ = window().add_event_listener_with_callback("load", on_load.unchecked_ref());
    }

    view! {
        <Show when=move || update.ready.get() && !update.dismissed.get()>
            <div class="update-banner" role="status" aria-live="polite" data-testid="update-banner">
                <p class="update-text">
                    <T text=tr!(offline.update.ready) />
                    <small><T text=tr!(offline.update.safe) /></small>
                </p>
                <div class="update-actions">
                    <button
                        class="primary"
                        data-testid="update-reload"
                        disabled=move || update.applying.get()
                        on:click=move |_| apply(update)
                    >
                        {move || if update.applying.get() {
                            view! { <T text=tr!(offline.update.applying) /> }.into_any()
                        } else {
                            view! { <T text=tr!(offline.update.reload) /> }.into_any()
                        }}
                    </button>
                    <button data-testid="update-later" on:click=move |_| update.dismissed.set(true)>
                        <T text=tr!(offline.update.later) />
                    </button>
                </div>
            </div>
        </Show>
    }
}
