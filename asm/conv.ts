/**
 * Whole-batch convolution (see ConvForwardArgs / ConvBackwardArgs in src/backend/backend.ts), f32 and f64:
 * one call per thread takes images of a batch from a shared counter, im2col + GEMM per image into its scratch, with the
 * bias, an optional ReLU and an optional max pool fused in, so the per-image steps never leave wasm and
 * threads split the batch with one barrier per layer call. At stride 1 the forward skips im2col: the
 * micro-kernel reads its rows from a zero-padded copy of the image (directImageT).
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
import { gemm, gemmWorkBytes, transpose4x4Store } from './gemm';
import { col2imT, im2colRowT } from './im2col';
import { maxPoolForwardT } from './pool';
import { sumF64T } from './norm';

const RELU = 1;
const POOL = 2;
const DX = 4;

function g(geom: usize, i: i32): i32 {
  return load<i32>(geom + <usize>(i * 4));
}

function align64(n: usize): usize {
  return (n + 63) & ~(<usize>63);
}

const MR = 4;
/** Longest run of the reduction (K) one micro-kernel call takes: its B panel (KC·32 bytes) stays in L1. */
const KC = 512;
/** The backward's run over output positions: its A block (Fr·KCB) stays in L1/L2 across the k groups. */
const KCB = 128;

// This thread's scratch regions, in order (computed, not allocated: kernels never use the AS heap, which
// every thread's instance would share).
const GW = 0; // GEMM packing (backward)
const COLS = 1; // the forward's packed panels (K·Pr), or the backward's cols panels (Kr·P)
const DCOLS = 2; // dcols (K, P)
const FP = 3; // one image's conv output or its gradient (F, P)
const PA = 4; // the weights (Fr·K) or one image's dout (Fr·P) packed in MR-row panels
const TMP = 5; // 32 bytes' worth of cols rows (8 f32 or 4 f64), each zero-padded to Pr
const TILE = 6; // an MR×32-byte edge tile
const BIAS = 7; // b zero-padded to Fr
const XPAD = 8; // stride 1: one image zero-padded (C, Hq, Wq), then the K byte offsets of its window (see directOffsets)
const DOUTT = 9; // stride 1, backward: one image's conv gradient transposed into NR-wide panels (Fp·P)
const GEOM2 = 10; // stride 1, backward: the geometry of dx as a convolution of dout (see dxGeometry)
const XPAD2 = 11; // ... dout zero-padded for it, then its window offsets
const PA2 = 12; // ... its weights (w flipped, channels swapped) packed in MR-row panels, then a zero bias
const END = 13;

function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}

/** Byte address of scratch region `r` (GW...END) of the thread whose scratch starts at `work`. */
function region(geom: usize, S: usize, work: usize, r: i32): usize {
  const K = <usize>(g(geom, 0) * g(geom, 4) * g(geom, 5));
  const P = <usize>(g(geom, 8) * g(geom, 9));
  const Pr = <usize>roundUp(<i32>P, 8);
  const F = <usize>g(geom, 3);
  const Fr = <usize>roundUp(<i32>F, MR);
  let p = align64(work);
  if (r == GW) return p;
  p += align64(<usize>gemmWorkBytes());
  if (r == COLS) return p;
  p += align64(<usize>roundUp(<i32>K, 8) * Pr * S);
  if (r == DCOLS) return p;
  p += align64(K * P * S);
  if (r == FP) return p;
  p += align64(F * P * S);
  if (r == PA) return p;
  p += align64(Fr * (K > P ? K : P) * S);
  if (r == TMP) return p;
  p += align64(Pr * 32);
  if (r == TILE) return p;
  p += 128;
  if (r == BIAS) return p;
  p += align64(Fr * S);
  if (r == XPAD) return p;
  p += align64(paddedLength(geom, <i32>S) * S) + align64(K * 4);
  if (r == DOUTT) return p;
  p += align64(<usize>roundUp(<i32>F, 32 / <i32>S) * P * S);
  if (r == GEOM2) return p;
  p += 64;
  // dx's convolution: input dout (F, Ho, Wo) padded by HH − 1 − pad, output (C, H, W), K2 = F·HH·WW.
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const pad2 = max(0, HH - 1 - g(geom, 7));
  const K2 = F * <usize>(HH * WW);
  const Cr = <usize>roundUp(g(geom, 0), MR);
  const Wq2 = <usize>(roundUp(g(geom, 2), 32 / <i32>S) + WW - 1);
  if (r == XPAD2) return p;
  p += align64(F * <usize>(g(geom, 8) + 2 * pad2) * Wq2 * S) + align64(K2 * 4);
  if (r == PA2) return p;
  return p + align64(Cr * K2 * S) + align64(Cr * S);
}

/** Whether dx can run as a stride-1 convolution of dout (square window, pad < window). */
function directDx(geom: usize): bool {
  return g(geom, 6) == 1 && g(geom, 4) == g(geom, 5) && g(geom, 7) <= g(geom, 4) - 1;
}

