// ODK's own expression engine (@getodk/xpath, the engine of ODK Web Forms) run in node over
// jsdom, for the expression cases in crates/survey-core/tests/odk_cases.json: every case is
// turned into the XPath that pyxform writes for it (`${name}` → `/data/name`, a roster field
// `/data/rep/name`, or `../name` inside a member) and evaluated against an XML instance
// holding the same answers the kit's native test (tests/odk_cases.rs) gives its survey.
//
//   node lib/odk-reference.mjs --record   rewrites every case's `expected` from the engine
// The test tests/odk-expressions.test.mjs checks that the file still says what the engine says.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

export const CASES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../crates/survey-core/tests/odk_cases.json',
);

// @getodk/xpath is an ES module whose bundled tree-sitter parser (emscripten) looks for the
// CommonJS globals when it sees node, and whose DOM adapter wants a WHATWG `Node` and
// `document` on globalThis (ODK's own tests run it under jsdom the same way).
const dom = new JSDOM('');
globalThis.__dirname ??= '/';
globalThis.module ??= { exports: {} };
globalThis.Node = dom.window.Node;
globalThis.document = dom.window.document;
const { XFormsXPathEvaluator, DEFAULT_DOM_ADAPTER } = await import('@getodk/xpath');

const XPATH_ANY = 0;
const XPATH_NUMBER = 1;
const XPATH_STRING = 2;
const XPATH_BOOLEAN = 3;

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const element = (name, value) => (value === '' ? `<${name}/>` : `<${name}>${escape(value)}</${name}>`);

/** The instance XML: top-level fields, a `here` node (the context at the top level), and the
 *  roster `rep`, each member with its fields and its own `here`. */
export function instanceXml(fields, members) {
  const top = Object.entries(fields).map(([k, v]) => element(k, v)).join('');
  const reps = members
    .map((m) => `<rep>${Object.entries(m).map(([k, v]) => element(k, v)).join('')}<here/></rep>`)
    .join('');
  return `<data id="odk_cases">${top}<here/>${reps}</data>`;
}

/** `${name}` → the path pyxform writes for it, with a space on either side as pyxform
 *  writes it (absolute as `indexed-repeat()`'s first argument, relative inside the member
 *  for a field of the same member). */
export function toXPath(expr, fields, repFields, member) {
  const absolute = expr.replace(/indexed-repeat\(\s*\$\{([^}]*)\}/g, 'indexed-repeat( /data/rep/$1 ');
  return absolute.replace(/\$\{([^}]*)\}/g, (whole, name) => {
    if (name === 'rep') return ' /data/rep ';
    if (name in fields) return ` /data/${name} `;
    if (repFields.has(name)) return member ? ` ../${name} ` : ` /data/rep/${name} `;
    throw new Error(`unknown field ${whole} in ${expr}`);
  });
}

/** Evaluates one case; returns what the engine gives as text (XPath `string()` of the result,
 *  or of the first node of a node-set), or `{ error }` when the engine rejects it. */
export function evaluateCase(file, c) {
  const fields = { ...file.fields, ...(c.fields ?? {}) };
  const members = file.members;
  const repFields = new Set(members.flatMap((m) => Object.keys(m)));
  const xml = instanceXml(fields, members);
  const doc = new dom.window.DOMParser().parseFromString(xml, 'text/xml');
  const evaluator = new XFormsXPathEvaluator({
    rootNode: doc,
    domAdapter: DEFAULT_DOM_ADAPTER,
    itextTranslationsByLanguage: new Map(),
    secondaryInstancesById: new Map(),
    timeZoneId: 'UTC',
  });
  const heres = doc.getElementsByTagName('here');
  const context = c.member ? heres[c.member] : heres[0];
  const xpath = toXPath(c.expr, fields, repFields, c.member);
  try {
    const any = evaluator.evaluate(xpath, context, null, XPATH_ANY);
    const type = { [XPATH_NUMBER]: 'number', [XPATH_STRING]: 'string', [XPATH_BOOLEAN]: 'boolean' }[any.resultType] ?? 'nodes';
    return { value: evaluator.evaluate(xpath, context, null, XPATH_STRING).stringValue, type };
  } catch (e) {
    return { error: String(e.message ?? e).split('\n')[0] };
  }
}

export function readCases() {
  return JSON.parse(fs.readFileSync(CASES, 'utf8'));
}

/** What a case records: the text (half a surrogate pair, which JSON readers refuse, as
 *  U+FFFD), or that the engine rejects the expression. */
export function expectation(result) {
  return result.error !== undefined ? { error: true } : { expected: result.value.toWellFormed() };
}

/** The case file as written: one case per line, so a change reads as one line in a diff. */
export function formatCases(file) {
  const { cases, ...head } = file;
  const top = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const lines = cases.map((c) => `    ${JSON.stringify(c)}`);
  return `{\n${top.join(',\n')},\n  "cases": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--record')) {
  const file = readCases();
  for (const c of file.cases) {
    delete c.expected;
    delete c.error;
    Object.assign(c, expectation(evaluateCase(file, c)));
  }
  fs.writeFileSync(CASES, formatCases(file));
  console.log(`recorded ${file.cases.length} cases into ${CASES}`);
}
