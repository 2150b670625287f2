/**
 * Preprocessing, as in CS231n's notes and notebooks: mean image subtraction, per-channel normalisation,
 * PCA and whitening, and a train/validation split. Statistics are always fitted on the training data and
 * then applied unchanged to validation and test data.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { isFloat } from '../ndarray/dtype.js';
import { fmtShape, normalizeAxis } from '../ndarray/shape.js';
import { Generator } from '../ndarray/random.js';
import { symmetricEigen } from './eigen.js';

/** Arrays as float (float32/float64 kept, integers and bools promoted to float64), as numpy's float ops do. */
const asFloat = (X: NDArray) => (isFloat(X.dtype) ? X : X.astype('float64'));

/** The mean image: X (N, ...) -> (...) float, np.mean(X, axis=0). */
export function meanImage(X: NDArray): NDArray {
  if (X.ndim < 1 || X.shape[0] === 0)
    throw new Error(`meanImage: need at least one image, got shape ${fmtShape(X.shape)}`);
  return asFloat(X).mean(0);
}

/**
 * Subtracts the mean image: fitted on `train` (X_train -= mean_image) and applied to `others`.
 * Returns new float arrays (the inputs are not modified) and the mean.
 */
export function subtractMeanImage(
  train: NDArray,
  ...others: NDArray[]
): { mean: NDArray; arrays: NDArray[] } {
  const mean = meanImage(train);
  const arrays = [train, ...others].map((X, i) => {
    if (X.ndim !== train.ndim || X.shape.slice(1).some((d, k) => d !== train.shape[k + 1])) {
      throw new Error(
        `subtractMeanImage: array ${i} of shape ${fmtShape(X.shape)} does not match the training images ${fmtShape(train.shape)}`,
      );
    }
    return asFloat(X).sub(mean);
  });
  return { mean, arrays };
}

/** Per-channel statistics: mean and std of shape (C,). */
export interface ChannelStats {
  mean: NDArray;
  std: NDArray;
}

/**
 * Fits per-channel mean and (population) std over every axis but `channelAxis` (1 for the course's
 * (N, C, H, W); -1 for (N, H, W, C)).
 */
export function fitChannelNorm(X: NDArray, { channelAxis = 1 }: { channelAxis?: number } = {}): ChannelStats {
  const c = normalizeAxis(channelAxis, X.ndim, 'fitChannelNorm');
  const axes = [...Array(X.ndim).keys()].filter((a) => a !== c);
  const Xf = asFloat(X);
  return { mean: Xf.mean(axes), std: Xf.std(axes) };
}

/**
 * (X - mean) / std per channel, broadcast along `channelAxis`. A channel with std 0 is only centred
 * (divided by 1), so constant channels do not become NaN.
 */
export function applyChannelNorm(
  X: NDArray,
  stats: ChannelStats,
  { channelAxis = 1 }: { channelAxis?: number } = {},
): NDArray {
  const c = normalizeAxis(channelAxis, X.ndim, 'applyChannelNorm');
  const C = X.shape[c];
  if (stats.mean.size !== C || stats.std.size !== C) {
    throw new Error(
      `applyChannelNorm: X of shape ${fmtShape(X.shape)} has ${C} channels on axis ${c} but the statistics have ${stats.mean.size}`,
    );
  }
  const shape = X.shape.map((d, a) => (a === c ? C : 1));
  const std = stats.std.toTypedArray();
  const safe = new NDArray(
    Float64Array.from(std, (s) => (s === 0 ? 1 : s)),
    [C],
    'float64',
  );
  return asFloat(X)
    .sub(stats.mean.reshape(shape))
    .div(safe.reshape(shape).astype(isFloat(X.dtype) ? X.dtype : 'float64'));
}

/**
 * How raw pixels become model inputs, in the form a checkpoint stores as JSON (so predict applies exactly
 * what training did): x = (pixel·scale − mean[c]) / std[c] per channel c. fitChannelNorm's statistics for
 * images as they come (N, H, W, C), as plain numbers.
 */
export interface ImageNormalization {
  scale: number;
  mean: number[];
  std: number[];
}

/** How a model takes images: channels first (N, C, H, W) for conv nets, flat rows (N, H·W·C) otherwise. */
export type ImageLayout = 'chw' | 'flat';

function checkImages(X: NDArray, op: string): void {
  if (X.ndim !== 4) throw new Error(`${op}: expected images (N, H, W, C), got shape ${fmtShape(X.shape)}`);
}

/**
 * Fits per-channel mean and (population) std of pixel/pixelMax (scale = 1/pixelMax) over images X
 * (N, H, W, C), as fitChannelNorm with channelAxis -1 but in one pass over the raw pixels, without a float
 * copy of the data set (a variance below 1e-12 is raised to it, so a constant channel is centred, not
 * divided by 0).
 */
