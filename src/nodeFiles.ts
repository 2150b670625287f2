/**
 * node:fs and node:path for the few core modules that touch files (.npy/.npz files, Solver checkpoints),
 * and the one atomic file writer they, the data cache and the CLI share.
 * They are taken only under Node, by process.getBuiltinModule (Node >= 20.16), not by an import: a bundler
 * then sees no Node built-in to resolve, the browser bundle holds none, and no top-level await is needed (so
 * `require('nabla')` works too). In a browser or a Web Worker only calling a file function fails, with an
 * error that names it.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const fsModule = isNode ? process.getBuiltinModule('node:fs') : null;
const pathModule = isNode ? process.getBuiltinModule('node:path') : null;

function noFiles(op: string): Error {
  return new Error(`${op}: reading and writing files needs Node.js; this environment has no file system`);
}

/** node:fs, or an error naming `op` where there is none (browsers). */
export function nodeFs(op: string): typeof import('node:fs') {
  if (!fsModule) throw noFiles(op);
  return fsModule;
}

/** node:path, or an error naming `op` where there is none (browsers). */
export function nodePath(op: string): typeof import('node:path') {
  if (!pathModule) throw noFiles(op);
  return pathModule;
}

const cryptoModule = isNode ? process.getBuiltinModule('node:crypto') : null;

/** The sha256 of `bytes` as hex (Node only: checkpoints use it to pair their files). */
export function sha256Hex(bytes: Uint8Array): string {
  if (!cryptoModule) throw noFiles('sha256Hex');
  return cryptoModule.createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes `data` (text, bytes, or a list of parts written one after another, e.g. npyParts' header and
 * data without joining them) to `file` atomically: into a temporary file in the same folder (created if
 * missing), flushed to disk with fsync, then renamed over `file`. Readers see the old file or the whole new
 * one, never a half-written one, even after a crash; the temporary file is removed when anything fails.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const fs = nodeFs('writeFileAtomic');
  const path = nodePath('writeFileAtomic');
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const part of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) {
        if (typeof part === 'string') fs.writeSync(fd, part);
        else {
          // writeSync may write less than asked (and refuses more than 2 GiB at once): loop in chunks.
          let off = 0;
          while (off < part.length) off += fs.writeSync(fd, part, off, Math.min(part.length - off, 1 << 28));
        }
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
