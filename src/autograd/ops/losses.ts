/**
 * Losses on tensors, each returning a tensor (a scalar unless reduction is 'none'): cross-entropy on class
 * scores (softmaxLoss of src/nn when nothing is ignored), binary cross-entropy on logits, mean squared error.
 */
import { arange, full, ones } from '../../ndarray/creation.js';
import { isInteger } from '../../ndarray/dtype.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { fmtShape } from '../../ndarray/shape.js';
import { softmaxLoss } from '../../nn/losses.js';
import { softmaxForward } from '../../nn/softmax.js';
import { asOp, fromOp, type Tensor } from '../tensor.js';
import { mul, sub, type TensorLike } from './elementwise.js';
import { mean, sum } from './reduce.js';

/** How a loss over a batch is reduced: mean, sum, or one value per example. */
export type Reduction = 'mean' | 'sum' | 'none';

/** crossEntropy's options (PyTorch's F.cross_entropy keywords). */
export interface CrossEntropyOptions {
  /** Targets equal to this count for nothing, in the loss and in the mean's denominator (PyTorch's). */
  ignoreIndex?: number | null;
  /** 'mean' over the targets not ignored (default), 'sum', or 'none' (one loss per example). */
  reduction?: Reduction;
}

function checkTargets(op: string, scores: Tensor, target: NDArray): void {
  if (scores.ndim !== 2)
    throw new RangeError(`${op}: scores of shape ${fmtShape(scores.shape)} must be (N, C)`);
  if (!isInteger(target.dtype))
    throw new TypeError(`${op}: target must hold class indices (int32), got ${target.dtype}`);
  if (target.ndim !== 1 || target.shape[0] !== scores.shape[0])
    throw new RangeError(
      `${op}: target of shape ${fmtShape(target.shape)} does not match scores of shape ${fmtShape(scores.shape)}`,
    );
}

/**
 * Softmax cross-entropy of class scores (N, C) against integer targets (N,). Without ignoreIndex and with
 * the mean, it is the course's softmaxLoss (its dx is the backward); otherwise the log-softmax kernel, the
 * per-example losses −log p[i, target[i]] of the targets not ignored, and their reduction.
 */
export function crossEntropy(
  scores: Tensor,
  target: NDArray,
  { ignoreIndex = null, reduction = 'mean' }: CrossEntropyOptions = {},
): Tensor {
  const op = 'crossEntropy';
  checkTargets(op, scores, target);
  if (ignoreIndex === null && reduction === 'mean') {
    const [loss, dx] = asOp(op, () => softmaxLoss(scores.data, target));
    return fromOp(op, full([], loss, scores.dtype), [scores], (g) => [dx.mul(g)]);
  }
  const [N, C] = scores.shape;
  const valid = ignoreIndex === null ? ones(target.shape, 'bool') : target.ne(ignoreIndex);
  const safe = valid.astype('int32').mul(target); // ignored targets read class 0, then count for nothing
  const [lo, hi] = N > 0 ? [safe.min().item(), safe.max().item()] : [0, 0];
  if (lo < 0 || hi >= C)
    throw new RangeError(`${op}: targets must lie in [0, ${C}), got values from ${lo} to ${hi}`);
  const [logp] = softmaxForward(scores.data, { log: true });
  const rows = arange(N, undefined, 1, 'int32');
  const w = valid.astype(scores.dtype);
  const losses = logp.get(rows, safe).neg().mul(w);
  const count = w.sum().item();
  const out = reduction === 'none' ? losses : reduction === 'sum' ? losses.sum() : losses.sum().div(count);
  return fromOp(op, out, [scores], (g) => {
    // d/dscores of −log p[i, t] is p[i] − onehot(t), times the weight each example's loss has.
    const dx = logp.exp();
    dx.set([rows, safe], dx.get(rows, safe).sub(1));
    const perRow = reduction === 'none' ? g.mul(w) : w.mul(reduction === 'sum' ? g : g.div(count));
    return [dx.mulInPlace(perRow.reshape(N, 1))];
  });
}

/**
 * Binary cross-entropy of logits x against targets y in [0, 1] (same shape), computed stably as
 * max(x, 0) − x·y + log(1 + e^−|x|); its gradient is sigmoid(x) − y.
 */
export function bceWithLogits(
  x: Tensor,
  y: NDArray,
  { reduction = 'mean' }: { reduction?: Reduction } = {},
): Tensor {
  const op = 'bceWithLogits';
  if (y.ndim !== x.ndim || y.shape.some((d, i) => d !== x.shape[i]))
    throw new RangeError(
      `${op}: target of shape ${fmtShape(y.shape)} does not match logits of shape ${fmtShape(x.shape)}`,
    );
  const xv = x.data;
  const losses = xv.maximum(0).sub(xv.mul(y)).add(xv.abs().neg().exp().add(1).log());
  const n = x.size;
  const out = reduction === 'none' ? losses : reduction === 'sum' ? losses.sum() : losses.sum().div(n);
  return fromOp(op, out, [x], (g) => {
    const d = xv.sigmoid().sub(y);
    return [reduction === 'mean' ? d.mul(g.div(n)) : d.mul(g)];
  });
}

/** Mean squared error (x − y)², reduced as asked. */
export function mse(
  x: Tensor,
  y: TensorLike,
  { reduction = 'mean' }: { reduction?: Reduction } = {},
): Tensor {
  const ys = typeof y === 'number' ? x.shape : y.shape;
  if (ys.length !== x.ndim || ys.some((n, i) => n !== x.shape[i]))
    throw new RangeError(
      `mse: target of shape ${fmtShape(ys)} does not match input of shape ${fmtShape(x.shape)}`,
    );
  const d = sub(x, y);
  const sq = mul(d, d);
  return reduction === 'none' ? sq : reduction === 'sum' ? sum(sq) : mean(sq);
}
