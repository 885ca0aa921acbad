// Export to the bureau and import back, in the release build: a household finalized through
// the form is exported — encrypted for the bureau, since the shipped survey carries a
// (test) public key: the file holds none of the household's names or ID numbers in any
// encoding, and npm's `jose` opens it with the TEST-ONLY private key and finds every
// answer. The CSV tables need the deliberate "unencrypted" choice. A tablet refuses the
// bureau's file; a passphrase backup carries the household into a fresh browser profile.
// A refused file says why in both languages (text from the locale files) and changes
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id, storageOf } from '../lib/support.mjs';
import { finalizeHousehold as finalizeHouseholdAt, download as downloadTo } from '../lib/household.mjs';
import { openBureau, openBackup, header as headerOf, assertNoneOf } from '../lib/jwe.mjs';

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

const PASSPHRASE = '备份 passphrase ꆈꌠ';

test('a finalized household is exported encrypted, opened by an independent implementation, and carried to a fresh browser by a passphrase backup', async () => {
  let exported, backup;
  const a = await launch();
  try {
    await finalizeHousehold(a.page);
    const panel = a.page.getByTestId('exchange-panel');
    await panel.waitFor();
    assert.ok(both(await panel.innerText(), 'exchange.title'));
    assert.equal(await a.page.getByTestId('export-count-new').innerText(), '1');

    exported = await download(a.page, 'export-json');
    // An envelope: readable routing header, nothing personal in any encoding.
    const hd = headerOf(exported.bytes);
    assert.equal(hd.alg, 'RSA-OAEP-256');
    assert.equal(hd.lsk.kind, 'bureau');
    assert.equal(hd.lsk.household_count, 1);
    assert.equal(hd.lsk.survey_id, 'liangshan_household');
    assertNoneOf(exported.bytes, ['阿苏拉且', '吉克阿依', '513429197503120039', '13800138000']);
    const v = await openBureau(exported.bytes);
    assert.equal(v.exported_at, hd.lsk.exported_at);
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
    assert.ok(both(await a.page.getByTestId('export-protection').innerText(), 'exchange.secure.encrypted'));
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

    // CSV tables for Excel/WPS (never encrypted): off until plain text is deliberately chosen.
    await a.page.getByTestId('export-scope-finalized').check();
    assert.equal(await a.page.getByTestId('export-csv-households').count(), 0);
    assert.ok(both(await a.page.getByTestId('export-csv-off').innerText(), 'exchange.secure.csv_off'));
    await a.page.getByTestId('export-plain').check();
    assert.ok(both(await a.page.getByTestId('exchange-panel').innerText(), 'exchange.secure.plain_choice'));
    // UTF-8 with BOM, columns named by field name.
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

    await a.page.getByTestId('export-plain').uncheck();

    // A backup: the passphrase typed twice (too short, or two different ones, is refused).
    await a.page.getByTestId('export-scope-backup').check();
    const refusedWith = async (p1, p2, code) => {
      await a.page.getByTestId('backup-passphrase-1').fill(p1);
      await a.page.getByTestId('backup-passphrase-2').fill(p2);
      await a.page.getByTestId('export-json').click();
      await a.page.waitForFunction((c) => document.querySelector('[data-testid="export-refused"]')?.dataset.code === c, code);
      assert.ok(both(await a.page.getByTestId('export-refused').innerText(), `exchange.envelope.${code}`));
    };
    await refusedWith('short', 'short', 'passphrase_short');
    await refusedWith(PASSPHRASE, `${PASSPHRASE}x`, 'passphrase_mismatch');
    await a.page.getByTestId('backup-passphrase-2').fill(PASSPHRASE);
    await a.page.getByTestId('exchange-panel').scrollIntoViewIfNeeded();
    await a.page.screenshot({ path: path.join(ARTIFACTS, 'exchange-export-1280x800-both.png') });
    backup = await download(a.page, 'export-json');
    assert.match(backup.name, /^liangshan_household_backup_laguo_.*_1户\.json$/);
    assert.equal(headerOf(backup.bytes).alg, 'PBES2-HS256+A128KW');
    assert.equal(headerOf(backup.bytes).p2c, 600000);
    assertNoneOf(backup.bytes, ['阿苏拉且', '吉克阿依', '513429197503120039', '13800138000']);
    const bk = await openBackup(backup.bytes, PASSPHRASE);
    assert.equal(bk.kind, 'backup');
    assert.deepEqual(bk.households[0].answers, h.answers);
    await a.page.getByTestId('export-protection').waitFor();
    assert.ok(both(await a.page.getByTestId('export-protection').innerText(), 'exchange.secure.backup_encrypted'));
    assert.deepEqual(a.errors, []);
  } finally {
    await a.close();
  }

  // A fresh profile: nothing stored. The bureau's file is refused for what it is; the
  // backup asks for its passphrase (a wrong one changes nothing) and then imports.
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    const empty = await storageOf(b.page);
    await b.page.getByTestId('import-file').setInputFiles(exported.file);
    await b.page.waitForFunction(() => document.querySelector('[data-testid="import-error"]')?.dataset.code === 'for_bureau');
    const shown = await b.page.getByTestId('import-error').innerText();
    assert.ok(both(shown, 'exchange.envelope.for_bureau') && both(shown, 'exchange.import.unchanged'), shown);
    await b.page.getByTestId('import-file').setInputFiles(backup.file);
    await b.page.getByTestId('import-sealed').waitFor();
    assert.ok(both(await b.page.getByTestId('import-sealed').innerText(), 'exchange.secure.need_passphrase'));
    await b.page.getByTestId('import-passphrase').fill('not the passphrase');
    await b.page.getByTestId('import-open').click();
    await b.page.waitForFunction(() => document.querySelector('[data-testid="import-error"]')?.dataset.code === 'wrong_passphrase');
    assert.ok(both(await b.page.getByTestId('import-error').innerText(), 'exchange.envelope.wrong_passphrase'));
    assert.deepEqual(await storageOf(b.page), empty, 'a wrong passphrase changes nothing');
    await b.page.getByTestId('import-passphrase').fill(PASSPHRASE);
    await b.page.getByTestId('import-open').click();
    await b.page.getByTestId('import-preview').waitFor();
    assert.equal(await b.page.getByTestId('preview-count-new').innerText(), '1');
    assert.equal(await b.page.getByTestId('preview-count-identical').innerText(), '0');
    assert.ok(both(await b.page.getByTestId('import-preview').innerText(), 'exchange.import.new'));
    await b.page.getByTestId('import-preview').screenshot({ path: path.join(ARTIFACTS, 'exchange-import-preview-both.png') });
    await b.page.getByTestId('import-confirm').click();
    assert.equal(await b.page.getByTestId('import-saved').innerText(), '1');
    assert.ok(both(await b.page.getByTestId('import-result').innerText(), 'exchange.import.done'));

    // The household is on this tablet now, as it was exported, and survives a reload.
    const hid = (await openBureau(exported.bytes)).households[0].id;
    await b.page.reload();
    await b.page.locator(id(`household-row-${hid}`)).waitFor();
    assert.ok((await b.page.locator(id(`household-row-${hid}`)).innerText()).includes('阿苏拉且'));

    // Importing the same backup again: already here and identical.
    await b.page.getByTestId('import-file').setInputFiles(backup.file);
    await b.page.getByTestId('import-passphrase').fill(PASSPHRASE);
    await b.page.getByTestId('import-open').click();
    await b.page.getByTestId('import-preview').waitFor();
    assert.equal(await b.page.getByTestId('preview-count-identical').innerText(), '1');
    assert.equal(await b.page.getByTestId('import-selected').innerText(), '0');

    // Exported again from here, it carries the same answers.
    await b.page.getByTestId('export-scope-finalized').check();
    const again = await download(b.page, 'export-json');
    const w = await openBureau(again.bytes);
    assert.deepEqual(w.households[0].answers, (await openBureau(exported.bytes)).households[0].answers);
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
