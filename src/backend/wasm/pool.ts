/**
 * The thread pool: workers that instantiate the kernels on the shared memory and run one job each per round,
 * the calling thread running job 0 itself. Node's worker_threads, or a browser's Web Workers where the page
 * is cross-origin isolated (SharedArrayBuffer); elsewhere kernels run on one thread.
 *
 * Protocol (all in the control words at CTRL, see runtime.ts): the caller writes each worker's job into its
 * Float64 slot ([kernel index, argument count, arguments...]) and the build to run into BUILD, then publishes
 * one word ROUND = seq·128 + jobs with Atomics.store + notify. A worker wakes on ROUND, runs its slot if its
 * index < jobs, adds 1 to DONE and notifies; the caller runs job 0 and waits until DONE = jobs − 1.
 * Publishing seq and the job count in one word means a worker can never pair a new job count with an old
 * round. Workers of an older generation (GEN) exit.
 *
 * Starting differs. Under Node, workers start lazily on the first threaded call, synchronously: the caller
 * blocks (bounded) until READY counts them; they are unref'd so they never keep the process alive, and a
 * switch of build restarts them. In a browser a Worker only starts once its creator returns to the event
 * loop, so a synchronous start would deadlock: `initThreads()` starts them and resolves when each has said
 * it is ready (a message: every browser has it, unlike Atomics.waitAsync); until then kernels run on one
 * thread. Browser workers instantiate every build the engine runs, so a switch of build needs no restart.
 * A page's main thread may not block (Atomics.wait throws there): it spins on Atomics.load for DONE, as
 * Emscripten's pthreads do; a Worker blocks.
 */
import {
  CTRL,
  JOBS,
  JOB_SLOT_BYTES,
  MAX_THREADS,
  runnableModules,
  runtime,
  type Runtime,
} from './runtime.js';

const ROUND = 0;
const DONE = 1;
const READY = 2;
const ERROR = 3;
const GEN = 4;
const BUILD = 5; // index into the workers' instances of the build this round runs

interface WorkerLike {
  terminate(): unknown;
}
interface NodeWorker extends WorkerLike {
  unref(): void;
  on(event: 'error', listener: (e: unknown) => void): void;
}
type NodeWorkerCtor = new (code: string, opts: { eval: true; workerData: unknown }) => NodeWorker;
type BrowserWorkerCtor = new (url: string) => WorkerLike & {
  postMessage(data: unknown): void;
  onmessage: ((e: unknown) => void) | null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
};

// process.getBuiltinModule, not an import: the pool is usable synchronously by the first kernel call, and a
// browser bundler sees no Node built-in (see nodeFiles.ts).
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const nodeWorker: NodeWorkerCtor | null = isNode
  ? (process.getBuiltinModule('node:worker_threads').Worker as unknown as NodeWorkerCtor)
  : null;
const nodeOs = isNode ? process.getBuiltinModule('node:os') : null;
const nodeCores: number | null = nodeOs ? (nodeOs.availableParallelism?.() ?? nodeOs.cpus().length) : null;
const browserWorker = (globalThis as { Worker?: BrowserWorkerCtor }).Worker ?? null;

/**
 * The job loop every worker runs, in both environments: instantiate each module given, say it is ready,
 * then serve rounds until its generation ends. `ready` is the browser's message to its creator (Node's
 * caller waits on READY instead).
 */
const jobLoop = `({ modules, memory, index, names, gen, round }, ready) => {
  const fns = modules.map((m) => {
    const k = new WebAssembly.Instance(m, { env: { memory } }).exports;
    return names.map((n) => k[n]);
  });
  const c = new Int32Array(memory.buffer, ${CTRL}, 64);
  const job = new Float64Array(memory.buffer, ${JOBS} + index * ${JOB_SLOT_BYTES}, ${JOB_SLOT_BYTES / 8});
  Atomics.add(c, ${READY}, 1);
  Atomics.notify(c, ${READY});
  ready();
  let seen = round; // the round current at spawn: the caller publishes the next only once all are ready
  for (;;) {
    Atomics.wait(c, ${ROUND}, seen);
    const r = Atomics.load(c, ${ROUND});
    if (Atomics.load(c, ${GEN}) !== gen) break;
    if (r === seen) continue;
    seen = r;
    if (index < (seen & 127)) {
      try {
        fns[Atomics.load(c, ${BUILD})][job[0]](...job.subarray(2, 2 + job[1]));
      } catch (e) {
        Atomics.store(c, ${ERROR}, 1);
      }
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
  }
}`;

