/**
 * Max pooling over (N, C, H, W): each poolHeight×poolWidth window, taken every `stride` pixels, is
 * replaced by its maximum; H' = 1 + (H − poolHeight) / stride, which must be whole (likewise W').
 * The naive pair is the definition as loops; the fast pair runs in a backend kernel that records each
 * window's argmax, so its backward is a scatter. The 2×2 stride-2 tiling (the case of the course's
 * reshape fast path: square tiles that cover x exactly once) takes an unrolled branch of that kernel.
 */
import { backend } from '../backend/index.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import { checkDout } from './convNaive.js';
import { checkFloat, fail, fmtShape } from './util.js';

/** The course's pool_param: window height and width, stride. */
export interface PoolParam {
  poolHeight: number;
  poolWidth: number;
  stride: number;
}

/** maxPoolForwardNaive's cache: x (N, C, H, W) and poolParam. */
export type PoolCache = [x: NDArray, poolParam: PoolParam];

/** The fast pair's cache: x's shape and, per output, the index of its max within the (H, W) plane. */
export interface PoolFastCache {
  xShape: readonly number[];
  dtype: NDArray['dtype'];
  poolParam: PoolParam;
  argmax: Int32Array;
}

/** The sizes of a pooling: batch, channels, input and output height and width. */
export interface PoolDims {
  N: number;
  C: number;
  H: number;
  W: number;
  ph: number;
  pw: number;
  stride: number;
  Ho: number;
  Wo: number;
}

function checkedPoolDims(layer: string, x: NDArray, poolParam: PoolParam): PoolDims {
  checkFloat(layer, 'x', x, 4);
  return poolDims(layer, x.shape, poolParam);
}

/** Checks poolParam against an input of `shape` (N, C, H, W) and derives H', W'. */
export function poolDims(layer: string, shape: readonly number[], poolParam: PoolParam): PoolDims {
  const [N, C, H, W] = shape;
  const { poolHeight: ph, poolWidth: pw, stride } = poolParam;
  for (const [name, v] of [
    ['poolHeight', ph],
    ['poolWidth', pw],
    ['stride', stride],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) fail(layer, `poolParam.${name} must be a positive integer, got ${v}`);
  }
  if (ph > H || pw > W) fail(layer, `a ${ph}×${pw} window does not fit in x of shape ${fmtShape(shape)}`);
  if ((H - ph) % stride !== 0 || (W - pw) % stride !== 0)
    fail(
      layer,
      `stride ${stride} does not divide (H − poolHeight, W − poolWidth) = (${H - ph}, ${W - pw}) for x of shape ${fmtShape(shape)}`,
    );
  return { N, C, H, W, ph, pw, stride, Ho: 1 + (H - ph) / stride, Wo: 1 + (W - pw) / stride };
}

/**
 * Naive max pooling forward.
 * - x: (N, C, H, W); poolParam: { poolHeight, poolWidth, stride }
 * Returns [out (N, C, H', W'), cache = [x, poolParam]].
 */
export function maxPoolForwardNaive(x: NDArray, poolParam: PoolParam): [NDArray, PoolCache] {
  const { N, C, H, W, ph, pw, stride, Ho, Wo } = checkedPoolDims('maxPoolForwardNaive', x, poolParam);
  const xc = x.contiguous();
  const xd = xc.data;
  const out = allocArray([N, C, Ho, Wo], x.dtype, 'maxPoolForwardNaive');
  const od = out.data;
  let o = 0;
  for (let p = 0; p < N * C; p++) {
    const plane = xc.offset + p * H * W;
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let m = -Infinity;
        for (let di = 0; di < ph; di++)
          for (let dj = 0; dj < pw; dj++)
            m = Math.max(m, xd[plane + (i * stride + di) * W + j * stride + dj]);
        od[o++] = m;
      }
    }
  }
  return [out, [x, poolParam]];
}

/**
 * Naive max pooling backward: each output gradient goes to the (first) max of its window.
 * Returns [dx (N, C, H, W)].
 */
export function maxPoolBackwardNaive(dout: NDArray, cache: PoolCache): [NDArray] {
  const [x, poolParam] = cache;
  const { N, C, H, W, ph, pw, stride, Ho, Wo } = checkedPoolDims('maxPoolBackwardNaive', x, poolParam);
  checkDout('maxPoolBackwardNaive', dout, [N, C, Ho, Wo]);
  const xc = x.contiguous();
  const dc = dout.contiguous();
  const [xd, dd] = [xc.data, dc.data];
  const dx = allocArray(x.shape, x.dtype, 'maxPoolBackwardNaive');
  const dxd = dx.data;
  let o = dc.offset;
  for (let p = 0; p < N * C; p++) {
    const plane = p * H * W;
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        let best = -1;
        let m = -Infinity;
        for (let di = 0; di < ph; di++) {
          for (let dj = 0; dj < pw; dj++) {
            const k = plane + (i * stride + di) * W + j * stride + dj;
            if (best < 0 || xd[xc.offset + k] > m) {
              m = xd[xc.offset + k];
              best = k;
            }
          }
        }
        dxd[best] += dd[o++];
      }
    }
  }
  return [dx];
}

/**
 * Fast max pooling forward, the same result as maxPoolForwardNaive.
 * Returns [out (N, C, H', W'), cache].
 */
export function maxPoolForwardFast(x: NDArray, poolParam: PoolParam): [NDArray, PoolFastCache] {
  const { N, C, H, W, ph, pw, stride, Ho, Wo } = checkedPoolDims('maxPoolForwardFast', x, poolParam);
  const xc = x.contiguous();
  const out = allocArray([N, C, Ho, Wo], x.dtype, 'maxPoolForwardFast');
  const argmax = new Int32Array(N * C * Ho * Wo);
  backend().maxPoolForward({
    x: xc.data as FloatArray,
    xOffset: xc.offset,
    planes: N * C,
    H,
    W,
    poolHeight: ph,
    poolWidth: pw,
    stride,
    Ho,
    Wo,
    out: out.data as FloatArray,
    outOffset: 0,
    argmax,
  });
  return [out, { xShape: x.shape, dtype: x.dtype, poolParam, argmax }];
}

/** Fast max pooling backward: a scatter of dout to the recorded maxima. Returns [dx (N, C, H, W)]. */
export function maxPoolBackwardFast(dout: NDArray, cache: PoolFastCache): [NDArray] {
  const { xShape, dtype, argmax } = cache;
  const [N, C, H, W] = xShape;
  const n = argmax.length / (N * C || 1);
  if (dout.ndim !== 4 || dout.shape[0] !== N || dout.shape[1] !== C || dout.size !== argmax.length)
    fail('maxPoolBackwardFast', `dout of shape ${fmtShape(dout.shape)} does not match the pooled output`);
  const dc = dout.dtype === dtype ? dout.contiguous() : dout.astype(dtype);
  const dx = allocArray(xShape, dtype, 'maxPoolBackwardFast');
  backend().maxPoolBackward({
    dout: dc.data as FloatArray,
    doutOffset: dc.offset,
    argmax,
    planes: N * C,
    HW: H * W,
    HoWo: n,
    dx: dx.data as FloatArray,
    dxOffset: 0,
  });
  return [dx];
}
