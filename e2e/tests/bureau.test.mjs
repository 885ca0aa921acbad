// The bureau's side, end to end: files written by the real app in headless Chromium (two
// tablets = two browser profiles) go through the real `liangshan-bureau` binary; then the
// register (SQLite) and the workbook (xlsx) are checked by a Rust test reading them back
// (crates/bureau/tests/e2e_register.rs, with rusqlite and calamine), and the report here.
//
// The scenario: tablet A finalizes two households and exports them (encrypted for the
// bureau's key: the shipped survey's TEST key); A's passphrase backup carries them to tablet
// B (and also reaches the bureau, which cannot open it); B corrects household 2 (phone), adds
// its own household 3 and exports; A corrects household 1 (a re-export after a correction)
// and household 2 (income: edited on both tablets), exports, and makes a plain backup by
// deliberate choice; one file arrives cut short.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id, ROOT } from '../lib/support.mjs';
import { correct, finalizeAndClose } from '../lib/household.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-bureau-'));
const INBOX = path.join(DIR, 'inbox');
fs.mkdirSync(INBOX);
after(() => { if (!process.env.KEEP_BUREAU_E2E) fs.rmSync(DIR, { recursive: true, force: true }); });

const choose = (page, p, name) => page.locator(`${id(`choice-${p}-${name}`)} input`).check();

/** A new household with every required answer, finalized through the review; returns its id. */
async function finalizeHousehold(page, h) {
  await page.goto(server.url);
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  const hid = await page.getByTestId('household-page').getAttribute('data-id');
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  await choose(page, 'village', 'laguo');
  await choose(page, 'village_group', h.group);
  await page.locator(id('input-visit_date')).fill(today);
  await page.locator(id('input-cadre_name')).fill(h.cadre);
  await page.locator(id('input-cadre_phone')).fill('13800138000');
  await page.getByTestId('section-household').click();
  await page.locator(id('input-head_name')).fill(h.head);
  await choose(page, 'household_category', 'general');
  await choose(page, 'support_flags', 'dibao');
  await page.getByTestId('section-members_section').click();
  await page.getByTestId('add-member').click();
  await page.locator(id('input-members[0].member_name')).waitFor();
  await page.locator(id('input-members[0].member_name')).fill(h.head);
  await page.locator(id('input-members[0].id_number')).fill(h.idNumber);
  await choose(page, 'members[0].relation', 'head');
  await choose(page, 'members[0].sex', h.sex ?? 'male');
  await page.locator(id('input-members[0].birth_date')).fill(h.birth);
  await choose(page, 'members[0].medical_insurance', 'yes');
  await ackAll(page);
  await page.getByTestId('section-guarantees').click();
  for (const f of ['food_secure', 'clothing_secure', 'education_secured', 'medical_secured', 'water_all_year', 'water_safe']) {
    await choose(page, f, 'yes');
  }
  await choose(page, 'housing_grade', h.housing);
  await ackAll(page);
  await page.getByTestId('section-industry').click();
  await page.locator(id('input-pigs')).fill('2');
  await page.getByTestId('section-income').click();
  await page.locator(id('input-income_wage')).fill(String(h.wage));
  for (const f of ['income_business', 'income_property', 'income_transfer']) {
    await page.locator(id(`input-${f}`)).fill('0');
  }
  await ackAll(page);
  await finalizeOpen(page);
  return hid;
}

/** Acknowledges, with a reason, every warning shown in the current section. */
async function ackAll(page) {
  const open = page.locator('[data-testid^="warning-"][data-acknowledged="false"]');
  while (await open.count() > 0) {
    const w = (await open.first().getAttribute('data-testid')).slice('warning-'.length);
    await page.locator(id(`ack-reason-${w}`)).fill('已核实');
    await page.locator(id(`ack-${w}`)).click();
    await page.locator(`${id(`warning-${w}`)}[data-acknowledged="true"]`).waitFor();
  }
}

/** Review; every warning still pending is acknowledged at its question (the review links
 *  there); finalize; back home. */
