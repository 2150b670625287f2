/**
 * `npm run bench -- backend`: GEMM GFLOP/s of the js backend, the wasm backend on one thread and on all
 * threads, float32 and float64, on the shapes of workloads.json (C[M,N] = A[M,K] @ B[K,N]).
 */
import type { GemmArgs } from '../src/backend/backend.js';
import { jsBackend } from '../src/backend/js/index.js';
import { setThreadCount, threadCount, wasmAvailable, wasmBackend } from '../src/backend/wasm/index.js';
import { table, timeit } from './timing.js';

const shapes: [string, number, number, number][] = [
  ['256³', 256, 256, 256],
  ['1024³', 1024, 1024, 1024],
  ['200×3072×100', 200, 3072, 100],
  ['4096×3072×100', 4096, 3072, 100],
];

function args(
  ctor: Float32ArrayConstructor | Float64ArrayConstructor,
  M: number,
  K: number,
  N: number,
): GemmArgs {
  const A = new ctor(M * K).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const B = new ctor(K * N).map((_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const C = new ctor(M * N);
  return {
    transA: false,
    transB: false,
    M,
    N,
    K,
    alpha: 1,
    A,
    aOffset: 0,
    lda: K,
    B,
    bOffset: 0,
    ldb: N,
    beta: 0,
    C,
    cOffset: 0,
    ldc: N,
  };
}

/** GFLOP per CPU-second (process CPU time, every thread), running `run` for about `ms`. */
function perCpuSecond(run: () => void, flop: number, ms: number): string {
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  do {
    run();
    calls++;
  } while (performance.now() - t0 < ms);
  const u = process.cpuUsage(u0);
  return ((flop * calls) / ((u.user + u.system) / 1e6) / 1e9).toFixed(1);
}

export default async function backendBench(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const opts = quick ? { warmupMs: 100, minMs: 300, repeats: 1 } : { warmupMs: 300, minMs: 1000, repeats: 3 };
  console.log('## GEMM by backend (GFLOP/s, C[M,N] = A[M,K] @ B[K,N], M×K×N)\n');
  if (!wasmAvailable()) {
    console.log('wasm backend unavailable here (no WebAssembly SIMD)\n');
    return;
  }
  const all = threadCount();
  const rows: (string | number)[][] = [];
  for (const ctor of [Float32Array, Float64Array]) {
    for (const [name, M, K, N] of shapes) {
      const g = args(ctor, M, K, N);
      const flop = 2 * M * N * K;
      const gflops = (run: () => void) => (flop / timeit(run, opts).seconds / 1e9).toFixed(1);
      const js = gflops(() => jsBackend.gemm(g));
      setThreadCount(1);
      const one = gflops(() => wasmBackend.gemm(g));
      const oneCpu = perCpuSecond(() => wasmBackend.gemm(g), flop, opts.minMs);
      setThreadCount(all);
      const many = gflops(() => wasmBackend.gemm(g));
      const manyCpu = perCpuSecond(() => wasmBackend.gemm(g), flop, opts.minMs);
      rows.push([ctor === Float32Array ? 'float32' : 'float64', name, js, one, many, oneCpu, manyCpu]);
    }
  }
  console.log(
    table(
      [
        'dtype',
        'shape',
        'js',
        'wasm 1 thread',
        `wasm ${all} threads`,
        '1 thread per CPU-s',
        `${all} threads per CPU-s`,
      ],
      rows,
    ),
  );
  console.log(
    '\nGFLOP/s are wall-clock medians. "per CPU-s" is GFLOP per second of CPU time the process used (all its' +
      '\nthreads): on a shared machine it estimates what one core does when it is not preempted.',
  );
  console.log();
}
