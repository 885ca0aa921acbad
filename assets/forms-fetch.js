// A dedicated worker started by boot.js: fetches the kit's forms (forms/index.json, then every
// file it lists) off the main thread and posts `{ index, files }` back — or `{ error }` when the
// index did not arrive. A listed file that did not arrive is missing from `files`, and the app
// names it (src/forms.rs). Offline, the service worker answers from its cache.
const get = async (name) => {
  const url = new URL(`forms/${name}`, self.location.href).href;
  const response = await fetch(url, { cache: name === 'index.json' ? 'no-cache' : 'default' });
  if (!response.ok) throw new Error(`forms/${name}: HTTP ${response.status}`);
  return response.text();
};

(async () => {
  let index;
  try {
    index = await get('index.json');
  } catch (e) {
    postMessage({ error: String((e && e.message) || e) });
    return;
  }
  const files = {};
  let listed = [];
  try { listed = JSON.parse(index).forms || []; } catch { /* the app reports the damaged index */ }
  await Promise.all((Array.isArray(listed) ? listed : []).map(async (form) => {
    const name = form && typeof form.file === 'string' ? form.file : '';
    if (!/^[A-Za-z0-9_.-]+\.json$/.test(name)) return;
    try { files[name] = await get(name); } catch { /* missing: named by the app */ }
  }));
  postMessage({ index, files });
})();
