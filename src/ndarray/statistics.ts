/**
 * Order statistics, as numpy's: median, quantile and percentile over one axis, several or all. The reduced
 * axes are moved last and sorted (manipulation.ts's sort); the values at the wanted ranks are then combined
 * with elementwise ops in numpy's order of operations, so the results match numpy's to the last bit. A lane
 * holding NaN gives NaN.
 */
import { full } from './creation.js';
import { isFloat } from './dtype.js';
import { isnan } from './elementwise.js';
import { where } from './indexing.js';
import { stack, sort } from './manipulation.js';
import { NDArray, checkOperand } from './ndarray.js';
import type { Axis } from './reduce.js';
import { normalizeAxes } from './shape.js';

/** np.quantile's methods. */
export type QuantileMethod = 'linear' | 'lower' | 'higher' | 'nearest' | 'midpoint';
const METHODS: readonly QuantileMethod[] = ['linear', 'lower', 'higher', 'nearest', 'midpoint'];

/** quantile's options: keepdims, method. */
export interface QuantileOptions {
  /** Keep the reduced axes as size-1 axes (default false). */
  keepdims?: boolean;
  /**
   * How a quantile between two ranks i < j is estimated (numpy's classic five): 'linear' (the default)
   * interpolates, 'lower' takes i, 'higher' j, 'nearest' the nearer (half to even), 'midpoint' their mean.
   */
  method?: QuantileMethod;
}

interface Lanes {
  /** The data with the reduced axes flattened into a sorted last axis of length n. */
  sorted: NDArray;
  n: number;
  /** The input's shape with the reduced axes set to 1 (for keepdims). */
  keptShape: number[];
  /** The shape of one result: the axes not reduced. */
  restShape: number[];
}

function sortedLanes(a: NDArray, axis: Axis, op: string): Lanes {
  checkOperand(a, op, 1);
  const axes = normalizeAxes(axis, a.ndim, op);
  const rest = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const restShape = rest.map((i) => a.shape[i]);
  const n = axes.reduce((p, ax) => p * a.shape[ax], 1);
  const moved = a.transpose([...rest, ...axes]).reshape([...restShape, n]);
  return {
    sorted: sort(moved, -1),
    n,
    keptShape: a.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    restShape,
  };
}

/** The values at rank k of every lane. */
const rank = (sorted: NDArray, k: number): NDArray => sorted.slice('...', k);

/** NaN where a lane holds NaN (sorted last), r elsewhere. */
function nanLanes(l: Lanes, r: NDArray): NDArray {
  if (!isFloat(l.sorted.dtype) || l.n === 0) return r;
  return where(isnan(rank(l.sorted, l.n - 1)), NaN, r);
}

/** numpy's median: the middle value, or the mean of the two middle values; integers give float64. */
export function median(a: NDArray, axis: Axis = null, keepdims = false): NDArray {
  const l = sortedLanes(a, axis, 'median');
  const s = isFloat(l.sorted.dtype) ? l.sorted : l.sorted.astype('float64');
  const mid = Math.floor(l.n / 2);
  let r: NDArray;
  if (l.n === 0) r = full(l.restShape, NaN, s.dtype);
  else if (l.n % 2 === 1) r = rank(s, mid).copy();
  else
    r = rank(s, mid - 1)
      .add(rank(s, mid))
      .div(2);
  r = nanLanes(l, r);
  return keepdims ? r.reshape(l.keptShape) : r;
}

/** numpy's _lerp: a + (b − a)·t, computed from b's side when t >= 0.5 (exact at both ends). */
function lerp(a: NDArray, b: NDArray, t: number, strong: boolean): NDArray {
  // A quantile given as a list is a float64 array in numpy, so it promotes; a single number is weak.
  const w = (v: number) => (strong ? new NDArray(new Float64Array([v]), [], 'float64') : v);
  const diff = b.sub(a);
  return t >= 0.5 ? b.sub(diff.mul(w(1 - t))) : a.add(diff.mul(w(t)));
}

/** Rounds half to even, as np.around. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** One quantile q of every lane (shape restShape). */
function quantileOf(l: Lanes, q: number, method: QuantileMethod, strong: boolean): NDArray {
  const { sorted, n } = l;
  if (n === 0) return full(l.restShape, NaN, isFloat(sorted.dtype) ? sorted.dtype : 'float64');
  const v = (n - 1) * q;
  if (method === 'lower') return rank(sorted, Math.floor(v)).copy();
  if (method === 'higher') return rank(sorted, Math.ceil(v)).copy();
  if (method === 'nearest') return rank(sorted, roundHalfEven(v)).copy();
  const s = isFloat(sorted.dtype) ? sorted : sorted.astype('float64');
  const virtual = method === 'midpoint' ? 0.5 * (Math.floor(v) + Math.ceil(v)) : v;
  // numpy's _get_indexes: past the last rank both neighbours are the last; below 0 both are the first.
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) prev = next = n - 1;
  if (virtual < 0) prev = next = 0;
  const gamma = method === 'midpoint' ? (virtual % 1 === 0 ? 0 : 0.5) : virtual - prev;
  return lerp(rank(s, prev), rank(s, next), gamma, strong);
}

function quantiles(
  op: string,
  a: NDArray,
  q: number | readonly number[] | NDArray,
  scale: number,
  axis: Axis,
  { keepdims = false, method = 'linear' }: QuantileOptions,
): NDArray {
  if (!METHODS.includes(method))
    throw new RangeError(`${op}: '${method}' is not a valid method. Use one of: ${METHODS.join(', ')}`);
  const qShape = typeof q === 'number' ? [] : q instanceof NDArray ? [...q.shape] : [q.length];
  const qs = typeof q === 'number' ? [q] : q instanceof NDArray ? Array.from(q.toTypedArray()) : [...q];
  const fractions = qs.map((x) => x / scale);
  if (!fractions.every((f) => f >= 0 && f <= 1)) {
    throw new RangeError(
      scale === 1
        ? `${op}: Quantiles must be in the range [0, 1]`
        : `${op}: Percentiles must be in the range [0, 100]`,
    );
  }
  const l = sortedLanes(a, axis, op);
  const each = fractions.map((f) => {
    const r = nanLanes(l, quantileOf(l, f, method, typeof q !== 'number'));
    return keepdims ? r.reshape(l.keptShape) : r;
  });
  if (typeof q === 'number') return each[0];
  const outShape = [...qShape, ...each[0].shape];
  return each.length === 0 ? full(outShape, NaN) : stack(each, 0).reshape(outShape);
}

/**
 * numpy's quantile: the q-th quantiles (q in [0, 1], one number or several) of `a` over `axis` (all axes when
 * null). Several q give a leading axis of their shape. Integers give float64 (except 'lower', 'higher' and
 * 'nearest', which return elements); float32 stays float32 for a single q.
 */
export function quantile(
  a: NDArray,
  q: number | readonly number[] | NDArray,
  axis: Axis = null,
  options: QuantileOptions = {},
): NDArray {
  return quantiles('quantile', a, q, 1, axis, options);
}

/** numpy's percentile: quantile with q in [0, 100]. */
export function percentile(
  a: NDArray,
  q: number | readonly number[] | NDArray,
  axis: Axis = null,
  options: QuantileOptions = {},
): NDArray {
  return quantiles('percentile', a, q, 100, axis, options);
}
