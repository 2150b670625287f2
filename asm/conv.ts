/**
 * Whole-batch convolution (see ConvForwardArgs / ConvBackwardArgs in src/backend/backend.ts), f32 and f64:
 * one call runs images [n0, n1) of a batch, im2col + GEMM per image into this thread's scratch, with the
 * bias, an optional ReLU and an optional max pool fused in, so the per-image steps never leave wasm and
 * threads split the batch with one barrier per layer call.
 *
 * With the pool fused, the conv output of an image lives only in scratch (F·P values): the caller gets the
 * pooled output and the argmax of every window. ReLU before max pooling commutes with it, and the ReLU mask
 * at a window's argmax is (pooled > 0), so the backward rebuilds dout of the conv from dpool, the pooled
 * output and the argmax alone, exactly as the unfused chain does (scatter, then mask).
 *
 * geom: i32[16] at a byte address: C, H, W, F, HH, WW, stride, pad, Ho, Wo, poolH, poolW, poolStride, Hp,
 * Wp, flags (1 ReLU, 2 pool, 4 compute dx). Pointers are byte addresses; work is this thread's scratch of
 * convWorkBytes(geom, sizeof T) bytes.
 */
import { gemm, gemmWorkBytes } from './gemm';
import { col2imT, im2colT } from './im2col';
import { maxPoolForwardT } from './pool';

const RELU = 1;
const POOL = 2;
const DX = 4;

function g(geom: usize, i: i32): i32 {
  return load<i32>(geom + <usize>(i * 4));
}

function align64(n: usize): usize {
  return (n + 63) & ~(<usize>63);
}

/** Bytes of one thread's scratch: GEMM packing, cols, dcols and one image's conv output. */
export function convWorkBytes(geom: usize, S: i32): i32 {
  const K = <usize>(g(geom, 0) * g(geom, 4) * g(geom, 5));
  const P = <usize>(g(geom, 8) * g(geom, 9));
  const F = <usize>g(geom, 3);
  const s = <usize>S;
  return <i32>(align64(<usize>gemmWorkBytes()) + 2 * align64(K * P * s) + align64(F * P * s) + 64);
}

/** out[0:n] = out > 0 ? out : 0 (NaN → 0, as the TypeScript relu). */
function reluInPlace<T>(p: usize, n: i32): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  const zero = i32x4.splat(0);
  let k = 0;
  for (; k + L <= n; k += L) {
    const q = p + <usize>k * S;
    const v = v128.load(q);
    if (sizeof<T>() == 4) v128.store(q, v128.and(v, f32x4.gt(v, zero)));
    else v128.store(q, v128.and(v, f64x2.gt(v, zero)));
  }
  for (; k < n; k++) {
    const q = p + <usize>k * S;
    const v = load<T>(q);
    store<T>(q, v > <T>0 ? v : <T>0);
  }
}

