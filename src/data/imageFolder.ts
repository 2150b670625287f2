/**
 * loadImageFolder: a folder, a .tar or a .tar.gz of `split/class/image` files (JPEG or PNG) as
 * per-split `{ X: (N, H, W, 3) uint8, y: (N,) int32 }`. This is how CIFAR-10's JPEG re-encoding
 * (`train/<class>/NNNN.jpg`, `test/<class>/...`) loads, and any user's own folder of photos.
 *
 * Decoded pixels are cached (see cache.ts), so only the first load of a source pays for decoding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { list as tarList } from 'tar';
import { NDArray } from '../ndarray/ndarray.js';
import { cacheKey, readCacheEntry, sourceChecksum, writeCacheEntry } from './cache.js';
import { decodeImages, type DecodedImage } from './decode.js';
import { resizeBilinear } from './image.js';

/** CIFAR-10's class names in its official label order (0 = airplane ... 9 = truck). */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

/** Progress of a load: `phase` is what is being counted. */
export interface LoadProgress {
  phase: 'read' | 'decode' | 'cache';
  done: number;
  total: number;
}

/** loadImageFolder's options: classes, image size, splits, cache. */
export interface ImageFolderOptions {
  /** Load only these classes, with these labels (their index here). Default: every class found, sorted
   * (CIFAR-10's official order when the class names are exactly CIFAR-10's). */
  classes?: readonly string[];
  /** Load only these splits (e.g. ['train']). Default: every split found. */
  splits?: readonly string[];
  /** Resize every image to [height, width] (bilinear, see imresize). Without it all images must share a size. */
  size?: readonly [number, number];
  /** Progress callback; a cache hit reports only the 'cache' phase (no 'decode'). */
  onProgress?: (p: LoadProgress) => void;
  /** Use the decoded-data cache (default true). */
  cache?: boolean;
  /** Decoding worker threads (default min(2, cores), or 0 (this thread) under 1024 images). */
  workers?: number;
}

/** One split: `X` (N, H, W, 3) uint8 RGB, `y` (N,) int32 labels, `files` the image paths inside the source. */
export interface ImageSplit {
  X: NDArray;
  y: NDArray;
  files: string[];
}

/** An image folder loaded: class names and, per split, images (N, H, W, C) uint8 with labels (N,). */
export interface ImageFolderData {
  classes: string[];
  splits: Record<string, ImageSplit>;
  /** True when the pixels came from the cache rather than from decoding. */
  fromCache: boolean;
}

/** An image file of the source: its bytes (from an archive) or its path (in a folder, read when decoded). */
interface RawEntry {
  rel: string;
  bytes?: Uint8Array;
  file?: string;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

const isHidden = (parts: string[]) => parts.some((p) => p.startsWith('.') || p === '__MACOSX');

/** Python's sorted() order on strings (UTF-16 code units), independent of the locale. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function readFolder(root: string): RawEntry[] {
  const out: RawEntry[] = [];
  const walk = (dir: string, rel: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p, rel + ent.name + '/');
      else if (IMAGE_EXT.test(ent.name)) out.push({ rel: rel + ent.name, file: p });
    }
  };
  walk(root, '');
  return out;
}

async function readTar(file: string, onProgress?: (n: number) => void): Promise<RawEntry[]> {
  const out: RawEntry[] = [];
  let short: string | undefined;
  try {
    await tarList({
      file,
      strict: true,
      onReadEntry: (entry) => {
        if (entry.type !== 'File' || !IMAGE_EXT.test(entry.path)) return;
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          const bytes = Buffer.concat(chunks);
          if (bytes.length !== entry.size) {
            short ??= `${entry.path} holds ${bytes.length} of its ${entry.size} bytes`;
            return;
          }
          out.push({ rel: entry.path.replace(/^\.\//, ''), bytes });
          if (out.length % 1000 === 0) onProgress?.(out.length);
        });
      },
    });
  } catch (e) {
    throw new Error(`loadImageFolder: ${file} is not a readable tar archive: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (short) throw new Error(`loadImageFolder: ${file} is truncated: ${short}`);
  return out;
}

function isTarFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(265);
    const n = fs.readSync(fd, head, 0, 265, 0);
    if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true; // gzip (a .tar.gz)
    return n >= 262 && head.toString('latin1', 257, 262) === 'ustar';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Loads a folder or .tar/.tar.gz archive of `split/class/image` files (`class/image` without splits loads
 * as one split named 'all'; a single top-level folder inside an archive is skipped). Images are ordered by
 * label, then by file name. Files other than .jpg/.jpeg/.png and hidden files are ignored; formats are
 * detected from magic bytes.
 */
export async function loadImageFolder(
  source: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderData> {
  const op = 'loadImageFolder';
  if (!fs.existsSync(source)) throw new Error(`${op}: ${source} does not exist`);
  if (options.size) {
    const [h, w] = options.size;
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0))
      throw new Error(`${op}: size must be two positive integers, got [${options.size.join(', ')}]`);
  }
  const all = await loadAll(source, options);
  return select(all, source, options);
}

