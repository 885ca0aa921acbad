// Starts the kit: imports the wasm-bindgen glue and the wasm that Trunk built. Their names
// (with a content hash) are written by Trunk into this script's element (`pattern_script` in
// Trunk.toml), so the page needs no inline script and its Content-Security-Policy allows
// none. Does what Trunk's own inline loader does, event included.
const me = document.getElementById('lsk-start');
const at = (name) => new URL(name, document.baseURI).href;
const { default: init } = await import(at(me.dataset.js));
const wasm = await init({ module_or_path: at(me.dataset.wasm) });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