async function finalizeOpen(page) {
  await page.getByTestId('open-review').click();
  await page.getByTestId('review').waitFor();
  const pending = page.locator('a[data-testid^="review-warning-"]');
  while (await pending.count() > 0) {
    const w = (await pending.first().getAttribute('data-testid')).slice('review-warning-'.length);
    await pending.first().click();
    await page.locator(id(`ack-reason-${w}`)).fill('已核实');
    await page.locator(id(`ack-${w}`)).click();
    await page.locator(`${id(`warning-${w}`)}[data-acknowledged="true"]`).waitFor();
    await page.getByTestId('open-review').click();
    await page.getByTestId('review').waitFor();
  }
  await finalizeAndClose(page);
}

const PASSPHRASE = '备份口令 ꆈꌠ 2026';

/** Exports with `scope` and saves the download as `name` in `dir`: a backup with the
 *  passphrase, or plain when `plain` is chosen deliberately. */
async function exportAs(page, scope, name, { plain = false, dir = INBOX } = {}) {
  await page.goto(server.url);
  await page.getByTestId('exchange-panel').waitFor();
  await page.getByTestId(`export-scope-${scope}`).check();
  if (plain) await page.getByTestId('export-plain').check();
  if (scope === 'backup' && !plain) {
    await page.getByTestId('backup-passphrase-1').fill(PASSPHRASE);
    await page.getByTestId('backup-passphrase-2').fill(PASSPHRASE);
  }
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const file = path.join(dir, name);
  await dl.saveAs(file);
  return file;
}

// The private half of the shipped survey's TEST key (public, in the repository).
const KEY = path.join(ROOT, 'crates/survey-core/tests/fixtures/envelope/TEST-ONLY-private-key.pem');

