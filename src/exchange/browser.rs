//! The browser side of exchange: downloads (Blob + `<a download>`), the Web Share API,
//! reading a chosen file, and timings for the benchmark. Calls that web-sys only offers
//! behind extra features (`navigator.canShare`, `navigator.share`, `new File`) go through
//! `js_sys::Reflect`.
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// MIME type of the JSON export.
pub const JSON_TYPE: &str = "application/json;charset=utf-8";
/// MIME type of the CSV tables.
pub const CSV_TYPE: &str = "text/csv;charset=utf-8";

/// `bytes` as a JS array of one part (one copy; text goes as its UTF-8 bytes, no detour
/// through UTF-16).
fn parts(bytes: &[u8]) -> Array {
    Array::of1(&Uint8Array::from(bytes))
}

fn blob(bytes: &[u8], mime: &str) -> Result<web_sys::Blob, JsValue> {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts(bytes), &opts)
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    download_bytes(name, text.as_bytes(), mime)
}

/// Offers `bytes` as a file download named `name`.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) -> Result<(), JsValue> {
    let blob = blob(bytes, mime)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = leptos::prelude::document();
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    // Some browsers only follow a link that is in the document.
    let body = document.body().ok_or_else(|| JsValue::from_str("no body"))?;
    body.append_child(&a)?;
    a.click();
    let _ = body.remove_child(&a);
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
    Ok(())
}

/// `new File([bytes], name, {type})`.
fn file(name: &str, bytes: &[u8], mime: &str) -> Result<JsValue, JsValue> {
    let ctor: Function = Reflect::get(&js_sys::global(), &"File".into())?.dyn_into()?;
    let opts = Object::new();
    Reflect::set(&opts, &"type".into(), &mime.into())?;
    let args = Array::of3(&parts(bytes), &name.into(), &opts);
    Reflect::construct(&ctor, &args)
}

fn share_data(files: &JsValue) -> Result<Object, JsValue> {
    let data = Object::new();
    Reflect::set(&data, &"files".into(), &Array::of1(files))?;
    Ok(data)
}

fn navigator_fn(name: &str) -> Option<(JsValue, Function)> {
    let nav: JsValue = leptos::prelude::window().navigator().into();
    let f = Reflect::get(&nav, &name.into()).ok()?.dyn_into::<Function>().ok()?;
    Some((nav, f))
}

/// Whether this browser can share files (`navigator.canShare({files})`).
pub fn can_share_files() -> bool {
    let Some((nav, can_share)) = navigator_fn("canShare") else { return false };
    if navigator_fn("share").is_none() {
        return false;
    }
    file("test.json", b"{}", "application/json")
        .and_then(|f| share_data(&f))
        .and_then(|data| can_share.call1(&nav, &data))
        .is_ok_and(|r| r.as_bool() == Some(true))
}

/// Shares `bytes` as a file (Web Share API). Must run inside a user gesture (a click).
/// `done(true)` when shared, `done(false)` when refused or cancelled.
pub fn share(name: &str, bytes: &[u8], mime: &str, done: impl FnOnce(bool) + 'static) -> Result<(), JsValue> {
    let (nav, share) = navigator_fn("share").ok_or_else(|| JsValue::from_str("no navigator.share"))?;
    let data = share_data(&file(name, bytes, mime)?)?;
    let promise = share.call1(&nav, &data)?;
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let d2 = done.clone();
    let ok = Closure::once_into_js(move |_: JsValue| {
        if let Some(f) = done.borrow_mut().take() {
            f(true);
        }
    });
    let err = Closure::once_into_js(move |_: JsValue| {
        if let Some(f) = d2.borrow_mut().take() {
            f(false);
        }
    });
    let then: Function = Reflect::get(&promise, &"then".into())?.dyn_into()?;
    then.call2(&promise, &ok, &err)?;
    Ok(())
}

/// Reads a chosen file as bytes; `done(None)` when the browser cannot read it.
pub fn read_bytes(file: &web_sys::File, done: impl FnOnce(Option<Vec<u8>>) + 'static) -> Result<(), JsValue> {
    let reader = web_sys::FileReader::new()?;
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let d2 = done.clone();
    let r2 = reader.clone();
    let onload = Closure::once_into_js(move |_: JsValue| {
        let bytes = r2.result().ok().filter(|v| v.is_object()).map(|buf| Uint8Array::new(&buf).to_vec());
        if let Some(f) = done.borrow_mut().take() {
            f(bytes);
        }
    });
    let onerror = Closure::once_into_js(move |_: JsValue| {
        if let Some(f) = d2.borrow_mut().take() {
            f(None);
        }
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    reader.set_onerror(Some(onerror.unchecked_ref()));
    reader.read_as_array_buffer(file)
}

/// Records the phases of the last export or import in `globalThis.__lsk_exchange`
/// (`{ phase: ms, … }`), read by `e2e/bench/export.mjs`.
pub fn record_timings(what: &str, phases: &[(&str, f64)]) {
    let global = js_sys::global();
    let key = JsValue::from_str("__lsk_exchange");
    let mut table = Reflect::get(&global, &key).unwrap_or_default();
    if !table.is_object() {
        table = Object::new().into();
        let _ = Reflect::set(&global, &key, &table);
    }
    let entry = Object::new();
    for (name, ms) in phases {
        let _ = Reflect::set(&entry, &JsValue::from_str(name), &JsValue::from_f64(*ms));
    }
    let _ = Reflect::set(&table, &JsValue::from_str(what), &entry);
}
