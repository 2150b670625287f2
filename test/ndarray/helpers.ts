/** Loading numpy golden values (test/golden/ndarray.json, written by scripts/golden_ndarray.py) and comparing. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { NDArray, array, type DType } from '../../src/index.js';

export interface Encoded {
  dtype: DType;
  shape: number[];
  data: (number | string)[];
}

export interface Golden {
  inputs: Record<string, Encoded>;
  cases: Record<string, Encoded | Encoded[]>;
  promotion: Record<DType, Record<DType, DType>>;
  weak: Record<DType, Record<string, string>>;
  repr: Record<string, string>;
  errors: Record<string, string>;
  random: Record<string, number[]>;
}

export const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

export const golden: Golden = JSON.parse(readFileSync(goldenDir + 'ndarray.json', 'utf8')) as Golden;

const num = (v: number | string): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number);

export function decode(e: Encoded): NDArray {
  const flat = array(e.data.map(num), 'float64');
  return flat.astype(e.dtype).reshape(e.shape);
}

/** Asserts `got` equals numpy's `want` in dtype, shape and values (floats to rounding, NaN where NaN). */
export function expectMatches(got: NDArray, want: Encoded, label = ''): void {
  expect(got.dtype, `${label} dtype`).toBe(want.dtype);
  expect([...got.shape], `${label} shape`).toEqual(want.shape);
  const g = Array.from(got.toTypedArray());
  const w = want.data.map(num);
  const rtol = want.dtype === 'float32' ? 2e-6 : 1e-12;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(b)) {
      expect(Number.isNaN(a), `${label}[${i}] should be NaN, got ${a}`).toBe(true);
    } else if (
      !Number.isFinite(b) ||
      want.dtype === 'int32' ||
      want.dtype === 'uint8' ||
      want.dtype === 'bool'
    ) {
      expect(a, `${label}[${i}]`).toBe(b);
    } else {
      expect(Math.abs(a - b), `${label}[${i}]: ${a} vs numpy ${b}`).toBeLessThanOrEqual(
        rtol * Math.max(1, Math.abs(b)),
      );
    }
  }
}
