// Visits (走访记录) in the export and import, in the release build: a household finalized
// through the form and two visits recorded for it through the visit log's screens (a home
// visit with a photo and a promise, a phone call), exported for the bureau — encrypted, a
// .zip since a visit holds a photo. The file is checked with references independent of the
// kit: Python's zipfile reads the zip, npm's jose opens the file and the photo with the
// TEST-ONLY key, ajv (strict, draft 2020-12) validates it against the export schema, node's
// crypto checks the photo against its reference; the bureau's tool (`liangshan-bureau
// intake`, its `zip` crate) takes it, the photo unpacked. Then a plain backup carries the
// household, both visits and the photo into a fresh browser profile, where the household's
// page lists the visits again, newest first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { ROOT } from '../lib/support.mjs';
import { finalizeHousehold, finalize, download as downloadTo } from '../lib/household.mjs';
import { day, householdIdOf, listedVisits, recordVisit } from '../lib/visit.mjs';
import { decryptBureau, openBureau } from '../lib/jwe.mjs';
import { unzip } from '../lib/pyzip.mjs';
import { testJpeg } from '../lib/photo.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-visits-exchange-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const both = (text, key) => {
  const m = t(key);
  return text.includes(m.zh) && text.includes(m.ii);
};

function schemaValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/export-v1.schema.json'), 'utf8')));
}

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

