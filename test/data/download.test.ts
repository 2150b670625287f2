import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as tarCreate } from 'tar';
import { download, downloadDataset, loadCifar10, loadMnist, progressBar } from '../../src/data/index.js';
import { rmTemp, tempDir } from './helpers.js';

/** 300 kB of deterministic bytes: large enough to arrive in several chunks. */
const BODY = Buffer.from(Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31 + (i >> 8)) % 256));
const SHA = createHash('sha256').update(BODY).digest('hex');
const MD5 = createHash('md5').update(BODY).digest('hex');

let tmp: string;
let server: http.Server;
let base: string;
/** Requests seen, as "path range" strings. */
const log: string[] = [];
/** Files served under /files/<name>. */
const files = new Map<string, Buffer>();
let flakyCalls = 0;

function serveRange(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) {
  const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
  if (m) {
    const start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      return res.end();
    }
    res.writeHead(206, {
      'content-length': body.length - start,
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
    return res.end(body.subarray(start));
  }
  res.writeHead(200, { 'content-length': body.length });
  res.end(body);
}

/** Sends the headers and the first 100 kB, then drops the connection. */
function drop(res: http.ServerResponse) {
  res.writeHead(200, { 'content-length': BODY.length });
  // end() (a FIN after the buffered bytes), not destroy(): the client must see exactly these 100 kB.
  res.write(BODY.subarray(0, 100_000), () => res.socket?.end());
}

/**
 * An answer with no Content-Length that never ends... up to 64 MiB, a guard so that a client without a limit
 * finishes (and the test fails) instead of filling the disk.
 */
function endless(res: http.ServerResponse) {
  const chunk = Buffer.alloc(65536, 0x5a);
  let sent = 0;
  res.writeHead(200);
  const pump = () => {
    while (!res.destroyed && sent < 64 * 2 ** 20) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

beforeAll(async () => {
  tmp = tempDir();
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    log.push(`${url} ${req.headers.range ?? '-'}`);
    if (url === '/file') return serveRange(req, res, BODY);
    if (url === '/norange') {
      res.writeHead(200, { 'content-length': BODY.length });
      return res.end(BODY);
    }
    if (url === '/corrupt') {
      const bad = Buffer.from(BODY);
      bad[12345] ^= 0xff;
      res.writeHead(200, { 'content-length': bad.length });
      return res.end(bad);
    }
    if (url === '/drop') return drop(res);
    if (url === '/flaky') return flakyCalls++ === 0 ? drop(res) : serveRange(req, res, BODY);
    if (url === '/redirect') {
      res.writeHead(302, { location: '/file' });
      return res.end();
    }
    if (url === '/slow') {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 1000));
      return; // never finishes
    }
    if (url.startsWith('/endless')) return endless(res);
    if (url === '/liar') {
      res.writeHead(200, { 'content-length': 10_000_000_000 });
      return res.end(BODY);
    }
    const f = /^\/files\/(.+)$/.exec(url);
    if (f && files.has(f[1])) return serveRange(req, res, files.get(f[1])!);
    res.writeHead(404);
    res.end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmTemp(tmp);
});

describe('download', () => {
  it('streams, verifies sha256 and md5, reports progress and leaves no .part', async () => {
    const dest = path.join(tmp, 'good', 'file.bin');
    const seen: [number, number | null][] = [];
    await download(`${base}/file`, dest, { sha256: SHA, md5: MD5, onProgress: (r, t) => seen.push([r, t]) });
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
    expect(seen.at(-1)).toEqual([BODY.length, BODY.length]);
    // Present and verified: not fetched again.
    const before = log.length;
    await download(`${base}/file`, dest, { sha256: SHA });
    expect(log.length).toBe(before);
    // Redirects are followed.
    const d2 = path.join(tmp, 'good', 'redirected.bin');
    await download(`${base}/redirect`, d2, { sha256: SHA });
    expect(fs.readFileSync(d2).equals(BODY)).toBe(true);
  });

  it('deletes the file and names both checksums on a mismatch', async () => {
    const dest = path.join(tmp, 'bad', 'file.bin');
    await expect(download(`${base}/corrupt`, dest, { sha256: SHA })).rejects.toThrow(
      new RegExp(
        `checksum mismatch for .*/corrupt: expected sha256 ${SHA}, got [0-9a-f]{64}; the corrupt file was deleted`,
      ),
    );
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
  });

  it('keeps the .part when the connection drops, and resumes it with a Range request', async () => {
    const dest = path.join(tmp, 'flaky', 'file.bin');
    await expect(download(`${base}/flaky`, dest, { sha256: SHA })).rejects.toThrow(
      /connection to .*\/flaky dropped after 100000 of 300000 bytes .*partial file .*file\.bin\.part is kept/,
    );
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.statSync(`${dest}.part`).size).toBe(100_000);
    await download(`${base}/flaky`, dest, { sha256: SHA });
    expect(log.at(-1)).toBe('/flaky bytes=100000-');
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
  });

  it('restarts from zero when the server ignores the Range header (200)', async () => {
    const dest = path.join(tmp, 'norange', 'file.bin');
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(`${dest}.part`, Buffer.alloc(5000, 7)); // garbage that must not be kept
    await download(`${base}/norange`, dest, { sha256: SHA });
    expect(log.at(-1)).toBe('/norange bytes=5000-');
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  it('reports HTTP errors, a connection that drops every time, and aborts', async () => {
    await expect(download(`${base}/missing`, path.join(tmp, 'x', 'm.bin'))).rejects.toThrow(
      /\/missing answered HTTP 404/,
    );
    const dest = path.join(tmp, 'drop', 'file.bin');
    await expect(download(`${base}/drop`, dest)).rejects.toThrow(/dropped after 100000 of 300000 bytes/);
    expect(fs.existsSync(dest)).toBe(false);
    const ac = new AbortController();
    const p = download(`${base}/slow`, path.join(tmp, 'slow', 'f.bin'), {
      signal: ac.signal,
      onProgress: (r) => r >= 1000 && ac.abort(),
    });
    await expect(p).rejects.toThrow(/aborted after 1000 bytes; the partial file .*f\.bin\.part is kept/);
    await expect(
      download(`${base}/slow`, path.join(tmp, 'slow', 'g.bin'), { idleTimeoutMs: 200 }),
    ).rejects.toThrow(/dropped after 1000 of 300000 bytes \(no data received for 200 ms\)/);
    await expect(download('http://127.0.0.1:1/nothing', path.join(tmp, 'x', 'n.bin'))).rejects.toThrow(
      /cannot fetch http:\/\/127\.0\.0\.1:1\/nothing/,
    );
  });
});

describe('download size limits', () => {
  it('stops an endless answer at the known size and discards the .part', async () => {
    const dest = path.join(tmp, 'endless', 'file.bin');
    let most = 0;
    await expect(
      download(`${base}/endless`, dest, { size: BODY.length, onProgress: (r) => (most = Math.max(most, r)) }),
    ).rejects.toThrow(
      /download: .*\/endless sent more than the 300000 bytes of file\.bin; the partial file was discarded/,
    );
    expect(most).toBeLessThanOrEqual(BODY.length);
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('refuses a Content-Length larger than the known size before writing anything', async () => {
    const dest = path.join(tmp, 'liar', 'file.bin');
    await expect(download(`${base}/liar`, dest, { size: BODY.length })).rejects.toThrow(
      /download: .*\/liar announces 10000000000 bytes but file\.bin is 300000 bytes/,
    );
    expect(fs.existsSync(`${dest}.part`)).toBe(false);
  });

  it('discards a .part longer than the file can be instead of resuming it', async () => {
    const dest = path.join(tmp, 'longpart', 'file.bin');
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(`${dest}.part`, Buffer.alloc(BODY.length + 5000, 7));
    const before = log.length;
    await download(`${base}/file`, dest, { sha256: SHA, size: BODY.length });
    expect(log.slice(before)).toEqual(['/file -']); // no Range request for bytes past the end
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  it('downloadDataset caps each file at its published size', async () => {
    const dir = path.join(tmp, 'ds', 'endless');
    await expect(downloadDataset('mnist', { dir, url: `${base}/endless/` })).rejects.toThrow(
      /endless\/train-images-idx3-ubyte\.gz sent more than the 9912422 bytes of train-images-idx3-ubyte\.gz/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('downloadDataset', () => {
  it('downloads and extracts CIFAR-10 from a mirror URL, loadable by loadCifar10', async () => {
    const src = path.join(tmp, 'cifarSrc', 'cifar-10-batches-bin');
    fs.mkdirSync(src, { recursive: true });
    const rec = Buffer.alloc(3073, 9);
    rec[0] = 3;
    for (const b of [
      'data_batch_1',
      'data_batch_2',
      'data_batch_3',
      'data_batch_4',
      'data_batch_5',
      'test_batch',
    ]) {
      fs.writeFileSync(path.join(src, `${b}.bin`), rec);
    }
    const tgz = path.join(tmp, 'cifar-10-binary.tar.gz');
    await tarCreate({ gzip: true, file: tgz, cwd: path.dirname(src) }, ['cifar-10-batches-bin']);
    files.set('cifar-10-binary.tar.gz', fs.readFileSync(tgz));
    const dir = path.join(tmp, 'ds', 'cifar10');
    // The published md5 does not match our tiny fixture: verification must fail and delete the file...
    await expect(downloadDataset('cifar10', { dir, url: `${base}/files/` })).rejects.toThrow(
      /checksum mismatch .*expected md5 c32a1d4ab5d03f1284b67883e8d87530/,
    );
    // ...and with verification off it downloads and extracts.
    const out = await downloadDataset('cifar10', { dir, url: `${base}/files/`, verify: false });
    expect(out).toBe(dir);
    const d = loadCifar10(dir);
    expect(d.XTrain.shape).toEqual([5, 32, 32, 3]);
    expect(d.yTest.toArray()).toEqual([3]);
    expect(fs.readdirSync(dir).sort()).toEqual(['cifar-10-batches-bin', 'cifar-10-binary.tar.gz']);
  });

  it('downloads the four MNIST files from a mirror, loadable by loadMnist', async () => {
    const idx = (type: number, dims: number[], body: Uint8Array) => {
      const head = Buffer.alloc(4 + 4 * dims.length);
      head[2] = type;
      head[3] = dims.length;
      dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
      return zlib.gzipSync(Buffer.concat([head, body]));
    };
    files.set('train-images-idx3-ubyte.gz', idx(8, [2, 2, 2], Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])));
    files.set('train-labels-idx1-ubyte.gz', idx(8, [2], Uint8Array.from([3, 4])));
    files.set('t10k-images-idx3-ubyte.gz', idx(8, [1, 2, 2], Uint8Array.from([9, 9, 9, 9])));
    files.set('t10k-labels-idx1-ubyte.gz', idx(8, [1], Uint8Array.from([5])));
    const progress = new Set<string>();
    const dir = await downloadDataset('mnist', {
      dir: path.join(tmp, 'ds', 'mnist'),
      url: `${base}/files`,
      verify: false,
      onProgress: (f) => progress.add(f),
    });
    expect([...progress].sort()).toEqual([...files.keys()].filter((f) => f.includes('ubyte')).sort());
    const d = loadMnist({ dir });
    expect(d.XTrain.toArray()).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    expect(d.yTest.toArray()).toEqual([5]);
    await expect(downloadDataset('imagenet' as 'mnist')).rejects.toThrow(/unknown data set 'imagenet'/);
    // The terminal bar (a no-op when stderr is not a TTY) accepts downloadDataset's progress calls.
    const bar = progressBar();
    bar.onProgress('a.gz', 0, 100);
    bar.onProgress('a.gz', 100, 100);
    bar.onProgress('b.gz', 5, null);
    bar.stop();
  });
});
