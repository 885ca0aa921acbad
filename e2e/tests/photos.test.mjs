// Photos and location, end to end in the release build: a camera JPEG (EXIF orientation and
// the camera's own GPS tag) chosen through the file chooser is stored shrunk, upright and
// without any EXIF, in IndexedDB under the SHA-256 of its bytes; the household holds only
// the reference. The house's location comes from an emulated position. Both survive a
// reload and offline use; a refused location, a full storage and a missing photo each get
// their bilingual message; deleting a household for good deletes its photos.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id, waitForController, goOffline, storageOf } from '../lib/support.mjs';
import { testJpeg, exifOf, jpegSize, CAMERA_GPS } from '../lib/photo.mjs';

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
