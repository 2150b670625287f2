/**
 * Array manipulation as numpy's: joining (concatenate, stack, vstack, hstack), splitting (split, arraySplit),
 * padding, tiling and repeating, rearranging (flip, fliplr, flipud, roll), sorting (sort, argsort), unique and
 * bincount.
 *
 * Everything is built on views plus one backend copy per piece (assign), so there are no new hot loops here;
 * the sorts run on contiguous lanes of a copy.
 */
import { promoteTypes, type DType, type TypedArray } from './dtype.js';
import { NDArray, allocArray } from './ndarray.js';
import { assign } from './elementwise.js';
import { take } from './indexing.js';
import { fmtShape, normalizeAxes, normalizeAxis } from './shape.js';

function checkList(arrays: readonly NDArray[], op: string): void {
  if (arrays.length === 0) throw new RangeError(`${op}: need at least one array to ${op}`);
}

/** A slice spec string selecting [start, stop) on axis `ax` and everything on the axes before it. */
function sliceOn(ax: number, start: number, stop: number): string[] {
  const specs = new Array<string>(ax).fill(':');
  specs.push(`${start}:${stop}`);
  return specs;
}

/**
 * Joins arrays along an existing axis: (2, 3) and (4, 3) on axis 0 give (6, 3). axis null joins the
 * flattened arrays. The dtype is the promotion of all the inputs' dtypes.
 */
export function concatenate(arrays: readonly NDArray[], axis: number | null = 0): NDArray {
  checkList(arrays, 'concatenate');
  const list = axis === null ? arrays.map((a) => a.ravel()) : arrays;
  const first = list[0];
  if (first.ndim === 0) throw new RangeError('concatenate: zero-dimensional arrays cannot be concatenated');
  const ax = normalizeAxis(axis ?? 0, first.ndim, 'concatenate');
  let dtype: DType = first.dtype;
  let total = 0;
  list.forEach((a, k) => {
    if (a.ndim !== first.ndim) {
      throw new RangeError(
        `concatenate: all the input arrays must have same number of dimensions, but the array at index 0 has ${first.ndim} dimension(s) and the array at index ${k} has ${a.ndim} dimension(s)`,
      );
    }
    for (let d = 0; d < a.ndim; d++) {
      if (d !== ax && a.shape[d] !== first.shape[d]) {
        throw new RangeError(
          `concatenate: all the input array dimensions except for the concatenation axis must match exactly, but along dimension ${d}, the array at index 0 has size ${first.shape[d]} and the array at index ${k} has size ${a.shape[d]}`,
        );
      }
    }
    dtype = promoteTypes(dtype, a.dtype);
    total += a.shape[ax];
  });
  const shape = [...first.shape];
  shape[ax] = total;
  const out = allocArray(shape, dtype, 'concatenate');
  let start = 0;
  for (const a of list) {
    const n = a.shape[ax];
    if (n > 0) assign(out.slice(...sliceOn(ax, start, start + n)), a);
    start += n;
  }
  return out;
}

/** np.flip: the order of the elements reversed along `axis` (one, several, or all when null), a view. */
export function flip(a: NDArray, axis: number | readonly number[] | null = null): NDArray {
  const strides = [...a.strides];
  let offset = a.offset;
  for (const ax of normalizeAxes(axis, a.ndim, 'flip')) {
    if (a.shape[ax] > 0) offset += (a.shape[ax] - 1) * strides[ax];
    strides[ax] = -strides[ax];
  }
  return new NDArray(a.data, a.shape, a.dtype, strides, offset);
}

/** np.fliplr: columns reversed (axis 1), a view of an array of at least 2 dimensions. */
export function fliplr(a: NDArray): NDArray {
  if (a.ndim < 2) throw new RangeError('fliplr: Input must be >= 2-d.');
  return flip(a, 1);
}

