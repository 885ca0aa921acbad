// The interface strings, read from the same locale files the app is compiled from
// (locales/<lang>/<namespace>.json): used by the build (scripts/splash.mjs fills the start
// screen of index.html with them) and by the end-to-end tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../locales');
const cache = new Map();
function load(lang, ns) {
  const k = `${lang}/${ns}`;
  if (!cache.has(k)) cache.set(k, JSON.parse(fs.readFileSync(path.join(dir, lang, `${ns}.json`), 'utf8')));
  return cache.get(k);
}
const get = (obj, key) => key.split('.').reduce((o, k) => o?.[k], obj);

/** `{ zh, ii }` for a key `namespace.dotted.key`; a missing Yi string falls back to
 *  Chinese, as in the app. */
export function t(key) {
  const [ns, ...rest] = key.split('.');
  const sub = rest.join('.');
  const z = get(load('zh', ns), sub);
  if (typeof z !== 'string') throw new Error(`no Chinese string for ${key}`);
  const y = get(load('ii', ns), sub);
  return { zh: z, ii: typeof y === 'string' ? y : z };
}
