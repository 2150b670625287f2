/**
 * residentArray: arrays in the wasm memory that kernels use in place, garbage-collected like any array —
 * a collected array's block is handed out again, so a process that keeps creating models does not grow
 * the memory without bound; fresh arrays are zero-filled even when their block is recycled.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import { residentAddress, residentArray } from '../../src/backend/wasm/heap.js';
import { runtime } from '../../src/backend/wasm/runtime.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects, then lets the FinalizationRegistry callbacks run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skipFor(import.meta.url, wasmMissing(true)))('resident arrays', () => {
  it('are zero-filled, in the wasm memory, and their blocks are reused once they are collected', async () => {
    const n = 123_457;
    // Allocated, dirtied and dropped inside a function, so no reference survives it.
    const dropped = (): number => {
      const a = residentArray('float32', n) as Float32Array;
      expect(a.length).toBe(n);
      a.fill(7);
      return residentAddress(a, 0);
    };
    const address = dropped();
    expect(address).toBeGreaterThan(0);
    await collect();
    const b = residentArray('float32', n) as Float32Array;
    expect(residentAddress(b, 0)).toBe(address);
    expect(b.every((v) => v === 0)).toBe(true);
    // A live array's block is never handed out twice.
    const c = residentArray('float32', n) as Float32Array;
    expect(residentAddress(c, 0)).not.toBe(address);
  });

  it('a loop that drops each array keeps the memory bounded', async () => {
    const before = runtime().memory.buffer.byteLength;
    for (let i = 0; i < 40; i++) {
      residentArray('float64', 1 << 20); // 8 MiB each, dropped at once: 320 MiB if never reused
      if (i % 8 === 7) await collect();
    }
    expect(runtime().memory.buffer.byteLength - before).toBeLessThan(100 * 2 ** 20);
  });
});
