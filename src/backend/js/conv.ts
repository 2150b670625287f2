/**
 * Whole-batch convolution for the TypeScript backend (see ConvForwardArgs / ConvBackwardArgs): per image,
 * im2col into a scratch cols (K = C·HH·WW rows, P = Ho·Wo columns) and one GEMM with the weights viewed as
 * (F, K), which yields the image's output planes in (F, P) order directly:
 *   out[n] = b + w · cols          dw += dout[n] · colsᵀ          dcols = wᵀ · dout[n], col2im'd into dx[n]
 * With a fused max pool the conv output of an image stays in an (F, P) scratch; the backward rebuilds its
 * gradient from dpool, the pooled output and the argmax (scatter where pooled > 0, the ReLU's mask there).
 */
import type { FloatArray } from '../types.js';
import type { ConvBackwardArgs, ConvForwardArgs, ConvGeometry } from '../backend.js';
import { gemm } from './gemm.js';
import { col2im, im2col } from './im2col.js';
import { maxPoolForward } from './pool.js';

/** A zeroed array of n elements of the same kind as `like`. */
function like(a: FloatArray, n: number): FloatArray {
  return a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

function im2colOf(g: ConvGeometry, x: FloatArray, xOffset: number, cols: FloatArray) {
  const { C, H, W, HH, WW, stride, pad, Ho, Wo } = g;
  return { x, xOffset, C, H, W, HH, WW, stride, pad, Ho, Wo, cols, colsOffset: 0 };
}

export function convForward(g: ConvForwardArgs): void {
  const { N, C, H, W, F, HH, WW, Ho, Wo, pool } = g;
  const K = C * HH * WW;
  const P = Ho * Wo;
  const cols = like(g.out, K * P);
  const plane = pool ? like(g.out, F * P) : null;
  const Q = pool ? pool.Ho * pool.Wo : 0;
  for (let n = 0; n < N; n++) {
    im2col(im2colOf(g, g.x, g.xOffset + n * C * H * W, cols));
    const dst = plane ?? g.out;
    const off = plane ? 0 : n * F * P;
    for (let f = 0; f < F; f++) dst.fill(g.b[g.bOffset + f], off + f * P, off + (f + 1) * P);
    gemm({
      transA: false,
      transB: false,
      M: F,
      N: P,
      K,
      alpha: 1,
      A: g.w,
      aOffset: g.wOffset,
      lda: K,
      B: cols,
      bOffset: 0,
      ldb: P,
      beta: 1,
      C: dst,
      cOffset: off,
      ldc: P,
    });
    if (g.relu) {
      for (let i = off; i < off + F * P; i++) {
        const v = dst[i];
        dst[i] = v > 0 ? v : 0;
      }
    }
    if (plane && pool) {
      maxPoolForward({
        x: plane,
        xOffset: 0,
        planes: F,
        H: Ho,
        W: Wo,
        poolHeight: pool.poolHeight,
        poolWidth: pool.poolWidth,
        stride: pool.stride,
        Ho: pool.Ho,
        Wo: pool.Wo,
        out: g.out,
        outOffset: n * F * Q,
        argmax: g.argmax!.subarray(n * F * Q, (n + 1) * F * Q),
      });
    }
  }
}

export function convBackward(g: ConvBackwardArgs): void {
  const { N, C, H, W, F, HH, WW, Ho, Wo, pool } = g;
  const K = C * HH * WW;
  const P = Ho * Wo;
  const cols = like(g.dw, K * P);
  const dcols = g.dx ? like(g.dw, K * P) : null;
  const plane = pool ? like(g.dw, F * P) : null;
  const Q = pool ? pool.Ho * pool.Wo : 0;
  const db = new Float64Array(F);
  g.dw.fill(0);
  for (let n = 0; n < N; n++) {
    let d = g.dout;
    let dOff = g.doutOffset + n * F * P;
    if (plane) {
      plane.fill(0);
      const { pooled, argmax } = g;
      for (let f = 0; f < F; f++) {
        for (let o = 0; o < Q; o++) {
          const i = (n * F + f) * Q + o;
          if (pooled![i] > 0) plane[f * P + argmax![i]] += g.dout[g.doutOffset + i];
        }
      }
      d = plane;
      dOff = 0;
    }
    im2col(im2colOf(g, g.x, g.xOffset + n * C * H * W, cols));
    gemm({
      transA: false,
      transB: true,
      M: F,
      N: K,
      K: P,
      alpha: 1,
      A: d,
      aOffset: dOff,
      lda: P,
      B: cols,
      bOffset: 0,
      ldb: P,
      beta: 1,
      C: g.dw,
      cOffset: 0,
      ldc: K,
    });
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let p = dOff + f * P, e = p + P; p < e; p++) s += d[p];
      db[f] += s;
    }
    if (!g.dx || !dcols) continue;
    gemm({
      transA: true,
      transB: false,
      M: K,
      N: P,
      K: F,
      alpha: 1,
      A: g.w,
      aOffset: g.wOffset,
      lda: K,
      B: d,
      bOffset: dOff,
      ldb: P,
      beta: 0,
      C: dcols,
      cOffset: 0,
      ldc: P,
    });
    g.dx.fill(0, n * C * H * W, (n + 1) * C * H * W);
    col2im(im2colOf(g, g.dx, n * C * H * W, dcols));
  }
  for (let f = 0; f < F; f++) g.db[f] = db[f];
}
