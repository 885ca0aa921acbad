// The visit log (走访记录) in the release build: a household entered through the interface,
// two visits recorded for it (a home visit with a promise and its date, finalized; a phone
// call), listed on its page newest first with what the cadre entered, kept across a reload;
// the household found by its head's ID number; a visit deleted and the delete undone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { finalizeHousehold } from '../lib/household.mjs';
import { choiceLabel, label, setting } from '../lib/survey.mjs';
import { day, householdIdOf, listedVisits, recordVisit, visitSurvey } from '../lib/visit.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const both = (text, bi) => text.includes(bi.zh) && text.includes(bi.ii);

test('two visits recorded for a household, listed newest first, kept, found by ID number, deleted and undone', async () => {
  const b = await launch();
  try {
    const { page } = b;
    const head = '吉克阿木';
    await finalizeHousehold(page, server.url, head);
    const hid = await householdIdOf(page, head);

    // The first visit from the household's row: a home visit with a promise, finalized.
    const home = { date: day(-20), mode: 'home', met: '吉克阿木 本人', cadre: '王芳', promise: '协助申请危房改造补助', due: day(30), finalize: true };
    const v1 = await recordVisit(page, hid, home);
    // The second from the household's page: a phone call, left as a draft.
    const phone = { date: day(-3), mode: 'phone', met: '阿依 配偶', cadre: '王芳' };
    const v2 = await recordVisit(page, hid, phone);
    assert.equal(await page.getByTestId('household-page').getAttribute('data-id'), hid, 'back on the household page');

    const raw = visitSurvey();
    const check = async (when) => {
      assert.deepEqual(await listedVisits(page), [v2, v1], `${when}: newest visit first`);
      for (const [vid, v, status] of [[v1, home, 'finalized'], [v2, phone, 'draft']]) {
        const row = page.getByTestId(`visit-row-${vid}`);
        assert.equal(await row.getAttribute('data-status'), status, `${when}: status of ${v.mode}`);
        assert.equal(await row.getByTestId('visit-date').innerText(), v.date);
        assert.ok(both(await row.getByTestId('visit-mode').innerText(), choiceLabel('visit_mode', v.mode, raw)), `${when}: ${v.mode} named`);
        assert.ok((await row.getByTestId('visit-met').innerText()).includes(v.met));
        assert.ok((await row.getByTestId('visit-cadre').innerText()).includes(v.cadre));
        assert.ok(both(await row.getByTestId('visit-status').innerText(), t(`drafts.status.${status}`)));
      }
    };
    await check('recorded');
    await page.reload();
    await page.getByTestId('household-visits').waitFor();
    await check('after a reload');

    // The visit opens in the visit form, titled with the form and the household's head, with
    // what was entered (the promise and its date), read-only once finalized.
    await page.getByTestId(`open-visit-${v1}`).click();
    await page.getByTestId('visit-page').waitFor();
    await page.reload();
    await page.getByTestId('visit-page').waitFor();
    assert.equal(await page.getByTestId('visit-page').getAttribute('data-id'), v1, 'a reload comes back to the visit');
    const title = await page.locator('.form-title').innerText();
    assert.ok(title.includes(setting('form_title::zh', raw)) && title.includes(head), title);
    assert.equal(await page.getByTestId('input-promise_due').inputValue(), home.due);
    assert.equal(await page.getByTestId('form-status').getAttribute('data-status'), 'finalized');
    assert.ok(both(await page.getByTestId('close-form').innerText(), t('visits.back')));
    assert.ok(both(await page.getByTestId('visit-page').innerText(), label('promise', raw)));
    // Its review speaks of the visit, not of a household.
    await page.getByTestId('open-review').click();
    assert.ok(both(await page.getByTestId('review').locator('.section-title').first().innerText(), t('visits.review_title')));
    await page.getByTestId('close-form').click();
    await page.getByTestId('household-visits').waitFor();

    // The household found on the home screen by its head's ID number (part of it too).
    await page.getByTestId('close-form').click();
    await page.getByTestId('home').waitFor();
    for (const q of ['513429197503120039', '19750312']) {
      await page.getByTestId('search').fill(q);
      await page.getByTestId(`household-row-${hid}`).waitFor();
    }
    // Its row says how often it was visited and when last.
    const visitsCell = page.getByTestId(`household-row-${hid}`).getByTestId('row-visits');
    assert.equal(await visitsCell.getAttribute('data-count'), '2');
    assert.equal(await visitsCell.getAttribute('data-last'), phone.date);
    assert.ok(both(await visitsCell.innerText(), t('visits.row_last')) && (await visitsCell.innerText()).includes(phone.date));
    await page.getByTestId('search').fill('513429197503120040');
    await page.getByTestId('no-match').waitFor();
    await page.getByTestId('search').fill('');

    // Delete the phone call, then undo: both visits are back, as they were.
    await page.getByTestId(`open-${hid}`).click();
    await page.getByTestId('household-visits').waitFor();
    await page.getByTestId(`delete-visit-${v2}`).click();
    assert.ok(both(await page.getByTestId('visit-delete-dialog').innerText(), t('visits.delete_question')));
    await page.getByTestId('visit-confirm-delete').click();
    await page.getByTestId('visit-undo-bar').waitFor();
    assert.deepEqual(await listedVisits(page), [v1], 'deleted');
    await page.getByTestId('visit-undo-delete').click();
    assert.deepEqual(await listedVisits(page), [v2, v1], 'undone');
    await page.reload();
    await page.getByTestId('household-visits').waitFor();
    assert.deepEqual(await listedVisits(page), [v2, v1], 'undone for good');

    // The household deleted: its visits are not lost, they are listed on the home screen with
    // the household's id and open (back to the home screen when closed).
    await page.getByTestId('close-form').click();
    await page.getByTestId(`delete-${hid}`).click();
    await page.getByTestId('confirm-delete').click();
    const orphans = page.getByTestId('orphan-visits');
    await orphans.waitFor();
    assert.ok(both(await orphans.innerText(), t('visits.orphans_title')));
    assert.deepEqual(await orphans.locator('[data-testid^="visit-row-"]').evaluateAll((els) => els.map((e) => e.dataset.testid)), [`visit-row-${v2}`, `visit-row-${v1}`]);
    assert.deepEqual(await orphans.getByTestId('visit-household-id').allInnerTexts(), [hid, hid]);
    await page.getByTestId(`open-visit-${v2}`).click();
    await page.getByTestId('visit-page').waitFor();
    assert.ok(both(await page.getByTestId('visit-household-missing').innerText(), t('visits.household_missing')));
    assert.equal(await page.getByTestId('input-met_whom').inputValue(), phone.met);
    await page.getByTestId('close-form').click();
    await orphans.waitFor();
    assert.equal(await page.getByTestId(`household-row-${hid}`).count(), 0);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
