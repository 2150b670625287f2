/**
 * The convolution kernels' geometry block and per-thread scratch layout (see asm/conv/forward.ts).
 *
 * geom: i32[16] at a byte address: C, H, W, F, HH, WW, stride, pad, Ho, Wo, poolH, poolW, poolStride, Hp,
 * Wp, flags (RELU, POOL, DX). Scratch regions are computed, not allocated: kernels never use the AS heap,
 * which every thread's instance would share.
 */
import { gemmWorkBytes } from '../gemm';

export const RELU = 1;
export const POOL = 2;
export const DX = 4;

/** Rows of the micro-tile (its width NR is 32 bytes: 8 f32 or 4 f64). */
export const MR = 4;

export function g(geom: usize, i: i32): i32 {
  return load<i32>(geom + <usize>(i * 4));
}

export function align64(n: usize): usize {
  return (n + 63) & ~(<usize>63);
}

export function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}

// This thread's scratch regions, in order.
export const GW = 0; // GEMM packing (backward)
export const COLS = 1; // the forward's packed panels (K·Pr), or the backward's cols panels (Kr·P)
export const DCOLS = 2; // dcols (K, P)
export const FP = 3; // one image's conv output or its gradient (F, P)
export const PA = 4; // the weights (Fr·K) or one image's dout (Fr·P) packed in MR-row panels
export const TMP = 5; // 32 bytes' worth of cols rows (8 f32 or 4 f64), each zero-padded to Pr
export const TILE = 6; // an MR×32-byte edge tile
export const BIAS = 7; // b zero-padded to Fr
export const XPAD = 8; // stride 1: one image zero-padded (C, Hq, Wq), then the K byte offsets of its window (see directOffsets)
export const DOUTT = 9; // stride 1, backward: one image's conv gradient transposed into NR-wide panels (Fp·P)
export const GEOM2 = 10; // stride 1, backward: the geometry of dx as a convolution of dout (see dxGeometry)
export const XPAD2 = 11; // ... dout zero-padded for it, then its window offsets
export const PA2 = 12; // ... its weights (w flipped, channels swapped) packed in MR-row panels, then a zero bias
const END = 13;

/** Byte address of scratch region `r` (GW...END) of the thread whose scratch starts at `work`. */
export function region(geom: usize, S: usize, work: usize, r: i32): usize {
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

/** Bytes of one thread's scratch (see the regions above) for elements of S bytes. */
export function convWorkBytes(geom: usize, S: i32): i32 {
  return <i32>(region(geom, <usize>S, 0, END) + 64);
}

/** Columns of the padded image: every NR-wide block of an output row reads inside it (stride 1). */
export function paddedWidth(geom: usize, S: i32): i32 {
  return roundUp(g(geom, 9), 32 / S) + g(geom, 5) - 1;
}

/** Values of one padded image, (C, H + 2·pad, paddedWidth). */
export function paddedLength(geom: usize, S: i32): usize {
  return <usize>(g(geom, 0) * (g(geom, 1) + 2 * g(geom, 7)) * paddedWidth(geom, S));
}

/** Whether dx can run as a stride-1 convolution of dout (square window, pad < window). */
export function directDx(geom: usize): bool {
  return g(geom, 6) == 1 && g(geom, 4) == g(geom, 5) && g(geom, 7) <= g(geom, 4) - 1;
}

/**
 * dx of a stride-1 convolution is itself one: dx[c, y, x] = Σ over (f, i, j) of w[f, c, HH−1−i, WW−1−j] ·
 * dout[f, y + i − (HH−1−pad), x + j − (WW−1−pad)], i.e. dout (F, Ho, Wo) padded by HH − 1 − pad, convolved
 * with w flipped and its channels swapped (C filters of F·HH·WW), giving (C, H, W). Writes that geometry.
 */
export function dxGeometry(geom: usize, g2: usize): void {
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

/**
 * The next work item of a call: threads take images (forward) or chunks (backward) from a counter in memory
 * until it runs past the end, so a thread the OS delays takes fewer and no thread waits on a fixed share.
 */
export function next(counter: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(counter, 1);
  const v = load<i32>(counter);
  store<i32>(counter, v + 1);
  return v;
}
