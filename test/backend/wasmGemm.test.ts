/**
 * The wasm GEMM against a plain triple loop in float64 (the definition of C = alpha·op(A)·op(B) + beta·C)
 * and against the TypeScript backend: all four transpose cases, odd sizes that exercise every edge tile,
 * offsets and leading dimensions wider than the matrix, alpha/beta, float32 and float64, and threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import type { GemmArgs } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { setThreadCount, threadCount, wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function randomArray(ctor: Ctor, n: number, rng: Generator): Float32Array | Float64Array {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextDouble() * 2 - 1;
  return a;
}

/** A GEMM problem with operands embedded at an offset in larger buffers with padded leading dimensions. */
function problem(
  ctor: Ctor,
  M: number,
  N: number,
  K: number,
  transA: boolean,
  transB: boolean,
  { alpha = 1, beta = 0, pad = 0, offset = 0, seed = 1 } = {},
): GemmArgs {
  const rng = new Generator(seed);
  const [ar, ac] = transA ? [K, M] : [M, K];
  const [br, bc] = transB ? [N, K] : [K, N];
  const lda = ac + pad;
  const ldb = bc + pad;
  const ldc = N + pad;
  return {
    transA,
    transB,
    M,
    N,
    K,
    alpha,
    A: randomArray(ctor, offset + ar * lda, rng),
    aOffset: offset,
    lda,
    B: randomArray(ctor, offset + br * ldb, rng),
    bOffset: offset,
    ldb,
    beta,
    C: randomArray(ctor, offset + M * ldc, rng),
    cOffset: offset,
    ldc,
  };
}

function withC(g: GemmArgs): GemmArgs {
  return { ...g, C: g.C.slice() };
}

/** C = alpha·op(A)·op(B) + beta·C by its definition, in float64. */
function reference(g: GemmArgs): Float64Array {
  const C = Float64Array.from(g.C);
  for (let i = 0; i < g.M; i++) {
    for (let j = 0; j < g.N; j++) {
      let s = 0;
      for (let k = 0; k < g.K; k++) {
        const a = g.transA ? g.A[g.aOffset + k * g.lda + i] : g.A[g.aOffset + i * g.lda + k];
        const b = g.transB ? g.B[g.bOffset + j * g.ldb + k] : g.B[g.bOffset + k * g.ldb + j];
        s += a * b;
      }
      const c = g.cOffset + i * g.ldc + j;
      C[c] = g.alpha * s + (g.beta === 0 ? 0 : g.beta * C[c]);
    }
  }
  return C;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

const sizes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 3, 65],
  [65, 17, 3],
  [4, 8, 128],
  [33, 70, 129],
  [257, 9, 31],
  [7, 257, 40],
];

describe.skipIf(skipFor(import.meta.url, wasmMissing()))('wasm gemm', () => {
  const initialThreads = threadCount();
  afterAll(() => setThreadCount(initialThreads));

  for (const ctor of [Float32Array, Float64Array]) {
    const tol = ctor === Float32Array ? 2e-5 : 1e-12;
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${ctor.name} transA=${transA} transB=${transB} agrees with the definition and the js backend`, () => {
          for (const [M, N, K] of sizes) {
            const g = problem(ctor, M, N, K, transA, transB, { seed: M * 1000 + N + K });
            const ref = reference(g);
            const w = withC(g);
            wasmBackend.gemm(w);
            const j = withC(g);
            jsBackend.gemm(j);
            expect(maxError(w.C, ref), `${M}x${N}x${K}`).toBeLessThan(tol * Math.sqrt(K) * 4);
            expect(maxError(w.C, j.C), `${M}x${N}x${K}`).toBeLessThan(tol * Math.sqrt(K) * 4);
          }
        });
      }
    }

    it(`${ctor.name}: offsets, padded leading dimensions, alpha and beta`, () => {
      for (const [alpha, beta] of [
        [0.5, 0],
        [-2, 1],
        [1.5, -0.25],
        [0, 2],
      ]) {
        for (const [transA, transB] of [
          [false, false],
          [true, true],
          [true, false],
        ] as const) {
          const g = problem(ctor, 19, 23, 37, transA, transB, { alpha, beta, pad: 5, offset: 3, seed: 7 });
          const w = withC(g);
          wasmBackend.gemm(w);
          // Elements outside the matrix (offset, padding) must be untouched: compare the whole buffer.
          expect(maxError(w.C, reference(g))).toBeLessThan(tol * 40);
        }
      }
    });

    it(`${ctor.name}: beta = 0 ignores NaN in C; K = 0 only scales C`, () => {
      const g = problem(ctor, 9, 10, 11, false, false, { beta: 0 });
      g.C.fill(NaN);
      wasmBackend.gemm(g);
      expect(g.C.every((v) => Number.isFinite(v))).toBe(true);
      const z = problem(ctor, 5, 6, 0, false, false, { beta: 2 });
      const before = Array.from(z.C);
      wasmBackend.gemm(z);
      expect(Array.from(z.C)).toEqual(
        before.map((v) => (ctor === Float32Array ? Math.fround(2 * v) : 2 * v)),
      );
    });

    it(`${ctor.name}: two threads give exactly the single-threaded result`, () => {
      // All past gemm.ts's THREAD_MIN_MACS (2^23), so the second call really splits C over two threads.
      for (const [M, N, K, tA, tB] of [
        [301, 177, 190, false, false],
        [50, 933, 190, true, false],
        [256, 256, 128, false, true],
      ] as const) {
        const g = problem(ctor, M, N, K, tA, tB, { beta: 0.5, seed: 3 });
        setThreadCount(1);
        const one = withC(g);
        wasmBackend.gemm(one);
        setThreadCount(2);
        const two = withC(g);
        wasmBackend.gemm(two);
        expect(Array.from(two.C)).toEqual(Array.from(one.C));
        expect(maxError(two.C, reference(g))).toBeLessThan(tol * Math.sqrt(K) * 4);
      }
    });
  }

  it('changing the thread count restarts the pool with the same results', () => {
    const g = problem(Float32Array, 203, 61, 97, false, true, { seed: 8 });
    setThreadCount(1);
    const one = withC(g);
    wasmBackend.gemm(one);
    for (const t of [3, 2, 3]) {
      setThreadCount(t);
      const many = withC(g);
      wasmBackend.gemm(many);
      expect(Array.from(many.C), `${t} threads`).toEqual(Array.from(one.C));
    }
  });

  it('mixed operand types fall back to the js kernel', () => {
    const g = problem(Float64Array, 6, 7, 8, false, false);
    const mixed = { ...g, A: Float32Array.from(g.A) };
    const ref = reference(mixed);
    wasmBackend.gemm(mixed);
    expect(maxError(mixed.C, ref)).toBeLessThan(1e-12);
  });
});
