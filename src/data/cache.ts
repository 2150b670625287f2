/**
 * The decoded-data cache: decoding 60,000 JPEGs takes seconds, reading their pixels back from raw .npy
 * files takes a fraction of one. The cache lives outside the repository, in `$NABLA_DATA` when set, else
 * `~/.cache/nabla`. Entries are keyed by the source's checksum (and the loader options), so editing or
 * replacing the source invalidates them; every write is atomic (a temporary name, then a rename), so an
 * interrupted write never leaves an entry that looks complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NDArray } from '../ndarray/ndarray.js';
import { fromNpy, npyParts } from '../ndarray/npy.js';
import { writeFileAtomic } from '../nodeFiles.js';

/** Bumped whenever the layout of cache entries changes, so old entries are ignored. */
const CACHE_VERSION = 2;

/** The cache's root folder: `$NABLA_DATA`, else `~/.cache/nabla`. */
export function dataCacheDir(): string {
  const env = process.env.NABLA_DATA;
  return env && env.length > 0 ? path.resolve(env) : path.join(os.homedir(), '.cache', 'nabla');
}

interface ChecksumMemo {
  [absPath: string]: { size: number; mtimeMs: number; sha256: string };
}

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

/** sha256 of a file, streamed (no whole-file buffer). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A checksum identifying the source's contents: sha256 of the bytes for a file (memoised in the cache by
 * path, size and mtime, so a warm load does not re-hash a large archive), or for a folder sha256 of its
 * sorted file list with sizes and mtimes (hashing every image would cost as much as decoding them).
 */
export async function sourceChecksum(source: string): Promise<string> {
  const abs = path.resolve(source);
  const st = fs.statSync(abs);
  if (st.isDirectory()) {
    const hash = createHash('sha256');
    const walk = (dir: string, rel: string) => {
      const names = fs.readdirSync(dir).sort();
      for (const name of names) {
        const p = path.join(dir, name);
        const s = fs.statSync(p);
        if (s.isDirectory()) walk(p, rel + name + '/');
        else hash.update(`${rel}${name}\0${s.size}\0${s.mtimeMs}\n`);
      }
    };
    walk(abs, '');
    return 'dir-' + hash.digest('hex');
  }
  const memoFile = path.join(dataCacheDir(), 'checksums.json');
  const memo = readJson<ChecksumMemo>(memoFile, {});
  const hit = memo[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = await sha256File(abs);
  // Re-read right before writing: another process may have added entries meanwhile.
  const fresh = readJson<ChecksumMemo>(memoFile, {});
  fresh[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  try {
    writeFileAtomic(memoFile, JSON.stringify(fresh, null, 1));
  } catch {
    // A read-only cache only costs a re-hash next time.
  }
  return sha256;
}

/** The cache key of a source with the loader options that change the decoded result. */
export function cacheKey(kind: string, checksum: string, options: unknown): string {
  const h = createHash('sha256')
    .update(JSON.stringify({ v: CACHE_VERSION, kind, checksum, options }))
    .digest('hex');
  return `${kind}-${h.slice(0, 24)}`;
}

/** A cache entry: named arrays plus JSON metadata. */
export interface CacheEntry<M> {
  meta: M;
  arrays: Record<string, NDArray>;
}

/** Reads the entry `key`, or null when it is absent or unreadable (a damaged entry counts as a miss). */
export function readCacheEntry<M>(key: string): CacheEntry<M> | null {
  const dir = path.join(dataCacheDir(), key);
  const metaFile = path.join(dir, 'meta.json');
  if (!fs.existsSync(metaFile)) return null;
  try {
    const { meta, arrays: names } = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as {
      meta: M;
      arrays: string[];
    };
    const arrays: Record<string, NDArray> = {};
    for (const name of names) {
      const file = path.join(dir, `${name}.npy`);
      arrays[name] = fromNpy(fs.readFileSync(file), { name: file, view: true });
    }
    return { meta, arrays };
  } catch {
    return null;
  }
}

/**
 * Writes the entry `key`: the arrays and meta.json go to a temporary folder that is then renamed into
 * place, so readers see either no entry or a whole one. Failures are swallowed (the cache is an
 * optimisation) and reported through the return value.
 */
export function writeCacheEntry<M>(key: string, entry: CacheEntry<M>): boolean {
  const root = dataCacheDir();
  const dir = path.join(root, key);
  const tmp = path.join(root, `${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.mkdirSync(tmp, { recursive: true });
    for (const [name, arr] of Object.entries(entry.arrays)) {
      writeFileAtomic(path.join(tmp, `${name}.npy`), npyParts(arr));
    }
    writeFileAtomic(
      path.join(tmp, 'meta.json'),
      JSON.stringify({ meta: entry.meta, arrays: Object.keys(entry.arrays) }),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    return true;
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true });
    return false;
  }
}
