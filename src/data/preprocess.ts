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