/** np.flipud: rows reversed (axis 0), a view of an array of at least 1 dimension. */
export function flipud(a: NDArray): NDArray {
  if (a.ndim < 1) throw new RangeError('flipud: Input must be >= 1-d.');
  return flip(a, 0);
}

/**
 * np.roll: elements shifted by `shift` along `axis`, those pushed off one end coming back at the other; a
 * copy. With axis null the flattened array rolls and keeps its shape; shift and axis may be lists of equal
 * length (a repeated axis adds its shifts).
 */
export function roll(
  a: NDArray,
  shift: number | readonly number[],
  axis: number | readonly number[] | null = null,
): NDArray {
  if (axis === null) return roll(a.ravel(), shift, 0).reshape(a.shape);
  const shifts = typeof shift === 'number' ? [shift] : [...shift];
  const axes = typeof axis === 'number' ? [axis] : [...axis];
  const n = Math.max(shifts.length, axes.length);
  if ((shifts.length !== 1 && shifts.length !== n) || (axes.length !== 1 && axes.length !== n))
    throw new RangeError(
      `roll: shift ${JSON.stringify(shift)} and axis ${JSON.stringify(axis)} do not match`,
    );
  const by = new Array<number>(a.ndim).fill(0);
  for (let i = 0; i < n; i++) {
    const s = shifts[shifts.length === 1 ? 0 : i];
    if (!Number.isInteger(s)) throw new RangeError(`roll: shift ${s} is not an integer`);
    by[normalizeAxis(axes[axes.length === 1 ? 0 : i], a.ndim, 'roll')] += s;
  }
  let r = a.copy();
  by.forEach((s, ax) => {
    const len = a.shape[ax];
    const k = len === 0 ? 0 : ((s % len) + len) % len;
    if (k === 0) return;
    const out = allocArray(r.shape, r.dtype, 'roll');
    assign(out.slice(...sliceOn(ax, k, len)), r.slice(...sliceOn(ax, 0, len - k)));
    assign(out.slice(...sliceOn(ax, 0, k)), r.slice(...sliceOn(ax, len - k, len)));
    r = out;
  });
  return r;
}

/** Joins same-shaped arrays along a new axis: three (2, 3) arrays on axis 0 give (3, 2, 3). */
export function stack(arrays: readonly NDArray[], axis = 0): NDArray {
  checkList(arrays, 'stack');
  const s = arrays[0].shape;
  for (const a of arrays) {
    if (a.ndim !== s.length || a.shape.some((d, i) => d !== s[i]))
      throw new RangeError(
        `stack: all input arrays must have the same shape, got ${fmtShape(s)} and ${fmtShape(a.shape)}`,
      );
  }
  const ax = normalizeAxis(axis, s.length + 1, 'stack');
  return concatenate(
    arrays.map((a) => a.expandDims(ax)),
    ax,
  );
}

/** np.atleast_2d: 0-d becomes (1, 1), 1-D (N,) becomes (1, N). */
export function atleast2d(a: NDArray): NDArray {
  if (a.ndim === 0) return a.reshape(1, 1);
  if (a.ndim === 1) return a.reshape(1, -1);
  return a;
}

/** Stacks rows: 1-D arrays of length N become rows of an (k, N) array; others join along axis 0. */
export function vstack(arrays: readonly NDArray[]): NDArray {
  checkList(arrays, 'vstack');
  return concatenate(arrays.map(atleast2d), 0);
}

/** Stacks columns: 1-D arrays join end to end; others join along axis 1. */
export function hstack(arrays: readonly NDArray[]): NDArray {
  checkList(arrays, 'hstack');
  const a1 = arrays.map((a) => (a.ndim === 0 ? a.reshape(1) : a));
  return concatenate(a1, a1[0].ndim === 1 ? 0 : 1);
}

