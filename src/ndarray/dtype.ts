/**
 * dtypes and numpy's type promotion.
 *
 * Promotion of two arrays follows numpy's table for the five dtypes we support
 * (int64 does not exist here, so where numpy would reach int64 we use float64,
 * exactly as numpy does for int32 with float32):
 *
 * |         | bool    | uint8   | int32   | float32 | float64 |
 * |---------|---------|---------|---------|---------|---------|
 * | bool    | bool    | uint8   | int32   | float32 | float64 |
 * | uint8   | uint8   | uint8   | int32   | float32 | float64 |
 * | int32   | int32   | int32   | int32   | float64 | float64 |
 * | float32 | float32 | float32 | float64 | float32 | float64 |
 * | float64 | float64 | float64 | float64 | float64 | float64 |
 *
 * A plain JS number is a "weak" scalar (numpy 2, NEP 50): an integer-valued number
 * keeps an integer or float array's dtype (bool becomes int32); a fractional number keeps a
 * float array's dtype and turns bool/integer arrays into float64.
 */

/** The element types of an NDArray (numpy's float64, float32, int32, uint8, bool). */
export type DType = 'float64' | 'float32' | 'int32' | 'uint8' | 'bool';
/** The floating-point dtypes: what layers, models and gradients compute in. */
export type FloatDType = 'float64' | 'float32';
import type { FloatArray, TypedArray } from '../backend/types.js';

export type { FloatArray, TypedArray };

/** Every dtype, from the narrowest to the widest (the order of type promotion). */
export const DTYPES: readonly DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64'];

const rank: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

/** Whether `d` is float32 or float64. */
export function isFloat(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64';
}

/** Whether `d` is int32 or uint8 (bool is neither). */
export function isInteger(d: DType): boolean {
  return d === 'int32' || d === 'uint8';
}

/** `d` as a DType, or a TypeError naming `op` and the valid dtypes. */
export function checkDType(d: string, op = 'dtype'): DType {
  if (!(DTYPES as readonly string[]).includes(d)) {
    throw new TypeError(`${op}: unknown dtype '${d}' (expected one of ${DTYPES.join(', ')})`);
  }
  return d as DType;
}

/** Allocates a zero-filled buffer of `n` elements for `dtype` (bool is stored as Uint8Array of 0/1). */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float64':
      return new Float64Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** The dtype a typed array holds by default (Uint8Array is uint8, never bool). */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'uint8';
  throw new TypeError('array: unsupported typed array');
}

/** numpy's promote_types for two array dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if ((a === 'int32' && b === 'float32') || (a === 'float32' && b === 'int32')) return 'float64';
  return rank[a] >= rank[b] ? a : b;
}

/** numpy 2's result type of an array dtype combined with a weak JS number scalar. */
export function promoteWithScalar(d: DType, s: number): DType {
  const integral = Number.isInteger(s);
  if (isFloat(d)) return d;
  if (integral) return d === 'bool' ? (s === 0 || s === 1 ? 'int32' : 'int32') : d;
  return 'float64';
}

/** Converts a JS number to what storing it in `dtype` gives (C casting semantics, as numpy's astype). */
export function castScalar(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float64':
      return v;
    case 'float32':
      return Math.fround(v);
    case 'int32':
      return v | 0;
    case 'uint8':
      return v & 255;
    case 'bool':
      return v !== 0 ? 1 : 0; // NaN is truthy, as in numpy
  }
}

/**
 * Converts a JS number given by the user for storage in `dtype`, as numpy 2 converts a Python scalar: floats
 * and bool take anything; an integer dtype truncates toward zero and refuses NaN, infinities and integers it
 * cannot hold (numpy's OverflowError) instead of wrapping.
 */
export function castChecked(dtype: DType, v: number, op: string): number {
  if (!isInteger(dtype)) return castScalar(dtype, v);
  if (Number.isNaN(v)) throw new RangeError(`${op}: cannot convert float NaN to integer`);
  if (!Number.isFinite(v)) throw new RangeError(`${op}: cannot convert float infinity to integer`);
  const t = Math.trunc(v) + 0; // + 0 turns -0 into 0
  const [lo, hi] = dtype === 'uint8' ? [0, 255] : [-2147483648, 2147483647];
  if (t < lo || t > hi) throw new RangeError(`${op}: Python integer ${t} out of bounds for ${dtype}`);
  return t;
}