/**
 * dx of a stride-1 convolution is itself one: dx[c, y, x] = Σ over (f, i, j) of w[f, c, HH−1−i, WW−1−j] ·
 * dout[f, y + i − (HH−1−pad), x + j − (WW−1−pad)], i.e. dout (F, Ho, Wo) padded by HH − 1 − pad, convolved
 * with w flipped and its channels swapped (C filters of F·HH·WW), giving (C, H, W). Writes that geometry.
 */
function dxGeometry(geom: usize, g2: usize): void {
  // No array literal: kernels never touch the AssemblyScript heap, which all threads' instances share.
  store<i32>(g2, g(geom, 3)); // C' = F
  store<i32>(g2 + 4, g(geom, 8)); // H' = Ho
  store<i32>(g2 + 8, g(geom, 9)); // W' = Wo
  store<i32>(g2 + 12, g(geom, 0)); // F' = C
  store<i32>(g2 + 16, g(geom, 4));
  store<i32>(g2 + 20, g(geom, 5));
  store<i32>(g2 + 24, 1);
  store<i32>(g2 + 28, g(geom, 4) - 1 - g(geom, 7));
  store<i32>(g2 + 32, g(geom, 1)); // Ho' = H
  store<i32>(g2 + 36, g(geom, 2)); // Wo' = W
  for (let i = 10; i < 16; i++) store<i32>(g2 + <usize>(i * 4), 0);
}

/** Packs the weights of dx's convolution (see dxGeometry): row c, column (f, i, j) = w[f, c, HH−1−i, WW−1−j]. */
function packFlippedT<T>(w: usize, geom: usize, pa: usize): void {
  const S = <usize>sizeof<T>();
  const C = g(geom, 0);
  const F = g(geom, 3);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const K2 = F * HH * WW;
  for (let ir = 0; ir < C; ir += MR) {
    for (let i = 0; i < MR; i++) {
      const c = ir + i;
      let k = 0;
      for (let f = 0; f < F; f++) {
        for (let y = 0; y < HH; y++) {
          for (let x = 0; x < WW; x++) {
            const src = w + <usize>(((f * C + c) * HH + HH - 1 - y) * WW + WW - 1 - x) * S;
            store<T>(pa + <usize>(ir * K2 + k * MR + i) * S, c < C ? load<T>(src) : <T>0);
            k++;
          }
        }
      }
    }
  }
}

/** Columns of the padded image: every NR-wide block of an output row reads inside it (stride 1). */
function paddedWidth(geom: usize, S: i32): i32 {
  return roundUp(g(geom, 9), 32 / S) + g(geom, 5) - 1;
}

/** Values of one padded image, (C, H + 2·pad, paddedWidth). */
function paddedLength(geom: usize, S: i32): usize {
  return <usize>(g(geom, 0) * (g(geom, 1) + 2 * g(geom, 7)) * paddedWidth(geom, S));
}

/**
 * The next work item of a call: threads take images (forward) or chunks (backward) from a counter in memory
 * until it runs past the end, so a thread the OS delays takes fewer and no thread waits on a fixed share.
 */
function next(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const v = load<i32>(counter);
  store<i32>(counter, v + 1);
  return v;
}

/** Bytes of one thread's scratch (see the regions above). */
export function convWorkBytes(geom: usize, S: i32): i32 {
  return <i32>(region(geom, <usize>S, 0, END) + 64);
}

/**
 * Packs im2col of one image straight into the micro-kernel's B panels: panel jp holds output positions
 * [jp·NR, jp·NR + NR) and its row k (c, i, j) is the NR values of cols row k there, at bp + (jp·K + k)·32.
 */
function packColsT<T>(xn: usize, geom: usize, K: i32, P: i32, tmp: usize, bp: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  const C = g(geom, 0);
  const H = g(geom, 1);
  const W = g(geom, 2);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const stride = g(geom, 6);
  const pad = g(geom, 7);
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const np = (P + NR - 1) / NR;
  memory.fill(tmp + <usize>P * S, 0, <usize>(np * NR - P) * S);
  const step = <usize>K * 32;
  let k = 0;
  for (let c = 0; c < C; c++) {
    const plane = xn + <usize>(c * H * W) * S;
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++) {
        im2colRowT<T>(plane, H, W, i, j, stride, pad, Ho, Wo, tmp);
        let src = tmp;
        let dst = bp + <usize>k * 32;
        for (let jp = 0; jp < np; jp++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += 32;
          dst += step;
        }
        k++;
      }
    }
  }
}

/** Packs w (F, K) as MR-row panels of K columns (row p of panel ir at (ir·K + p·MR)·S), zero past F. */
function packWeightsT<T>(w: usize, F: i32, K: i32, pa: usize): void {
  const S = <usize>sizeof<T>();
  for (let ir = 0; ir < F; ir += MR) {
    const panel = pa + <usize>(ir * K) * S;
    for (let i = 0; i < MR; i++) {
      const f = ir + i;
      const src = w + <usize>(f * K) * S;
      for (let p = 0; p < K; p++) {
        store<T>(panel + <usize>(p * MR + i) * S, f < F ? load<T>(src + <usize>p * S) : <T>0);
      }
    }
  }
}

