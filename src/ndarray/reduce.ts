/** Reductions over one axis, several axes or all, with keepdims, as numpy's. */
import { backend, type ReduceOp } from '../backend/index.js';
import { allocate, isFloat, type DType } from './dtype.js';
import { NDArray, checkOperand } from './ndarray.js';
import { view } from './elementwise.js';
import { normalizeAxes, normalizeAxis, sizeOf } from './shape.js';

/** An axis argument: one axis, several, or null/undefined for all of them. */
export type Axis = number | readonly number[] | null | undefined;

const identity: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };

/**
 * Reduces into a float64 accumulator (exact for every dtype we hold, and no float32 drift in long sums),
 * then casts to the dtype `dtypeOf` gives for the input's.
 */
function reduceOp(
  op: ReduceOp,
  a: NDArray,
  axis: Axis,
  keepdims: boolean,
  name: string,
  dtypeOf: (d: DType) => DType,
): NDArray {
  checkOperand(a, name, 1);
  const dtype = dtypeOf(a.dtype);
  const axes = normalizeAxes(axis, a.ndim, name);
  const keptShape = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  if ((op === 'max' || op === 'min') && axes.some((ax) => a.shape[ax] === 0)) {
    throw new RangeError(`${name}: zero-size array to reduction operation ${name} which has no identity`);
  }
  const n = sizeOf(keptShape);
  const acc = new Float64Array(n).fill(identity[op]);
  const accStrides: number[] = [];
  let s = 1;
  for (let i = a.ndim - 1; i >= 0; i--) {
    accStrides[i] = axes.includes(i) ? 0 : s;
    s *= keptShape[i];
  }
  backend().reduce(op, a.shape, view(a), { data: acc, offset: 0, strides: accStrides });
  const outShape = keepdims ? keptShape : a.shape.filter((_, i) => !axes.includes(i));
  if (dtype === 'float64') return new NDArray(acc, outShape, dtype); // the accumulator is the result
  const data = allocate(dtype, n);
  data.set(acc);
  return new NDArray(data, outShape, dtype);
}

/** numpy widens integer sums; without int64 we keep int32 for integers and bools. */
function sumDtype(d: DType): DType {
  return isFloat(d) ? d : 'int32';
}

/** mean and var: integers and bools give float64. */
function floatDtype(d: DType): DType {
  return isFloat(d) ? d : 'float64';
}

const same = (d: DType) => d;
const bool = (): DType => 'bool';

/** Sum over `axis` (all axes when omitted), np.sum; keepdims keeps reduced axes as size 1. */
export const sum = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('sum', a, axis, keepdims, 'sum', sumDtype);
/** Product over `axis` (all when omitted), np.prod. */
export const prod = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('prod', a, axis, keepdims, 'prod', sumDtype);
/** Maximum over `axis` (all when omitted), np.max; NaN propagates. */
export const max = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('max', a, axis, keepdims, 'max', same);
/** Minimum over `axis` (all when omitted), np.min; NaN propagates. */
export const min = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('min', a, axis, keepdims, 'min', same);
/** Whether any element over `axis` is nonzero, as bool (np.any). */
export const any = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('any', a, axis, keepdims, 'any', bool);
/** Whether every element over `axis` is nonzero, as bool (np.all). */
export const all = (a: NDArray, axis?: Axis, keepdims = false) =>
  reduceOp('all', a, axis, keepdims, 'all', bool);

function countOf(a: NDArray, axis: Axis, name: string): number {
  return normalizeAxes(axis, a.ndim, name).reduce((p, ax) => p * a.shape[ax], 1);
}

/** The arithmetic mean; integer input gives float64 (numpy's rule). An empty reduction gives NaN. */
export function mean(a: NDArray, axis?: Axis, keepdims = false): NDArray {
  const s = reduceOp('sum', a, axis, keepdims, 'mean', floatDtype);
  const n = countOf(a, axis, 'mean');
  return s.divInPlace(n);
}

