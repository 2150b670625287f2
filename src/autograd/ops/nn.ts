/**
 * The layers of src/nn as tensor ops: each forward is the layer's forward function and each backward its
 * backward function (the same fast kernels the explicit nets run). Inputs that do not require grad (a
 * net's images) skip their dx where the layer can.
 */
import { zeros } from '../../ndarray/creation.js';
import { isInteger } from '../../ndarray/dtype.js';
import { addAt, gatherRows } from '../../ndarray/indexing.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import type { Generator } from '../../ndarray/random.js';
import { fmtShape } from '../../ndarray/shape.js';
import {
  batchnormBackwardAlt,
  batchnormForward,
  spatialBatchnormBackward,
  spatialBatchnormForward,
  type BnParam,
} from '../../nn/batchnorm.js';
import {
  convBackwardFast,
  convForwardFast,
  convReluPoolBackwardFast,
  convReluPoolForwardFast,
} from '../../nn/conv.js';
import { convTransposeBackward, convTransposeForward } from '../../nn/convTranspose.js';
import { dropoutBackward, dropoutForward } from '../../nn/dropout.js';
import { layernormBackward, layernormForward } from '../../nn/layernorm.js';
import { maxPoolBackwardFast, maxPoolForwardFast } from '../../nn/pool.js';
import { asOp, fromOp, type Tensor } from '../tensor.js';
import { mean } from './reduce.js';
import { reshape } from './shape.js';

/** conv2d's options: stride and zero padding. */
export interface Conv2dOptions {
  stride?: number;
  /** Zeros added on each side of H and W (default 0). */
  padding?: number;
}

/** A zero bias of n for layers whose bias was left out. */
const noBias = (n: number, like: Tensor): NDArray => zeros([n], like.dtype);

/** Rows of `weight` (V, D) at integer `indices` of any shape → (...indices.shape, D). */
export function embedding(
  indices: NDArray,
  weight: Tensor,
  { paddingIdx = null }: { paddingIdx?: number | null } = {},
): Tensor {
  if (!isInteger(indices.dtype))
    throw new TypeError(`embedding: indices must hold integers (int32), got ${indices.dtype}`);
  if (weight.ndim !== 2)
    throw new RangeError(`embedding: weight of shape ${fmtShape(weight.shape)} must be 2-D (V, D)`);
  const [V, D] = weight.shape;
  const flat = indices.ravel();
  const out = asOp('embedding', () => gatherRows(weight.data, flat)).reshape([...indices.shape, D]);
  return fromOp('embedding', out, [weight], (g) => {
    const gw = zeros([V, D], g.dtype);
    addAt(gw, [flat], g.reshape(-1, D));
    // PyTorch's padding_idx: that row is never trained.
    if (paddingIdx !== null) gw.set(paddingIdx, 0);
    return [gw];
  });
}

/** dropout's options: training mode and generator. */
export interface DropoutOptions {
  /** Dropout only while training (default true); otherwise the identity. */
  training?: boolean;
  /** Where the masks come from (default the library's generator). */
  rng?: Generator;
}

/**
 * Inverted dropout: each unit kept with probability `keep` (the course's p; PyTorch's p is 1 − keep) and
 * scaled by 1/keep. dropoutForward / dropoutBackward.
 */
export function dropout(x: Tensor, keep: number, { training = true, rng }: DropoutOptions = {}): Tensor {
  if (!training || keep === 1) return x;
  const [out, cache] = asOp('dropout', () => dropoutForward(x.data, { p: keep, mode: 'train', rng }));
  return fromOp('dropout', out, [x], (g) => dropoutBackward(g, cache));
}

/** 2-D convolution: x (N, C, H, W), w (F, C, HH, WW), b (F,) → (N, F, H', W'). convForwardFast. */
export function conv2d(
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  { stride = 1, padding = 0 }: Conv2dOptions = {},
) {
  const bias = b ? b.data : noBias(w.shape[0], w);
  const [out, cache] = asOp('conv2d', () => convForwardFast(x.data, w.data, bias, { stride, pad: padding }));
  return fromOp('conv2d', out, b ? [x, w, b] : [x, w], (g) => convBackwardFast(g, cache, x.requiresGrad), [
    x,
    w,
  ]);
}

