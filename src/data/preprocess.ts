/**
 * Preprocessing, as in CS231n's notes and notebooks: mean image subtraction, per-channel normalisation,
 * PCA and whitening, and a train/validation split. Statistics are always fitted on the training data and
 * then applied unchanged to validation and test data.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { isFloat } from '../ndarray/dtype.js';
import { fmtShape, normalizeAxis } from '../ndarray/shape.js';
import { Generator } from '../ndarray/random.js';

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
 * Eigendecomposition of a symmetric matrix A (D, D) by cyclic Jacobi rotations: eigenvalues S (D,)
 * descending and eigenvectors U (D, D) as columns, A = U diag(S) U^T. For a covariance matrix this is its
 * SVD (U, S, U^T), what the course's np.linalg.svd(cov) computes. Each column's sign is fixed so that its
 * largest-magnitude entry is positive (eigenvectors are only defined up to sign).
 * Cost is O(D^3) per sweep with ~10 sweeps: intended for moderate D (up to a few hundred); D = 3072
 * (full CIFAR-10 images) takes minutes.
 */
export function symmetricEigen(A: NDArray): { S: NDArray; U: NDArray } {
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1])
    throw new Error(`symmetricEigen: expected a square matrix, got ${fmtShape(A.shape)}`);
  const n = A.shape[0];
  const a = Float64Array.from(A.astype('float64').toTypedArray());
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (a[i * n + j] + a[j * n + i]); // symmetrise against rounding in X^T X
      a[i * n + j] = a[j * n + i] = s;
    }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (let k = 0; k < n * n; k++) norm += a[k] * a[k];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // The rotation angle that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = cs * akp - sn * akq;
          a[k * n + q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = cs * apk - sn * aqk;
          a[q * n + k] = sn * apk + cs * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = cs * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + cs * vkq;
        }
      }
    }
  }
  const order = [...Array(n).keys()].sort((i, j) => a[j * n + j] - a[i * n + i]);
  const S = new Float64Array(n);
  const U = new Float64Array(n * n);
  order.forEach((src, col) => {
    S[col] = a[src * n + src];
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[k * n + src]) > Math.abs(big)) big = v[k * n + src];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) U[k * n + col] = sign * v[k * n + src];
  });
  return { S: new NDArray(S, [n], 'float64'), U: new NDArray(U, [n, n], 'float64') };
}

/** A fitted PCA: the data mean (D,), eigenvectors U (D, D) as columns and eigenvalues S (D,), descending. */
export interface Pca {
  mean: NDArray;
  U: NDArray;
  S: NDArray;
}

/**
 * Fits PCA on X (N, D), the course's recipe: X -= mean(X, 0); cov = X^T X / N; U, S, V = svd(cov).
 * See symmetricEigen for the size limits and the sign convention.
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
