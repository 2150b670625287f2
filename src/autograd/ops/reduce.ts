/**
 * Reductions on tensors over one axis, several or all, with keepdims: sum, mean and max. Their backward
 * broadcasts the output's gradient back over the reduced axes (max: to the maxima only).
 */
import type { NDArray } from '../../ndarray/ndarray.js';
import type { Axis } from '../../ndarray/reduce.js';
import { normalizeAxes } from '../../ndarray/shape.js';
import { Tensor, fromOp } from '../tensor.js';

/** g (the reduced shape) reshaped with keepdims, so it broadcasts against the input. */
function keptGrad(g: NDArray, x: Tensor, axis: Axis, op: string): NDArray {
  const axes = normalizeAxes(axis, x.ndim, op);
  return g.reshape(x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

/** Σ over `axis` (all axes when left out). */
export function sum(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  return fromOp('sum', x.data.sum(axis, keepdims), [x], (g) => [
    keptGrad(g, x, axis, 'sum').broadcastTo(x.shape),
  ]);
}

/** The mean over `axis` (all axes when left out). */
export function mean(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  const count = normalizeAxes(axis, x.ndim, 'mean').reduce((p, a) => p * x.shape[a], 1);
  return fromOp('mean', x.data.mean(axis, keepdims), [x], (g) => [
    keptGrad(g, x, axis, 'mean').div(count).broadcastTo(x.shape),
  ]);
}

/**
 * The max over `axis` (all axes when left out). The gradient goes to the maxima, shared equally among
 * ties (PyTorch's amax).
 */
export function max(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  const kept = x.data.max(axis, true);
  const out = keepdims ? kept : kept.reshape(x.data.max(axis, false).shape);
  return fromOp(
    'max',
    out,
    [x],
    (g) => {
      const hit = x.data.eq(kept).astype(g.dtype);
      const ties = hit.sum(axis, true);
      return [hit.mulInPlace(keptGrad(g, x, axis, 'max').div(ties))];
    },
    [x],
  );
}
