/** Array creation, as numpy's: array, zeros, ones, full, empty, eye, arange, linspace and the *Like family. */
import {
  allocate,
  castChecked,
  checkDType,
  dtypeOfTypedArray,
  type DType,
  type TypedArray,
} from './dtype.js';
import { NDArray, allocArray, describeValue, type NestedArray } from './ndarray.js';
import { checkShape, contiguousStrides, fmtShape, sizeOf, type Shape } from './shape.js';

/** A shape: an array of sizes, or one number for a 1-D shape (numpy's `np.zeros(3)`). */
export type ShapeArg = number | Shape;

function toShape(s: ShapeArg, op: string): number[] {
  return checkShape(typeof s === 'number' ? [s] : s, op);
}

/**
 * Makes an array from nested JS arrays (numbers give float64, the default dtype; booleans give bool),
 * from a typed array plus shape (the buffer is used as-is, not copied), or copies another NDArray.
 *
 *   array([[1, 2], [3, 4]])                       // float64 (2, 2)
 *   array(new Float32Array(6), [2, 3])            // float32 (2, 3) view of that buffer
 *   array([1, 2, 3], 'int32')
 */
export function array(data: NestedArray | NDArray, dtype?: DType): NDArray;
export function array(data: TypedArray, shape?: Shape, dtype?: DType): NDArray;
export function array(data: NestedArray | NDArray | TypedArray, a?: DType | Shape, b?: DType): NDArray {
  if (ArrayBuffer.isView(data)) {
    const typed = data as TypedArray;
    const shape = (a as Shape | undefined) ?? [typed.length];
    checkShape(shape, 'array');
    if (sizeOf(shape) !== typed.length) {
      throw new RangeError(
        `array: a buffer of ${typed.length} elements cannot have shape ${fmtShape(shape)}`,
      );
    }
    const natural = dtypeOfTypedArray(typed);
    const dtype = b ? checkDType(b, 'array') : natural;
    if (dtype === natural || (dtype === 'bool' && natural === 'uint8'))
      return new NDArray(typed, shape, dtype);
    return new NDArray(typed, shape, natural).astype(dtype);
  }
  if (data instanceof NDArray) return a ? data.astype(checkDType(a as string, 'array')) : data.copy();
  return fromNested(data, a as DType | undefined);
}

/**
 * array() of nested JS arrays: all booleans give bool, any number float64 (or `dtype`). Anything else is a
 * TypeError naming the element's position and type; a ragged nesting is numpy's inhomogeneous-shape error;
 * a value an integer dtype cannot hold is numpy 2's out-of-bounds error (see castChecked).
 */
function fromNested(data: NestedArray, dtypeArg?: DType): NDArray {
  if (!Array.isArray(data) && typeof data !== 'number' && typeof data !== 'boolean') {
    throw new TypeError(
      `array: expected a number, a boolean, nested arrays of them, a typed array or an NDArray, got ${describeValue(data)}`,
    );
  }
  const shape: number[] = [];
  for (let probe: NestedArray = data; Array.isArray(probe); probe = probe[0]) {
    shape.push(probe.length);
    if (probe.length === 0) break;
  }
  const values = new Float64Array(sizeOf(shape));
  let allBool = values.length > 0;
  let k = 0;
  const at: number[] = [];
  const ragged = (depth: number) =>
    new RangeError(
      `array: setting an array element with a sequence. The requested array has an inhomogeneous shape after ${depth} dimensions. The detected shape was ${fmtShape(shape.slice(0, depth))} + inhomogeneous part.`,
    );
  const walk = (x: unknown, depth: number): void => {
    if (typeof x === 'number') {
      if (depth !== shape.length) throw ragged(depth);
      values[k++] = x;
      allBool = false;
    } else if (typeof x === 'boolean') {
      if (depth !== shape.length) throw ragged(depth);
      values[k++] = x ? 1 : 0;
    } else if (Array.isArray(x)) {
      if (depth === shape.length || x.length !== shape[depth]) throw ragged(depth);
      for (let i = 0; i < x.length; i++) {
        at.push(i);
        walk(x[i], depth + 1);
        at.pop();
      }
    } else {
      throw new TypeError(
        `array: element [${at.join(', ')}] is ${describeValue(x)}; expected a number or a boolean`,
      );
    }
  };
  walk(data, 0);
  const dtype = dtypeArg ? checkDType(dtypeArg, 'array') : allBool ? 'bool' : 'float64';
  const out = allocate(dtype, values.length);
  if (dtype === 'float64') out.set(values);
  else {
    for (let i = 0; i < values.length; i++) {
      try {
        out[i] = castChecked(dtype, values[i], 'array');
      } catch (e) {
        const strides = contiguousStrides(shape);
        const index = strides.map((st, d) => Math.floor(i / st) % shape[d]);
        throw new RangeError(`${(e as Error).message} (element [${index.join(', ')}])`, { cause: e });
      }
    }
  }
  return new NDArray(out, shape, dtype);
}

/** A 0-d array holding `value`. */
export function scalar(value: number, dtype: DType = 'float64'): NDArray {
  return full([], value, dtype);
}

/** An array of `shape` filled with 0 (np.zeros). */
export function zeros(shape: ShapeArg, dtype: DType = 'float64'): NDArray {
  return allocArray(toShape(shape, 'zeros'), checkDType(dtype, 'zeros'), 'zeros');
}

/** Like zeros: typed arrays are always zero-filled, so "uninitialised" memory is never garbage. */
export function empty(shape: ShapeArg, dtype: DType = 'float64'): NDArray {
  return allocArray(toShape(shape, 'empty'), checkDType(dtype, 'empty'), 'empty');
}