/**
 * C[0:4, 0:NR] = (init ? bias (per row) : C) + Apanel(4×kc) · Bpanel(kc×NR), then ReLU when `relu`;
 * ldc in bytes. f32: NR = 8.
 */
function convKernel32(
  kc: i32,
  ap: usize,
  bp: usize,
  cp: usize,
  ldc: usize,
  init: bool,
  bias: usize,
  relu: bool,
): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (init) {
    c00 = v128.load32_splat(bias);
    c01 = c00;
    c10 = v128.load32_splat(bias, 4);
    c11 = c10;
    c20 = v128.load32_splat(bias, 8);
    c21 = c20;
    c30 = v128.load32_splat(bias, 12);
    c31 = c30;
  } else {
    let r = cp;
    c00 = v128.load(r);
    c01 = v128.load(r, 16);
    r += ldc;
    c10 = v128.load(r);
    c11 = v128.load(r, 16);
    r += ldc;
    c20 = v128.load(r);
    c21 = v128.load(r, 16);
    r += ldc;
    c30 = v128.load(r);
    c31 = v128.load(r, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    ap += 16;
    bp += 32;
  }
  if (relu) {
    const z = f32x4.splat(0);
    c00 = v128.and(c00, f32x4.gt(c00, z));
    c01 = v128.and(c01, f32x4.gt(c01, z));
    c10 = v128.and(c10, f32x4.gt(c10, z));
    c11 = v128.and(c11, f32x4.gt(c11, z));
    c20 = v128.and(c20, f32x4.gt(c20, z));
    c21 = v128.and(c21, f32x4.gt(c21, z));
    c30 = v128.and(c30, f32x4.gt(c30, z));
    c31 = v128.and(c31, f32x4.gt(c31, z));
  }
  let r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/** The f64 twin of convKernel32: NR = 4. */
function convKernel64(
  kc: i32,
  ap: usize,
  bp: usize,
  cp: usize,
  ldc: usize,
  init: bool,
  bias: usize,
  relu: bool,
): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128;
  if (init) {
    c00 = v128.load64_splat(bias);
    c01 = c00;
    c10 = v128.load64_splat(bias, 8);
    c11 = c10;
    c20 = v128.load64_splat(bias, 16);
    c21 = c20;
    c30 = v128.load64_splat(bias, 24);
    c31 = c30;
  } else {
    let r = cp;
    c00 = v128.load(r);
    c01 = v128.load(r, 16);
    r += ldc;
    c10 = v128.load(r);
    c11 = v128.load(r, 16);
    r += ldc;
    c20 = v128.load(r);
    c21 = v128.load(r, 16);
    r += ldc;
    c30 = v128.load(r);
    c31 = v128.load(r, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    ap += 32;
    bp += 32;
  }
  if (relu) {
    const z = f64x2.splat(0);
    c00 = v128.and(c00, f64x2.gt(c00, z));
    c01 = v128.and(c01, f64x2.gt(c01, z));
    c10 = v128.and(c10, f64x2.gt(c10, z));
    c11 = v128.and(c11, f64x2.gt(c11, z));
    c20 = v128.and(c20, f64x2.gt(c20, z));
    c21 = v128.and(c21, f64x2.gt(c21, z));
    c30 = v128.and(c30, f64x2.gt(c30, z));
    c31 = v128.and(c31, f64x2.gt(c31, z));
  }
  let r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/**
 * One image's conv output dst (F, P) = bias + w · cols (ReLU'd when `relu`), from the packed weights pa
 * and packed panels bp; tiles cross K in KC-long runs with the tile kept in C (or the edge tile).
 */
function convImageT<T>(
  F: i32,
  K: i32,
  P: i32,
  pa: usize,
  bp: usize,
  bias: usize,
  dst: usize,
  relu: bool,
  tile: usize,
): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  const ldc = <usize>P * S;
  for (let jp = 0; jp * NR < P; jp++) {
    const j0 = jp * NR;
    const nr = min(NR, P - j0);
    const bpanel = bp + <usize>(jp * K) * 32;
    for (let ir = 0; ir < F; ir += MR) {
      const mr = min(MR, F - ir);
      const apanel = pa + <usize>(ir * K) * S;
      const full = mr == MR && nr == NR;
      const cp = full ? dst + <usize>ir * ldc + <usize>j0 * S : tile;
      const ld = full ? ldc : 32;
      for (let pc = 0; pc < K; pc += KC) {
        const kc = min(KC, K - pc);
        const last = pc + kc >= K;
        const ap = apanel + <usize>(pc * MR) * S;
        const b = bpanel + <usize>pc * 32;
        const bi = bias + <usize>ir * S;
        if (sizeof<T>() == 4) convKernel32(kc, ap, b, cp, ld, pc == 0, bi, relu && last);
        else convKernel64(kc, ap, b, cp, ld, pc == 0, bi, relu && last);
      }
      if (!full) {
        for (let i = 0; i < mr; i++) {
          memory.copy(dst + <usize>(ir + i) * ldc + <usize>j0 * S, tile + <usize>(i * 32), <usize>nr * S);
        }
      }
    }
  }
}

/**
 * Stride 1 needs no im2col: for output row y and columns [x0, x0 + NR), row k = (c, i, j) of the cols panel is
 * the NR contiguous values of padded row (c, y + i) from column x0 + j. So the micro-kernel reads its B rows
 * straight from the padded image at base + offs[k] (the image, under 20 KB here, stays in L1), with the
 * same bias-first, k-ascending sums as the packed path: results are bit-identical.
 */
function directOffsets(geom: usize, S: i32, offs: usize): void {
  const C = g(geom, 0);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const Hq = g(geom, 1) + 2 * g(geom, 7);
  const Wq = paddedWidth(geom, S);
  let k = 0;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++) {
        store<i32>(offs + <usize>(k * 4), ((c * Hq + i) * Wq + j) * S);
        k++;
      }
    }
  }
}

