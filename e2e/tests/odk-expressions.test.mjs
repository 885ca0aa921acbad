// The expected values of crates/survey-core/tests/odk_cases.json are what ODK's own engine
// (@getodk/xpath, ODK Web Forms) gives: this runs every case through it again, so the
// cases the kit's native test (tests/odk_cases.rs) compares against cannot drift from ODK.
// Needs no build and no browser (the engine runs over jsdom, as in ODK's own tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCases, evaluateCase, expectation } from '../lib/odk-reference.mjs';

test('every expression case says what ODK\'s engine gives', () => {
  const file = readCases();
  assert.ok(file.cases.length > 300, `only ${file.cases.length} cases`);
  const differ = [];
  for (const c of file.cases) {
    const want = c.error ? { error: true } : { expected: c.expected };
    const got = expectation(evaluateCase(file, c));
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      differ.push(`${c.expr}${c.member ? ` (member ${c.member})` : ''}: file ${JSON.stringify(want)}, ODK ${JSON.stringify(got)}`);
    }
  }
  assert.deepEqual(differ, [], `${differ.length} cases differ (re-record with: node e2e/lib/odk-reference.mjs --record)`);
});
