// Photos and location, end to end in the release build: a camera JPEG (EXIF orientation and
// the camera's own GPS tag) chosen through the file chooser is stored shrunk, upright and
// without any EXIF, in IndexedDB under the SHA-256 of its bytes; the household holds only
// the reference. The house's location comes from an emulated position. Both survive a
// reload and offline use; a refused location, a full storage and a missing photo each get
// their bilingual message; deleting a household for good deletes its photos. An export
// with photos is a .zip (read back by Python's zipfile; its encrypted photos opened by npm's
// jose) that imports into a fresh browser with photos and location back; a photo that does
// not match its reference refuses the whole zip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id, waitForController, goOffline, storageOf } from '../lib/support.mjs';
import { testJpeg, exifOf, jpegSize, CAMERA_GPS } from '../lib/photo.mjs';
import { decryptBackup, decryptBureau, openBackup, openBureau } from '../lib/jwe.mjs';
import { ROOT } from '../lib/support.mjs';
import { setting } from '../lib/survey.mjs';
import { unzip, zipWith } from '../lib/pyzip.mjs';

const HOUSE = { latitude: 27.8866, longitude: 102.2643, accuracy: 8 };
const REF = /[0-9a-f]{64}\.jpg/g;

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

/** Every photo in the kit's IndexedDB: reference → bytes (an absent database is none). */
async function storedPhotos(page) {
  const got = await page.evaluate(async () => {
    const db = await new Promise((res) => {
      const r = indexedDB.open('lsk-photos');
      r.onupgradeneeded = () => r.transaction.abort();
      r.onsuccess = () => res(r.result);
      r.onerror = () => res(null);
    });
    if (!db) return {};
    const blobs = await new Promise((res, rej) => {
      const st = db.transaction('photos').objectStore('photos');
      const out = {};
      const r = st.openCursor();
      r.onsuccess = () => {
        const c = r.result;
        if (!c) return res(out);
        out[c.key] = c.value;
        c.continue();
      };
      r.onerror = () => rej(r.error);
    });
    db.close();
    const out = {};
    for (const [k, b] of Object.entries(blobs)) out[k] = { type: b.type, bytes: Array.from(new Uint8Array(await b.arrayBuffer())) };
    return out;
  });
  return Object.fromEntries(Object.entries(got).map(([k, v]) => [k, { type: v.type, bytes: Buffer.from(v.bytes) }]));
}

/** The photo references and the text of every household stored in localStorage. */
async function householdsText(page) {
  const all = await storageOf(page);
  return Object.entries(all).filter(([k]) => k.startsWith('lsk:h:')).map(([, v]) => v).join('\n');
}

async function newHouseholdAtHousing(page, grade) {
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  await page.getByTestId('section-guarantees').click();
  await page.locator(`${id(`choice-housing_grade-${grade}`)} input`).check();
}