export function fitImageNormalization(
  X: NDArray,
  { pixelMax = 255 }: { pixelMax?: number } = {},
): ImageNormalization {
  checkImages(X, 'fitImageNormalization');
  const c = X.shape[3];
  const px = X.toTypedArray();
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  for (let i = 0; i < px.length; i++) {
    const v = px[i] / pixelMax;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const n = px.length / c;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(s / n - mean[k] * mean[k], 1e-12)));
  return { scale: 1 / pixelMax, mean, std };
}

/**
 * Images X (N, H, W, C) of any numeric type → model inputs as `dtype`, normalised and laid out in one
 * pass: x = (pixel·scale − mean[c]) / std[c], as (N, C, H, W) for 'chw' or (N, H·W·C) for 'flat'.
 */
export function normalizeImages(
  X: NDArray,
  norm: ImageNormalization,
  layout: ImageLayout,
  dtype: 'float32' | 'float64',
): NDArray {
  checkImages(X, 'normalizeImages');
  const [n, h, w, c] = X.shape;
  if (norm.mean.length !== c || norm.std.length !== c) {
    throw new Error(
      `normalizeImages: images of shape ${fmtShape(X.shape)} have ${c} channels but the normalisation has ${norm.mean.length}`,
    );
  }
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

export { symmetricEigen };

/** A fitted PCA: the data mean (D,), eigenvectors U (D, D) as columns and eigenvalues S (D,), descending. */
export interface Pca {
  mean: NDArray;
  U: NDArray;
  S: NDArray;
}

/**
 * Fits PCA on X (N, D), the course's recipe: X -= mean(X, 0); cov = X^T X / N; U, S, V = svd(cov).
 * See symmetricEigen (eigen.ts) for the cost and the sign convention.
 */
export function pcaFit(X: NDArray): Pca {
  if (X.ndim !== 2 || X.shape[0] === 0)
    throw new Error(`pcaFit: expected X of shape (N, D) with N > 0, got ${fmtShape(X.shape)}`);
  const Xf = X.astype('float64');
  const mean = Xf.mean(0);
  const Xc = Xf.sub(mean);
  const cov = Xc.T.dot(Xc).div(X.shape[0]);
  const { U, S } = symmetricEigen(cov);
  return { mean, U, S };
}

/** Xrot = (X - mean) U[:, :k], the data in the eigenbasis, reduced to the first k components (default all). */
export function pcaRotate(X: NDArray, pca: Pca, k = pca.S.size): NDArray {
  const D = pca.S.size;
  if (X.ndim !== 2 || X.shape[1] !== D)
    throw new Error(`pcaRotate: X of shape ${fmtShape(X.shape)} does not match the PCA's D = ${D}`);
  if (!Number.isInteger(k) || k < 1 || k > D) throw new Error(`pcaRotate: k must be in 1..${D}, got ${k}`);
  return X.astype('float64')
    .sub(pca.mean)
    .dot(pca.U.slice(':', `0:${k}`));
}

/** Xwhite = Xrot / sqrt(S + eps): each PCA component scaled to unit variance (eps = 1e-5 as in the course). */
export function whiten(Xrot: NDArray, pca: Pca, eps = 1e-5): NDArray {
  const k = Xrot.shape[Xrot.ndim - 1];
  if (k > pca.S.size) throw new Error(`whiten: Xrot has ${k} components but the PCA has ${pca.S.size}`);
  return Xrot.div(pca.S.slice(`0:${k}`).add(eps).sqrt());
}

/** trainValSplit's options. */
export interface TrainValSplitOptions {
  /** Number of validation examples. */
  numVal: number;
  /** Shuffle before splitting (default true); without it the last numVal examples are the validation set. */
  shuffle?: boolean;
  seed?: number;
  rng?: Generator;
}

/** Splits (X, y) into training and validation sets along axis 0. */
export function trainValSplit(
  X: NDArray,
  y: NDArray,
  options: TrainValSplitOptions,
): { XTrain: NDArray; yTrain: NDArray; XVal: NDArray; yVal: NDArray } {
  const N = X.shape[0];
  const { numVal, shuffle = true } = options;
  if (y.shape[0] !== N)
    throw new Error(
      `trainValSplit: X of shape ${fmtShape(X.shape)} and y of shape ${fmtShape(y.shape)} differ in length`,
    );
  if (!Number.isInteger(numVal) || numVal < 0 || numVal > N)
    throw new Error(`trainValSplit: numVal must be in 0..${N}, got ${numVal}`);
  const idx = shuffle
    ? (options.rng ?? new Generator(options.seed ?? 0)).permutation(N)
    : new NDArray(
        Int32Array.from({ length: N }, (_, i) => i),
        [N],
        'int32',
      );
  const tr = idx.slice(`0:${N - numVal}`);
  const va = idx.slice(`${N - numVal}:`);
  return { XTrain: X.get(tr), yTrain: y.get(tr), XVal: X.get(va), yVal: y.get(va) };
}
