/** Small helpers shared by the layers: argument checks whose errors name the layer and the shapes. */
import { isFloat } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/** Throws `layer: what` as a RangeError (the shape errors of every layer go through here). */
export function fail(layer: string, what: string): never {
  throw new RangeError(`${layer}: ${what}`);
}

/** Requires a float array, of rank `ndim` when given. */
export function checkFloat(layer: string, name: string, a: NDArray, ndim?: number): void {
  if (!isFloat(a.dtype)) fail(layer, `${name} must be float32 or float64, got ${a.dtype}`);
  if (ndim !== undefined && a.ndim !== ndim)
    fail(layer, `${name} must be ${ndim}-D, got shape ${fmtShape(a.shape)}`);
}

/** Requires `a` to have exactly `shape`. */
export function checkShape(layer: string, name: string, a: NDArray, shape: readonly number[]): void {
  if (a.ndim !== shape.length || a.shape.some((d, i) => d !== shape[i]))
    fail(layer, `${name} of shape ${fmtShape(a.shape)} should have shape ${fmtShape(shape)}`);
}

/** Requires a normalization's gamma and beta to be (x.shape[1],): one scale and one shift per feature. */
export function checkGammaBeta(layer: string, x: NDArray, gamma: NDArray, beta: NDArray): void {
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p.ndim !== 1 || p.shape[0] !== x.shape[1])
      fail(layer, `${name} of shape ${fmtShape(p.shape)} does not match x of shape ${fmtShape(x.shape)}`);
  }
}

export { fmtShape };
