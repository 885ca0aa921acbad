// Offline and installable: the service worker precaches exactly the files of the release
// build, the kit starts and keeps working with no network after one visit, and a new build
// waits for the enumerator's click (both languages) instead of reloading by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, DIST } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import {
  ROOT, precacheOf, copyOfBuild, makeNewVersion, waitForController, goOffline, cachesOf, storageOf, has,
} from '../lib/support.mjs';

/** Every file of a build directory, as sorted relative paths. */
function filesOf(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? filesOf(dir, r) : [r];
  }).sort();
}

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(file) {
  const b = fs.readFileSync(file);
  assert.equal(b.toString('latin1', 1, 4), 'PNG', `${file} is a PNG`);
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

test('the release build precaches exactly its own files, each with its hash', () => {
  const { version, files } = precacheOf(DIST);
  assert.match(version, /^[0-9a-f]{16}$/);
  // The forms (forms/) are published apart from the build: the worker caches them from their
  // own index (e2e/tests/forms.test.mjs).
  assert.deepEqual(files.map(([f]) => f), filesOf(DIST).filter((f) => f !== 'sw.js' && !f.startsWith('forms/')));
  for (const [f, sha] of files) {
    const got = execFileSync('sha256sum', [path.join(DIST, f)]).toString().split(' ')[0];
    assert.equal(got, sha, `hash of ${f}`);
  }
  for (const must of ['index.html', 'manifest.webmanifest', 'fonts/NotoSansYi-kit.woff2', 'fonts/NotoSansYi-rest.woff2', 'icons/icon-192.png', 'icons/icon-512.png']) {
    assert.ok(files.some(([f]) => f === must), `${must} is precached`);
  }
  assert.ok(files.some(([f]) => /_bg\.wasm$/.test(f)) && files.some(([f]) => /\.js$/.test(f)), 'the app (wasm + JS) is precached');

  // Running the hook again on a finished build changes nothing (it is idempotent).
  const copy = copyOfBuild();
  try {
    execFileSync('node', [path.join(ROOT, 'scripts/precache.mjs'), copy.dir], { stdio: 'pipe' });
    assert.equal(fs.readFileSync(path.join(copy.dir, 'sw.js'), 'utf8'), fs.readFileSync(path.join(DIST, 'sw.js'), 'utf8'));
  } finally { copy.remove(); }
});

test('a debug build (trunk serve) gets no precache list', () => {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-stage-'));
  try {
    fs.copyFileSync(path.join(ROOT, 'assets/sw.js'), path.join(stage, 'sw.js'));
    fs.writeFileSync(path.join(stage, 'index.html'), '<!doctype html>');
    execFileSync('node', [path.join(ROOT, 'scripts/precache.mjs')], {
      env: { ...process.env, TRUNK_STAGING_DIR: stage, TRUNK_PROFILE: 'debug' }, stdio: 'pipe',
    });
    assert.equal(fs.readFileSync(path.join(stage, 'sw.js'), 'utf8'), fs.readFileSync(path.join(ROOT, 'assets/sw.js'), 'utf8'));
    assert.match(fs.readFileSync(path.join(stage, 'sw.js'), 'utf8'), /^const PRECACHE = null; \/\/ @precache$/m);
  } finally { fs.rmSync(stage, { recursive: true, force: true }); }
});

test('the manifest makes the kit installable, named in Chinese and Yi', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, 'manifest.webmanifest'), 'utf8'));
  assert.ok(manifest.name.includes(t('app.title').zh) && manifest.name.includes(t('app.title').ii), manifest.name);
  assert.equal(manifest.display, 'standalone');
  assert.equal(manifest.theme_color, '#8b1e1e');
  assert.equal(manifest.start_url, './');
  assert.equal(manifest.scope, './');
  for (const [size, purpose] of [[192, 'any'], [512, 'any'], [192, 'maskable'], [512, 'maskable']]) {
    const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.purpose === purpose);
    assert.ok(icon, `${purpose} icon ${size}`);
    assert.deepEqual(pngSize(path.join(DIST, icon.src)), [size, size], icon.src);
  }

  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('app-title').waitFor();
    await waitForController(b.page);
    const cdp = await b.context.newCDPSession(b.page);
    const { errors, url } = await cdp.send('Page.getAppManifest');
    assert.equal(url, `${server.url}manifest.webmanifest`);
    assert.deepEqual(errors, [], 'Chromium parses the manifest without errors');
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, [], 'Chromium finds nothing that prevents installing');
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); }
});

