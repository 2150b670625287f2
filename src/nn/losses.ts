/** Loss functions on class scores (multiclass SVM, softmax) and L2 weight regularization. */
import { arange } from '../ndarray/creation.js';
import { isInteger } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';

/** Checks scores x (N, C) against labels y (N,) of integers in [0, C). */
function checkScores(layer: string, x: NDArray, y: NDArray): void {
  checkFloat(layer, 'x', x, 2);
  const [N, C] = x.shape;
  if (!isInteger(y.dtype)) fail(layer, `y must hold integer labels (int32), got ${y.dtype}`);
  if (y.ndim !== 1 || y.shape[0] !== N)
    fail(layer, `y of shape ${fmtShape(y.shape)} does not match x of shape ${fmtShape(x.shape)}`);
  if (N > 0) {
    const lo = y.min().item();
    const hi = y.max().item();
    if (lo < 0 || hi >= C) fail(layer, `labels must lie in [0, ${C}), got values from ${lo} to ${hi}`);
  }
}

/**
 * Multiclass SVM (hinge) loss with margin delta = 1, averaged over the batch.
 * - x: scores (N, C), x[i, j] the score of class j for example i
 * - y: labels (N,), int32 in [0, C)
 * Returns [loss, dx (N, C)].
 */
export function svmLoss(x: NDArray, y: NDArray): [number, NDArray] {
  checkScores('svmLoss', x, y);
  const N = x.shape[0];
  const rows = arange(N, undefined, 1, 'int32');
  const correct = x.get(rows, y).reshape(N, 1);
  const margins = x.sub(correct).add(1).maximum(0);
  margins.set([rows, y], 0);
  const loss = margins.sum().item() / N;
  const positive = margins.gt(0).astype(x.dtype);
  // Every violated margin pushes its class up and the correct class down once.
  const numPos = positive.sum(1);
  positive.set([rows, y], positive.get(rows, y).sub(numPos));
  return [loss, positive.divInPlace(N)];
}

/**
 * Softmax (cross-entropy) loss, averaged over the batch. Subtracting each row's max first keeps it
 * finite for scores of any size (e.g. ±1e4).
 * - x: scores (N, C); y: labels (N,), int32 in [0, C)
 * Returns [loss, dx (N, C)].
 */
export function softmaxLoss(x: NDArray, y: NDArray): [number, NDArray] {
  checkScores('softmaxLoss', x, y);
  const N = x.shape[0];
  const rows = arange(N, undefined, 1, 'int32');
  const shifted = x.sub(x.max(1, true));
  const logProbs = shifted.sub(shifted.exp().sum(1, true).log());
  const loss = -logProbs.get(rows, y).sum().item() / N;
  const dx = logProbs.exp();
  dx.set([rows, y], dx.get(rows, y).sub(1));
  return [loss, dx.divInPlace(N)];
}

/**
 * L2 regularization of a weight array: loss = reg/2·ΣW², dW = reg·W.
 * Returns [loss, dW].
 */
export function l2Regularization(W: NDArray, reg: number): [number, NDArray] {
  checkFloat('l2Regularization', 'W', W);
  const loss = 0.5 * reg * W.mul(W).sum().item();
  return [loss, W.mul(reg)];
}
