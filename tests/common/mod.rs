//! Helpers shared by the browser tests (`mod common;` in each test file): browser storage,
//! waiting for effects, timers and promises, and views mounted in their own container,
//! queried by `data-testid` as the end-to-end tests do.
#![allow(dead_code)] // each test file uses its own share

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use leptos::prelude::*;
use liangshan_survey::i18n::Bi;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// Installs the shipped household survey as the app installs its published forms at start
/// (`forms::install`, the same checks), once per test binary.
pub fn install_forms() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use survey_core::forms::{FormIndex, Role, INDEX_FORMAT};
        let shipped = include_str!(concat!(env!("OUT_DIR"), "/household-for-tests.json"));
        let shipped = survey_core::RawSurvey::from_json(shipped).expect("build.rs wrote the shipped survey");
        let (entry, text) = survey_core::fixtures::published(&shipped, Role::Household);
        let file = entry.file.clone();
        let index = FormIndex { format: INDEX_FORMAT, forms: vec![entry] };
        liangshan_survey::forms::install(&index.to_json(), &BTreeMap::from([(file, text)])).unwrap();
    });
}

/// Installs the shipped household survey and the visit form (the visit log's tests), once
/// per test binary (a binary installs one set of forms: this, or [`install_forms`]).
pub fn install_forms_with_visit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use survey_core::forms::{FormIndex, Role, INDEX_FORMAT};
        let read = |text: &str| survey_core::RawSurvey::from_json(text).expect("build.rs wrote the shipped survey");
        let household = read(include_str!(concat!(env!("OUT_DIR"), "/household-for-tests.json")));
        let visit = read(include_str!(concat!(env!("OUT_DIR"), "/visit-for-tests.json")));
        let (h, h_text) = survey_core::fixtures::published(&household, Role::Household);
        let (v, v_text) = survey_core::fixtures::published(&visit, Role::Visit);
        let files = BTreeMap::from([(h.file.clone(), h_text), (v.file.clone(), v_text)]);
        let index = FormIndex { format: INDEX_FORMAT, forms: vec![h, v] };
        liangshan_survey::forms::install(&index.to_json(), &files).unwrap();
    });
}

pub fn local() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn session() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

/// Empties localStorage and sessionStorage.
pub fn clear() {
    local().clear().unwrap();
    session().clear().unwrap();
}

/// Every key and value of localStorage.
pub fn snapshot() -> BTreeMap<String, String> {
    let s = local();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .map(|k| {
            let v = s.get_item(&k).unwrap().unwrap_or_default();
            (k, v)
        })
        .collect()
}

/// Fills localStorage until it takes nothing more (halving the chunk down to one
/// character); returns the filler keys.
pub fn fill_storage() -> Vec<String> {
    let s = local();
    let mut keys = Vec::new();
    let mut size = 1 << 20;
    let mut i = 0;
    while size >= 1 {
        let chunk = "x".repeat(size);
        let key = format!("filler:{i}");
        if s.set_item(&key, &chunk).is_ok() {
            keys.push(key);
            i += 1;
        } else {
            size /= 2;
        }
    }
    keys
}

/// Lets effects and rendering catch up.
pub async fn settle() {
    for _ in 0..6 {
        leptos::task::tick().await;
    }
}

/// Waits for a JS promise.
pub async fn wait_for(promise: JsValue) -> Result<JsValue, JsValue> {
    type Slot = Rc<RefCell<(Option<Result<JsValue, JsValue>>, Option<Waker>)>>;
    struct P(Slot);
    impl Future for P {
        type Output = Result<JsValue, JsValue>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let mut s = self.0.borrow_mut();
            match s.0.take() {
                Some(r) => Poll::Ready(r),
                None => {
                    s.1 = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }
    }
    let slot: Slot = Rc::new(RefCell::new((None, None)));
    let (a, b) = (slot.clone(), slot.clone());
    let settle_with = |slot: Slot, ok: bool| {
        Closure::once_into_js(move |v: JsValue| {
            let mut s = slot.borrow_mut();
            s.0 = Some(if ok { Ok(v) } else { Err(v) });
            if let Some(w) = s.1.take() {
                w.wake();
            }
        })
    };
    let then: js_sys::Function = js_sys::Reflect::get(&promise, &"then".into()).unwrap().unchecked_into();
    then.call2(&promise, &settle_with(a, true), &settle_with(b, false)).unwrap();
    P(slot).await
}

/// Waits for a timer of `ms` milliseconds, then for effects.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    let _ = wait_for(p.into()).await;
    settle().await;
}

/// Fires a bubbling DOM event of type `kind` at `el`.
pub fn fire(el: &Element, kind: &str) {
    let ev = document().create_event("Event").unwrap();
    ev.init_event_with_bubbles(kind, true);
    el.dispatch_event(&ev).unwrap();
}

/// Shows both languages of `text` (the default "both" mode)?
pub fn shows(el_text: &str, text: Bi) -> bool {
    el_text.contains(text.zh) && el_text.contains(text.ii)
}

/// Something mounted in its own container (removed when dropped).
pub struct Mounted {
    pub root: HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
}

impl Mounted {
    pub async fn new<V: IntoView + 'static>(f: impl FnOnce() -> V + 'static) -> Mounted {
        let document = document();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = leptos::mount::mount_to(root.clone(), f);
        settle().await;
        Mounted { root, handle: Some(Box::new(handle)) }
    }

    /// Unmounts (runs every cleanup, as closing the page does).
    pub async fn unmount(mut self) {
        self.handle.take();
        settle().await;
    }

    pub fn find(&self, testid: &str) -> Option<Element> {
        self.root.query_selector(&format!("[data-testid=\"{testid}\"]")).unwrap()
    }

    pub fn get(&self, testid: &str) -> Element {
        self.find(testid).unwrap_or_else(|| panic!("no element [data-testid={testid}]"))
    }

    pub fn has(&self, testid: &str) -> bool {
        self.find(testid).is_some()
    }

    pub fn text(&self, testid: &str) -> String {
        self.get(testid).text_content().unwrap_or_default()
    }

    pub async fn click(&self, testid: &str) {
        self.get(testid).unchecked_into::<HtmlElement>().click();
        settle().await;
    }

    /// Types a whole value into an input or text area (as the browser reports it) and
    /// fires `input`.
    pub async fn type_into(&self, testid: &str, value: &str) {
        let el = self.get(testid);
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            input.set_value(value);
        } else {
            el.unchecked_ref::<web_sys::HtmlTextAreaElement>().set_value(value);
        }
        fire(&el, "input");
        settle().await;
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}
