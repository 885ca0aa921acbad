//! Entry point: sets the panic hook, takes down the start screen of index.html and mounts the
//! app; everything else lives in the library.
fn main() {
    console_error_panic_hook::set_once();
    if let Some(splash) = leptos::prelude::document().get_element_by_id("splash") {
        splash.remove();
    }
    leptos::mount::mount_to_body(liangshan_survey::App);
}