/** Copies image xn (C, H, W) into the interior of the padded image xp, whose border stays zero. */
function padImageT<T>(xn: usize, geom: usize, xp: usize): void {
  const S = <usize>sizeof<T>();
  const C = g(geom, 0);
  const H = g(geom, 1);
  const W = g(geom, 2);
  const pad = g(geom, 7);
  const Hq = H + 2 * pad;
  const Wq = paddedWidth(geom, <i32>S);
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < H; y++) {
      const dst = xp + <usize>((c * Hq + y + pad) * Wq + pad) * S;
      memory.copy(dst, xn + <usize>((c * H + y) * W) * S, <usize>W * S);
    }
  }
}

/** convKernel32 with B row k read at base + offs[k] (whole K, bias first). */
function directKernel32(
  K: i32,
  ap: usize,
  base: usize,
  offs: usize,
  cp: usize,
  ldc: usize,
  bias: usize,
  relu: bool,
): void {
  let c00 = v128.load32_splat(bias);
  let c01 = c00;
  let c10 = v128.load32_splat(bias, 4);
  let c11 = c10;
  let c20 = v128.load32_splat(bias, 8);
  let c21 = c20;
  let c30 = v128.load32_splat(bias, 12);
  let c31 = c30;
  const end = offs + <usize>K * 4;
  for (let o = offs; o < end; o += 4) {
    const bp = base + <usize>load<i32>(o);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    ap += 16;
  }
  if (relu) {
    const z = f32x4.splat(0);
    c00 = v128.and(c00, f32x4.gt(c00, z));
    c01 = v128.and(c01, f32x4.gt(c01, z));
    c10 = v128.and(c10, f32x4.gt(c10, z));
    c11 = v128.and(c11, f32x4.gt(c11, z));
    c20 = v128.and(c20, f32x4.gt(c20, z));
    c21 = v128.and(c21, f32x4.gt(c21, z));
    c30 = v128.and(c30, f32x4.gt(c30, z));
    c31 = v128.and(c31, f32x4.gt(c31, z));
  }
  let r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/** The f64 twin of directKernel32: NR = 4. */
function directKernel64(
  K: i32,
  ap: usize,
  base: usize,
  offs: usize,
  cp: usize,
  ldc: usize,
  bias: usize,
  relu: bool,
): void {
  let c00 = v128.load64_splat(bias);
  let c01 = c00;
  let c10 = v128.load64_splat(bias, 8);
  let c11 = c10;
  let c20 = v128.load64_splat(bias, 16);
  let c21 = c20;
  let c30 = v128.load64_splat(bias, 24);
  let c31 = c30;
  const end = offs + <usize>K * 4;
  for (let o = offs; o < end; o += 4) {
    const bp = base + <usize>load<i32>(o);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    ap += 32;
  }
  if (relu) {
    const z = f64x2.splat(0);
    c00 = v128.and(c00, f64x2.gt(c00, z));
    c01 = v128.and(c01, f64x2.gt(c01, z));
    c10 = v128.and(c10, f64x2.gt(c10, z));
    c11 = v128.and(c11, f64x2.gt(c11, z));
    c20 = v128.and(c20, f64x2.gt(c20, z));
    c21 = v128.and(c21, f64x2.gt(c21, z));
    c30 = v128.and(c30, f64x2.gt(c30, z));
    c31 = v128.and(c31, f64x2.gt(c31, z));
  }
  let r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/**
 * One image's conv output dst (F, P) = bias + w · cols (ReLU'd when `relu`) at stride 1, from the packed
 * weights pa and the padded image xp: output row by row, NR columns at a time, every filter block per block
 * of columns (the window it reads stays in L1).
 */
function directImageT<T>(
  geom: usize,
  F: i32,
  K: i32,
  pa: usize,
  xp: usize,
  offs: usize,
  bias: usize,
  dst: usize,
  relu: bool,
  tile: usize,
): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const Wq = paddedWidth(geom, <i32>S);
  const ldc = <usize>(Ho * Wo) * S;
  for (let y = 0; y < Ho; y++) {
    for (let x0 = 0; x0 < Wo; x0 += NR) {
      const nr = min(NR, Wo - x0);
      const base = xp + <usize>(y * Wq + x0) * S;
      const col = dst + <usize>(y * Wo + x0) * S;
      for (let ir = 0; ir < F; ir += MR) {
        const mr = min(MR, F - ir);
        const full = mr == MR && nr == NR;
        const cp = full ? col + <usize>ir * ldc : tile;
        const ld = full ? ldc : 32;
        const ap = pa + <usize>(ir * K) * S;
        const bi = bias + <usize>ir * S;
        if (sizeof<T>() == 4) directKernel32(K, ap, base, offs, cp, ld, bi, relu);
        else directKernel64(K, ap, base, offs, cp, ld, bi, relu);
        if (!full) {
          for (let i = 0; i < mr; i++) {
            memory.copy(col + <usize>(ir + i) * ldc, tile + <usize>(i * 32), <usize>nr * S);
          }
        }
      }
    }
  }
}

function convForwardT<T>(
  geom: usize,
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  argmax: usize,
  counter: usize,
  N: i32,
  work: usize,
): void {
  const S = <usize>sizeof<T>();
  const C = g(geom, 0);
  const H = g(geom, 1);
  const W = g(geom, 2);
  const F = g(geom, 3);
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const ph = g(geom, 10);
  const pw = g(geom, 11);
  const ps = g(geom, 12);
  const Hp = g(geom, 13);
  const Wp = g(geom, 14);
  const flags = g(geom, 15);
  const K = C * g(geom, 4) * g(geom, 5);
  const P = Ho * Wo;
  const HpWp = Hp * Wp;
  const pa = region(geom, S, work, PA);
  const bias = region(geom, S, work, BIAS);
  const cols = region(geom, S, work, COLS);
  const tmp = region(geom, S, work, TMP);
  const tile = region(geom, S, work, TILE);
  const fp = region(geom, S, work, FP);
  const pool = (flags & POOL) != 0;
  const relu = (flags & RELU) != 0;
  packWeightsT<T>(w, F, K, pa);
  const Fr = roundUp(F, MR);
  memory.fill(bias, 0, <usize>Fr * S);
  memory.copy(bias, b, <usize>F * S);
  const direct = g(geom, 6) == 1;
  const xp = region(geom, S, work, XPAD);
  const offs = xp + align64(paddedLength(geom, <i32>S) * S);
  if (direct) {
    memory.fill(xp, 0, paddedLength(geom, <i32>S) * S);
    directOffsets(geom, <i32>S, offs);
  }
  for (let n = next(counter); n < N; n = next(counter)) {
    const xn = x + <usize>(n * C * H * W) * S;
    const dst = pool ? fp : out + <usize>(n * F * P) * S;
    if (direct) {
      padImageT<T>(xn, geom, xp);
      directImageT<T>(geom, F, K, pa, xp, offs, bias, dst, relu, tile);
    } else {
      packColsT<T>(xn, geom, K, P, tmp, cols);
      convImageT<T>(F, K, P, pa, cols, bias, dst, relu, tile);
    }
    if (pool) {
      const po = out + <usize>(n * F * HpWp) * S;
      const pam = argmax + <usize>(n * F * HpWp) * 4;
      maxPoolForwardT<T>(fp, F, Ho, Wo, ph, pw, ps, Hp, Wp, po, pam);
    }
  }
}

/**
 * Packs im2col of one image transposed, as the B panels of dw = dout · colsᵀ: panel kg holds cols rows
 * [kg·NR, kg·NR + NR) (zero past K) and its row p the NR values of those rows at output position p, at
 * bp + (kg·P + p)·32. NR rows at a time go through tmp and are transposed 4×4 (f32) or 2×2 (f64) in registers.
 */
function packColsTransT<T>(xn: usize, geom: usize, K: i32, P: i32, tmp: usize, bp: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  const H = g(geom, 1);
  const W = g(geom, 2);
  const HH = g(geom, 4);
  const WW = g(geom, 5);
  const stride = g(geom, 6);
  const pad = g(geom, 7);
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const ld = <usize>roundUp(P, 8) * S; // row stride in tmp
  for (let k0 = 0; k0 < K; k0 += NR) {
    for (let kk = 0; kk < NR; kk++) {
      const k = k0 + kk;
      const row = tmp + <usize>kk * ld;
      if (k >= K) {
        memory.fill(row, 0, ld);
        continue;
      }
      const c = k / (HH * WW);
      const r = k % (HH * WW);
      im2colRowT<T>(xn + <usize>(c * H * W) * S, H, W, r / WW, r % WW, stride, pad, Ho, Wo, row);
    }
    const panel = bp + <usize>((k0 / NR) * P) * 32;
    let p = 0;
    if (sizeof<T>() == 4) {
      for (; p + 4 <= P; p += 4) {
        const q = <usize>p * 4;
        for (let h = 0; h < 2; h++) {
          transpose4x4Store(tmp + <usize>(h * 4) * ld + q, ld, panel + <usize>p * 32 + <usize>(h * 16), 32);
        }
      }
    } else {
      for (; p + 2 <= P; p += 2) {
        const q = <usize>p * 8;
        for (let h = 0; h < 2; h++) {
          const base = tmp + <usize>(h * 2) * ld + q;
          const r0 = v128.load(base);
          const r1 = v128.load(base + ld);
          const d = panel + <usize>p * 32 + <usize>(h * 16);
          v128.store(d, v128.shuffle<f64>(r0, r1, 0, 2));
          v128.store(d + 32, v128.shuffle<f64>(r0, r1, 1, 3));
        }
      }
    }
    for (; p < P; p++) {
      for (let kk = 0; kk < NR; kk++) {
        store<T>(panel + <usize>p * 32 + <usize>kk * S, load<T>(tmp + <usize>kk * ld + <usize>p * S));
      }
    }
  }
}

/** Packs rows (F, P) at d as MR-row panels of P columns (row p of panel ir at (ir·P + p·MR)·S), zero past F. */
function packRowsT<T>(d: usize, F: i32, P: i32, pa: usize): void {
  packWeightsT<T>(d, F, P, pa);
}

/**
 * Packs one image's conv gradient d (F, P) transposed, as NR-wide panels: panel fg/NR holds d[fg + j][p] at
 * dt + (fg·P + p·NR + j)·S, zero for rows past F.
 */
function packDoutTransT<T>(d: usize, F: i32, P: i32, dt: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  for (let fg = 0; fg < F; fg += NR) {
    const panel = dt + <usize>(fg * P) * S;
    for (let j = 0; j < NR; j++) {
      const f = fg + j;
      const col = panel + <usize>j * S;
      if (f < F) {
        const row = d + <usize>(f * P) * S;
        for (let p = 0; p < P; p++) store<T>(col + <usize>p * 32, load<T>(row + <usize>p * S));
      } else {
        for (let p = 0; p < P; p++) store<T>(col + <usize>p * 32, <T>0);
      }
    }
  }
}

/**
 * dwᵀ tile C[0:4, 0:NR] += Σ over output positions (y, x) of cols[k_i][(y, x)] · dᵀ[(y, x)][0:NR]: row k_i of
 * cols read from the padded image at a_i + (y·Wq + x)·S (rowStep = Wq·S), dᵀ from its packed panel bp.
 * Sums run in output-position order, as the packed path's do. f32: NR = 8.
 */
function dwKernel32(
  Ho: i32,
  Wo: i32,
  rowStep: usize,
  a0: usize,
  a1: usize,
  a2: usize,
  a3: usize,
  bp: usize,
  cp: usize,
  ldc: usize,
): void {
  let r = cp;
  let c00 = v128.load(r);
  let c01 = v128.load(r, 16);
  r += ldc;
  let c10 = v128.load(r);
  let c11 = v128.load(r, 16);
  r += ldc;
  let c20 = v128.load(r);
  let c21 = v128.load(r, 16);
  r += ldc;
  let c30 = v128.load(r);
  let c31 = v128.load(r, 16);
  const rowBytes = <usize>Wo * 4;
  for (let y = 0; y < Ho; y++) {
    for (let o: usize = 0; o < rowBytes; o += 4) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load32_splat(a0 + o);
      c00 = f32x4.add(c00, f32x4.mul(x, b0));
      c01 = f32x4.add(c01, f32x4.mul(x, b1));
      x = v128.load32_splat(a1 + o);
      c10 = f32x4.add(c10, f32x4.mul(x, b0));
      c11 = f32x4.add(c11, f32x4.mul(x, b1));
      x = v128.load32_splat(a2 + o);
      c20 = f32x4.add(c20, f32x4.mul(x, b0));
      c21 = f32x4.add(c21, f32x4.mul(x, b1));
      x = v128.load32_splat(a3 + o);
      c30 = f32x4.add(c30, f32x4.mul(x, b0));
      c31 = f32x4.add(c31, f32x4.mul(x, b1));
      bp += 32;
    }
    a0 += rowStep;
    a1 += rowStep;
    a2 += rowStep;
    a3 += rowStep;
  }
  r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/** The f64 twin of dwKernel32: NR = 4. */
function dwKernel64(
  Ho: i32,
  Wo: i32,
  rowStep: usize,
  a0: usize,
  a1: usize,
  a2: usize,
  a3: usize,
  bp: usize,
  cp: usize,
  ldc: usize,
): void {
  let r = cp;
  let c00 = v128.load(r);
  let c01 = v128.load(r, 16);
  r += ldc;
  let c10 = v128.load(r);
  let c11 = v128.load(r, 16);
  r += ldc;
  let c20 = v128.load(r);
  let c21 = v128.load(r, 16);
  r += ldc;
  let c30 = v128.load(r);
  let c31 = v128.load(r, 16);
  const rowBytes = <usize>Wo * 8;
  for (let y = 0; y < Ho; y++) {
    for (let o: usize = 0; o < rowBytes; o += 8) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load64_splat(a0 + o);
      c00 = f64x2.add(c00, f64x2.mul(x, b0));
      c01 = f64x2.add(c01, f64x2.mul(x, b1));
      x = v128.load64_splat(a1 + o);
      c10 = f64x2.add(c10, f64x2.mul(x, b0));
      c11 = f64x2.add(c11, f64x2.mul(x, b1));
      x = v128.load64_splat(a2 + o);
      c20 = f64x2.add(c20, f64x2.mul(x, b0));
      c21 = f64x2.add(c21, f64x2.mul(x, b1));
      x = v128.load64_splat(a3 + o);
      c30 = f64x2.add(c30, f64x2.mul(x, b0));
      c31 = f64x2.add(c31, f64x2.mul(x, b1));
      bp += 32;
    }
    a0 += rowStep;
    a1 += rowStep;
    a2 += rowStep;
    a3 += rowStep;
  }
  r = cp;
  v128.store(r, c00);
  v128.store(r, c01, 16);
  r += ldc;
  v128.store(r, c10);
  v128.store(r, c11, 16);
  r += ldc;
  v128.store(r, c20);
  v128.store(r, c21, 16);
  r += ldc;
  v128.store(r, c30);
  v128.store(r, c31, 16);
}

