/**
 * A tiny static server for the demo (module Workers do not load from file:// pages):
 *
 *   npm run build:web && npx tsx web/serve.ts [port]     then open http://127.0.0.1:8080/
 *
 * Serves the files of web/dist/ (the built pages) on 127.0.0.1 only; anything outside it is refused. `/`
 * goes to the demo, `/demo` to `/demo/`.
 */
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const distDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/** Starts serving `root` on 127.0.0.1:`port` (0: any free port); resolves with the server and its URL. */
export function serveWeb(port = 0, root = distDir): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (urlPath === '/favicon.ico') {
      res.writeHead(204).end(); // the demo has none; answer so browsers log no error
      return;
    }
    if (urlPath === '/' || urlPath === '/demo') {
      res.writeHead(302, { location: '/demo/' }).end();
      return;
    }
    const file = path.join(root, urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
    const type = TYPES[path.extname(file)];
    let ok: boolean;
    try {
      ok = file.startsWith(root + path.sep) && type !== undefined && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${urlPath}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${p}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await serveWeb(Number(process.argv[2] ?? 8080));
  console.log(`nabla demo: ${url} (Ctrl-C to stop)`);
}