test('a camera photo is stored shrunk, upright, without EXIF; the location comes from the device; both survive reload and offline', async () => {
  const b = await launch();
  const { page, context } = b;
  try {
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation(HOUSE);
    await page.goto(server.url);
    await page.getByTestId('app-title').waitFor();
    await waitForController(page);
    await newHouseholdAtHousing(page, 'd');

    // A 3000×2000 camera photo turned by its EXIF tag (Orientation 6: 90° clockwise).
    const original = testJpeg({ width: 3000, height: 2000, orientation: 6 });
    const exif = await exifOf(original);
    assert.equal(exif.latitude, CAMERA_GPS.latitude, 'the test photo carries the camera GPS');
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: original });
    await page.getByTestId('photo-thumb-house_photo_front').waitFor();

    const photos = await storedPhotos(page);
    const refs = Object.keys(photos);
    assert.equal(refs.length, 1, 'one photo stored');
    const [ref] = refs;
    const { bytes, type } = photos[ref];
    assert.equal(type, 'image/jpeg');
    assert.equal(ref, `${crypto.createHash('sha256').update(bytes).digest('hex')}.jpg`, 'named by the SHA-256 of its bytes');
    assert.deepEqual(jpegSize(bytes), [1067, 1600], 'upright (EXIF orientation applied) and the long side at max-pixels 1600');
    assert.equal(await exifOf(bytes), undefined, 'no EXIF at all (no camera GPS)');
    assert.ok(bytes.length < original.length / 4, `shrunk: ${bytes.length} B from ${original.length} B`);
    console.log(`stored photo: ${bytes.length} B (camera file ${original.length} B)`);

    // The household holds the reference only.
    const text = await householdsText(page);
    assert.deepEqual([...new Set(text.match(REF))], [ref]);
    assert.ok(text.length < 20_000, 'the household record stays small');

    // Location from the (emulated) device: first a poor fix (50 m, over the survey's
    // warning-accuracy of 30 m: a soft warning), then a good one.
    await context.setGeolocation({ ...HOUSE, accuracy: 50 });
    await page.getByTestId('geo-capture-house_location').click();
    const shown = page.getByTestId('geo-value-house_location');
    await shown.waitFor();
    const field = page.getByTestId('field-house_location');
    await field.locator('.msg-warning').waitFor();
    const inaccurate = t('media.code.inaccurate_location');
    const warned = await field.locator('.msg-warning').innerText();
    assert.ok(warned.includes(inaccurate.zh) && warned.includes(inaccurate.ii), warned);
    await context.setGeolocation(HOUSE);
    await page.getByTestId('geo-capture-house_location').click();
    await page.waitForFunction(() => /±8 m/.test(document.querySelector('[data-testid="geo-value-house_location"]').innerText));
    await field.locator('.msg-warning').waitFor({ state: 'detached' });
    assert.match(await shown.innerText(), /27\.886600[\s\S]*102\.264300[\s\S]*±8 m/);
    assert.ok((await householdsText(page)).includes('27.8866 102.2643 0 8'), 'stored as ODK\'s "lat lon alt acc"');

    // Grade D: the damage photo is required until one is given.
    await page.getByTestId('field-house_photo_damage').waitFor();
    const damage = testJpeg({ width: 1200, height: 900, orientation: 1, seed: 7 });
    await page.getByTestId('photo-camera-house_photo_damage').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: damage });
    await page.getByTestId('photo-thumb-house_photo_damage').waitFor();
    const two = await storedPhotos(page);
    assert.equal(Object.keys(two).length, 2);
    const small = Object.entries(two).find(([k]) => k !== ref)[1].bytes;
    assert.deepEqual(jpegSize(small), [1200, 900], 'a photo under max-pixels keeps its size');

    // Reload, then offline: the thumbnails and the location come back.
    for (const step of ['reload', 'offline']) {
      if (step === 'offline') await goOffline(server, context);
      await page.reload();
      await page.getByTestId('app-title').waitFor();
      if (!(await page.getByTestId('household-form').count())) {
        await page.locator('[data-testid^="open-"]').first().click();
        await page.getByTestId('household-form').waitFor();
      }
      await page.getByTestId('section-guarantees').click();
      await page.getByTestId('photo-thumb-house_photo_front').waitFor();
      await page.getByTestId('photo-thumb-house_photo_damage').waitFor();
      const natural = await page.getByTestId('photo-thumb-house_photo_front').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
      assert.deepEqual(natural, [1067, 1600], `${step}: the thumbnail shows the stored photo`);
      assert.match(await page.getByTestId('geo-value-house_location').innerText(), /27\.886600/, `${step}: location kept`);
    }
    assert.deepEqual(b.errors.filter((e) => !/net::ERR_/.test(e)), []);
  } finally { server.setOffline(false); await b.close(); }
});