/**
 * One image's dwᵀ (Kq, Fp) += colsᵀ-free product at stride 1: cols rows come from the padded image xp
 * (offsets offs), d from its transposed panels dt. Rows past K repeat row K − 1 into the padding rows of
 * the partial, which the caller never reads.
 */
function dwDirectT<T>(geom: usize, F: i32, K: i32, xp: usize, offs: usize, dt: usize, dwp: usize): void {
  const S = <usize>sizeof<T>();
  const NR = 32 / <i32>S;
  const Ho = g(geom, 8);
  const Wo = g(geom, 9);
  const P = Ho * Wo;
  const rowStep = <usize>paddedWidth(geom, <i32>S) * S;
  const Fp = roundUp(F, NR);
  const ldc = <usize>Fp * S;
  const last = K - 1;
  for (let fg = 0; fg < Fp; fg += NR) {
    const bp = dt + <usize>(fg * P) * S;
    for (let k0 = 0; k0 < K; k0 += 4) {
      const a0 = xp + <usize>load<i32>(offs + <usize>(k0 * 4));
      const a1 = xp + <usize>load<i32>(offs + <usize>(min(k0 + 1, last) * 4));
      const a2 = xp + <usize>load<i32>(offs + <usize>(min(k0 + 2, last) * 4));
      const a3 = xp + <usize>load<i32>(offs + <usize>(min(k0 + 3, last) * 4));
      const cp = dwp + <usize>(k0 * Fp + fg) * S;
      if (sizeof<T>() == 4) dwKernel32(Ho, Wo, rowStep, a0, a1, a2, a3, bp, cp, ldc);
      else dwKernel64(Ho, Wo, rowStep, a0, a1, a2, a3, bp, cp, ldc);
    }
  }
}

