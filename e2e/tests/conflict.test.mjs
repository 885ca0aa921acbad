// Households passed between three tablets (three browser profiles, each its own storage), in
// the release build: tablet A exports three finalized households; tablet C imports them,
// reopens household 3 and changes the phone number; A meanwhile reopens household 3 and
// changes the wage income, and exports again. On C the new file is a conflict, shown
// question by question in both languages and never resolved by default; each choice
// (keep C's, keep both, take the file's) loses nothing — checked in C's own backup file. On
// tablet B, which had A's first file untouched, A's re-export after the correction is a
// plain continuation. The shipped survey encrypts (it carries a test public key), so the
// tablets pass households as passphrase backups — a tablet cannot open the bureau's file —
// and the test reads them with npm's jose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id } from '../lib/support.mjs';
import { finalizeHousehold, correct, download } from '../lib/household.mjs';
import { openBackup } from '../lib/jwe.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-conflict-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const both = (text, key) => {
  const m = t(key);
  return text.includes(m.zh) && text.includes(m.ii);
};

const PHONE_C = '13912345678';
const WAGE_A = '24000';

const PASS = 'tablets passphrase';

/** Chooses the backup `file` in the import panel, opens it with its passphrase and waits
 *  for the preview. */
async function preview(page, file) {
  await page.goto(server.url);
  await page.getByTestId('exchange-panel').waitFor();
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('import-passphrase').fill(PASS);
  await page.getByTestId('import-open').click();
  await page.getByTestId('import-preview').waitFor();
}

/** The tablet's passphrase backup: the file, and its content opened by npm's jose. */
async function backupFile(page) {
  await page.goto(server.url);
  await page.getByTestId('export-scope-backup').check();
  await page.getByTestId('backup-passphrase-1').fill(PASS);
  await page.getByTestId('backup-passphrase-2').fill(PASS);
  const file = await download(page, 'export-json', TMP);
  return { ...file, json: await openBackup(file.bytes, PASS) };
}

const count = (page, what) => page.getByTestId(`preview-count-${what}`).innerText();

/** Every household of the tablet, as its backup file holds them. */
async function backup(page) {
  return (await backupFile(page)).json.households;
}

