// Drafts in the release build: nothing typed is lost by a reload in the middle of entry,
// and two tabs on the same household do not overwrite each other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

// Chinese, Nuosu Yi syllables, digits, Latin and punctuation, 84 characters.
const TEXT = '阿苏拉且ꆈꌠ2026年11月29日ꀉꑳ木呷13800138000吉克ꑸꑽꀦꇴ户主配偶子女51342919780802005X布拖县拉果村2组ꉬꀋꉬ，身份证号、住房安全等级B。';

async function openHome(page) {
  await page.goto(server.url);
  await page.getByTestId('home').waitFor();
}

/** Opens household `id` from the home list, on the section holding `head_name`. */
async function openHousehold(page, id) {
  await page.getByTestId(`open-${id}`).click();
  await page.getByTestId('household-form').waitFor();
  await page.getByTestId('section-household').click();
  await page.getByTestId('input-head_name').waitFor();
}

test('every character typed survives reloads in the middle of entry', async () => {
  const b = await launch();
  try {
    const { page } = b;
    await openHome(page);
    const newButton = await page.getByTestId('new-household').innerText();
    assert.ok(newButton.includes(t('drafts.home.new').zh) && newButton.includes(t('drafts.home.new').ii), newButton);
    await page.getByTestId('new-household').click();
    const form = page.getByTestId('household-page');
    await form.waitFor();
    const id = await form.getAttribute('data-id');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID v4 id');
    await page.getByTestId('section-household').click();
    const input = page.getByTestId('input-head_name');

    // Type in three parts, reloading right after each last keystroke (no wait, no blur).
    const cuts = [31, 59, TEXT.length];
    let done = 0;
    for (const cut of cuts) {
      await input.click();
      await input.press('End');
      await page.keyboard.type(TEXT.slice(done, cut));
      done = cut;
      await page.reload();
      // The reload comes back to the household being entered, with every character.
      await page.getByTestId('household-form').waitFor();
      assert.equal(await page.getByTestId('household-page').getAttribute('data-id'), id);
      await page.getByTestId('section-household').click();
      assert.equal(await input.inputValue(), TEXT.slice(0, done), `after ${done} characters and a reload`);
      // The home list shows it too.
      await page.getByTestId('close-form').click();
      const row = page.getByTestId(`household-row-${id}`);
      await row.waitFor();
      assert.ok((await row.innerText()).includes(TEXT.slice(0, done)), 'the list shows the head of household typed so far');
      await openHousehold(page, id);
    }
    const stored = await page.evaluate((key) => localStorage.getItem(key), `lsk:h:${id}`);
    assert.ok(stored.startsWith('LSK1 '), 'stored in the compact form');
    assert.ok(stored.includes(TEXT), 'every character is in storage');

    // The tab is killed right after a keystroke (no unload handlers run): a new tab finds it.
    await input.press('End');
    await page.keyboard.type('尾ꆈ9');
    await page.close({ runBeforeUnload: false });
    const again = await b.context.newPage();
    await openHome(again);
    await openHousehold(again, id);
    assert.equal(await again.getByTestId('input-head_name').inputValue(), `${TEXT}尾ꆈ9`);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('a tab follows the other tab on the same household and shows it', async () => {
  const b = await launch();
  try {
    const a = b.page;
    await openHome(a);
    await a.getByTestId('new-household').click();
    const id = await a.getByTestId('household-page').getAttribute('data-id');
    await a.getByTestId('section-household').click();
    await a.getByTestId('input-head_name').fill('甲窗口');

    const other = await b.context.newPage();
    await openHome(other);
    await openHousehold(other, id);
    assert.equal(await other.getByTestId('input-head_name').inputValue(), '甲窗口');

    // B types; A, with nothing unsaved, takes B's version and says so.
    await other.getByTestId('input-head_name').fill('乙窗口接着写ꆈꌠ');
    await a.getByTestId('other-tab-notice').waitFor();
    const notice = await a.getByTestId('other-tab-notice').innerText();
    assert.ok(notice.includes(t('drafts.page.other_tab').zh) && notice.includes(t('drafts.page.other_tab').ii), notice);
    assert.equal(await a.getByTestId('input-head_name').inputValue(), '乙窗口接着写ꆈꌠ');

    // A goes on from there; B follows in turn. Nothing is lost either way.
    await a.getByTestId('input-head_name').fill('乙窗口接着写ꆈꌠ，甲再写');
    await other.getByTestId('other-tab-notice').waitFor();
    assert.equal(await other.getByTestId('input-head_name').inputValue(), '乙窗口接着写ꆈꌠ，甲再写');
    const stored = await a.evaluate((key) => localStorage.getItem(key), `lsk:h:${id}`);
    assert.ok(stored.includes('乙窗口接着写ꆈꌠ，甲再写'));
    assert.equal(await a.getByTestId('conflict-banner').count(), 0);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('storage full shows the banner in both languages and saves once space is freed', async () => {
  const b = await launch();
  try {
    const { page } = b;
    await openHome(page);
    await page.getByTestId('new-household').click();
    const id = await page.getByTestId('household-page').getAttribute('data-id');
    await page.getByTestId('section-household').click();
    const input = page.getByTestId('input-head_name');
    await input.fill('满前');
    const before = await page.evaluate((key) => localStorage.getItem(key), `lsk:h:${id}`);
    // Another program on the origin fills the rest of localStorage.
    await page.evaluate(() => {
      let size = 1 << 20, i = 0;
      while (size >= 1) {
        try { localStorage.setItem(`filler:${i}`, 'x'.repeat(size)); i++; } catch { size >>= 1; }
      }
    });
    await input.fill('满前，满后仍在内存ꆈꌠ');
    const banner = page.getByTestId('storage-full');
    await banner.waitFor();
    const text = await banner.innerText();
    assert.ok(text.includes(t('drafts.banner.quota_title').zh) && text.includes(t('drafts.banner.quota_title').ii), text);
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), `lsk:h:${id}`), before, 'nothing stored changed');
    assert.equal(await input.inputValue(), '满前，满后仍在内存ꆈꌠ');

    // Space is freed; the retry stores the answer and the banner goes.
    await page.evaluate(() => {
      for (const k of Object.keys(localStorage)) if (k.startsWith('filler:')) localStorage.removeItem(k);
    });
    await page.getByTestId('retry-save').click();
    await banner.waitFor({ state: 'detached' });
    const stored = await page.evaluate((key) => localStorage.getItem(key), `lsk:h:${id}`);
    assert.ok(stored.includes('满前，满后仍在内存ꆈꌠ'));
    // The quota error is an expected, handled failure; nothing else went wrong.
    assert.deepEqual(b.errors.filter((e) => !/quota/i.test(e)), []);
  } finally {
    await b.close();
  }
});
