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
