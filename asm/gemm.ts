/**
 * GEMM on a sub-block of C: C[m0:m1, n0:n1] = alpha·op(A)·op(B) + beta·C, for f32 (sgemm) and f64 (dgemm).
 *
 * The Goto/BLIS scheme: op(B) is packed into KC×NR column panels and alpha·op(A) into MC×KC blocks of
 * MR-row panels, so the micro-kernel reads both operands sequentially whatever the transposes. The
 * micro-kernel keeps a 4×8 (f32) or 4×4 (f64) tile of C in eight v128 accumulators (4 rows × 2 vectors).
 * Why not 6×8: V8 hoists the six A broadcasts to the top of the loop and then spills accumulators out of
 * x64's 16 vector registers, which measured 35% slower. No FMA: relaxed-simd is behind a flag in Node 20,
 * so each step is a mul and an add.
 *
 * Pointers are byte addresses into the (shared) memory; lda/ldb/ldc are row strides in elements.
 * `work` is this thread's scratch of gemmWorkBytes(): packed A (MC·KC), packed B (KC·NC) and an edge tile.
 * Threads call this on disjoint sub-blocks of C, each with its own `work`.
 */
import { madd } from './vec';

const MR = 4;
const KC = 128;
const MC = 64;
const NC = 2048;

/** Bytes of scratch one thread needs (for either precision). */
export function gemmWorkBytes(): i32 {
  return (MC * KC + KC * NC + 64) * 8 + 64;
}

/** C = alpha·op(A)·op(B) + beta·C on a sub-block (see gemmT) for elements of `size` bytes (4: f32, 8: f64). */
export function gemm(
  size: i32,
  transA: i32,
  transB: i32,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
  K: i32,
  alpha: f64,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: f64,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  if (size == 4) {
    gemmT<f32>(transA, transB, m0, m1, n0, n1, K, <f32>alpha, a, lda, b, ldb, <f32>beta, c, ldc, work);
  } else {
    gemmT<f64>(transA, transB, m0, m1, n0, n1, K, alpha, a, lda, b, ldb, beta, c, ldc, work);
  }
}

export function gemmT<T>(
  transA: i32,
  transB: i32,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
  K: i32,
  alpha: T,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  beta: T,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const S = <i32>sizeof<T>();
  const NR = 32 / S; // one NR-wide row of a B panel is two v128
  if (beta != <T>1) scaleC<T>(m0, m1, n0, n1, beta, c, ldc);
  if (m1 <= m0 || n1 <= n0 || K <= 0 || alpha == <T>0) return;
  const pa = (work + 63) & ~(<usize>63);
  const pb = pa + <usize>(MC * KC * S);
  const tile = pb + <usize>(KC * NC * S);
  for (let jc = n0; jc < n1; jc += NC) {
    const nc = min(NC, n1 - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      packB<T>(transB, b, ldb, pc, kc, jc, nc, pb);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = min(MC, m1 - ic);
        packA<T>(transA, a, lda, alpha, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = pb + <usize>(jr * kc * S);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = pa + <usize>(ir * kc * S);
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * S;
            if (mr == MR && nr == NR) {
              kernel<T>(kc, ap, bp, cp, <usize>ldc * S);
            } else {
              // Edge: compute the full tile into scratch, then add only the valid mr×nr corner.
              memory.fill(tile, 0, MR * 32);
              kernel<T>(kc, ap, bp, tile, 32);
              for (let i = 0; i < mr; i++) {
                const crow = cp + <usize>i * <usize>ldc * S;
                const trow = tile + <usize>(i * 32);
                for (let j = 0; j < nr; j++) {
                  const q = crow + <usize>(j * S);
                  store<T>(q, load<T>(q) + load<T>(trow + <usize>(j * S)));
                }
              }
            }
          }
        }
      }
    }
  }
}

function scaleC<T>(m0: i32, m1: i32, n0: i32, n1: i32, beta: T, c: usize, ldc: i32): void {
  const S = <usize>sizeof<T>();
  for (let i = m0; i < m1; i++) {
    const row = c + (<usize>i * <usize>ldc + <usize>n0) * S;
    const n = n1 - n0;
    if (beta == <T>0) {
      memory.fill(row, 0, <usize>n * S); // beta = 0 ignores C, NaNs included (BLAS semantics)
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + <usize>j * S;
        store<T>(q, load<T>(q) * beta);
      }
    }
  }
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide panels of kc rows, zero-padded past nc. */
function packB<T>(transB: i32, b: usize, ldb: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const S = <i32>sizeof<T>();
  const NR = 32 / S;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const panel = dst + <usize>(jr * kc * S);
    if (transB && S == 4 && nr == NR) {
      // op(B)[p][j] = B[j][p]: four p of each of the panel's eight rows of B, transposed 4×4 in registers.
      const src = b + (<usize>(jc + jr) * <usize>ldb + <usize>pc) * 4;
      const ld = <usize>ldb * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const q = src + <usize>p * 4;
        for (let h = 0; h < 2; h++) {
          const base = q + <usize>(h * 4) * ld;
          const d = panel + <usize>(p * 32 + h * 16);
          transpose4x4Store(base, ld, d, 32);
        }
      }
      for (; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          store<f32>(panel + <usize>(p * 32 + j * 4), load<f32>(src + <usize>j * ld + <usize>p * 4));
        }
      }
    } else if (transB) {
      // op(B)[p][j] = B[j][p]: each column j of the panel is a contiguous row of B.
      for (let j = 0; j < NR; j++) {
        if (j >= nr) {
          for (let p = 0; p < kc; p++) store<T>(panel + <usize>(p * 32 + j * S), <T>0);
          continue;
        }
        const src = b + (<usize>(jc + jr + j) * <usize>ldb + <usize>pc) * S;
        for (let p = 0; p < kc; p++) {
          store<T>(panel + <usize>(p * 32 + j * S), load<T>(src + <usize>(p * S)));
        }
      }
    } else if (nr == NR) {
      let src = b + (<usize>pc * <usize>ldb + <usize>(jc + jr)) * S;
      const step = <usize>ldb * S;
      for (let p = 0; p < kc; p++) {
        const d = panel + <usize>(p * 32);
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += step;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(pc + p) * <usize>ldb + <usize>(jc + jr)) * S;
        const d = panel + <usize>(p * 32);
        for (let j = 0; j < NR; j++) {
          store<T>(d + <usize>(j * S), j < nr ? load<T>(src + <usize>(j * S)) : <T>0);
        }
      }
    }
  }
}

