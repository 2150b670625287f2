/**
 * The fast convolution: im2col + GEMM over the whole batch in one backend call (Backend.convForward /
 * convBackward), optionally with the ReLU and a max pool fused in.
 *
 * For image n, im2col lays its windows out as cols (K = C·HH·WW, P = H'·W'), and the weights viewed as
 * (F, K) give out[n] = w · cols, an (F, P) product that IS out[n] in (N, F, H', W') order: no transpose
 * of inputs or outputs anywhere. The backward reuses the same layout:
 *   dw += dout[n] · colsᵀ   (F×P · P×K)
 *   dcols = wᵀ · dout[n]    (K×F · F×P), then col2im adds dcols back into dx[n].
 * cols is per-thread scratch of one image (rebuilt in the backward rather than cached for the batch),
 * which keeps it in cache and the memory use at K·P elements per thread however large the batch.
 * With the pool fused (conv → ReLU → max pool), the conv output never becomes an array: the cache keeps
 * the pooled output and each window's argmax, from which the backward rebuilds the conv's gradient.
 */
import { backend } from '../backend/index.js';
import type { ConvGeometry, ConvPool } from '../backend/backend.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import { poolDims, type PoolParam } from './pool.js';
import {
  asContiguous,
  checkDout,
  convDims,
  convDtype,
  type ConvCache,
  type ConvDims,
  type ConvParam,
} from './convNaive.js';

/**
 * Fast convolution forward, the same result as convForwardNaive.
 * - x: (N, C, H, W); w: (F, C, HH, WW); b: (F,); convParam: { stride = 1, pad = 0 }
 * Returns [out (N, F, H', W'), cache = [x, w, b, convParam]].
 */
export function convForwardFast(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
): [NDArray, ConvCache] {
  return [convRun('convForwardFast', x, w, b, convParam, false), [x, w, b, convParam]];
}

/** The backend's geometry of a convolution on contiguous operands. */
function geometry(d: ConvDims, xc: NDArray, wc: NDArray): ConvGeometry {
  return {
    ...d,
    x: xc.data as FloatArray,
    xOffset: xc.offset,
    w: wc.data as FloatArray,
    wOffset: wc.offset,
  };
}

/** conv(x, w) + b, then ReLU when `relu`. */
function convRun(
  layer: string,
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
  relu: boolean,
): NDArray {
  const d = convDims(layer, x, w, b, convParam);
  const dtype = convDtype(x, w);
  const [xc, wc, bc] = asContiguous(dtype, x, w, b);
  const out = allocArray([d.N, d.F, d.Ho, d.Wo], dtype, layer);
  backend().convForward({
    ...geometry(d, xc, wc),
    b: bc.data as FloatArray,
    bOffset: bc.offset,
    relu,
    pool: null,
    out: out.data as FloatArray,
    argmax: null,
  });
  return out;
}

/**
 * conv → ReLU in one pass. Returns [out (N, F, H', W'), cache = [convCache, out]]: out > 0 exactly where the
 * conv output is, so out serves as the ReLU's cache.
 */
export function convReluForwardFast(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
): [NDArray, [ConvCache, NDArray]] {
  const out = convRun('convReluForward', x, w, b, convParam, true);
  return [out, [[x, w, b, convParam], out]];
}

/** The cache of convReluPoolForwardFast: the conv's, the pooled output and every window's argmax. */
export interface ConvReluPoolFastCache {
  convCache: ConvCache;
  pool: ConvPool;
  pooled: NDArray;
  argmax: Int32Array;
}

/**
 * conv → ReLU → max pool in one backend call; the conv output stays in the backend's scratch.
 * - x: (N, C, H, W); w: (F, C, HH, WW); b: (F,)
 * Returns [out (N, F, H'', W''), cache].
 */
export function convReluPoolForwardFast(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
  poolParam: PoolParam,
): [NDArray, ConvReluPoolFastCache] {
  const layer = 'convReluPoolForward';
  const d = convDims(layer, x, w, b, convParam);
  const pd = poolDims(layer, [d.N, d.F, d.Ho, d.Wo], poolParam);
  const pool: ConvPool = {
    poolHeight: pd.ph,
    poolWidth: pd.pw,
    stride: pd.stride,
    Ho: pd.Ho,
    Wo: pd.Wo,
  };
  const dtype = convDtype(x, w);
  const [xc, wc, bc] = asContiguous(dtype, x, w, b);
  const out = allocArray([d.N, d.F, pool.Ho, pool.Wo], dtype, layer);
  const argmax = new Int32Array(out.size);
  backend().convForward({
    ...geometry(d, xc, wc),
    b: bc.data as FloatArray,
    bOffset: bc.offset,
    relu: true,
    pool,
    out: out.data as FloatArray,
    argmax,
  });
  return [out, { convCache: [x, w, b, convParam], pool, pooled: out, argmax }];
}

/**
 * Backward of convReluPoolForwardFast. Returns [dx, dw, db] (dx null when computeDx is false).
 */
export function convReluPoolBackwardFast(
  dout: NDArray,
  cache: ConvReluPoolFastCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  const { pooled } = cache;
  checkDout('convReluPoolBackward', dout, pooled.shape);
  return convBack('convReluPoolBackward', dout, cache.convCache, computeDx, cache);
}

/**
 * Fast convolution backward, the same result as convBackwardNaive.
 * - dout: (N, F, H', W'); cache from convForwardFast (or convForwardNaive)
 * - computeDx: pass false for a first layer, whose dx nobody reads: it skips half the work (dx is null)
 * Returns [dx (N, C, H, W), dw (F, C, HH, WW), db (F,)].
 */
export function convBackwardFast(dout: NDArray, cache: ConvCache): [NDArray, NDArray, NDArray];
export function convBackwardFast(
  dout: NDArray,
  cache: ConvCache,
  computeDx: boolean,
): [NDArray | null, NDArray, NDArray];
export function convBackwardFast(
  dout: NDArray,
  cache: ConvCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  return convBack('convBackwardFast', dout, cache, computeDx, null);
}

function convBack(
  layer: string,
  dout: NDArray,
  cache: ConvCache,
  computeDx: boolean,
  fused: ConvReluPoolFastCache | null,
): [NDArray | null, NDArray, NDArray] {
  const [x, w, b, convParam] = cache;
  const d = convDims(layer, x, w, b, convParam);
  const { N, C, H, W, F, HH, WW, Ho, Wo } = d;
  if (!fused) checkDout(layer, dout, [N, F, Ho, Wo]);
  const dtype = convDtype(x, w);
  const [xc, wc, dc] = asContiguous(dtype, x, w, dout);
  const dx = computeDx ? allocArray([N, C, H, W], dtype, layer) : null;
  const dw = allocArray([F, C, HH, WW], dtype, layer);
  const db = allocArray([F], dtype, layer);
  const pooled = fused ? asContiguous(dtype, fused.pooled)[0] : null;
  backend().convBackward({
    ...geometry(d, xc, wc),
    dout: dc.data as FloatArray,
    doutOffset: dc.offset,
    pool: fused ? fused.pool : null,
    pooled: pooled ? (pooled.data as FloatArray) : null,
    argmax: fused ? fused.argmax : null,
    dx: dx ? (dx.data as FloatArray) : null,
    dw: dw.data as FloatArray,
    db: db.data as FloatArray,
  });
  return [dx, dw, db];
}
