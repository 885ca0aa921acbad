// The translators' review mode in the release build: a reviewer sets their name on the
// profile screen, corrects an interface text by typing Yi with the romanized input and a
// question's label opened from the question itself, sees both in place (also after a
// reload), exports the corrections; the native apply-corrections command applies the
// exported file to a copy of the sources, a second run changes nothing, and the
// translation report counts the reviewer's texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { serve } from '../lib/server.mjs';
import { launch, ARTIFACTS } from '../lib/browser.mjs';
import { t } from '../lib/locales.mjs';
import { ROOT } from '../lib/support.mjs';
import { loadSurvey, setting, surveyRow } from '../lib/survey.mjs';
import { visitSurvey } from '../lib/visit.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

const REVIEWER = '吉克阿依莫';
const UI_KEY = 'ui/app/subtitle';
const Q_KEY = 'survey/liangshan_household/survey/head_name/label';
// Typed with the romanized input, syllable by syllable (ꆈ is YI SYLLABLE NUO).
const UI_AFTER = 'ꆈꌠ ꍏꄉ';
const Q_AFTER = 'ꑷꈓ ꌋ ꂓ';

/** Both languages of a locale string are in `text`. */
function bilingual(text, key) {
  const s = t(key);
  assert.ok(text.includes(s.zh) && text.includes(s.ii), `${key} in both languages in: ${text}`);
}

const item = (page, key) => page.locator(`[data-testid="review-item"][data-key="${key}"]`);

