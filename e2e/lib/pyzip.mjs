// Zip files read and written by Python's `zipfile` — a zip implementation independent of
// the kit's (`rawzip`): the export .zip's reference reader, and the writer of zips
// made elsewhere for the import.
import { execFileSync } from 'node:child_process';

/** The entries of a zip as Python's zipfile reads them (CRCs checked):
 *  `[{ name, method, data }]`, in the zip's order; `method` 0 is stored. */
export function unzip(file) {
  const py = `import sys, zipfile, json, base64
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([{"name": i.filename, "method": i.compress_type, "data": base64.b64encode(z.read(i)).decode()} for i in z.infolist()]))`;
  const out = execFileSync('python3', ['-c', py, file], { maxBuffer: 1 << 29 });
  return JSON.parse(out).map((e) => ({ ...e, data: Buffer.from(e.data, 'base64') }));
}

/** Writes a zip of `entries` (`[[name, bytes]]`) into `file` with Python's zipfile, stored
 *  (or `method`, a zipfile constant such as 'ZIP_DEFLATED'); returns `file`. */
export function zipWith(file, entries, method = 'ZIP_STORED') {
  const py = `import sys, zipfile, json, base64
with zipfile.ZipFile(sys.argv[1], "w", getattr(zipfile, sys.argv[2])) as z:
    for name, data in json.load(sys.stdin): z.writestr(name, base64.b64decode(data))`;
  execFileSync('python3', ['-c', py, file, method], { input: JSON.stringify(entries.map(([n, b]) => [n, Buffer.from(b).toString('base64')])), maxBuffer: 1 << 29 });
  return file;
}
