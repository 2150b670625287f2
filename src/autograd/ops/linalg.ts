/** Matrix products on tensors: matmul (numpy's, batched and broadcast) and linear (the affine layer). */
import { zeros } from '../../ndarray/creation.js';
import { fmtShape } from '../../ndarray/shape.js';
import { affineBackward, affineForward } from '../../nn/affine.js';
import { Tensor, asOp, fromOp } from '../tensor.js';
import { sumTo } from './elementwise.js';
import { reshape, squeeze, unsqueeze } from './shape.js';

/**
 * numpy's matmul: (..., M, K) · (..., K, N) → (..., M, N), the leading (batch) axes broadcast, as one
 * batched GEMM; a 1-D operand is a row (first) or a column (second) whose axis is removed after. The
 * gradients are the products with the other operand transposed, summed over broadcast batch axes.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `matmul: operands of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}: scalars need mul, not matmul`,
    );
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, -1)), []);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  const [va, vb] = [a.data, b.data];
  return fromOp(
    'matmul',
    va.matmul(vb),
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(g.matmul(vb.swapaxes(-1, -2)), a.shape) : null,
      b.requiresGrad ? sumTo(va.swapaxes(-1, -2).matmul(g), b.shape) : null,
    ],
    [a, b],
  );
}

/**
 * The affine layer x·w + b with the course's weight layout w (D, M): affineForward / affineBackward.
 * x (..., D) acts on its last axis (as PyTorch's Linear); x (N, d1, ..., dk) with d1·…·dk = D is flattened
 * first (as the course's affine layer). b (M,) may be left out. The input's gradient is skipped when x
 * does not require grad (a first layer), as the explicit nets skip it.
 */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  const [D, M] = w.shape;
  if (w.ndim !== 2)
    throw new RangeError(`linear: w of shape ${fmtShape(w.shape)} must be 2-D (inFeatures, outFeatures)`);
  if (x.ndim > 2 && x.shape[x.ndim - 1] === D) {
    const lead = x.shape.slice(0, -1);
    return reshape(linear(reshape(x, [-1, D]), w, b), [...lead, M]);
  }
  const bias = b ? b.data : zeros([M], w.dtype);
  const [out, cache] = asOp('linear', () => affineForward(x.data, w.data, bias));
  const ins = b ? [x, w, b] : [x, w];
  return fromOp(
    'linear',
    out,
    ins,
    (g) => {
      const [dx, dw, db] = affineBackward(g, cache, x.requiresGrad);
      return [dx, dw, db];
    },
    [x, w],
  );
}