test('a refused location, a full storage and a missing photo each say so in both languages; the household stays as it was', async () => {
  const b = await launch();
  const { page, context } = b;
  try {
    await page.goto(server.url);
    await page.getByTestId('app-title').waitFor();
    await newHouseholdAtHousing(page, 'c');

    // No permission for the location (headless Chromium refuses the prompt).
    await page.getByTestId('geo-capture-house_location').click();
    const geoError = page.getByTestId('geo-error');
    await geoError.waitFor();
    const denied = t('media.geo.denied');
    const said = await geoError.innerText();
    assert.ok(said.includes(denied.zh) && said.includes(denied.ii), said);
    assert.equal(await page.getByTestId('geo-value-house_location').count(), 0);

    // Storage full: the browser's quota for the origin set just above what is used.
    const cdp = await context.newCDPSession(page);
    const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: used + 20_000 });
    const before = await householdsText(page);
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'big.jpg', mimeType: 'image/jpeg', buffer: testJpeg({ width: 2400, height: 1800 }) });
    const photoError = page.getByTestId('photo-error');
    await photoError.waitFor();
    const quota = t('media.photo.quota');
    const msg = await photoError.innerText();
    assert.ok(msg.includes(quota.zh) && msg.includes(quota.ii), msg);
    assert.equal(await householdsText(page), before, 'the household is unchanged');
    assert.deepEqual(Object.keys(await storedPhotos(page)), [], 'no photo stored');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin });

    // With room again, the photo is stored; then it goes missing (site data partly cleared).
    const ok = testJpeg({ width: 800, height: 600 });
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'ok.jpg', mimeType: 'image/jpeg', buffer: ok });
    await page.getByTestId('photo-thumb-house_photo_front').waitFor();
    // Removed: the answer is blank again; picked again: back.
    await page.getByTestId('photo-remove-house_photo_front').click();
    await page.getByTestId('photo-thumb-house_photo_front').waitFor({ state: 'detached' });
    assert.equal((await householdsText(page)).match(REF), null, 'no reference after remove');
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'ok.jpg', mimeType: 'image/jpeg', buffer: ok });
    await page.getByTestId('photo-thumb-house_photo_front').waitFor();
    await page.evaluate(() => new Promise((res) => {
      const r = indexedDB.open('lsk-photos');
      r.onsuccess = () => { const tx = r.result.transaction('photos', 'readwrite'); tx.objectStore('photos').clear(); tx.oncomplete = () => { r.result.close(); res(); }; };
    }));
    await page.reload();
    await page.getByTestId('app-title').waitFor();
    if (!(await page.getByTestId('household-form').count())) {
      await page.locator('[data-testid^="open-"]').first().click();
    }
    await page.getByTestId('section-guarantees').click();
    const missing = page.getByTestId('photo-missing-house_photo_front');
    await missing.waitFor();
    assert.ok((await missing.innerText()).includes(t('media.photo.missing').zh));
    assert.deepEqual(b.errors.filter((e) => !/QuotaExceeded|net::ERR_/.test(e)), []);
  } finally { await b.close(); }
});

