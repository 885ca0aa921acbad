#!/usr/bin/env node
// Trunk post_build hook (Trunk.toml, after scripts/splash.mjs): a debug build (`trunk serve`)
// gets Trunk's live-reload script inline in index.html, which the Content-Security-Policy of
// index.html forbids; there the policy's <meta> is taken out. A release build keeps it as it
// is, and this hook checks that index.html then has no inline script at all.
//
//   node scripts/csp.mjs            as a hook: the build is in $TRUNK_STAGING_DIR
//   node scripts/csp.mjs DIR        by hand, on a finished release build (check only)
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp: no build directory (give one, or run as a Trunk hook)');
  process.exit(2);
}
const profile = process.argv[2] ? 'release' : (process.env.TRUNK_PROFILE ?? 'release');
const file = path.join(dir, 'index.html');
const html = fs.readFileSync(file, 'utf8');
const META = /\s*<meta http-equiv="Content-Security-Policy"[^>]*>/;
if (!META.test(html)) {
  console.error('csp: index.html has no Content-Security-Policy <meta>');
  process.exit(1);
}
if (profile !== 'release') {
  fs.writeFileSync(file, html.replace(META, ''));
  console.log('csp: debug build, Content-Security-Policy taken out (live reload is inline)');
  process.exit(0);
}
const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(([, attrs, body]) => !/\bsrc=/.test(attrs) || body.trim());
if (inline.length) {
  console.error(`csp: index.html has inline script, which its policy forbids:\n${inline.map((m) => m[0].slice(0, 200)).join('\n')}`);
  process.exit(1);
}
