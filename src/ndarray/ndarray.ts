/**
 * NDArray: a typed buffer seen through shape, strides and offset, as numpy's ndarray.
 *
 * Views (reshape, transpose, slice, squeeze, expandDims, broadcastTo, ...) share the buffer and write
 * through; everything that computes lives in the op modules, and the methods here delegate to them so
 * both `sum(a, 0)` and `a.sum(0)` read as they do in numpy. Arrays are garbage-collected: there is no dispose.
 */
import { allocate, castChecked, type DType, type TypedArray } from './dtype.js';
import { checkShape, contiguousStrides, fmtShape, normalizeAxis, sizeOf, type Shape } from './shape.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as la from './linalg.js';
import * as idx from './indexing.js';
import * as man from './manipulation.js';
import * as diagonals from './diagonal.js';
import { formatArray } from './format.js';

/** One index in `get`/`set`/`slice`: an integer, a slice string like '1:5:2', ':' or '...', or null (newaxis). */
export type SliceSpec = number | string | null;
/** Advanced indices are also allowed in `get`/`set`: integer arrays (fancy) and bool masks. */
export type IndexSpec = SliceSpec | NDArray | number[];

export type Operand = NDArray | number;

export class NDArray {
  /** The shared buffer (bool arrays are Uint8Array of 0/1). */
  readonly data: TypedArray;
  readonly shape: readonly number[];
  /** Strides in elements (not bytes). */
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;

