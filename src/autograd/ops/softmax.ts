/** Softmax, log-softmax and attention's masked softmax on tensors: src/nn/softmax.ts's row kernels. */
import type { NDArray } from '../../ndarray/ndarray.js';
import { softmaxBackward, softmaxForward, type SoftmaxParam } from '../../nn/softmax.js';
import { asOp, fromOp, type Tensor } from '../tensor.js';

function run(op: string, x: Tensor, param: SoftmaxParam): Tensor {
  const [out, cache] = asOp(op, () => softmaxForward(x.data, param));
  return fromOp(op, out, [x], (g) => softmaxBackward(g, cache), ['out']);
}

/** e^x / Σ e^x along `axis` (default the last), stable for any finite x. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return run('softmax', x, { axis });
}

/** log softmax(x) along `axis`, computed as x − max − log Σ e^(x − max) (no overflow, no log 0). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return run('logSoftmax', x, { axis, log: true });
}

/**
 * softmax(maskedFill(x, mask == 0, −∞)) over the last axis in one kernel pass: attention's weights.
 * mask broadcasts to x (an (S, T) mask serves (N, heads, S, T) scores without being copied out).
 */
export function maskedSoftmax(x: Tensor, mask: NDArray): Tensor {
  return run('maskedSoftmax', x, { mask });
}