/** Variance with `ddof` (0: the biased estimator numpy and batchnorm use). */
export function variance(a: NDArray, axis?: Axis, keepdims = false, ddof = 0): NDArray {
  checkOperand(a, 'var', 1);
  const d = floatDtype(a.dtype);
  const m = mean(a.dtype === d ? a : a.astype(d), axis, true);
  const dev = a.sub(m);
  dev.mulInPlace(dev);
  const s = reduceOp('sum', dev, axis, keepdims, 'var', floatDtype);
  return s.divInPlace(Math.max(countOf(a, axis, 'var') - ddof, 0));
}

/** Standard deviation over `axis` with `ddof` delta degrees of freedom (np.std). */
export function std(a: NDArray, axis?: Axis, keepdims = false, ddof = 0): NDArray {
  const v = variance(a, axis, keepdims, ddof);
  return v.sqrt();
}

function argOp(
  op: 'argmax' | 'argmin',
  a: NDArray,
  axis: number | null | undefined,
  keepdims: boolean,
): NDArray {
  checkOperand(a, op, 1);
  if (a.size === 0) throw new RangeError(`${op}: attempt to get ${op} of an empty sequence`);
  const be = backend();
  if (axis === undefined || axis === null) {
    const out = new Int32Array(1);
    be.argReduce(op, a.toTypedArray(), 1, a.size, 1, out);
    return new NDArray(out, keepdims ? a.shape.map(() => 1) : [], 'int32');
  }
  const ax = normalizeAxis(axis, a.ndim, op);
  const c = a.contiguous();
  const outer = sizeOf(a.shape.slice(0, ax));
  const inner = sizeOf(a.shape.slice(ax + 1));
  const out = new Int32Array(outer * inner);
  be.argReduce(op, c.data.subarray(c.offset), outer, a.shape[ax], inner, out);
  const shape = keepdims ? a.shape.map((d, i) => (i === ax ? 1 : d)) : a.shape.filter((_, i) => i !== ax);
  return new NDArray(out, shape, 'int32');
}

/** Index of the largest element (the first on ties; NaN counts as largest, as in numpy). */
export const argmax = (a: NDArray, axis?: number | null, keepdims = false) =>
  argOp('argmax', a, axis, keepdims);
/** Index of the minimum over `axis` (of the flattened array when omitted), int32 (np.argmin). */
export const argmin = (a: NDArray, axis?: number | null, keepdims = false) =>
  argOp('argmin', a, axis, keepdims);

/** A running sum or product along `axis` (of the flattened array when axis is null/undefined), in sumDtype. */
function scan(a: NDArray, axis: number | null | undefined, product: boolean, name: string): NDArray {
  checkOperand(a, name, 1);
  const dtype = sumDtype(a.dtype);
  const src = axis === undefined || axis === null ? a.ravel() : a;
  const ax = axis === undefined || axis === null ? 0 : normalizeAxis(axis, a.ndim, name);
  const c = src.astype(dtype);
  if (c.size === 0) return c;
  const outer = sizeOf(c.shape.slice(0, ax));
  const n = c.shape[ax];
  const inner = sizeOf(c.shape.slice(ax + 1));
  const d = c.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let k = o * n * inner + j;
      let acc = d[k];
      for (let i = 1; i < n; i++) {
        k += inner;
        d[k] = product ? acc * d[k] : acc + d[k];
        acc = d[k]; // rounded to the dtype at every step, as numpy's running total
      }
    }
  }
  return c;
}

/** Cumulative sum along `axis` (flattened when axis is null/undefined). */
export const cumsum = (a: NDArray, axis?: number | null): NDArray => scan(a, axis, false, 'cumsum');

/** Cumulative product along `axis` (flattened when axis is null/undefined); integers and bools give int32. */
export const cumprod = (a: NDArray, axis?: number | null): NDArray => scan(a, axis, true, 'cumprod');
