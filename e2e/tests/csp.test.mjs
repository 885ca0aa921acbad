// The kit under its Content-Security-Policy, in the release build: the policy of
// index.html's <meta> is also sent as a header (as the README's "Deploying" asks of the
// server, with frame-ancestors), the policy is shown to be in force (an inline script is
// refused and reported), and then the main screens are used — start, a household typed in
// and reviewed, export, import preview, profile, the service worker installed and a reload
// served by it — with no violation reported (securitypolicyviolation events, the console).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { serve, DIST } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { waitForController, startDraft, downloadBackup } from '../lib/support.mjs';

const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
const POLICY = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1];

let server;
before(async () => { server = await serve(DIST, { headers: { 'content-security-policy': `${POLICY}; frame-ancestors 'none'` } }); });
after(async () => { await server.close(); });

test('the release build ships its policy and has no inline script', () => {
  assert.ok(POLICY, 'dist/index.html has a Content-Security-Policy <meta>');
  assert.match(POLICY, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.doesNotMatch(POLICY, /'unsafe-inline'|'unsafe-eval'/);
  const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => !/\bsrc=/.test(attrs) || body.trim());
  assert.deepEqual(inline.map((m) => m[0]), []);
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handler');
});

test('the kit works under the policy: no violation on the main screens, service worker included', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-csp-'));
  const b = await launch();
  const { page, context } = b;
  // The probe of the policy (an inline script, refused on purpose) is reported by hash.
  const PROBE = 'window.__inline_ran = true';
  const probeHash = crypto.createHash('sha256').update(PROBE).digest('base64');
  const logged = [];
  const watch = (p) => p.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text()) && !m.text().includes(probeHash)) logged.push(m.text());
  });
  watch(page);
  context.on('serviceworker', (w) => w.on?.('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) logged.push(`sw: ${m.text()}`); }));
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const violations = async () => page.evaluate(() => window.__csp);
  try {
    await page.goto(server.url);
    await page.getByTestId('home').waitFor();
    // In force: an inline script is refused and reported.
    const ran = await page.evaluate(async (probe) => {
      const s = document.createElement('script');
      s.textContent = probe;
      document.head.append(s);
      await new Promise((ok) => setTimeout(ok, 50));
      return window.__inline_ran === true;
    }, PROBE);
    assert.equal(ran, false, 'an inline script must not run');
    assert.ok((await violations()).some((v) => v.startsWith('script-src')), 'the refusal is reported');
    await page.evaluate(() => { window.__csp.length = 0; });

    await waitForController(page);
    await startDraft(page, '513429197503120031');
    await page.getByTestId('open-review').click();
    await page.getByTestId('review').waitFor();
    await page.getByTestId('close-form').click();
    await page.getByTestId('home').waitFor();
    const file = await downloadBackup(page, tmp);
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
    await page.getByTestId('open-profile').click();
    await page.getByTestId('profile-page').waitFor();
    assert.deepEqual(await violations(), []);
    // A reload is served by the service worker, under the same policy.
    await page.reload();
    await page.getByTestId('profile-page').or(page.getByTestId('home')).first().waitFor();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null));
    assert.deepEqual(await violations(), []);
    assert.deepEqual(logged, []);
    assert.deepEqual(b.errors.filter((e) => !e.includes(probeHash)), []);
  } finally {
    await b.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
