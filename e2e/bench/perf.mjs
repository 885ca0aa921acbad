// Performance budget of the release build (scripts/bench.sh): a benchmark, not a test — it
// prints each figure beside its budget and its floor (issue #18) and the bar set by other
// form tools, and exits 0.
//
//   node bench/perf.mjs [--runs N] [--json FILE] [--trace-dir DIR] [--only 1,2,3] [--dist DIR]
//
// Measured in Debian's headless Chromium against dist/ served on 127.0.0.1 (no network
// throttling: the size budget stands for the network), with a fresh profile (cold cache)
// for every run:
//   1. bytes of the first visit: every file the server sends while the kit opens a new
//      household and its service worker installs, gzip (level 9) and brotli (quality 11)
//      each (the test server does not compress); the critical path: the files in the
//      page's own network log (Resource Timing) when its first question became typeable;
//      and a second visit served with `Cache-Control: no-cache` on every file, which must
//      not make the worker download again a file the page already has (a request of the
//      worker is told by its referrer, the worker's script);
//   2. time to the first question of a new household one can type into, CPU throttled ×4:
//      navigation start → `new-household` clicked in the first frame that has it → first
//      frame with an `input-…` visible and focusable (done in the page, so no automation
//      latency is counted). Beside it, the floor: the same measure on the kit's first
//      screen of a new household saved as static HTML with no script (same CSS, font, text
//      and inputs), what any tool showing that screen pays in this browser on this machine;
//      The budget figure is the kit's share: the median of the run-by-run differences
//      (kit and floor runs alternate);
//   3. keystrokes in member 20 of a 20-member roster, CPU throttled ×4; also the time to add
//      the 20 members (budget: in all). The budget figure is the p95 of
//
//        MAIN-THREAD WORK PER KEYSTROKE: a Chrome trace is recorded over the typing (CDP
//        Tracing, categories devtools.timeline, v8.execute, toplevel; the detailed
//        disabled-by-default timeline category doubles the cost it measures). On the main thread (CrRendererMain) of the page's renderer,
//        each typed key owns the window from the start of the task that dispatches its
//        `keydown` up to the start of the task that dispatches the next key's `keydown`
//        (the last key: the same length as the median gap). Keys come every 60 ms, so that
//        window holds everything the key caused: its keydown/keypress/input/keyup handlers,
//        the Leptos effects they queue (microtasks), the storage writes, timers, the style,
//        layout and paint of the frame that shows it, and GC. The key's figure is the time
//        the main thread was busy in that window: the union of the top-level tasks
//        (category `toplevel`: ThreadControllerImpl::RunTask and the like; nested events,
//        complete 'X' events and 'B'/'E' pairs alike are merged, never counted twice),
//        clipped to the window. Time the thread waits (for the next vsync, for the browser
//        to send the next event) is not counted: it is not the kit's and cannot be made
//        shorter by the kit.
//
//      The same typing, with the same throttling, in a bare page holding only an `<input>`
//      (same browser, right after) gives the floor of this browser and machine: what any
//      page costs per key. The budget is on the kit's p95 minus the floor's p95; printed
//      beside it are both, and a breakdown of the kit's
//      median key (script, style/layout forced inside script, frame rendering, GC).
//      Secondary figures (from an in-page probe): keydown time stamp → the next animation
//      frame after the input handlers ran (rAF; this includes Chromium's own input pipeline
//      and the wait for vsync, hence ~16 ms median and ~40 ms p95 even for the bare input at
//      ×4), and → after that frame was painted; the bare page's figures are printed beside.
//      `--trace-dir DIR` keeps the traces (open them in DevTools' Performance panel).
import fs from 'node:fs';
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DIST as BUILT } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const RUNS = Number(opt('--runs', 5));
const JSON_OUT = opt('--json', null);
const TRACE_DIR = opt('--trace-dir', null);
const DIST = path.resolve(opt('--dist', BUILT)); // another build, e.g. to compare two versions
const ONLY = new Set(opt('--only', '1,2,3').split(',').map(Number)); // e.g. --only 3
const THROTTLE = 4;
const MEMBERS = 20;
const KEYS = 'Aershamo Lazhi Jjissy Qubbu Mgeddi Vuqie Ashyxi Wa'; // 50 keys, ASCII → real key events
const KEY_DELAY_MS = 60; // a fast typist: ~16 keys a second

