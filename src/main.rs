//! Entry point: sets the panic hook, waits for the kit's forms (fetched by a worker while the
//! wasm downloaded), takes down the start screen of index.html and mounts the app — or, when
//! the forms cannot be read, a bilingual message saying so. Everything else lives in the
//! library.
fn main() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let loaded = liangshan_survey::forms::load().await;
        if let Some(splash) = leptos::prelude::document().get_element_by_id("splash") {
            splash.remove();
        }
        match loaded {
            Ok(()) => leptos::mount::mount_to_body(liangshan_survey::App),
            Err(detail) => {
                leptos::logging::error!("forms not loaded: {detail}");
                leptos::mount::mount_to_body(move || leptos::prelude::view! { <liangshan_survey::forms::FormsFailed detail=detail.clone() /> });
            }
        }
    });
}
