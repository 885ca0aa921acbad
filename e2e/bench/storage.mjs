// Benchmark of drafts storage in the release build (Debian's headless Chromium). Prints
// figures; asserts nothing. Run after `trunk build --release`:
//
//   cd e2e && node bench/storage.mjs
//
// 1. bytes per stored household of the default survey, 5 members, every input answered
//    (compact form, its summary, and plain JSON for comparison);
// 2. time to store a household after a keystroke: the store's own write (encode, summary,
//    localStorage) as the app records it, and keystroke-to-stored from outside;
// 3. time to list 1,000 households: the store's list() and the home screen (first page of
//    rows drawn, all 1,000 counted) from page load.
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { loadSurvey } from '../lib/survey.mjs';

const QUOTA = 5_242_880; // UTF-16 units of localStorage per origin in Chromium

/** A household of the shipped survey, plain JSON (the kit reads it and stores it compact):
 *  5 members, every input field answered. */
function fullHousehold(id) {
  const { survey, choices, settings } = loadSurvey();
  const list = (name) => choices.filter((c) => c.list_name === name).map((c) => c.name);
  const values = {}, members = Array.from({ length: 5 }, () => ({}));
  let inRepeat = false;
  for (const row of survey) {
    const [type, arg] = row.type.split(/\s+/);
    if (type === 'begin_repeat') { inRepeat = true; continue; }
    if (type === 'end_repeat') { inRepeat = false; continue; }
    if (['begin_group', 'end_group', 'note', 'calculate'].includes(type) || row.read_only === 'yes') continue;
    const value = (m) => {
      switch (type) {
        case 'text':
          if (row.name.endsWith('id_number')) return `51342919780802${String(m).padStart(3, '0')}5`;
          if (row.name.endsWith('phone')) return '13800138000';
          return '阿苏拉且木呷';
        case 'integer': return '12';
        case 'decimal': return '1.5';
        case 'date': return '1978-08-02';
        case 'select_one': return list(arg).at(-1);
        case 'select_multiple': return list(arg).slice(0, 2).join(' ');
        default: throw new Error(`type ${type}`);
      }
    };
    if (inRepeat) members.forEach((mem, m) => { mem[row.name] = value(m); });
    else values[row.name] = value(0);
  }
  const now = '2026-11-29T08:00:00.000Z';
  return {
    id, format: 1, survey_id: settings.form_id, survey_version: settings.version, status: 'draft',
    created: now, modified: now, device: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    enumerator: { name: '吉克阿依', phone: '13800138000', unit: '凉山州住房和城乡建设局' },
    history: [{ at: now, event: 'created' }],
    record: { answers: { values, repeats: { members } } },
  };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s.at(-1) };
};
const ms = (x) => `${x.toFixed(3)} ms`;

