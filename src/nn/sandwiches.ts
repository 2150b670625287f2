/**
 * Convenience "sandwich" layers (the course's layer_utils): common chains of layers as one
 * forward/backward pair. Conv and pool use the fast implementations.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { affineBackward, affineForward, type AffineCache } from './affine.js';
import { reluBackward, reluForward } from './activations.js';
import {
  batchnormBackwardAlt,
  batchnormForward,
  spatialBatchnormBackward,
  spatialBatchnormForward,
  type BatchnormCache,
  type BnParam,
} from './batchnorm.js';
import {
  convBackwardFast,
  convForwardFast,
  convReluForwardFast,
  convReluPoolBackwardFast,
  convReluPoolForwardFast,
  type ConvReluPoolFastCache,
} from './conv.js';
import type { ConvCache, ConvParam } from './convNaive.js';
import { dropoutBackward, dropoutForward, type DropoutCache, type DropoutParam } from './dropout.js';
import { layernormBackward, layernormForward, type LayernormCache, type LnParam } from './layernorm.js';
import type { PoolParam } from './pool.js';

/** affineReluForward's cache. */
export type AffineReluCache = [fcCache: AffineCache, reluCache: NDArray];

/** affine → ReLU. Returns [out (N, M), cache]. */
export function affineReluForward(x: NDArray, w: NDArray, b: NDArray): [NDArray, AffineReluCache] {
  const [a, fcCache] = affineForward(x, w, b);
  const [out, reluCache] = reluForward(a);
  return [out, [fcCache, reluCache]];
}

/** Backward of affine → ReLU. Returns [dx, dw, db]. */
export function affineReluBackward(dout: NDArray, cache: AffineReluCache): [NDArray, NDArray, NDArray] {
  const [fcCache, reluCache] = cache;
  const [da] = reluBackward(dout, reluCache);
  return affineBackward(da, fcCache);
}

/** The normalization of FullyConnectedNet's hidden layers. */
export type Normalization = 'batchnorm' | 'layernorm' | null;

/** The cache of one FullyConnectedNet hidden layer (affine, norm, ReLU, dropout). */
export interface AffineNormReluDropoutCache {
  fcCache: AffineCache;
  normalization: Normalization;
  normCache: BatchnormCache | LayernormCache | null;
  reluCache: NDArray;
  dropoutCache: DropoutCache | null;
}

/**
 * affine → batch or layer norm → ReLU → dropout; the norm is skipped when `normalization` is null
 * (gamma, beta, normParam then unused) and dropout when `dropoutParam` is null or undefined.
 * - x: (N, D); w: (D, M); b, gamma, beta: (M,)
 * - normParam: the bnParam (batchnorm) or lnParam (layernorm) of this layer
 * Returns [out (N, M), cache].
 */
export function affineNormReluDropoutForward(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  gamma: NDArray | null,
  beta: NDArray | null,
  normParam: BnParam | LnParam | null,
  normalization: Normalization,
  dropoutParam?: DropoutParam | null,
): [NDArray, AffineNormReluDropoutCache] {
  const [a, fcCache] = affineForward(x, w, b);
  let h = a;
  let normCache: BatchnormCache | LayernormCache | null = null;
  if (normalization !== null) {
    if (!gamma || !beta || !normParam)
      throw new RangeError(`affineNormReluDropoutForward: ${normalization} needs gamma, beta and its param`);
    if (normalization === 'batchnorm')
      [h, normCache] = batchnormForward(h, gamma, beta, normParam as BnParam);
    else [h, normCache] = layernormForward(h, gamma, beta, normParam);
  }
  const [r, reluCache] = reluForward(h);
  let out = r;
  let dropoutCache: DropoutCache | null = null;
  if (dropoutParam) [out, dropoutCache] = dropoutForward(r, dropoutParam);
  return [out, { fcCache, normalization, normCache, reluCache, dropoutCache }];
}

/**
 * Backward of affineNormReluDropoutForward.
 * Returns [dx, dw, db, dgamma, dbeta] (dgamma and dbeta null without normalization; dx null when computeDx
 * is false, for a first layer).
 */
