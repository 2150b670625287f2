/**
 * Whole-batch convolution for the wasm backend (asm/conv.ts): one kernel call per thread, the threads taking
 * images (im2col + GEMM + bias, ReLU and max pool fused) from a shared counter, so a layer costs one thread
 * barrier and one copy of each operand that is not already in the wasm memory, and a thread the OS delays
 * simply does fewer images. The backward splits the batch into CHUNKS fixed runs of images whose dw and db
 * partials are added up here in order: results do not depend on which thread ran what, nor on the thread count.
 */
import type { ConvBackwardArgs, ConvForwardArgs, ConvGeometry } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runJobs, threadCount, type Job } from './pool.js';
import { align64, reserve, runtime } from './runtime.js';

/** Below this many multiply-adds a call runs on one thread (as in gemm.ts: a threaded call costs 100-200 µs more). */
const THREAD_MIN_MACS = 1 << 23;

let geomPtr = 0;

/** Writes the kernel's geometry block (see asm/conv.ts) and returns its address. */
function writeGeometry(g: ConvGeometry, flags: number, pool: ConvForwardArgs['pool']): number {
  if (geomPtr === 0) geomPtr = reserve(64);
  const v = new Int32Array(runtime().memory.buffer, geomPtr, 16);
  v.set([g.C, g.H, g.W, g.F, g.HH, g.WW, g.stride, g.pad, g.Ho, g.Wo]);
  v.set(pool ? [pool.poolHeight, pool.poolWidth, pool.stride, pool.Ho, pool.Wo] : [0, 0, 0, 0, 0], 10);
  v[15] = flags;
  return geomPtr;
}

function threadsFor(g: ConvGeometry): number {
  const macs = g.N * g.F * g.C * g.HH * g.WW * g.Ho * g.Wo;
  return macs >= THREAD_MIN_MACS ? Math.max(1, Math.min(threadCount(), g.N)) : 1;
}

/** Runs of images the backward sums separately (at most; fewer for smaller batches). */
const CHUNKS = 8;

/** The shared work counter, at the start of a call's scratch: zeroed before the threads start. */
function resetCounter(ptr: number): void {
  new Int32Array(runtime().memory.buffer, ptr, 1)[0] = 0;
}

export function convForward(g: ConvForwardArgs): void {
  const C = g.out.constructor;
  if (g.x.constructor !== C || g.w.constructor !== C || g.b.constructor !== C)
    return jsBackend.convForward(g);
  const f32 = g.out instanceof Float32Array;
  const S = f32 ? 4 : 8;
  const { N, C: Ch, H, W, F, HH, WW } = g;
  const pool = g.relu ? g.pool : null;
  const outLen = N * F * (pool ? pool.Ho * pool.Wo : g.Ho * g.Wo);
  const geom = writeGeometry(g, (g.relu ? 1 : 0) | (pool ? 2 : 0), pool);
  const workBytes = align64(runtime().kernels.convWorkBytes(geom, S) as number);
  const T = threadsFor(g);
  const ops: Operand[] = [
    { data: g.x, offset: g.xOffset, len: N * Ch * H * W, read: true },
    { data: g.w, offset: g.wOffset, len: F * Ch * HH * WW, read: true },
    { data: g.b, offset: g.bOffset, len: F, read: true },
    { data: g.out, offset: 0, len: outLen, read: false },
  ];
  if (pool) ops.push({ data: g.argmax!, offset: 0, len: outLen, read: false });
  const { scratch, placed } = place(64 + T * workBytes, ops);
  const [xp, wp, bp, op] = placed.map((p) => p.ptr);
  const ap = pool ? placed[4].ptr : 0;
  resetCounter(scratch);
  const jobs: Job[] = Array.from({ length: T }, (_, t) => ({
    fn: 'convForward',
    args: [S, geom, xp, wp, bp, op, ap, scratch, N, scratch + 64 + t * workBytes],
  }));
  runJobs(jobs);
  copyBack(ops[3], placed[3]);
  if (pool) copyBack(ops[4], placed[4]);
}

