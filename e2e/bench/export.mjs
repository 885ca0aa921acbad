// Benchmark (prints figures, not a test): exporting 1,000 households in the release build in
// headless Chromium, and the size of the file.
//
//   trunk build --release && node e2e/bench/export.mjs [households=1000] [runs=3]
//
// Seeding goes through the app's own code path: a file of N households is written here in
// the export format (answers as stored strings, which the format allows, taken from the core's
// 6-member sample household), chosen in the import panel and merged — so the households land
// in storage exactly as an import puts them there. Then "download JSON" is clicked `runs`
// times for each of: the bureau's file (encrypted, as the shipped survey has a public_key),
// a plain backup (the deliberate choice) and a passphrase backup. Figures:
// - click → download event, as the person waits for it (target: under 1 s);
// - encryption (WebCrypto) within it; the PBKDF2 derivation alone;
// - the app's own phases from `globalThis.__lsk_exchange`: reading the households from
//   storage, building the file (mark exported, typed answers, dictionary, JSON text), handing
//   it to the browser as a download, and saving the exported marks (after the download);
// - the file's size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { openBureau, openBackup } from '../lib/jwe.mjs';
import { setting } from '../lib/survey.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.argv[2] ?? 1000);
const RUNS = Number(process.argv[3] ?? 3);

const surveyId = setting('form_id');
const surveyVersion = setting('version');
const sample = JSON.parse(fs.readFileSync(path.join(ROOT, 'crates/survey-core/tests/fixtures/household_6_members.json'), 'utf8'));

