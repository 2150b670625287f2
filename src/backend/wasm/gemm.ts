/**
 * GEMM for the wasm backend: C = alpha·op(A)·op(B) + beta·C through the SIMD kernels in asm/gemm.ts.
 *
 * Operands that already live in the wasm memory are used in place; others are copied in (the O(n²) copies
 * are small beside the O(n³) product; C is not copied in when beta = 0). C is split into row blocks (or
 * column blocks when it is wider than tall) in multiples of the micro-tile, one per thread, each thread
 * packing into its own scratch.
 */
import type { GemmArgs, GemmBatchedArgs } from '../backend.js';
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

/** The smallest offset in `offsets` and the elements from there to the end of the last matrix of `len`. */
function covering(offsets: Int32Array, len: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const o of offsets) {
    lo = Math.min(lo, o);
    hi = Math.max(hi, o + len);
  }
  return [lo, hi - lo];
}

/**
 * Many products of one shape with the SIMD kernels: the operands are placed in the wasm memory once for the
 * whole batch (not once per product), then products run one per thread in rounds when the batch is worth
 * threading, else one after another on this thread.
 */
export function gemmBatched(g: GemmBatchedArgs): void {
  const { A, B, C, M, N, K, batch } = g;
  if (A.constructor !== C.constructor || B.constructor !== C.constructor) return jsBackend.gemmBatched(g);
  if (M === 0 || N === 0 || batch === 0) return;
  const f32 = C instanceof Float32Array;
  const bytes = f32 ? 4 : 8;
  const threads = batch * M * N * K >= THREAD_MIN_MACS ? Math.min(threadCount(), batch) : 1;
  const workBytes = align64(runtime().kernels.gemmWorkBytes());
  const [a0, aLen] = covering(g.aOffsets, g.transA ? span(K, M, g.lda) : span(M, K, g.lda));
  const [b0, bLen] = covering(g.bOffsets, g.transB ? span(N, K, g.ldb) : span(K, N, g.ldb));
  const [c0, cLen] = covering(g.cOffsets, span(M, N, g.ldc));
  // C is copied in unless the products fill its span exactly (then the kernel never reads the copy's gaps).
  const cRead = g.beta !== 0 || g.ldc !== N || cLen !== batch * M * N;
  const ops: Operand[] = [
    { data: A, offset: a0, len: aLen, read: true },
    { data: B, offset: b0, len: bLen, read: true },
    { data: C, offset: c0, len: cLen, read: cRead },
  ];
  const { scratch, placed } = place(threads * workBytes, ops);
  const [aPtr, bPtr, cPtr] = placed.map((p) => p.ptr);
  const job = (i: number, t: number): Job => ({
    fn: 'gemm',
    args: [
      f32 ? 4 : 8,
      g.transA ? 1 : 0,
      g.transB ? 1 : 0,
      0,
      M,
      0,
      N,
      K,
      g.alpha,
      aPtr + (g.aOffsets[i] - a0) * bytes,
      g.lda,
      bPtr + (g.bOffsets[i] - b0) * bytes,
      g.ldb,
      g.beta,
      cPtr + (g.cOffsets[i] - c0) * bytes,
      g.ldc,
      scratch + t * workBytes,
    ],
  });
  for (let i0 = 0; i0 < batch; i0 += threads) {
    const jobs: Job[] = [];
    for (let i = i0; i < Math.min(batch, i0 + threads); i++) jobs.push(job(i, jobs.length));
    runJobs(jobs);
  }
  copyBack(ops[2], placed[2]);
}