/** Every split and class of the source (classes in the default order), from the cache when possible. */
async function loadAll(source: string, options: ImageFolderOptions): Promise<ImageFolderData> {
  const op = 'loadImageFolder';
  const isDir = fs.statSync(source).isDirectory();
  if (!isDir && !isTarFile(source)) {
    throw new Error(`${op}: ${source} is neither a folder nor a .tar/.tar.gz archive (bad magic bytes)`);
  }
  const useCache = options.cache ?? true;
  let key = '';
  if (useCache) {
    key = cacheKey('imagefolder', await sourceChecksum(source), { size: options.size ?? null });
    const hit = readCacheEntry<{ classes: string[]; splits: Record<string, string> }>(key);
    const fromHit = hit ? cachedData(hit.meta, hit.arrays) : null;
    if (fromHit) {
      const n = Object.values(fromHit.splits).reduce((s, sp) => s + sp.y.size, 0);
      options.onProgress?.({ phase: 'cache', done: n, total: n });
      return fromHit;
    }
  }

  const raw = isDir
    ? readFolder(source)
    : await readTar(source, (n) => options.onProgress?.({ phase: 'read', done: n, total: NaN }));
  const entries = raw
    .map((e) => ({ ...e, parts: e.rel.split('/').filter((p) => p.length > 0) }))
    .filter((e) => !isHidden(e.parts));
  if (entries.length === 0) {
    throw new Error(`${op}: ${source} holds no images (expected split/class/image.jpg or .png)`);
  }
  // A single top-level folder (common in archives: cifar10/train/cat/1.jpg) is not part of the layout.
  if (entries.every((e) => e.parts.length === 4 && e.parts[0] === entries[0].parts[0])) {
    for (const e of entries) e.parts.shift();
  }
  const depth = entries[0].parts.length;
  const odd = entries.find((e) => e.parts.length !== depth);
  if (odd || depth < 2 || depth > 3) {
    throw new Error(
      `${op}: ${source} mixes layouts (${entries[0].rel} and ${(odd ?? entries[0]).rel}); expected split/class/image`,
    );
  }
  const items = entries.map((e) => ({
    split: depth === 3 ? e.parts[0] : 'all',
    cls: e.parts[depth - 2],
    file: e.parts[depth - 1],
    rel: e.rel,
    bytes: e.bytes,
    path: e.file,
  }));

  const splitNames = [...new Set(items.map((it) => it.split))].sort(byCodeUnit);
  const found = [...new Set(items.map((it) => it.cls))].sort(byCodeUnit);
  const isCifar = found.length === CIFAR10_CLASSES.length && CIFAR10_CLASSES.every((c) => found.includes(c));
  const classes = isCifar ? [...CIFAR10_CLASSES] : found;
  const label = new Map(classes.map((c, i) => [c, i]));
  const bySplit = new Map<string, typeof items>(splitNames.map((s) => [s, []]));
  for (const it of items) bySplit.get(it.split)!.push(it);
  for (const list of bySplit.values()) {
    list.sort((a, b) => label.get(a.cls)! - label.get(b.cls)! || byCodeUnit(a.file, b.file));
  }
  const ordered = [...bySplit.values()].flat();
  const decoded = await decodeImages(
    ordered.map((it) => ({ name: `${it.rel} in ${source}`, bytes: it.bytes, file: it.path })),
    {
      workers: options.workers,
      // Resize as each image arrives, so large photos are never all held at full size.
      transform: options.size ? (img) => resizeDecoded(img, options.size![0], options.size![1]) : undefined,
      onProgress: (done, total) => options.onProgress?.({ phase: 'decode', done, total }),
    },
  );

  const [H, W] = options.size ?? [decoded[0].height, decoded[0].width];
  const splits: Record<string, ImageSplit> = {};
  let k = 0;
  for (const [s, list] of bySplit) {
    const X = new Uint8Array(list.length * H * W * 3);
    const y = new Int32Array(list.length);
    list.forEach((it, i) => {
      const img: DecodedImage = decoded[k++];
      if (img.height !== H || img.width !== W) {
        throw new Error(
          `${op}: images of differing sizes in ${source}: ${ordered[0].rel} is ${H}x${W} but ${it.rel} is ` +
            `${img.height}x${img.width} (pass { size: [h, w] } to resize)`,
        );
      }
      X.set(img.data, i * H * W * 3);
      y[i] = label.get(it.cls)!;
    });
    splits[s] = {
      X: new NDArray(X, [list.length, H, W, 3], 'uint8'),
      y: new NDArray(y, [list.length], 'int32'),
      files: list.map((it) => it.rel),
    };
  }
  if (useCache) {
    const arrays: Record<string, NDArray> = {};
    for (const [s, sp] of Object.entries(splits)) {
      arrays[`${s}_X`] = sp.X;
      arrays[`${s}_y`] = sp.y;
    }
    // File lists as one string per split: JSON-parsing 60,000 separate strings costs a tenth of a second.
    const meta = {
      classes,
      splits: Object.fromEntries(Object.entries(splits).map(([s, sp]) => [s, sp.files.join('\n')])),
    };
    writeCacheEntry(key, { meta, arrays });
  }
  return { classes, splits, fromCache: false };
}

