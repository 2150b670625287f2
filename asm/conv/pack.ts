/**
 * Packing for the convolution micro-kernels (asm/conv/kernels.ts): the A operand in MR-row panels, the B
 * operand in NR-wide (32-byte) panels, and at stride 1 the zero-padded image the kernels read B rows from.
 */
import { transpose4x4Store } from '../gemm';
import { im2colRowT } from '../im2col';
import { MR, g, paddedWidth, roundUp } from './layout';

/** Packs w (F, K) as MR-row panels of K columns (row p of panel ir at (ir·K + p·MR)·S), zero past F. */
export function packWeightsT<T>(w: usize, F: i32, K: i32, pa: usize): void {
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

/** Packs rows (F, P) at d as MR-row panels of P columns (row p of panel ir at (ir·P + p·MR)·S), zero past F. */
export function packRowsT<T>(d: usize, F: i32, P: i32, pa: usize): void {
  packWeightsT<T>(d, F, P, pa);
}

/** Packs the weights of dx's convolution (see dxGeometry): row c, column (f, i, j) = w[f, c, HH−1−i, WW−1−j]. */
export function packFlippedT<T>(w: usize, geom: usize, pa: usize): void {
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

/**
 * Packs im2col of one image straight into the micro-kernel's B panels: panel jp holds output positions
 * [jp·NR, jp·NR + NR) and its row k (c, i, j) is the NR values of cols row k there, at bp + (jp·K + k)·32.
 */
export function packColsT<T>(xn: usize, geom: usize, K: i32, P: i32, tmp: usize, bp: usize): void {
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

/**
 * Packs im2col of one image transposed, as the B panels of dw = dout · colsᵀ: panel kg holds cols rows
 * [kg·NR, kg·NR + NR) (zero past K) and its row p the NR values of those rows at output position p, at
 * bp + (kg·P + p)·32. NR rows at a time go through tmp and are transposed 4×4 (f32) or 2×2 (f64) in registers.
 */
export function packColsTransT<T>(xn: usize, geom: usize, K: i32, P: i32, tmp: usize, bp: usize): void {
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

/**
 * Packs one image's conv gradient d (F, P) transposed, as NR-wide panels: panel fg/NR holds d[fg + j][p] at
 * dt + (fg·P + p·NR + j)·S, zero for rows past F.
 */
export function packDoutTransT<T>(d: usize, F: i32, P: i32, dt: usize): void {
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
 * Stride 1 needs no im2col: for output row y and columns [x0, x0 + NR), row k = (c, i, j) of the cols panel is
 * the NR contiguous values of padded row (c, y + i) from column x0 + j. So the micro-kernel reads its B rows
 * straight from the padded image at base + offs[k] (the image, under 20 KB here, stays in L1), with the
 * same bias-first, k-ascending sums as the packed path: results are bit-identical.
 */
export function directOffsets(geom: usize, S: i32, offs: usize): void {
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
export function padImageT<T>(xn: usize, geom: usize, xp: usize): void {
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
