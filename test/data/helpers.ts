/** Fixture helpers for the data tests: temporary folders and small images in the official formats. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NDArray } from '../../src/ndarray/ndarray.js';

/** A fresh temporary folder (removed by the caller's afterAll via rmTemp). */
export function tempDir(prefix = 'nabla-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmTemp(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A deterministic (h, w, 3) uint8 image whose pixels depend on `seed`. */
export function patternImage(h: number, w: number, seed: number): NDArray {
  const data = new Uint8Array(h * w * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + seed * 101 + ((i * seed) % 13)) % 256;
  return new NDArray(data, [h, w, 3], 'uint8');
}

/** A golden array as the Python scripts store it: { shape, data } (data flat, C order). */
export interface GoldenArray {
  shape: number[];
  data: number[];
}

export function fromGolden(g: GoldenArray, dtype: 'float64' | 'uint8' = 'float64'): NDArray {
  const data = dtype === 'uint8' ? Uint8Array.from(g.data) : Float64Array.from(g.data);
  return new NDArray(data, g.shape, dtype);
}

/** Asserts `a` has the golden shape and values within rtol/atol (numpy.allclose). */
export function expectClose(a: NDArray, g: GoldenArray, rtol = 1e-9, atol = 1e-12): void {
  if (JSON.stringify(a.shape) !== JSON.stringify(g.shape)) {
    throw new Error(`shape (${a.shape.join(', ')}) != golden (${g.shape.join(', ')})`);
  }
  const d = a.toTypedArray();
  for (let i = 0; i < g.data.length; i++) {
    if (!(Math.abs(d[i] - g.data[i]) <= atol + rtol * Math.abs(g.data[i]))) {
      throw new Error(`element ${i}: ${d[i]} != golden ${g.data[i]}`);
    }
  }
}