const server = await serve();
const b = await launch();
try {
  const { page } = b;
  await page.goto(server.url);
  await page.getByTestId('home').waitFor();

  // 1. One full household, stored by the app in its compact form.
  const id = '0f8e3c2a-5b7d-4e21-9a6c-3d2b1f0e9c8d';
  const plain = JSON.stringify(fullHousehold(id));
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [`lsk:h:${id}`, plain]);
  await page.reload();
  await page.getByTestId(`open-${id}`).click();
  await page.getByTestId('household-form').waitFor();
  await page.getByTestId('section-household').click();
  const input = page.getByTestId('input-head_name');
  await input.click();
  await input.press('End');
  await page.keyboard.type('一');
  const sizes = await page.evaluate((id) => ({
    compact: localStorage.getItem(`lsk:h:${id}`).length,
    summary: localStorage.getItem(`lsk:s:${id}`).length,
    compactUtf8: new TextEncoder().encode(localStorage.getItem(`lsk:h:${id}`)).length,
  }), id);
  const keyUnits = 2 * (`lsk:h:${id}`).length;
  const perHousehold = sizes.compact + sizes.summary + keyUnits;
  console.log('— bytes per stored household (default survey, 5 members, every input answered)');
  console.log(`  plain JSON:        ${plain.length} UTF-16 units (${2 * plain.length} bytes as localStorage counts them)`);
  console.log(`  compact (stored):  ${sizes.compact} UTF-16 units (${2 * sizes.compact} bytes; ${sizes.compactUtf8} bytes UTF-8)`);
  console.log(`  summary (index):   ${sizes.summary} UTF-16 units`);
  console.log(`  with both keys:    ${perHousehold} units → ${Math.floor(QUOTA / perHousehold)} households fit in ${QUOTA} (plain JSON + summary: ${Math.floor(QUOTA / (plain.length + sizes.summary + keyUnits))})`);

  // 2. Keystrokes: the store's write as recorded by the app, and keystroke → stored from outside.
  await page.evaluate(() => { if (globalThis.__lsk_perf) globalThis.__lsk_perf['lsk:save'] = []; });
  const typed = '阿苏拉且ꆈꌠ木呷2026吉克ꑸꑽꀦꇴ'.repeat(4);
  await page.keyboard.type(typed);
  const saves = await page.evaluate(() => globalThis.__lsk_perf['lsk:save']);
  const outside = await page.evaluate(async ([id, text]) => {
    const el = document.querySelector('[data-testid=input-head_name]');
    const key = `lsk:h:${id}`;
    const out = [];
    for (const ch of text) {
      const t0 = performance.now();
      el.value += ch;
      el.dispatchEvent(new InputEvent('input', { bubbles: true, data: ch, inputType: 'insertText' }));
      const want = el.value;
      // Effects run in microtasks after the event; poll without yielding to a timer.
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) {
        await Promise.resolve();
        ok = localStorage.getItem(key).includes(want);
      }
      if (!ok) await new Promise((r) => setTimeout(r, 0));
      out.push(performance.now() - t0);
      if (!localStorage.getItem(key).includes(want)) throw new Error(`not stored: ${want}`);
    }
    return out;
  }, [id, '拉果村二组ꆈꌠ1234567890'.repeat(2)]);
  const s1 = stats(saves), s2 = stats(outside);
  console.log('— time to store the household after a keystroke (target < 2 ms)');
  console.log(`  store write (encode + summary + localStorage), ${s1.n} keystrokes: median ${ms(s1.median)}, p95 ${ms(s1.p95)}, max ${ms(s1.max)}`);
  console.log(`  keystroke → stored (input event, form update and validation, write), ${s2.n}: median ${ms(s2.median)}, p95 ${ms(s2.p95)}, max ${ms(s2.max)}`);

  // 3. 1,000 households: the stored text cloned under new ids, then the home screen.
  await page.getByTestId('close-form').click();
  await page.getByTestId('home').waitFor();
  const used = await page.evaluate((id) => {
    const text = localStorage.getItem(`lsk:h:${id}`);
    const summary = localStorage.getItem(`lsk:s:${id}`);
    for (let i = 1; i < 1000; i++) {
      const nid = `${String(i).padStart(8, '0')}-5b7d-4e21-9a6c-3d2b1f0e9c8d`;
      localStorage.setItem(`lsk:h:${nid}`, text.replaceAll(id, nid));
      localStorage.setItem(`lsk:s:${nid}`, summary.replaceAll(id, nid));
    }
    let n = 0;
    for (let i = 0; i < localStorage.length; i++) { const k = localStorage.key(i); n += k.length + localStorage.getItem(k).length; }
    return n;
  }, id);
  const lists = [], renders = [];
  for (let run = 0; run < 3; run++) {
    await page.reload();
    // The home screen draws the first 50 rows and counts all 1,000 (search reaches the rest).
    const rendered = await page.evaluate(async () => {
      const deadline = performance.now() + 60_000;
      while (!(document.querySelectorAll('[data-testid^="household-row-"]').length >= 50
        && document.querySelector('[data-testid=household-count]')?.textContent.includes('1000'))) {
        if (performance.now() > deadline) throw new Error('the home screen did not list 1,000 households');
        await new Promise((r) => requestAnimationFrame(r));
      }
      return performance.now();
    });
    renders.push(rendered);
    lists.push(...(await page.evaluate(() => globalThis.__lsk_perf['lsk:list'])));
  }
  // Back from a household to the list: the index is already in memory.
  const warm = [];
  for (let run = 0; run < 5; run++) {
    await page.locator('[data-testid^="household-row-"] .drafts-open').first().click();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('close-form').click();
    await page.getByTestId('home').waitFor();
    warm.push((await page.evaluate(() => globalThis.__lsk_perf['lsk:list'])).at(-1));
  }
  const s5 = stats(warm);
  const s3 = stats(lists), s4 = stats(renders);
  console.log('— 1,000 households');
  console.log(`  stored: ${used} of ${QUOTA} UTF-16 units (${(100 * used / QUOTA).toFixed(1)} %)`);
  console.log(`  DraftStore::list() of 1,000 from storage (after a page load): median ${ms(s3.median)}, max ${ms(s3.max)} (${s3.n} runs)`);
  console.log(`  DraftStore::list() of 1,000, index in memory (back from a household): median ${ms(s5.median)}, max ${ms(s5.max)}`);
  console.log(`  page load → home screen listing 1,000 (first 50 rows drawn): median ${ms(s4.median)}, max ${ms(s4.max)}`);
  if (b.errors.length) console.log('  page errors:', b.errors);
} finally {
  await b.close();
  await server.close();
}
