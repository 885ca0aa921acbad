// Shared by e2e/tests/*.test.mjs and the benchmarks: the service worker's precache list, a
// disposable copy of the build that a test may turn into "a new version", network cuts,
// filling in a roster member.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DIST, serve } from './server.mjs';
import { launch } from './browser.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The precache list written into `<dir>/sw.js` at build time: `{ version, files: [[path, sha256]] }`. */
export function precacheOf(dir = DIST) {
  const sw = fs.readFileSync(path.join(dir, 'sw.js'), 'utf8');
  const m = sw.match(/^const PRECACHE = (.*); \/\/ @precache$/m);
  if (!m) throw new Error(`${dir}/sw.js has no precache line`);
  return JSON.parse(m[1]);
}

/** A copy of the release build in a temporary directory; `remove()` deletes it. */
export function copyOfBuild(dir = DIST) {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-dist-'));
  fs.cpSync(dir, copy, { recursive: true });
  return { dir: copy, remove: () => fs.rmSync(copy, { recursive: true, force: true }) };
}

/** A copy of the release build served on its own port, and a fresh browser profile that
 *  has opened it (the kit started); `close()` ends all three. */
export async function openOwnBuild() {
  const copy = copyOfBuild();
  const server = await serve(copy.dir);
  const browser = await launch();
  await browser.page.goto(server.url);
  await browser.page.getByTestId('app-title').waitFor();
  return {
    copy, server, browser, page: browser.page,
    async close() { await browser.close(); await server.close(); copy.remove(); },
  };
}

/** Turns the build in `dir` into "the next version": changes index.html (a marker the test
 *  can look for) and rewrites the worker's precache list with the build's own hook. */
export function makeNewVersion(dir, marker) {
  const index = path.join(dir, 'index.html');
  const html = fs.readFileSync(index, 'utf8');
  fs.writeFileSync(index, html.replace('<head>', `<head>\n  <meta name="lsk-build-marker" content="${marker}">`));
  execFileSync('node', [path.join(ROOT, 'scripts/precache.mjs'), dir], { stdio: 'pipe' });
  return precacheOf(dir);
}

/** Waits until a service worker controls the page (first visit: after install + claim). */
export async function waitForController(page, timeout = 30_000) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, { timeout });
}

/** Cuts the network both ways: the server drops every connection and the browser is offline. */
export async function goOffline(server, context) {
  server.setOffline(true);
  await context.setOffline(true);
}

/** The cache names and, per cache, the cached URLs (paths), as the page sees them. */
export async function cachesOf(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      out[name] = (await c.keys()).map((r) => new URL(r.url).pathname.slice(1)).sort();
    }
    return out;
  });
}

/** All of localStorage, as a plain object. */
export async function storageOf(page) {
  return page.evaluate(() => Object.fromEntries(Object.keys(localStorage).sort().map((k) => [k, localStorage.getItem(k)])));
}

/** Whether an element with this test id is in the page (the other screens land over time). */
export async function has(page, testid) {
  return (await page.getByTestId(testid).count()) > 0;
}

/** The CSS selector of a test id. */
export const id = (s) => `[data-testid="${s}"]`;

/** Fills roster member `i`: name, ID number, relation, sex, birth date, medical insurance. */
export async function fillMember(page, i, m) {
  await page.locator(id(`input-members[${i}].member_name`)).fill(m.name);
  await page.locator(id(`input-members[${i}].id_number`)).fill(m.id);
  await page.locator(`${id(`choice-members[${i}].relation-${m.relation}`)} input`).check();
  await page.locator(`${id(`choice-members[${i}].sex-${m.sex}`)} input`).check();
  await page.locator(id(`input-members[${i}].birth_date`)).fill(m.birth);
  await page.locator(`${id(`choice-members[${i}].medical_insurance-yes`)} input`).check();
}

/** From the home screen: a new household with a few answers and one roster member whose ID
 *  number is `idNumber`; stays on the form (members section). */
export async function startDraft(page, idNumber = '513429197503120039') {
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  await page.locator(id('input-cadre_name')).fill('吉克阿依');
  await page.getByTestId('section-household').click();
  await page.locator(id('input-head_name')).fill('阿苏拉且');
  await page.getByTestId('section-members_section').click();
  await page.getByTestId('add-member').click();
  await page.locator(id('input-members[0].member_name')).fill('阿苏拉且');
  await page.locator(id('input-members[0].id_number')).fill(idNumber);
}

/** From the home screen: exports a plain backup of the tablet into `dir`; returns the file.
 *  A survey with a `public_key` (the shipped one) writes a plain backup only through the
 *  deliberate "unencrypted" choice, which this ticks. */
export async function downloadBackup(page, dir) {
  await page.getByTestId('export-scope-backup').check();
  const plain = page.getByTestId('export-plain');
  if (await plain.count() > 0) await plain.check();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const file = path.join(dir, 'backup.json');
  await dl.saveAs(file);
  return file;
}
