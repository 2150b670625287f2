/** Backend selection: wasm by default where SIMD runs, NABLA_BACKEND overrides, backendInfo reports it. */
import { describe, expect, it } from 'vitest';
import { backend, backendInfo, defaultBackend, listBackends, setBackend } from '../../src/backend/index.js';
import { simdSupported, wasmAvailable } from '../../src/backend/wasm/index.js';

describe('backend selection', () => {
  it('this Node has WebAssembly SIMD, so wasm is registered and the default', () => {
    expect(simdSupported()).toBe(true);
    expect(wasmAvailable()).toBe(true);
    expect(listBackends()).toEqual(['js', 'wasm']);
    expect(defaultBackend(undefined).name).toBe('wasm');
    expect(defaultBackend('').name).toBe('wasm');
  });

  it('NABLA_BACKEND picks a backend and rejects unknown names', () => {
    expect(defaultBackend('js').name).toBe('js');
    expect(defaultBackend('wasm').name).toBe('wasm');
    expect(() => defaultBackend('gpu')).toThrow("NABLA_BACKEND: unknown backend 'gpu' (available: js, wasm)");
  });

  it('the backend in use follows NABLA_BACKEND (as CI runs the suite once per backend)', () => {
    const env = process.env.NABLA_BACKEND;
    expect(backend().name).toBe(env === 'js' ? 'js' : 'wasm');
  });

  it('backendInfo names the backend in use, its threads, whether it uses SIMD and which wasm build runs', () => {
    const before = backend().name;
    try {
      setBackend('js');
      expect(backendInfo()).toEqual({
        name: 'js',
        threads: 1,
        simd: false,
        build: null,
        deterministic: false,
      });
      setBackend('wasm');
      const info = backendInfo();
      expect(info.name).toBe('wasm');
      expect(info.simd).toBe(true);
      expect(['simd', 'relaxed']).toContain(info.build);
      // NABLA_WASM_BUILD forces a build (the wasm-simd test project runs the kernels on the fallback).
      const forced = process.env.NABLA_WASM_BUILD;
      if (forced) expect(info.build).toBe(forced);
      expect(info.threads).toBeGreaterThanOrEqual(1);
    } finally {
      setBackend(before);
    }
  });
});