test('after one visit the kit starts with no network at all', async () => {
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('app-title').waitFor();
    await waitForController(b.page);
    const { version, files } = precacheOf(DIST);
    const cached = await cachesOf(b.page);
    assert.deepEqual(Object.keys(cached).sort(), [`lsk-app-${version}`, 'lsk-forms'], 'one cache named by the build, one for the forms');
    assert.deepEqual(cached[`lsk-app-${version}`], files.map(([f]) => f), 'every file of the build is cached');

    await goOffline(server, b.context);
    const failed = [];
    b.page.on('requestfailed', (r) => failed.push(r.url()));
    await b.page.reload();
    const title = b.page.getByTestId('app-title');
    await title.waitFor();
    assert.ok((await title.innerText()).includes(t('app.title').zh));
    assert.ok((await title.innerText()).includes(t('app.title').ii));
    // The Yi font comes from the cache too.
    const yiFont = await b.page.evaluate(async () => {
      await document.fonts.load('16px "Noto Sans Yi"', 'ꆈꌠꉙ');
      return document.fonts.check('16px "Noto Sans Yi"', 'ꆈꌠꉙ');
    });
    assert.equal(yiFont, true, 'Noto Sans Yi loaded offline');
    assert.deepEqual(failed, [], 'no request of the page failed');

    // Started again from the home screen (a new tab on start_url), still offline.
    const again = await b.context.newPage();
    await again.goto(server.url);
    await again.getByTestId('app-title').waitFor();
    await again.close();
    assert.deepEqual(b.errors, []);
  } finally {
    server.setOffline(false);
    await b.close();
  }
});

test('no file twice: the worker takes from the HTTP cache what the page already downloaded (no-cache server)', async () => {
  const own = await serve(); // sends Cache-Control: no-cache with every file
  const b = await launch();
  try {
    await b.page.goto(own.url);
    await b.page.getByTestId('app-title').waitFor();
    await waitForController(b.page);
    const { version, files } = precacheOf(DIST);
    assert.deepEqual((await cachesOf(b.page))[`lsk-app-${version}`], files.map(([f]) => f), 'every file of the build is cached');
    // A fetch made by the worker has its script as referrer.
    // `sent` is in the order the server answered: a file counts as one the page already had
    // only when the page's download came first (the favicon, say, may be asked for by the
    // browser after the worker has cached it).
    const byWorker = own.sent.filter((r) => r.referer.endsWith('/sw.js')).map((r) => r.path);
    const pagePath = (r) => (r.path === '/' ? '/index.html' : r.path);
    const byPage = new Set(own.sent.filter((r) => !r.referer.endsWith('/sw.js')).map(pagePath));
    const pageHadBefore = (i) => new Set(own.sent.slice(0, i).filter((r) => !r.referer.endsWith('/sw.js')).map(pagePath));
    const again = own.sent
      .map((r, i) => ({ r, i }))
      .filter(({ r, i }) => r.referer.endsWith('/sw.js') && pageHadBefore(i).has(r.path))
      .map(({ r }) => r.path);
    assert.ok(byPage.has('/index.html') && [...byPage].some((p) => p.endsWith('_bg.wasm')), 'the page downloaded itself and the wasm');
    assert.deepEqual(again, [], 'the worker downloaded none of the files the page already had');
    assert.deepEqual(byWorker.filter((p, i) => byWorker.indexOf(p) !== i), [], 'nor any file twice');
    // What only the worker needed (e.g. the large icons) it did download, once.
    assert.ok(byWorker.includes('/icons/icon-512.png'), `the worker downloaded what the page had not: ${byWorker}`);
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); await own.close(); }
});

