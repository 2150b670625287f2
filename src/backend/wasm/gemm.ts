/**
 * GEMM for the wasm backend: C = alpha·op(A)·op(B) + beta·C through the SIMD kernels in asm/gemm.ts.
 *
 * Operands that already live in the wasm memory are used in place; others are copied in (the O(n²) copies
 * are small beside the O(n³) product; C is not copied in when beta = 0). C is split into row blocks (or
 * column blocks when it is wider than tall) in multiples of the micro-tile, one per thread, each thread
 * packing into its own scratch.
 */
import type { GemmArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runJobs, threadCount, type Job } from './pool.js';
import { align64, runtime } from './runtime.js';

/**
 * Below this many multiply-adds a product runs on one thread: a threaded call costs 100-200 µs more here
 * (waking a parked worker on this VM, and each thread packing its own panels), as long as ~8M MACs take
 * on one thread. Measured: fc5bn's 200×100×100 products take 0.17 ms on one thread, 0.36 ms on two.
 */
const THREAD_MIN_MACS = 1 << 23;
const MR = 4;
const NR32 = 8;
const NR64 = 4;

/** Elements spanned by a rows×cols matrix with row stride ld. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

export function gemm(g: GemmArgs): void {
  const { A, B, C, M, N, K } = g;
  if (A.constructor !== C.constructor || B.constructor !== C.constructor) return jsBackend.gemm(g);
  if (M === 0 || N === 0) return;
  const f32 = C instanceof Float32Array;
  const threads = M * N * K >= THREAD_MIN_MACS ? threadCount() : 1;
  const workBytes = align64(runtime().kernels.gemmWorkBytes());

  const a: Operand = {
    data: A,
    offset: g.aOffset,
    len: g.transA ? span(K, M, g.lda) : span(M, K, g.lda),
    read: true,
  };
  const b: Operand = {
    data: B,
    offset: g.bOffset,
    len: g.transB ? span(N, K, g.ldb) : span(K, N, g.ldb),
    read: true,
  };
  // With beta = 0 the kernel never reads C; a copy then only needs writing back row by row (below).
  const cRead = g.beta !== 0 || g.ldc !== N;
  const c: Operand = { data: C, offset: g.cOffset, len: span(M, N, g.ldc), read: cRead };
  const { scratch, placed } = place(threads * workBytes, [a, b, c]);
  const [aPtr, bPtr, cPtr] = placed.map((p) => p.ptr);

  const job = (m0: number, m1: number, n0: number, n1: number, t: number): Job => ({
    fn: 'gemm',
    args: [
      f32 ? 4 : 8,
      g.transA ? 1 : 0,
      g.transB ? 1 : 0,
      m0,
      m1,
      n0,
      n1,
      K,
      g.alpha,
      aPtr,
      g.lda,
      bPtr,
      g.ldb,
      g.beta,
      cPtr,
      g.ldc,
      scratch + t * workBytes,
    ],
  });
  const jobs: Job[] = [];
  // Split the longer side of C, in whole micro-tiles, so every thread packs the shorter operand once.
  if (M >= N) {
    const step = Math.ceil(M / threads / MR) * MR;
    for (let m0 = 0; m0 < M; m0 += step) jobs.push(job(m0, Math.min(M, m0 + step), 0, N, jobs.length));
  } else {
    const nr = f32 ? NR32 : NR64;
    const step = Math.ceil(N / threads / nr) * nr;
    for (let n0 = 0; n0 < N; n0 += step) jobs.push(job(0, M, n0, Math.min(N, n0 + step), jobs.length));
  }
  runJobs(jobs);
  copyBack(c, placed[2]);
}