/**
 * Images [n0, n1) of the backward: dwp (Fr·Kr: F and K rounded up to the micro-tile, row stride Kr; at stride 1
 * transposed, Kq·Fp: K rounded up to MR, F to NR, row stride Fp) and
 * dbp (F, f64) receive this thread's partial sums (they are overwritten, not accumulated into); dx[n] is written whole for each image when flag DX is set.
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
  const gw = region(geom, S, work, GW);
  const cols = region(geom, S, work, COLS);
  const dcols = region(geom, S, work, DCOLS);
  const fp = region(geom, S, work, FP);
  const pool = (flags & POOL) != 0;
  const NR = 32 / <i32>S;
  const Kr = roundUp(K, NR);
  const Fr = roundUp(F, MR);
  const pa = region(geom, S, work, PA);
  const tmp = region(geom, S, work, TMP);
  const ldc = <usize>Kr * S;
  const direct = stride == 1;
  const xp = region(geom, S, work, XPAD);
  const offs = xp + align64(paddedLength(geom, <i32>S) * S);
  const dt = region(geom, S, work, DOUTT);
  const dxDirect = (flags & DX) != 0 && directDx(geom);
  const tile = region(geom, S, work, TILE);
  const g2 = region(geom, S, work, GEOM2);
  const xp2 = region(geom, S, work, XPAD2);
  const pa2 = region(geom, S, work, PA2);
  const Cr = roundUp(C, MR);
  const zeros = pa2 + align64(<usize>(Cr * F * HH * WW) * S);
  let offs2: usize = 0;
  if (dxDirect) {
    dxGeometry(geom, g2);
    memory.fill(xp2, 0, paddedLength(g2, <i32>S) * S);
    offs2 = xp2 + align64(paddedLength(g2, <i32>S) * S);
    directOffsets(g2, <i32>S, offs2);
    packFlippedT<T>(w, geom, pa2);
    memory.fill(zeros, 0, <usize>Cr * S);
  }
  if (direct) {
    memory.fill(xp, 0, paddedLength(geom, <i32>S) * S);
    directOffsets(geom, <i32>S, offs);
    memory.fill(dwp, 0, <usize>(roundUp(K, MR) * roundUp(F, NR)) * S);
  } else {
    memory.fill(dwp, 0, <usize>(Fr * Kr) * S);
  }
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
          // Branch-free: whether the ReLU passed a window is data, and mispredicts cost more than the add.
          const q = plane + <usize>load<i32>(argmax + idx * 4) * S;
          const g = select<T>(load<T>(dout + idx * S), <T>0, load<T>(pooled + idx * S) > <T>0);
          store<T>(q, load<T>(q) + g);
        }
      }
      d = fp;
    }
    if (direct) {
      // dwᵀ (Kq, Fp) += cols · dᵀ, cols read from the padded image.
      padImageT<T>(x + <usize>(n * C * H * W) * S, geom, xp);
      packDoutTransT<T>(d, F, P, dt);
      dwDirectT<T>(geom, F, K, xp, offs, dt, dwp);
    } else {
      // dw (Fr, Kr) += d · colsᵀ, both operands packed straight from their sources, tiles always whole.
      packRowsT<T>(d, F, P, pa);
      packColsTransT<T>(x + <usize>(n * C * H * W) * S, geom, K, P, tmp, cols);
      for (let pc = 0; pc < P; pc += KCB) {
        const kc = min(KCB, P - pc);
        for (let kg = 0; kg < Kr; kg += NR) {
          const b = cols + <usize>((kg / NR) * P + pc) * 32;
          for (let ir = 0; ir < Fr; ir += MR) {
            const ap = pa + <usize>(ir * P + pc * MR) * S;
            const cp = dwp + <usize>ir * ldc + <usize>kg * S;
            if (sizeof<T>() == 4) convKernel32(kc, ap, b, cp, ldc, false, 0, false);
            else convKernel64(kc, ap, b, cp, ldc, false, 0, false);
          }
        }
      }
    }
    for (let f = 0; f < F; f++) {
      const q = dbp + <usize>f * 8;
      store<f64>(q, load<f64>(q) + sumF64T<T>(d + <usize>(f * P) * S, P));
    }
    if (flags & DX) {
      const xn = dx + <usize>(n * C * H * W) * S;
      if (dxDirect) {
        padImageT<T>(d, g2, xp2);
        directImageT<T>(g2, C, F * HH * WW, pa2, xp2, offs2, zeros, xn, false, tile);
      } else {
        gemm<T>(1, 0, 0, K, 0, P, F, <T>1, w, K, d, P, <T>0, dcols, P, gw);
        memory.fill(xn, 0, <usize>(C * H * W) * S);
        col2imT<T>(xn, C, H, W, HH, WW, stride, pad, Ho, Wo, dcols);
      }
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
  counter: usize,
  N: i32,
  work: usize,
): void {
  convForwardT<f32>(geom, x, w, b, out, argmax, counter, N, work);
}

export function convForward64(
  geom: usize,
  x: usize,
  w: usize,
  b: usize,
  out: usize,
  argmax: usize,
  counter: usize,
  N: i32,
  work: usize,
): void {
  convForwardT<f64>(geom, x, w, b, out, argmax, counter, N, work);
}

/**
 * The backward of a batch split into `chunks` fixed runs of images; threads take chunks from the counter and
 * chunk c sums its dw and db into its own partials (dwBase + c·dwBytes, dbBase + c·dbBytes), so the caller's
 * sum over chunks is the same whichever thread ran which.
 */
