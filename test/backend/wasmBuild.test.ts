/**
 * The committed binaries in src/backend/wasm/binary.ts: built from the current asm/ sources, every variant a
 * module importing env.memory, and the `simd` build free of relaxed SIMD (it must run where relaxed does not).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { wasmBinaries, wasmSourceHash } from '../../src/backend/wasm/binary.js';
import { relaxedProbe, relaxedSimdSupported } from '../../src/backend/wasm/runtime.js';
import { sourceHash } from '../../scripts/build-wasm.js';

it('binary.ts is up to date with asm/ (else run `npm run build:wasm`)', () => {
  expect(wasmSourceHash).toBe(sourceHash());
});

describe.runIf(relaxedSimdSupported() || process.env.CI === 'true')('the builds', () => {
  it('every build and memory variant is a module that imports env.memory and exports the kernels', () => {
    expect(relaxedSimdSupported()).toBe(true); // under CI=true this test must not pass unrun
    expect(Object.keys(wasmBinaries)).toEqual(['simd', 'relaxed']);
    for (const b of Object.values(wasmBinaries)) {
      for (const b64 of [b.shared, b.plain]) {
        const m = new WebAssembly.Module(Buffer.from(b64, 'base64'));
        expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
        expect(WebAssembly.Module.exports(m).map((e) => e.name)).toContain('gemm');
      }
    }
  });

  it('the simd build validates in a process that has not enabled relaxed SIMD; the relaxed build does only where it is on', () => {
    // A fresh node without --experimental-wasm-relaxed-simd (Node 20: relaxed SIMD off; 22+: on by default).
    const code = `
      const b = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const v = (s) => WebAssembly.validate(Buffer.from(s, 'base64'));
      const probe = Buffer.from(b.probe, 'base64');
      console.log(JSON.stringify({ simd: v(b.simd), relaxed: v(b.relaxed), on: WebAssembly.validate(probe) }));
    `;
    const probe = Buffer.from(relaxedProbe).toString('base64');
    const input = JSON.stringify({
      simd: wasmBinaries.simd.shared,
      relaxed: wasmBinaries.relaxed.shared,
      probe,
    });
    const r = spawnSync(process.execPath, ['-e', code], { input, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { simd: boolean; relaxed: boolean; on: boolean };
    expect(got.simd).toBe(true);
    expect(got.relaxed).toBe(got.on);
    if (Number(process.versions.node.split('.')[0]) < 22) expect(got.relaxed).toBe(false);
  });
});