function convForwardT<T>(
  geom: usize,
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  argmax: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  const S = <usize>sizeof<T>();
  const C = g(geom, 0);
  const H = g(geom, 1);
  const W = g(geom, 2);
  const F = g(geom, 3);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const stride = g(geom, 6);
  const pad = g(geom, 7);
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const flags = g(geom, 15);
  const K = C * HH * WW;
  const P = Ho * Wo;
  const HpWp = g(geom, 13) * g(geom, 14);
  const gw = align64(work);
  const cols = gw + align64(<usize>gemmWorkBytes());
  const fp = cols + 2 * align64(<usize>(K * P) * S);
  const pool = (flags & POOL) != 0;
  for (let n = n0; n < n1; n++) {
    im2colT<T>(x + <usize>(n * C * H * W) * S, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
    const dst = pool ? fp : out + <usize>(n * F * P) * S;
    // Each output plane starts as its bias and GEMM accumulates onto it (beta = 1).
    for (let f = 0; f < F; f++) {
      const bf = load<T>(b + <usize>f * S);
      const row = dst + <usize>(f * P) * S;
      for (let p = 0; p < P; p++) store<T>(row + <usize>p * S, bf);
    }
    gemm<T>(0, 0, 0, F, 0, P, K, <T>1, w, K, cols, P, <T>1, dst, P, gw);
    if (flags & RELU) reluInPlace<T>(dst, F * P);
    if (pool) {
      maxPoolForwardT<T>(
        fp,
        F,
        Ho,
        Wo,
        g(geom, 10),
        g(geom, 11),
        g(geom, 12),
        g(geom, 13),
        g(geom, 14),
        out + <usize>(n * F * HpWp) * S,
        argmax + <usize>(n * F * HpWp) * 4,
      );
    }
  }
}

/**
 * Images [n0, n1) of the backward: dwp (F·K) and dbp (F, f64) receive this thread's partial sums (they are
 * overwritten, not accumulated into); dx[n] is written whole for each image when flag DX is set.
 */
function convBackwardT<T>(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwp: usize,
  dbp: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  const S = <usize>sizeof<T>();
  const C = g(geom, 0);
  const H = g(geom, 1);
  const W = g(geom, 2);
  const F = g(geom, 3);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const stride = g(geom, 6);
  const pad = g(geom, 7);
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const flags = g(geom, 15);
  const K = C * HH * WW;
  const P = Ho * Wo;
  const HpWp = g(geom, 13) * g(geom, 14);
  const gw = align64(work);
  const cols = gw + align64(<usize>gemmWorkBytes());
  const dcols = cols + align64(<usize>(K * P) * S);
  const fp = dcols + align64(<usize>(K * P) * S);
  const pool = (flags & POOL) != 0;
  memory.fill(dwp, 0, <usize>(F * K) * S);
  memory.fill(dbp, 0, <usize>F * 8);
  for (let n = n0; n < n1; n++) {
    let d = dout + <usize>(n * F * P) * S;
    if (pool) {
      // dout of the conv: dpool scattered to each window's argmax where the ReLU passed it (pooled > 0).
      memory.fill(fp, 0, <usize>(F * P) * S);
      const base = n * F * HpWp;
      for (let f = 0; f < F; f++) {
        const plane = fp + <usize>(f * P) * S;
        for (let o = 0; o < HpWp; o++) {
          const idx = <usize>(base + f * HpWp + o);
          if (load<T>(pooled + idx * S) > <T>0) {
            const q = plane + <usize>load<i32>(argmax + idx * 4) * S;
            store<T>(q, load<T>(q) + load<T>(dout + idx * S));
          }
        }
      }
      d = fp;
    }
    im2colT<T>(x + <usize>(n * C * H * W) * S, C, H, W, HH, WW, stride, pad, Ho, Wo, cols);
    gemm<T>(0, 1, 0, F, 0, K, P, <T>1, d, P, cols, P, <T>1, dwp, K, gw);
    for (let f = 0; f < F; f++) {
      const row = d + <usize>(f * P) * S;
      let s: f64 = 0;
      for (let p = 0; p < P; p++) s += <f64>load<T>(row + <usize>p * S);
      const q = dbp + <usize>f * 8;
      store<f64>(q, load<f64>(q) + s);
    }
    if (flags & DX) {
      gemm<T>(1, 0, 0, K, 0, P, F, <T>1, w, K, d, P, <T>0, dcols, P, gw);
      const xn = dx + <usize>(n * C * H * W) * S;
      memory.fill(xn, 0, <usize>(C * H * W) * S);
      col2imT<T>(xn, C, H, W, HH, WW, stride, pad, Ho, Wo, dcols);
    }
  }
}

export function convForward32(
  geom: usize,
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  argmax: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  convForwardT<f32>(geom, x, w, b, out, argmax, n0, n1, work);
}

export function convForward64(
  geom: usize,
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  argmax: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  convForwardT<f64>(geom, x, w, b, out, argmax, n0, n1, work);
}

export function convBackward32(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwp: usize,
  dbp: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  convBackwardT<f32>(geom, x, w, dout, pooled, argmax, dx, dwp, dbp, n0, n1, work);
}

export function convBackward64(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwp: usize,
  dbp: usize,
  n0: i32,
  n1: i32,
  work: usize,
): void {
  convBackwardT<f64>(geom, x, w, dout, pooled, argmax, dx, dwp, dbp, n0, n1, work);
}
