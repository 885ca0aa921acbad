//! The `image` and `geopoint` questions.
//!
//! A photo is taken with the camera (`capture="environment"`) or picked from the gallery,
//! then shrunk by the browser before anything is stored: `createImageBitmap` (EXIF
//! orientation honoured, `imageOrientation: "from-image"`), drawn on a canvas with its long
//! side at most the question's `max-pixels` (default 1600), encoded as JPEG. Re-encoding
//! keeps no metadata at all (no EXIF, so no camera GPS tag). Its SHA-256 (WebCrypto) names
//! it; it is stored in IndexedDB ([`crate::storage::photos`]) and only then does the answer
//! become its reference — a full quota leaves the household as it was, with a message.
//!
//! A location comes from `navigator.geolocation.watchPosition` (high accuracy): each better
//! reading is written, and watching stops once the reading is as accurate as the question's
//! `capture-accuracy` (default 5 m) or after [`WATCH_MS`].
use leptos::prelude::*;
use survey_core::media::{photo_ref, GeoPoint};
use survey_core::{FieldPath, Item};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, HtmlCanvasElement, HtmlInputElement};

use super::FormCtx;
use crate::i18n::{Bi, T};
use crate::storage::{photos, WriteError};
use crate::tr;

/// JPEG quality of stored photos (0–1): ~150–300 KB at 1600 px for a photo of a house.
pub const JPEG_QUALITY: f64 = 0.85;
/// How long a location capture waits for the `capture-accuracy` at most.
pub const WATCH_MS: i32 = 30_000;

/// Why a photo was not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// The file is not an image the browser can decode.
    NotImage,
    /// The browser's storage is full.
    Quota,
    /// Anything else (no canvas, no WebCrypto, IndexedDB refused).
    Failed,
}

impl PhotoError {
    fn text(self) -> Bi {
        match self {
            PhotoError::NotImage => tr!(media.photo.not_image),
            PhotoError::Quota => tr!(media.photo.quota),
            PhotoError::Failed => tr!(media.photo.failed),
        }
    }
}

/// `canvas.toBlob(…, "image/jpeg", quality)` as a future.
async fn canvas_jpeg(canvas: &HtmlCanvasElement) -> Result<Blob, PhotoError> {
    let mut run = |resolve: js_sys::Function, _reject: js_sys::Function| {
        let cb = Closure::once_into_js(move |b: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &b);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(cb.unchecked_ref(), "image/jpeg", &JsValue::from_f64(JPEG_QUALITY));
    };
    let blob = JsFuture::from(js_sys::Promise::new(&mut run)).await.map_err(|_| PhotoError::Failed)?;
    blob.dyn_into::<Blob>().map_err(|_| PhotoError::Failed)
}

/// The photo in `file`, upright, its long side at most `max_pixels`, as a JPEG without
/// metadata.
pub async fn shrink(file: &Blob, max_pixels: u32) -> Result<Blob, PhotoError> {
    let window = web_sys::window().ok_or(PhotoError::Failed)?;
    let opts = web_sys::ImageBitmapOptions::new();
    opts.set_image_orientation(web_sys::ImageOrientation::FromImage);
    let p = window
        .create_image_bitmap_with_blob_and_image_bitmap_options(file, &opts)
        .map_err(|_| PhotoError::NotImage)?;
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(p).await.map_err(|_| PhotoError::NotImage)?.unchecked_into();
    let (w, h) = (bitmap.width(), bitmap.height());
    if w == 0 || h == 0 {
        return Err(PhotoError::NotImage);
    }
    let scale = (max_pixels as f64 / w.max(h) as f64).min(1.0);
    let (tw, th) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
    let document = window.document().ok_or(PhotoError::Failed)?;
    let canvas: HtmlCanvasElement =
        document.create_element("canvas").map_err(|_| PhotoError::Failed)?.unchecked_into();
    canvas.set_width(tw);
    canvas.set_height(th);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or(PhotoError::Failed)?
        .unchecked_into();
    ctx.set_image_smoothing_enabled(true);
    let _ = js_sys::Reflect::set(&ctx, &"imageSmoothingQuality".into(), &"high".into());
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, tw as f64, th as f64)
        .map_err(|_| PhotoError::Failed)?;
    bitmap.close();
    canvas_jpeg(&canvas).await
}

/// Shrinks, hashes and stores the photo in `file`; its reference once stored.
pub async fn store_photo(file: &Blob, max_pixels: u32) -> Result<String, PhotoError> {
    let jpeg = shrink(file, max_pixels).await?;
    let buf = JsFuture::from(jpeg.array_buffer()).await.map_err(|_| PhotoError::Failed)?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    let digest = crate::exchange::crypto::sha256(&bytes).await.map_err(|_| PhotoError::Failed)?;
    let reference = photo_ref(&digest);
    photos::put(&reference, &jpeg).await.map_err(|e| match e {
        WriteError::Quota => PhotoError::Quota,
        _ => PhotoError::Failed,
    })?;
    Ok(reference)
}