test('a reviewer corrects two texts, sees them in place and exports them; the command applies them', async () => {
  const b = await launch();
  let exported;
  try {
    const { page } = b;
    await page.goto(server.url);
    await page.getByTestId('home').waitFor();
    const shippedSubtitle = await page.getByTestId('app-subtitle').innerText();
    bilingual(shippedSubtitle, 'app.subtitle');

    // The way in: the profile screen, the reviewer's name asked once.
    await page.getByTestId('open-profile').click();
    const entry = page.getByTestId('review-entry');
    bilingual(await entry.innerText(), 'review.profile.heading');
    await page.getByTestId('review-start').click();
    bilingual(await page.getByTestId('review-reviewer-missing').innerText(), 'review.profile.name_required');
    await page.getByTestId('review-reviewer').fill(REVIEWER);
    await page.getByTestId('review-start').click();
    await page.getByTestId('review-page').waitFor();
    assert.equal(await page.getByTestId('review-reviewer-name').innerText(), REVIEWER);

    // Counts per status, over every text; filtering by place narrows them.
    const count = async (s) => Number(await page.getByTestId(`review-count-${s}`).innerText());
    const all = await count('all');
    assert.ok(all > 500, `every text of the interface and the survey is listed (${all})`);
    assert.equal(all, (await count('draft')) + (await count('sourced')) + (await count('reviewed')) + (await count('missing')));
    await page.getByTestId('review-place').selectOption('ui/app');
    const appTexts = await count('all');
    assert.ok(appTexts > 5 && appTexts < 30, `the app area alone: ${appTexts}`);
    assert.equal(await page.getByTestId('review-item').count(), appTexts);
    // The visit log's texts are listed too (its choice list of visit modes, for one).
    await page.getByTestId('review-place').selectOption('list/visit_mode');
    assert.deepEqual(
      await page.getByTestId('review-item').evaluateAll((els) => els.map((e) => e.dataset.key)),
      ['home', 'phone'].map((c) => `survey/liangshan_visit/choices/visit_mode/${c}/label`),
    );
    await page.getByTestId('review-place').selectOption('ui/app');

    // 1. The subtitle, corrected by typing Yi Pinyin.
    const subtitle = item(page, UI_KEY);
    assert.equal(await subtitle.getByTestId('review-zh').innerText(), t('app.subtitle').zh);
    await subtitle.getByTestId('review-correct').click();
    const edit = subtitle.getByTestId('review-edit');
    await edit.fill('');
    assert.equal(ucdPinyin('ꆈ'), 'nuo');
    for (const syllable of [...UI_AFTER]) {
      if (syllable === ' ') {
        await subtitle.getByTestId('yi-space').click();
        continue;
      }
      const pinyin = ucdPinyin(syllable);
      await subtitle.getByTestId('yi-pinyin').fill(pinyin);
      const cand = subtitle.locator(`[data-testid="yi-candidate"][data-pinyin="${pinyin}"]`);
      assert.equal((await cand.locator('span').innerText()).trim(), syllable);
      await cand.click();
      assert.equal(await subtitle.getByTestId('yi-pinyin').inputValue(), '', 'the typed pinyin is cleared');
    }
    // Enter takes the first candidate (the high tone when there is one), Backspace removes it.
    await subtitle.getByTestId('yi-pinyin').fill('bi');
    await subtitle.getByTestId('yi-pinyin').press('Enter');
    assert.equal(await edit.inputValue(), UI_AFTER + ucdSyllable('bit'));
    await subtitle.getByTestId('yi-backspace').click();
    assert.equal(await edit.inputValue(), UI_AFTER);
    await subtitle.getByTestId('yi-pinyin').fill('qqq');
    bilingual(await subtitle.getByTestId('yi-none').innerText(), 'review.keyboard.none');
    // Something that is not Yi is refused, with a message in both languages.
    await edit.fill('ꆈꌠ户主');
    await subtitle.getByTestId('review-save').click();
    const err = await subtitle.getByTestId('review-error').innerText();
    bilingual(err, 'review.msg.not_yi');
    assert.ok(err.includes('U+6237'), err);
    await edit.fill(UI_AFTER);
    await subtitle.getByTestId('review-save').click();
    assert.equal(await subtitle.getByTestId('review-ii').innerText(), UI_AFTER);
    bilingual(await subtitle.getByTestId('review-status').innerText(), 'review.status.here');

    // 2. A question's label, opened from the question in the form.
    await page.getByTestId('review-back').click();
    await page.getByTestId('back-home').click();
    // The subtitle is shown corrected in place at once.
    assert.ok((await page.getByTestId('app-subtitle').innerText()).includes(UI_AFTER));
    await page.getByTestId('new-household').click();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-household').click();
    await page.getByTestId('review-open-head_name').click();
    await page.getByTestId('review-page').waitFor();
    bilingual(await page.getByTestId('review-question').innerText(), 'review.filter.question');
    const label = item(page, Q_KEY);
    assert.equal(await label.getByTestId('review-zh').innerText(), '户主姓名');
    const shippedLabel = await label.getByTestId('review-ii').innerText();
    await label.getByTestId('review-correct').click();
    await label.getByTestId('review-edit').fill(Q_AFTER);
    await label.getByTestId('review-comment').fill('“户主”统一译法');
    await label.getByTestId('review-save').click();
    assert.equal(await label.getByTestId('review-before').innerText(), shippedLabel);

    // Kept over a reload; shown in place in the form.
    await page.reload();
    await page.getByTestId('review-page').waitFor();
    assert.equal(await item(page, Q_KEY).getByTestId('review-ii').innerText(), Q_AFTER);
    await page.getByTestId('review-clear-question').click();
    await page.getByTestId('review-filter-here').click();
    assert.equal(await count('here'), 2);
    assert.equal(await page.getByTestId('review-item').count(), 2);
    await page.getByTestId('review-back').click();
    await page.getByTestId('back-home').click();
    await page.locator('[data-testid^="open-"]:not([data-testid="open-profile"])').first().click();
    await page.getByTestId('household-form').waitFor();
    await page.getByTestId('section-household').click();
    assert.ok((await page.getByTestId('field-head_name').innerText()).includes(Q_AFTER));

    // Export.
    await page.getByTestId('review-open-head_name').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('review-export').click()]);
    exported = path.join(ARTIFACTS, download.suggestedFilename());
    await download.saveAs(exported);
    bilingual(await page.getByTestId('review-exported').innerText(), 'review.msg.exported');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }

  const file = JSON.parse(fs.readFileSync(exported, 'utf8'));
  assert.equal(file.format, 'liangshan-ii-corrections');
  assert.equal(file.reviewer, REVIEWER);
  // Made on both published forms, each with its version.
  assert.deepEqual(file.surveys, [loadSurvey(), visitSurvey()].map((raw) => ({ id: setting('form_id', raw), version: setting('version', raw) })));
  assert.deepEqual(file.corrections.map((c) => [c.key, c.ii_after]), [[UI_KEY, UI_AFTER], [Q_KEY, Q_AFTER]]);
  assert.equal(file.corrections[0].zh, t('app.subtitle').zh);
  assert.equal(file.corrections[0].ii_before, t('app.subtitle').ii);
  assert.equal(file.corrections[1].comment, '“户主”统一译法');

  // The native command, on a copy of the sources.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-review-'));
  try {
    fs.copyFileSync(path.join(ROOT, 'Cargo.toml'), path.join(copy, 'Cargo.toml'));
    fs.cpSync(path.join(ROOT, 'locales'), path.join(copy, 'locales'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'surveys'), path.join(copy, 'surveys'), { recursive: true });
    const cargo = (bin, ...args) => spawnSync('cargo', ['run', '-q', '--offline', '-p', 'translators', '--bin', bin, '--', ...args, '--root', copy], { cwd: ROOT, encoding: 'utf8' });
    const first = cargo('apply-corrections', exported);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.ok(first.stdout.includes(`「${t('app.subtitle').ii}」 → 「${UI_AFTER}」`), first.stdout);
    assert.ok(first.stdout.includes('wrote locales/ii/app.json') && first.stdout.includes('wrote surveys/household/'), first.stdout);
    const app = JSON.parse(fs.readFileSync(path.join(copy, 'locales/ii/app.json'), 'utf8'));
    assert.equal(app.subtitle, UI_AFTER);
    const status = JSON.parse(fs.readFileSync(path.join(copy, 'locales/ii-status/app.json'), 'utf8'));
    assert.equal(status.subtitle.status, 'reviewed');
    assert.equal(status.subtitle.reviewer, REVIEWER);
    // The survey as the kit loads it (workbook or CSV): the row's Yi, status and reviewer.
    const surveyDir = path.join(copy, 'surveys/household');
    const row = surveyRow('head_name', loadSurvey(surveyDir));
    assert.deepEqual([row['label::ii'], row.ii_status, row.ii_reviewer], [Q_AFTER, 'reviewed', REVIEWER]);
    const files = () => fs.readdirSync(surveyDir).map((f) => [f, fs.readFileSync(path.join(surveyDir, f))]);
    const before = files();
    const second = cargo('apply-corrections', exported);
    assert.equal(second.status, 0);
    assert.ok(second.stdout.includes('nothing to change'), second.stdout);
    assert.deepEqual(files(), before);
    const report = cargo('translation-report');
    assert.ok(report.stdout.includes(`${REVIEWER}  2`), report.stdout);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

/** The Yi Pinyin of a syllable from the Unicode Character Database, through another
 *  implementation than the kit's (Python's unicodedata): `YI SYLLABLE NUO` → `nuo`. */
function ucdPinyin(syllable) {
  const name = execFileSync('python3', ['-c', 'import sys, unicodedata; print(unicodedata.name(sys.argv[1]))', syllable], { encoding: 'utf8' }).trim();
  const m = /^YI SYLLABLE ([A-Z]+)$/.exec(name);
  assert.ok(m, name);
  return m[1].toLowerCase();
}

/** The syllable named `YI SYLLABLE <PINYIN>` in the Unicode Character Database. */
function ucdSyllable(pinyin) {
  return execFileSync('python3', ['-c', 'import sys, unicodedata; print(unicodedata.lookup("YI SYLLABLE " + sys.argv[1].upper()))', pinyin], { encoding: 'utf8' }).trim();
}