test('two visits recorded and exported for the bureau with their household id, then carried by a backup into a fresh browser', async () => {
  const validate = schemaValidator();
  const head = '阿苏拉且';
  const home = { date: day(-10), mode: 'home', met: '户主本人', cadre: '吉克阿依', promise: '联系危房改造', due: day(20) };
  const phone = { date: day(-1), mode: 'phone', met: '户主的妻子', cadre: '吉克阿依', finalize: true };
  let hid, v1, v2, backup;
  const a = await launch();
  try {
    const { page } = a;
    await finalizeHousehold(page, server.url, head);
    hid = await householdIdOf(page, head);
    // A home visit with a photo: recorded, opened again for the photo, then finalized.
    v1 = await recordVisit(page, hid, home);
    await page.getByTestId(`open-visit-${v1}`).click();
    await page.getByTestId('visit-page').waitFor();
    await page.getByTestId('photo-pick-visit_photo').setInputFiles({ name: 'IMG_0003.jpg', mimeType: 'image/jpeg', buffer: testJpeg({ width: 1200, height: 900 }) });
    await page.getByTestId('photo-thumb-visit_photo').waitFor();
    await finalize(page);
    await page.getByTestId('close-form').click();
    await page.getByTestId('household-visits').waitFor();
    // A phone call, finalized.
    v2 = await recordVisit(page, hid, phone);

    // For the bureau: the household and both visits are new.
    await page.getByTestId('close-form').click();
    await page.getByTestId('exchange-panel').waitFor();
    assert.equal(await page.getByTestId('export-count-new').innerText(), '1');
    assert.equal(await page.getByTestId('export-visit-count-new').innerText(), '2');
    const exported = await downloadTo(page, 'export-json', TMP);
    assert.match(exported.name, /^liangshan_household_laguo_.*_1户_2条走访\.zip$/, 'a visit holds a photo: a zip');
    const entries = unzip(exported.file);
    assert.deepEqual(entries.map((e) => e.method), entries.map(() => 0), 'stored entries');
    const json = entries.find((e) => e.name.endsWith('.json'));
    assert.equal(json.name, exported.name.replace(/\.zip$/, '.json'));
    const v = await openBureau(json.data);
    assert.ok(validate(v), JSON.stringify(validate.errors, null, 2));
    assert.equal(v.kind, 'bureau');
    assert.equal(v.household_count, 1);
    assert.equal(v.households[0].id, hid);
    assert.equal(v.households[0].household_id, undefined, 'a household names no household');
    assert.equal(v.visit_survey.id, 'liangshan_visit');
    assert.equal(v.visit_count, 2);
    assert.ok(v.visit_dictionary.fields.some((f) => f.name === 'visit_mode'));
    const byId = Object.fromEntries(v.visits.map((x) => [x.id, x]));
    assert.deepEqual(Object.keys(byId).sort(), [v1, v2].sort());
    for (const [vid, rec] of [[v1, home], [v2, phone]]) {
      const x = byId[vid];
      assert.equal(x.household_id, hid, 'each visit names the household visited');
      assert.equal(x.survey_id, 'liangshan_visit');
      assert.equal(x.status, 'exported');
      assert.deepEqual(x.history.map((e) => e.event), ['created', 'finalized', 'exported']);
      assert.equal(x.answers.visit_date, rec.date);
      assert.equal(x.answers.visit_mode, rec.mode);
      assert.equal(x.answers.met_whom, rec.met);
      assert.equal(x.answers.cadre_name, rec.cadre);
    }
    assert.deepEqual(byId[v1].answers.changes, ['none'], 'a multi-select as an array');
    assert.equal(byId[v1].answers.promise_due, home.due);
    // The visit's photo is in the zip, sealed for the bureau, and its bytes are its reference.
    const ref = byId[v1].answers.visit_photo;
    assert.match(ref, /^[0-9a-f]{64}\.jpg$/);
    assert.deepEqual(entries.filter((e) => e.name.startsWith('photos/')).map((e) => e.name), [`photos/${ref}.jwe`]);
    const photo = await decryptBureau(entries.find((e) => e.name === `photos/${ref}.jwe`).data);
    assert.equal(`${sha256(photo.plaintext)}.jpg`, ref);
    assert.equal(photo.protectedHeader.cty, 'image/jpeg');
    // The bureau's tool (it reads zips with the `zip` crate, the kit writes them with
    // rawzip) takes the zip: the household and both visits new, the photo unpacked.
    const built = spawnSync('cargo', ['build', '--offline', '-q', '-p', 'bureau', '--bin', 'liangshan-bureau'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const intake = spawnSync(path.join(ROOT, 'target/debug/liangshan-bureau'), [
      '--register', path.join(TMP, 'register.sqlite'),
      '--key', path.join(ROOT, 'crates/survey-core/tests/fixtures/envelope/TEST-ONLY-private-key.pem'),
      '--json', 'intake', exported.file,
    ], { encoding: 'utf8', env: { ...process.env, LIANGSHAN_KEY_PASSPHRASE: 'test-only-not-a-secret' } });
    assert.equal(intake.status, 0, intake.stderr);
    const line = JSON.parse(intake.stdout).files[0];
    assert.deepEqual([line.outcome, line.new, line.visits.new, line.photos], ['taken', 1, 2, 1], intake.stdout);
    assert.deepEqual(fs.readFileSync(path.join(TMP, 'photos', v1, ref)), photo.plaintext);

    // The message counts both; the visits are marked exported (nothing new left).
    const result = await page.getByTestId('export-result').innerText();
    assert.ok(both(result, 'exchange.export.visits'), result);
    assert.equal(await page.getByTestId('export-visit-count').innerText(), '2');
    await page.waitForFunction(() => document.querySelector('[data-testid="export-visit-count-new"]')?.textContent === '0');

    // A plain backup (the deliberate "unencrypted" choice) for the next tablet.
    await page.getByTestId('export-scope-backup').check();
    await page.getByTestId('export-plain').check();
    backup = await downloadTo(page, 'export-json', TMP);
    assert.match(backup.name, /_backup_.*\.zip$/);
    const plain = unzip(backup.file);
    const b = JSON.parse(plain.find((e) => e.name.endsWith('.json')).data.toString('utf8'));
    assert.ok(validate(b), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(b.visits.map((x) => x.household_id), [hid, hid]);
    assert.deepEqual(a.errors, []);
  } finally {
    await a.close();
  }

  // A fresh browser profile: the backup brings the household, its visits and the photo.
  const c = await launch();
  try {
    const { page } = c;
    await page.goto(server.url);
    await page.getByTestId('exchange-panel').waitFor();
    await page.getByTestId('import-file').setInputFiles(backup.file);
    await page.getByTestId('import-preview').waitFor();
    assert.equal(await page.getByTestId('preview-count-new').innerText(), '1');
    assert.equal(await page.getByTestId('preview-visit-count-new').innerText(), '2');
    assert.ok(both(await page.getByTestId('import-preview').innerText(), 'exchange.import.visits_heading'));
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-result').waitFor();
    assert.equal(await page.getByTestId('import-saved').innerText(), '1');
    assert.equal(await page.getByTestId('import-saved-visits').innerText(), '2');
    assert.equal(await page.getByTestId('import-photos-stored').count(), 1);

    await page.getByTestId(`open-${hid}`).click();
    await page.getByTestId('household-visits').waitFor();
    assert.deepEqual(await listedVisits(page), [v2, v1], 'both visits on the household page, newest first');
    assert.equal(await page.getByTestId(`visit-row-${v1}`).getByTestId('visit-date').innerText(), home.date);
    // The photo came along: the visit shows it.
    await page.getByTestId(`open-visit-${v1}`).click();
    await page.getByTestId('visit-page').waitFor();
    await page.getByTestId('photo-thumb-visit_photo').waitFor();
    assert.deepEqual(c.errors, []);
  } finally {
    await c.close();
  }
});
