// A tiny static server for the release build (dist/) on 127.0.0.1, for tests and benchmarks.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.woff2': 'font/woff2', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
};

/** Serves `root` on a free port of 127.0.0.1; resolves to { url, close, setOffline, sent }.
 *  `headers` are sent with every response (e.g. a Content-Security-Policy). Every file is
 *  sent whole with `Cache-Control: no-cache`; `sent` logs each one ({ path, referer }). */
export async function serve(root = DIST, { headers = {} } = {}) {
  let offline = false;
  const sent = [];
  const server = http.createServer(async (req, res) => {
    if (offline) { req.socket.destroy(); return; }
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(root, urlPath);
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'index.html');
      const body = await fs.readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
      sent.push({ path: urlPath, referer: req.headers.referer ?? '' });
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    setOffline(value) { offline = value; },
    sent,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}
