/**
 * The TypeScript backend's kernels against naive loops: GEMM in all four transpose cases at odd sizes
 * (edges of every register tile and cache block), and the elementwise/reduction fast paths on strided,
 * broadcast and mixed-dtype operands.
 */
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import type { Strided } from '../../src/backend/index.js';
import { rng } from '../../src/index.js';

type FA = Float32Array | Float64Array;

function naiveGemm(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: FA,
  aOff: number,
  lda: number,
  B: FA,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const a = tA ? A[aOff + p * lda + i] : A[aOff + i * lda + p];
        const b = tB ? B[bOff + j * ldb + p] : B[bOff + p * ldb + j];
        s += a * b;
      }
      const c = cOff + i * ldc + j;
      C[c] = alpha * s + (beta === 0 ? 0 : beta * C[c]);
    }
}

function randomBuf(C: typeof Float32Array | typeof Float64Array, n: number, seed: number): FA {
  const g = rng(seed);
  const x = new C(n);
  for (let i = 0; i < n; i++) x[i] = g.nextDouble() * 2 - 1;
  return x;
}

describe('js GEMM', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 4, 4],
    [17, 9, 33],
    [5, 130, 3],
    [131, 7, 260],
    [64, 2050, 2],
    [2, 3, 600],
    [3, 2051, 257], // more than one NC block of B, and kc = KC
  ];
  for (const C of [Float64Array, Float32Array]) {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as [boolean, boolean][]) {
      it(`${C.name} transA=${tA} transB=${tB} at odd sizes, with offsets, lda > cols, alpha and beta`, () => {
        let seed = 1;
        for (const [M, N, K] of sizes) {
          const scalings = [
            [1, 0],
            [0.5, 1],
            [-2, 0.25],
          ];
          // The large shapes once, the small ones with every alpha/beta (keeps the file fast).
          for (const [alpha, beta] of M * N * K > 1e5 ? scalings.slice(2) : scalings) {
            const lda = (tA ? M : K) + 3;
            const ldb = (tB ? K : N) + 1;
            const ldc = N + 2;
            const aOff = 5;
            const bOff = 2;
            const cOff = 1;
            const A = randomBuf(C, aOff + (tA ? K : M) * lda, seed++);
            const B = randomBuf(C, bOff + (tB ? N : K) * ldb, seed++);
            const C0 = randomBuf(C, cOff + M * ldc, seed++);
            const want = Float64Array.from(C0);
            naiveGemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, want, cOff, ldc);
            const got = C0.slice();
            jsBackend.gemm({
              transA: tA,
              transB: tB,
              M,
              N,
              K,
              alpha,
              A,
              aOffset: aOff,
              lda,
              B,
              bOffset: bOff,
              ldb,
              beta,
              C: got,
              cOffset: cOff,
              ldc,
            });
            const tol = C === Float32Array ? 1e-5 * Math.sqrt(K) : 1e-12 * K;
            let worst = 0;
            for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
            expect(worst, `M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta}`).toBeLessThan(tol);
            // Padding between rows (ldc > N) and before the offset is never written.
            for (let i = 0; i < M; i++)
              for (let j = N; j < ldc && cOff + i * ldc + j < got.length; j++)
                expect(got[cOff + i * ldc + j]).toBe(C0[cOff + i * ldc + j]);
            expect(got[0]).toBe(C0[0]);
          }
        }
      });
    }
  }
  it('beta = 0 overwrites NaN in C, and K = 0 scales C by beta', () => {
    const C = new Float64Array([NaN, NaN]);
    jsBackend.gemm({
      transA: false,
      transB: false,
      M: 1,
      N: 2,
      K: 1,
      alpha: 1,
      A: new Float64Array([2]),
      aOffset: 0,
      lda: 1,
      B: new Float64Array([3, 4]),
      bOffset: 0,
      ldb: 2,
      beta: 0,
      C,
      cOffset: 0,
      ldc: 2,
    });
    expect(Array.from(C)).toEqual([6, 8]);
    jsBackend.gemm({
      transA: false,
      transB: false,
      M: 1,
      N: 2,
      K: 0,
      alpha: 1,
      A: new Float64Array(0),
      aOffset: 0,
      lda: 1,
      B: new Float64Array(0),
      bOffset: 0,
      ldb: 2,
      beta: 0.5,
      C,
      cOffset: 0,
      ldc: 2,
    });
    expect(Array.from(C)).toEqual([3, 4]);
  });
});

/** Element (index) of a strided operand. */
function at(s: Strided, shape: number[], flat: number): number {
  let off = s.offset;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    off += (flat % shape[ax]) * s.strides[ax];
    flat = Math.floor(flat / shape[ax]);
  }
  return off;
}

describe('js elementwise and reduce fast paths', () => {
  const layouts: { shape: number[]; a: number[]; b: number[] }[] = [
    { shape: [1000], a: [1], b: [1] }, // contiguous
    { shape: [300, 10], a: [10, 1], b: [0, 1] }, // (N, D) + (D,)
    { shape: [10, 300], a: [300, 1], b: [1, 0] }, // (N, D) + (N, 1)
    { shape: [7, 11], a: [1, 7], b: [11, 1] }, // transposed
    { shape: [3, 4, 5], a: [20, 5, 1], b: [0, 5, 1] }, // 3-D with a broadcast
    { shape: [2, 3, 4, 5], a: [-60, 20, 5, -1], b: [0, 0, 0, 1] }, // negative strides
  ];
  const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
  for (const { shape, a, b } of layouts) {
    it(`binary, scalar, unary and reduce on shape (${shape}) strides a (${a}) b (${b})`, () => {
      const n = size(shape);
      const base = 200;
      const A: Strided = { data: randomBuf(Float64Array, 2 * n + 2 * base, 3), offset: n + base, strides: a };
      const B: Strided = { data: randomBuf(Float32Array, n + base, 4), offset: base, strides: b };
      const out: Strided = {
        data: new Float64Array(n),
        offset: 0,
        strides: shape.map((_, i) => size(shape.slice(i + 1))),
      };
      jsBackend.binary('sub', shape, A, B, out);
      for (let i = 0; i < n; i++) expect(out.data[i]).toBe(A.data[at(A, shape, i)] - B.data[at(B, shape, i)]);
      jsBackend.binaryScalar('div', shape, A, 4, out, true);
      for (let i = 0; i < n; i++) expect(out.data[i]).toBe(4 / A.data[at(A, shape, i)]);
      const o32: Strided = { data: new Float32Array(n), offset: 0, strides: out.strides };
      jsBackend.unary('exp', shape, A, o32);
      for (let i = 0; i < n; i++) expect(o32.data[i]).toBe(Math.fround(Math.exp(A.data[at(A, shape, i)])));
      jsBackend.clip(shape, A, -0.5, 0.25, out);
      for (let i = 0; i < n; i++)
        expect(out.data[i]).toBe(Math.min(0.25, Math.max(-0.5, A.data[at(A, shape, i)])));
      // Sum over the last axis into an accumulator with stride 0 there.
      const last = shape[shape.length - 1];
      const accStrides = shape.map((_, i) => (i === shape.length - 1 ? 0 : size(shape.slice(i + 1, -1))));
      const acc: Strided = { data: new Float64Array(n / last), offset: 0, strides: accStrides };
      jsBackend.reduce('sum', shape, A, acc);
      for (let r = 0; r < n / last; r++) {
        let s = 0;
        for (let j = 0; j < last; j++) s += A.data[at(A, shape, r * last + j)];
        expect(acc.data[r]).toBeCloseTo(s, 12);
      }
    });
  }
});
