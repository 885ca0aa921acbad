// The household form in the release build: a household with 3 members, a wrong resident ID
// number caught and corrected, labels in both languages from the locale files and the survey
// (as the kit loads it: e2e/lib/survey.mjs), and screenshots of the form at tablet and phone
// sizes in both-languages mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { id, fillMember } from '../lib/support.mjs';
import { label, choiceLabel, surveyRow } from '../lib/survey.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });


async function openNewHousehold(page) {
  await page.goto(server.url);
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
}

test('a household with 3 members; a wrong ID number is caught and cleared when corrected', async () => {
  const b = await launch();
  const { page } = b;
  try {
    await openNewHousehold(page);

    // Section 1: visit. Labels in both languages, each tagged with its language.
    const village = page.locator(id('field-village'));
    const l = label('village');
    assert.equal(await village.locator('.field-label [lang=ii]').innerText(), l.ii);
    assert.equal(await village.locator('.field-label [lang=zh-Hans]').innerText(), l.zh);
    const laguo = choiceLabel('village', 'laguo');
    const laguoText = await page.locator(id('choice-village-laguo')).innerText();
    assert.ok(laguoText.includes(laguo.zh) && laguoText.includes(laguo.ii), laguoText);
    const next = t('form.next');
    const nextText = await page.getByTestId('next-section').innerText();
    assert.ok(nextText.includes(next.zh) && nextText.includes(next.ii), nextText);
    assert.equal(await page.getByTestId('section-visit').getAttribute('data-state'), 'not_started');

    await page.locator(`${id('choice-village-laguo')} input`).check();
    await page.locator(`${id('choice-village_group-laguo_2')} input`).check();
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    await page.locator(id('input-visit_date')).fill(today);
    await page.locator(id('input-cadre_name')).fill('吉克阿依');
    await page.locator(id('input-cadre_phone')).fill('13800138000');
    assert.equal(await page.getByTestId('section-visit').getAttribute('data-state'), 'complete');
    await page.getByTestId('next-section').click();

    // Section 2: household.
    await page.getByTestId('section-view-household').waitFor();
    await page.locator(id('input-head_name')).fill('阿苏拉且');
    await page.locator(`${id('choice-household_category-general')} input`).check();
    await page.getByTestId('next-section').click();

    // Section 3: members.
    await page.getByTestId('section-view-members_section').waitFor();
    const members = [
      { name: '阿苏拉且', id: '513429197503120039', relation: 'head', sex: 'male', birth: '1975-03-12' },
      { name: '吉克阿呷', id: '513429197808020063', relation: 'spouse', sex: 'female', birth: '1978-08-02' },
      { name: '王芳', id: '110105194912310021', relation: 'parent', sex: 'female', birth: '1949-12-31' },
    ];
    for (const [i, m] of members.entries()) {
      await page.getByTestId('add-member').click();
      await page.locator(id(`input-members[${i}].member_name`)).waitFor();
      await fillMember(page, i, m);
    }
    assert.equal(await page.getByTestId('member-count').innerText(), '3');

    // A fourth member added by mistake: removal asks first (Escape keeps the member).
    await page.getByTestId('add-member').click();
    assert.equal(await page.getByTestId('member-count').innerText(), '4');
    await page.getByTestId('remove-member-3').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'cancel-remove');
    await page.keyboard.press('Escape');
    await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('member-count').innerText(), '4');
    await page.getByTestId('remove-member-3').click();
    await page.getByTestId('confirm-remove').click();
    assert.equal(await page.getByTestId('member-count').innerText(), '3');
    await page.getByTestId('member-toggle-2').click();
    await page.locator(id('input-members[2].id_number')).waitFor();
    assert.equal(await page.getByTestId('member-name-1').innerText(), '吉克阿呷');
    const spouse = choiceLabel('relation', 'spouse');
    assert.ok((await page.getByTestId('member-relation-1').innerText()).includes(spouse.zh));
    assert.ok((await page.getByTestId('member-age-0').innerText()).match(/\d+/), 'age calculated');

    // The third member's ID has a wrong check character: an error once the field is left.
    const idInput = page.locator(id('input-members[2].id_number'));
    const idError = page.locator(id('error-members[2].id_number'));
    await idInput.focus();
    await page.keyboard.press('Tab');
    await idError.waitFor();
    const errText = await idError.innerText();
    const idRow = surveyRow('id_number');
    assert.ok(errText.includes(idRow['constraint_message::zh']), errText);
    assert.ok(errText.includes(idRow['constraint_message::ii']), errText);
    assert.ok(errText.includes(t('form.check.id_checksum').zh), errText);
    assert.ok(errText.includes(t('form.check.id_checksum').ii), errText);
    assert.equal(await idInput.getAttribute('aria-invalid'), 'true');
    assert.ok((await idInput.getAttribute('aria-describedby')).includes('msg-members[2].id_number'));
    assert.equal(await page.getByTestId('section-members_section').getAttribute('data-state'), 'has_errors');

    await page.screenshot({ path: path.join(ARTIFACTS, 'form-error-1280x800-both.png') });

    // Corrected: the error disappears while typing.
    await idInput.fill('11010519491231002X');
    await idError.waitFor({ state: 'detached' });
    assert.equal(await idInput.getAttribute('aria-invalid'), 'false');
    assert.equal(await page.getByTestId('section-members_section').getAttribute('data-state'), 'complete');

    // Chinese only, then Yi only: the same labels, one language each.
    const name = label('member_name');
    const nameLabel = page.locator(`${id('field-members[2].member_name')} .field-label`);
    await page.getByTestId('lang-zh').click();
    assert.equal((await nameLabel.innerText()).trim(), name.zh);
    await page.getByTestId('lang-ii').click();
    assert.equal((await nameLabel.innerText()).trim(), name.ii);
    assert.equal((await page.getByTestId('next-section').innerText()).trim(), t('form.next').ii);
    await page.getByTestId('lang-both').click();

    // The review lists what is still missing, in both languages, and refuses to finalize.
    await page.getByTestId('open-review').click();
    await page.getByTestId('review').waitFor();
    await page.getByTestId('finalize').click();
    const why = await page.getByTestId('finalize-blocked').innerText();
    assert.ok(why.includes(t('form.lifecycle.has_errors').zh) && why.includes(t('form.lifecycle.has_errors').ii), why);
    assert.equal(await page.locator(id('review-error-food_secure')).count(), 1);
    await page.locator(id('review-error-food_secure')).click();
    await page.getByTestId('section-view-guarantees').waitFor();
    await page.waitForFunction(() => document.activeElement?.closest('[data-testid="field-food_secure"]') !== null);

    // The Yi text is drawn with the shipped font.
    const yiFont = await page.evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px "Noto Sans Yi"', 'ꑷꈓꌊꁈ');
    });
    assert.equal(yiFont, true);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('screenshots of the form in both languages at tablet and phone sizes', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 800, height: 1280 }, { width: 390, height: 844 }]) {
    const b = await launch({ viewport });
    const { page } = b;
    const size = `${viewport.width}x${viewport.height}`;
    try {
      await openNewHousehold(page);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: path.join(ARTIFACTS, `form-visit-${size}-both.png`) });

      // Nothing overlaps horizontally: the page does not scroll sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${size}: page wider than the screen by ${overflow}px`);

      // Touch targets of choices are at least 44px tall.
      const heights = await page.locator('.choice').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
      assert.ok(heights.length > 0 && heights.every((h) => h >= 44), `${size}: choice heights ${heights}`);

      // Members: two members, the second expanded, one error and one warning shown.
      await page.getByTestId('section-members_section').click();
      for (const n of ['阿苏拉且', '吉克阿呷']) {
        await page.getByTestId('add-member').click();
        const i = Number(await page.getByTestId('member-count').innerText()) - 1;
        await page.locator(id(`input-members[${i}].member_name`)).fill(n);
      }
      await page.locator(id('input-members[1].id_number')).fill('110105194912310021');
      await page.locator(id('input-members[1].id_number')).blur();
      await page.locator(`${id('choice-members[1].relation-head')} input`).check();
      await page.locator(`${id('choice-members[1].sex-male')} input`).check();
      await page.locator(id('error-members[1].id_number')).scrollIntoViewIfNeeded();
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: path.join(ARTIFACTS, `form-members-${size}-both.png`) });
      const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow2 <= 0, `${size}: members page wider than the screen by ${overflow2}px`);

      // A warning (soft check) in the guarantees section.
      await page.getByTestId('section-guarantees').click();
      await page.locator(`${id('choice-food_secure-no')} input`).check();
      await page.locator(id('warning-food_secure')).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(ARTIFACTS, `form-warning-${size}-both.png`) });

      await page.getByTestId('open-review').click();
      await page.getByTestId('review').waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, `form-review-${size}-both.png`), fullPage: false });
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  }
});