/**
 * conv2d → relu → maxPool2d in one backend call, the conv output never becoming an array (how the
 * explicit ThreeLayerConvNet and Sequential run them); the same values as the three ops.
 */
export function convReluPool2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  conv: Conv2dOptions,
  pool: { kernelSize: number; stride?: number },
): Tensor {
  const bias = b ? b.data : noBias(w.shape[0], w);
  const k = pool.kernelSize;
  const [out, cache] = asOp('convReluPool2d', () =>
    convReluPoolForwardFast(
      x.data,
      w.data,
      bias,
      { stride: conv.stride ?? 1, pad: conv.padding ?? 0 },
      { poolHeight: k, poolWidth: k, stride: pool.stride ?? k },
    ),
  );
  return fromOp(
    'convReluPool2d',
    out,
    b ? [x, w, b] : [x, w],
    (g) => convReluPoolBackwardFast(g, cache, x.requiresGrad),
    [x, w, 'out'],
  );
}

/**
 * Transposed convolution: x (N, C_in, H, W), w (C_in, C_out, HH, WW) as PyTorch's, b (C_out,) →
 * (N, C_out, (H − 1)·stride − 2·padding + HH, ...). convTransposeForward / convTransposeBackward.
 */
export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  { stride = 1, padding = 0 }: Conv2dOptions = {},
): Tensor {
  const bias = b ? b.data : noBias(w.shape[1], w);
  const [out, cache] = asOp('convTranspose2d', () =>
    convTransposeForward(x.data, w.data, bias, { stride, pad: padding }),
  );
  return fromOp(
    'convTranspose2d',
    out,
    b ? [x, w, b] : [x, w],
    (g) => convTransposeBackward(g, cache, x.requiresGrad),
    [x, w],
  );
}

/** Max pooling over kernelSize × kernelSize windows every `stride` (default kernelSize): the fast pair. */
export function maxPool2d(x: Tensor, kernelSize: number, stride = kernelSize): Tensor {
  const [out, cache] = asOp('maxPool2d', () =>
    maxPoolForwardFast(x.data, { poolHeight: kernelSize, poolWidth: kernelSize, stride }),
  );
  return fromOp('maxPool2d', out, [x], (g) => maxPoolBackwardFast(g, cache));
}

/**
 * Average pooling over non-overlapping kernelSize × kernelSize tiles (H and W divisible by it): a reshape
 * and a mean, so it needs no backward of its own.
 */
export function avgPool2d(x: Tensor, kernelSize: number): Tensor {
  const k = kernelSize;
  if (x.ndim !== 4 || x.shape[2] % k !== 0 || x.shape[3] % k !== 0)
    throw new RangeError(`avgPool2d: ${k}×${k} tiles do not divide x of shape ${fmtShape(x.shape)}`);
  const [N, C, H, W] = x.shape;
  return mean(reshape(x, [N, C, H / k, k, W / k, k]), [3, 5]);
}

/**
 * Batch normalization of x (N, D) or, per channel, x (N, C, H, W): batchnormForward (spatial for 4-D) and the
 * closed-form backward. bnParam holds the mode ('train' uses and updates the running statistics in place)
 * and the course's momentum (the old value's weight: PyTorch's 1 − momentum).
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, bnParam: BnParam): Tensor {
  const spatial = x.ndim === 4;
  const [out, cache] = asOp('batchNorm', () =>
    spatial
      ? spatialBatchnormForward(x.data, gamma.data, beta.data, bnParam)
      : batchnormForward(x.data, gamma.data, beta.data, bnParam),
  );
  return fromOp(
    'batchNorm',
    out,
    [x, gamma, beta],
    (g) => (spatial ? spatialBatchnormBackward(g, cache) : batchnormBackwardAlt(g, cache)),
    [x, gamma],
  );
}

/** Layer normalization of x (..., D) over its last axis: layernormForward / layernormBackward. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const D = x.shape[x.ndim - 1];
  const [out, cache] = asOp('layerNorm', () =>
    layernormForward(x.data.reshape(-1, D), gamma.data, beta.data, { eps }),
  );
  return fromOp(
    'layerNorm',
    out.reshape(x.shape),
    [x, gamma, beta],
    (g) => {
      const [dx, dgamma, dbeta] = layernormBackward(g.reshape(-1, D), cache);
      return [dx.reshape(x.shape), dgamma, dbeta];
    },
    [x, gamma],
  );
}