/**
 * Node evaluates the source as CommonJS or as an ES module (workers inherit `--input-type=module`): it uses
 * only process.getBuiltinModule, valid in both.
 */
const nodeSource = `(${jobLoop})(process.getBuiltinModule('node:worker_threads').workerData, () => {});`;
/** A classic worker from a Blob URL: the data comes by the first message (a Worker has no workerData). */
const browserSource = `onmessage = (e) => { onmessage = null; (${jobLoop})(e.data, () => postMessage('ready')); };`;

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
let started = 0; // workers ready
let failed = false; // Node: a worker could not start, so kernels stay on this thread
let seq = 0;
let rounds = 0;
let names: string[] = [];
let workerModules: WebAssembly.Module[] = []; // the modules the running workers instantiated, BUILD's indices
const workers: WorkerLike[] = [];

/**
 * Threads the kernels use: 1 where threads are unavailable (no shared memory: a browser page that is not
 * cross-origin isolated; no workers) and, in a browser, until `initThreads()` has resolved.
 */
export function threadCount(): number {
  if (!runtime().shared) return 1;
  if (nodeWorker) return failed ? 1 : wanted;
  return Math.min(wanted, started + 1);
}

/**
 * Sets the thread count. Under Node the next threaded call starts or stops workers as needed; in a browser
 * a lower count takes effect at once and a higher one at the next `await initThreads()`.
 */
export function setThreadCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setThreadCount: expected a positive integer, got ${n}`);
  wanted = Math.min(n, MAX_THREADS);
}

function control(): Int32Array {
  return new Int32Array(runtime().memory.buffer, CTRL, 64);
}

/** Stops every worker and starts a new generation (old workers wake, see it and exit); returns it. */
function stopWorkers(): number {
  for (const w of workers.splice(0)) void w.terminate();
  started = 0;
  workerModules = [];
  const c = control();
  const gen = Atomics.add(c, GEN, 1) + 1;
  Atomics.notify(c, ROUND);
  Atomics.store(c, READY, 0);
  return gen;
}

/** What a worker is given: the modules, the memory, its index and the generation and round it starts in. */
function workerData(rt: Runtime, modules: WebAssembly.Module[], index: number, gen: number) {
  return { modules, memory: rt.memory, index, names, gen, round: Atomics.load(control(), ROUND) };
}

function exportNames(rt: Runtime): string[] {
  return Object.keys(rt.kernels).filter((k) => typeof rt.kernels[k] === 'function');
}

/**
 * Node: starts (or stops) workers so that `threads − 1` are ready on the runtime's current module (a switch
 * of build restarts them); false when they could not start.
 */
function ensureNodeWorkers(threads: number): boolean {
  const rt = runtime();
  if (names.length === 0) names = exportNames(rt);
  if (started === threads - 1 && (started === 0 || workerModules[0] === rt.module)) return true;
  // Stop all and restart: simplest correct way to change the count or the build (rare).
  const gen = stopWorkers();
  for (let i = 1; i < threads; i++) {
    const w = new nodeWorker!(nodeSource, { eval: true, workerData: workerData(rt, [rt.module], i, gen) });
    // A worker that fails to start must not crash the process: kernels then run on this thread (the
    // bounded wait below notices, as this listener only runs once the caller yields to the event loop).
    w.on('error', () => {
      failed = true;
    });
    w.unref();
    workers.push(w);
  }
  // Workers start on their own threads; wait (bounded) until each has instantiated the module.
  const c = control();
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = Atomics.load(c, READY);
    if (r >= threads - 1) break;
    if (Date.now() > deadline) {
      failed = true;
      stopWorkers();
      return false;
    }
    Atomics.wait(c, READY, r, 50);
  }
  started = threads - 1;
  workerModules = [rt.module];
  return true;
}

/**
 * Browser: starts `threads − 1` Web Workers on every build's module and resolves once each is ready. A
 * worker that fails (a Content-Security-Policy without blob: workers, say) leaves kernels on one thread,
 * with a console warning saying why.
 */
async function startBrowserWorkers(threads: number): Promise<void> {
  const rt = runtime();
  if (names.length === 0) names = exportNames(rt);
  const gen = stopWorkers();
  if (threads < 2) return;
  const modules = runnableModules().map((m) => m.module);
  const url = URL.createObjectURL(new Blob([browserSource], { type: 'text/javascript' }));
  try {
    const ready: Promise<void>[] = [];
    for (let i = 1; i < threads; i++) {
      const w = new browserWorker!(url);
      workers.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          w.onmessage = () => resolve();
          w.onerror = (e) => {
            e.preventDefault?.(); // reported by the warning below, not as an uncaught error
            reject(new Error(e.message || 'the worker failed to start'));
          };
        }),
      );
      w.postMessage(workerData(rt, modules, i, gen));
    }
    await Promise.all(ready);
    started = threads - 1;
    workerModules = modules;
  } catch (e) {
    stopWorkers();
    console.warn(`initThreads: kernels stay on one thread: ${(e as Error).message}`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

let starting: Promise<number> = Promise.resolve(1);

/**
 * Starts the kernels' worker threads (`n`, default NABLA_THREADS under Node, else the number of cores) and
 * resolves with the number of threads the kernels now use. In a browser threads need a cross-origin
 * isolated page (`crossOriginIsolated`: served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`); elsewhere it resolves with 1 and kernels run on one thread,
 * as they do until it resolves. Under Node threads start by themselves; awaiting it only starts them now.
 */
