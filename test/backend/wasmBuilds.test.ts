/**
 * The two builds of the wasm kernels (scripts/build-wasm.ts) and deterministic mode: the relaxed build is
 * chosen where relaxed SIMD runs and the simd build elsewhere (an engine without it is simulated by a
 * WebAssembly.validate that rejects relaxed modules); NABLA_WASM_BUILD forces one and NABLA_DETERMINISTIC=1
 * takes the simd build, bad values named; deterministic mode gives the same bits on any thread count and in
 * every run (separate processes); float64 gradient checks stay below 1e-8 on every build.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, backendInfo, setBackend, setDeterministic } from '../../src/backend/index.js';
import {
  relaxedSimdSupported,
  setThreadCount,
  switchBuild,
  threadCount,
  wasmAvailable,
  wasmBuild,
  wasmBuilds,
} from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';
import type { NDArray } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { digest, workloadBytes } from './fixtures/buildWorkload.js';
import { relError } from '../models/numeric.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ci = process.env.CI === 'true';

interface Reported {
  name: string;
  build: string;
  deterministic: boolean;
  hash: string;
}

/** Runs the workload in a fresh process with `env` added, `preload` evaluated first; backendInfo() and its hash. */
function runWorkload(env: Record<string, string>, preload = '') {
  const code = `${preload}
    const { backendInfo } = await import('./src/backend/index.ts');
    const { digest, workloadBytes } = await import('./test/backend/fixtures/buildWorkload.ts');
    console.log(JSON.stringify({ ...backendInfo(), hash: digest(workloadBytes()) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: root,
    env: { ...process.env, NABLA_BACKEND: 'wasm', NABLA_WASM_BUILD: '', NABLA_DETERMINISTIC: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, stderr: r.stderr, info: (r.status === 0 ? JSON.parse(out) : null) as Reported };
}

/** An engine without relaxed SIMD: WebAssembly.validate refuses modules using relaxed_madd (0xfd 0x85 0x02). */
const noRelaxed = `
  const validate = WebAssembly.validate;
  WebAssembly.validate = (b) => {
    const u = new Uint8Array(b.buffer ?? b, b.byteOffset ?? 0, b.byteLength);
    for (let i = 0; i + 2 < u.length; i++) if (u[i] === 0xfd && u[i + 1] === 0x85 && u[i + 2] === 2) return false;
    return validate(b);
  };`;

function sameBytes(a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((p, i) => Buffer.from(p).equals(Buffer.from(b[i])));
}

function cpuHasFma(): boolean {
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * float64 conv and affine gradients against centred differences, as scale-relative errors (test/models'
 * relError: the course's elementwise form measures only round-off on entries near 0).
 */
function gradientErrors(): number[] {
  const g = new Generator(5);
  // Linear in each input, so centred differences are exact up to rounding.
  const x = g.randn([2, 3, 8, 8]);
  const w = g.randn([4, 3, 3, 3]);
  const b = g.randn([4]);
  const cp = { stride: 1, pad: 1 };
  const [out, cache] = nn.convForwardFast(x, w, b, cp);
  const dout = g.randn(out.shape);
  const [dx, dw, db] = nn.convBackwardFast(dout, cache);
  const f = (xx: NDArray, ww: NDArray, bb: NDArray) => nn.convForwardFast(xx, ww, bb, cp)[0];
  const num = nn.evalNumericalGradientArray;
  const xa = g.randn([10, 40]);
  const wa = g.randn([40, 7]);
  const ba = g.randn([7]);
  const [, ac] = nn.affineForward(xa, wa, ba);
  const dy = g.randn([10, 7]);
  const [dxa, dwa] = nn.affineBackward(dy, ac);
  const fa = (xx: NDArray, ww: NDArray) => nn.affineForward(xx, ww, ba)[0];
  return [
    relError(
      dx,
      num((v) => f(v, w, b), x, dout),
    ),
    relError(
      dw,
      num((v) => f(x, v, b), w, dout),
    ),
    relError(
      db,
      num((v) => f(x, w, v), b, dout),
    ),
    relError(
      dxa,
      num((v) => fa(v, wa), xa, dy),
    ),
    relError(
      dwa,
      num((v) => fa(xa, v), wa, dy),
    ),
  ];
}

describe.runIf(wasmAvailable() || ci)('wasm builds and deterministic mode', () => {
  const initial = wasmAvailable() ? wasmBuild() : 'simd';
  const initialThreads = threadCount();
  const initialBackend = backend().name;
  // The in-process checks are about the wasm kernels, also in npm test's js pass (NABLA_BACKEND=js).
  beforeAll(() => setBackend('wasm'));
  afterAll(() => {
    setBackend(initialBackend);
    setDeterministic(false);
    switchBuild(initial);
    setThreadCount(initialThreads);
  });

  it('the relaxed build runs where relaxed SIMD validates (Node 20: after the V8 flag nabla sets)', () => {
    expect(relaxedSimdSupported() || !ci).toBe(true);
    if (!process.env.NABLA_WASM_BUILD && !process.env.NABLA_DETERMINISTIC)
      expect(wasmBuild()).toBe(relaxedSimdSupported() ? 'relaxed' : 'simd');
    expect(backendInfo().build).toBe(wasmBuild());
  });

  it('NABLA_WASM_BUILD forces a build; NABLA_DETERMINISTIC=1 takes simd; bad values are named', () => {
    const simd = runWorkload({ NABLA_WASM_BUILD: 'simd' });
    expect(simd.status, simd.stderr).toBe(0);
    expect(simd.info).toMatchObject({ name: 'wasm', build: 'simd', deterministic: false });
    const det = runWorkload({ NABLA_DETERMINISTIC: '1' });
    expect(det.info).toMatchObject({ build: 'simd', deterministic: true });
    expect(det.info.hash).toBe(simd.info.hash);
    if (relaxedSimdSupported()) {
      const relaxed = runWorkload({ NABLA_WASM_BUILD: 'relaxed' });
      expect(relaxed.info).toMatchObject({ build: 'relaxed', deterministic: false });
      const both = runWorkload({ NABLA_WASM_BUILD: 'relaxed', NABLA_DETERMINISTIC: '1' });
      expect(both.status).not.toBe(0);
      expect(both.stderr).toContain('NABLA_WASM_BUILD=relaxed contradicts deterministic mode');
    }
    const bad = runWorkload({ NABLA_WASM_BUILD: 'avx' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("NABLA_WASM_BUILD: unknown build 'avx' (builds: simd, relaxed)");
    const badDet = runWorkload({ NABLA_DETERMINISTIC: 'yes' });
    expect(badDet.stderr).toContain("NABLA_DETERMINISTIC: expected 1 or 0, got 'yes'");
  });

  it('without relaxed SIMD the simd build runs (the same bits as forcing it); forcing relaxed there is an error', () => {
    const fallback = runWorkload({}, noRelaxed);
    expect(fallback.status, fallback.stderr).toBe(0);
    expect(fallback.info).toMatchObject({ name: 'wasm', build: 'simd', deterministic: false });
    const forced = runWorkload({ NABLA_WASM_BUILD: 'simd' });
    expect(fallback.info.hash).toBe(forced.info.hash);
    const relaxed = runWorkload({ NABLA_WASM_BUILD: 'relaxed' }, noRelaxed);
    expect(relaxed.status).not.toBe(0);
    expect(relaxed.stderr).toContain(
      'NABLA_WASM_BUILD=relaxed: this engine does not run WebAssembly relaxed SIMD',
    );
  });

  it('deterministic mode: the simd build, the same bits on 1, 2 and 3 threads, in this process and in others', () => {
    setDeterministic(true);
    expect(backendInfo()).toMatchObject({ build: 'simd', deterministic: true });
    setThreadCount(1);
    const one = workloadBytes();
    for (const t of [2, 3, 2]) {
      setThreadCount(t);
      expect(sameBytes(workloadBytes(), one), `${t} threads`).toBe(true);
    }
    for (const threads of ['1', '2']) {
      const r = runWorkload({ NABLA_DETERMINISTIC: '1', NABLA_THREADS: threads });
      expect(r.status, r.stderr).toBe(0);
      expect(r.info.hash, `NABLA_THREADS=${threads}`).toBe(digest(one));
    }
    setDeterministic(false);
    expect(backendInfo().deterministic).toBe(false);
    expect(wasmBuild()).toBe(process.env.NABLA_WASM_BUILD || (relaxedSimdSupported() ? 'relaxed' : 'simd'));
  });

  it.runIf(relaxedSimdSupported() || ci)(
    'the relaxed build: the same bits across thread counts; fused multiply-adds exactly where the CPU has FMA',
    () => {
      switchBuild('relaxed');
      setThreadCount(1);
      const one = workloadBytes();
      setThreadCount(2);
      expect(sameBytes(workloadBytes(), one)).toBe(true);
      switchBuild('simd');
      // relaxed_madd rounds once with FMA, and is a multiply then an add (the simd build's bits) without it.
      expect(sameBytes(workloadBytes(), one)).toBe(!cpuHasFma());
    },
  );

  for (const build of wasmBuilds) {
    it.runIf(build === 'simd' || relaxedSimdSupported() || ci)(
      `${build} build: float64 conv and affine gradients match numeric ones to < 1e-8`,
      () => {
        switchBuild(build);
        for (const e of gradientErrors()) expect(e).toBeLessThan(1e-8);
      },
    );
  }
});