/** Packs alpha·op(A)[ic:ic+mc, pc:pc+kc] as MR-tall panels of kc columns, zero-padded past mc. */
function packA<T>(
  transA: i32,
  a: usize,
  lda: i32,
  alpha: T,
  ic: i32,
  mc: i32,
  pc: i32,
  kc: i32,
  dst: usize,
): void {
  const S = <i32>sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = dst + <usize>(ir * kc * S);
    if (S == 4 && mr == MR && alpha == <T>1) {
      // The common float32 case, four values per load: alpha = 1 (as every product here has) needs no scaling.
      if (transA) {
        let src = a + (<usize>pc * <usize>lda + <usize>(ic + ir)) * 4;
        const step = <usize>lda * 4;
        for (let p = 0; p < kc; p++) {
          v128.store(panel + <usize>(p * 16), v128.load(src));
          src += step;
        }
      } else {
        const src = a + (<usize>(ic + ir) * <usize>lda + <usize>pc) * 4;
        const ld = <usize>lda * 4;
        let p = 0;
        for (; p + 4 <= kc; p += 4) transpose4x4Store(src + <usize>p * 4, ld, panel + <usize>(p * 16), 16);
        for (; p < kc; p++) {
          for (let i = 0; i < MR; i++) {
            store<f32>(panel + <usize>((p * MR + i) * 4), load<f32>(src + <usize>i * ld + <usize>p * 4));
          }
        }
      }
      continue;
    }
    if (transA) {
      // op(A)[i][p] = A[p][i]: the panel's MR values for one p are contiguous in A.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(pc + p) * <usize>lda + <usize>(ic + ir)) * S;
        const d = panel + <usize>(p * MR * S);
        for (let i = 0; i < MR; i++) {
          store<T>(d + <usize>(i * S), i < mr ? alpha * load<T>(src + <usize>(i * S)) : <T>0);
        }
      }
    } else {
      for (let i = 0; i < MR; i++) {
        if (i >= mr) {
          for (let p = 0; p < kc; p++) store<T>(panel + <usize>((p * MR + i) * S), <T>0);
          continue;
        }
        const src = a + (<usize>(ic + ir + i) * <usize>lda + <usize>pc) * S;
        for (let p = 0; p < kc; p++) {
          store<T>(panel + <usize>((p * MR + i) * S), alpha * load<T>(src + <usize>(p * S)));
        }
      }
    }
  }
}

/**
 * Reads four f32 from each of four rows (row r at src + r·ld bytes) and stores the 4×4 block transposed:
 * column k (the four rows' k-th values) at dst + k·dstStride.
 */
export function transpose4x4Store(src: usize, ld: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld);
  const r3 = v128.load(src + 3 * ld);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<i64>(t0, t2, 0, 2));
  v128.store(dst + dstStride, v128.shuffle<i64>(t0, t2, 1, 3));
  v128.store(dst + 2 * dstStride, v128.shuffle<i64>(t1, t3, 0, 2));
  v128.store(dst + 3 * dstStride, v128.shuffle<i64>(t1, t3, 1, 3));
}

/** C[0:4, 0:NR] += Apanel(4×kc) · Bpanel(kc×NR); ldc in bytes. */
function kernel<T>(kc: i32, ap: usize, bp: usize, cp: usize, ldc: usize): void {
  let c00 = v128.splat<T>(0);
  let c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0);
  let c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0);
  let c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0);
  let c31 = v128.splat<T>(0);
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
  let r = cp;
  v128.store(r, v128.add<T>(v128.load(r), c00));
  v128.store(r, v128.add<T>(v128.load(r, 16), c01), 16);
  r += ldc;
  v128.store(r, v128.add<T>(v128.load(r), c10));
  v128.store(r, v128.add<T>(v128.load(r, 16), c11), 16);
  r += ldc;
  v128.store(r, v128.add<T>(v128.load(r), c20));
  v128.store(r, v128.add<T>(v128.load(r, 16), c21), 16);
  r += ldc;
  v128.store(r, v128.add<T>(v128.load(r), c30));
  v128.store(r, v128.add<T>(v128.load(r, 16), c31), 16);
}
