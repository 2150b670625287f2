/**
 * Whole-batch convolution forward (see ConvForwardArgs in src/backend/backend.ts), f32 and f64: one call per
 * thread takes images of a batch from a shared counter, im2col + GEMM per image into its scratch, with the
 * bias, an optional ReLU and an optional max pool fused in, so the per-image steps never leave wasm and
 * threads split the batch with one barrier per layer call. At stride 1 the forward skips im2col: the
 * micro-kernel reads its rows from a zero-padded copy of the image (directImageT).
 *
 * With the pool fused, the conv output of an image lives only in scratch (F·P values): the caller gets the
 * pooled output and the argmax of every window (asm/conv/backward.ts rebuilds the conv's gradient from them).
 * Pointers are byte addresses; work is this thread's scratch of convWorkBytes(geom, sizeof T) bytes.
 */
import { maxPoolForwardT } from '../pool';
import { convKernel, directKernel } from './kernels';
import {
  BIAS,
  COLS,
  FP,
  MR,
  PA,
  POOL,
  RELU,
  TILE,
  TMP,
  XPAD,
  align64,
  g,
  next,
  paddedLength,
  paddedWidth,
  region,
  roundUp,
} from './layout';
import { directOffsets, packColsT, packWeightsT, padImageT } from './pack';

/** Longest run of the reduction (K) one micro-kernel call takes: its B panel (KC·32 bytes) stays in L1. */
const KC = 512;

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
        convKernel<T>(kc, ap, b, cp, ld, pc == 0, bi, relu && last);
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
 * One image's conv output dst (F, P) = bias + w · cols (ReLU'd when `relu`) at stride 1, from the packed
 * weights pa and the padded image xp: output row by row, NR columns at a time, every filter block per block
 * of columns (the window it reads stays in L1).
 */
export function directImageT<T>(
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
        directKernel<T>(K, ap, base, offs, cp, ld, bi, relu);
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

/** The forward of images taken from `counter` until N; elements of `size` bytes (4: f32, 8: f64). */
export function convForward(
  size: i32,
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
  if (size == 4) convForwardT<f32>(geom, x, w, b, out, argmax, counter, N, work);
  else convForwardT<f64>(geom, x, w, b, out, argmax, counter, N, work);
}
