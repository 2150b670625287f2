/**
 * Layer normalization (Ba et al. 2016): each example normalized over its own features, the same
 * computation in train and test, so no running statistics.
 */
import { div } from '../ndarray/elementwise.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';

export interface LnParam {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

export interface NormCache {
  /** x̂, the normalized input (shape of the normalized view). */
  xhat: NDArray;
  /** 1/sqrt(var + eps) per normalized group, keepdims. */
  invStd: NDArray;
  /** How many values each group holds. */
  count: number;
}

/** Normalizes x over its last axis (keepdims stats): the core of layer and group norm. */
export function normalizeLastAxis(x: NDArray, eps: number): NormCache {
  const ax = x.ndim - 1;
  const xc = x.sub(x.mean(ax, true));
  const invStd = div(1, xc.mul(xc).mean(ax, true).add(eps).sqrt());
  return { xhat: xc.mulInPlace(invStd), invStd, count: x.shape[ax] };
}

/** dx from dx̂ for normalizeLastAxis: invStd/m · (m·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)). */
export function normalizeLastAxisBackward(dxhat: NDArray, c: NormCache): NDArray {
  const ax = dxhat.ndim - 1;
  const m = c.count;
  return dxhat
    .mul(m)
    .subInPlace(dxhat.sum(ax, true))
    .subInPlace(c.xhat.mul(dxhat.mul(c.xhat).sum(ax, true)))
    .mulInPlace(c.invStd.mul(1 / m));
}

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
  const D = x.shape[1];
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p.ndim !== 1 || p.shape[0] !== D)
      fail(
        'layernormForward',
        `${name} of shape ${fmtShape(p.shape)} does not match x of shape ${fmtShape(x.shape)}`,
      );
  }
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
