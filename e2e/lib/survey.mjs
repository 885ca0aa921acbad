// The shipped survey as the kit itself loads it — from its XLSForm workbook or its CSV files —
// through the form authors' tool (`liangshan-forms show`, crates/forms), so that no test or
// script reads the survey's files itself. The tool is built (or found up to date) once per
// process with cargo.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'target/debug/liangshan-forms');
let built = false;
const cache = new Map();

/** The survey of a folder (default: the shipped household survey) as `RawSurvey` JSON:
 *  `{ survey: [row…], choices: [row…], settings: {…} }`, each row an object of its set
 *  cells by column name (`type`, `name`, `label::zh`, …, `_row`). */
export function loadSurvey(dir = path.join(ROOT, 'surveys/household')) {
  if (cache.has(dir)) return cache.get(dir);
  if (!built) {
    const build = spawnSync('cargo', ['build', '--offline', '-q', '-p', 'forms', '--bin', 'liangshan-forms'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building liangshan-forms failed:\n${build.stderr}`);
    built = true;
  }
  const shown = spawnSync(BIN, ['show', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (shown.status !== 0) throw new Error(`liangshan-forms show ${dir} failed:\n${shown.stdout}${shown.stderr}`);
  const raw = JSON.parse(shown.stdout);
  cache.set(dir, raw);
  return raw;
}

/** The survey row named `name`. */
export function surveyRow(name, raw = loadSurvey()) {
  const row = raw.survey.find((r) => r.name === name);
  if (!row) throw new Error(`no survey row ${name}`);
  return row;
}

/** `{ zh, ii }` label of a survey row (Yi falls back to Chinese, as in the app). */
export function label(name, raw = loadSurvey()) {
  const r = surveyRow(name, raw);
  return { zh: r['label::zh'], ii: r['label::ii'] || r['label::zh'] };
}

/** `{ zh, ii }` label of a choice. */
export function choiceLabel(list, name, raw = loadSurvey()) {
  const r = raw.choices.find((c) => c.list_name === list && c.name === name);
  if (!r) throw new Error(`no choice ${list}/${name}`);
  return { zh: r['label::zh'], ii: r['label::ii'] || r['label::zh'] };
}

/** A setting (`form_id`, `version`, `public_key`, …), `''` when blank. */
export function setting(name, raw = loadSurvey()) {
  return raw.settings[name] ?? '';
}
