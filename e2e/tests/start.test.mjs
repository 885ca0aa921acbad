// The start screen of the release build: both languages, the shipped Yi font, the switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

test('start screen shows the kit in Yi and Chinese with the shipped Yi font', async () => {
  const b = await launch();
  try {
    const fontResponses = [];
    b.page.on('response', (r) => { if (r.url().endsWith('.woff2')) fontResponses.push(r.status()); });
    await b.page.goto(server.url);
    const title = b.page.getByTestId('app-title');
    await title.waitFor();
    const text = await title.innerText();
    assert.ok(text.includes(t('app.title').zh), `Chinese title in: ${text}`);
    assert.ok(text.includes(t('app.title').ii), `Yi title in: ${text}`);
    assert.equal(await b.page.locator('[data-testid=app-title] [lang=ii]').count(), 1);

    // The Yi text is drawn with the kit's own font, not a fallback box.
    await b.page.evaluate(() => document.fonts.ready);
    const yiFont = await b.page.evaluate(async () => {
      await document.fonts.load('16px "Noto Sans Yi"', 'ꆈꌠꉙ');
      return document.fonts.check('16px "Noto Sans Yi"', 'ꆈꌠꉙ');
    });
    assert.equal(yiFont, true, 'Noto Sans Yi loaded');
    assert.ok(fontResponses.length > 0 && fontResponses.every((s) => s === 200), `font fetched: ${fontResponses}`);
    await b.page.screenshot({ path: path.join(ARTIFACTS, 'start-1280x800-both.png') });

    // Chinese only, then Yi only; the choice survives a reload.
    await b.page.getByTestId('lang-zh').click();
    assert.equal(await title.innerText(), t('app.title').zh);
    await b.page.getByTestId('lang-ii').click();
    assert.equal(await title.innerText(), t('app.title').ii);
    await b.page.reload();
    await title.waitFor();
    assert.equal(await title.innerText(), t('app.title').ii);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('before the kit has loaded, the page says so in Yi and Chinese; the app takes that screen down', async () => {
  const b = await launch();
  try {
    // Hold the wasm back, as a slow village network does.
    let release;
    const held = new Promise((ok) => { release = ok; });
    await b.page.route(/_bg\.wasm$/, async (route) => { await held; await route.continue(); });
    await b.page.goto(server.url);
    const loading = b.page.locator('#splash .splash-loading');
    await loading.waitFor();
    const text = await loading.innerText();
    assert.ok(text.includes(t('app.loading').zh) && text.includes(t('app.loading').ii), `loading text: ${text}`);
    assert.equal(await b.page.locator('#splash [lang=ii]').first().innerText(), t('app.title').ii);
    assert.equal(await b.page.locator('#splash .splash-failed').isVisible(), false, 'no failure shown while loading');

    release();
    await b.page.getByTestId('new-household').waitFor();
    assert.equal(await b.page.locator('#splash').count(), 0, 'start screen removed when the app mounted');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('when the kit cannot start, the page says so in Yi and Chinese instead of loading forever', async () => {
  const b = await launch();
  try {
    await b.page.route(/_bg\.wasm$/, (route) => route.abort('internetdisconnected'));
    await b.page.goto(server.url);
    const failed = b.page.locator('#splash .splash-failed');
    await failed.waitFor({ state: 'visible' });
    const text = await failed.innerText();
    assert.ok(text.includes(t('app.start_failed').zh) && text.includes(t('app.start_failed').ii), `failure text: ${text}`);
    assert.equal(await b.page.locator('#splash .splash-loading').isVisible(), false);
  } finally {
    await b.close();
  }
});
