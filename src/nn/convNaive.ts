/**
 * The naive convolution: the definition written as plain loops, to read and to check the fast one
 * against. Zero padding of `pad` on every side, windows every `stride` pixels:
 *   out[n, f, i, j] = b[f] + Σ_{c, di, dj} xpad[n, c, i·stride + di, j·stride + dj] · w[f, c, di, dj]
 */
import { promoteTypes, type FloatArray } from '../ndarray/dtype.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';
import type { ConvShape } from '../backend/backend.js';

/** The course's conv_param: stride and zero padding. */
export interface ConvParam {
  /** Pixels between neighbouring windows (default 1). */
  stride?: number;
  /** Zeros added on each side of H and W (default 0). */
  pad?: number;
}

/** convForward's cache: x (N, C, H, W), w (F, C, HH, WW), b (F,), convParam. */
export type ConvCache = [x: NDArray, w: NDArray, b: NDArray, convParam: ConvParam];

/** Every size a convolution needs, after checking that x, w, b and convParam fit together. */
export type ConvDims = ConvShape;

/**
 * Checks x (N, C, H, W), w — (F, C, HH, WW), or (C, F, HH, WW) for a transposed convolution — b (F,), and
 * the stride (≥ 1) and pad (≥ 0); returns the sizes read from them.
 */
