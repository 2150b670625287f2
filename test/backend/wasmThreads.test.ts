/**
 * Threads seen from outside: a process that ran threaded kernels exits on its own (the workers are
 * unref'd), NABLA_THREADS chooses the count, and a bad value is refused naming the variable.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
