// Benchmark (prints figures beside their budgets, asserts nothing): the export .zip of
// households with photos in the release build (Debian's headless Chromium).
//
//   trunk build --release && cd e2e && node bench/photos-export.mjs [households=100] [runs=2]
//
// Seeding goes through the app's own path: a zip of N finalized households (the core's
// 6-member sample) with two photos each (front and damage, ~250 KB JPEGs made by npm's
// jpeg-js) is written here by Python's zipfile, chosen in the import panel (every photo's
// hash checked) and merged (photos stored in IndexedDB first). Then "download" is clicked
// `runs` times for the bureau's encrypted zip, a plain backup zip and a passphrase backup
// zip. Figures: click → download event (budget below), the app's phases (photos read and
// sealed, zip written), the zip's size; the import's check and merge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { zipWith } from '../lib/pyzip.mjs';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { testJpeg } from '../lib/photo.mjs';
import { setting } from '../lib/survey.mjs';
import { ROOT } from '../lib/support.mjs';

const N = Number(process.argv[2] ?? 100);
// Two runs each by default: the kit keeps a download's blob for 60 s, and headless Chromium
// cancels a 7th download of ~70 MB within that minute.
const RUNS = Number(process.argv[3] ?? 2);
/** Budget: a 100-household zip with photos handed over within 10 s on this machine. */
const BUDGET_EXPORT_MS = 10_000;
/** Test photos of about the size the app stores (~250 KB: the test JPEG's noise makes a
 *  1600 px one ~640 KB, so a smaller one stands in for a shrunk camera photo). */
const [W, H] = [1000, 750];

const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/survey-core/tests/fixtures/household_6_members.json'), 'utf8'));
const surveyId = setting('form_id');
const surveyVersion = setting('version');
const sha = (b) => createHash('sha256').update(b).digest('hex');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;
const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-bench-photos-export-'));
const seed = path.join(tmp, 'seed.zip');
{
  const photos = [];
  const households = [];
  const t0 = Date.parse('2026-11-01T01:00:00Z');
  for (let i = 0; i < N; i++) {
    const at = new Date(t0 + i * 60_000).toISOString();
    const [front, damage] = [testJpeg({ width: W, height: H, seed: 2 * i + 1 }), testJpeg({ width: W, height: H, seed: 2 * i + 2 })];
    photos.push(front, damage);
    households.push({
      id: randomUUID(), survey_id: surveyId, survey_version: surveyVersion, status: 'finalized',
      created: at, modified: at, finalized: at, device: 'bench',
      answers: {
        ...sample.answers.values, head_name: `${sample.answers.values.head_name}${i}`, housing_grade: 'd',
        house_photo_front: `${sha(front)}.jpg`, house_photo_damage: `${sha(damage)}.jpg`,
        house_location: '27.8866 102.2643 1520 8.5', members: sample.answers.repeats.members,
      },
      history: [{ at, event: 'created' }, { at, event: 'finalized' }],
    });
  }
  const file = {
    format: 'liangshan-survey-export', format_version: 1, kind: 'backup',
    survey: { id: surveyId, version: surveyVersion, title: { zh: '', ii: '' } },
    app: { name: 'bench', version: '0' }, exported_at: new Date().toISOString(), device: 'bench',
    household_count: N, dictionary: { fields: [], choices: {} }, households,
  };
  const entries = [['seed.json', Buffer.from(JSON.stringify(file))], ...photos.map((p) => [`photos/${sha(p)}.jpg`, p])];
  zipWith(seed, entries);
  const bytes = photos.reduce((n, p) => n + p.length, 0);
  console.log(`seed: ${N} households, ${photos.length} photos (mean ${(bytes / photos.length / 1024).toFixed(0)} KiB), zip ${mb(fs.statSync(seed).size)}`);
}

const server = await serve();
const b = await launch();
try {
  const { page } = b;
  await page.goto(server.url);
  await page.getByTestId('exchange-panel').waitFor();
  let t = performance.now();
  await page.getByTestId('import-file').setInputFiles(seed);
  await page.getByTestId('import-preview').waitFor({ timeout: 300_000 });
  const previewWall = performance.now() - t;
  t = performance.now();
  await page.getByTestId('import-confirm').click();
  await page.getByTestId('import-saved').waitFor({ timeout: 300_000 });
  const mergeWall = performance.now() - t;
  const imp = await page.evaluate(() => globalThis.__lsk_exchange);
  console.log(`import of the zip: read + check (JSON, every photo's SHA-256) ${ms(previewWall)} (photos checked in ${ms(imp.import_photos.check)}), store photos + merge ${ms(mergeWall)} (photos stored in ${ms(imp.import_store_photos.store)})`);

  async function measure(label, prep) {
    await prep();
    const walls = [], phases = [];
    let size = 0;
    for (let r = 0; r < RUNS; r++) {
      const download = page.waitForEvent('download', { timeout: 300_000 });
      t = performance.now();
      await page.getByTestId('export-json').click();
      const dl = await download;
      walls.push(performance.now() - t);
      const file = path.join(tmp, `export-${r}.zip`);
      await dl.saveAs(file);
      size = fs.statSync(file).size;
      await dl.delete();
      fs.rmSync(file);
      phases.push(await page.evaluate(() => globalThis.__lsk_exchange.export_file));
      await page.getByTestId('export-result').waitFor({ timeout: 300_000 });
    }
    console.log(`${label}: ${N} households, ${2 * N} photos, median of ${RUNS} runs:`);
    console.log(`  click → download event: ${ms(median(walls))}   (runs: ${walls.map(ms).join(', ')}; budget ${BUDGET_EXPORT_MS} ms)`);
    console.log(`  photos read + sealed + zip written: ${ms(median(phases.map((p) => p.encrypt)))}; zip size ${mb(size)} (plain JSON inside ${mb(phases[0].plain_bytes)})`);
  }
  const PASS = 'bench passphrase';
  await measure('backup zip, passphrase (PBES2, key derived once)', async () => {
    await page.getByTestId('export-scope-backup').check();
    await page.getByTestId('backup-passphrase-1').fill(PASS);
    await page.getByTestId('backup-passphrase-2').fill(PASS);
  });
  await measure('bureau zip, encrypted (RSA-OAEP-256 + A256GCM, each photo its own JWE)', async () => {
    await page.getByTestId('export-scope-finalized').check();
  });
  await measure('backup zip, plain (deliberate choice)', async () => {
    await page.getByTestId('export-scope-backup').check();
    await page.getByTestId('export-plain').check();
  });
  if (b.errors.length) console.log('page errors:', b.errors);
} finally {
  await b.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