function seedFile(n) {
  const households = [];
  const t0 = Date.parse('2026-11-01T01:00:00Z');
  for (let i = 0; i < n; i++) {
    const at = new Date(t0 + i * 60_000).toISOString();
    const answers = { ...sample.answers.values, head_name: `${sample.answers.values.head_name}${i}`, members: sample.answers.repeats.members };
    households.push({
      id: randomUUID(), survey_id: surveyId, survey_version: surveyVersion, status: 'finalized',
      created: at, modified: at, finalized: at, device: 'bench',
      answers,
      history: [{ at, event: 'created' }, { at, event: 'finalized' }],
    });
  }
  return {
    format: 'liangshan-survey-export', format_version: 1, kind: 'bureau',
    survey: { id: surveyId, version: surveyVersion, title: { zh: '', ii: '' } },
    app: { name: 'bench', version: '0' }, exported_at: new Date().toISOString(), device: 'bench',
    household_count: n, dictionary: { fields: [], choices: {} }, households,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-bench-export-'));
const server = await serve();
const b = await launch();
try {
  const seed = path.join(tmp, 'seed.json');
  fs.writeFileSync(seed, JSON.stringify(seedFile(N)));
  const { page } = b;
  await page.goto(server.url);
  await page.getByTestId('exchange-panel').waitFor();

  // Seed through the import panel.
  let t = performance.now();
  await page.getByTestId('import-file').setInputFiles(seed);
  await page.getByTestId('import-preview').waitFor({ timeout: 120_000 });
  const previewWall = performance.now() - t;
  t = performance.now();
  await page.getByTestId('import-confirm').click();
  await page.getByTestId('import-saved').waitFor({ timeout: 300_000 });
  const mergeWall = performance.now() - t;
  const saved = Number(await page.getByTestId('import-saved').innerText());
  if (saved !== N) throw new Error(`seeded ${saved} of ${N} households`);
  const imp = await page.evaluate(() => globalThis.__lsk_exchange);
  console.log(`seed: ${N} households (${(fs.statSync(seed).size / 1e6).toFixed(2)} MB file) — check + preview ${ms(previewWall)} (in app ${ms(imp.import_check.check)}), merge ${ms(mergeWall)} (in app ${ms(imp.import_merge.merge)})`);

  /** Clicks "download JSON" `RUNS` times in the scope and mode set by `prep`; prints the
   *  figures; `open(bytes)` reads the file back (decrypting it with npm's jose). */
  async function measure(label, prep, open) {
    await prep();
    const walls = [], phases = [], starts = [];
    let size = 0;
    for (let r = 0; r < RUNS; r++) {
      // A DOM click (not playwright's click, whose actionability checks on a page of 1,000
      // rows take longer than the export itself).
      const download = page.waitForEvent('download', { timeout: 120_000 });
      t = performance.now();
      const t0 = await page.evaluate(() => {
        const t0 = performance.now();
        document.querySelector('[data-testid="export-json"]').click();
        return t0;
      });
      starts.push(t0);
      const dl = await download;
      walls.push(performance.now() - t);
      const file = path.join(tmp, `export-${r}.json`);
      await dl.saveAs(file);
      size = fs.statSync(file).size;
      const count = (await open(fs.readFileSync(file))).household_count;
      if (count !== N) throw new Error(`exported ${count} of ${N}`);
      await page.waitForFunction((t0) => globalThis.__lsk_exchange?.export?.marks_at > t0, t0, { timeout: 120_000 });
      phases.push(await page.evaluate(() => globalThis.__lsk_exchange));
    }
    const p = (k, f) => median(phases.map((x) => x[k][f]));
    console.log(`${label}: export of ${N} households, median of ${RUNS} runs:`);
    console.log(`  click → download event:  ${ms(median(walls))}   (runs: ${walls.map(ms).join(', ')}; target < 1000 ms)`);
    console.log(`  read from storage:       ${ms(p('export_file', 'read'))}`);
    console.log(`  build file (JSON text):  ${ms(p('export_file', 'build'))}`);
    console.log(`  encrypt (WebCrypto):     ${ms(p('export_file', 'encrypt'))}`);
    console.log(`  hand to the browser:     ${ms(p('export_file', 'download'))} (Blob + <a download>)`);
    console.log(`  save exported marks:     ${ms(p('export', 'save_marks'))} (after the download has started)`);
    const rel = (k, f) => median(phases.map((x, i) => x[k][f] - starts[i]));
    console.log(`  in the page, from the click: file handed to the browser after ${ms(rel('export_file', 'handed_at'))}, marks saved from ${ms(rel('export', 'marks_at'))}`);
    console.log(`  file size:               ${(size / 1e6).toFixed(2)} MB (${(size / N / 1024).toFixed(1)} KiB per household of 6 members; plain JSON ${(p('export_file', 'plain_bytes') / 1e6).toFixed(2)} MB)`);
  }

  const PASS = 'bench passphrase';
  // The shipped survey has a public_key: the bureau's file is always encrypted.
  await measure('bureau file, encrypted (RSA-OAEP-256 + A256GCM)', async () => {
    await page.getByTestId('export-scope-finalized').check();
    await page.getByTestId('export-count-finalized').filter({ hasText: String(N) }).waitFor({ timeout: 60_000 });
  }, openBureau);
  // The same households as a backup, plain (the deliberate choice) and with a passphrase.
  await measure('backup, plain JSON (deliberate choice)', async () => {
    await page.getByTestId('export-scope-backup').check();
    await page.getByTestId('export-plain').check();
  }, (bytes) => JSON.parse(bytes.toString('utf8')));
  await measure('backup, encrypted (PBES2-HS256+A128KW, 600,000 iterations + A256GCM)', async () => {
    await page.getByTestId('export-plain').uncheck();
    await page.getByTestId('backup-passphrase-1').fill(PASS);
    await page.getByTestId('backup-passphrase-2').fill(PASS);
  }, (bytes) => openBackup(bytes, PASS));

  // The backup's key derivation alone, in this browser (floor: 0.3 s on a cheap tablet; a
  // slower device only takes longer).
  const derive = await page.evaluate(async (p2c) => {
    const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('a passphrase'), 'PBKDF2', false, ['deriveBits']);
    const out = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await crypto.subtle.deriveBits({ name: 'PBKDF2', salt: new Uint8Array(35), iterations: p2c, hash: 'SHA-256' }, base, 128);
      out.push(performance.now() - t0);
    }
    return out;
  }, 600_000);
  console.log(`PBKDF2-HMAC-SHA256, 600,000 iterations (the backup key): ${ms(median(derive))}   (runs: ${derive.map(ms).join(', ')}; floor ≥ 300 ms on a cheap tablet)`);
  if (b.errors.length) console.log('page errors:', b.errors);
} finally {
  await b.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
