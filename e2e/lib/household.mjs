// Filling, finalizing, correcting and exporting households through the real interface, as an
// enumerator does: shared by the exchange tests.
import fs from 'node:fs';
import path from 'node:path';
import { id } from './support.mjs';

/** Starts a household at `url`, fills every required answer of the shipped survey for one
 *  member (head `head`) and finalizes it through the review; back on the home screen. */
export async function finalizeHousehold(page, url, head = '阿苏拉且') {
  await page.goto(url);
  await page.getByTestId('new-household').click();
  await page.getByTestId('household-form').waitFor();
  const today = await page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  });
  const choose = (p, name) => page.locator(`${id(`choice-${p}-${name}`)} input`).check();

  await choose('village', 'laguo');
  await choose('village_group', 'laguo_2');
  await page.locator(id('input-visit_date')).fill(today);
  await page.locator(id('input-cadre_name')).fill('吉克阿依');
  await page.locator(id('input-cadre_phone')).fill('13800138000');

  await page.getByTestId('section-household').click();
  await page.locator(id('input-head_name')).fill(head);
  await choose('household_category', 'general');
  await choose('support_flags', 'dibao');

  await page.getByTestId('section-members_section').click();
  await page.getByTestId('add-member').click();
  await page.locator(id('input-members[0].member_name')).waitFor();
  await page.locator(id('input-members[0].member_name')).fill(head);
  await page.locator(id('input-members[0].id_number')).fill('513429197503120039');
  await choose('members[0].relation', 'head');
  await choose('members[0].sex', 'male');
  await page.locator(id('input-members[0].birth_date')).fill('1975-03-12');
  await choose('members[0].medical_insurance', 'yes');

  await page.getByTestId('section-guarantees').click();
  for (const f of ['food_secure', 'clothing_secure', 'education_secured', 'medical_secured', 'water_all_year', 'water_safe']) {
    await choose(f, 'yes');
  }
  await choose('housing_grade', 'a');

  await page.getByTestId('section-industry').click();
  await page.locator(id('input-pigs')).fill('2');
  await page.locator(id('input-konjac_area')).fill('1.5');

  await page.getByTestId('section-income').click();
  await page.locator(id('input-income_wage')).fill('20000');
  for (const f of ['income_business', 'income_property', 'income_transfer']) {
    await page.locator(id(`input-${f}`)).fill('0');
  }
  await finalizeAndClose(page);
}

/** From an open form: review and finalize (the form stays open). */
export async function finalize(page) {
  await page.getByTestId('open-review').click();
  await page.getByTestId('review').waitFor();
  await page.getByTestId('finalize').click();
  await page.getByTestId('finalized-note').waitFor();
}

/** From an open form: review, finalize, back to the home screen. */
export async function finalizeAndClose(page) {
  await finalize(page);
  await page.getByTestId('close-form').click();
  await page.getByTestId('home').waitFor();
}

/** Opens finalized household `hid` from the home list, reopens it with a reason, types
 *  `value` into `field` of `section`, finalizes it again and goes back home. */
export async function correct(page, url, hid, section, field, value) {
  await page.goto(url);
  await page.getByTestId(`open-${hid}`).click();
  await page.getByTestId('household-form').waitFor();
  await page.getByTestId('reopen').click();
  await page.getByTestId('reopen-reason').fill('核实后更正');
  await page.getByTestId('confirm-reopen').click();
  await page.getByTestId(`section-${section}`).click();
  await page.locator(id(`input-${field}`)).fill(value);
  await finalizeAndClose(page);
}

/** Clicks `testid` and returns the download's file name, bytes and path (saved in `dir`). */
export async function download(page, testid, dir) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const file = path.join(dir, dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(file), file };
}
