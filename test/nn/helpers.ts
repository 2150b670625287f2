/** Shared test helpers for the layer tests: golden values and numeric-gradient checks. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { array, type NDArray, type NestedArray } from '../../src/ndarray/index.js';
import { evalNumericalGradientArray, relError } from '../../src/nn/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Golden = Record<string, Record<string, any>>;

/** test/golden/layers.json, written by scripts/golden_layers.py. */
export const golden: Golden = JSON.parse(
  readFileSync(new URL('../golden/layers.json', import.meta.url), 'utf8'),
) as Golden;

export const arr = (v: NestedArray): NDArray => array(v, 'float64');

/** Expects the analytic gradient to match evalNumericalGradientArray of f at x within `tol`. */
export function expectGrad(
  f: (x: NDArray) => NDArray,
  x: NDArray,
  dout: NDArray,
  analytic: NDArray,
  tol: number,
): number {
  const num = evalNumericalGradientArray(f, x, dout);
  expect(analytic.shape).toEqual(x.shape);
  const err = relError(num, analytic);
  expect(err).toBeLessThan(tol);
  return err;
}

/** Expects two arrays of the same shape to agree to `tol` in the largest absolute difference. */
export function expectClose(a: NDArray, b: NDArray | NestedArray, tol = 1e-12): void {
  const bb = Array.isArray(b) || typeof b === 'number' ? arr(b) : (b as NDArray);
  expect(a.shape).toEqual(bb.shape);
  const diff = a.astype('float64').sub(bb).abs().max().item();
  expect(diff).toBeLessThan(tol);
}
