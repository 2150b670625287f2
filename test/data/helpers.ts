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