test('deleting a household for good deletes its photos, and only those no other household references', async () => {
  const b = await launch();
  const { page } = b;
  try {
    await page.goto(server.url);
    await page.getByTestId('app-title').waitFor();
    const photo = testJpeg({ width: 640, height: 480, seed: 3 });
    const other = testJpeg({ width: 640, height: 480, seed: 4 });
    const ids = [];
    // Household 1 and 2 share a photo; household 2 also has its own. Household 1's front
    // photo replaces another one first.
    for (const [front, damage] of [[photo, null], [photo, other]]) {
      await newHouseholdAtHousing(page, 'c');
      if (!damage) {
        await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'first.jpg', mimeType: 'image/jpeg', buffer: other });
        await page.getByTestId('photo-thumb-house_photo_front').waitFor();
      }
      const was = (await householdsText(page)).match(REF);
      await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'a.jpg', mimeType: 'image/jpeg', buffer: front });
      await page.waitForFunction(([prev]) => {
        const text = Object.keys(localStorage).filter((k) => k.startsWith('lsk:h:')).map((k) => localStorage.getItem(k)).join();
        const refs = text.match(/[0-9a-f]{64}\.jpg/g) ?? [];
        return refs.length > 0 && JSON.stringify(refs) !== JSON.stringify(prev);
      }, [was]);
      await page.getByTestId('photo-thumb-house_photo_front').waitFor();
      if (damage) {
        await page.getByTestId('photo-pick-house_photo_damage').setInputFiles({ name: 'b.jpg', mimeType: 'image/jpeg', buffer: damage });
        await page.getByTestId('photo-thumb-house_photo_damage').waitFor();
      }
      await page.getByTestId('close-form').click();
      await page.getByTestId('home').waitFor();
      const all = await storageOf(page);
      ids.push(Object.keys(all).filter((k) => k.startsWith('lsk:h:')).map((k) => k.slice(6)).find((k) => !ids.includes(k)));
    }
    const shared = Object.keys(await storedPhotos(page));
    assert.equal(shared.length, 2);
    const del = async (hid) => {
      await page.getByTestId(`delete-${hid}`).click();
      await page.getByTestId('confirm-delete').click();
      await page.getByTestId('undo-delete').waitFor();
    };
    // Household 2 to the trash (its photos stay while it can be restored) …
    await del(ids[1]);
    assert.equal(Object.keys(await storedPhotos(page)).length, 2);
    // … then for good (the next delete empties the trash): its own photo goes, the shared stays.
    await del(ids[0]);
    await page.waitForFunction(async () => {
      const r = indexedDB.open('lsk-photos');
      const db = await new Promise((res) => { r.onsuccess = () => res(r.result); });
      const n = await new Promise((res) => { const q = db.transaction('photos').objectStore('photos').count(); q.onsuccess = () => res(q.result); });
      db.close();
      return n === 1;
    });
    const left = Object.keys(await storedPhotos(page));
    const text = (await storageOf(page))[`lsk:h:${ids[0]}`];
    assert.deepEqual(left, [...new Set(text.match(REF))], 'the photo of the household still restorable is kept');
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); }
});

// ---- the export .zip ----

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-photos-zip-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

const both = (text, key) => {
  const m = t(key);
  return text.includes(m.zh) && text.includes(m.ii);
};