function splitAt(a: NDArray, bounds: number[], ax: number): NDArray[] {
  const n = a.shape[ax];
  const out: NDArray[] = [];
  let prev = 0;
  for (const b of [...bounds, n]) {
    const lo = Math.min(Math.max(prev, 0), n);
    const hi = Math.min(Math.max(b, lo), n);
    out.push(a.slice(...sliceOn(ax, lo, hi)));
    prev = b;
  }
  return out;
}

function normalizeBounds(indices: readonly number[], n: number): number[] {
  return indices.map((i) => (i < 0 ? Math.max(i + n, 0) : i));
}

/**
 * Splits into views: `sections` equal parts (which must divide the axis), or at the given indices
 * (split(a, [2, 5]) gives a[:2], a[2:5], a[5:]).
 */
export function split(a: NDArray, sections: number | readonly number[], axis = 0): NDArray[] {
  const ax = normalizeAxis(axis, a.ndim, 'split');
  const n = a.shape[ax];
  if (typeof sections === 'number') {
    if (!Number.isInteger(sections) || sections <= 0)
      throw new RangeError(`split: number sections must be larger than 0, got ${sections}`);
    if (n % sections !== 0)
      throw new RangeError(
        `split: array split does not result in an equal division: axis of size ${n} into ${sections} sections`,
      );
    return arraySplit(a, sections, axis);
  }
  return splitAt(a, normalizeBounds(sections, n), ax);
}

/** np.array_split: like split, but `sections` need not divide the axis (the first parts get one more). */
export function arraySplit(a: NDArray, sections: number | readonly number[], axis = 0): NDArray[] {
  const ax = normalizeAxis(axis, a.ndim, 'arraySplit');
  const n = a.shape[ax];
  if (typeof sections !== 'number') return splitAt(a, normalizeBounds(sections, n), ax);
  if (!Number.isInteger(sections) || sections <= 0)
    throw new RangeError(`arraySplit: number sections must be larger than 0, got ${sections}`);
  const each = Math.floor(n / sections);
  const extra = n % sections;
  const bounds: number[] = [];
  let acc = 0;
  for (let i = 0; i < sections - 1; i++) {
    acc += each + (i < extra ? 1 : 0);
    bounds.push(acc);
  }
  return splitAt(a, bounds, ax);
}

/** np.pad's modes. */
export type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric' | 'wrap';
/** np.pad's pad_width: one number, (before, after), or one pair per axis. */
export type PadWidth = number | readonly number[] | readonly (readonly number[])[];

/** numpy's pad_width forms: n, [n], [before, after], [[before, after]] or one [before, after] per axis. */
function padPairs(padWidth: PadWidth, ndim: number): [number, number][] {
  let pairs: [number, number][];
  if (typeof padWidth === 'number') pairs = [[padWidth, padWidth]];
  else if (padWidth.length > 0 && typeof padWidth[0] === 'number') {
    const w = padWidth as readonly number[];
    if (w.length === 1) pairs = [[w[0], w[0]]];
    else if (w.length === 2) pairs = [[w[0], w[1]]];
    else
      throw new RangeError(`pad: unable to create correctly shaped tuple from ${JSON.stringify(padWidth)}`);
  } else {
    pairs = (padWidth as readonly (readonly number[])[]).map((p) => {
      if (p.length === 1) return [p[0], p[0]];
      if (p.length === 2) return [p[0], p[1]];
      throw new RangeError(`pad: unable to create correctly shaped tuple from ${JSON.stringify(padWidth)}`);
    });
  }
  if (pairs.length === 1) pairs = Array.from({ length: ndim }, () => pairs[0]);
  if (pairs.length !== ndim)
    throw new RangeError(
      `pad: unable to create correctly shaped tuple from ${JSON.stringify(padWidth)} for an array of dimension ${ndim}`,
    );
  for (const [b, e] of pairs) {
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e < 0)
      throw new RangeError(
        `pad: index can't contain negative values (pad width ${JSON.stringify(padWidth)})`,
      );
  }
  return pairs;
}