function convBackwardChunksT<T>(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwBase: usize,
  dwBytes: i32,
  dbBase: usize,
  dbBytes: i32,
  counter: usize,
  N: i32,
  chunks: i32,
  work: usize,
): void {
  for (let c = next(counter); c < chunks; c = next(counter)) {
    const n0 = <i32>((<i64>c * N) / chunks);
    const n1 = <i32>((<i64>(c + 1) * N) / chunks);
    const dwp = dwBase + <usize>c * <usize>dwBytes;
    const dbp = dbBase + <usize>c * <usize>dbBytes;
    convBackwardT<T>(geom, x, w, dout, pooled, argmax, dx, dwp, dbp, n0, n1, work);
  }
}

export function convBackward32(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwBase: usize,
  dwBytes: i32,
  dbBase: usize,
  dbBytes: i32,
  counter: usize,
  N: i32,
  chunks: i32,
  work: usize,
): void {
  convBackwardChunksT<f32>(
    geom,
    x,
    w,
    dout,
    pooled,
    argmax,
    dx,
    dwBase,
    dwBytes,
    dbBase,
    dbBytes,
    counter,
    N,
    chunks,
    work,
  );
}

export function convBackward64(
  geom: usize,
  x: usize,
  w: usize,
  dout: usize,
  pooled: usize,
  argmax: usize,
  dx: usize,
  dwBase: usize,
  dwBytes: i32,
  dbBase: usize,
  dbBytes: i32,
  counter: usize,
  N: i32,
  chunks: i32,
  work: usize,
): void {
  convBackwardChunksT<f64>(
    geom,
    x,
    w,
    dout,
    pooled,
    argmax,
    dx,
    dwBase,
    dwBytes,
    dbBase,
    dbBytes,
    counter,
    N,
    chunks,
    work,
  );
}
