/** Fused optimizer updates for the wasm backend (asm/optim.ts); operands outside the wasm memory are copied. */
import type { OptimizerStepArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runJobs, threadCount, type Job } from './pool.js';

const rules = { sgd: 0, sgdMomentum: 1, adam: 2 } as const;

/** Below this many parameters the TypeScript loop is as fast as staging a kernel call. */
const MIN_ELEMENTS = 2048;
/** From this many parameters the update is split over the threads (see THREAD_MIN_MACS in gemm.ts). */
const THREAD_MIN_ELEMENTS = 1 << 18;

export function optimizerStep(g: OptimizerStepArgs): void {
  const C = g.w.constructor;
  const needM = g.rule !== 'sgd';
  const needV = g.rule === 'adam';
  if (
    g.n < MIN_ELEMENTS ||
    (C !== Float32Array && C !== Float64Array) ||
    g.dw.constructor !== C ||
    (needM && g.m?.constructor !== C) ||
    (needV && g.v?.constructor !== C)
  )
    return jsBackend.optimizerStep(g);
  const ops: Operand[] = [
    { data: g.w, offset: g.wOffset, len: g.n, read: true },
    { data: g.dw, offset: g.dwOffset, len: g.n, read: true },
  ];
  if (needM) ops.push({ data: g.m!, offset: g.mOffset, len: g.n, read: true });
  if (needV) ops.push({ data: g.v!, offset: g.vOffset, len: g.n, read: true });
  const { placed } = place(0, ops);
  const [wp, gp] = placed.map((p) => p.ptr);
  const mp = needM ? placed[2].ptr : 0;
  const vp = needV ? placed[3].ptr : 0;
  const { beta1, beta2, t } = g;
  // The same scalars optim.ts's chain computes, in float64.
  const [a, b, c, d, e, f] =
    g.rule === 'adam'
      ? [beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta2 ** t, 1 - beta1 ** t]
      : [g.momentum, 0, 0, 0, 0, 0];
  const S = g.w.BYTES_PER_ELEMENT;
  // Elementwise, so any split gives the same bits; Adam's f64 divisions and square root make it compute-bound.
  const T = g.n >= THREAD_MIN_ELEMENTS ? threadCount() : 1;
  const jobs: Job[] = [];
  for (let t = 0; t < T; t++) {
    const i0 = Math.floor((t * g.n) / T);
    const o = i0 * S;
    const n = Math.floor(((t + 1) * g.n) / T) - i0;
    const args = [S, rules[g.rule], n, wp + o, gp + o, needM ? mp + o : 0, needV ? vp + o : 0];
    jobs.push({ fn: 'optimizerStep', args: [...args, a, b, c, d, e, f, g.learningRate, g.epsilon] });
  }
  runJobs(jobs);
  copyBack(ops[0], placed[0]);
  if (needM) copyBack(ops[2], placed[2]);
  if (needV) copyBack(ops[3], placed[3]);
}