/** Where padded position i (0 ≤ i < before + n + after) reads from on an axis of length n, for each mode. */
function padSource(mode: PadMode, i: number, before: number, n: number): number {
  const j = i - before;
  switch (mode) {
    case 'edge':
      return Math.min(Math.max(j, 0), n - 1);
    case 'wrap':
      return ((j % n) + n) % n;
    case 'reflect': {
      if (n === 1) return 0;
      const p = 2 * (n - 1);
      const m = ((j % p) + p) % p;
      return m < n ? m : p - m;
    }
    case 'symmetric': {
      const p = 2 * n;
      const m = ((j % p) + p) % p;
      return m < n ? m : p - 1 - m;
    }
    default:
      return j;
  }
}

/**
 * np.pad: pads each axis with `before` and `after` elements. Modes: 'constant' (constantValue),
 * 'edge', 'reflect' (mirror without the edge), 'symmetric' (mirror with the edge) and 'wrap'.
 * The CNN case, x: (N, C, H, W) padded by p on the spatial axes: pad(x, [[0, 0], [0, 0], [p, p], [p, p]]).
 */
export function pad(a: NDArray, padWidth: PadWidth, mode: PadMode = 'constant', constantValue = 0): NDArray {
  const pairs = padPairs(padWidth, a.ndim);
  const shape = a.shape.map((d, i) => d + pairs[i][0] + pairs[i][1]);
  if (mode === 'constant') {
    const out = allocArray(shape, a.dtype, 'pad');
    if (constantValue !== 0) out.fill(constantValue);
    if (a.size > 0) assign(out.slice(...a.shape.map((d, i) => `${pairs[i][0]}:${pairs[i][0] + d}`)), a);
    return out;
  }
  if (!['edge', 'reflect', 'symmetric', 'wrap'].includes(mode))
    throw new RangeError(`pad: mode '${mode}' is not supported`);
  let out = a;
  for (let ax = 0; ax < a.ndim; ax++) {
    const [b, e] = pairs[ax];
    if (b === 0 && e === 0) continue;
    const n = a.shape[ax];
    if (n === 0)
      throw new RangeError(`pad: can't extend empty axis ${ax} using modes other than 'constant' or 'empty'`);
    const idx = new Int32Array(n + b + e);
    for (let i = 0; i < idx.length; i++) idx[i] = padSource(mode, i, b, n);
    out = take(out, new NDArray(idx, [idx.length], 'int32'), ax);
  }
  return out === a ? a.copy() : out;
}

/**
 * np.tile: repeats the whole array reps[i] times along axis i (reps shorter than ndim are padded with 1s
 * in front; an array with fewer dims than reps is given leading size-1 axes).
 */
export function tile(a: NDArray, reps: number | readonly number[]): NDArray {
  const r = typeof reps === 'number' ? [reps] : [...reps];
  for (const x of r)
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`tile: reps must be non-negative integers, got ${x}`);
  const nd = Math.max(a.ndim, r.length);
  const shape = [...new Array<number>(nd - a.ndim).fill(1), ...a.shape];
  const rr = [...new Array<number>(nd - r.length).fill(1), ...r];
  // View a as (1, d0, 1, d1, ...), broadcast to (r0, d0, r1, d1, ...), copy, then merge pairs.
  const inter = a.reshape(shape).reshape(shape.flatMap((d) => [1, d]));
  const big = inter.broadcastTo(shape.flatMap((d, i) => [rr[i], d])).copy();
  return big.reshape(shape.map((d, i) => d * rr[i]));
}

/**
 * np.repeat: repeats each element (axis null: of the flattened array) or each slice along `axis`,
 * `repeats` times, or repeats[i] times for element i.
 */
