/**
 * The thread pool: worker_threads that instantiate the kernels on the shared memory and run one job each
 * per round, the calling thread running job 0 itself.
 *
 * Protocol (all in the control words at CTRL, see runtime.ts): the caller writes each worker's job into its
 * Float64 slot ([kernel index, argument count, arguments...]), then publishes one word ROUND = seq·128 + jobs
 * with Atomics.store + notify. A worker wakes on ROUND, runs its slot if its index < jobs, adds 1 to DONE and
 * notifies; the caller runs job 0 and Atomics.waits until DONE = jobs − 1. Publishing seq and the job count in
 * one word means a worker can never pair a new job count with an old round. Workers are started lazily on the
 * first threaded call and unref'd so they never keep the process alive.
 *
 * Threads need Node's worker_threads and a shared memory; elsewhere (browsers) kernels run on one thread.
 */
import { CTRL, JOBS, JOB_SLOT_BYTES, MAX_THREADS, runtime } from './runtime.js';

const ROUND = 0;
const DONE = 1;
const READY = 2;
const ERROR = 3;
const GEN = 4; // bumped when the pool restarts: workers of an older generation exit

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (e: unknown) => void): void;
}
type WorkerCtor = new (code: string, opts: { eval: true; workerData: unknown }) => WorkerLike;

// process.getBuiltinModule, not an import: the pool is usable synchronously by the first kernel call, and a
// browser bundler sees no Node built-in (see nodeFiles.ts).
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const nodeWorker: WorkerCtor | null = isNode
  ? (process.getBuiltinModule('node:worker_threads').Worker as unknown as WorkerCtor)
  : null;
const nodeOs = isNode ? process.getBuiltinModule('node:os') : null;
const nodeCores: number | null = nodeOs ? (nodeOs.availableParallelism?.() ?? nodeOs.cpus().length) : null;

/**
 * Runs in each worker (eval'd): instantiate, then serve rounds forever. Workers inherit the process's
 * flags, so the code may be evaluated as CommonJS or as an ES module (`--input-type=module`): it uses only
 * process.getBuiltinModule, valid in both.
 */
const workerSource = `
(({ workerData }) => {
  const { module, memory, index, names, gen, round } = workerData;
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => kernels[n]);
  const c = new Int32Array(memory.buffer, ${CTRL}, 64);
  const job = new Float64Array(memory.buffer, ${JOBS} + index * ${JOB_SLOT_BYTES}, ${JOB_SLOT_BYTES / 8});
  Atomics.add(c, ${READY}, 1);
  Atomics.notify(c, ${READY});
  let seen = round; // the round current at spawn: the caller publishes the next only once all are ready
  for (;;) {
    Atomics.wait(c, ${ROUND}, seen);
    const r = Atomics.load(c, ${ROUND});
    if (Atomics.load(c, ${GEN}) !== gen) break;
    if (r === seen) continue;
    seen = r;
    if (index < (seen & 127)) {
      try {
        fns[job[0]](...job.subarray(2, 2 + job[1]));
      } catch (e) {
        Atomics.store(c, ${ERROR}, 1);
      }
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
  }
})(process.getBuiltinModule('node:worker_threads'));
`;

/** A kernel call: export name and its numeric arguments. */
export interface Job {
  fn: string;
  args: number[];
}

function defaultThreads(): number {
  const env = typeof process !== 'undefined' ? process.env?.NABLA_THREADS : undefined;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`NABLA_THREADS: expected a positive integer, got '${env}'`);
    return Math.min(n, MAX_THREADS);
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = nodeCores ?? nav?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

let wanted = defaultThreads();
let started = 0; // workers running (threads - 1 once started)
let failed = false;
let seq = 0;
let names: string[] = [];
let workerModule: WebAssembly.Module | null = null; // the module the running workers instantiated
const workers: WorkerLike[] = [];

