// The visit log (走访记录) through the real interface, as a cadre records a visit: shared by
// the visit tests (e2e/tests/visits*.test.mjs).
import path from 'node:path';
import { id, ROOT } from './support.mjs';
import { loadSurvey } from './survey.mjs';
import { finalize } from './household.mjs';

/** The shipped visit form as the kit loads it (`liangshan-forms show surveys/visit`). */
export const visitSurvey = () => loadSurvey(path.join(ROOT, 'surveys/visit'));

/** `YYYY-MM-DD`, `days` from today (negative: in the past), in the browser's time zone. */
export function day(days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** From the home screen: the id of the household whose head is `head`. */
export async function householdIdOf(page, head) {
  const row = page.locator('[data-testid^="household-row-"]').filter({ has: page.getByTestId('row-head').getByText(head, { exact: true }) });
  return (await row.getAttribute('data-testid')).slice('household-row-'.length);
}

/** Records a visit of household `hid` and closes it (back on the household's page); returns
 *  the visit's id. Starts from the home screen (its "record a visit" button on the row) or
 *  from the household's page ("new visit"). `v`: `{ date, mode: 'home' | 'phone', met,
 *  cadre, changes = ['none'], promise, due, finalize }`. */
export async function recordVisit(page, hid, v) {
  if (await page.getByTestId('household-visits').count()) {
    await page.getByTestId('new-visit').click();
  } else {
    await page.getByTestId(`record-visit-${hid}`).click();
  }
  const visit = page.getByTestId('visit-page');
  await visit.waitFor();
  const vid = await visit.getAttribute('data-id');
  await page.locator(id('input-visit_date')).fill(v.date);
  await page.locator(`${id(`choice-visit_mode-${v.mode}`)} input`).check();
  await page.locator(id('input-met_whom')).fill(v.met);
  for (const c of v.changes ?? ['none']) await page.locator(`${id(`choice-changes-${c}`)} input`).check();
  if (v.promise) {
    await page.locator(id('input-promise')).fill(v.promise);
    await page.locator(id('input-promise_due')).fill(v.due);
  }
  await page.locator(id('input-cadre_name')).fill(v.cadre);
  if (v.finalize) await finalize(page);
  await page.getByTestId('close-form').click();
  await page.getByTestId('household-visits').waitFor();
  return vid;
}

/** On a household's page: the ids of its visits as listed (newest first). */
export async function listedVisits(page) {
  const rows = page.getByTestId('visit-list').locator('[data-testid^="visit-row-"]');
  return (await rows.evaluateAll((els) => els.map((e) => e.dataset.testid))).map((t) => t.slice('visit-row-'.length));
}