export function repeat(
  a: NDArray,
  repeats: number | readonly number[] | NDArray,
  axis: number | null = null,
): NDArray {
  const src = axis === null ? a.ravel() : a;
  const ax = axis === null ? 0 : normalizeAxis(axis, a.ndim, 'repeat');
  const n = src.shape[ax];
  const reps =
    typeof repeats === 'number'
      ? [repeats]
      : repeats instanceof NDArray
        ? Array.from(repeats.toTypedArray())
        : [...repeats];
  for (const x of reps)
    if (!Number.isInteger(x) || x < 0)
      throw new RangeError(`repeat: negative dimensions are not allowed (repeats ${x})`);
  if (reps.length === 1) {
    const k = reps[0];
    const shape = [...src.shape];
    const wide = [...shape.slice(0, ax + 1), k, ...shape.slice(ax + 1)];
    shape[ax] *= k;
    return src
      .expandDims(ax + 1)
      .broadcastTo(wide)
      .copy()
      .reshape(shape);
  }
  if (reps.length !== n)
    throw new RangeError(
      `repeat: operands could not be broadcast together with shape (${n},) (${reps.length},)`,
    );
  const total = reps.reduce((s, x) => s + x, 0);
  const idx = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < reps[i]; j++) idx[k++] = i;
  return take(src, new NDArray(idx, [total], 'int32'), ax);
}

/** Copies `a` with `axis` moved last, so each lane to sort is a contiguous run of length n. */
function lanes(a: NDArray, axis: number | null, op: string): { c: NDArray; ax: number; n: number } {
  const src = axis === null ? a.ravel() : a;
  const ax = axis === null ? 0 : normalizeAxis(axis, a.ndim, op);
  const c = src.moveaxis(ax, -1).copy();
  return { c, ax, n: src.ndim === 0 ? 1 : src.shape[ax] };
}

/**
 * Sorted copy along `axis` (default the last; null sorts the flattened array). NaN sorts to the end,
 * as in numpy.
 */
export function sort(a: NDArray, axis: number | null = -1): NDArray {
  if (a.ndim === 0) {
    if (axis !== null) throw new RangeError('sort: axis 0 is out of bounds for array of dimension 0');
    return a.reshape(1).copy();
  }
  const { c, ax, n } = lanes(a, axis, 'sort');
  const d = c.data;
  // TypedArray#sort is numeric and puts NaN last, which is numpy's order.
  for (let s = 0; s < d.length; s += n) d.subarray(s, s + n).sort();
  const r = c.moveaxis(-1, ax);
  return r.isContiguous ? r : r.copy();
}

/** Compares lane values for argsort: ascending, NaN last, ties by position (stable). */
function argCompare(v: TypedArray, base: number): (i: number, j: number) => number {
  return (i, j) => {
    const x = v[base + i];
    const y = v[base + j];
    if (x < y) return -1;
    if (x > y) return 1;
    const xn = x !== x;
    const yn = y !== y;
    if (xn !== yn) return xn ? 1 : -1;
    return i - j;
  };
}

/**
 * The indices that sort `a` along `axis` (int32), a stable sort (numpy's kind='stable'; for distinct
 * values it equals numpy's default).
 */
export function argsort(a: NDArray, axis: number | null = -1): NDArray {
  if (a.ndim === 0) {
    if (axis !== null) throw new RangeError('argsort: axis 0 is out of bounds for array of dimension 0');
    return new NDArray(new Int32Array(1), [1], 'int32');
  }
  const { c, ax, n } = lanes(a, axis, 'argsort');
  const out = new NDArray(new Int32Array(c.size), c.shape, 'int32');
  const idx = out.data as Int32Array;
  for (let s = 0; s < idx.length; s += n) {
    const lane = idx.subarray(s, s + n);
    for (let i = 0; i < n; i++) lane[i] = i;
    lane.sort(argCompare(c.data, s));
  }
  const r = out.moveaxis(-1, ax);
  return r.isContiguous ? r : r.copy();
}