/// What the thumbnail shows.
#[derive(Clone, Debug, PartialEq)]
enum Thumb {
    None,
    Url(String),
    Missing,
}

/// The `image` question at `path`: thumbnail, camera and gallery buttons, remove.
pub(crate) fn image_input(form: FormCtx, item: &'static Item, path: FieldPath, value: Memo<String>) -> AnyView {
    let id = path.to_string();
    let max_pixels = item.parameters.max_pixels();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<PhotoError>);
    let thumb = RwSignal::new(Thumb::None);
    // The thumbnail follows the answer: an object URL of the stored photo, revoked when
    // replaced; a reference with no photo behind it is shown as missing.
    let revoke = |t: &Thumb| {
        if let Thumb::Url(u) = t {
            let _ = web_sys::Url::revoke_object_url(u);
        }
    };
    Effect::new(move |_| {
        let reference = value.get();
        if reference.is_empty() {
            thumb.update(|t| revoke(t));
            thumb.set(Thumb::None);
            return;
        }
        spawn_local(async move {
            let next = match photos::get(&reference).await {
                Ok(Some(blob)) => web_sys::Url::create_object_url_with_blob(&blob).map_or(Thumb::Missing, Thumb::Url),
                _ => Thumb::Missing,
            };
            if value.try_get_untracked().as_deref() == Some(reference.as_str()) {
                let _ = thumb.try_update(|t| {
                    revoke(t);
                    *t = next;
                });
            } else {
                revoke(&next);
            }
        });
    });
    on_cleanup(move || {
        if let Some(t) = thumb.try_get_untracked() {
            revoke(&t);
        }
    });
    let chosen = {
        let path = path.clone();
        move |ev: web_sys::Event| {
            let input: HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            busy.set(true);
            error.set(None);
            let path = path.clone();
            spawn_local(async move {
                let result = store_photo(&file, max_pixels).await;
                let _ = busy.try_set(false);
                match result {
                    Ok(reference) => {
                        form.set_answer(&path, reference);
                        form.touch(&path);
                    }
                    Err(e) => {
                        let _ = error.try_set(Some(e));
                    }
                }
            });
        }
    };
    let chosen2 = chosen.clone();
    let disabled = move || !form.editable.get() || busy.get();
    let remove = {
        let path = path.clone();
        move |_| {
            error.set(None);
            form.set_answer(&path, String::new());
        }
    };
    let alt = tr!(media.photo.alt);
    let thumb_id = id.clone();
    view! {
        <div class="photo-input">
            {move || match thumb.get() {
                Thumb::Url(u) => view! { <img class="photo-thumb" src=u alt=alt.zh data-testid=format!("photo-thumb-{thumb_id}") /> }.into_any(),
                Thumb::Missing => view! { <p class="msg msg-error" data-testid=format!("photo-missing-{thumb_id}")><T text=tr!(media.photo.missing) /></p> }.into_any(),
                Thumb::None => ().into_any(),
            }}
            <div class="photo-buttons">
                <label class="file-button" class:disabled=disabled>
                    <T text=tr!(media.photo.take) />
                    <input type="file" accept="image/*" capture="environment" class="file-hidden" disabled=disabled
                        data-testid=format!("photo-camera-{id}") on:change=chosen />
                </label>
                <label class="file-button" class:disabled=disabled>
                    <T text=tr!(media.photo.pick) />
                    <input type="file" accept="image/*" class="file-hidden" disabled=disabled
                        data-testid=format!("photo-pick-{id}") on:change=chosen2 />
                </label>
                <Show when=move || !value.get().is_empty()>
                    <button type="button" disabled=disabled
                        data-testid=format!("photo-remove-{id}") on:click=remove.clone()>
                        <T text=tr!(media.photo.remove) />
                    </button>
                </Show>
            </div>
            <Show when=move || busy.get()>
                <p class="msg" data-testid="photo-working"><T text=tr!(media.photo.working) /></p>
            </Show>
            {move || error.get().map(|e| view! { <p class="msg msg-error" role="alert" data-testid="photo-error"><T text=e.text() /></p> })}
        </div>
    }
    .into_any()
}

/// Why a location was not captured (the Geolocation API's codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GeoError {
    Denied,
    Unavailable,
    Timeout,
}

impl GeoError {
    fn text(self) -> Bi {
        match self {
            GeoError::Denied => tr!(media.geo.denied),
            GeoError::Unavailable => tr!(media.geo.unavailable),
            GeoError::Timeout => tr!(media.geo.timeout),
        }
    }
}

