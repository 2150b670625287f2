/**
 * Downloads: streamed over node's http/https to `dest + '.part'`, checked against a published checksum,
 * then renamed into place, so `dest` only ever holds a whole, verified file. A dropped connection keeps the
 * .part file and the next call resumes it with a Range request (when the server answers 206; a 200 restarts
 * from zero). A checksum mismatch deletes the bad file. With a known size, nothing past it is written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { optionalPackageError } from '../optionalPackage.js';
import { extract as tarExtract } from 'tar';
import { dataCacheDir } from './cache.js';

/** download's options: checksum and size to verify, progress, abort signal, timeouts, redirects. */
export interface DownloadOptions {
  /** Expected sha256 (hex) of the whole file. */
  sha256?: string;
  /** Expected md5 (hex), for sources that only publish md5 (CIFAR-10, MNIST). */
  md5?: string;
  /**
   * The file's size in bytes, when published: an answer announcing or sending more is refused (an endless
   * answer stops there, its .part discarded), and a .part longer than this is discarded instead of resumed.
   */
  size?: number;
  /** Called as bytes arrive: bytes so far (including a resumed part) and the total when known. */
  onProgress?: (received: number, total: number | null) => void;
  signal?: AbortSignal;
  /** Abort when no data arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

async function hashFile(file: string, algorithm: 'sha256' | 'md5'): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Checks `file` against the expected checksums; returns a description of the mismatch, or null. */
async function checksumMismatch(file: string, options: DownloadOptions): Promise<string | null> {
  for (const algorithm of ['sha256', 'md5'] as const) {
    const want = options[algorithm];
    if (!want) continue;
    const got = await hashFile(file, algorithm);
    if (got.toLowerCase() !== want.toLowerCase())
      return `expected ${algorithm} ${want.toLowerCase()}, got ${got}`;
  }
  return null;
}

interface Response {
  res: http.IncomingMessage;
  req: http.ClientRequest;
}

function request(
  url: string,
  headers: Record<string, string>,
  options: DownloadOptions,
  redirects = 0,
): Promise<Response> {
  const max = options.maxRedirects ?? 5;
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!lib) return reject(new Error(`download: unsupported protocol in ${url}`));
    const req = lib.get(
      u,
      { headers: { 'user-agent': 'nabla', ...headers }, signal: options.signal },
      (res) => {
        const status = res.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
          res.resume();
          if (redirects >= max) return reject(new Error(`download: too many redirects from ${url}`));
          const next = new URL(res.headers.location, url).href;
          request(next, headers, options, redirects + 1).then(resolve, reject);
          return;
        }
        resolve({ res, req });
      },
    );
    req.on('error', (e) => reject(e));
    req.setTimeout(options.idleTimeoutMs ?? 60_000, () =>
      req.destroy(new Error(`no data received for ${options.idleTimeoutMs ?? 60_000} ms`)),
    );
  });
}

/**
 * Downloads `url` to `dest`. When `dest` already exists and matches the checksum, nothing is fetched.
 * Throws an Error naming the URL and the fault: an HTTP error status, a dropped connection (the partial
 * file is kept as `dest.part` and the next call resumes it), or a checksum mismatch (the file is deleted).
 */
