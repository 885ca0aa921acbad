// The kit could not start (its files did not arrive, or this browser cannot run it): the
// start screen says so in both languages instead of "loading" forever. A classic script in
// <head>, loaded from a file (the Content-Security-Policy allows no inline script).
(function () {
  var failed = function () { if (document.getElementById('splash')) document.documentElement.classList.add('boot-failed'); };
  if (typeof WebAssembly !== 'object') failed();
  addEventListener('unhandledrejection', failed);
  // An uncaught error before the app mounted (the wasm did not load: it is reported as the
  // module script's error) or a script that did not load.
  addEventListener('error', function (e) { if (e.target === window || (e.target && e.target.tagName === 'SCRIPT')) failed(); }, true);
})();

// The kit's forms (forms/index.json and the files it lists: `liangshan-forms publish`), fetched
// by a worker (forms-fetch.js) started here, in <head>, while the page is still being read: the
// worker asks for the files as soon as the index arrives, even while the main thread is busy
// with the first layout and the wasm, so the forms add no round trip after the wasm.
// src/forms.rs reads the result. Never rejects.
window.lskForms = new Promise(function (resolve) {
  try {
    var worker = new Worker(new URL('forms-fetch.js', document.baseURI).href);
    worker.onmessage = function (e) { resolve(e.data); worker.terminate(); };
    worker.onerror = function () { resolve({ error: 'forms-fetch.js did not run' }); };
  } catch (e) {
    resolve({ error: String((e && e.message) || e) });
  }
});
