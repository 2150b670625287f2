/**
 * GEMM for the wasm backend: C = alpha·op(A)·op(B) + beta·C through the SIMD kernels in asm/gemm.ts.
 *
 * Operands that already live in the wasm memory are used in place; others are copied in (the O(n²) copies
 * are small beside the O(n³) product). C is split into row blocks (or column blocks when it is wider than
 * tall) in multiples of the micro-tile, one per thread, each thread packing into its own scratch.
 */
import type { GemmArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { runJobs, threadCount, type Job } from './pool.js';
import { align64, ensureMemory, runtime, SCRATCH } from './runtime.js';
import { residentAddress } from './heap.js';

/** Below this many multiply-adds a product runs on one thread (waking workers costs ~20 µs). */
const THREAD_MIN_MACS = 1 << 18;
const MR = 4;
const NR32 = 8;
const NR64 = 4;

/** Elements of `data` spanned by a rows×cols matrix with row stride ld, starting at offset 0. */
function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

export function gemm(g: GemmArgs): void {
  const { A, B, C, M, N, K } = g;
  const f32 = C instanceof Float32Array;
  if (A.constructor !== C.constructor || B.constructor !== C.constructor) return jsBackend.gemm(g);
  if (M === 0 || N === 0) return;
  const S = f32 ? 4 : 8;
  const rt = runtime();
  const threads = M * N * K >= THREAD_MIN_MACS ? threadCount() : 1;
  const workBytes = align64(rt.kernels.gemmWorkBytes());

  const aLen = g.transA ? span(K, M, g.lda) : span(M, K, g.lda);
  const bLen = g.transB ? span(N, K, g.ldb) : span(K, N, g.ldb);
  const cLen = span(M, N, g.ldc);
  let aPtr = residentAddress(A, g.aOffset);
  let bPtr = residentAddress(B, g.bOffset);
  let cPtr = residentAddress(C, g.cOffset);
  let top = SCRATCH + threads * workBytes;
  const place = (resident: number, len: number): number => {
    if (resident >= 0) return resident;
    const p = top;
    top = align64(top + len * S);
    return p;
  };
  aPtr = place(aPtr, aLen);
  bPtr = place(bPtr, bLen);
  const cCopied = cPtr < 0;
  cPtr = place(cPtr, cLen);
  ensureMemory(top);

  const buf = rt.memory.buffer;
  const view = (ptr: number, len: number) =>
    f32 ? new Float32Array(buf, ptr, len) : new Float64Array(buf, ptr, len);
  if (residentAddress(A, g.aOffset) < 0 && aLen > 0)
    view(aPtr, aLen).set(A.subarray(g.aOffset, g.aOffset + aLen));
  if (residentAddress(B, g.bOffset) < 0 && bLen > 0)
    view(bPtr, bLen).set(B.subarray(g.bOffset, g.bOffset + bLen));
  if (cCopied) view(cPtr, cLen).set(C.subarray(g.cOffset, g.cOffset + cLen));

  const fn = f32 ? 'sgemm' : 'dgemm';
  const job = (m0: number, m1: number, n0: number, n1: number, t: number): Job => ({
    fn,
    args: [
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
      SCRATCH + t * workBytes,
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
  if (cCopied) C.set(view(cPtr, cLen), g.cOffset);
}
