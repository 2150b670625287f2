/**
 * The convolution's micro-kernels: a 4-row × 32-byte tile of the output (4×8 f32 or 4×4 f64) in eight v128
 * accumulators, one multiply-add per accumulator and step. ldc is the row stride of C in bytes.
 */
import { madd, relu as reluV } from '../vec';

/**
 * C[0:4, 0:NR] = (init ? bias (per row) : C) + Apanel(4×kc) · Bpanel(kc×NR), then ReLU when `relu`.
 */
export function convKernel<T>(
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
    c00 = v128.load_splat<T>(bias);
    c01 = c00;
    c10 = v128.load_splat<T>(bias, sizeof<T>());
    c11 = c10;
    c20 = v128.load_splat<T>(bias, 2 * sizeof<T>());
    c21 = c20;
    c30 = v128.load_splat<T>(bias, 3 * sizeof<T>());
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
    let x = v128.load_splat<T>(ap);
    c00 = madd<T>(x, b0, c00);
    c01 = madd<T>(x, b1, c01);
    x = v128.load_splat<T>(ap, sizeof<T>());
    c10 = madd<T>(x, b0, c10);
    c11 = madd<T>(x, b1, c11);
    x = v128.load_splat<T>(ap, 2 * sizeof<T>());
    c20 = madd<T>(x, b0, c20);
    c21 = madd<T>(x, b1, c21);
    x = v128.load_splat<T>(ap, 3 * sizeof<T>());
    c30 = madd<T>(x, b0, c30);
    c31 = madd<T>(x, b1, c31);
    ap += 4 * sizeof<T>();
    bp += 32;
  }
  if (relu) {
    c00 = reluV<T>(c00);
    c01 = reluV<T>(c01);
    c10 = reluV<T>(c10);
    c11 = reluV<T>(c11);
    c20 = reluV<T>(c20);
    c21 = reluV<T>(c21);
    c30 = reluV<T>(c30);
    c31 = reluV<T>(c31);
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

/** convKernel with B row k read at base + offs[k] (whole K, bias first): the stride-1 path, no im2col. */
export function directKernel<T>(
  K: i32,
  ap: usize,
  base: usize,
  offs: usize,
  cp: usize,
  ldc: usize,
  bias: usize,
  relu: bool,
): void {
  let c00 = v128.load_splat<T>(bias);
  let c01 = c00;
  let c10 = v128.load_splat<T>(bias, sizeof<T>());
  let c11 = c10;
  let c20 = v128.load_splat<T>(bias, 2 * sizeof<T>());
  let c21 = c20;
  let c30 = v128.load_splat<T>(bias, 3 * sizeof<T>());
  let c31 = c30;
  const end = offs + <usize>K * 4;
  for (let o = offs; o < end; o += 4) {
    const bp = base + <usize>load<i32>(o);
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load_splat<T>(ap);
    c00 = madd<T>(x, b0, c00);
    c01 = madd<T>(x, b1, c01);
    x = v128.load_splat<T>(ap, sizeof<T>());
    c10 = madd<T>(x, b0, c10);
    c11 = madd<T>(x, b1, c11);
    x = v128.load_splat<T>(ap, 2 * sizeof<T>());
    c20 = madd<T>(x, b0, c20);
    c21 = madd<T>(x, b1, c21);
    x = v128.load_splat<T>(ap, 3 * sizeof<T>());
    c30 = madd<T>(x, b0, c30);
    c31 = madd<T>(x, b1, c31);
    ap += 4 * sizeof<T>();
  }
  if (relu) {
    c00 = reluV<T>(c00);
    c01 = reluV<T>(c01);
    c10 = reluV<T>(c10);
    c11 = reluV<T>(c11);
    c20 = reluV<T>(c20);
    c21 = reluV<T>(c21);
    c30 = reluV<T>(c30);
    c31 = reluV<T>(c31);
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
 * dwᵀ tile C[0:4, 0:NR] += Σ over output positions (y, x) of cols[k_i][(y, x)] · dᵀ[(y, x)][0:NR]: row k_i of
 * cols read from the padded image at a_i + (y·Wq + x)·S (rowStep = Wq·S), dᵀ from its packed panel bp.
 * Sums run in output-position order, as the packed path's do.
 */
export function dwKernel<T>(
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
  const rowBytes = <usize>Wo * sizeof<T>();
  for (let y = 0; y < Ho; y++) {
    for (let o: usize = 0; o < rowBytes; o += sizeof<T>()) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let x = v128.load_splat<T>(a0 + o);
      c00 = madd<T>(x, b0, c00);
      c01 = madd<T>(x, b1, c01);
      x = v128.load_splat<T>(a1 + o);
      c10 = madd<T>(x, b0, c10);
      c11 = madd<T>(x, b1, c11);
      x = v128.load_splat<T>(a2 + o);
      c20 = madd<T>(x, b0, c20);
      c21 = madd<T>(x, b1, c21);
      x = v128.load_splat<T>(a3 + o);
      c30 = madd<T>(x, b0, c30);
      c31 = madd<T>(x, b1, c31);
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