/** Threads kernels may use (1 when threads are unavailable here). */
export function threadCount(): number {
  if (!nodeWorker || failed || !runtime().shared) return 1;
  return wanted;
}

/** Sets the thread count (the next threaded call starts or stops workers as needed). */
export function setThreadCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setThreads: expected a positive integer, got ${n}`);
  wanted = Math.min(n, MAX_THREADS);
}

function control(): Int32Array {
  return new Int32Array(runtime().memory.buffer, CTRL, 64);
}

/**
 * Starts (or stops) workers so that `threads − 1` are ready on the runtime's current module (a switch of
 * build restarts them); false when they could not start.
 */
function ensureWorkers(threads: number): boolean {
  const rt = runtime();
  const exportNames = Object.keys(rt.kernels).filter((k) => typeof rt.kernels[k] === 'function');
  if (names.length === 0) names = exportNames;
  if (started === threads - 1 && (started === 0 || workerModule === rt.module)) return true;
  // Stop all and restart: simplest correct way to change the count or the build (rare).
  for (const w of workers.splice(0)) void w.terminate();
  const c = control();
  const gen = Atomics.add(c, GEN, 1) + 1;
  Atomics.notify(c, ROUND); // old workers wake, see the new generation and exit
  Atomics.store(c, READY, 0);
  for (let i = 1; i < threads; i++) {
    const w = new nodeWorker!(workerSource, {
      eval: true,
      workerData: {
        module: rt.module,
        memory: rt.memory,
        index: i,
        names,
        gen,
        round: Atomics.load(c, ROUND),
      },
    });
    // A worker that fails to start must not crash the process: kernels then run on this thread (the
    // bounded wait below notices, as this listener only runs once the caller yields to the event loop).
    w.on('error', () => {
      failed = true;
    });
    w.unref();
    workers.push(w);
  }
  // Workers start on their own threads; wait (bounded) until each has instantiated the module.
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = Atomics.load(c, READY);
    if (r >= threads - 1) break;
    if (Date.now() > deadline) {
      failed = true;
      for (const w of workers.splice(0)) void w.terminate();
      started = 0;
      return false;
    }
    Atomics.wait(c, READY, r, 50);
  }
  started = threads - 1;
  workerModule = rt.module;
  return true;
}

/** Runs `jobs` (at most threadCount()) in parallel: job 0 here, job i on worker i; returns when all are done. */
export function runJobs(jobs: Job[]): void {
  const k = runtime().kernels;
  if (jobs.length === 1 || !ensureWorkers(threadCount())) {
    for (const j of jobs) k[j.fn](...j.args);
    return;
  }
  const rt = runtime();
  const c = control();
  const slots = new Float64Array(rt.memory.buffer, JOBS, (MAX_THREADS * JOB_SLOT_BYTES) / 8);
  for (let i = 1; i < jobs.length; i++) {
    const base = (i * JOB_SLOT_BYTES) / 8;
    const fi = names.indexOf(jobs[i].fn);
    if (fi < 0) throw new Error(`wasm backend: no kernel named '${jobs[i].fn}'`);
    slots[base] = fi;
    slots[base + 1] = jobs[i].args.length;
    slots.set(jobs[i].args, base + 2);
  }
  Atomics.store(c, DONE, 0);
  Atomics.store(c, ERROR, 0);
  seq = (seq + 1) & 0xffffff;
  Atomics.store(c, ROUND, (seq << 7) | jobs.length);
  Atomics.notify(c, ROUND);
  let mainError: unknown = null;
  try {
    k[jobs[0].fn](...jobs[0].args);
  } catch (e) {
    mainError = e;
  }
  for (;;) {
    const d = Atomics.load(c, DONE);
    if (d >= jobs.length - 1) break;
    Atomics.wait(c, DONE, d);
  }
  if (mainError) throw mainError;
  if (Atomics.load(c, ERROR)) throw new Error(`wasm backend: kernel '${jobs[1].fn}' failed in a worker`);
}