export async function download(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const hasChecksum = Boolean(options.sha256 || options.md5);
  if (fs.existsSync(dest)) {
    if (!hasChecksum || (await checksumMismatch(dest, options)) === null) return;
    fs.rmSync(dest); // a stale or corrupt file: fetch it again
  }
  fs.mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
  const part = `${dest}.part`;
  const name = path.basename(dest);
  const size = options.size ?? Infinity;
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (have > size) {
    fs.rmSync(part); // longer than the file can be: garbage from a bad answer, not a prefix to resume
    have = 0;
  }
  const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-` } : {};
  let response: Response;
  try {
    response = await request(url, headers, options);
  } catch (e) {
    throw new Error(`download: cannot fetch ${url}: ${(e as Error).message}`, { cause: e });
  }
  const { res } = response;
  const status = res.statusCode ?? 0;
  let start = 0;
  if (status === 206 && have > 0) {
    // Resume only when the server continues exactly where the part ends.
    const m = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== have) {
      res.resume();
      fs.rmSync(part, { force: true });
      throw new Error(
        `download: ${url} answered a range request with an unexpected Content-Range; the partial file was discarded, retry`,
      );
    }
    start = have;
  } else if (status === 416 && have > 0) {
    // The part is already as long as the file (or longer): start over to be safe.
    res.resume();
    fs.rmSync(part, { force: true });
    return download(url, dest, options);
  } else if (status !== 200) {
    res.resume();
    throw new Error(`download: ${url} answered HTTP ${status} ${res.statusMessage ?? ''}`.trim());
  }
  const length = Number(res.headers['content-length']);
  if (start + length > size) {
    res.resume();
    response.req.destroy();
    if (start > 0) fs.rmSync(part, { force: true });
    throw new Error(`download: ${url} announces ${start + length} bytes but ${name} is ${size} bytes`);
  }
  const total = Number.isFinite(length) ? start + length : Number.isFinite(size) ? size : null;
  let received = start;
  options.onProgress?.(received, total);
  // Synchronous writes, no backpressure: a paused response would drop the bytes it still buffers when the
  // connection then closes, and every byte that arrived should be kept for resuming.
  const fd = fs.openSync(part, start > 0 ? 'a' : 'w');
  let tooLong = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      res.on('data', (chunk: Buffer) => {
        if (finished) return;
        if (received + chunk.length > size) {
          tooLong = true;
          response.req.destroy();
          fail(new Error('too long'));
          return;
        }
        try {
          fs.writeSync(fd, chunk);
        } catch (e) {
          fail(e as Error);
          return;
        }
        received += chunk.length;
        options.onProgress?.(received, total);
      });
      res.on('end', () => {
        finished = true;
        resolve();
      });
      const fail = (e: Error) => {
        if (finished) return;
        finished = true;
        reject(e);
      };
      // A specific error (a timeout, a reset) may arrive just after the generic close: let it win.
      const failLater = (why: string) => setImmediate(() => fail(new Error(why)));
      res.on('error', fail);
      response.req.on('error', fail);
      res.on('aborted', () => failLater('connection aborted'));
      res.on('close', () => failLater('connection closed'));
    });
  } catch (e) {
    if (tooLong) {
      throw new Error(
        `download: ${url} sent more than the ${size} bytes of ${name}; the partial file was discarded`,
        { cause: e },
      );
    }
    if (options.signal?.aborted) {
      throw new Error(
        `download: ${url} aborted after ${received} bytes; the partial file ${part} is kept for resuming`,
        { cause: e },
      );
    }
    throw new Error(
      `download: connection to ${url} dropped after ${received}${total !== null ? ` of ${total}` : ''} bytes ` +
        `(${(e as Error).message}); the partial file ${part} is kept and the next call resumes it`,
      { cause: e },
    );
  } finally {
    fs.closeSync(fd);
    if (tooLong) fs.rmSync(part, { force: true });
  }
  if (total !== null && received < total) {
    throw new Error(
      `download: connection to ${url} dropped after ${received} of ${total} bytes; the partial file ${part} is kept and the next call resumes it`,
    );
  }
  const bad = await checksumMismatch(part, options);
  if (bad) {
    fs.rmSync(part, { force: true });
    throw new Error(`download: checksum mismatch for ${url}: ${bad}; the corrupt file was deleted`);
  }
  fs.renameSync(part, dest);
}

/** A published file of a data set: its name, URL, checksum and size in bytes. */
export interface DatasetFile {
  name: string;
  url: string;
  md5?: string;
  sha256?: string;
  size: number;
}

const MNIST_MIRROR = 'https://ossci-datasets.s3.amazonaws.com/mnist/';
const FASHION_MIRROR = 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/';

/**
 * The data sets and their published checksums: CIFAR-10's md5 is on its home page
 * (https://www.cs.toronto.edu/~kriz/cifar.html); MNIST's and Fashion-MNIST's md5s are the ones torchvision
 * verifies (Fashion-MNIST's are also in its repository's README). The sizes are those of the published files
 * (the ones torchvision's and Keras's downloaders report).
 */
export const DATASETS: Record<'cifar10' | 'mnist' | 'fashion-mnist', DatasetFile[]> = {
  cifar10: [
    {
      name: 'cifar-10-binary.tar.gz',
      url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
      size: 170052171,
    },
  ],
  mnist: (
    [
      ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873', 9912422],
      ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432', 28881],
      ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3', 1648877],
      ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c', 4542],
    ] as const
  ).map(([name, md5, size]) => ({ name, url: MNIST_MIRROR + name, md5, size })),
  'fashion-mnist': (
    [
      ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d', 26421880],
      ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe', 29515],
      ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79', 4422102],
      ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310', 5148],
    ] as const
  ).map(([name, md5, size]) => ({ name, url: FASHION_MIRROR + name, md5, size })),
};

/** The data sets downloadDataset knows. */
export type DatasetName = keyof typeof DATASETS;

/** downloadDataset's options: target folder, mirror, progress. */
export interface DownloadDatasetOptions {
  /** Where to put the data set (default: `<cache>/datasets/<name>`, see dataCacheDir). */
  dir?: string;
  /** A different base URL (a mirror): each file is fetched from `url + file name` (or `url` itself for
   * CIFAR-10 when it ends in .tar.gz). The published checksums and sizes are still verified unless `verify`
   * is false. */
  url?: string;
  verify?: boolean;
  /** Called as bytes arrive, per file: its name, bytes so far, total when known. */
  onProgress?: (file: string, received: number, total: number | null) => void;
  signal?: AbortSignal;
}

/**
 * Downloads (and for CIFAR-10 extracts) a data set into `dir` and returns the folder to load it from:
 * loadCifar10(dir) for 'cifar10' (dir/cifar-10-batches-bin), loadMnist({ dir }) / loadFashionMnist(dir).
 * Files already present with the right checksum are not fetched again.
 */
export async function downloadDataset(
  name: DatasetName,
  options: DownloadDatasetOptions = {},
): Promise<string> {
  const files = DATASETS[name];
  if (!files)
    throw new Error(
      `downloadDataset: unknown data set '${name}' (known: ${Object.keys(DATASETS).join(', ')})`,
    );
  const dir = path.resolve(options.dir ?? path.join(dataCacheDir(), 'datasets', name));
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) {
    let url = f.url;
    if (options.url)
      url =
        options.url.endsWith('.tar.gz') || options.url.endsWith('.gz')
          ? options.url
          : new URL(f.name, options.url.replace(/\/?$/, '/')).href;
    const verify = options.verify ?? true;
    await download(url, path.join(dir, f.name), {
      md5: verify ? f.md5 : undefined,
      sha256: verify ? f.sha256 : undefined,
      size: verify ? f.size : undefined,
      signal: options.signal,
      onProgress: options.onProgress ? (r, t) => options.onProgress!(f.name, r, t) : undefined,
    });
  }
  if (name === 'cifar10') {
    const target = path.join(dir, 'cifar-10-batches-bin');
    if (!fs.existsSync(path.join(target, 'test_batch.bin'))) {
      // Extract into a temporary folder, then rename: an interrupted extraction leaves no half folder.
      const tmp = fs.mkdtempSync(path.join(dir, '.extract-'));
      try {
        await tarExtract({ file: path.join(dir, files[0].name), cwd: tmp, strict: true });
        const inner = path.join(tmp, 'cifar-10-batches-bin');
        if (!fs.existsSync(path.join(inner, 'test_batch.bin'))) {
          throw new Error(
            `downloadDataset: ${files[0].name} does not contain cifar-10-batches-bin/test_batch.bin`,
          );
        }
        fs.rmSync(target, { recursive: true, force: true });
        fs.renameSync(inner, target);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
  }
  return dir;
}

/** A terminal progress bar (cli-progress) for downloadDataset's onProgress; call stop() when done. */
export function progressBar(): {
  /** Draws the bar; pass as downloadDataset's onProgress. */
  onProgress: (file: string, received: number, total: number | null) => void;
  /** Ends the bar. */
  stop: () => void;
} {
  interface Bar {
    start(total: number, value: number, payload?: object): void;
    update(value: number, payload?: object): void;
    setTotal(total: number): void;
    stop(): void;
  }
  const requireOptional = (op: string, pkg: string): unknown => {
    try {
      return createRequire(import.meta.url)(pkg);
    } catch (err) {
      throw optionalPackageError(op, pkg, err);
    }
  };
  const cli = requireOptional('progressBar', 'cli-progress') as {
    SingleBar: new (opts: object, preset: object) => Bar;
    Presets: { shades_classic: object };
  };
  const bar = new cli.SingleBar(
    { format: '{file} [{bar}] {percentage}% | {mb} MB', hideCursor: true, stream: process.stderr },
    cli.Presets.shades_classic,
  );
  let current = '';
  return {
    onProgress: (file, received, total) => {
      const payload = { file, mb: (received / 2 ** 20).toFixed(1) };
      if (file !== current) {
        if (current) bar.stop();
        current = file;
        bar.start(total ?? 0, received, payload);
      } else bar.update(received, payload);
    },
    stop: () => {
      if (current) bar.stop();
    },
  };
}