const sha = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/** Clicks export and saves the download into TMP under its own name. */
async function exportZip(page) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-json').click()]);
  const file = path.join(TMP, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

async function importFile(page, file) {
  await page.getByTestId('import-file').setInputFiles(file);
}

test('a household with a photo and a location goes out as a backup zip (plain and with a passphrase) and comes back in fresh browsers', async () => {
  const a = await launch();
  let plainZip, sealedZip, ref, photoBytes, householdId;
  const PASS = 'zip passphrase 1';
  try {
    const { page, context } = a;
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation(HOUSE);
    await page.goto(server.url);
    await page.getByTestId('app-title').waitFor();
    await newHouseholdAtHousing(page, 'c');
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: testJpeg({ width: 2000, height: 1500 }) });
    await page.getByTestId('photo-thumb-house_photo_front').waitFor();
    await page.getByTestId('geo-capture-house_location').click();
    await page.waitForFunction(() => /±8 m/.test(document.querySelector('[data-testid="geo-value-house_location"]')?.innerText ?? ''));
    await page.getByTestId('close-form').click();
    await page.getByTestId('home').waitFor();
    const stored = await storedPhotos(page);
    [ref] = Object.keys(stored);
    photoBytes = stored[ref].bytes;

    // A plain backup: one stored zip, the JSON as always, the photo once.
    await page.getByTestId('export-scope-backup').check();
    await page.getByTestId('export-plain').check();
    const plain = await exportZip(page);
    plainZip = plain.file;
    assert.match(plain.name, /\.zip$/);
    assert.equal(await page.getByTestId('export-file-name').innerText(), plain.name);
    const entries = unzip(plainZip);
    assert.deepEqual(entries.map((e) => e.name), [plain.name.replace(/\.zip$/, '.json'), `photos/${ref}`]);
    assert.deepEqual(entries.map((e) => e.method), [0, 0], 'entries stored, not compressed');
    const file = JSON.parse(entries[0].data.toString('utf8'));
    assert.equal(file.kind, 'backup');
    assert.equal(file.households[0].answers.house_photo_front, ref);
    assert.equal(file.households[0].answers.house_location, '27.8866 102.2643 0 8');
    householdId = file.households[0].id;
    assert.ok(entries[1].data.equals(photoBytes), 'the photo as stored');
    assert.equal(`${sha(entries[1].data)}.jpg`, ref);

    // With a passphrase: the file and the photo each a JWE, the photo's with the file's
    // p2s/p2c and cty image/jpeg, opened by jose.
    await page.getByTestId('export-plain').uncheck();
    await page.getByTestId('backup-passphrase-1').fill(PASS);
    await page.getByTestId('backup-passphrase-2').fill(PASS);
    const sealed = await exportZip(page);
    sealedZip = sealed.file;
    const sealedEntries = unzip(sealedZip);
    assert.deepEqual(sealedEntries.map((e) => e.name), [sealed.name.replace(/\.zip$/, '.json'), `photos/${ref}.jwe`]);
    const opened = await openBackup(sealedEntries[0].data, PASS);
    assert.equal(opened.households[0].answers.house_photo_front, ref);
    const fileHeader = JSON.parse(Buffer.from(JSON.parse(sealedEntries[0].data).protected, 'base64url'));
    const photo = await decryptBackup(sealedEntries[1].data, PASS);
    assert.ok(photo.plaintext.equals(photoBytes), 'the photo opens to the same bytes');
    assert.equal(photo.protectedHeader.cty, 'image/jpeg');
    assert.equal(photo.protectedHeader.p2s, fileHeader.p2s);
    assert.equal(photo.protectedHeader.p2c, fileHeader.p2c);
    assert.deepEqual(a.errors, []);
  } finally { await a.close(); }

  // A fresh browser: a zip whose photo does not match its reference is refused whole.
  const b = await launch();
  try {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('exchange-panel').waitFor();
    const empty = await storageOf(page);
    const entries = unzip(plainZip);
    const bad = Buffer.from(entries[1].data);
    bad[bad.length >> 1] ^= 1;
    await importFile(page, zipWith(path.join(TMP, 'bad.zip'), [[entries[0].name, entries[0].data], [entries[1].name, bad]]));
    await page.waitForFunction(() => document.querySelector('[data-testid="import-error"]')?.dataset.code === 'bad_photo');
    const said = await page.getByTestId('import-error').innerText();
    assert.ok(both(said, 'exchange.zip.bad_photo') && both(said, 'exchange.import.unchanged'), said);
    assert.deepEqual(await storageOf(page), empty, 'nothing stored');
    assert.deepEqual(await storedPhotos(page), {}, 'no photo stored');

    // The same entries deflated (Python's ZIP_DEFLATED): the kit reads stored zips only.
    await importFile(page, zipWith(path.join(TMP, 'deflated.zip'), entries.map((e) => [e.name, e.data]), 'ZIP_DEFLATED'));
    await page.waitForFunction(() => document.querySelector('[data-testid="import-error"]')?.dataset.code === 'bad_zip');
    const deflated = await page.getByTestId('import-error').innerText();
    assert.ok(both(deflated, 'exchange.zip.bad_zip') && both(deflated, 'exchange.import.unchanged'), deflated);
    assert.deepEqual(await storageOf(page), empty, 'nothing stored');
    assert.deepEqual(await storedPhotos(page), {}, 'no photo stored');

    // The kit's own zip: the photo is back (same bytes, thumbnail shown) and the location.
    await importFile(page, plainZip);
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('import-confirm').click();
    assert.equal(await page.getByTestId('import-saved').innerText(), '1');
    assert.match(await page.getByTestId('import-photos-stored').innerText(), /1$/);
    const back = await storedPhotos(page);
    assert.deepEqual(Object.keys(back), [ref]);
    assert.ok(back[ref].bytes.equals(photoBytes));
    await page.getByTestId(`open-${householdId}`).click();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-guarantees').click();
    await page.getByTestId('photo-thumb-house_photo_front').waitFor();
    const natural = await page.getByTestId('photo-thumb-house_photo_front').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(natural, jpegSize(photoBytes), 'the thumbnail shows the photo');
    assert.match(await page.getByTestId('geo-value-house_location').innerText(), /27\.886600[\s\S]*102\.264300[\s\S]*±8 m/);
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); }

  // Another fresh browser: the passphrase backup zip, photo and all.
  const c = await launch();
  try {
    const { page } = c;
    await page.goto(server.url);
    await page.getByTestId('exchange-panel').waitFor();
    await importFile(page, sealedZip);
    await page.getByTestId('import-sealed').waitFor();
    await page.getByTestId('import-passphrase').fill(PASS);
    await page.getByTestId('import-open').click();
    await page.getByTestId('import-preview').waitFor({ timeout: 60_000 });
    await page.getByTestId('import-confirm').click();
    assert.equal(await page.getByTestId('import-saved').innerText(), '1');
    const back = await storedPhotos(page);
    assert.deepEqual(Object.keys(back), [ref]);
    assert.ok(back[ref].bytes.equals(photoBytes));
    assert.deepEqual(c.errors, []);
  } finally { await c.close(); }
});

