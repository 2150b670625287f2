/**
 * The fused optimizer updates (Backend.optimizerStep, taken by src/optim for contiguous arrays) give the
 * elementwise op chain's result bit for bit: the chain still runs for non-contiguous parameters, so a
 * transposed view of the same values is the reference. Both backends, float32 and float64, several steps;
 * on wasm, parameters of 4,096 elements or more move into its memory (makeResident) and stay equal.
 */
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/ndarray/random.js';
import { array, backend, type NDArray } from '../../src/index.js';
import { residentAddress } from '../../src/backend/wasm/heap.js';
import { runtime as wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { adam, sgd, sgdMomentum, type OptimConfig, type UpdateRule } from '../../src/optim/optim.js';

function randn(g: Generator, rows: number, cols: number): Float64Array {
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = g.nextDouble() * 2 - 1;
  return a;
}

describe('fused optimizer updates', () => {
  // 2,560 parameters (past the wasm kernel's minimum size), and 2,665: an odd count, whose last element
  // the float32 kernel's two-lane loop leaves to its scalar tail.
  // 2,560 parameters stay in ordinary arrays; 280,000 move into the wasm memory and the update is threaded.
  for (const [dtype, R, C] of [
    ['float32', 64, 40],
    ['float64', 64, 40],
    ['float32', 65, 41],
    ['float32', 700, 400],
    ['float64', 700, 400],
  ] as const) {
    for (const [name, rule, config] of [
      ['sgd', sgd, { learningRate: 1e-3 }],
      ['sgdMomentum', sgdMomentum, { learningRate: 1e-2, momentum: 0.9 }],
      ['adam', adam, { learningRate: 1e-3 }],
    ] as [string, UpdateRule, OptimConfig][]) {
      it(`${dtype} ${name} (${R * C} parameters) equals the op chain bit for bit`, () => {
        const g = new Generator(7);
        const w0 = randn(g, R, C);
        let fast: NDArray = array(w0, [R, C], 'float64').astype(dtype);
        // The same values held transposed: w.T is a non-contiguous (R, C) view, so the chain runs.
        let slow: NDArray = array(w0, [R, C], 'float64').T.copy().astype(dtype).T;
        expect(slow.isContiguous).toBe(false);
        let cf: OptimConfig = { ...config };
        let cs: OptimConfig = { ...config };
        for (let step = 0; step < 3; step++) {
          const dw = array(randn(g, R, C), [R, C], 'float64').astype(dtype);
          [fast, cf] = rule(fast, dw, cf);
          [slow, cs] = rule(slow, dw, cs);
        }
        if (R * C >= 4096 && backend().name === 'wasm' && wasmRuntime().shared) {
          // The first update moved the parameter (same object) and allocated the state in the wasm memory.
          expect(residentAddress(fast.data as Float32Array, 0)).toBeGreaterThan(0);
          for (const s of [cf.m, cf.v, cf.velocity]) {
            if (s) expect(residentAddress(s.data as Float32Array, 0)).toBeGreaterThan(0);
          }
        }
        expect(fast.toArray()).toEqual(slow.toArray());
        if (cf.m) expect(cf.m.toArray()).toEqual(cs.m!.toArray());
        if (cf.velocity) expect(cf.velocity.toArray()).toEqual(cs.velocity!.toArray());
      });
    }
  }
});
