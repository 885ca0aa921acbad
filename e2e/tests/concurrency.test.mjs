// Two tabs typing in one household at the same moment, in the release build: every
// character typed in either tab must be stored somewhere the enumerator can see it (the
// household itself, or the conflict copy of the tab that typed it), whatever the
// interleaving. Two pages of one browser context type character by character, at the same
// time, with random pauses, in random questions (sometimes the same one), round after
// round. The interleavings are random but repeatable: the seed is printed, and
// LSK_SEED=<seed> runs the same again (LSK_ROUNDS sets the number of rounds; LSK_DEBUG=1
// prints both pages' consoles).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { storageOf } from '../lib/support.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

/** mulberry32: a small seeded generator (repeatable runs). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Text questions of the shipped survey, with the section holding each.
const FIELDS = [
  ['cadre_name', 'section-visit'],
  ['head_name', 'section-household'],
  ['needs', 'section-assistance_section'],
  ['notes', 'section-assistance_section'],
];
// Chinese, Yi, digits and Latin: every keystroke is one of these.
const CHARS = '阿苏拉且木呷吉克ꆈꌠꀉꑳꑸꑽꀦꇴ0123456789abcxyz';

test('two tabs typing at once in random interleavings lose no character', async () => {
  const seed = Number(process.env.LSK_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const rounds = Number(process.env.LSK_ROUNDS ?? 12);
  console.log(`# concurrency seed ${seed} (LSK_SEED=${seed} repeats this run), ${rounds} rounds`);
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const b = await launch();
  try {
    const a = b.page;
    await a.goto(server.url);
    await a.getByTestId('home').waitFor();
    await a.getByTestId('new-household').click();
    const id = await a.getByTestId('household-page').getAttribute('data-id');
    const other = await b.context.newPage();
    if (process.env.LSK_DEBUG) { a.on('console', (m) => console.log('A', m.text())); other.on('console', (m) => console.log('B', m.text())); }
    await other.goto(server.url);
    await other.getByTestId(`open-${id}`).click();
    await other.getByTestId('household-form').waitFor();
    const tabs = [a, other];

    const typed = [];
    for (let round = 0; round < rounds; round++) {
      // The same question in both tabs about one round in three.
      const first = pick(FIELDS);
      const second = random() < 0.35 ? first : pick(FIELDS.filter((f) => f !== first));
      const plan = [first, second].map(([field, section]) => ({
        field, section,
        text: Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(CHARS)).join(''),
        pauses: Array.from({ length: 10 }, () => Math.floor(random() * 25)),
      }));
      for (const [i, p] of plan.entries()) {
        const page = tabs[i];
        await page.getByTestId(p.section).click();
        const input = page.getByTestId(`input-${p.field}`);
        await input.click();
        await page.keyboard.press('End');
      }
      // Both tabs type at the same time, one character per keystroke.
      await Promise.all(plan.map(async (p, i) => {
        const page = tabs[i];
        for (const [k, ch] of [...p.text].entries()) {
          await page.keyboard.insertText(ch);
          await new Promise((ok) => setTimeout(ok, p.pauses[k % p.pauses.length]));
        }
      }));
      typed.push(...plan.map((p, i) => ({ round, tab: i, field: p.field, text: p.text })));
      // Let the last saves and the other tab's storage events settle.
      await a.waitForTimeout(300);

      // Everything typed so far is in the household or in a conflict copy of the tab.
      const stored = await storageOf(a);
      const texts = Object.entries(stored)
        .filter(([k]) => k === `lsk:h:${id}` || k.startsWith(`lsk:c:${id}`))
        .map(([, v]) => v);
      for (const t of typed) {
        assert.ok(
          texts.some((v) => v.includes(t.text)),
          `seed ${seed}, round ${t.round}: tab ${t.tab} typed "${t.text}" in ${t.field}; stored: ${JSON.stringify(texts)}`,
        );
      }
    }
    const copies = Object.keys(await storageOf(a)).filter((k) => k.startsWith(`lsk:c:${id}`));
    console.log(`# ${typed.length} strings typed in ${rounds} rounds, all stored; conflict copies: ${copies.length}`);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