/** The data of a cache entry, or null when the entry is not what this version writes (a miss). */
function cachedData(
  meta: { classes: string[]; splits: Record<string, string> },
  arrays: Record<string, NDArray>,
): ImageFolderData | null {
  if (!meta || !Array.isArray(meta.classes) || typeof meta.splits !== 'object') return null;
  const splits: Record<string, ImageSplit> = {};
  for (const [name, files] of Object.entries(meta.splits)) {
    const X = arrays[`${name}_X`];
    const y = arrays[`${name}_y`];
    if (typeof files !== 'string' || !X || !y || X.ndim !== 4 || X.shape[0] !== y.size) return null;
    splits[name] = { X, y, files: files.split('\n') };
  }
  return { classes: meta.classes, splits, fromCache: true };
}

/** Applies the `splits` and `classes` options: a subset of splits, and classes relabelled in the given order. */
function select(all: ImageFolderData, source: string, options: ImageFolderOptions): ImageFolderData {
  const op = 'loadImageFolder';
  const found = Object.keys(all.splits);
  const splitNames = options.splits ? [...options.splits] : found;
  for (const s of splitNames) {
    if (!found.includes(s))
      throw new Error(`${op}: ${source} has no split '${s}' (found: ${found.join(', ')})`);
  }
  const same =
    !options.classes ||
    (options.classes.length === all.classes.length && options.classes.every((c, i) => c === all.classes[i]));
  if (same) {
    return {
      classes: all.classes,
      splits: Object.fromEntries(splitNames.map((s) => [s, all.splits[s]])),
      fromCache: all.fromCache,
    };
  }
  const classes = [...options.classes!];
  const missing = classes.filter((c) => !all.classes.includes(c));
  if (missing.length > 0) throw new Error(`${op}: ${source} has no images of class ${missing.join(', ')}`);
  // Old label -> new label (-1: not wanted); images keep their order within the new label order.
  const relabel = all.classes.map((c) => classes.indexOf(c));
  const splits: Record<string, ImageSplit> = {};
  for (const s of splitNames) {
    const sp = all.splits[s];
    const y = sp.y.toTypedArray();
    const keep = [...y.keys()]
      .filter((i) => relabel[y[i]] >= 0)
      .sort((a, b) => relabel[y[a]] - relabel[y[b]] || a - b);
    if (keep.length === 0)
      throw new Error(`${op}: split '${s}' of ${source} holds no images of the chosen classes`);
    const idx = new NDArray(Int32Array.from(keep), [keep.length], 'int32');
    splits[s] = {
      X: sp.X.get(idx),
      y: new NDArray(
        Int32Array.from(keep, (i) => relabel[y[i]]),
        [keep.length],
        'int32',
      ),
      files: keep.map((i) => sp.files[i]),
    };
  }
  return { classes, splits, fromCache: all.fromCache };
}

function resizeDecoded(img: DecodedImage, h: number, w: number): DecodedImage {
  if (img.height === h && img.width === w) return img;
  return { width: w, height: h, channels: 3, data: resizeBilinear(img.data, img.height, img.width, 3, h, w) };
}
