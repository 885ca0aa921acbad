// The start screen of the release build: both languages, the shipped Yi font, the switch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, DIST } from '../lib/server.mjs';
import { ROOT } from '../lib/support.mjs';
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

/** The `unicode-range` of the build's @font-face whose file is `file`, as a code point test. */
function rangeOf(file) {
  const css = fs.readdirSync(DIST).filter((f) => f.endsWith('.css')).map((f) => fs.readFileSync(path.join(DIST, f), 'utf8')).join('\n');
  const face = css.split('@font-face').find((f) => f.includes(file));
  assert.ok(face, `an @font-face for ${file} in the build's CSS`);
  const spans = face.match(/unicode-range:([^;]+);/)[1].split(',').map((r) => {
    const [a, b] = r.trim().replace(/^U\+/i, '').split('-').map((h) => parseInt(h, 16));
    return [a, b ?? a];
  });
  return (cp) => spans.some(([a, b]) => cp >= a && cp <= b);
}

/** Every Yi syllable or radical in the interface's Yi strings (locales/ii/*.json). */
function yiOfLocales() {
  const dir = path.join(ROOT, 'locales/ii');
  const out = new Set();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    for (const c of fs.readFileSync(path.join(dir, f), 'utf8').match(/[\uA000-\uA4CF]/g) ?? []) out.add(c.codePointAt(0));
  }
  return out;
}

test('the Yi font comes in two faces: the small one for the kit\'s own texts, the rest only when a page shows it', async () => {
  const inKit = rangeOf('NotoSansYi-kit.woff2');
  const inRest = rangeOf('NotoSansYi-rest.woff2');
  // The small face covers the kit's texts: the split script's own check (locales, surveys
  // as CSV or workbook, sources), and, independently, the interface's Yi strings here.
  execFileSync('python3', [path.join(ROOT, 'scripts/yi-font-split.py'), '--check'], { stdio: 'pipe' });
  const texts = yiOfLocales();
  assert.ok(texts.size > 100, `Yi syllables in the interface: ${texts.size}`);
  const outside = [...texts].filter((cp) => !inKit(cp)).map((cp) => String.fromCodePoint(cp));
  assert.deepEqual(outside, [], 'every Yi syllable of the interface is in the small face (else run scripts/yi-font-split.py)');
  // A syllable no text of the kit uses (a name typed in Yi may have it).
  const rare = [...Array(0xA48D - 0xA000).keys()].map((i) => 0xA000 + i).find((cp) => !inKit(cp));
  assert.ok(inRest(rare), 'the rest face covers what the small one does not');

  const b = await launch();
  try {
    const fonts = [];
    b.page.on('response', (r) => { if (r.url().endsWith('.woff2')) fonts.push([path.basename(new URL(r.url()).pathname), r.status()]); });
    await b.page.goto(server.url);
    await b.page.getByTestId('new-household').click();
    const input = b.page.locator('input[data-testid^="input-"]:is([type=text], :not([type]))').first();
    await input.waitFor();
    await b.page.evaluate(() => document.fonts.ready);
    assert.deepEqual(fonts, [['NotoSansYi-kit.woff2', 200]], 'the first screens need only the small face');

    await input.fill(`ꀉ${String.fromCodePoint(rare)}`);
    const drawn = await b.page.evaluate(async (text) => {
      await document.fonts.load('16px "Noto Sans Yi"', text);
      return document.fonts.check('16px "Noto Sans Yi"', text);
    }, String.fromCodePoint(rare));
    assert.equal(drawn, true, 'the rare syllable is drawn with the kit\'s font');
    assert.ok(fonts.some(([f, s]) => f === 'NotoSansYi-rest.woff2' && s === 200), `the rest face was fetched when shown: ${fonts}`);
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); }
});