  constructor(data: TypedArray, shape: Shape, dtype: DType, strides?: readonly number[], offset = 0) {
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = dtype;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** True when the elements are in C order with no gaps, starting at `offset`. */
  get isContiguous(): boolean {
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== acc) return false;
      acc *= this.shape[i];
    }
    return true;
  }

  /** The transpose (reversed axes), a view. */
  get T(): NDArray {
    return this.transpose();
  }

  // ---- element access -------------------------------------------------------------------------

  private flatIndex(index: readonly number[], op: string): number {
    if (index.length !== this.ndim) {
      throw new RangeError(`${op}: got ${index.length} indices for an array of dimension ${this.ndim}`);
    }
    let o = this.offset;
    for (let i = 0; i < index.length; i++) {
      const d = this.shape[i];
      let k = index[i];
      if (!Number.isInteger(k) || k < -d || k >= d) {
        throw new RangeError(`${op}: index ${k} is out of bounds for axis ${i} with size ${d}`);
      }
      if (k < 0) k += d;
      o += k * this.strides[i];
    }
    return o;
  }

  /** The element at integer indices (negative counts from the end); `item()` on a size-1 array. */
  item(...index: number[]): number {
    if (index.length === 0) {
      if (this.size !== 1)
        throw new RangeError(`item: can only convert an array of size 1, got shape ${fmtShape(this.shape)}`);
      return this.data[
        this.offset + this.strides.reduce((s, st, i) => s + (this.shape[i] === 1 ? 0 : st), 0)
      ];
    }
    return this.data[this.flatIndex(index, 'item')];
  }

  /** Sets one element: `a.setItem(value, i, j)`. */
  setItem(value: number, ...index: number[]): void {
    this.data[this.flatIndex(index, 'setItem')] = castChecked(this.dtype, value, 'setItem');
  }

  // ---- views ----------------------------------------------------------------------------------

  /** A view with a new shape (one dimension may be -1); copies only when the strides cannot express it. */
  reshape(...shapeArg: (number | readonly number[])[]): NDArray {
    const req = (shapeArg.length === 1 && Array.isArray(shapeArg[0]) ? shapeArg[0] : shapeArg) as number[];
    const shape = [...req];
    const neg = shape.filter((d) => d === -1).length;
    if (neg > 1) throw new RangeError('reshape: can only specify one unknown dimension');
    const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (neg === 1) {
      if (known === 0 || this.size % known !== 0) {
        throw new RangeError(
          `reshape: cannot reshape array of size ${this.size} into shape ${fmtShape(req)}`,
        );
      }
      shape[shape.indexOf(-1)] = this.size / known;
    }
    checkShape(shape, 'reshape');
    if (sizeOf(shape) !== this.size) {
      throw new RangeError(`reshape: cannot reshape array of size ${this.size} into shape ${fmtShape(req)}`);
    }
    const strides = viewStrides(this.shape, this.strides, shape);
    if (strides) return new NDArray(this.data, shape, this.dtype, strides, this.offset);
    return this.copy().reshape(shape);
  }

  /** Permutes axes (default: reverse them), a view. */
  transpose(...axesArg: (number | readonly number[])[]): NDArray {
    const given = (axesArg.length === 1 && Array.isArray(axesArg[0]) ? axesArg[0] : axesArg) as number[];
    const nd = this.ndim;
    const axes =
      given.length === 0
        ? [...Array(nd).keys()].reverse()
        : given.map((a) => normalizeAxis(a, nd, 'transpose'));
    if (axes.length !== nd || new Set(axes).size !== nd) {
      throw new RangeError(`transpose: axes ${JSON.stringify(given)} don't match array of dimension ${nd}`);
    }
    return new NDArray(
      this.data,
      axes.map((a) => this.shape[a]),
      this.dtype,
      axes.map((a) => this.strides[a]),
      this.offset,
    );
  }

  /** A view with axes a and b exchanged (np.swapaxes). */
  swapaxes(a: number, b: number): NDArray {
    const axes = [...Array(this.ndim).keys()];
    const i = normalizeAxis(a, this.ndim, 'swapaxes');
    const j = normalizeAxis(b, this.ndim, 'swapaxes');
    [axes[i], axes[j]] = [axes[j], axes[i]];
    return this.transpose(axes);
  }

  /** Moves axes `source` to positions `destination`, keeping the others in order (np.moveaxis). */
  moveaxis(source: number | number[], destination: number | number[]): NDArray {
    const src = (typeof source === 'number' ? [source] : source).map((a) =>
      normalizeAxis(a, this.ndim, 'moveaxis'),
    );
    const dst = (typeof destination === 'number' ? [destination] : destination).map((a) =>
      normalizeAxis(a, this.ndim, 'moveaxis'),
    );
    if (src.length !== dst.length)
      throw new RangeError('moveaxis: source and destination must have the same length');
    const order = [...Array(this.ndim).keys()].filter((a) => !src.includes(a));
    const pairs = dst.map((d, k) => [d, src[k]]).sort((p, q) => p[0] - q[0]);
    for (const [d, s] of pairs) order.splice(d, 0, s);
    return this.transpose(order);
  }

  /** Removes size-1 axes (all of them, or the ones named), a view. */
  squeeze(axis?: number | number[]): NDArray {
    let drop: number[];
    if (axis === undefined) drop = this.shape.flatMap((d, i) => (d === 1 ? [i] : []));
    else {
      drop = (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis(a, this.ndim, 'squeeze'));
      for (const a of drop) {
        if (this.shape[a] !== 1) {
          throw new RangeError(
            `squeeze: cannot select an axis to squeeze out which has size not equal to one (axis ${a} of shape ${fmtShape(this.shape)})`,
          );
        }
      }
    }
    const keep = [...Array(this.ndim).keys()].filter((i) => !drop.includes(i));
    return new NDArray(
      this.data,
      keep.map((i) => this.shape[i]),
      this.dtype,
      keep.map((i) => this.strides[i]),
      this.offset,
    );
  }

  /** Inserts a size-1 axis at `axis` (np.expand_dims), a view. */
  expandDims(axis: number): NDArray {
    const a = normalizeAxis(axis, this.ndim + 1, 'expandDims');
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(a, 0, 1);
    strides.splice(a, 0, 0);
    return new NDArray(this.data, shape, this.dtype, strides, this.offset);
  }

  /** A read-mostly view broadcast to `shape` (stretched axes have stride 0, as numpy's broadcast_to). */
  broadcastTo(shape: Shape): NDArray {
    checkShape(shape, 'broadcastTo');
    const off = shape.length - this.ndim;
    const bad = () =>
      new RangeError(
        `broadcastTo: cannot broadcast array of shape ${fmtShape(this.shape)} to shape ${fmtShape(shape)}`,
      );
    if (off < 0) throw bad();
    const strides = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < this.ndim; i++) {
      if (this.shape[i] === shape[off + i]) strides[off + i] = this.strides[i];
      else if (this.shape[i] !== 1) throw bad();
    }
    return new NDArray(this.data, shape, this.dtype, strides, this.offset);
  }

  /** Flattened to 1-D: a view when contiguous, else a copy (np.ravel). */
  ravel(): NDArray {
    return this.reshape(-1);
  }

  /** Always a copy, flattened (np.ndarray.flatten). */
  flatten(): NDArray {
    return this.copy().reshape(-1);
  }

  /** A C-contiguous copy. */
  copy(): NDArray {
    // Contiguous: one native memcpy (a kernel call would copy into its memory and back out).
    if (this.isContiguous)
      return new NDArray(this.data.slice(this.offset, this.offset + this.size), [...this.shape], this.dtype);
    return ew.unaryOp('copy', this, this.dtype, 'copy');
  }

  /** This array when already contiguous, else a contiguous copy (np.ascontiguousarray). */
  contiguous(): NDArray {
    return this.isContiguous ? this : this.copy();
  }

  /** A copy converted to `dtype` (float→int truncates toward zero, as numpy's astype). */
  astype(dtype: DType): NDArray {
    return ew.unaryOp(dtype === 'bool' ? 'toBool' : 'copy', this, dtype, 'astype');
  }

  /**
   * Basic slicing, always a view: `a.slice(0, '1:3', '::-1', null, '...')` is numpy's a[0, 1:3, ::-1, None, ...].
   */
  slice(...specs: SliceSpec[]): NDArray {
    return idx.basicIndex(this, specs, 'slice');
  }

  /** numpy's a[...] for reading: basic indices give a view, integer arrays or bool masks give a copy. */
  get(...specs: IndexSpec[]): NDArray {
    return idx.indexGet(this, specs);
  }

  /** numpy's a[...] = value, writing through to this array (values broadcast to the indexed shape). */
  set(specs: IndexSpec | IndexSpec[], value: Operand): this {
    idx.indexSet(
      this,
      Array.isArray(specs) && !specs.every((s) => typeof s === 'number')
        ? (specs as IndexSpec[])
        : [specs as IndexSpec],
      value,
    );
    return this;
  }

  /** Fills every element with `value`, in place. */
  fill(value: number): this {
    ew.assign(this, castChecked(this.dtype, value, 'fill'));
    return this;
  }

  // ---- elementwise (see elementwise.ts) -------------------------------------------------------------
  /** this + b, broadcast. */
  add(b: Operand): NDArray {
    return ew.add(this, b);
  }
  /** this − b, broadcast. */
  sub(b: Operand): NDArray {
    return ew.sub(this, b);
  }
  /** this · b elementwise, broadcast. */
  mul(b: Operand): NDArray {
    return ew.mul(this, b);
  }
  /** this / b, broadcast (true division). */
  div(b: Operand): NDArray {
    return ew.div(this, b);
  }
  /** this ** b, broadcast. */
  pow(b: Operand): NDArray {
    return ew.pow(this, b);
  }
  /** Elementwise maximum with b, broadcast. */
  maximum(b: Operand): NDArray {
    return ew.maximum(this, b);
  }
  /** Elementwise minimum with b, broadcast. */
  minimum(b: Operand): NDArray {
    return ew.minimum(this, b);
  }
  /** this == b, as bool. */
  eq(b: Operand): NDArray {
    return ew.equal(this, b);
  }
  /** this != b, as bool. */
  ne(b: Operand): NDArray {
    return ew.notEqual(this, b);
  }
  /** this < b, as bool. */
  lt(b: Operand): NDArray {
    return ew.less(this, b);
  }
  /** this <= b, as bool. */
  le(b: Operand): NDArray {
    return ew.lessEqual(this, b);
  }
  /** this > b, as bool. */
  gt(b: Operand): NDArray {
    return ew.greater(this, b);
  }
  /** this >= b, as bool. */
  ge(b: Operand): NDArray {
    return ew.greaterEqual(this, b);
  }
  /** −this. */
  neg(): NDArray {
    return ew.neg(this);
  }
  /** |this|. */
  abs(): NDArray {
    return ew.abs(this);
  }
  /** e^this. */
  exp(): NDArray {
    return ew.exp(this);
  }
  /** Natural logarithm. */
  log(): NDArray {
    return ew.log(this);
  }
  /** Square root. */
  sqrt(): NDArray {
    return ew.sqrt(this);
  }
  /** this². */
  square(): NDArray {
    return ew.square(this);
  }
  /** Hyperbolic tangent. */
  tanh(): NDArray {
    return ew.tanh(this);
  }
  /** The logistic sigmoid 1 / (1 + e^−x). */
  sigmoid(): NDArray {
    return ew.sigmoid(this);
  }
  /** −1, 0 or 1 by sign. */
  sign(): NDArray {
    return ew.sign(this);
  }
  /** Values limited to [lo, hi] (null: no bound), np.clip. */
  clip(lo: number | null, hi: number | null): NDArray {
    return ew.clip(this, lo, hi);
  }
  /** In place: this += b (b broadcast to this shape; the result cast to this dtype). */
  addInPlace(b: Operand): this {
    ew.add(this, b, this);
    return this;
  }
  /** In place: this −= b (b broadcast to this shape). */
  subInPlace(b: Operand): this {
    ew.sub(this, b, this);
    return this;
  }
  /** In place: this *= b (b broadcast to this shape). */
  mulInPlace(b: Operand): this {
    ew.mul(this, b, this);
    return this;
  }
  /** In place: this /= b (b broadcast to this shape). */
  divInPlace(b: Operand): this {
    ew.div(this, b, this);
    return this;
  }

  // ---- reductions (see reduce.ts) ---------------------------------------------------------------
  /** Sum over `axis` (all when omitted). */
  sum(axis?: red.Axis, keepdims = false): NDArray {
    return red.sum(this, axis, keepdims);
  }
  /** Mean over `axis` (all when omitted). */
  mean(axis?: red.Axis, keepdims = false): NDArray {
    return red.mean(this, axis, keepdims);
  }
  /** Variance over `axis` with ddof (np.var). */
  var(axis?: red.Axis, keepdims = false, ddof = 0): NDArray {
    return red.variance(this, axis, keepdims, ddof);
  }
  /** Standard deviation over `axis` with ddof (np.std). */
  std(axis?: red.Axis, keepdims = false, ddof = 0): NDArray {
    return red.std(this, axis, keepdims, ddof);
  }
  /** Maximum over `axis` (all when omitted). */
  max(axis?: red.Axis, keepdims = false): NDArray {
    return red.max(this, axis, keepdims);
  }
  /** Minimum over `axis` (all when omitted). */
  min(axis?: red.Axis, keepdims = false): NDArray {
    return red.min(this, axis, keepdims);
  }
  /** Product over `axis` (all when omitted). */
  prod(axis?: red.Axis, keepdims = false): NDArray {
    return red.prod(this, axis, keepdims);
  }
  /** Whether any element over `axis` is nonzero. */
  any(axis?: red.Axis, keepdims = false): NDArray {
    return red.any(this, axis, keepdims);
  }
  /** Whether every element over `axis` is nonzero. */
  all(axis?: red.Axis, keepdims = false): NDArray {
    return red.all(this, axis, keepdims);
  }
  /** Index of the maximum over `axis` (flattened when omitted), int32. */
  argmax(axis?: number | null, keepdims = false): NDArray {
    return red.argmax(this, axis, keepdims);
  }
  /** Index of the minimum over `axis` (flattened when omitted), int32. */
  argmin(axis?: number | null, keepdims = false): NDArray {
    return red.argmin(this, axis, keepdims);
  }
  /** Cumulative sum along `axis` (flattened when omitted). */
  cumsum(axis?: number | null): NDArray {
    return red.cumsum(this, axis);
  }
  /** Cumulative product along `axis` (flattened when omitted). */
  cumprod(axis?: number | null): NDArray {
    return red.cumprod(this, axis);
  }
  /** np.ndarray.diagonal: the offset diagonal of the (axis1, axis2) planes, as the last axis; a view. */
  diagonal(offset = 0, axis1 = 0, axis2 = 1): NDArray {
    return diagonals.diagonal(this, offset, axis1, axis2);
  }
  /** np.ndarray.trace: the sum of diagonal(offset, axis1, axis2). */
  trace(offset = 0, axis1 = 0, axis2 = 1): NDArray {
    return diagonals.trace(this, offset, axis1, axis2);
  }

  // ---- selection and manipulation (see indexing.ts, manipulation.ts) ----------------------------------
  /** np.take: elements at `indices` along `axis` (of the flattened array when axis is null). */
  take(indices: NDArray | number[] | number, axis: number | null = null): NDArray {
    return idx.take(this, indices, axis);
  }
  /** np.repeat: each element (or slice along `axis`) repeated. */
  repeat(repeats: number | readonly number[], axis: number | null = null): NDArray {
    return man.repeat(this, repeats, axis);
  }
  /** np.argsort (stable) along `axis` (default the last). */
  argsort(axis: number | null = -1): NDArray {
    return man.argsort(this, axis);
  }
  /** np.nonzero: one int32 index array per axis. */
  nonzero(): NDArray[] {
    return idx.nonzeroOf(this);
  }

  // ---- linear algebra (see linalg.ts) -----------------------------------------------------------
  /** np.dot: inner product of vectors, matrix product of 2-D arrays. */
  dot(b: NDArray): NDArray {
    return la.dot(this, b);
  }
  /** this @ b: matrix product, batched over leading axes (np.matmul). */
  matmul(b: NDArray): NDArray {
    return la.matmul(this, b);
  }

  // ---- conversion -----------------------------------------------------------------------------------
  /** Nested JS arrays (a number for a 0-d array), as numpy's tolist. Bools become true/false. */
  toArray(): NestedArray {
    const rec = (dim: number, off: number): NestedArray => {
      if (dim === this.ndim) return this.dtype === 'bool' ? this.data[off] !== 0 : this.data[off];
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(rec(dim + 1, off + i * this.strides[dim]));
      return out;
    };
    return rec(0, this.offset);
  }

  /** A contiguous typed array of the elements in C order (the buffer itself when already contiguous and whole). */
  toTypedArray(): TypedArray {
    const c = this.contiguous();
    if (c.offset === 0 && c.data.length === c.size) return c.data;
    return c.data.subarray(c.offset, c.offset + c.size);
  }

  /** numpy's repr: array([[1., 2.], [3., 4.]]), summarised with ... when large. */
  toString(): string {
    return formatArray(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type NestedArray = number | boolean | NestedArray[];

/** What a value is, for error messages: `null`, `a string ('x')`, `an object`, `a bigint (2n)`... */
export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return 'an array';
  switch (typeof x) {
    case 'string':
      return `a string (${JSON.stringify(x.length > 20 ? x.slice(0, 20) + '...' : x).replace(/^"|"$/g, "'")})`;
    case 'bigint':
      return `a bigint (${x}n)`;
    case 'number':
    case 'boolean':
      return `a ${typeof x} (${x})`;
    case 'object':
      return x instanceof NDArray ? 'an NDArray' : 'an object';
    default:
      return `a ${typeof x}`;
  }
}

/**
 * Checks that operand `position` (1-based) of `op` is an NDArray, or also a number when `numberOk`; else a
 * TypeError naming the op, the operand and what it is (untyped JS callers get this instead of a crash inside).
 */
export function checkOperand(x: unknown, op: string, position: number, numberOk = false): void {
  if (x instanceof NDArray || (numberOk && typeof x === 'number')) return;
  const hint = Array.isArray(x) ? ' (wrap it with array())' : '';
  throw new TypeError(
    `${op}: operand ${position} is ${describeValue(x)}; expected an NDArray${numberOk ? ' or a number' : ''}${hint}`,
  );
}

/** Allocates a new contiguous array of `shape` and `dtype`, zero-filled. */
export function allocArray(shape: Shape, dtype: DType, op = 'empty'): NDArray {
  const s = checkShape(shape, op);
  return new NDArray(allocate(dtype, sizeOf(s)), s, dtype);
}

/**
 * Strides for viewing (shape, strides) as `newShape` without copying, or null when impossible
 * (numpy's _attempt_nocopy_reshape): groups of old axes must each be contiguous.
 */
function viewStrides(
  shape: readonly number[],
  strides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  const oldDims: number[] = [];
  const oldStr: number[] = [];
  shape.forEach((d, i) => {
    if (d !== 1) {
      oldDims.push(d);
      oldStr.push(strides[i]);
    }
  });
  if (sizeOf(shape) === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length).fill(0);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length && oi < oldDims.length) {
    let np_ = newShape[ni];
    let op_ = oldDims[oi];
    const oj0 = oi;
    const nj0 = ni;
    let nj = ni + 1;
    let oj = oi + 1;
    while (np_ !== op_) {
      if (np_ < op_) np_ *= newShape[nj++];
      else op_ *= oldDims[oj++];
    }
    for (let k = oj0; k < oj - 1; k++) if (oldStr[k] !== oldDims[k + 1] * oldStr[k + 1]) return null;
    out[nj - 1] = oldStr[oj - 1];
    for (let k = nj - 1; k > nj0; k--) out[k - 1] = out[k] * newShape[k];
    ni = nj;
    oi = oj;
  }
  // Trailing size-1 dims get any stride.
  for (let k = ni; k < newShape.length; k++) out[k] = 1;
  return out;
}