test('an independent edit on two tablets is a conflict, each choice loses nothing, a re-export continues', async () => {
  const a = await launch();
  const b = await launch();
  const c = await launch();
  try {
    // Tablet A: three finalized households, exported.
    for (const head of ['阿苏一', '阿苏二', '阿苏三']) {
      await finalizeHousehold(a.page, server.url, head);
    }
    const first = await backupFile(a.page);
    const firstHs = first.json.households;
    assert.equal(firstHs.length, 3);
    const h3 = firstHs.find((h) => h.answers.head_name === '阿苏三').id;

    // Tablets C and B import it: three new households.
    for (const tablet of [c, b]) {
      await preview(tablet.page, first.file);
      assert.equal(await count(tablet.page, 'new'), '3');
      await tablet.page.getByTestId('import-confirm').click();
      assert.equal(await tablet.page.getByTestId('import-saved').innerText(), '3');
    }

    // C corrects the phone number of household 3; A corrects its wage income, exports again.
    await correct(c.page, server.url, h3, 'household', 'household_phone', PHONE_C);
    await correct(a.page, server.url, h3, 'income', 'income_wage', WAGE_A);
    const second = await backupFile(a.page);
    assert.notEqual(second.name, first.name, 'two exports of one village on one day have different names');
    const fromA = second.json.households.filter((h) => h.id === h3);
    assert.equal(fromA.length, 1);
    assert.equal(fromA[0].answers.income_wage, Number(WAGE_A));

    // On B, which left household 3 alone, A's re-export after the correction continues it.
    await preview(b.page, second.file);
    assert.equal(await count(b.page, 'continues'), '1');
    assert.equal(await count(b.page, 'conflict'), '0');
    assert.ok(both(await b.page.getByTestId('import-preview').innerText(), 'exchange.import.continues'));
    assert.equal(await b.page.getByTestId('import-selected').innerText(), '1');
    await b.page.getByTestId('import-confirm').click();
    assert.equal(await b.page.getByTestId('import-saved').innerText(), '1');
    const onB = (await backup(b.page)).filter((h) => h.id === h3 || h.copy_of);
    assert.equal(onB.length, 1);
    assert.equal(onB[0].answers.income_wage, Number(WAGE_A));

    // On C: a conflict, in both languages, with what differs question by question.
    await preview(c.page, second.file);
    assert.equal(await count(c.page, 'conflict'), '1');
    assert.equal(await count(c.page, 'continues'), '0');
    const shown = await c.page.getByTestId('import-preview').innerText();
    assert.ok(both(shown, 'exchange.import.conflict'), shown);
    assert.ok(both(shown, 'exchange.import.conflict_hint'), shown);
    // Question labels from the file's own dictionary (the survey's labels, both languages).
    const dict = second.json.dictionary.fields;
    const label = (name) => dict.find((f) => f.name === name).label;
    const phoneRow = await c.page.locator(id('diff-household_phone')).innerText();
    const phone = label('household_phone');
    assert.ok(phoneRow.includes(phone.zh) && phoneRow.includes(phone.ii) && phoneRow.includes(PHONE_C), phoneRow);
    const wageRow = await c.page.locator(id('diff-income_wage')).innerText();
    const wage = label('income_wage');
    assert.ok(wageRow.includes(wage.zh) && wageRow.includes(WAGE_A) && wageRow.includes('20000'), wageRow);
    assert.equal(await c.page.getByTestId(`resolve-${h3}-keep-tablet`).isChecked(), true, 'nothing replaced by default');
    assert.equal(await c.page.getByTestId('import-selected').innerText(), '0');
    await c.page.getByTestId('import-preview').screenshot({ path: path.join(ARTIFACTS, 'exchange-conflict-both.png') });
    // In Yi only, the question labels follow the language.
    await c.page.getByTestId('lang-ii').click();
    await c.page.waitForFunction(
      (yi) => document.querySelector('[data-testid="diff-income_wage"]')?.textContent.includes(yi),
      wage.ii,
    );
    assert.ok(!(await c.page.locator(id('diff-income_wage')).innerText()).includes(wage.zh));
    await c.page.getByTestId('lang-both').click();

    // Choice 1: keep the tablet's. Nothing changes on C; the file still holds A's version.
    await c.page.getByTestId('import-confirm').click();
    await c.page.getByTestId('import-nothing').waitFor();
    let onC = await backup(c.page);
    let mine = onC.filter((h) => h.id === h3);
    assert.equal(onC.length, 3);
    assert.equal(mine[0].answers.household_phone, PHONE_C);
    assert.equal(mine[0].answers.income_wage, 20000);

    // Choice 2: keep both. C's version keeps the id; A's is a marked copy with its own id.
    await preview(c.page, second.file);
    assert.equal(await count(c.page, 'conflict'), '1', 'still a conflict: nothing was resolved');
    await c.page.getByTestId(`resolve-${h3}-keep-both`).check();
    assert.equal(await c.page.getByTestId('import-selected').innerText(), '1');
    await c.page.getByTestId('import-confirm').click();
    assert.equal(await c.page.getByTestId('import-saved').innerText(), '1');
    onC = await backup(c.page);
    assert.equal(onC.length, 4);
    mine = onC.find((h) => h.id === h3);
    const copy = onC.find((h) => h.copy_of);
    assert.equal(mine.answers.household_phone, PHONE_C);
    assert.equal(mine.answers.income_wage, 20000);
    assert.notEqual(copy.id, h3);
    assert.equal(copy.copy_of.id, h3);
    assert.ok(!copy.copy_of.replaced);
    assert.equal(copy.answers.income_wage, Number(WAGE_A));
    assert.equal(copy.answers.household_phone, fromA[0].answers.household_phone);
    // Marked in the home list and on its page; exportable (it was in the backup above).
    await c.page.goto(server.url);
    const row = c.page.locator(id(`household-row-${copy.id}`));
    await row.waitFor();
    assert.equal(await row.getByTestId('row-copy-of-id').innerText(), h3);
    assert.ok(both(await row.getByTestId('row-copy-of').innerText(), 'drafts.row.copy_of'));
    await c.page.getByTestId(`open-${copy.id}`).click();
    await c.page.getByTestId('copy-notice').waitFor();
    assert.equal(await c.page.getByTestId('copy-of-id').innerText(), h3);
    assert.ok(both(await c.page.getByTestId('copy-notice').innerText(), 'drafts.page.copy_of'));
    await c.page.getByTestId('close-form').click();
    await c.page.getByTestId('home').waitFor();

    // Choice 3: take the file's. A's version takes the id; C's is kept as a marked copy.
    await preview(c.page, second.file);
    assert.equal(await count(c.page, 'conflict'), '1');
    await c.page.getByTestId(`resolve-${h3}-take-file`).check();
    await c.page.getByTestId('import-confirm').click();
    assert.equal(await c.page.getByTestId('import-saved').innerText(), '2');
    onC = await backup(c.page);
    assert.equal(onC.length, 5);
    mine = onC.find((h) => h.id === h3);
    assert.equal(mine.answers.income_wage, Number(WAGE_A), "the file's version");
    const kept = onC.find((h) => h.copy_of?.replaced);
    assert.equal(kept.copy_of.id, h3);
    assert.equal(kept.answers.household_phone, PHONE_C, "C's correction is still on C");
    // And the same file again: now identical.
    await preview(c.page, second.file);
    assert.equal(await count(c.page, 'identical'), '1');

    for (const tablet of [a, b, c]) {
      assert.deepEqual(tablet.errors, []);
    }
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});
