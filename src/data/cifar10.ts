/**
 * CIFAR-10: the official binary batches (loadCifar10), and the course's data helper getCifar10Data
 * (CS231n's data_utils.get_CIFAR10_data) over either the binary batches or the JPEG re-encoding.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NDArray } from '../ndarray/ndarray.js';
import { allocate, isFloat, type DType } from '../ndarray/dtype.js';
import { Generator } from '../ndarray/random.js';
import { CIFAR10_CLASSES, loadImageFolder, type LoadProgress } from './imageFolder.js';
import type { TrainValTest } from './splits.js';

export { CIFAR10_CLASSES };

/** CIFAR-10 as the course loads it: images (N, 32, 32, 3) uint8 RGB, labels (N,) int32 in 0..9. */
export interface Cifar10 {
  XTrain: NDArray;
  yTrain: NDArray;
  XTest: NDArray;
  yTest: NDArray;
}

const RECORD = 1 + 3072;
const BATCHES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];

/** The folder holding data_batch_1.bin: `dir` itself or its cifar-10-batches-bin/ (where the tar extracts). */
function batchDir(dir: string): string | null {
  for (const d of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    if (fs.existsSync(path.join(d, 'data_batch_1.bin'))) return d;
  }
  return null;
}

/**
 * Reads binary batch files: each record is 1 label byte then 3072 pixel bytes (1024 red, 1024 green,
 * 1024 blue, each 32x32 row-major), converted here to (N, 32, 32, 3) HWC.
 */
function readBatches(files: string[]): { X: NDArray; y: NDArray } {
  const sizes = files.map((f) => {
    if (!fs.existsSync(f)) throw new Error(`loadCifar10: ${f} does not exist`);
    const size = fs.statSync(f).size;
    if (size === 0 || size % RECORD !== 0) {
      throw new Error(
        `loadCifar10: ${f} is ${size} bytes, not a whole number of ${RECORD}-byte records (truncated or not a CIFAR-10 batch)`,
      );
    }
    return size / RECORD;
  });
  const n = sizes.reduce((a, b) => a + b, 0);
  const X = new Uint8Array(n * 3072);
  const y = new Int32Array(n);
  let r = 0;
  files.forEach((f) => {
    const buf = fs.readFileSync(f);
    for (let off = 0; off + RECORD <= buf.length; off += RECORD, r++) {
      const label = buf[off];
      if (label > 9) {
        throw new Error(`loadCifar10: ${f} record ${off / RECORD} has label ${label}, out of range 0..9`);
      }
      y[r] = label;
      const o = r * 3072;
      for (let p = 0; p < 1024; p++) {
        X[o + 3 * p] = buf[off + 1 + p];
        X[o + 3 * p + 1] = buf[off + 1 + 1024 + p];
        X[o + 3 * p + 2] = buf[off + 1 + 2048 + p];
      }
    }
  });
  return { X: new NDArray(X, [n, 32, 32, 3], 'uint8'), y: new NDArray(y, [n], 'int32') };
}

/**
 * Loads the official binary CIFAR-10 from `dir` (the folder with data_batch_1..5.bin and test_batch.bin, or
 * its parent): XTrain (50000, 32, 32, 3) uint8, yTrain (50000,) int32, XTest (10000, 32, 32, 3), yTest.
 */
export function loadCifar10(dir: string): Cifar10 {
  const d = batchDir(dir);
  if (!d)
    throw new Error(
      `loadCifar10: no data_batch_1.bin in ${dir} or ${path.join(dir, 'cifar-10-batches-bin')}`,
    );
  const train = readBatches(BATCHES.map((b) => path.join(d, b)));
  const test = readBatches([path.join(d, 'test_batch.bin')]);
  return { XTrain: train.X, yTrain: train.y, XTest: test.X, yTest: test.y };
}

/** The shared JPEG archive, looked for next to the project (../shared/datasets) and at /work/shared. */
function defaultSources(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const rel = path.join('shared', 'datasets', 'cifar10-jpeg.tar.gz');
  return [
    path.resolve(process.cwd(), '..', rel),
    // src/data or dist/src/data inside the package: the package root is two or three levels up.
    path.resolve(here, '..', '..', '..', rel),
    path.resolve(here, '..', '..', '..', '..', rel),
  ];
}

/**
 * Where CIFAR-10 comes from: `source` (or `cifar10Dir`), else `$NABLA_CIFAR10`, else the shared JPEG
 * archive when present. Throws when none exists.
 */