// Issue #18: every timing is the kit's share above a floor measured in the same run.
const BUDGET = {
  firstVisitGzip: 400 * 1024, filesTwice: 0,
  firstTypeableAboveFloorMs: 400, keystrokeP95AboveFloorMs: 8, add20Ms: 1500,
};
const BAR = [
  { tool: 'SurveyJS', gzipKB: 412, firstTypeableS: 3.3, keystrokeMs: null },
  { tool: 'ODK Web Forms', gzipKB: 1200, firstTypeableS: 5.6, keystrokeMs: null },
  { tool: '(typical, 20 members)', gzipKB: null, firstTypeableS: null, keystrokeMs: 100 },
];

if (!fs.existsSync(path.join(DIST, 'index.html'))) {
  console.error(`no release build in ${DIST} (run: trunk build --release)`);
  process.exit(1);
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css',
  '.woff2': 'font/woff2', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};
const gzipCache = new Map();
const gzipSize = (file) => {
  if (!gzipCache.has(file)) gzipCache.set(file, zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length);
  return gzipCache.get(file);
};
const brCache = new Map();
const brotliSize = (file) => {
  if (!brCache.has(file)) {
    brCache.set(file, zlib.brotliCompressSync(fs.readFileSync(file), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
  }
  return brCache.get(file);
};

/** A static server for dist/ that logs every file it sends (requests of the page and of the
 *  service worker alike). `headers: 'deploy'` answers as the bureau's server should: names
 *  with Trunk's content hash are immutable, everything else revalidates with an ETag (304);
 *  `'no-cache'` answers like e2e/lib/server.mjs (every request gets the whole file). */
async function countingServer({ root = DIST, headers = 'deploy', extra = {} } = {}) {
  const log = [];
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (Object.hasOwn(extra, rel)) { // a page made by the bench itself (the static floor page)
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-cache' });
      res.end(extra[rel]);
      return;
    }
    const file = path.join(root, rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404).end(); return; }
    const body = fs.readFileSync(file);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    if (headers === 'deploy') {
      const etag = `"${crypto.createHash('sha1').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) { log.push({ rel, raw: 0, gzip: 0, br: 0, notModified: true }); res.writeHead(304, { etag }).end(); return; }
      const cache = /-[0-9a-f]{16}(_bg)?\.[a-z0-9]+$/.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache';
      res.writeHead(200, { 'content-type': type, 'cache-control': cache, etag });
    } else {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    }
    // A fetch made by the service worker has the worker's script as its referrer.
    log.push({ rel, raw: body.length, gzip: gzipSize(file), br: brotliSize(file), byWorker: /\/sw\.js$/.test(req.headers.referer ?? '') });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`, log,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN; };
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;

async function throttled(b) {
  const cdp = await b.context.newCDPSession(b.page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  return cdp;
}

// ---- Chrome trace: main-thread work per key ------------------------------------------------
const TRACE_CATEGORIES = (process.env.LSK_TRACE_CATS ?? 'devtools.timeline,toplevel,v8.execute').split(',');

/** Starts a trace on a CDP session; `stop()` ends it and resolves to its events. */
async function startTrace(cdp) {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    streamFormat: 'json',
    traceConfig: { recordMode: 'recordAsMuchAsPossible', includedCategories: TRACE_CATEGORIES },
  });
  return {
    async stop() {
      const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
      await cdp.send('Tracing.end');
      const { stream } = await done;
      const chunks = [];
      for (;;) {
        const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream, size: 1 << 22 });
        chunks.push(base64Encoded ? Buffer.from(data, 'base64').toString('utf8') : data);
        if (eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      const json = JSON.parse(chunks.join(''));
      return Array.isArray(json) ? json : json.traceEvents;
    },
  };
}

/** Intervals (µs) of one thread's events: complete 'X' events as they are, 'B'/'E' pairs
 *  matched per name on a stack (an unmatched 'B' runs to the end of the trace). Sorted by
 *  start, then longest first, so a parent comes before the events nested in it. */
function intervalsOf(events, end) {
  const out = [];
  const open = new Map();
  for (const e of events) {
    if (e.ph === 'X') out.push({ name: e.name, cat: e.cat, ts: e.ts, end: e.ts + (e.dur ?? 0), tdur: e.tdur, args: e.args });
    else if (e.ph === 'B') {
      if (!open.has(e.name)) open.set(e.name, []);
      open.get(e.name).push(e);
    } else if (e.ph === 'E') {
      const b = open.get(e.name)?.pop();
      if (b) out.push({ name: b.name, cat: b.cat, ts: b.ts, end: e.ts, tdur: e.tts != null && b.tts != null ? e.tts - b.tts : undefined, args: { ...b.args, ...e.args } });
    }
  }
  for (const stack of open.values()) for (const b of stack) out.push({ name: b.name, cat: b.cat, ts: b.ts, end, args: b.args });
  out.sort((a, b) => a.ts - b.ts || b.end - a.end);
  // Parent links (properly nested events on one thread).
  const stack = [];
  for (const iv of out) {
    while (stack.length && stack[stack.length - 1].end <= iv.ts) stack.pop();
    iv.parent = stack[stack.length - 1] ?? null;
    stack.push(iv);
  }
  return out;
}

/** Merged union of intervals (sorted by start): [[start, end], ...]. */
function union(ivs) {
  const out = [];
  for (const { ts, end } of ivs) {
    const last = out[out.length - 1];
    if (last && ts <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([ts, end]);
  }
  return out;
}

/** Length (µs) of a merged union inside [a, b). */
function busyIn(merged, a, b) {
  let sum = 0;
  for (const [s, e] of merged) {
    if (e <= a) continue;
    if (s >= b) break;
    sum += Math.min(e, b) - Math.max(s, a);
  }
  return sum;
}

const SCRIPT = new Set(['FunctionCall', 'EventDispatch', 'v8.callFunction', 'RunMicrotasks', 'TimerFire', 'FireAnimationFrame', 'v8.run', 'EvaluateScript', 'V8.Execute']);
const STYLE_LAYOUT = new Set(['UpdateLayoutTree', 'Layout', 'RecalculateStyles', 'UpdateLayerTree']);
const GC = /GC|Scavenge|MarkCompact|V8\.GC/;
const FRAME = new Set(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayerTree', 'ScrollbarsUpdate', 'IntersectionObserverController::computeIntersections']);

/** Per typed key, the main-thread work it caused (see the header): from a trace's events. */
function workPerKey(events, { typed }) {
  // The renderer main thread that dispatched the keydowns.
  const mainThreads = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') mainThreads.set(`${e.pid}:${e.tid}`, { pid: e.pid, tid: e.tid });
  }
  const isKeydown = (e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown';
  const byThread = new Map();
  for (const e of events) {
    if (!isKeydown(e)) continue;
    const k = `${e.pid}:${e.tid}`;
    if (mainThreads.has(k)) byThread.set(k, (byThread.get(k) ?? 0) + 1);
  }
  const [thread] = [...byThread.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!thread) return { keysInTrace: 0, typed, busy: [], cpu: [], breakdown: [] };
  const mine = events.filter((e) => `${e.pid}:${e.tid}` === thread && e.ph !== 'M');
  const traceEnd = Math.max(...mine.map((e) => e.ts + (e.dur ?? 0)));
  const ivs = intervalsOf(mine, traceEnd);
  const root = (iv) => { let r = iv; while (r.parent) r = r.parent; return r; };
  // Top-level tasks: `toplevel` events not nested in another one (plus any other outermost
  // event, so work traced without a task around it is not missed).
  const tasks = ivs.filter((iv) => !iv.parent);
  const merged = union(tasks);
  // Each key's window starts with the task that dispatches its keydown.
  const starts = ivs.filter(isKeydown).map((iv) => root(iv).ts);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  const gap = median(gaps);
  const windows = starts.map((t, i) => [t, starts[i + 1] ?? t + gap]);
  const within = (iv, set, [a, b]) => {
    const ok = ivs.filter((x) => set(x) && x.end > a && x.ts < b);
    // Outermost only: an event nested in another of the same kind is not counted twice.
    const outer = ok.filter((x) => { for (let p = x.parent; p; p = p.parent) if (set(p)) return false; return true; });
    return outer.reduce((sum, x) => sum + Math.min(x.end, b) - Math.max(x.ts, a), 0);
  };
  const inScript = (x) => { for (let p = x.parent; p; p = p.parent) if (SCRIPT.has(p.name)) return true; return false; };
  const busy = windows.map(([a, b]) => busyIn(merged, a, b) / 1000);
  // The same from the thread's CPU clock (trace 'tdur'): the part of each top-level task
  // in the window, by its share of the task's wall time. Unlike wall time it does not grow
  // when other processes hold the machine's cores (it still includes the ×4 throttling).
  const cpu = windows.map(([a, b]) => tasks.reduce((sum, t) => {
    const overlap = Math.min(t.end, b) - Math.max(t.ts, a);
    return overlap > 0 && t.end > t.ts && t.tdur != null ? sum + (t.tdur * overlap) / (t.end - t.ts) : sum;
  }, 0) / 1000);
  const breakdown = windows.map((w) => ({
    script: within(null, (x) => SCRIPT.has(x.name), w) / 1000,
    forcedStyleLayout: within(null, (x) => STYLE_LAYOUT.has(x.name) && inScript(x), w) / 1000,
    frame: within(null, (x) => FRAME.has(x.name) && !inScript(x), w) / 1000,
    gc: within(null, (x) => GC.test(x.name), w) / 1000,
  }));
  return { keysInTrace: starts.length, typed, busy, cpu, breakdown, tasks: tasks.length };
}

/** Types KEYS into `input` on `page` while tracing (CPU throttled on `cdp`): the probe's
 *  figures and the trace's work per key. */
async function typeTraced(b, cdp, page, input, label) {
  await input.click();
  await page.waitForTimeout(300);
  await page.evaluate(() => { window.__lskKeys.length = 0; });
  const trace = await startTrace(cdp);
  await page.keyboard.type(KEYS, { delay: KEY_DELAY_MS });
  await page.waitForTimeout(300);
  const events = await trace.stop();
  if (TRACE_DIR) {
    fs.mkdirSync(TRACE_DIR, { recursive: true });
    fs.writeFileSync(path.join(TRACE_DIR, `${label}-${Date.now()}.json`), JSON.stringify({ traceEvents: events }));
  }
  const keys = await page.evaluate(() => window.__lskKeys);
  const value = await input.inputValue();
  return {
    valueOk: value === KEYS,
    frame: keys.map((k) => k.frame - k.t0), painted: keys.map((k) => k.painted - k.t0), work: keys.map((k) => Math.min(k.work ?? k.frame, k.frame) - k.t0),
    trace: workPerKey(events, { typed: KEYS.length }),
  };
}

/** The floor: the same typing in a page holding only an `<input>` (and the probe). */
async function bareInput(b) {
  const page = await b.context.newPage();
  try {
    const cdp = await throttled({ context: b.context, page });
    await page.setContent(`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
      <input data-testid="bare" autocomplete="off"><script>(${KEY_PROBE})()</script>`);
    return await typeTraced(b, cdp, page, page.getByTestId('bare'), 'bare-input');
  } finally { await page.close(); }
}

// ---- 1. first visit bytes -------------------------------------------------------------
/** One first visit in a fresh profile: the page opens a new household (as in figure 2) and
 *  its service worker installs. Every file the server sent (page and worker alike), the
 *  files sent more than once, and the critical path: the files the page itself had
 *  downloaded (its network log, Resource Timing) when the first question became typeable. */
async function firstVisit(headers) {
  const srv = await countingServer({ headers });
  const b = await launch();
  try {
    await b.page.addInitScript(FIRST_TYPEABLE, { click: true });
    await b.page.goto(srv.url);
    await b.page.waitForFunction(() => window.__lskPerf?.typeable, null, { timeout: 60_000 });
    const critical = await b.page.evaluate(() => {
      const t = window.__lskPerf.typeable;
      return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
        .filter((e) => e.responseEnd > 0 && e.responseEnd <= t).map((e) => e.name);
    });
    // The service worker installs in the background: wait until it controls the page.
    await b.page.waitForFunction(() => navigator.serviceWorker?.controller, null, { timeout: 60_000 });
    await b.page.waitForTimeout(500);
    const sent = srv.log.filter((e) => !e.notModified);
    const distinct = new Map(sent.map((e) => [e.rel, e]));
    const times = new Map();
    for (const e of sent) times.set(e.rel, (times.get(e.rel) ?? 0) + 1);
    const sum = (es, k) => es.reduce((a, e) => a + e[k], 0);
    const criticalFiles = [...new Set(critical.map((u) => {
      const rel = decodeURIComponent(new URL(u).pathname).replace(/^\/+/, '');
      return rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
    }))].filter((rel) => fs.existsSync(path.join(DIST, rel))).map((rel) => {
      const f = path.join(DIST, rel);
      return { rel, raw: fs.statSync(f).size, gzip: gzipSize(f), br: brotliSize(f) };
    });
    return {
      files: [...distinct.values()].sort((a, b) => b.gzip - a.gzip),
      gzip: sum([...distinct.values()], 'gzip'),
      br: sum([...distinct.values()], 'br'),
      raw: sum([...distinct.values()], 'raw'),
      wireGzip: sum(sent, 'gzip'),
      wireBr: sum(sent, 'br'),
      requests: srv.log.length,
      notModified: srv.log.length - sent.length,
      twice: [...times].filter(([, n]) => n > 1).map(([rel, n]) => ({ rel, n, byWorker: sent.some((e) => e.rel === rel && e.byWorker) })),
      critical: { files: criticalFiles.map((f) => f.rel), gzip: sum(criticalFiles, 'gzip'), br: sum(criticalFiles, 'br'), raw: sum(criticalFiles, 'raw') },
    };
  } finally { await b.close(); await srv.close(); }
}

// ---- 2. time to the first typeable question ---------------------------------------------
// Runs in the page from its very start: clicks `new-household` in the first frame it is
// in, then waits for the first frame with a question input that is visible and takes the
// focus. With `click: false` (the static floor page, which opens on the form) it only waits.
const FIRST_TYPEABLE = ({ click = true } = {}) => {
  const perf = (window.__lskPerf = {});
  if (!click) perf.home = 0;
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const INPUTS = 'input[data-testid^="input-"], select[data-testid^="input-"], textarea[data-testid^="input-"], [data-testid^="input-"] input, [data-testid^="input-"] select';
  const check = () => {
    if (perf.home === undefined) {
      const btn = document.querySelector('[data-testid="new-household"]');
      if (btn) { perf.home = performance.now(); btn.click(); }
    } else if (!perf.typeable) {
      for (const el of document.querySelectorAll(INPUTS)) {
        if (el.disabled || !visible(el)) continue;
        el.focus();
        if (document.activeElement === el) {
          perf.typeable = performance.now();
          perf.input = el.getAttribute('data-testid') ?? el.closest('[data-testid]')?.getAttribute('data-testid');
          obs.disconnect();
          return;
        }
      }
    }
  };
  // Checked once per frame (what a person sees), not on every DOM mutation: a probe that
  // reads layout after each mutation would force extra style and layout passes itself.
  const obs = { done: false, disconnect() { this.done = true; } };
  const frame = () => { check(); if (!obs.done) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
};

async function firstTypeable({ warm = false, floorPage = null } = {}) {
  const srv = await countingServer({ extra: floorPage ? { 'floor.html': floorPage } : {} });
  const b = await launch();
  try {
    if (warm) {
      await b.page.goto(srv.url);
      await b.page.waitForFunction(() => navigator.serviceWorker?.controller, null, { timeout: 60_000 });
      await b.page.goto('about:blank');
    }
    await throttled(b);
    await b.page.addInitScript(FIRST_TYPEABLE, { click: !floorPage });
    await b.page.goto(floorPage ? `${srv.url}floor.html` : srv.url);
    const h = await b.page.waitForFunction(() => window.__lskPerf?.typeable && window.__lskPerf, null, { timeout: 60_000 });
    const perf = await h.jsonValue();
    const nav = await b.page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return { responseEnd: n.responseEnd, domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd };
    });
    return { ...perf, ...nav };
  } finally { await b.close(); await srv.close(); }
}

/** The floor of figure 2: the kit's own first screen of a new household, taken from the
 *  running build as static HTML with every script removed (same CSS, same Yi font, same
 *  text and inputs). A browser needs this long to show that page and let one type into it
 *  with no script at all; the kit's figure is this plus loading, compiling and running it. */
async function floorOfFirstScreen() {
  const srv = await countingServer();
  const b = await launch();
  try {
    await b.page.goto(srv.url);
    await b.page.getByTestId('new-household').click();
    await b.page.locator('[data-testid="household-form"] input[data-testid^="input-"], [data-testid="household-form"] [data-testid^="input-"] input').first().waitFor();
    return await b.page.evaluate(() => {
      const doc = document.documentElement.cloneNode(true);
      doc.querySelectorAll('script, link[rel="modulepreload"], link[rel="preload"]:not([as="font"])').forEach((el) => el.remove());
      return `<!DOCTYPE html>\n${doc.outerHTML}`;
    });
  } finally { await b.close(); await srv.close(); }
}

// ---- 3. keystrokes in member 20 -------------------------------------------------------
const KEY_PROBE = () => {
  const lat = (window.__lskKeys = []);
  let pending = null;
  addEventListener('keydown', (e) => { if (e.key.length === 1) pending = { t0: e.timeStamp }; }, true);
  // Bubble phase on window: runs after the input's own handlers. A message posted here is
  // handled after every microtask they queued (Leptos runs effects in microtasks), or else
  // after the next frame, which also comes after them: the earlier of the two is "work".
  // The next animation frame after that is "frame" (the budget figure), and a message
  // posted in that frame is handled after it was rendered: "painted".
  addEventListener('input', () => {
    const p = pending; pending = null;
    if (!p) return;
    const work = new MessageChannel();
    work.port1.onmessage = () => { p.work = performance.now(); };
    work.port2.postMessage(0);
    requestAnimationFrame(() => {
      p.frame = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { p.painted = performance.now(); lat.push(p); };
      ch.port2.postMessage(0);
    });
  });
};

async function roster() {
  const srv = await countingServer();
  const b = await launch();
  try {
    const page = b.page;
    await page.addInitScript(KEY_PROBE);
    await page.goto(srv.url);
    await page.getByTestId('new-household').click();
    // Go to the section of the members roster.
    for (let i = 0; i < 12 && !(await page.getByTestId('add-member').isVisible().catch(() => false)); i++) {
      await page.getByTestId('next-section').click();
    }
    await page.getByTestId('add-member').waitFor();
    const cdp = await throttled(b);

    // Add 20 members, in the page: each click, then the next frame after the new card is there.
    const adds = await page.evaluate(async (n) => {
      const times = [];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        document.querySelector('[data-testid="add-member"]').click();
        while (!document.querySelector(`[data-testid="member-card-${i}"]`)) await new Promise((r) => setTimeout(r, 0));
        await new Promise((r) => requestAnimationFrame(() => r()));
        times.push(performance.now() - s);
      }
      return { total: performance.now() - t0, each: times };
    }, MEMBERS);

    // Open member 20 and type its name.
    const card = page.getByTestId(`member-card-${MEMBERS - 1}`);
    if (!(await card.locator('input[data-testid^="input-"]').first().isVisible().catch(() => false))) {
      await page.getByTestId(`member-toggle-${MEMBERS - 1}`).click();
    }
    const input = card.locator(`input[data-testid^="input-members[${MEMBERS - 1}]."]`).first();
    await input.waitFor();
    const inputId = await input.getAttribute('data-testid');
    const kit = await typeTraced(b, cdp, page, input, 'kit');
    // The floor: a bare input, same browser, same throttling, right after.
    await page.close();
    const bare = await bareInput(b);
    return { adds, inputId, typed: KEYS.length, ...kit, bare };
  } finally { await b.close(); await srv.close(); }
}

// ---- run and report ---------------------------------------------------------------------
const out = { date: new Date().toISOString(), runs: RUNS, throttle: THROTTLE, budget: BUDGET };
const status = (ok) => (ok ? 'within budget' : 'OVER BUDGET');
const line = (label, value, budget, ok) => console.log(`${label.padEnd(46)} ${String(value).padStart(12)}   budget ${String(budget).padStart(8)}   ${ok == null ? '' : status(ok)}`);

console.log(`Liangshan survey kit — performance budget (release build in ${DIST === BUILT ? 'dist/' : DIST}, headless Chromium, ${RUNS} cold runs)`);
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
out.loadBefore = os.loadavg();
console.log(`machine: ${os.cpus().length} cores, load average ${load()} before the runs${os.loadavg()[0] > os.cpus().length ? ' — BUSY: timings are inflated by other work' : ''}\n`);

const fv = ONLY.has(1) ? await firstVisit('deploy') : null;
if (fv) {
  const fvNoCache = await firstVisit('no-cache');
  out.firstVisit = fv; out.firstVisitNoCacheServer = fvNoCache;
  console.log('1. First visit: every file sent (page + service worker precache), gzip -9 and brotli -q 11 each');
  for (const f of fv.files) console.log(`     ${f.rel.padEnd(48)} ${String(f.raw).padStart(9)} B raw ${String(f.gzip).padStart(9)} B gzip ${String(f.br).padStart(9)} B br`);
  line('   all files of the first visit, gzip', kb(fv.gzip), kb(BUDGET.firstVisitGzip), fv.gzip <= BUDGET.firstVisitGzip);
  console.log(`   (brotli ${kb(fv.br)}; raw ${kb(fv.raw)}. Floor: 0 — the figure is all the kit's own.)`);
  console.log(`   critical path (what the page had downloaded when the first question became typeable): ${kb(fv.critical.gzip)} gzip, ${kb(fv.critical.br)} brotli,`);
  console.log(`    ${kb(fv.critical.raw)} raw in ${fv.critical.files.length} files: ${fv.critical.files.join(', ')}`);
  console.log(`   with deploy headers (hashed names immutable, others ETag): ${kb(fv.wireGzip)} gzip on the wire in ${fv.requests} requests (${fv.notModified} answered 304)`);
  const again = fvNoCache.twice.filter((t) => t.byWorker);
  line('   no-cache server: files the worker sent again', again.length, BUDGET.filesTwice, again.length <= BUDGET.filesTwice);
  console.log(`   (every file served with Cache-Control: no-cache. Transferred on that first visit: ${kb(fvNoCache.wireGzip)} gzip, ${kb(fvNoCache.wireBr)} brotli`);
  console.log(`    in ${fvNoCache.requests} requests, against ${kb(fvNoCache.gzip)} gzip of distinct files; sent more than once: ${fvNoCache.twice.map((t) => `${t.rel} ×${t.n}${t.byWorker ? ' (by the worker)' : ' (by the page itself)'}`).join(', ') || 'none'})\n`);
}

let ft = ONLY.has(2) ? [] : null;
let ftWarm = [];
let ftFloor = [];
if (ft) try {
  const floorPage = await floorOfFirstScreen();
  // Kit and floor alternate, so that a change in the machine's load touches both alike.
  for (let i = 0; i < RUNS; i++) {
    ft.push(await firstTypeable());
    ftFloor.push(await firstTypeable({ floorPage }));
  }
  for (let i = 0; i < Math.min(RUNS, 3); i++) ftWarm.push(await firstTypeable({ warm: true }));
} catch (e) {
  console.log(`2. First typeable question: could not run (${String(e.message ?? e).split('\n')[0]})\n`);
  ft = null;
}
if (ft) {
  out.firstTypeable = ft; out.firstTypeableWarm = ftWarm; out.firstTypeableFloor = ftFloor;
  const tt = ft.map((r) => r.typeable);
  const fl = ftFloor.map((r) => r.typeable);
  const share = tt.map((x, i) => x - fl[i]);
  console.log(`2. First typeable question of a new household, CPU ×${THROTTLE}, cold cache (first input: ${ft[0].input})`);
  line('   kit\'s share above the floor, median', `${median(share).toFixed(0)} ms`, `${BUDGET.firstTypeableAboveFloorMs} ms`, median(share) <= BUDGET.firstTypeableAboveFloorMs);
  console.log(`   (navigation → first input focusable: kit median ${median(tt).toFixed(0)} ms, worst ${Math.max(...tt).toFixed(0)} ms; floor median ${median(fl).toFixed(0)} ms —`);
  console.log(`    the same first screen as static HTML with no script; kit and floor alternate, the share is the median of the run-by-run differences`);
  console.log(`    runs: kit ${tt.map((x) => x.toFixed(0)).join(', ')} ms; floor ${fl.map((x) => x.toFixed(0)).join(', ')} ms;`);
  console.log(`    home screen with new-household: median ${median(ft.map((r) => r.home)).toFixed(0)} ms; DOMContentLoaded ${median(ft.map((r) => r.domContentLoaded)).toFixed(0)} ms;`);
  console.log(`    from the service worker cache (2nd visit): median ${median(ftWarm.map((r) => r.typeable)).toFixed(0)} ms)\n`);
}

let ks = ONLY.has(3) ? [] : null;
if (ks) try {
  for (let i = 0; i < Math.max(1, Math.min(RUNS, 3)); i++) ks.push(await roster());
} catch (e) {
  console.log(`3. Keystrokes in member ${MEMBERS}: could not run (${String(e.message ?? e).split('\n')[0]})\n`);
  ks = null;
}
if (ks) {
  out.keystrokes = ks;
  const all = (f) => ks.flatMap(f);
  const busy = all((r) => r.trace.busy);
  const bareBusy = all((r) => r.bare.trace.busy);
  const frame = all((r) => r.frame);
  const bareFrame = all((r) => r.bare.frame);
  const painted = all((r) => r.painted);
  const barePainted = all((r) => r.bare.painted);
  const addTotal = ks.map((r) => r.adds.total);
  const f1 = (x) => `${x.toFixed(1)} ms`;
  console.log(`3. Keystrokes in ${ks[0].inputId} with ${MEMBERS} members, CPU ×${THROTTLE} (${ks.length} × ${KEYS.length} keys, one every ${KEY_DELAY_MS} ms)`);
  const above = pct(busy, 95) - pct(bareBusy, 95);
  line('   main-thread work per key above the floor, p95', f1(above), `${BUDGET.keystrokeP95AboveFloorMs} ms`, above <= BUDGET.keystrokeP95AboveFloorMs);
  console.log(`   (kit p95 ${f1(pct(busy, 95))}, median ${f1(median(busy))}, max ${f1(Math.max(...busy))}. Floor of this browser/machine, a bare <input>: p95 ${f1(pct(bareBusy, 95))},`);
  console.log(`    median ${f1(median(bareBusy))}; the share is kit p95 − floor p95. Keys found in the traces: ${ks.map((r) => `${r.trace.keysInTrace}/${r.typed}`).join(', ')} (kit), ${ks.map((r) => `${r.bare.trace.keysInTrace}/${r.typed}`).join(', ')} (bare);`);
  console.log(`    text intact: ${ks.every((r) => r.valueOk && r.bare.valueOk)})`);
  const cpu = all((r) => r.trace.cpu);
  const bareCpu = all((r) => r.bare.trace.cpu);
  console.log(`   the same on the thread's CPU clock (not inflated by other processes; still ×${THROTTLE}): p95 ${f1(pct(cpu, 95))}, median ${f1(median(cpu))};`);
  console.log(`    bare <input>: p95 ${f1(pct(bareCpu, 95))}, median ${f1(median(bareCpu))}`);
  const parts = ['script', 'forcedStyleLayout', 'frame', 'gc'];
  const part = (src, k) => median(ks.flatMap((r) => (src === 'bare' ? r.bare.trace : r.trace).breakdown.map((x) => x[k])));
  console.log(`   median per key — ${parts.map((k) => `${k} ${f1(part('kit', k))}`).join(', ')}`);
  console.log(`                bare input: ${parts.map((k) => `${k} ${f1(part('bare', k))}`).join(', ')}`);
  console.log(`   (script includes the forced style/layout; frame = style, layout, paint of frames outside script)`);
  console.log(`   secondary, from an in-page probe: keydown → next frame after the DOM update p95 ${f1(pct(frame, 95))}, median ${f1(median(frame))}`);
  console.log(`    (bare input: p95 ${f1(pct(bareFrame, 95))}, median ${f1(median(bareFrame))}); → that frame painted p95 ${f1(pct(painted, 95))} (bare ${f1(pct(barePainted, 95))})`);
  line(`   adding ${MEMBERS} members, one click each, median in all`, `${median(addTotal).toFixed(0)} ms`, `${BUDGET.add20Ms} ms`, median(addTotal) <= BUDGET.add20Ms);
  console.log(`   (runs: ${addTotal.map((x) => x.toFixed(0)).join(', ')} ms; p95 per member ${pct(ks.flatMap((r) => r.adds.each), 95).toFixed(0)} ms; floor: none, the figure is all the kit's own)\n`);
}

console.log('Bar set by other web form tools (their published or measured figures):');
for (const b of BAR) {
  console.log(`   ${b.tool.padEnd(24)} ${b.gzipKB ? `${b.gzipKB} KB gzip` : ''.padEnd(12)}  ${b.firstTypeableS ? `${b.firstTypeableS} s first typeable` : ''}${b.keystrokeMs ? `~${b.keystrokeMs} ms per keystroke` : ''}`);
}
const us = fv ? [`${kb(fv.gzip)} gzip (${kb(fv.br)} brotli)`] : [];
if (ft) us.push(`${(median(ft.map((r) => r.typeable)) / 1000).toFixed(2)} s first typeable`);
if (ks) us.push(`${pct(ks.flatMap((r) => r.trace.busy), 95).toFixed(1)} ms p95 main-thread work per keystroke`);
console.log(`   ${'this kit'.padEnd(24)} ${us.join(', ')}`);

out.loadAfter = os.loadavg();
console.log(`\nload average after the runs: ${load()}`);
if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(out, null, 2));
