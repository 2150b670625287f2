/** The committed binaries in src/backend/wasm/binary.ts must be built from the current asm/ sources. */
import { expect, it } from 'vitest';
import { wasmPlain, wasmShared, wasmSourceHash } from '../../src/backend/wasm/binary.js';
import { sourceHash } from '../../scripts/build-wasm.js';

it('binary.ts is up to date with asm/*.ts (else run `npm run build:wasm`)', () => {
  expect(wasmSourceHash).toBe(sourceHash());
});

it('both variants are valid WebAssembly modules that import env.memory', () => {
  for (const b64 of [wasmShared, wasmPlain]) {
    const m = new WebAssembly.Module(Buffer.from(b64, 'base64'));
    expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(m).map((e) => e.name)).toContain('gemm');
  }
});
