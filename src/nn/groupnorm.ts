/**
 * Spatial group normalization (Wu & He 2018): the C channels split into G contiguous groups, and each
 * example's group (C/G channels × H × W values) normalized on its own; gamma and beta are per channel.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { normalizeLastAxis, normalizeLastAxisBackward, type NormCache } from './layernorm.js';
import { checkFloat, checkShape, fail, fmtShape } from './util.js';

/** The course's gn_param: eps. */
export interface GnParam {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** spatialGroupnormForward's cache. */
export interface GroupnormCache extends NormCache {
  G: number;
  /** The shape of x, (N, C, H, W). */
  xShape: readonly number[];
  gamma: NDArray;
}

/**
 * Spatial group normalization forward.
 * - x: (N, C, H, W); gamma, beta: (1, C, 1, 1); G: the number of groups, dividing C; gnParam: { eps = 1e-5 }
 * Returns [out (N, C, H, W), cache].
 */
export function spatialGroupnormForward(
  x: NDArray,
  gamma: NDArray,
  beta: NDArray,
  G: number,
  gnParam: GnParam = {},
): [NDArray, GroupnormCache] {
  const layer = 'spatialGroupnormForward';
  checkFloat(layer, 'x', x, 4);
  const [N, C, H, W] = x.shape;
  if (!Number.isInteger(G) || G < 1 || C % G !== 0)
    fail(layer, `G = ${G} groups does not divide the C = ${C} channels of x of shape ${fmtShape(x.shape)}`);
  checkShape(layer, 'gamma', gamma, [1, C, 1, 1]);
  checkShape(layer, 'beta', beta, [1, C, 1, 1]);
  // Contiguous groups make (N, G, C/G·H·W) a view of x when x is contiguous.
  const c = normalizeLastAxis(x.reshape(N, G, (C / G) * H * W), gnParam.eps ?? 1e-5);
  const out = c.xhat.reshape(N, C, H, W).mul(gamma).addInPlace(beta);
  return [out, { ...c, G, xShape: x.shape, gamma }];
}

/** Spatial group normalization backward. Returns [dx (N, C, H, W), dgamma, dbeta (1, C, 1, 1)]. */
export function spatialGroupnormBackward(dout: NDArray, cache: GroupnormCache): [NDArray, NDArray, NDArray] {
  const { xShape: shape, G, gamma } = cache;
  checkShape('spatialGroupnormBackward', 'dout', dout, shape);
  const [N, C, H, W] = shape;
  const xhat = cache.xhat.reshape(shape);
  const dgamma = dout.mul(xhat).sum([0, 2, 3], true);
  const dbeta = dout.sum([0, 2, 3], true);
  const dxhat = dout.mul(gamma).reshape(N, G, (C / G) * H * W);
  const dx = normalizeLastAxisBackward(dxhat, cache).reshape(shape);
  return [dx, dgamma, dbeta];
}