export async function initThreads(n?: number): Promise<number> {
  if (n !== undefined) setThreadCount(n);
  starting = starting.then(async () => {
    if (!runtime().shared) return 1;
    if (nodeWorker) {
      ensureNodeWorkers(threadCount());
      return threadCount();
    }
    if (!browserWorker) return 1;
    if (started + 1 !== wanted || workerModules.length === 0) await startBrowserWorkers(wanted);
    return threadCount();
  });
  return starting;
}

/** Rounds this thread has handed to workers so far: tests check that threads really ran. */
export function parallelRounds(): number {
  return rounds;
}

/** Whether this thread may block in Atomics.wait (not a page's main thread), found out once. */
let blocking: boolean | null = null;
function mayBlock(c: Int32Array): boolean {
  if (blocking === null) {
    try {
      Atomics.wait(c, DONE, -1, 0); // returns at once ('not-equal') where waiting is allowed, else throws
      blocking = true;
    } catch {
      blocking = false;
    }
  }
  return blocking;
}

/** Whether `jobs` can go to the workers now: a worker for each, on a module they instantiated. */
function workersFor(jobs: Job[]): boolean {
  if (jobs.length === 1) return false;
  if (nodeWorker) return ensureNodeWorkers(threadCount());
  return started >= jobs.length - 1 && workerModules.includes(runtime().module);
}

/** Runs `jobs` (at most threadCount()) in parallel: job 0 here, job i on worker i; returns when all are done. */
export function runJobs(jobs: Job[]): void {
  const k = runtime().kernels;
  if (!workersFor(jobs)) {
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
  Atomics.store(c, BUILD, workerModules.indexOf(rt.module));
  seq = (seq + 1) & 0xffffff;
  rounds++;
  Atomics.store(c, ROUND, (seq << 7) | jobs.length);
  Atomics.notify(c, ROUND);
  let mainError: unknown = null;
  try {
    k[jobs[0].fn](...jobs[0].args);
  } catch (e) {
    mainError = e;
  }
  const block = mayBlock(c);
  for (;;) {
    const d = Atomics.load(c, DONE);
    if (d >= jobs.length - 1) break;
    if (block) Atomics.wait(c, DONE, d);
  }
  if (mainError) throw mainError;
  if (Atomics.load(c, ERROR)) throw new Error(`wasm backend: kernel '${jobs[1].fn}' failed in a worker`);
}
