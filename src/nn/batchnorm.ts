/**
 * Batch normalization (Ioffe & Szegedy 2015) and its spatial form for conv feature maps.
 *
 * Train mode normalizes each feature with the batch mean and biased batch variance and updates the
 * running averages in bnParam; test mode uses the running averages. Both the vanilla forward pair and
 * the spatial one share one implementation over "the axes a feature is averaged over": (0) for
 * x (N, D), (0, 2, 3) for x (N, C, H, W), so the spatial form needs no transposes.
 */
import { zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';

export interface BnParam {
  mode: 'train' | 'test';
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the old running value in each update (default 0.9). */
  momentum?: number;
  /** Running mean and variance, shape (D,) or (C,); created as zeros on first use. */
  runningMean?: NDArray;
  runningVar?: NDArray;
}

export interface BatchnormCache {
  mode: 'train' | 'test';
  /** The normalized input x̂, shape of x. */
  xhat: NDArray;
  /** x minus the mean used, shape of x. */
  xc: NDArray;
  /** sqrt(var + eps) with keepdims, e.g. (1, D) or (1, C, 1, 1). */
  std: NDArray;
  /** gamma reshaped to broadcast against x. */
  gamma: NDArray;
  /** The axes each feature is averaged over, and how many values that is. */
  axes: number[];
  count: number;
}

function paramShape(x: NDArray, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The shared forward: x normalized over `axes`, gamma/beta/running stats of length F = x.shape[1]. */
function bnForward(
  layer: string,
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  bnParam: BnParam,
  axes: number[],
): [NDArray, BatchnormCache] {
  const F = x.shape[1];
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p.ndim !== 1 || p.shape[0] !== F)
      fail(layer, `${name} of shape ${fmtShape(p.shape)} does not match x of shape ${fmtShape(x.shape)}`);
  }
  const { mode } = bnParam;
  if (mode !== 'train' && mode !== 'test')
    fail(layer, `bnParam.mode must be 'train' or 'test', got '${mode}'`);
  const eps = bnParam.eps ?? 1e-5;
  const momentum = bnParam.momentum ?? 0.9;
  bnParam.runningMean ??= zeros([F], x.dtype);
  bnParam.runningVar ??= zeros([F], x.dtype);
  for (const [name, r] of [
    ['runningMean', bnParam.runningMean],
    ['runningVar', bnParam.runningVar],
  ] as const) {
    if (r.size !== F)
      fail(
        layer,
        `bnParam.${name} of shape ${fmtShape(r.shape)} does not match x of shape ${fmtShape(x.shape)}`,
      );
  }
  const pshape = paramShape(x, axes);
  const g = gamma.reshape(pshape);
  const count = axes.reduce((p, ax) => p * x.shape[ax], 1);
  let xc: NDArray;
  let variance: NDArray;
  if (mode === 'train') {
    const mu = x.mean(axes, true);
    xc = x.sub(mu);
    variance = xc.mul(xc).mean(axes, true);
    // The running stats are mutated in place so every holder of bnParam sees them.
    const rm = bnParam.runningMean;
    const rv = bnParam.runningVar;
    rm.mulInPlace(momentum).addInPlace(mu.reshape(F).mul(1 - momentum));
    rv.mulInPlace(momentum).addInPlace(variance.reshape(F).mul(1 - momentum));
  } else {
    xc = x.sub(bnParam.runningMean.reshape(pshape));
    variance = bnParam.runningVar.reshape(pshape);
  }
  const std = variance.add(eps).sqrt();
  const xhat = xc.div(std);
  const out = xhat.mul(g).addInPlace(beta.reshape(pshape));
  return [out, { mode, xhat, xc, std, gamma: g, axes, count }];
}

/** dgamma and dbeta, both (F,). */
function paramGrads(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray] {
  const F = cache.gamma.size;
  return [dout.mul(cache.xhat).sum(cache.axes).reshape(F), dout.sum(cache.axes).reshape(F)];
}

