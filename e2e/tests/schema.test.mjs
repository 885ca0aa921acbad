// The export format's JSON Schema (schema/export-v1.schema.json, generated from the core's
// types) in a strict validator other than the core's own: ajv in strict mode, draft 2020-12,
// with the standard formats asserted. Strict mode refuses any keyword or `format` it does
// not know, so a schema that only lenient tools accept fails here. A backup written by the
// release build (a draft household with a roster member) must validate against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { serve } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { ROOT, startDraft, downloadBackup } from '../lib/support.mjs';

let server;
before(async () => { server = await serve(); });
after(async () => { await server.close(); });

function strictValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schema/export-v1.schema.json'), 'utf8'));
  return ajv.compile(schema);
}

test('the export schema compiles in ajv strict mode (draft 2020-12, formats asserted)', () => {
  assert.doesNotThrow(strictValidator);
});

test('a backup written by the kit validates against the schema in ajv strict mode', async () => {
  const validate = strictValidator();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lsk-schema-'));
  const b = await launch();
  try {
    const { page } = b;
    await page.goto(server.url);
    await startDraft(page);
    await page.getByTestId('close-form').click();
    await page.getByTestId('exchange-panel').waitFor();
    const file = await downloadBackup(page, tmp);
    const v = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(v.kind, 'backup');
    assert.equal(v.household_count, 1);
    assert.ok(validate(v), JSON.stringify(validate.errors, null, 2));
    // The validator is not a rubber stamp: a wrong count type is refused.
    assert.equal(validate({ ...v, household_count: -1 }), false);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