export function resolveCifar10Source(source?: string): string {
  const given = source ?? process.env.NABLA_CIFAR10;
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`getCifar10Data: CIFAR-10 source ${given} does not exist`);
    return given;
  }
  const found = defaultSources().find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      'getCifar10Data: no CIFAR-10 found; pass { source } (the binary batches folder or cifar10-jpeg.tar.gz), ' +
        'set NABLA_CIFAR10, or run downloadDataset("cifar10")',
    );
  }
  return found;
}

/** loadCifar10Any's options: progress and the shuffle of the JPEG source. */
export interface LoadCifar10AnyOptions {
  /** Called as the files are read and decoded. */
  onProgress?: (p: LoadProgress) => void;
  /** Seed of the fixed shuffle applied to the JPEG source (default 0); see loadCifar10Any. */
  shuffleSeed?: number;
}

/**
 * CIFAR-10 from either source: a folder of binary batches, or a folder/archive of JPEGs. The JPEG archive
 * is stored class by class, so its train and test sets are shuffled with a fixed seed: the course takes the
 * first 49,000 images for training and the next 1,000 for validation, which must not be all trucks.
 * (The official binary batches are already shuffled and are kept in their order.)
 */
export async function loadCifar10Any(source: string, options: LoadCifar10AnyOptions = {}): Promise<Cifar10> {
  const { data, permTrain, permTest } = await loadCifar10Unshuffled(source, options);
  if (!permTrain || !permTest) return data;
  return {
    XTrain: takeRows(data.XTrain, permTrain),
    yTrain: takeRows(data.yTrain, permTrain),
    XTest: takeRows(data.XTest, permTest),
    yTest: takeRows(data.yTest, permTest),
  };
}

/**
 * CIFAR-10 as stored, plus the fixed permutations loadCifar10Any applies (null for the binary batches), so
 * getCifar10Data can read through them without copying 180 MB first.
 */
async function loadCifar10Unshuffled(
  source: string,
  options: LoadCifar10AnyOptions,
): Promise<{ data: Cifar10; permTrain: Int32Array | null; permTest: Int32Array | null }> {
  if (fs.statSync(source).isDirectory() && batchDir(source)) {
    return { data: loadCifar10(source), permTrain: null, permTest: null };
  }
  const folder = await loadImageFolder(source, {
    classes: CIFAR10_CLASSES,
    splits: ['train', 'test'],
    onProgress: options.onProgress,
  });
  const { train, test } = folder.splits;
  const rng = new Generator(options.shuffleSeed ?? 0);
  const permTrain = rng.permutation(train.y.size).toTypedArray() as Int32Array;
  const permTest = rng.permutation(test.y.size).toTypedArray() as Int32Array;
  return { data: { XTrain: train.X, yTrain: train.y, XTest: test.X, yTest: test.y }, permTrain, permTest };
}

/** X[idx] along axis 0 for a contiguous X: whole rows copied with typed-array set (fancy indexing is generic). */
function takeRows(X: NDArray, idx: ArrayLike<number>): NDArray {
  const src = X.toTypedArray();
  const row = X.size / X.shape[0];
  const out = allocate(X.dtype, idx.length * row);
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i] * row, (idx[i] + 1) * row), i * row);
  return new NDArray(out, [idx.length, ...X.shape.slice(1)], X.dtype);
}

/** getCifar10Data's options: split sizes, preprocessing, progress (the course's get_CIFAR10_data). */
export interface GetCifar10DataOptions {
  numTraining?: number;
  numValidation?: number;
  numTest?: number;
  subtractMean?: boolean;
  /** (N, 3, 32, 32) when true (the course's assignments 2-3), (N, 32, 32, 3) when false. */
  channelsFirst?: boolean;
  dtype?: DType;
  /** The binary batches folder or the JPEG archive/folder (default: see resolveCifar10Source). */
  source?: string;
  /** Alias of `source`. */
  cifar10Dir?: string;
  /** Called as the files are read and decoded. */
  onProgress?: (p: LoadProgress) => void;
  shuffleSeed?: number;
}

/** The course's split: train/val/test as `dtype`, mean-subtracted, and the mean image (same layout as X). */
export interface Cifar10Data extends TrainValTest {
  /** The mean training image, (3, 32, 32) or (32, 32, 3); subtracted from every set when subtractMean. */
  meanImage: NDArray;
}

