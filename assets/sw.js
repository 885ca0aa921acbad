// Service worker of the Liangshan household survey kit: makes the kit start and work with no
// network after the first visit, and lets a new version wait until the enumerator chooses to
// reload (src/offline/).
//
// The next line is written at build time by scripts/precache.mjs (a Trunk post_build hook):
// the exact files of the release build with their SHA-256, and a version that is a hash of that
// list. In a debug build (`trunk serve`) it stays null and this worker removes itself.
const PRECACHE = null; // @precache

const PREFIX = 'lsk-app-';

if (!PRECACHE) {
  // Dev build: never cache. Replace any release worker left on this origin and remove it.
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX)) await caches.delete(key);
      await self.registration.unregister();
    })());
  });
} else {
  const CACHE = PREFIX + PRECACHE.version;
  const BASE = new URL('./', self.location.href);
  const INDEX = new URL('index.html', BASE).href;
  /** Absolute URL → expected SHA-256 (hex) of the body. */
  const FILES = new Map(PRECACHE.files.map(([path, sha]) => [new URL(path, BASE).href, sha]));

  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

  /** Fetches one file of the build and checks it is the very file of this build (a server in
   *  the middle of a deploy must not give us a mix of two versions). No file twice: the page
   *  has just downloaded most of them, so the browser's HTTP cache is asked first, whatever
   *  the server's cache headers (`force-cache` takes a stored copy even if stale or marked
   *  no-cache); the SHA-256 decides, and only a copy that is not this build's goes back to the
   *  server. */
  async function fetchChecked(url, sha) {
    // The page itself was most likely opened as the folder's URL (…/survey/), not index.html.
    const tries = url === INDEX ? [[BASE.href, 'force-cache'], [url, 'force-cache'], [url, 'no-cache']] : [[url, 'force-cache'], [url, 'no-cache']];
    for (const [from, cache] of tries) {
      const response = await fetch(from, { cache, credentials: 'same-origin' });
      if (!response.ok) {
        if (from === url && cache === 'no-cache') throw new Error(`precache ${url}: HTTP ${response.status}`);
        continue; // e.g. a server that does not answer the folder's URL with index.html
      }
      const body = await response.arrayBuffer();
      if (hex(await crypto.subtle.digest('SHA-256', body)) === sha) {
        return new Response(body, { status: 200, statusText: 'OK', headers: response.headers });
      }
    }
    throw new Error(`precache ${url}: content is not the one of build ${PRECACHE.version}`);
  }

  // Install: fetch every file of this build into a new cache. No skipWaiting here: a new
  // version waits until the page asks for it (the enumerator clicked "reload").
  self.addEventListener('install', (event) => {
    event.waitUntil((async () => {
      const cache = await caches.open(CACHE);
      await Promise.all([...FILES].map(async ([url, sha]) => {
        const have = await cache.match(url);
        if (!have) await cache.put(url, await fetchChecked(url, sha));
      }));
      // The forms as the page just fetched them (from the HTTP cache: no file twice).
      await stageForms('force-cache');
    })());
  });

  // Activate (only when this version takes over): drop the caches of older versions.
  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
      await promoteForms();
      await self.clients.claim();
    })());
  });

  self.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
  });

  // Cache first for the files of this build; a page of the app (any navigation inside the
  // scope) is the cached index.html. Anything else goes to the network untouched.
  self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET') return;
    const url = new URL(request.url);
    url.hash = '';
    if (isForm(url)) return event.respondWith(formResponse(url, request));
    const known = FILES.has(url.href);
    if (!known && request.mode !== 'navigate') return;
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = (known && await cache.match(url.href)) || (request.mode === 'navigate' && await cache.match(INDEX));
      return hit || fetch(request);
    })());
  });

  // ---- The forms (src/forms.rs, docs/forms.md) ----
  // forms/index.json and the files it lists are published apart from the build
  // (`liangshan-forms publish`): a form can be replaced on the server with no new build, so
  // with no new sw.js. They are therefore not in PRECACHE (scripts/precache.mjs leaves
  // forms/ out) but in a cache of their own, always one whole index with all its files:
  // FORMS_NEXT holds what the server publishes now (staged at install, or when the page asks
  // with CHECK_FORMS at an online start and the server's index differs), FORMS_CACHE what the
  // page runs. Staged forms take over when a new build activates, or when the page sends
  // APPLY_FORMS after the enumerator chose "update" in the same prompt as for a new build.
  const FORMS_CACHE = 'lsk-forms';
  const FORMS_NEXT = 'lsk-forms-next';
  const FORMS_BASE = new URL('forms/', BASE).href;
  const FORMS_INDEX = FORMS_BASE + 'index.json';

  function isForm(url) {
    return url.href.startsWith(FORMS_BASE);
  }

  /** A form file from the forms the page runs; the network only before any are cached. */
  async function formResponse(url, request) {
    const hit = await (await caches.open(FORMS_CACHE)).match(url.href);
    return hit || fetch(request);
  }

  async function indexIn(name) {
    if (!(await caches.has(name))) return null;
    const hit = await (await caches.open(name)).match(FORMS_INDEX);
    return hit ? hit.text() : null;
  }

  /** Downloads the server's forms into FORMS_NEXT (each file checked against the index's
   *  SHA-256; the index written last) unless they are already there. Returns whether the
   *  server's forms differ from the ones the page runs. `cache`: how the index is asked for
   *  (`no-cache`: the server's own, for CHECK_FORMS). */
  async function stageForms(cache = 'no-cache') {
    const response = await fetch(FORMS_INDEX, { cache, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`forms/index.json: HTTP ${response.status}`);
    const text = await response.text();
    if (text === (await indexIn(FORMS_CACHE))) {
      await caches.delete(FORMS_NEXT);
      return false;
    }
    if (text === (await indexIn(FORMS_NEXT))) return true;
    const files = await Promise.all(JSON.parse(text).forms.map(async (form) => {
      const url = new URL(form.file, FORMS_BASE).href;
      return [url, await fetchChecked(url, form.sha256)];
    }));
    await caches.delete(FORMS_NEXT);
    const next = await caches.open(FORMS_NEXT);
    for (const [url, body] of files) await next.put(url, body);
    await next.put(FORMS_INDEX, new Response(text, { headers: { 'Content-Type': 'application/json' } }));
    return true;
  }

  /** Staged forms take over: their files first, the index last, then files no index lists
   *  are dropped (a stop half-way leaves the old index with its files). */
  async function promoteForms() {
    if (!(await indexIn(FORMS_NEXT))) return;
    const [next, cache] = [await caches.open(FORMS_NEXT), await caches.open(FORMS_CACHE)];
    const requests = await next.keys();
    for (const request of requests) if (request.url !== FORMS_INDEX) await cache.put(request, await next.match(request));
    await cache.put(FORMS_INDEX, await next.match(FORMS_INDEX));
    const keep = new Set(requests.map((r) => r.url));
    for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
    await caches.delete(FORMS_NEXT);
  }

  self.addEventListener('message', (event) => {
    const type = event.data && event.data.type;
    const reply = (message) => event.source && event.source.postMessage(message);
    if (type === 'CHECK_FORMS') {
      event.waitUntil(stageForms().then((ready) => ready && reply({ type: 'FORMS_READY' }), () => {}));
    } else if (type === 'APPLY_FORMS') {
      // The other tabs still run the old forms: they offer the update too (their "update"
      // finds nothing staged and just reloads).
      event.waitUntil(promoteForms().then(async () => {
        reply({ type: 'FORMS_APPLIED' });
        for (const client of await self.clients.matchAll({ type: 'window' })) {
          if (!event.source || client.id !== event.source.id) client.postMessage({ type: 'FORMS_READY' });
        }
      }));
    }
  });
}
