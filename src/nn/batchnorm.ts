/**
 * Batch normalization (Ioffe & Szegedy 2015) and its spatial form for conv feature maps.
 *
 * Train mode normalizes each feature with the batch mean and biased batch variance and updates the
 * running averages in bnParam; test mode uses the running averages:
 *   x̂ = (x − μ) / sqrt(σ² + eps),  out = γ·x̂ + β
 * x (N, D) and x (N, C, H, W) are both seen as (N, F, S), F features of S values per example (S = 1
 * and S = H·W), so one implementation serves both and the spatial form needs no transposes. The
 * per-feature passes run in the backend's channel kernels; batchnormBackward spells the graph out in
 * NDArray ops instead, to be read beside the course's derivation.
 */
import { zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { channelDot, channelLinear, channelMoments, f64, fromF64, type ChannelShape } from './channels.js';
import { checkFloat, checkGammaBeta, fail, fmtShape } from './util.js';

/** The course's bn_param: mode, eps, momentum and the running mean and variance (D,) it updates in train mode. */
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

/** batchnormForward's cache (what the backward needs). */
export interface BatchnormCache {
  mode: 'train' | 'test';
  /** The input, contiguous. */
  x: NDArray;
  /** The mean and 1/sqrt(var + eps) used, per feature. */
  mean: Float64Array;
  invStd: Float64Array;
  /** gamma, (F,). */
  gamma: NDArray;
  /** x seen as (N, F, S); the axes each feature is averaged over; how many values that is. */
  shape: ChannelShape;
  axes: number[];
  count: number;
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
  checkGammaBeta(layer, x, gamma, beta);
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
  const xc = x.contiguous();
  const count = axes.reduce((p, ax) => p * x.shape[ax], 1);
  const shape = { N: x.shape[0], C: F, S: count / (x.shape[0] || 1) };
  let mean: Float64Array;
  let variance: Float64Array;
  if (mode === 'train') {
    ({ mean, variance } = channelMoments(xc, shape));
    // running = momentum·running + (1 − momentum)·batch, in place so every holder of bnParam sees it.
    bnParam.runningMean.mulInPlace(momentum).addInPlace(fromF64(mean, [F], 'float64').mul(1 - momentum));
    bnParam.runningVar.mulInPlace(momentum).addInPlace(fromF64(variance, [F], 'float64').mul(1 - momentum));
  } else {
    mean = f64(bnParam.runningMean);
    variance = f64(bnParam.runningVar);
  }
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  // out = γ·invStd·(x − μ) + β in one pass.
  const g = f64(gamma);
  const out = channelLinear(
    xc,
    mean,
    g.map((v, c) => v * invStd[c]),
    null,
    null,
    f64(beta),
    shape,
  );
  return [out, { mode, x: xc, mean, invStd, gamma, shape, axes, count }];
}

function checkDout(layer: string, dout: NDArray, cache: BatchnormCache): NDArray {
  const s = cache.x.shape;
  if (dout.ndim !== s.length || dout.shape.some((d, i) => d !== s[i]))
    fail(layer, `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(s)}`);
  return (dout.dtype === cache.x.dtype ? dout : dout.astype(cache.x.dtype)).contiguous();
}

/** The backward through the computational graph, node by node as drawn in the course (NDArray ops). */
function bnBackwardGraph(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  const { x, axes, count: m, mode } = cache;
  const dtype = x.dtype;
  const F = cache.gamma.size;
  const pshape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const mu = fromF64(cache.mean, pshape, dtype);
  const std = fromF64(
    cache.invStd.map((v) => 1 / v),
    pshape,
    dtype,
  );
  const gamma = cache.gamma.reshape(pshape);
  // forward: xc = x − μ;  xhat = xc / std;  out = γ·xhat + β
  const xc = x.sub(mu);
  const xhat = xc.div(std);
  const dbeta = dout.sum(axes).reshape(F);
  const dgamma = dout.mul(xhat).sum(axes).reshape(F);
  const dxhat = dout.mul(gamma);
  const dxc = dxhat.div(std);
  if (mode === 'test') return [dxc, dgamma, dbeta];
  // std = sqrt(var + eps):  ∂xhat/∂std = −xc/std²,  ∂std/∂var = 1/(2·std)
  const dstd = dxhat.mul(xc).sum(axes, true).neg().div(std.mul(std));
  const dvar = dstd.div(std.mul(2));
  // var = mean(xc²): each xc receives 2·xc·dvar/m
  dxc.addInPlace(xc.mul(dvar.mul(2 / m)));
  // xc = x − μ, μ = mean(x): dx = dxc − mean(dxc)
  const dmu = dxc.sum(axes, true).mul(-1 / m);
  return [dxc.addInPlace(dmu), dgamma, dbeta];
}

/**
 * The closed form dx = γ·invStd/m · (m·dout − Σdout − x̂·Σ(dout·x̂)), with dβ = Σdout and
 * dγ = Σ(dout·x̂): one pass for the two sums, one for dx.
 */
function bnBackwardAlt(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  const { x, mean, invStd, shape, count: m, mode } = cache;
  const F = shape.C;
  const { sumA: dbeta, sumAB } = channelDot(dout, x, mean, shape);
  const dgamma = sumAB.map((v, c) => v * invStd[c]);
  const g = f64(cache.gamma);
  const zero = new Float64Array(F);
  let dx: NDArray;
  if (mode === 'test') {
    dx = channelLinear(
      dout,
      zero,
      g.map((v, c) => v * invStd[c]),
      null,
      null,
      zero,
      shape,
    );
  } else {
    const k = g.map((v, c) => (v * invStd[c]) / m);
    // x̂·dγ = invStd·dγ·(x − μ), so dx is a per-feature combination of (x − μ) and dout.
    const alpha = k.map((v, c) => -v * invStd[c] * dgamma[c]);
    const beta = k.map((v) => v * m);
    const delta = k.map((v, c) => -v * dbeta[c]);
    dx = channelLinear(x, mean, alpha, dout, beta, delta, shape);
  }
  return [dx, fromF64(dgamma, [F], x.dtype), fromF64(dbeta, [F], x.dtype)];
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
  return bnBackwardGraph(checkDout('batchnormBackward', dout, cache), cache);
}

/** Batch normalization backward in closed form (two passes). Returns [dx, dgamma, dbeta]. */
export function batchnormBackwardAlt(dout: NDArray, cache: BatchnormCache): [NDArray, NDArray, NDArray] {
  return bnBackwardAlt(checkDout('batchnormBackwardAlt', dout, cache), cache);
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
  return bnBackwardAlt(checkDout('spatialBatchnormBackward', dout, cache), cache);
}