function checkDout(layer: string, dout: NDArray, cache: BatchnormCache): void {
  const s = cache.xhat.shape;
  if (dout.ndim !== s.length || dout.shape.some((d, i) => d !== s[i]))
    fail(layer, `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(s)}`);
}

/** The backward through the computational graph, node by node as drawn in the course. */
function bnBackwardGraph(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  const { xc, std, gamma, axes, count: m, mode } = cache;
  const [dgamma, dbeta] = paramGrads(dout, cache);
  const dxhat = dout.mul(gamma);
  // xhat = xc · (1/std)
  const dxc = dxhat.div(std);
  if (mode === 'test') return [dxc, dgamma, dbeta];
  const dinvStd = dxhat.mul(xc).sum(axes, true);
  // invStd = 1/std, std = sqrt(var + eps): d/dvar = −1/std² · 1/(2·std)
  const dvar = dinvStd.mul(-0.5).div(std.mul(std).mul(std));
  // var = mean(xc²): each xc receives 2·xc·dvar/m
  dxc.addInPlace(xc.mul(dvar.mul(2 / m)));
  // xc = x − mu, mu = mean(x): dx = dxc − mean(dxc)
  const dmu = dxc.sum(axes, true).mul(-1 / m);
  return [dxc.addInPlace(dmu), dgamma, dbeta];
}

/** The closed form dx = (γ/σ)/m · (m·dout − Σdout − x̂·Σ(dout·x̂)), using dgamma and dbeta. */
function bnBackwardAlt(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  const { xhat, std, gamma, count: m, mode } = cache;
  const [dgamma, dbeta] = paramGrads(dout, cache);
  const scale = gamma.div(std);
  if (mode === 'test') return [dout.mul(scale), dgamma, dbeta];
  const pshape = gamma.shape;
  const dx = dout
    .mul(m)
    .subInPlace(dbeta.reshape(pshape))
    .subInPlace(xhat.mul(dgamma.reshape(pshape)))
    .mulInPlace(scale.mul(1 / m));
  return [dx, dgamma, dbeta];
}

/**
 * Batch normalization forward.
 * - x: (N, D); gamma, beta: (D,)
 * - bnParam: { mode, eps = 1e-5, momentum = 0.9, runningMean (D,), runningVar (D,) }, updated in train mode
 * Returns [out (N, D), cache].
 */
export function batchnormForward(
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  bnParam: BnParam,
): [NDArray, BatchnormCache] {
  checkFloat('batchnormForward', 'x', x, 2);
  return bnForward('batchnormForward', x, gamma, beta, bnParam, [0]);
}

/** Batch normalization backward through the graph. Returns [dx (N, D), dgamma (D,), dbeta (D,)]. */
export function batchnormBackward(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  checkDout('batchnormBackward', dout, cache);
  return bnBackwardGraph(dout, cache);
}

/** Batch normalization backward in closed form (fewer passes). Returns [dx, dgamma, dbeta]. */
export function batchnormBackwardAlt(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  checkDout('batchnormBackwardAlt', dout, cache);
  return bnBackwardAlt(dout, cache);
}

/**
 * Spatial batch normalization: each channel normalized over (N, H, W).
 * - x: (N, C, H, W); gamma, beta: (C,); bnParam as for batchnormForward with (C,) running stats
 * Returns [out (N, C, H, W), cache].
 */
export function spatialBatchnormForward(
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  bnParam: BnParam,
): [NDArray, BatchnormCache] {
  checkFloat('spatialBatchnormForward', 'x', x, 4);
  return bnForward('spatialBatchnormForward', x, gamma, beta, bnParam, [0, 2, 3]);
}

/** Spatial batch normalization backward. Returns [dx (N, C, H, W), dgamma (C,), dbeta (C,)]. */
export function spatialBatchnormBackward(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  checkDout('spatialBatchnormBackward', dout, cache);
  return bnBackwardAlt(dout, cache);
}
