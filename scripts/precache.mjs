#!/usr/bin/env node
// Trunk post_build hook (Trunk.toml): writes the precache list of the current build into the
// service worker, so that it caches exactly the files of this build (Trunk puts a content hash
// in the names of the JS, wasm and CSS files, so the list changes with every build that
// changes them).
//
//   node scripts/precache.mjs            as a hook: the build is in $TRUNK_STAGING_DIR
//   node scripts/precache.mjs DIR        by hand, on a finished build (e.g. dist/); idempotent
//
// The list is every file of the build except sw.js itself and the forms (forms/: published
// apart from the build, cached by the worker from their own index, see assets/sw.js), each with the SHA-256 of its
// content (the worker checks what it downloads against it); the version, which names the
// worker's cache, is a hash of that list. A debug build (`trunk serve`) gets no list: its
// worker stays the self-removing one (assets/sw.js), so dev builds are never cached.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MARK = /^const PRECACHE = .*; \/\/ @precache$/m;

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('precache: no build directory (give one, or run as a Trunk hook)');
  process.exit(2);
}
const profile = process.argv[2] ? 'release' : (process.env.TRUNK_PROFILE ?? 'release');
const swPath = path.join(dir, 'sw.js');
if (!fs.existsSync(swPath)) {
  console.error(`precache: ${swPath} is missing (index.html must copy assets/sw.js)`);
  process.exit(1);
}
if (profile !== 'release') {
  console.log('precache: debug build, service worker left without a precache list (it removes itself)');
  process.exit(0);
}

/** Every file under `root`, as sorted POSIX paths relative to it. */
function walk(root, rel = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(root, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

const files = walk(dir)
  .filter((f) => f !== 'sw.js' && !f.startsWith('.') && !f.startsWith('forms/'))
  .sort()
  .map((f) => [f, sha256(fs.readFileSync(path.join(dir, f)))]);
const version = sha256(JSON.stringify(files)).slice(0, 16);

const sw = fs.readFileSync(swPath, 'utf8');
if (!MARK.test(sw)) {
  console.error(`precache: ${swPath} has no "const PRECACHE = …; // @precache" line`);
  process.exit(1);
}
const list = JSON.stringify({ version, files });
fs.writeFileSync(swPath, sw.replace(MARK, () => `const PRECACHE = ${list}; // @precache`));
console.log(`precache: version ${version}, ${files.length} files`);