/**
 * CS231n's get_CIFAR10_data: the first numTraining training images for training, the next numValidation
 * for validation, the first numTest test images; the training mean image subtracted from all three
 * (computed in float64, as numpy does on float arrays); transposed to channels-first; cast to `dtype`.
 */
export async function getCifar10Data(options: GetCifar10DataOptions = {}): Promise<Cifar10Data> {
  const {
    numTraining = 49000,
    numValidation = 1000,
    numTest = 1000,
    subtractMean = true,
    channelsFirst = true,
    dtype = 'float32',
  } = options;
  if (!isFloat(dtype)) throw new Error(`getCifar10Data: dtype must be float32 or float64, got ${dtype}`);
  const source = resolveCifar10Source(options.source ?? options.cifar10Dir);
  const { data: raw, permTrain, permTest } = await loadCifar10Unshuffled(source, options);
  const rowTr = (i: number) => (permTrain ? permTrain[i] : i);
  const rowTe = (i: number) => (permTest ? permTest[i] : i);
  const nTrainAll = raw.yTrain.size;
  for (const [name, v] of [
    ['numTraining', numTraining],
    ['numValidation', numValidation],
    ['numTest', numTest],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`getCifar10Data: ${name} must be a non-negative integer, got ${v}`);
  }
  if (numTraining + numValidation > nTrainAll) {
    throw new Error(
      `getCifar10Data: numTraining + numValidation = ${numTraining + numValidation} exceeds the ${nTrainAll} training images`,
    );
  }
  if (numTest > raw.yTest.size) {
    throw new Error(`getCifar10Data: numTest = ${numTest} exceeds the ${raw.yTest.size} test images`);
  }
  const Xtr = raw.XTrain.toTypedArray();
  const Xte = raw.XTest.toTypedArray();
  const D = 32 * 32 * 3;
  // Mean of the training subset, in float64 (HWC order).
  const mean = new Float64Array(D);
  for (let i = 0; i < numTraining; i++) {
    const o = rowTr(i) * D;
    for (let k = 0; k < D; k++) mean[k] += Xtr[o + k];
  }
  for (let k = 0; k < D; k++) mean[k] = numTraining > 0 ? mean[k] / numTraining : 0;
  const zero = new Float64Array(D);
  const sub = subtractMean ? mean : zero;

  /** Images start..start+n (rows row(i) of `src`, HWC), minus `minus`, in the requested layout and dtype. */
  const convert = (
    src: ArrayLike<number>,
    row: (i: number) => number,
    start: number,
    n: number,
    minus: Float64Array,
  ): NDArray => {
    const out = allocate(dtype, n * D);
    for (let i = 0; i < n; i++) {
      const si = row(start + i) * D;
      const oi = i * D;
      if (channelsFirst) {
        for (let p = 0; p < 1024; p++) {
          out[oi + p] = src[si + 3 * p] - minus[3 * p];
          out[oi + 1024 + p] = src[si + 3 * p + 1] - minus[3 * p + 1];
          out[oi + 2048 + p] = src[si + 3 * p + 2] - minus[3 * p + 2];
        }
      } else {
        for (let k = 0; k < D; k++) out[oi + k] = src[si + k] - minus[k];
      }
    }
    return new NDArray(out, channelsFirst ? [n, 3, 32, 32] : [n, 32, 32, 3], dtype);
  };
  const meanImage = convert(mean, (i) => i, 0, 1, zero).reshape(channelsFirst ? [3, 32, 32] : [32, 32, 3]);
  const yTr = raw.yTrain.toTypedArray();
  const yTe = raw.yTest.toTypedArray();
  const labels = (y: ArrayLike<number>, row: (i: number) => number, start: number, n: number) =>
    new NDArray(
      Int32Array.from({ length: n }, (_, i) => y[row(start + i)]),
      [n],
      'int32',
    );
  return {
    XTrain: convert(Xtr, rowTr, 0, numTraining, sub),
    yTrain: labels(yTr, rowTr, 0, numTraining),
    XVal: convert(Xtr, rowTr, numTraining, numValidation, sub),
    yVal: labels(yTr, rowTr, numTraining, numValidation),
    XTest: convert(Xte, rowTe, 0, numTest, sub),
    yTest: labels(yTe, rowTe, 0, numTest),
    meanImage,
  };
}
