// Benchmark of photos in the release build (Debian's headless Chromium, CPU throttled ×4 as
// on a cheap tablet). Prints figures beside their budgets; asserts nothing. Run after
// `trunk build --release`:
//
//   cd e2e && node bench/photos.mjs [--runs N]
//
// 1. storing a photo: a 12-megapixel camera JPEG (4000×3000, with EXIF) chosen through the
//    file chooser → shrunk (1600 px), hashed, in IndexedDB and its reference answered (the
//    thumbnail drawn), median of N;
// 2. storage per household with two photos (front and damage): the photos' bytes in
//    IndexedDB, the household record in localStorage, and the browser's own estimate.
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { testJpeg } from '../lib/photo.mjs';

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const BUDGET_STORE_MS = 3000;

const camera = Array.from({ length: RUNS + 1 }, (_, i) => testJpeg({ width: 4000, height: 3000, orientation: 1, seed: i + 1 }));
const server = await serve();
const b = await launch();
const { page, context } = b;
page.on('crash', () => console.error('the page crashed'));
try {
  await page.goto(server.url);
  await page.getByTestId('app-title').waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

  const usage = async () => page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const lsUnits = async () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('lsk:h:') || k.startsWith('lsk:s:'))
    .reduce((n, k) => n + k.length + localStorage.getItem(k).length, 0));
  const idbBytes = async () => page.evaluate(() => new Promise((res) => {
    const r = indexedDB.open('lsk-photos');
    r.onupgradeneeded = () => r.transaction.abort();
    r.onerror = () => res(0);
    r.onsuccess = () => {
      const q = r.result.transaction('photos').objectStore('photos').getAll();
      q.onsuccess = () => { r.result.close(); res(q.result.reduce((n, blob) => n + blob.size, 0)); };
    };
  }));

  const times = [];
  for (let i = 0; i < RUNS; i++) {
    await page.getByTestId('new-household').click();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-guarantees').click();
    await page.locator('[data-testid="choice-housing_grade-d"] input').check();
    const before = { usage: await usage(), ls: await lsUnits(), idb: await idbBytes() };
    const t0 = Date.now();
    await page.getByTestId('photo-pick-house_photo_front').setInputFiles({ name: 'IMG.jpg', mimeType: 'image/jpeg', buffer: camera[i] });
    await page.getByTestId('photo-thumb-house_photo_front').waitFor({ timeout: 60_000 });
    times.push(Date.now() - t0);
    await page.getByTestId('photo-pick-house_photo_damage').setInputFiles({ name: 'IMG2.jpg', mimeType: 'image/jpeg', buffer: camera[i + 1] });
    await page.getByTestId('photo-thumb-house_photo_damage').waitFor({ timeout: 60_000 });
    await page.getByTestId('close-form').click();
    await page.getByTestId('home').waitFor();
    if (i === 0) {
      const after = { usage: await usage(), ls: await lsUnits(), idb: await idbBytes() };
      console.log('— storage per household with two photos (front and damage, from 4000×3000 camera files)');
      console.log(`  photos in IndexedDB: ${after.idb - before.idb} bytes (camera files: ${camera[0].length + camera[1].length} bytes)`);
      console.log(`  household record + summary in localStorage: ${after.ls - before.ls} UTF-16 units`);
      console.log(`  browser's estimate of the origin's use grew by ${after.usage - before.usage} bytes`);
    }
  }
  const s = [...times].sort((x, y) => x - y);
  console.log(`— storing a photo (pick → shrunk, hashed, stored, thumbnail shown), CPU ×4, ${RUNS} runs`);
  console.log(`  median ${s[Math.floor(s.length / 2)]} ms, max ${s.at(-1)} ms (budget ${BUDGET_STORE_MS} ms)`);
} finally {
  await b.close();
  await server.close();
}