test('offline: a household can be started and its answers are kept', async (tc) => {
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('app-title').waitFor();
    await waitForController(b.page);
    if (!(await has(b.page, 'new-household'))) {
      tc.skip('the home screen (new-household) is not in this build yet');
      return;
    }
    await goOffline(server, b.context);
    await b.page.reload();
    await b.page.getByTestId('new-household').click();
    // The first question one can type into.
    const first = b.page.locator('input[data-testid^="input-"]:is([type=text], :not([type])), textarea[data-testid^="input-"]').first();
    await first.waitFor();
    const testid = await first.getAttribute('data-testid');
    await first.fill('阿说 ꀉꑳ');
    await first.press('Tab');

    await b.page.reload();
    await b.page.getByTestId('app-title').waitFor();
    if (!(await b.page.getByTestId(testid).isVisible().catch(() => false))) {
      await b.page.locator('[data-testid^="household-row-"] [data-testid^="open-"]').first().click();
    }
    await assert.doesNotReject(b.page.getByTestId(testid).waitFor());
    assert.equal(await b.page.getByTestId(testid).inputValue(), '阿说 ꀉꑳ');
    assert.deepEqual(b.errors, []);
  } finally {
    server.setOffline(false);
    await b.close();
  }
});

test('a new version waits for the enumerator, then takes over without touching stored data', async () => {
  const copy = copyOfBuild();
  const own = await serve(copy.dir);
  const b = await launch();
  try {
    const page = b.page;
    await page.goto(own.url);
    await page.getByTestId('app-title').waitFor();
    await waitForController(page);
    const oldVersion = precacheOf(copy.dir).version;
    // Some stored state: the interface language and, once the home screen is in the build,
    // a household with an answer.
    await page.getByTestId('lang-zh').click();
    await page.getByTestId('lang-both').click();
    if (await has(page, 'new-household')) {
      await page.getByTestId('new-household').click();
      const first = page.locator('input[data-testid^="input-"]:is([type=text], :not([type]))').first();
      await first.fill('吉克 ꀉꑳ');
      await first.press('Tab');
      await page.waitForTimeout(300);
    }
    const stored = await storageOf(page);
    assert.ok(Object.keys(stored).length > 0);

    // The bureau publishes a new build.
    const { version: newVersion } = makeNewVersion(copy.dir, 'v2');
    assert.notEqual(newVersion, oldVersion);

    // The next visit with network finds it; the old version keeps running and says so.
    let navigations = 0;
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations += 1; });
    await page.reload();
    navigations = 0;
    const banner = page.getByTestId('update-banner');
    await banner.waitFor({ timeout: 30_000 });
    const text = await banner.innerText();
    for (const key of ['offline.update.ready', 'offline.update.reload']) {
      assert.ok(text.includes(t(key).zh), `${key} in Chinese in: ${text}`);
      assert.ok(text.includes(t(key).ii), `${key} in Yi in: ${text}`);
    }
    assert.equal(await page.locator('meta[name=lsk-build-marker]').count(), 0, 'still the old version');
    await page.evaluate(() => { window.__stillHere = true; });

    // Nothing happens by itself: no reload while the enumerator works, the banner never
    // takes the focus from the field being typed into.
    if (await has(page, 'new-household')) {
      await page.getByTestId('new-household').click();
      const field = page.locator('input[data-testid^="input-"]:is([type=text], :not([type]))').first();
      await field.click();
      const text = '曲比阿果 ꀉꑳ ꆈꌠ';
      for (const ch of text) {
        await page.keyboard.insertText(ch);
        await page.waitForTimeout(120);
      }
      assert.equal(await field.inputValue(), text, 'every character typed is there');
      assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the field kept the focus');
      assert.equal(await banner.isVisible(), true, 'the banner stayed up, waiting');
      await page.keyboard.press('Tab');
    }
    await page.waitForTimeout(2500);
    assert.equal(navigations, 0, 'no reload by itself');
    assert.equal(await page.evaluate(() => window.__stillHere), true);
    const caches1 = await cachesOf(page);
    assert.deepEqual(Object.keys(caches1).filter((k) => k.startsWith('lsk-app-')).sort(), [`lsk-app-${newVersion}`, `lsk-app-${oldVersion}`].sort(), 'the new version waits beside the old one');

    // A plain reload keeps the old version (the enumerator has not chosen yet).
    await page.reload();
    await banner.waitFor();
    assert.equal(await page.locator('meta[name=lsk-build-marker]').count(), 0, 'a reload alone does not switch');

    // "Later" puts the banner aside.
    await page.getByTestId('update-later').click();
    await banner.waitFor({ state: 'detached' });
    await page.reload();
    await banner.waitFor();

    // The enumerator chooses: the new version takes over and the page reloads once.
    const storedBefore = await storageOf(page);
    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    await page.getByTestId('app-title').waitFor();
    await page.locator('meta[name=lsk-build-marker][content=v2]').waitFor({ state: 'attached' });
    assert.equal(await page.getByTestId('update-banner').count(), 0);
    assert.deepEqual(await storageOf(page), storedBefore, 'stored data untouched by the update');
    await page.waitForFunction((v) => caches.keys().then((k) => k.filter((n) => n.startsWith('lsk-app-')).join() === `lsk-app-${v}`), newVersion);

    // And the new version works offline.
    await goOffline(own, b.context);
    await page.reload();
    await page.locator('meta[name=lsk-build-marker][content=v2]').waitFor({ state: 'attached' });
    await page.getByTestId('app-title').waitFor();
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    await own.close();
    copy.remove();
  }
});