/** np.unique_all's result: sorted unique values, first indices, inverse indices, counts. */
export interface UniqueAll {
  /** The sorted distinct values (1-D). */
  values: NDArray;
  /** Where each value first occurs in the flattened input. */
  indices: NDArray;
  /** For each input element, the index of its value in `values` (shape of the input). */
  inverseIndices: NDArray;
  /** How often each value occurs. */
  counts: NDArray;
}

/** np.unique_all: the sorted distinct values of the flattened array, with first indices, inverse and counts. */
export function uniqueAll(a: NDArray): UniqueAll {
  const flat = a.ravel();
  const order = argsort(flat, 0).data as Int32Array;
  const v = flat.contiguous().toTypedArray();
  const n = order.length;
  const inverse = new Int32Array(n);
  const firsts: number[] = [];
  const counts: number[] = [];
  const vals: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const x = v[i];
    const prev = vals.length ? vals[vals.length - 1] : undefined;
    // NaNs collapse into one value, as numpy 2's equal_nan=True.
    const same = prev !== undefined && (x === prev || (x !== x && prev !== prev));
    if (!same) {
      vals.push(x);
      firsts.push(i); // the stable order makes the first of a run its first occurrence
      counts.push(0);
    }
    counts[counts.length - 1]++;
    inverse[i] = vals.length - 1;
  }
  const values = allocArray([vals.length], a.dtype, 'unique');
  values.data.set(vals);
  return {
    values,
    indices: new NDArray(Int32Array.from(firsts), [firsts.length], 'int32'),
    inverseIndices: new NDArray(inverse, a.shape, 'int32'),
    counts: new NDArray(Int32Array.from(counts), [counts.length], 'int32'),
  };
}

/** np.unique: the sorted distinct values of the flattened array. */
export function unique(a: NDArray): NDArray {
  const s = sort(a.ravel(), 0);
  const d = s.data;
  const keep: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (i > 0 && (d[i] === d[i - 1] || (d[i] !== d[i] && d[i - 1] !== d[i - 1]))) continue;
    keep.push(d[i]);
  }
  const out = allocArray([keep.length], a.dtype, 'unique');
  out.data.set(keep);
  return out;
}

/**
 * np.bincount: counts of each value in a 1-D array of non-negative integers (int32), or the sums of
 * `weights` per value (float64); the result has length max(x) + 1, at least `minlength`.
 */
export function bincount(x: NDArray, weights?: NDArray | null, minlength = 0): NDArray {
  if (x.ndim !== 1)
    throw new RangeError(
      `bincount: object too deep for desired array (x of shape ${fmtShape(x.shape)}, need 1-D)`,
    );
  if (x.dtype !== 'int32' && x.dtype !== 'uint8' && x.dtype !== 'bool')
    throw new TypeError(
      `bincount: cannot cast array data from dtype ${x.dtype} to int according to the rule 'safe'`,
    );
  if (!Number.isInteger(minlength) || minlength < 0)
    throw new RangeError(`bincount: minlength must be non-negative, got ${minlength}`);
  const v = x.contiguous().toTypedArray();
  let mx = -1;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0)
      throw new RangeError(`bincount: the first argument must have no negative elements (found ${v[i]})`);
    if (v[i] > mx) mx = v[i];
  }
  const len = Math.max(mx + 1, minlength);
  if (weights) {
    if (weights.ndim !== 1 || weights.shape[0] !== v.length)
      throw new RangeError(
        `bincount: the weights and list don't have the same length (${fmtShape(weights.shape)} vs ${fmtShape(x.shape)})`,
      );
    const w = weights.contiguous().toTypedArray();
    const out = new Float64Array(len);
    for (let i = 0; i < v.length; i++) out[v[i]] += w[i];
    return new NDArray(out, [len], 'float64');
  }
  const out = new Int32Array(len);
  for (let i = 0; i < v.length; i++) out[v[i]]++;
  return new NDArray(out, [len], 'int32');
}
