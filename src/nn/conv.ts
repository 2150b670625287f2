/**
 * The fast convolution: im2col + GEMM, one image at a time.
 *
 * For image n, im2col lays its windows out as cols (K = C·HH·WW, P = H'·W'), and the weights viewed as
 * (F, K) give out[n] = w · cols, an (F, P) product that IS out[n] in (N, F, H', W') order: no transpose
 * of inputs or outputs anywhere. The backward reuses the same layout:
 *   dw += dout[n] · colsᵀ   (F×P · P×K, accumulated over n by GEMM's beta = 1)
 *   dcols = wᵀ · dout[n]    (K×F · F×P), then col2im adds dcols back into dx[n].
 * cols is a scratch buffer of one image (rebuilt in the backward rather than cached for the whole
 * batch), which keeps it in cache and the memory use at K·P elements however large the batch.
 */
import { backend } from '../backend/index.js';
import type { Im2colArgs } from '../backend/backend.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import {
  asContiguous,
  checkDout,
  convDims,
  convDtype,
  type ConvCache,
  type ConvDims,
  type ConvParam,
} from './convNaive.js';

const scratchBuffers = new Map<string, FloatArray>();

/**
 * A reusable scratch buffer of at least n elements of the dtype of `like`, one per backend and dtype;
 * a backend that offers `scratch` (e.g. in its own memory, so kernels skip copies) provides it.
 */
function scratch(like: FloatArray, n: number): FloatArray {
  const be = backend();
  const dtype = like instanceof Float32Array ? 'float32' : 'float64';
  const key = `${be.name}:${dtype}`;
  let buf = scratchBuffers.get(key);
  if (!buf || buf.length < n) {
    buf = be.scratch?.(dtype, n) ?? (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
    scratchBuffers.set(key, buf);
  }
  return buf;
}

function im2colArgs(d: ConvDims, x: NDArray, n: number, cols: FloatArray): Im2colArgs {
  const { C, H, W, HH, WW, stride, pad, Ho, Wo } = d;
  return {
    x: x.data as FloatArray,
    xOffset: x.offset + n * C * H * W,
    C,
    H,
    W,
    HH,
    WW,
    stride,
    pad,
    Ho,
    Wo,
    cols,
    colsOffset: 0,
  };
}

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
  const d = convDims('convForwardFast', x, w, b, convParam);
  const { N, C, F, HH, WW, Ho, Wo } = d;
  const dtype = convDtype(x, w);
  const [xc, wc, bc] = asContiguous(dtype, x, w, b);
  const K = C * HH * WW;
  const P = Ho * Wo;
  const out = allocArray([N, F, Ho, Wo], dtype, 'convForwardFast');
  const cols = scratch(out.data as FloatArray, K * P);
  const be = backend();
  const od = out.data as FloatArray;
  const bd = bc.data as FloatArray;
  for (let n = 0; n < N; n++) {
    // Each output plane starts as its bias, and GEMM accumulates onto it (beta = 1): no extra pass.
    for (let f = 0; f < F; f++) od.fill(bd[bc.offset + f], (n * F + f) * P, (n * F + f + 1) * P);
    be.im2col(im2colArgs(d, xc, n, cols));
    be.gemm({
      transA: false,
      transB: false,
      M: F,
      N: P,
      K,
      alpha: 1,
      A: wc.data as FloatArray,
      aOffset: wc.offset,
      lda: K,
      B: cols,
      bOffset: 0,
      ldb: P,
      beta: 1,
      C: od,
      cOffset: n * F * P,
      ldc: P,
    });
  }
  return [out, [x, w, b, convParam]];
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
  const [x, w, b, convParam] = cache;
  const d = convDims('convBackwardFast', x, w, b, convParam);
  const { N, C, H, W, F, HH, WW, Ho, Wo } = d;
  checkDout('convBackwardFast', dout, [N, F, Ho, Wo]);
  const dtype = convDtype(x, w);
  const [xc, wc, dc] = asContiguous(dtype, x, w, dout);
  const K = C * HH * WW;
  const P = Ho * Wo;
  const dx = computeDx ? allocArray([N, C, H, W], dtype, 'convBackwardFast') : null;
  const dw = allocArray([F, C, HH, WW], dtype, 'convBackwardFast');
  const dwd = dw.data as FloatArray;
  const dd = dc.data as FloatArray;
  // One buffer holds cols (the first K·P) and dcols (the next K·P).
  const buf = scratch(dwd, 2 * K * P);
  const cols = buf.subarray(0, K * P);
  const dcols = buf.subarray(K * P, 2 * K * P);
  const be = backend();
  for (let n = 0; n < N; n++) {
    const dOff = dc.offset + n * F * P;
    be.im2col(im2colArgs(d, xc, n, cols));
    be.gemm({
      transA: false,
      transB: true,
      M: F,
      N: K,
      K: P,
      alpha: 1,
      A: dd,
      aOffset: dOff,
      lda: P,
      B: cols,
      bOffset: 0,
      ldb: P,
      beta: 1,
      C: dwd,
      cOffset: 0,
      ldc: K,
    });
    if (!dx) continue;
    be.gemm({
      transA: true,
      transB: false,
      M: K,
      N: P,
      K: F,
      alpha: 1,
      A: wc.data as FloatArray,
      aOffset: wc.offset,
      lda: K,
      B: dd,
      bOffset: dOff,
      ldb: P,
      beta: 0,
      C: dcols,
      cOffset: 0,
      ldc: P,
    });
    be.col2im(im2colArgs(d, dx, n, dcols));
  }
  const db = dc.sum([0, 2, 3]);
  return [dx, dw, db];
}
