#!/usr/bin/env node
// Trunk post_build hook (Trunk.toml, run before scripts/precache.mjs): fills the start screen
// of index.html with the interface strings of the locale files, so that the page shows the
// kit's name and "loading" in Yi and Chinese from its first paint, while the wasm is still
// downloading (seconds on a village's weak network), and a message in both languages if the
// kit cannot start at all. The app removes the start screen when it mounts (src/main.rs).
//
//   node scripts/splash.mjs            as a hook: the build is in $TRUNK_STAGING_DIR
//   node scripts/splash.mjs DIR        by hand, on a finished build; idempotent
//
// In index.html an element `<… lang="ii|zh-Hans" data-i18n="namespace.key"></…>` gets the
// string of that key in its language (a missing Yi string falls back to Chinese, as in the
// app); a key that is not in the locale files fails the build.
import fs from 'node:fs';
import path from 'node:path';
import { t } from './locales.mjs';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('splash: no build directory (give one, or run as a Trunk hook)');
  process.exit(2);
}
const file = path.join(dir, 'index.html');
const html = fs.readFileSync(file, 'utf8');
const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
// Our own markup in index.html: an element whose attributes hold lang and data-i18n, with
// nothing or an earlier fill inside.
const SLOT = /<(span|p)\b([^>]*?\blang="(ii|zh-Hans)"[^>]*?\bdata-i18n="([\w.]+)"[^>]*)>[^<]*<\/\1>/g;
let count = 0;
let failed = null;
const out = html.replace(SLOT, (_, tag, attrs, lang, key) => {
  count += 1;
  try {
    const text = t(key)[lang === 'ii' ? 'ii' : 'zh'];
    return `<${tag}${attrs}>${escape(text)}</${tag}>`;
  } catch (e) {
    failed = `splash: index.html asks for ${key}, which the locale files do not have (${e.message})`;
    return _;
  }
});
if (failed) {
  console.error(failed);
  process.exit(1);
}
if (count === 0) {
  console.error('splash: index.html has no start screen strings (data-i18n)');
  process.exit(1);
}
fs.writeFileSync(file, out);