test('a debug build served after a release one removes the release worker and its cache', async (tc) => {
  const copy = copyOfBuild();
  const own = await serve(copy.dir);
  const b = await launch();
  try {
    const page = b.page;
    await page.goto(own.url);
    await waitForController(page);
    assert.deepEqual(Object.keys(await cachesOf(page)).sort(), [`lsk-app-${precacheOf(copy.dir).version}`, 'lsk-forms']);
    // `trunk serve` now serves the worker without a precache list.
    fs.copyFileSync(path.join(ROOT, 'assets/sw.js'), path.join(copy.dir, 'sw.js'));
    await page.reload();
    // The update check Chromium makes by itself shortly after a navigation, made now.
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r && r.update()).catch(() => {}));
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0
      && (await caches.keys()).length === 0, null, { timeout: 30_000, polling: 250 });
    // What the dev server serves now is what the page gets: nothing stale from a cache.
    const index = path.join(copy.dir, 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<head>', '<head><meta name="lsk-build-marker" content="dev">'));
    // (Right after unregistering, Chromium may still answer one navigation the old way, or,
    // on a loaded machine, leave it hanging: such a navigation counts as one more try.)
    let reloads = 0;
    do {
      reloads += 1;
      try {
        await page.reload({ timeout: 20_000 });
      } catch (e) {
        if (e.name !== 'TimeoutError' || reloads >= 3) throw e;
        tc.diagnostic(`reload ${reloads} did not finish loading; trying again`);
      }
    } while (reloads < 3 && (await page.locator('meta[name=lsk-build-marker][content=dev]').count()) === 0);
    assert.equal(await page.locator('meta[name=lsk-build-marker][content=dev]').count(), 1, 'the dev build is what the page runs');
    tc.diagnostic(`fresh dev build after ${reloads} reload(s)`);
    await page.getByTestId('app-title').waitFor();
  } finally {
    await b.close();
    await own.close();
    copy.remove();
  }
});