/** An array of `shape` filled with `value` (np.full). */
export function full(shape: ShapeArg, value: number, dtype: DType = 'float64'): NDArray {
  const a = allocArray(toShape(shape, 'full'), checkDType(dtype, 'full'), 'full');
  a.data.fill(castChecked(dtype, value, 'full'));
  return a;
}

/** An array of `shape` filled with 1 (np.ones). */
export function ones(shape: ShapeArg, dtype: DType = 'float64'): NDArray {
  return full(shape, 1, dtype);
}

/** Zeros of `a`'s shape (and dtype unless given), np.zeros_like. */
export const zerosLike = (a: NDArray, dtype: DType = a.dtype) => zeros(a.shape, dtype);
/** Ones of `a`'s shape (and dtype unless given), np.ones_like. */
export const onesLike = (a: NDArray, dtype: DType = a.dtype) => ones(a.shape, dtype);
/** `value` in `a`'s shape (and dtype unless given), np.full_like. */
export const fullLike = (a: NDArray, value: number, dtype: DType = a.dtype) => full(a.shape, value, dtype);
/** An uninitialised array of `a`'s shape (zeros here), np.empty_like. */
export const emptyLike = (a: NDArray, dtype: DType = a.dtype) => empty(a.shape, dtype);

/** An N×M matrix with ones on the k-th diagonal. */
export function eye(N: number, M: number = N, k = 0, dtype: DType = 'float64'): NDArray {
  const a = zeros([N, M], dtype);
  for (let i = 0; i < N; i++) {
    const j = i + k;
    if (j >= 0 && j < M) a.data[i * M + j] = 1;
  }
  return a;
}

/**
 * Evenly spaced values in [start, stop): arange(5), arange(2, 10, 3). Integer arguments give int32
 * (numpy gives its default int), any fractional argument gives float64.
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): NDArray {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new RangeError('arange: step cannot be zero');
  if (![start, stop, step].every(Number.isFinite)) throw new RangeError('arange: arguments must be finite');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const d = dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float64');
  const a = allocArray([n], d, 'arange');
  for (let i = 0; i < n; i++) a.data[i] = start + i * step;
  return a;
}

/** linspace's options (numpy's keyword arguments). */
export interface LinspaceOptions {
  endpoint?: boolean;
  dtype?: DType;
}

/** `num` evenly spaced samples over [start, stop] (or [start, stop) without endpoint). */
export function linspace(
  start: number,
  stop: number,
  num?: number,
  opts?: LinspaceOptions & { retstep?: false },
): NDArray;
export function linspace(
  start: number,
  stop: number,
  num: number,
  opts: LinspaceOptions & { retstep: true },
): [NDArray, number];
export function linspace(
  start: number,
  stop: number,
  num = 50,
  { endpoint = true, retstep = false, dtype = 'float64' }: LinspaceOptions & { retstep?: boolean } = {},
): NDArray | [NDArray, number] {
  if (!Number.isInteger(num) || num < 0)
    throw new RangeError(`linspace: number of samples, ${num}, must be non-negative`);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : NaN;
  const a = allocArray([num], dtype, 'linspace');
  for (let i = 0; i < num; i++) a.data[i] = div > 0 ? start + i * step : start;
  if (endpoint && num > 1) a.data[num - 1] = stop;
  return retstep ? [a, step] : a;
}

/** meshgrid's options: indexing 'xy' (default, numpy's) or 'ij'. */
export interface MeshgridOptions {
  /** 'xy' (the default: the first two outputs are (len(y), len(x)), as for plotting) or 'ij' (matrix order). */
  indexing?: 'xy' | 'ij';
  /** Return the broadcastable (1, ..., n, ..., 1) arrays instead of full copies (default false). */
  sparse?: boolean;
}

/**
 * np.meshgrid: coordinate arrays from coordinate vectors. meshgrid(x, y) gives X, Y of shape (len(y), len(x))
 * with X[i, j] = x[j], Y[i, j] = y[i]; pass { indexing: 'ij' } for (len(x), len(y)). The last argument may
 * be the options. Each input is flattened; outputs are copies.
 */
export function meshgrid(...args: (NDArray | MeshgridOptions)[]): NDArray[] {
  const last = args[args.length - 1];
  const options = last !== undefined && !(last instanceof NDArray) ? (args.pop() as MeshgridOptions) : {};
  const { indexing = 'xy', sparse = false } = options;
  if (indexing !== 'xy' && indexing !== 'ij')
    throw new RangeError(
      `meshgrid: Valid values for \`indexing\` are 'xy' and 'ij', got '${String(indexing)}'`,
    );
  const xs = args as NDArray[];
  xs.forEach((x, i) => {
    if (!(x instanceof NDArray)) throw new TypeError(`meshgrid: argument ${i} is not an NDArray`);
  });
  const nd = xs.length;
  const shapes = xs.map((x, i) => Array.from({ length: nd }, (_, k) => (k === i ? x.size : 1)));
  if (indexing === 'xy' && nd > 1)
    [shapes[0][0], shapes[0][1], shapes[1][0], shapes[1][1]] = [1, xs[0].size, xs[1].size, 1];
  const grids = xs.map((x, i) => x.reshape(-1).reshape(shapes[i]));
  if (sparse) return grids.map((g) => g.copy());
  const full = xs.map((x) => x.size);
  if (indexing === 'xy' && nd > 1) [full[0], full[1]] = [full[1], full[0]];
  return grids.map((g) => g.broadcastTo(full).copy());
}