function bureau(...args) {
  const bin = path.join(ROOT, 'target/debug/liangshan-bureau');
  const r = spawnSync(bin, ['--register', path.join(DIR, 'register.sqlite'), '--key', KEY, ...args], {
    encoding: 'utf8', env: { ...process.env, LIANGSHAN_KEY_PASSPHRASE: 'test-only-not-a-secret' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('files from two tablets become one register, workbook and report at the bureau', async () => {
  // The tool, as the first test level built it (no-op when fresh).
  const build = spawnSync('cargo', ['build', '--offline', '-q', '-p', 'bureau', '--bin', 'liangshan-bureau'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);

  const ids = {};
  const a = await launch();
  const b = await launch();
  try {
    ids.h1 = await finalizeHousehold(a.page, { head: '阿苏拉且', idNumber: '513429197503120039', birth: '1975-03-12', group: 'laguo_2', cadre: '吉克阿依', housing: 'a', wage: 20000 });
    ids.h2 = await finalizeHousehold(a.page, { head: '曲比阿果<b>=1+1</b>', idNumber: '11010519491231002X', birth: '1949-12-31', sex: 'female', group: 'laguo_3', cadre: '吉克阿依', housing: 'c', wage: 3000 });
    await exportAs(a.page, 'new', '1-a.json');
    const carry = await exportAs(a.page, 'backup', '2-a-backup.json');

    // Tablet B: A's passphrase backup carries the households; B corrects household 2, adds
    // its own, exports.
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    await b.page.getByTestId('import-file').setInputFiles(carry);
    await b.page.getByTestId('import-passphrase').fill(PASSPHRASE);
    await b.page.getByTestId('import-open').click();
    await b.page.getByTestId('import-preview').waitFor();
    await b.page.getByTestId('import-confirm').click();
    await b.page.getByTestId('import-result').waitFor();
    await correct(b.page, server.url, ids.h2, 'household', 'household_phone', '13900139000');
    ids.h3 = await finalizeHousehold(b.page, { head: '沙马拉格', idNumber: '440524188001010014', birth: '1880-01-01', group: 'laguo_2', cadre: '阿牛', housing: 'a', wage: 30000 });
    await exportAs(b.page, 'new', '3-b.json');

    // Tablet A: corrects household 1 and household 2 (income), exports; then a plain backup.
    await correct(a.page, server.url, ids.h1, 'industry', 'pigs', '5');
    await correct(a.page, server.url, ids.h2, 'income', 'income_wage', '4000');
    await exportAs(a.page, 'new', '4-a.json');
    await exportAs(a.page, 'backup', '5-a-backup-plain.json', { plain: true });
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await a.close();
    await b.close();
  }
  // One file cut short on the way. (File names sort in the order the files were made:
  // intake takes a folder's files in name order.)
  const whole = fs.readFileSync(path.join(INBOX, '1-a.json'));
  fs.writeFileSync(path.join(INBOX, '6-cut.json'), whole.subarray(0, Math.floor(whole.length / 2)));
  fs.writeFileSync(path.join(DIR, 'ids.json'), JSON.stringify(ids));

  // Intake: encrypted files opened with the key; the passphrase backup and the cut file
  // refused with the messages the tablet uses, the rest taken.
  const r = bureau('--json', 'intake', INBOX);
  assert.equal(r.code, 3, r.stderr);
  const out = JSON.parse(r.stdout);
  const file = (n) => out.files.find((f) => f.name.endsWith(n));
  for (const [n, code] of [['2-a-backup.json', 'is_backup'], ['6-cut.json', 'truncated']]) {
    assert.equal(file(n).outcome, 'refused', n);
    assert.equal(file(n).code, code, n);
    assert.equal(file(n).message.zh, t(`exchange.envelope.${code}`).zh, n);
    assert.equal(file(n).message.ii, t(`exchange.envelope.${code}`).ii, n);
  }
  assert.equal(file('1-a.json').new, 2, JSON.stringify(file('1-a.json')));
  assert.deepEqual([file('3-b.json').updated, file('3-b.json').new], [1, 1], JSON.stringify(file('3-b.json')));
  assert.deepEqual([file('4-a.json').updated, file('4-a.json').conflict], [1, 1], 'household 2 was edited on both tablets');
  assert.equal(file('5-a-backup-plain.json').identical, 2, JSON.stringify(file('5-a-backup-plain.json')));
  assert.equal(out.open_conflicts, 1);
  // Again: nothing changes.
  const again = JSON.parse(bureau('--json', 'intake', INBOX).stdout);
  assert.ok(again.files.every((f) => f.outcome === 'already_taken' || f.outcome === 'refused'));

  const conflicts = JSON.parse(bureau('--json', 'conflicts').stdout);
  assert.deepEqual(conflicts.map((c) => c.household_id), [ids.h2]);

  const wb = bureau('workbook', '-o', path.join(DIR, 'register.xlsx'));
  assert.equal(wb.code, 0, wb.stderr);
  const rep = bureau('--json', 'report', '-o', path.join(DIR, 'report.html'));
  assert.equal(rep.code, 0, rep.stderr);
  const summary = JSON.parse(rep.stdout).summary;
  assert.equal(summary.households, 3);
  assert.equal(summary.done, 3);
  assert.equal(summary.conflicts, 1);
  assert.equal(summary.lists.housing, 1, 'household 2: housing grade C');
  assert.equal(summary.lists.low_income, 1, 'household 2: 4000 a head, below the line');
  const html = fs.readFileSync(path.join(DIR, 'report.html'), 'utf8');
  assert.ok(html.includes('曲比阿果&lt;b&gt;=1+1&lt;/b&gt;'), 'the name is escaped');
  assert.ok(!html.includes('<b>=1+1'));
  assert.ok(!/<script|https?:\/\//.test(html), 'no script, no network');
  assert.ok(html.includes(t('bureau.report.by_place').zh) && html.includes(t('bureau.report.by_place').ii));

  // The register and the workbook, read back natively.
  const check = spawnSync('cargo', ['test', '--offline', '-q', '-p', 'bureau', '--test', 'e2e_register', '--', '--ignored'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, BUREAU_E2E_DIR: DIR },
  });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});
