// Encrypted files against an independent implementation, in the release build: backups
// made by npm's `jose` open in the kit with their passphrase; every kind of bad encrypted
// file (truncated, altered, a header that lies about its algorithm or about the file, the
// bureau's file, a wrong passphrase) is refused with its own message in both languages and
// changes nothing; without WebCrypto the kit says so and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { ROOT, storageOf } from '../lib/support.mjs';
import { setting } from '../lib/survey.mjs';
import { sealBackup, sealBureau, withMember } from '../lib/jwe.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-encryption-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const both = (text, key) => {
  const m = t(key);
  return text.includes(m.zh) && text.includes(m.ii);
};

const col = (name) => setting(name);
const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/survey-core/tests/fixtures/household_6_members.json'), 'utf8'));

/** A plain export file of `n` finalized households (the fixture's answers). */
function plainFile(n, kind = 'backup') {
  const at = '2026-11-01T01:00:00.000Z';
  const households = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(), survey_id: col('form_id'), survey_version: col('version'), status: 'finalized',
    created: at, modified: at, finalized: at, device: 'jose',
    answers: { ...sample.answers.values, head_name: `${sample.answers.values.head_name}${i}`, members: sample.answers.repeats.members },
    history: [{ at, event: 'created' }, { at, event: 'finalized' }],
  }));
  return JSON.stringify({
    format: 'liangshan-survey-export', format_version: 1, kind,
    survey: { id: col('form_id'), version: col('version'), title: { zh: '', ii: '' } },
    app: { name: 'jose', version: '0' }, exported_at: at, device: 'jose', household_count: n,
    dictionary: { fields: [], choices: {} }, households,
  });
}

function write(name, bytes) {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const codeIs = (page, code) => page.waitForFunction(
  (c) => document.querySelector('[data-testid="import-error"]')?.dataset.code === c, code, { timeout: 60_000 },
);

/** Waits for a new passphrase prompt (not the previous file's, which shows an error). */
const sealedReady = (page) => page.waitForFunction(() => {
  const f = document.querySelector('[data-testid="import-sealed"]');
  return f && !f.querySelector('[data-testid="import-error"]') && !f.querySelector('[data-testid="import-opening"]');
});

test('backups made by jose open with their passphrase; bad encrypted files are each refused with their own message and change nothing', async () => {
  const PASS = 'jose passphrase';
  const plain = plainFile(2);
  const good = await sealBackup(plain, PASS);
  const cases = [
    ['truncated.json', good.subarray(0, good.length >> 1), 'truncated', null],
    ['tampered.json', withMember(good, 'ciphertext', (c) => c.slice(0, 10) + (c[10] === 'A' ? 'B' : 'A') + c.slice(11)), 'tampered', PASS],
    ['alg-lie.json', withMember(good, 'protected', (p) => Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), alg: 'dir' })).toString('base64url')), 'unsupported_algorithm', null],
    ['count-lie.json', await sealBackup(plain, PASS, (h) => ({ ...h, lsk: { ...h.lsk, household_count: 3 } })), 'header_mismatch', PASS],
    ['bureau.json', await sealBureau(plainFile(1, 'bureau')), 'for_bureau', null],
    ['wrong-passphrase.json', good, 'wrong_passphrase', 'not the passphrase'],
  ];
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    const empty = await storageOf(b.page);
    for (const [name, bytes, code, passphrase] of cases) {
      await b.page.getByTestId('import-file').setInputFiles(write(name, bytes));
      if (passphrase) {
        await sealedReady(b.page);
        await b.page.getByTestId('import-passphrase').fill(passphrase);
        await b.page.getByTestId('import-open').click();
      }
      await codeIs(b.page, code);
      const shown = await b.page.getByTestId('import-error').innerText();
      assert.ok(both(shown, `exchange.envelope.${code}`), `${name}: ${shown}`);
      assert.ok(both(shown, 'exchange.import.unchanged'), `${name}: ${shown}`);
      assert.deepEqual(await storageOf(b.page), empty, `${name} changed nothing`);
    }
    // The good one, made by jose, opens and imports.
    await b.page.getByTestId('import-file').setInputFiles(write('good.json', good));
    await sealedReady(b.page);
    await b.page.getByTestId('import-passphrase').fill(PASS);
    await b.page.getByTestId('import-open').click();
    await b.page.getByTestId('import-preview').waitFor({ timeout: 60_000 });
    assert.equal(await b.page.getByTestId('preview-count-new').innerText(), '2');
    await b.page.getByTestId('import-confirm').click();
    assert.equal(await b.page.getByTestId('import-saved').innerText(), '2');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('without WebCrypto the kit says so and writes nothing, never a plain file', async () => {
  const b = await launch();
  try {
    await b.page.goto(server.url);
    await b.page.getByTestId('exchange-panel').waitFor();
    await b.page.getByTestId('import-file').setInputFiles(write('seed.json', plainFile(1)));
    await b.page.getByTestId('import-preview').waitFor();
    await b.page.getByTestId('import-confirm').click();
    await b.page.getByTestId('import-saved').waitFor();
    // As in an old browser, or a page served over plain HTTP.
    await b.context.addInitScript(() => Object.defineProperty(globalThis.crypto, 'subtle', { get: () => undefined }));
    await b.page.reload();
    await b.page.getByTestId('exchange-panel').waitFor();
    assert.equal(await b.page.evaluate(() => crypto.subtle), undefined);
    const before = await storageOf(b.page);
    let downloads = 0;
    b.page.on('download', () => { downloads++; });
    await b.page.getByTestId('export-scope-finalized').check();
    await b.page.getByTestId('export-json').click();
    await b.page.waitForFunction(() => document.querySelector('[data-testid="export-refused"]')?.dataset.code === 'no_webcrypto');
    assert.ok(both(await b.page.getByTestId('export-refused').innerText(), 'exchange.envelope.no_webcrypto'));
    await b.page.getByTestId('export-scope-backup').check();
    await b.page.getByTestId('backup-passphrase-1').fill('long enough');
    await b.page.getByTestId('backup-passphrase-2').fill('long enough');
    await b.page.getByTestId('export-json').click();
    await b.page.waitForFunction(() => document.querySelector('[data-testid="export-refused"]')?.dataset.code === 'no_webcrypto');
    await b.page.waitForTimeout(500);
    assert.equal(downloads, 0);
    assert.deepEqual(await storageOf(b.page), before, 'nothing marked exported');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
