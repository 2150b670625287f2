/**
 * Threads seen from outside: a process that ran threaded kernels exits on its own (the workers are
 * unref'd), NABLA_THREADS chooses the count, and a bad value is refused naming the variable; and the
 * public initThreads() under Node (the browser's side is test/web/threads.test.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { initThreads, setThreadCount, threadCount } from '../../src/index.js';
import { parallelRounds } from '../../src/backend/wasm/pool.js';
import { wasmBackend } from '../../src/backend/wasm/index.js';
import { skipFor, wasmMissing } from '../requirements.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs a snippet of ESM TypeScript that imports the backend, under tsx, with `env` added. */
function run(env: Record<string, string>) {
  const code = `
    import { backend, backendInfo } from './src/backend/index.ts';
    const n = 160;
    const A = new Float32Array(n * n).fill(0.5);
    const C = new Float32Array(n * n);
    backend().gemm({ transA: false, transB: true, M: n, N: n, K: n, alpha: 1, A, aOffset: 0, lda: n,
      B: A, bOffset: 0, ldb: n, beta: 0, C, cOffset: 0, ldc: n });
    console.log(JSON.stringify({ ...backendInfo(), c: C[n * n - 1] }));
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

describe('wasm threads in a process', () => {
  it('NABLA_THREADS=2 runs a threaded product and the process exits by itself', () => {
    const r = run({ NABLA_BACKEND: 'wasm', NABLA_THREADS: '2' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'wasm', threads: 2, simd: true, c: 40 });
  });

  it('NABLA_THREADS must be a positive integer', () => {
    const r = run({ NABLA_BACKEND: 'wasm', NABLA_THREADS: 'many' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("NABLA_THREADS: expected a positive integer, got 'many'");
  });
});

describe.skipIf(skipFor(import.meta.url, wasmMissing(true)))('initThreads under Node', () => {
  const initial = threadCount();
  afterAll(() => setThreadCount(initial));

  it('starts the workers at once, resolves the count, and a large product then runs on them', async () => {
    expect(await initThreads(2)).toBe(2);
    expect(threadCount()).toBe(2);
    const n = 256; // 2^24 multiply-adds: past gemm.ts's threading threshold
    const A = Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3);
    const C = new Float32Array(n * n);
    const before = parallelRounds();
    wasmBackend.gemm({
      transA: false,
      transB: false,
      M: n,
      N: n,
      K: n,
      alpha: 1,
      A,
      aOffset: 0,
      lda: n,
      B: A,
      bOffset: 0,
      ldb: n,
      beta: 0,
      C,
      cOffset: 0,
      ldc: n,
    });
    expect(parallelRounds()).toBe(before + 1);
    let c0 = 0; // C[0][0] by definition: row 0 of A times column 0 of A
    for (let k = 0; k < n; k++) c0 += A[k] * A[k * n];
    expect(C[0]).toBe(c0);
  });

  it('refuses a count that is not a positive integer, naming the function', async () => {
    expect(() => setThreadCount(0)).toThrow('setThreadCount: expected a positive integer, got 0');
    await expect(initThreads(1.5)).rejects.toThrow('setThreadCount: expected a positive integer, got 1.5');
  });
});
