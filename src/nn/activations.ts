/** Elementwise nonlinearities: ReLU, leaky ReLU, sigmoid and tanh, each a forward/backward pair. */
import { unaryOp } from '../ndarray/elementwise.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { backend } from '../backend/index.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { checkFloat, fail, fmtShape } from './util.js';

function checkDout(layer: string, dout: NDArray, like: NDArray): void {
  if (dout.ndim !== like.ndim || dout.shape.some((d, i) => d !== like.shape[i]))
    fail(layer, `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(like.shape)}`);
}

/** ReLU forward: out = max(0, x), any shape. Returns [out, cache = x]. */
export function reluForward(x: NDArray): [NDArray, NDArray] {
  checkFloat('reluForward', 'x', x);
  return [unaryOp('relu', x), x];
}

/** ReLU backward: dx = dout where x > 0, else 0 (CS231n's dx[x <= 0] = 0). Returns [dx]. */
export function reluBackward(dout: NDArray, cache: NDArray): [NDArray] {
  checkDout('reluBackward', dout, cache);
  return [slopePass('reluBackward', dout, cache, 0) ?? dout.mul(cache.gt(0))];
}

/**
 * x > 0 ? dout : slope·dout in one backend pass (no mask array, no products), or null when dout and x are
 * not of one float dtype (then the callers' array ops give numpy's promotion).
 */
function slopePass(op: string, dout: NDArray, x: NDArray, slope: number): NDArray | null {
  if (dout.dtype !== x.dtype || (x.dtype !== 'float32' && x.dtype !== 'float64')) return null;
  const dc = dout.contiguous();
  const xc = x.contiguous();
  const dx = allocArray(x.shape, x.dtype, op);
  backend().reluBackward({
    n: x.size,
    dout: dc.data as FloatArray,
    doutOffset: dc.offset,
    x: xc.data as FloatArray,
    xOffset: xc.offset,
    dx: dx.data as FloatArray,
    dxOffset: 0,
    slope,
  });
  return dx;
}

/** leakyReluForward's cache: the input and alpha. */
export type LeakyReluCache = [x: NDArray, alpha: number];

/** alpha + (1 − alpha)·[x > 0] as an array of `dtype`: the slope slopePass applies in one pass, kept for mixed dtypes. */
function leakySlope(x: NDArray, alpha: number, dtype: NDArray['dtype']): NDArray {
  return x
    .gt(0)
    .astype(dtype)
    .mul(1 - alpha)
    .add(alpha);
}

/** Leaky ReLU forward: out = x for x > 0, alpha·x otherwise. Returns [out, cache]. */
export function leakyReluForward(x: NDArray, alpha = 0.01): [NDArray, LeakyReluCache] {
  checkFloat('leakyReluForward', 'x', x);
  // alpha 0 stays on the chain: its x·0 keeps −0 (and NaN for −∞), where the kernel's slope 0 writes 0.
  const out = alpha === 0 ? null : slopePass('leakyReluForward', x, x, alpha);
  return [out ?? x.mul(leakySlope(x, alpha, x.dtype)), [x, alpha]];
}

/** Leaky ReLU backward. Returns [dx]. */
export function leakyReluBackward(dout: NDArray, cache: LeakyReluCache): [NDArray] {
  const [x, alpha] = cache;
  checkDout('leakyReluBackward', dout, x);
  const dx = alpha === 0 ? null : slopePass('leakyReluBackward', dout, x, alpha);
  return [dx ?? dout.mul(leakySlope(x, alpha, dout.dtype))];
}

/** Sigmoid forward: out = 1 / (1 + e^−x), computed stably by the kernel. Returns [out, cache = out]. */
export function sigmoidForward(x: NDArray): [NDArray, NDArray] {
  checkFloat('sigmoidForward', 'x', x);
  const out = x.sigmoid();
  return [out, out];
}

/** Sigmoid backward: dx = dout·out·(1 − out). Returns [dx]. */
export function sigmoidBackward(dout: NDArray, cache: NDArray): [NDArray] {
  checkDout('sigmoidBackward', dout, cache);
  const s = cache;
  return [dout.mul(s).mul(s.neg().add(1))];
}

/** tanh forward. Returns [out, cache = out]. */
export function tanhForward(x: NDArray): [NDArray, NDArray] {
  checkFloat('tanhForward', 'x', x);
  const out = x.tanh();
  return [out, out];
}

/** tanh backward: dx = dout·(1 − out²). Returns [dx]. */
export function tanhBackward(dout: NDArray, cache: NDArray): [NDArray] {
  checkDout('tanhBackward', dout, cache);
  return [dout.mul(cache.mul(cache).neg().add(1))];
}