test('the bureau zip: a zip written by Python imports (a photo it lacks reported), and the encrypted export\'s photo opens with the bureau key', async () => {
  const front = testJpeg({ width: 640, height: 480, seed: 11 });
  const absent = testJpeg({ width: 640, height: 480, seed: 12 });
  const [frontRef, absentRef] = [`${sha(front)}.jpg`, `${sha(absent)}.jpg`];
  const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/survey-core/tests/fixtures/household_6_members.json'), 'utf8'));
  const at = '2026-11-01T01:00:00.000Z';
  const plain = JSON.stringify({
    format: 'liangshan-survey-export', format_version: 1, kind: 'backup',
    survey: { id: setting('form_id'), version: setting('version'), title: { zh: '', ii: '' } },
    app: { name: 'python', version: '0' }, exported_at: at, device: 'python', household_count: 1,
    dictionary: { fields: [], choices: {} },
    households: [{
      id: crypto.randomUUID(), survey_id: setting('form_id'), survey_version: setting('version'), status: 'finalized',
      created: at, modified: at, finalized: at, device: 'python',
      answers: { ...sample.answers.values, housing_grade: 'c', house_photo_front: frontRef, house_photo_damage: absentRef, members: sample.answers.repeats.members },
      history: [{ at, event: 'created' }, { at, event: 'finalized' }],
    }],
  });
  const zip = zipWith(path.join(TMP, 'python.zip'), [['python.json', Buffer.from(plain)], [`photos/${frontRef}`, front]]);
  const b = await launch();
  try {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('exchange-panel').waitFor();
    await importFile(page, zip);
    await page.getByTestId('import-preview').waitFor();
    const missing = await page.getByTestId('import-missing-photos').innerText();
    assert.ok(both(missing, 'exchange.zip.missing_import') && missing.includes(absentRef), missing);
    await page.getByTestId('import-confirm').click();
    assert.equal(await page.getByTestId('import-saved').innerText(), '1');
    assert.deepEqual(Object.keys(await storedPhotos(page)), [frontRef]);

    // Finalized households to the bureau: encrypted by default, the photo too.
    await page.getByTestId('export-scope-finalized').check();
    const out = await exportZip(page);
    const note = await page.getByTestId('export-missing-photos').innerText();
    assert.ok(both(note, 'exchange.zip.missing_export') && note.includes(absentRef), note);
    const entries = unzip(out.file);
    assert.deepEqual(entries.map((e) => e.name), [out.name.replace(/\.zip$/, '.json'), `photos/${frontRef}.jwe`]);
    const file = await openBureau(entries[0].data);
    assert.equal(file.households[0].answers.house_photo_front, frontRef);
    const fileHeader = JSON.parse(Buffer.from(JSON.parse(entries[0].data).protected, 'base64url'));
    const photo = await decryptBureau(entries[1].data);
    assert.ok(photo.plaintext.equals(front), 'the photo opens to the bytes imported');
    assert.equal(photo.protectedHeader.cty, 'image/jpeg');
    assert.equal(photo.protectedHeader.kid, fileHeader.kid);
    assert.deepEqual(b.errors, []);
  } finally { await b.close(); }
});
