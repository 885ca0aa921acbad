// Encrypted export files (JWE, flattened JSON) opened and made with npm's `jose` — an
// implementation independent of the kit — and the TEST-ONLY key pair whose public half the
// shipped survey carries (crates/survey-core/tests/fixtures/envelope/, see its
// make_vectors.py). Never a real bureau key.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createPrivateKey, createHash, randomBytes } from 'node:crypto';
import { flattenedDecrypt, FlattenedEncrypt, importPKCS8, importSPKI } from 'jose';
import { ROOT } from './support.mjs';

const DIR = path.join(ROOT, 'crates/survey-core/tests/fixtures/envelope');
/** Passphrase of the TEST-ONLY private key file (public: it is in the repository). */
const KEY_PASSPHRASE = 'test-only-not-a-secret';
/** The kit's PBKDF2 count is above jose's default guard (10,000). */
const MAX_P2C = 10_000_000;

const b64url = (b) => Buffer.from(b).toString('base64url');

/** The test public key as the survey's `public_key` setting holds it (base64 DER). */
export const TEST_PUBLIC_KEY = fs.readFileSync(path.join(DIR, 'test-public-key.b64'), 'utf8').trim();

async function privateKey() {
  const pem = createPrivateKey({ key: fs.readFileSync(path.join(DIR, 'TEST-ONLY-private-key.pem')), passphrase: KEY_PASSPHRASE })
    .export({ type: 'pkcs8', format: 'pem' });
  return importPKCS8(pem, 'RSA-OAEP-256');
}

/** The protected header of an envelope file (readable without any key). */
export function header(bytes) {
  return JSON.parse(Buffer.from(JSON.parse(bytes.toString('utf8')).protected, 'base64url').toString('utf8'));
}

/** Opens any bureau envelope (the file, or a photo of a zip) with the test private key:
 *  `{ plaintext (bytes), protectedHeader }`. */
export async function decryptBureau(bytes) {
  const jwe = JSON.parse(bytes.toString('utf8'));
  const out = await flattenedDecrypt(jwe, await privateKey());
  assert.equal(out.protectedHeader.alg, 'RSA-OAEP-256');
  assert.equal(out.protectedHeader.enc, 'A256GCM');
  return { plaintext: Buffer.from(out.plaintext), protectedHeader: out.protectedHeader };
}

/** Opens a bureau envelope with the test private key: the export file, parsed. */
export async function openBureau(bytes) {
  return JSON.parse((await decryptBureau(bytes)).plaintext.toString('utf8'));
}

/** Opens any backup envelope (the file, or a photo of a zip) with its passphrase:
 *  `{ plaintext (bytes), protectedHeader }`. */
export async function decryptBackup(bytes, passphrase) {
  const jwe = JSON.parse(bytes.toString('utf8'));
  const out = await flattenedDecrypt(jwe, new TextEncoder().encode(passphrase), { maxPBES2Count: MAX_P2C, keyManagementAlgorithms: ['PBES2-HS256+A128KW', 'PBES2-HS512+A256KW'] });
  assert.match(out.protectedHeader.alg, /^PBES2-/);
  return { plaintext: Buffer.from(out.plaintext), protectedHeader: out.protectedHeader };
}

/** Opens a backup envelope with its passphrase: the export file, parsed. */
export async function openBackup(bytes, passphrase) {
  return JSON.parse((await decryptBackup(bytes, passphrase)).plaintext.toString('utf8'));
}

/** The routing header parameter (`lsk`) of a plain export file. */
function routing(plain) {
  const f = JSON.parse(plain);
  return {
    format: f.format, format_version: f.format_version, kind: f.kind, survey_id: f.survey.id,
    survey_version: f.survey.version, household_count: f.household_count, exported_at: f.exported_at, device: f.device ?? '',
  };
}

/** A backup envelope of the plain export text `plain`, made by jose (`edit` may change the header). */
export async function sealBackup(plain, passphrase, edit = (h) => h) {
  const h = edit({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', cty: 'json', lsk: routing(plain) });
  return Buffer.from(JSON.stringify(await new FlattenedEncrypt(new TextEncoder().encode(plain))
    .setProtectedHeader(h)
    .setKeyManagementParameters({ p2c: 600_000, p2s: randomBytes(16) })
    .encrypt(new TextEncoder().encode(passphrase))));
}

/** A bureau envelope of `plain` for the test public key, made by jose. */
export async function sealBureau(plain) {
  const der = Buffer.from(TEST_PUBLIC_KEY, 'base64');
  const pem = `-----BEGIN PUBLIC KEY-----\n${TEST_PUBLIC_KEY}\n-----END PUBLIC KEY-----`;
  const kid = b64url(createHash('sha256').update(der).digest());
  const h = { alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'json', kid, lsk: routing(plain) };
  return Buffer.from(JSON.stringify(await new FlattenedEncrypt(new TextEncoder().encode(plain))
    .setProtectedHeader(h).encrypt(await importSPKI(pem, 'RSA-OAEP-256'))));
}

/** The envelope with one member changed by `f(member value) → new value`. */
export function withMember(bytes, key, f) {
  const jwe = JSON.parse(bytes.toString('utf8'));
  jwe[key] = f(jwe[key]);
  return Buffer.from(JSON.stringify(jwe));
}

/** Every way a text could show up in a file: UTF-8, JSON \u escapes, UTF-16 (both byte
 *  orders), and base64/base64url of its UTF-8 at each of the three alignments. */
export function encodingsOf(text) {
  const utf8 = Buffer.from(text, 'utf8');
  const out = [
    ['utf-8', utf8],
    ['json \\u escapes', Buffer.from([...text].map((c) => (c.charCodeAt(0) < 128 ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join(''))],
    ['json \\u escapes (upper case)', Buffer.from([...text].map((c) => (c.charCodeAt(0) < 128 ? c : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)).join(''))],
    ['utf-16le', Buffer.from(text, 'utf16le')],
    ['utf-16be', Buffer.from(text, 'utf16le').swap16()],
  ];
  for (let shift = 0; shift < 3; shift++) {
    // Encode with `shift` leading bytes, keep only the characters that depend on the text alone.
    const padded = Buffer.concat([Buffer.alloc(shift), utf8]);
    for (const enc of ['base64', 'base64url']) {
      const s = padded.toString(enc).replace(/=+$/, '');
      const from = Math.ceil((shift * 4) / 3) + (shift ? 1 : 0);
      const to = Math.floor(((shift + utf8.length) * 4) / 3) - 1;
      if (to - from >= 8) out.push([`${enc} (offset ${shift})`, Buffer.from(s.slice(from, to))]);
    }
  }
  return out;
}

/** Asserts that none of `secrets` appears in `bytes` in any of [`encodingsOf`]. */
export function assertNoneOf(bytes, secrets) {
  for (const secret of secrets) {
    for (const [how, needle] of encodingsOf(secret)) {
      assert.equal(bytes.indexOf(needle), -1, `"${secret}" found in the file as ${how}`);
    }
  }
}