/// The `geopoint` question at `path`: the point with its accuracy, and a capture button.
pub(crate) fn geopoint_input(form: FormCtx, item: &'static Item, path: FieldPath, value: Memo<String>) -> AnyView {
    let want = item.parameters.capture_accuracy();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<GeoError>);
    let watch = StoredValue::new(None::<i32>);
    let stop = move || {
        if let Some(id) = watch.try_get_value().flatten() {
            if let Some(g) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) {
                g.clear_watch(id);
            }
            watch.set_value(None);
        }
        let _ = busy.try_set(false);
    };
    on_cleanup(stop);
    let capture = {
        let path = path.clone();
        move |_| {
            error.set(None);
            let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
                error.set(Some(GeoError::Unavailable));
                return;
            };
            stop();
            busy.set(true);
            let best = StoredValue::new(f64::INFINITY);
            let path = path.clone();
            // (web-sys's GeolocationPosition types are behind its unstable-API flag: the
            // position is read by name.)
            let ok = Closure::<dyn FnMut(JsValue)>::new(move |p: JsValue| {
                let c = js_sys::Reflect::get(&p, &"coords".into()).unwrap_or_default();
                let num = |k: &str| js_sys::Reflect::get(&c, &k.into()).ok().and_then(|v| v.as_f64());
                let (Some(latitude), Some(longitude), Some(accuracy)) = (num("latitude"), num("longitude"), num("accuracy")) else {
                    return;
                };
                let point = GeoPoint { latitude, longitude, altitude: num("altitude").unwrap_or(0.0), accuracy };
                if point.accuracy < best.try_get_value().unwrap_or(0.0) {
                    best.set_value(point.accuracy);
                    form.set_answer(&path, point.to_odk());
                    form.touch(&path);
                }
                if point.accuracy <= want {
                    stop();
                }
            });
            let fail = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let code = js_sys::Reflect::get(&e, &"code".into()).ok().and_then(|v| v.as_f64()).unwrap_or(2.0) as u32;
                let kind = match code {
                    1 => GeoError::Denied,
                    3 => GeoError::Timeout,
                    _ => GeoError::Unavailable,
                };
                // A timeout after a reading has come keeps that reading.
                if kind != GeoError::Timeout || best.try_get_value().is_none_or(|b| b.is_infinite()) {
                    let _ = error.try_set(Some(kind));
                }
                stop();
            });
            let opts = web_sys::PositionOptions::new();
            opts.set_enable_high_accuracy(true);
            opts.set_maximum_age(0);
            opts.set_timeout(WATCH_MS as u32);
            match geo.watch_position_with_error_callback_and_options(ok.as_ref().unchecked_ref(), Some(fail.as_ref().unchecked_ref()), &opts) {
                Ok(id) => {
                    watch.set_value(Some(id));
                    ok.forget();
                    fail.forget();
                    // Stop waiting for a better reading after WATCH_MS.
                    let done = Closure::once_into_js(move || {
                        if watch.try_get_value().flatten() == Some(id) {
                            stop();
                        }
                    });
                    if let Some(w) = web_sys::window() {
                        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(done.unchecked_ref(), WATCH_MS);
                    }
                }
                Err(_) => {
                    error.set(Some(GeoError::Unavailable));
                    busy.set(false);
                }
            }
        }
    };
    let id = path.to_string();
    let value_id = id.clone();
    let shown = move || {
        GeoPoint::parse(&value.get()).map(|g| {
            view! {
                <p class="geo-value" data-testid=format!("geo-value-{value_id}")>
                    <T text=tr!(media.geo.latitude) />" "{format!("{:.6}", g.latitude)}" · "
                    <T text=tr!(media.geo.longitude) />" "{format!("{:.6}", g.longitude)}" · "
                    <T text=tr!(media.geo.altitude) />" "{format!("{:.0}", g.altitude)}" m · "
                    <T text=tr!(media.geo.accuracy) />" ±"{format!("{}", g.accuracy)}" m"
                </p>
            }
        })
    };
    let has_value = move || !value.get().is_empty();
    // Clicking again while waiting for a better reading starts over.
    let disabled = move || !form.editable.get();
    view! {
        <div class="geopoint-input">
            {shown}
            <button type="button" disabled=disabled data-testid=format!("geo-capture-{id}") on:click=capture>
                {move || if has_value() { view! { <T text=tr!(media.geo.recapture) /> } } else { view! { <T text=tr!(media.geo.capture) /> } }}
            </button>
            <Show when=move || busy.get()>
                <p class="msg" data-testid="geo-working"><T text=tr!(media.geo.working) /></p>
            </Show>
            {move || error.get().map(|e| view! { <p class="msg msg-error" role="alert" data-testid="geo-error"><T text=e.text() /></p> })}
        </div>
    }
    .into_any()
}
