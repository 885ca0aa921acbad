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
    })());
  });

  // Activate (only when this version takes over): drop the caches of older versions.
  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      }
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
    const known = FILES.has(url.href);
    if (!known && request.mode !== 'navigate') return;
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = (known && await cache.match(url.href)) || (request.mode === 'navigate' && await cache.match(INDEX));
      return hit || fetch(request);
    })());
  });
}
