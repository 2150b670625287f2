/**
 * Layer normalization (Ba et al. 2016): each example normalized over its own features, the same
 * computation in train and test, so no running statistics.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { channelDot, channelLinear, channelMoments, type ChannelShape } from './channels.js';
import { checkFloat, checkGammaBeta, fail, fmtShape } from './util.js';

/** The course's ln_param: eps. */
export interface LnParam {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

export interface NormCache {
  /** x̂, the normalized input, in the shape normalizeLastAxis was given. */
  xhat: NDArray;
  /** The input, contiguous, and each row's mean and 1/sqrt(var + eps). */
  x: NDArray;
  mean: Float64Array;
  invStd: Float64Array;
  /** The rows seen as channels of one example: (1, rows, row length). */
  shape: ChannelShape;
}

/** Normalizes each row of x (its last axis) to zero mean and unit variance: layer and group norm's core. */
export function normalizeLastAxis(x: NDArray, eps: number): NormCache {
  const xc = x.contiguous();
  const M = x.shape[x.ndim - 1];
  const shape = { N: 1, C: x.size / (M || 1), S: M };
  const { mean, variance } = channelMoments(xc, shape);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const xhat = channelLinear(xc, mean, invStd, null, null, new Float64Array(shape.C), shape);
  return { xhat, x: xc, mean, invStd, shape };
}

/**
 * dx from dx̂ for normalizeLastAxis, per row: invStd/m · (m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), where
 * x̂·Σ(dx̂·x̂) = invStd²·Σ(dx̂·(x − μ))·(x − μ): one pass for the sums, one for dx.
 */
export function normalizeLastAxisBackward(dxhat: NDArray, c: NormCache): NDArray {
  const { x, mean, invStd, shape } = c;
  const m = shape.S;
  const d = (dxhat.dtype === x.dtype ? dxhat : dxhat.astype(x.dtype)).contiguous();
  const { sumA, sumAB } = channelDot(d, x, mean, shape);
  const alpha = invStd.map((s, r) => (-s * s * s * sumAB[r]) / m);
  const delta = invStd.map((s, r) => (-s * sumA[r]) / m);
  return channelLinear(x, mean, alpha, d, invStd, delta, shape).reshape(dxhat.shape);
}

/** layernormForward's cache. */
export interface LayernormCache extends NormCache {
  gamma: NDArray;
}

/**
 * Layer normalization forward.
 * - x: (N, D); gamma, beta: (D,); lnParam: { eps = 1e-5 }
 * Returns [out (N, D), cache].
 */
export function layernormForward(
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  lnParam: LnParam = {},
): [NDArray, LayernormCache] {
  checkFloat('layernormForward', 'x', x, 2);
  checkGammaBeta('layernormForward', x, gamma, beta);
  const c = normalizeLastAxis(x, lnParam.eps ?? 1e-5);
  const out = c.xhat.mul(gamma).addInPlace(beta);
  return [out, { ...c, gamma }];
}

/** Layer normalization backward. Returns [dx (N, D), dgamma (D,), dbeta (D,)]. */
export function layernormBackward(dout: NDArray, cache: LayernormCache): [NDArray, NDArray, NDArray] {
  const s = cache.xhat.shape;
  if (dout.ndim !== 2 || dout.shape[0] !== s[0] || dout.shape[1] !== s[1])
    fail(
      'layernormBackward',
      `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(s)}`,
    );
  const dgamma = dout.mul(cache.xhat).sum(0);
  const dbeta = dout.sum(0);
  const dx = normalizeLastAxisBackward(dout.mul(cache.gamma), cache);
  return [dx, dgamma, dbeta];
}