export function affineNormReluDropoutBackward(
  dout: NDArray,
  cache: AffineNormReluDropoutCache,
): [NDArray, NDArray, NDArray, NDArray | null, NDArray | null];
export function affineNormReluDropoutBackward(
  dout: NDArray,
  cache: AffineNormReluDropoutCache,
  computeDx: boolean,
): [NDArray | null, NDArray, NDArray, NDArray | null, NDArray | null];
export function affineNormReluDropoutBackward(
  dout: NDArray,
  cache: AffineNormReluDropoutCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray, NDArray | null, NDArray | null] {
  let d = dout;
  if (cache.dropoutCache) [d] = dropoutBackward(d, cache.dropoutCache);
  [d] = reluBackward(d, cache.reluCache);
  let dgamma: NDArray | null = null;
  let dbeta: NDArray | null = null;
  if (cache.normalization === 'batchnorm')
    [d, dgamma, dbeta] = batchnormBackwardAlt(d, cache.normCache as BatchnormCache);
  else if (cache.normalization === 'layernorm')
    [d, dgamma, dbeta] = layernormBackward(d, cache.normCache as LayernormCache);
  const [dx, dw, db] = affineBackward(d, cache.fcCache, computeDx);
  return [dx, dw, db, dgamma, dbeta];
}

/** convReluForward's cache. */
export type ConvReluCache = [convCache: ConvCache, reluCache: NDArray];

/** conv → ReLU. Returns [out (N, F, H', W'), cache]. */
export function convReluForward(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
): [NDArray, ConvReluCache] {
  // One pass; the ReLU's cache is its output (positive exactly where its input is).
  return convReluForwardFast(x, w, b, convParam);
}

/** Backward of conv → ReLU. Returns [dx, dw, db] (dx null when computeDx is false). */
export function convReluBackward(dout: NDArray, cache: ConvReluCache): [NDArray, NDArray, NDArray];
export function convReluBackward(
  dout: NDArray,
  cache: ConvReluCache,
  computeDx: boolean,
): [NDArray | null, NDArray, NDArray];
export function convReluBackward(
  dout: NDArray,
  cache: ConvReluCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  const [convCache, reluCache] = cache;
  const [da] = reluBackward(dout, reluCache);
  return convBackwardFast(da, convCache, computeDx);
}

/** convBnReluForward's cache. */
export type ConvBnReluCache = [convCache: ConvCache, bnCache: BatchnormCache, reluCache: NDArray];

/** conv → spatial batchnorm → ReLU; gamma, beta: (F,). Returns [out (N, F, H', W'), cache]. */
export function convBnReluForward(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  gamma: NDArray,
  beta: NDArray,
  convParam: ConvParam,
  bnParam: BnParam,
): [NDArray, ConvBnReluCache] {
  const [a, convCache] = convForwardFast(x, w, b, convParam);
  const [an, bnCache] = spatialBatchnormForward(a, gamma, beta, bnParam);
  const [out, reluCache] = reluForward(an);
  return [out, [convCache, bnCache, reluCache]];
}

/** Backward of conv → spatial batchnorm → ReLU. Returns [dx, dw, db, dgamma, dbeta]. */
export function convBnReluBackward(
  dout: NDArray,
  cache: ConvBnReluCache,
): [NDArray, NDArray, NDArray, NDArray, NDArray] {
  const [convCache, bnCache, reluCache] = cache;
  const [dan] = reluBackward(dout, reluCache);
  const [da, dgamma, dbeta] = spatialBatchnormBackward(dan, bnCache);
  const [dx, dw, db] = convBackwardFast(da, convCache);
  return [dx, dw, db, dgamma, dbeta];
}

/** convReluPoolForward's cache. */
export type ConvReluPoolCache = ConvReluPoolFastCache;

/** conv → ReLU → max pool, in one backend call. Returns [out (N, F, H'', W''), cache]. */
export function convReluPoolForward(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
  poolParam: PoolParam,
): [NDArray, ConvReluPoolCache] {
  return convReluPoolForwardFast(x, w, b, convParam, poolParam);
}

/**
 * Backward of conv → ReLU → max pool. Returns [dx, dw, db]; with computeDx false (a first layer) dx is
 * null and the conv skips half its work.
 */
export function convReluPoolBackward(dout: NDArray, cache: ConvReluPoolCache): [NDArray, NDArray, NDArray];
export function convReluPoolBackward(
  dout: NDArray,
  cache: ConvReluPoolCache,
  computeDx: boolean,
): [NDArray | null, NDArray, NDArray];
export function convReluPoolBackward(
  dout: NDArray,
  cache: ConvReluPoolCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  return convReluPoolBackwardFast(dout, cache, computeDx);
}