export function checkConvOperands(
  layer: string,
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
  transposed: boolean,
) {
  checkFloat(layer, 'x', x, 4);
  checkFloat(layer, 'w', w, 4);
  const [N, C, H, W] = x.shape;
  const [Cw, F] = transposed ? w.shape : [w.shape[1], w.shape[0]];
  const [HH, WW] = w.shape.slice(2);
  if (Cw !== C)
    fail(layer, `w of shape ${fmtShape(w.shape)} does not match x of shape ${fmtShape(x.shape)} (channels)`);
  if (b.ndim !== 1 || b.shape[0] !== F)
    fail(layer, `b of shape ${fmtShape(b.shape)} does not match w of shape ${fmtShape(w.shape)}`);
  const stride = convParam.stride ?? 1;
  const pad = convParam.pad ?? 0;
  if (!Number.isInteger(stride) || stride < 1)
    fail(layer, `stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0) fail(layer, `pad must be a non-negative integer, got ${pad}`);
  return { N, C, H, W, F, HH, WW, stride, pad };
}

/** Checks the operands of a convolution and derives H' = 1 + (H + 2·pad − HH) / stride (and W'). */
export function convDims(layer: string, x: NDArray, w: NDArray, b: NDArray, convParam: ConvParam): ConvDims {
  const { N, C, H, W, F, HH, WW, stride, pad } = checkConvOperands(layer, x, w, b, convParam, false);
  const spanH = H + 2 * pad - HH;
  const spanW = W + 2 * pad - WW;
  if (spanH < 0 || spanW < 0)
    fail(
      layer,
      `filter of shape ${fmtShape(w.shape)} is larger than x of shape ${fmtShape(x.shape)} padded by ${pad}`,
    );
  if (spanH % stride !== 0 || spanW % stride !== 0)
    fail(
      layer,
      `stride ${stride} does not divide (H + 2·pad − HH, W + 2·pad − WW) = (${spanH}, ${spanW}) for x of shape ${fmtShape(x.shape)}, w of shape ${fmtShape(w.shape)}, pad ${pad}`,
    );
  return { N, C, H, W, F, HH, WW, stride, pad, Ho: 1 + spanH / stride, Wo: 1 + spanW / stride };
}

/** The promoted float dtype of the operands, and each as a contiguous array of it. */
export function asContiguous(dtype: NDArray['dtype'], ...arrays: NDArray[]): NDArray[] {
  return arrays.map((a) => (a.dtype === dtype ? a : a.astype(dtype)).contiguous());
}

/** asContiguous's arrays as [data, offset] pairs, for loops that index the buffers directly. */
function buffers(dtype: NDArray['dtype'], ...arrays: NDArray[]): [FloatArray, number][] {
  return asContiguous(dtype, ...arrays).map((a) => [a.data as FloatArray, a.offset]);
}

export function convDtype(x: NDArray, w: NDArray): NDArray['dtype'] {
  return promoteTypes(x.dtype, w.dtype);
}

/**
 * Naive convolution forward.
 * - x: (N, C, H, W); w: (F, C, HH, WW); b: (F,); convParam: { stride = 1, pad = 0 }
 * Returns [out (N, F, H', W'), cache].
 */
export function convForwardNaive(
  x: NDArray,
  w: NDArray,
  b: NDArray,
  convParam: ConvParam,
): [NDArray, ConvCache] {
  const { N, C, H, W, F, HH, WW, stride, pad, Ho, Wo } = convDims('convForwardNaive', x, w, b, convParam);
  const dtype = convDtype(x, w);
  const [[xd, xo], [wd, wo], [bd, bo]] = buffers(dtype, x, w, b);
  const out = allocArray([N, F, Ho, Wo], dtype, 'convForwardNaive');
  const od = out.data as FloatArray;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let acc = bd[bo + f];
          for (let c = 0; c < C; c++) {
            for (let di = 0; di < HH; di++) {
              const y = i * stride + di - pad;
              if (y < 0 || y >= H) continue; // a row of the zero padding
              for (let dj = 0; dj < WW; dj++) {
                const xx = j * stride + dj - pad;
                if (xx < 0 || xx >= W) continue;
                acc += xd[xo + ((n * C + c) * H + y) * W + xx] * wd[wo + ((f * C + c) * HH + di) * WW + dj];
              }
            }
          }
          od[o++] = acc;
        }
      }
    }
  }
  return [out, [x, w, b, convParam]];
}

/**
 * Naive convolution backward: each output gradient flows back to the inputs and weights of its window.
 * - dout: (N, F, H', W'); cache from convForwardNaive
 * Returns [dx (N, C, H, W), dw (F, C, HH, WW), db (F,)].
 */
export function convBackwardNaive(dout: NDArray, cache: ConvCache): [NDArray, NDArray, NDArray] {
  const [x, w, b, convParam] = cache;
  const { N, C, H, W, F, HH, WW, stride, pad, Ho, Wo } = convDims('convBackwardNaive', x, w, b, convParam);
  checkDout('convBackwardNaive', dout, [N, F, Ho, Wo]);
  const dtype = convDtype(x, w);
  const [[xd, xo], [wd, wo], [dd, dof]] = buffers(dtype, x, w, dout);
  const dx = allocArray([N, C, H, W], dtype, 'convBackwardNaive');
  const dw = allocArray([F, C, HH, WW], dtype, 'convBackwardNaive');
  const db = allocArray([F], dtype, 'convBackwardNaive');
  const [dxd, dwd, dbd] = [dx.data as FloatArray, dw.data as FloatArray, db.data as FloatArray];
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const g = dd[dof + ((n * F + f) * Ho + i) * Wo + j];
          dbd[f] += g;
          for (let c = 0; c < C; c++) {
            for (let di = 0; di < HH; di++) {
              const y = i * stride + di - pad;
              if (y < 0 || y >= H) continue;
              for (let dj = 0; dj < WW; dj++) {
                const xx = j * stride + dj - pad;
                if (xx < 0 || xx >= W) continue;
                const xi = ((n * C + c) * H + y) * W + xx;
                const wi = ((f * C + c) * HH + di) * WW + dj;
                dxd[xi] += g * wd[wo + wi];
                dwd[wi] += g * xd[xo + xi];
              }
            }
          }
        }
      }
    }
  }
  return [dx, dw, db];
}

/** Requires dout to have the layer's output shape. */
export function checkDout(layer: string, dout: NDArray, shape: readonly number[]): void {
  if (dout.ndim !== shape.length || dout.shape.some((d, i) => d !== shape[i]))
    fail(layer, `dout of shape ${fmtShape(dout.shape)} should have shape ${fmtShape(shape)}`);
}
