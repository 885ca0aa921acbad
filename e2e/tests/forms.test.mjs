// Forms are data: the app loads its forms from forms/index.json and the files it lists
// (`liangshan-forms publish`, run by the build's hook). A form published later into an
// already-built dist/ (no build) reaches a tablet at its next online start through the update
// prompt, and the household open on it keeps every answer and shows the new question. A
// missing or broken form file says so in both languages and touches nothing stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DIST } from '../lib/server.mjs';
import { t } from '../lib/locales.mjs';
import { ROOT, openOwnBuild, waitForController, goOffline, cachesOf, storageOf, id } from '../lib/support.mjs';

const PUBLISH = path.join(ROOT, 'target/debug/liangshan-forms');

before(() => {
  // The form authors' tool, as they run it (the build's hook has built it already).
  execFileSync('cargo', ['build', '--offline', '-q', '-p', 'forms', '--bin', 'liangshan-forms'], { cwd: ROOT, stdio: 'inherit' });
});

/** The published index of a build directory. */
const indexOf = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'forms/index.json'), 'utf8'));

/**
 * A copy of surveys/household (its XLSForm workbook) in a temporary folder, edited as a form
 * author edits it in Excel or WPS — here with openpyxl (PyPI, installed with pyxform by
 * scripts/setup.sh): `relabel` sets the `label::zh` of the row named `name`; `insert` adds a
 * row (column → value) after it. Then linted with the form authors' tool, as they would.
 */
function editedSurvey({ name, relabel, insert }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-form-'));
  const book = path.join(dir, 'household.xlsx');
  fs.copyFileSync(path.join(ROOT, 'surveys/household/household.xlsx'), book);
  const script = `
import json, sys, openpyxl
book, name, relabel, insert = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
wb = openpyxl.load_workbook(book)
ws = wb['survey']
head = [c.value for c in ws[1]]
col = {h: i + 1 for i, h in enumerate(head) if h}
row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col['name']).value == name)
ws.cell(row, col['label::zh']).value = relabel
ws.insert_rows(row + 1)
for key, value in insert.items():
    ws.cell(row + 1, col[key]).value = value
wb.save(book)
`;
  execFileSync('python3', ['-c', script, book, name, relabel, JSON.stringify(insert)], { stdio: 'pipe' });
  const lint = execFileSync(PUBLISH, ['lint', dir]).toString();
  assert.match(lint, /no problems/, lint);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('the build publishes its forms: an index and content-hashed files the worker does not list with the build', () => {
  const index = indexOf(DIST);
  assert.equal(index.format, 1);
  const household = index.forms.find((f) => f.role === 'household');
  assert.equal(household.id, 'liangshan_household');
  const bytes = fs.readFileSync(path.join(DIST, 'forms', household.file));
  assert.equal(bytes.length, household.size);
  assert.equal(execFileSync('sha256sum', [path.join(DIST, 'forms', household.file)]).toString().split(' ')[0], household.sha256);
  assert.match(household.file, new RegExp(`^liangshan_household-${household.sha256.slice(0, 16)}\\.json$`));
  // The visit log (走访记录) is the second shipped form.
  const visit = index.forms.find((f) => f.role === 'visit');
  assert.equal(visit.id, 'liangshan_visit');
  assert.equal(fs.statSync(path.join(DIST, 'forms', visit.file)).size, visit.size);
  assert.deepEqual(fs.readdirSync(path.join(DIST, 'forms')).sort(), ['index.json', household.file, visit.file].sort());
  // No survey in the wasm any more: its label text is only in the form file.
  const wasm = fs.readdirSync(DIST).find((f) => f.endsWith('_bg.wasm'));
  const label = JSON.parse(bytes).survey.find((r) => r.name === 'head_name')['label::zh'];
  assert.ok(bytes.includes(Buffer.from(label)));
  assert.ok(!fs.readFileSync(path.join(DIST, wasm)).includes(Buffer.from('liangshan_household')), 'the wasm embeds no survey');
});

test('a form published into the built dist/ reaches an open household through the update prompt, every answer kept', async () => {
  const tablet = await openOwnBuild();
  const { copy, page, browser: b } = tablet;
  const newLabel = '户主姓名（与户口簿一致）';
  const edited = editedSurvey({
    name: 'head_name',
    relabel: newLabel,
    insert: { type: 'text', name: 'head_alias', 'label::zh': '户主常用名', 'label::ii': 'ꑷꈓ ꂓ', required: 'yes', ii_status: 'draft' },
  });
  try {
    await waitForController(page);
    const oldIndex = indexOf(copy.dir);

    // A household started and answered with the first version.
    await page.getByTestId('new-household').click();
    await page.getByTestId('household-form').waitFor();
    await page.locator(id('input-cadre_name')).fill('吉克阿依');
    await page.getByTestId('section-household').click();
    await page.locator(id('input-head_name')).fill('阿苏拉且');
    await page.locator(id('input-head_name')).press('Tab');
    await page.waitForTimeout(400);
    assert.equal(await page.locator(id('input-head_alias')).count(), 0, 'the first version has no such question');
    const stored = await storageOf(page);
    // A second tab of the kit, open since before the publish (it makes no check of its own).
    const other = await b.context.newPage();
    await other.goto(tablet.server.url);
    await other.getByTestId('new-household').waitFor();

    // The bureau publishes the edited form into the served build: no build, no new sw.js.
    const sw = fs.readFileSync(path.join(copy.dir, 'sw.js'), 'utf8');
    execFileSync(PUBLISH, ['publish', edited.dir, path.join(ROOT, 'surveys/visit'), '--out', path.join(copy.dir, 'forms')], { stdio: 'pipe' });
    assert.equal(fs.readFileSync(path.join(copy.dir, 'sw.js'), 'utf8'), sw);
    const newIndex = indexOf(copy.dir);
    const household = (index) => index.forms.find((f) => f.role === 'household');
    assert.notEqual(household(newIndex).file, household(oldIndex).file);
    assert.ok(!fs.existsSync(path.join(copy.dir, 'forms', household(oldIndex).file)), 'the old file is gone from the server');

    // The next online start: the old form still runs (from the worker's cache), and the
    // prompt says a new version is ready, in both languages.
    await page.reload();
    await page.getByTestId('household-form').waitFor();
    const banner = page.getByTestId('update-banner');
    await banner.waitFor({ timeout: 30_000 });
    const text = await banner.innerText();
    for (const key of ['offline.update.ready', 'offline.update.reload']) {
      assert.ok(text.includes(t(key).zh) && text.includes(t(key).ii), `${key} in both languages in: ${text}`);
    }
    assert.equal(await page.locator(id('input-head_alias')).count(), 0, 'nothing changes before the enumerator chooses');
    assert.deepEqual(await storageOf(page), stored);

    // "Later": the old form runs until the next start, which offers the new one again.
    await page.getByTestId('update-later').click();
    await banner.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('household-form').waitFor();
    await banner.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator(id('input-head_alias')).count(), 0);

    // The enumerator takes it: one reload, the same household open with the new form.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-household').click();
    await page.locator(id('input-head_alias')).waitFor();
    assert.equal(await page.locator(id('input-head_name')).inputValue(), '阿苏拉且');
    assert.ok((await page.getByTestId('field-head_name').innerText()).includes(newLabel));
    await page.getByTestId('section-visit').click().catch(() => {});
    assert.equal(await page.locator(id('input-cadre_name')).inputValue(), '吉克阿依');
    assert.deepEqual(await storageOf(page), stored, 'stored data untouched by the update');
    // The new required question shows as missing once the household is checked.
    await page.getByTestId('section-household').click();
    await page.locator(id('input-head_alias')).focus();
    await page.locator(id('input-head_alias')).press('Tab');
    await page.locator(id('error-head_alias')).waitFor();
    const caches = await cachesOf(page);
    assert.deepEqual(caches['lsk-forms'], ['forms/index.json', ...newIndex.forms.map((f) => `forms/${f.file}`)].sort());
    assert.equal(caches['lsk-forms-next'], undefined);

    // The other tab, still on the old form, is offered the update too (told by the worker, or
    // by its own check when the browser made it visible again), and takes it.
    await other.getByTestId('update-banner').waitFor({ timeout: 30_000 });
    await Promise.all([other.waitForEvent('load'), other.getByTestId('update-reload').click()]);
    await other.getByTestId('new-household').click();
    await other.getByTestId('section-household').click();
    await other.locator(id('input-head_alias')).waitFor();
    await other.close();

    // And it runs offline.
    await goOffline(tablet.server, b.context);
    await page.reload();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-household').click();
    await page.locator(id('input-head_alias')).waitFor();
    assert.equal(await page.locator(id('input-head_name')).inputValue(), '阿苏拉且');
    assert.deepEqual(b.errors, []);
  } finally {
    await tablet.close();
    edited.remove();
  }
});

