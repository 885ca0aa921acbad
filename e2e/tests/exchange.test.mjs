// Export to the bureau and import back, in the release build: a household finalized through
// the form is exported (the downloaded file is read and checked), the CSV tables are
// downloaded, and the file is imported into a fresh browser profile. A refused file says why
// in both languages (text from the locale files) and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id } from '../lib/support.mjs';
import { finalizeHousehold as finalizeHouseholdAt, download as downloadTo } from '../lib/household.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const both = (text, key) => {
  const m = t(key);
  return text.includes(m.zh) && text.includes(m.ii);
};

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-exchange-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const finalizeHousehold = (page) => finalizeHouseholdAt(page, server.url);
const download = (page, testid) => downloadTo(page, testid, TMP);

test('a finalized household is exported, read back from the file and imported into a fresh browser', async () => {
  let exported;
  const a = await launch();
  try {
    await finalizeHousehold(a.page);
    const panel = a.page.getByTestId('exchange-panel');
    await panel.waitFor();
    assert.ok(both(await panel.innerText(), 'exchange.title'));
    assert.equal(await a.page.getByTestId('export-count-new').innerText(), '1');

    exported = await download(a.page, 'export-json');
    const v = JSON.parse(exported.bytes.toString('utf8'));
    // Named by the tablet's local date and time, as the file's exported_at says (with the
    // tablet's UTC offset), and a tag of the tablet.
    const m = exported.name.match(/^liangshan_household_laguo_(\d{4}-\d{2}-\d{2})_(\d{6})_([0-9a-f]{4})_1户\.json$/);
    assert.ok(m, exported.name);
    assert.equal(`${m[1]}T${m[2].slice(0, 2)}:${m[2].slice(2, 4)}:${m[2].slice(4)}`, v.exported_at.slice(0, 19));
    assert.equal(m[3], v.device.slice(0, 4));
    const local = await a.page.evaluate((at) => {
      const d = new Date(at);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }, v.exported_at);
    assert.equal(m[1], local, "the tablet's local date");
    assert.equal(v.format, 'liangshan-survey-export');
    assert.equal(v.format_version, 1);
    assert.equal(v.kind, 'bureau');
    assert.equal(v.survey.id, 'liangshan_household');
    assert.equal(v.household_count, 1);
    const h = v.households[0];
    assert.equal(h.status, 'exported');
    assert.ok(h.finalized && h.exported && h.created && h.modified);
    assert.deepEqual(h.history.map((e) => e.event), ['created', 'finalized', 'exported']);
    const ans = h.answers;
    assert.equal(ans.village, 'laguo');
    assert.equal(ans.head_name, '阿苏拉且');
    assert.deepEqual(ans.support_flags, ['dibao'], 'multi-select as an array of choice names');
    assert.equal(ans.pigs, 2, 'integer as a number');
    assert.equal(ans.konjac_area, 1.5, 'decimal as a number');
    assert.equal(ans.income_wage, 20000);
    assert.equal(ans.member_count, 1, 'calculated value');
    assert.match(ans.visit_date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(ans.members.length, 1);
    assert.equal(ans.members[0].id_number, '513429197503120039', 'ID number stays a string');
    assert.equal(ans.members[0].birth_date, '1975-03-12');
    assert.equal(typeof ans.members[0].age, 'number');
    const village = v.dictionary.fields.find((f) => f.name === 'village');
    assert.equal(village.label.zh, '所在村');
    assert.ok(v.dictionary.choices.village.some((c) => c.name === 'laguo' && c.label.zh === '拉果村' && c.label.ii));

    // The result says so in both languages; the household is marked exported on the tablet.
    assert.ok(both(await a.page.getByTestId('export-result').innerText(), 'exchange.export.done'));
    assert.equal(await a.page.getByTestId('export-file-name').innerText(), exported.name);
    await a.page.waitForFunction(() => document.querySelector('[data-testid="export-count-new"]')?.textContent === '0');
    // The home list shows it at once (no reload), and after a reload too.
    const exportedShown = () => a.page.waitForFunction(
      (zh) => document.querySelector('[data-testid="row-status"]')?.textContent.includes(zh),
      t('drafts.status.exported').zh,
    );
    await exportedShown();
    await a.page.reload();
    await exportedShown();

    // CSV tables for Excel/WPS: UTF-8 with BOM, columns named by field name.
    await a.page.getByTestId('export-scope-finalized').check();
    const households = await download(a.page, 'export-csv-households');
    const members = await download(a.page, 'export-csv-members');
    assert.match(households.name, /_1户_households\.csv$/);
    assert.deepEqual([...households.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = households.bytes.toString('utf8').slice(1).split('\r\n');
    const header = lines[0].split(',');
    assert.equal(header[0], '_household_id');
    for (const col of ['village', 'head_name', 'support_flags', 'pigs', 'income_wage', 'member_count']) {
      assert.ok(header.includes(col), `households column ${col}`);
    }
    const row = lines[1].split(',');
    assert.equal(row[header.indexOf('_household_id')], h.id);
    assert.equal(row[header.indexOf('support_flags')], 'dibao');
    const mlines = members.bytes.toString('utf8').slice(1).split('\r\n');
    assert.ok(mlines[0].startsWith('_household_id,_repeat,_member,member_name'));
    assert.ok(mlines[1].includes('阿苏拉且'));

    await a.page.getByTestId('exchange-panel').scrollIntoViewIfNeeded();
    await a.page.screenshot({ path: path.join(ARTIFACTS, 'exchange-export-1280x800-both.png') });
    assert.deepEqual(a.errors, []);
  } finally {
    await a.close();
  }

  // A fresh profile: nothing stored; import the file.
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    await b.page.getByTestId('import-file').setInputFiles(exported.file);
    await b.page.getByTestId('import-preview').waitFor();
    assert.equal(await b.page.getByTestId('preview-count-new').innerText(), '1');
    assert.equal(await b.page.getByTestId('preview-count-identical').innerText(), '0');
    assert.ok(both(await b.page.getByTestId('import-preview').innerText(), 'exchange.import.new'));
    await b.page.getByTestId('import-preview').screenshot({ path: path.join(ARTIFACTS, 'exchange-import-preview-both.png') });
    await b.page.getByTestId('import-confirm').click();
    assert.equal(await b.page.getByTestId('import-saved').innerText(), '1');
    assert.ok(both(await b.page.getByTestId('import-result').innerText(), 'exchange.import.done'));

    // The household is on this tablet now, as it was exported, and survives a reload.
    const hid = JSON.parse(exported.bytes.toString('utf8')).households[0].id;
    await b.page.reload();
    await b.page.locator(id(`household-row-${hid}`)).waitFor();
    assert.ok((await b.page.locator(id(`household-row-${hid}`)).innerText()).includes('阿苏拉且'));

    // Importing the same file again: already here and identical.
    await b.page.getByTestId('import-file').setInputFiles(exported.file);
    await b.page.getByTestId('import-preview').waitFor();
    assert.equal(await b.page.getByTestId('preview-count-identical').innerText(), '1');
    assert.equal(await b.page.getByTestId('import-selected').innerText(), '0');

    // Exported again from here, it carries the same answers.
    await b.page.getByTestId('export-scope-finalized').check();
    const again = await download(b.page, 'export-json');
    const w = JSON.parse(again.bytes.toString('utf8'));
    assert.deepEqual(w.households[0].answers, JSON.parse(exported.bytes.toString('utf8')).households[0].answers);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('a file that is not from the kit is refused in both languages and changes nothing', async () => {
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    const before = await b.page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
    const cases = [
      ['notes.json', 'this is not json <script>window.__pwned = 1</script>', 'not_json'],
      ['other.json', JSON.stringify({ format: 'something-else', format_version: 1 }), 'not_export'],
      ['future.json', JSON.stringify({ format: 'liangshan-survey-export', format_version: 99 }), 'future_version'],
    ];
    for (const [name, text, code] of cases) {
      const file = path.join(TMP, name);
      fs.writeFileSync(file, text);
      await b.page.getByTestId('import-file').setInputFiles(file);
      const err = b.page.getByTestId('import-error');
      await b.page.waitForFunction((c) => document.querySelector('[data-testid="import-error"]')?.dataset.code === c, code);
      const shown = await err.innerText();
      assert.ok(both(shown, `exchange.error.${code}`), shown);
      assert.ok(both(shown, 'exchange.import.unchanged'), shown);
    }
    const after = await b.page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
    assert.equal(after, before);
    assert.equal(await b.page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
