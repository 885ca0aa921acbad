// Starts the kit: imports the wasm-bindgen glue and the wasm that Trunk built. Their names
// (with a content hash) are written by Trunk into this script's element (`pattern_script` in
// Trunk.toml), so the page needs no inline script and its Content-Security-Policy allows
// none. Does what Trunk's own inline loader does, event included.
const me = document.getElementById('lsk-start');
const at = (name) => new URL(name, document.baseURI).href;

// The kit's forms (forms/index.json and the files it lists: `liangshan-forms publish`), fetched
// at the same time as the wasm, so they add no round trip after it; src/forms.rs reads the
// result. Never rejects: what did not arrive is missing from `files` (or `error` says why the
// index did not), and the app names it. Offline, the service worker answers from its cache.
const formFile = async (name) => {
  const response = await fetch(at(`forms/${name}`), { cache: name === 'index.json' ? 'no-cache' : 'default' });
  if (!response.ok) throw new Error(`forms/${name}: HTTP ${response.status}`);
  return response.text();
};
window.lskForms = (async () => {
  let index;
  try {
    index = await formFile('index.json');
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
  const files = {};
  let listed = [];
  try { listed = JSON.parse(index).forms || []; } catch { /* the app reports the damaged index */ }
  await Promise.all((Array.isArray(listed) ? listed : []).map(async (form) => {
    const name = form && typeof form.file === 'string' ? form.file : '';
    if (!/^[A-Za-z0-9_.-]+\.json$/.test(name)) return;
    try { files[name] = await formFile(name); } catch { /* missing: named by the app */ }
  }));
  return { index, files };
})();

const { default: init } = await import(at(me.dataset.js));
const wasm = await init({ module_or_path: at(me.dataset.wasm) });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
