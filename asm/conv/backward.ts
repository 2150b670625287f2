/**
 * Whole-batch convolution backward (see ConvBackwardArgs in src/backend/backend.ts), f32 and f64: threads
 * take fixed chunks of the batch from a shared counter; each chunk's dw and db partials are its own, so the
 * caller's sum over chunks does not depend on which thread ran which.
 *
 * With the pool fused (flag POOL), dout is the pooled gradient: ReLU before max pooling commutes with it,
 * and the ReLU mask at a window's argmax is (pooled > 0), so the conv's gradient is rebuilt from dpool, the
 * pooled output and the argmax alone, exactly as the unfused chain does (scatter, then mask).
 */
import { gemmT } from '../gemm';
import { col2imT } from '../im2col';
import { sumF64T } from '../norm';
import { dwKernel, convKernel } from './kernels';
import { directImageT } from './forward';
import {
  COLS,
  DCOLS,
  DOUTT,
  DX,
  FP,
  GEOM2,
  GW,
  MR,
  PA,
  PA2,
  POOL,
  TILE,
  TMP,
  XPAD,
  XPAD2,
  align64,
  directDx,
  dxGeometry,
  g,
  next,
  paddedLength,
  paddedWidth,
  region,
  roundUp,
} from './layout';
import { directOffsets, packColsTransT, packDoutTransT, packFlippedT, packRowsT, padImageT } from './pack';

/** The backward's run over output positions: its A block (Fr·KCB) stays in L1/L2 across the k groups. */
const KCB = 128;

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
      dwKernel<T>(Ho, Wo, rowStep, a0, a1, a2, a3, bp, cp, ldc);
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
            convKernel<T>(kc, ap, b, cp, ldc, false, 0, false);
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
        gemmT<T>(1, 0, 0, K, 0, P, F, <T>1, w, K, d, P, <T>0, dcols, P, gw);
        memory.fill(xn, 0, <usize>(C * H * W) * S);
        col2imT<T>(xn, C, H, W, HH, WW, stride, pad, Ho, Wo, dcols);
      }
    }
  }
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

/** convBackwardChunksT on elements of `size` bytes (4: f32, 8: f64). */
export function convBackward(
  size: i32,
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
  if (size == 4) {
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
  } else {
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
}
