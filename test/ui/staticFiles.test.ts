/**
 * The dashboard's file serving (src/cli/ui/staticFiles.ts): only files under the root are served; every way
 * of naming something outside it (.., encoded or doubly encoded, %2f, backslashes, absolute paths, NUL,
 * a symbolic link that leaves the folder) gets null from resolveInside and 404 over HTTP.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside, safeSegments, staticHandler } from '../../src/cli/ui/staticFiles.js';

let base: string; // holds root/ and the secret beside it
let root: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'nabla-static-')));
  root = path.join(base, 'root');
  mkdirSync(path.join(root, 'run-a'), { recursive: true });
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(root, 'index.html'), '<p>index</p>');
  writeFileSync(path.join(root, 'run-a', 'metrics.jsonl'), '{"type":"iteration"}\n');
  writeFileSync(path.join(root, 'run-a', 'loss.svg'), '<svg/>');
  writeFileSync(path.join(root, 'a b.txt'), 'space');
  writeFileSync(path.join(root, '.hidden'), 'hidden');
  writeFileSync(path.join(base, 'secret.txt'), 'SECRET');
  writeFileSync(path.join(base, 'outside', 'index.html'), 'SECRET');
  // Links: one that stays inside the root (allowed), three that leave it (refused).
  symlinkSync(path.join(root, 'run-a'), path.join(root, 'link-in'));
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'run-a', 'leak.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'leak-dir'));
  symlinkSync('../../secret.txt', path.join(root, 'run-a', 'relative-leak.txt'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('resolveInside', () => {
  it('finds files under the root, and a folder means its index.html', () => {
    expect(resolveInside(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveInside(root, '/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveInside(root, '/run-a/metrics.jsonl')).toBe(path.join(root, 'run-a', 'metrics.jsonl'));
    expect(resolveInside(root, '/a%20b.txt')).toBe(path.join(root, 'a b.txt'));
    // A link that stays inside is followed; the answer is the real path.
    expect(resolveInside(root, '/link-in/loss.svg')).toBe(path.join(root, 'run-a', 'loss.svg'));
  });

  it('returns null for what does not exist or is not a file', () => {
    expect(resolveInside(root, '/nope.html')).toBeNull();
    expect(resolveInside(root, '/run-a/')).toBeNull(); // a folder without index.html
    expect(resolveInside(path.join(base, 'missing-root'), '/index.html')).toBeNull();
  });

  const escapes: [string, string][] = [
    ['plain ..', '/../secret.txt'],
    ['.. after a folder', '/run-a/../../secret.txt'],
    ['.. that would stay inside', '/run-a/../index.html'],
    ['. segment', '/./index.html'],
    ['%2e%2e', '/%2e%2e/secret.txt'],
    ['%2E%2E upper case', '/%2E%2E/secret.txt'],
    ['.%2e mixed', '/.%2e/secret.txt'],
    ['%2f encoded slash', '/..%2fsecret.txt'],
    ['%2e%2e%2f all encoded', '/%2e%2e%2fsecret.txt'],
    ['double encoding %252e', '/%252e%252e/secret.txt'],
    ['double encoding %252f', '/run-a%252f..%252f..%252fsecret.txt'],
    ['backslash', '/..\\secret.txt'],
    ['encoded backslash %5c', '/..%5csecret.txt'],
    ['absolute path after //', '//etc/passwd'],
    ['absolute path encoded', '/%2fetc%2fpasswd'],
    ['windows drive', '/C:/Windows/win.ini'],
    ['no leading slash', 'secret.txt'],
    ['NUL raw', '/index.html\0.png'],
    ['NUL encoded', '/index.html%00.png'],
    ['control character', '/index.html%0a'],
    ['malformed escape', '/%zz'],
    ['lone %', '/100%'],
    ['hidden file', '/.hidden'],
    ['symlink to a file outside', '/run-a/leak.txt'],
    ['relative symlink outside', '/run-a/relative-leak.txt'],
    ['symlink to a folder outside', '/leak-dir/index.html'],
    ['symlink folder index outside', '/leak-dir/'],
  ];
  it.each(escapes)('refuses %s: %j', (_what, p) => {
    expect(resolveInside(root, p)).toBeNull();
  });

  it('decodes each segment exactly once', () => {
    expect(safeSegments('/a%20b/c')).toEqual(['a b', 'c']);
    expect(safeSegments('/')).toEqual([]);
    expect(safeSegments('/run/')).toEqual(['run']);
    expect(safeSegments('/a//b')).toBeNull();
    expect(safeSegments('/%252e')).toBeNull(); // '%2e' after one decoding: never decoded again
  });
});

describe('staticHandler over HTTP', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer(staticHandler(root));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  /** Sends the path exactly as written (http.request does not normalise it, unlike fetch and browsers). */
  const get = (p: string, method = 'GET') =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }),
        );
      });
      req.on('error', reject);
      req.end();
    });

  it('serves files with their content type', async () => {
    expect(await get('/')).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>index</p>' });
    const svg = await get('/run-a/loss.svg?t=1');
    expect([svg.status, svg.type, svg.body]).toEqual([200, 'image/svg+xml', '<svg/>']);
    expect((await get('/run-a/metrics.jsonl')).type).toBe('application/x-ndjson; charset=utf-8');
    expect((await get('/index.html', 'HEAD')).body).toBe('');
    expect((await get('/index.html', 'POST')).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/%252e%252e%252fsecret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/index.html%00',
    '/run-a/leak.txt',
    '/leak-dir/index.html',
    '/nope',
  ])('answers 404 to %j and never shows the secret', async (p) => {
    const r = await get(p);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });
});