export function convBackward(g: ConvBackwardArgs): void {
  const C = g.dw.constructor;
  if (
    g.x.constructor !== C ||
    g.w.constructor !== C ||
    g.dout.constructor !== C ||
    g.db.constructor !== C ||
    (g.dx && g.dx.constructor !== C) ||
    (g.pool && g.pooled!.constructor !== C)
  )
    return jsBackend.convBackward(g);
  const f32 = g.dw instanceof Float32Array;
  const S = f32 ? 4 : 8;
  const { N, C: Ch, H, W, F, HH, WW, pool } = g;
  const K = Ch * HH * WW;
  const doutLen = N * F * (pool ? pool.Ho * pool.Wo : g.Ho * g.Wo);
  const geom = writeGeometry(g, (pool ? 2 : 0) | (g.dx ? 4 : 0), pool);
  const workBytes = align64(runtime().kernels.convWorkBytes(geom, S) as number);
  // Each chunk's dw partial is (Fr, Kr): F and K rounded up to the micro-tile (4 rows, 32 bytes); at stride 1
  // it is dwᵀ, (Kr, Fr) with K rounded up to 4 rows and F to 32 bytes (asm/conv.ts, dwDirectT).
  const NR = 32 / S;
  const transposed = g.stride === 1;
  const Fr = transposed ? Math.ceil(F / NR) * NR : Math.ceil(F / 4) * 4;
  const Kr = transposed ? Math.ceil(K / 4) * 4 : Math.ceil(K / NR) * NR;
  const dwBytes = align64(Fr * Kr * S);
  const dbBytes = align64(F * 8);
  const T = threadsFor(g);
  const chunks = Math.min(N, CHUNKS);
  const ops: Operand[] = [
    { data: g.x, offset: g.xOffset, len: N * Ch * H * W, read: true },
    { data: g.w, offset: g.wOffset, len: F * K, read: true },
    { data: g.dout, offset: g.doutOffset, len: doutLen, read: true },
  ];
  if (pool) {
    ops.push({ data: g.pooled!, offset: 0, len: doutLen, read: true });
    ops.push({ data: g.argmax!, offset: 0, len: doutLen, read: true });
  }
  const dxIndex = ops.length;
  if (g.dx) ops.push({ data: g.dx, offset: 0, len: N * Ch * H * W, read: false });
  const { scratch, placed } = place(64 + T * workBytes + chunks * (dwBytes + dbBytes), ops);
  const [xp, wp, dp] = placed.map((p) => p.ptr);
  const pp = pool ? placed[3].ptr : 0;
  const ap = pool ? placed[4].ptr : 0;
  const dxp = g.dx ? placed[dxIndex].ptr : 0;
  const dwBase = scratch + 64 + T * workBytes;
  const dbBase = dwBase + chunks * dwBytes;
  resetCounter(scratch);
  const jobs: Job[] = Array.from({ length: T }, (_, t) => ({
    fn: 'convBackward',
    args: [
      S,
      geom,
      xp,
      wp,
      dp,
      pp,
      ap,
      dxp,
      dwBase,
      dwBytes,
      dbBase,
      dbBytes,
      scratch,
      N,
      chunks,
      scratch + 64 + t * workBytes,
    ],
  }));
  runJobs(jobs);
  if (g.dx) copyBack(ops[dxIndex], placed[dxIndex]);
  const buf = runtime().memory.buffer;
  const Ctor = f32 ? Float32Array : Float64Array;
  const db = new Float64Array(F);
  for (let t = 0; t < chunks; t++) {
    const dwt = new Ctor(buf, dwBase + t * dwBytes, Fr * Kr);
    for (let f = 0; f < F; f++) {
      for (let k = 0; k < K; k++) {
        const v = transposed ? dwt[k * Fr + f] : dwt[f * Kr + k];
        g.dw[f * K + k] = t === 0 ? v : g.dw[f * K + k] + v;
      }
    }
    const dbt = new Float64Array(buf, dbBase + t * dbBytes, F);
    for (let f = 0; f < F; f++) db[f] += dbt[f];
  }
  g.db.set(db);
}