test('a missing or broken form file says so in both languages and touches nothing stored', async () => {
  const tablet = await openOwnBuild();
  const { copy, page, browser: b } = tablet;
  try {
    // Something stored on this tablet before the broken publish; the worker and its caches
    // removed, so that the broken files are what the page gets.
    await page.evaluate(() => localStorage.setItem('lsk:test-marker', 'kept'));
    const stored = await storageOf(page);
    await page.evaluate(async () => {
      for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
      for (const k of await caches.keys()) await caches.delete(k);
    });

    const { file } = indexOf(copy.dir).forms.find((f) => f.role === 'household');
    const formPath = path.join(copy.dir, 'forms', file);
    const good = fs.readFileSync(formPath);
    for (const [what, breakIt] of [
      ['cut', () => fs.writeFileSync(formPath, good.subarray(0, good.length - 100))],
      ['missing', () => fs.rmSync(formPath)],
      ['damaged index', () => fs.writeFileSync(path.join(copy.dir, 'forms/index.json'), '{"format": 1, "forms": [')],
    ]) {
      breakIt();
      b.errors.length = 0;
      await page.reload();
      const failed = page.getByTestId('forms-failed');
      await failed.waitFor();
      const shown = await failed.innerText();
      for (const key of ['app.forms_failed', 'app.forms_failed_safe']) {
        assert.ok(shown.includes(t(key).zh) && shown.includes(t(key).ii), `${what}: ${key} in both languages in: ${shown}`);
      }
      assert.ok((await page.getByTestId('forms-failed-detail').innerText()).includes(what === 'damaged index' ? 'index.json' : file), what);
      assert.equal(await page.locator('#splash').count(), 0, `${what}: not left on the start screen`);
      assert.deepEqual(await storageOf(page), stored, `${what}: stored data untouched`);
    }
  } finally {
    await tablet.close();
  }
});
