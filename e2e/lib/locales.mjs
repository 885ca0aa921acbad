// The interface strings, read from the same locale files the app is compiled from.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../locales');
const load = (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
const zh = load('zh');
const ii = load('ii');
const get = (obj, key) => key.split('.').reduce((o, k) => o?.[k], obj);

/** `{ zh, ii }` for a dotted key; a missing Yi string falls back to Chinese, as in the app. */
export function t(key) {
  const z = get(zh, key);
  if (typeof z !== 'string') throw new Error(`no Chinese string for ${key}`);
  const y = get(ii, key);
  return { zh: z, ii: typeof y === 'string' ? y : z };
}
