/**
 * Indexing as numpy does it: basic indices (integers, slices, newaxis, ellipsis) make views;
 * integer arrays and boolean masks ("advanced" indices) gather into a copy, scatter on set, and
 * accumulate with repeated indices in `addAt` (np.add.at).
 */
import { backend } from '../backend/index.js';
import { allocate, castChecked, castScalar, promoteTypes, promoteWithScalar, type DType } from './dtype.js';
import {
  NDArray,
  allocArray,
  checkOperand,
  type IndexSpec,
  type Operand,
  type SliceSpec,
} from './ndarray.js';
import { assign, logicalNot } from './elementwise.js';
import { broadcastShapes, fmtShape, normalizeAxis, sizeOf } from './shape.js';

/** A parsed slice `start:stop:step`, null where the part was left out (numpy's defaults apply). */
export interface SliceParts {
  start: number | null;
  stop: number | null;
  step: number | null;
}

function parseSlice(s: string, op: string): SliceParts {
  const parts = s.split(':');
  if (parts.length > 3) throw new SyntaxError(`${op}: invalid slice '${s}'`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new SyntaxError(`${op}: invalid slice '${s}': '${p}' is not an integer`);
    return v;
  };
  return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

/** numpy's slice.indices: the start, step and count a slice selects on an axis of length `n`. */
export function sliceIndices(
  p: SliceParts,
  n: number,
  op: string,
): { start: number; step: number; count: number } {
  const step = p.step ?? 1;
  if (step === 0) throw new RangeError(`${op}: slice step cannot be zero`);
  const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    if (v < 0) v += n;
    return Math.min(Math.max(v, lo), hi);
  };
  let start: number, stop: number;
  if (step > 0) {
    start = clamp(p.start, 0, 0, n);
    stop = clamp(p.stop, n, 0, n);
  } else {
    start = clamp(p.start, n - 1, -1, n - 1);
    stop = clamp(p.stop, -1, -1, n - 1);
    if (p.stop !== null && p.stop < -n) stop = -1;
  }
  const count =
    step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start, step, count };
}

/** Expands '...' and pads with ':' so that the specs address every axis. */
function expandEllipsis<T>(
  specs: (T | string | null)[],
  ndim: number,
  consumes: (s: T | string | null) => number,
  op: string,
): (T | string | null)[] {
  const ell = specs.filter((s) => s === '...').length;
  if (ell > 1) throw new SyntaxError(`${op}: an index can only have a single ellipsis ('...')`);
  const used = specs.reduce((n, s) => n + (s === '...' ? 0 : consumes(s)), 0);
  if (used > ndim)
    throw new RangeError(
      `${op}: too many indices for array: array is ${ndim}-dimensional, but ${used} were indexed`,
    );
  const fill = new Array(ndim - used).fill(':');
  const i = specs.indexOf('...');
  return i >= 0 ? [...specs.slice(0, i), ...fill, ...specs.slice(i + 1)] : [...specs, ...fill];
}

const consumesBasic = (s: SliceSpec) => (s === null ? 0 : 1);

/** Basic indexing: always a view. */
export function basicIndex(a: NDArray, specs: SliceSpec[], op: string): NDArray {
  const full = expandEllipsis(specs, a.ndim, consumesBasic, op);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = a.offset;
  let ax = 0;
  for (const s of full) {
    if (s === null) {
      shape.push(1);
      strides.push(0);
      continue;
    }
    const n = a.shape[ax];
    const st = a.strides[ax];
    if (typeof s === 'number') {
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw new RangeError(`${op}: index ${s} is out of bounds for axis ${ax} with size ${n}`);
      }
      offset += (s < 0 ? s + n : s) * st;
    } else if (typeof s === 'string') {
      const { start, step, count } = sliceIndices(parseSlice(s, op), n, op);
      if (count > 0) offset += start * st;
      shape.push(count);
      strides.push(st * step);
    } else {
      throw new TypeError(
        `${op}: invalid index ${String(s)} (use integers, 'start:stop:step' strings, null or '...')`,
      );
    }
    ax++;
  }
  return new NDArray(a.data, shape, a.dtype, strides, offset);
}

function isAdvanced(s: IndexSpec): s is NDArray | number[] {
  return s instanceof NDArray || Array.isArray(s);
}

/** The positions of an advanced index, as flat offsets into the buffer, and the view of what is left. */
interface Plan {
  /** Base offset for each element of the broadcast index shape. */
  offsets: Int32Array;
  indexShape: number[];
  /** The sub-array selected at each offset (axes not advanced-indexed). */
  rest: { shape: number[]; strides: number[] };
  /** Where the index dims go in the result (numpy: in place when adjacent, else first). */
  insertAt: number;
}

function plan(a: NDArray, specs: IndexSpec[], op: string): Plan {
  // 1. Bool masks become integer arrays, one per axis they cover (np.nonzero).
  const expanded: (SliceSpec | NDArray)[] = [];
  for (const s of specs) {
    if (s instanceof NDArray && s.dtype === 'bool') {
      for (const ix of nonzeroOf(s)) expanded.push(ix);
    } else if (Array.isArray(s)) {
      const arr = new NDArray(Int32Array.from(s), [s.length], 'int32');
      if (s.some((v) => typeof v !== 'number' || !Number.isInteger(v))) {
        throw new TypeError(`${op}: index arrays must hold integers`);
      }
      expanded.push(arr);
    } else if (typeof s === 'number') {
      // Beside an array index, an integer is an advanced index too (a 0-d array): that decides where
      // numpy puts the indexed dims, e.g. a[0, :, [1, 2]] on (2, 3, 4) has shape (2, 3), not (3, 2).
      if (!Number.isInteger(s)) throw new TypeError(`${op}: index ${s} is not an integer`);
      expanded.push(new NDArray(Int32Array.of(s), [], 'int32'));
    } else expanded.push(s as SliceSpec | NDArray);
  }
  const full = expandEllipsis(expanded, a.ndim, (s) => (s === null ? 0 : 1), op);
  // Boolean-mask axes were consumed one per generated index; check the masks' shapes match.
  let maskAxis = 0;
  for (const s of specs) {
    if (s instanceof NDArray && s.dtype === 'bool') {
      const covered = a.shape.slice(maskAxis, maskAxis + s.ndim);
      if (covered.length !== s.ndim || covered.some((d, i) => d !== s.shape[i])) {
        throw new RangeError(
          `${op}: boolean index of shape ${fmtShape(s.shape)} did not match indexed array of shape ${fmtShape(a.shape)} at axis ${maskAxis}`,
        );
      }
      maskAxis += s.ndim;
    } else if (s !== null && s !== '...') maskAxis++;
  }
  // 2. A basic pass with ':' in place of each advanced index, remembering which view axis each indexes.
  const basic: SliceSpec[] = [];
  const advAxes: number[] = [];
  const advArrays: NDArray[] = [];
  let vAxis = 0;
  let srcAxis = 0;
  const srcAxisOf: number[] = [];
  for (const s of full) {
    if (s instanceof NDArray) {
      if (s.dtype !== 'int32' && s.dtype !== 'uint8') {
        throw new TypeError(
          `${op}: arrays used as indices must be of integer (or boolean) type, got ${s.dtype}`,
        );
      }
      basic.push(':');
      advAxes.push(vAxis);
      advArrays.push(s);
      srcAxisOf.push(srcAxis);
      vAxis++;
      srcAxis++;
    } else {
      basic.push(s);
      if (s === null) vAxis++;
      else if (typeof s === 'string') {
        vAxis++;
        srcAxis++;
      } else srcAxis++;
    }
  }
  const v = basicIndex(a, basic, op);
  const indexShape = broadcastShapes(op, ...advArrays.map((x) => x.shape));
  const nIdx = sizeOf(indexShape);
  const offsets = new Int32Array(nIdx);
  offsets.fill(v.offset);
  for (let k = 0; k < advArrays.length; k++) {
    const ix = advArrays[k].broadcastTo(indexShape).contiguous().toTypedArray();
    const n = v.shape[advAxes[k]];
    const st = v.strides[advAxes[k]];
    for (let i = 0; i < nIdx; i++) {
      let j = ix[i];
      if (j < -n || j >= n)
        throw new RangeError(`${op}: index ${j} is out of bounds for axis ${srcAxisOf[k]} with size ${n}`);
      if (j < 0) j += n;
      offsets[i] += j * st;
    }
  }
  const restAxes = v.shape.map((_, i) => i).filter((i) => !advAxes.includes(i));
  const adjacent = advAxes.every((x, i) => i === 0 || x === advAxes[i - 1] + 1);
  return {
    offsets,
    indexShape,
    rest: { shape: restAxes.map((i) => v.shape[i]), strides: restAxes.map((i) => v.strides[i]) },
    insertAt: adjacent ? advAxes[0] : 0,
  };
}

/** Result axes are laid out as [index dims, rest dims]; this moves the index dims to `insertAt`. */
function resultOrder(p: Plan): number[] {
  const ni = p.indexShape.length;
  const nr = p.rest.shape.length;
  const order: number[] = [];
  for (let i = 0; i < p.insertAt; i++) order.push(ni + i);
  for (let i = 0; i < ni; i++) order.push(i);
  for (let i = p.insertAt; i < nr; i++) order.push(ni + i);
  return order;
}

export function indexGet(a: NDArray, specs: IndexSpec[], op = 'get'): NDArray {
  if (!specs.some(isAdvanced)) return basicIndex(a, specs as SliceSpec[], op);
  const p = plan(a, specs, op);
  const out = allocArray([...p.indexShape, ...p.rest.shape], a.dtype, op);
  const restSize = sizeOf(p.rest.shape);
  const src = a.data;
  const dst = out.data;
  if (p.rest.shape.length === 0) {
    for (let i = 0; i < p.offsets.length; i++) dst[i] = src[p.offsets[i]];
  } else {
    const be = backend();
    const outStrides = out.strides.slice(p.indexShape.length);
    for (let i = 0; i < p.offsets.length; i++) {
      be.unary(
        'copy',
        p.rest.shape,
        { data: src, offset: p.offsets[i], strides: p.rest.strides },
        { data: dst, offset: i * restSize, strides: outStrides },
      );
    }
  }
  return p.insertAt === 0 ? out : out.transpose(resultOrder(p));
}

/** Writes (mode 'set') or accumulates (mode 'add', np.add.at) `value` at the indexed positions. */
function scatter(a: NDArray, specs: IndexSpec[], value: Operand, mode: 'set' | 'add', op: string): void {
  checkOperand(value, op, 2, true);
  if (typeof value === 'number') value = castChecked(a.dtype, value, op);
  if (mode === 'set' && !specs.some(isAdvanced)) {
    assign(basicIndex(a, specs as SliceSpec[], op), value);
    return;
  }
  const p = plan(a, specs, op);
  const order = resultOrder(p);
  const resultShape = order.map((i) => [...p.indexShape, ...p.rest.shape][i]);
  let vals: NDArray;
  if (typeof value === 'number') vals = new NDArray(new Float64Array([value]), [], 'float64');
  else vals = value;
  try {
    vals = vals.broadcastTo(resultShape);
  } catch {
    throw new RangeError(
      `${op}: shape mismatch: value array of shape ${fmtShape(vals.shape)} could not be broadcast to indexing result of shape ${fmtShape(resultShape)}`,
    );
  }
  // Back to [index dims, rest dims] order.
  const inv = order.map((_, i) => order.indexOf(i));
  const v = p.insertAt === 0 ? vals : vals.transpose(inv);
  const flat = v.reshape([sizeOf(p.indexShape), ...p.rest.shape]);
  const dst = a.data;
  const src = flat.data;

  if (p.rest.shape.length === 0) {
    const st = flat.strides[0];
    for (let i = 0, k = flat.offset; i < p.offsets.length; i++, k += st) {
      const o = p.offsets[i];
      dst[o] = mode === 'set' ? src[k] : dst[o] + src[k];
    }
    if (a.dtype === 'bool') for (const o of p.offsets) dst[o] = dst[o] !== 0 ? 1 : 0;
    return;
  }
  const be = backend();
  for (let i = 0; i < p.offsets.length; i++) {
    const sv = { data: src, offset: flat.offset + i * flat.strides[0], strides: flat.strides.slice(1) };
    const dv = { data: dst, offset: p.offsets[i], strides: p.rest.strides };
    if (mode === 'set') be.unary(a.dtype === 'bool' ? 'toBool' : 'copy', p.rest.shape, sv, dv);
    else be.binary('add', p.rest.shape, dv, sv, dv);
  }
}

export function indexSet(a: NDArray, specs: IndexSpec[], value: Operand, op = 'set'): void {
  scatter(a, specs, value, 'set', op);
}

/** np.add.at(a, indices, values): unbuffered accumulation, so repeated indices add up. */
export function addAt(a: NDArray, indices: IndexSpec | IndexSpec[], values: Operand): void {
  const specs =
    Array.isArray(indices) && !indices.every((s) => typeof s === 'number')
      ? (indices as IndexSpec[])
      : [indices as IndexSpec];
  scatter(a, specs, values, 'add', 'addAt');
}

/** np.nonzero: one int32 index array per axis, for the non-zero (true) elements in C order. */
export function nonzeroOf(a: NDArray): NDArray[] {
  const c = a.contiguous();
  const d = c.toTypedArray();
  let count = 0;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) count++;
  const out = a.shape.map(() => new Int32Array(count));
  const strides = c.strides;
  let k = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0) continue;
    let rem = i;
    for (let ax = 0; ax < a.ndim; ax++) {
      const q = Math.floor(rem / strides[ax]);
      out[ax][k] = q;
      rem -= q * strides[ax];
    }
    k++;
  }
  if (a.ndim === 0) return [new NDArray(new Int32Array(count), [count], 'int32')];
  return out.map((x) => new NDArray(x, [count], 'int32'));
}

// ---- take / put / where / compress -------------------------------------------------------------

/** Integer indices: an int array, a list of numbers, or one number (numpy's `put`/`take` indices). */
export type Indices = NDArray | number[] | number;

/** Index specs that apply `indices` to axis `ax` and take every other axis whole. */
function alongAxis(ax: number, indices: Indices): IndexSpec[] {
  const specs: IndexSpec[] = new Array<IndexSpec>(ax).fill(':');
  specs.push(indices);
  return specs;
}

/**
 * np.take: elements of `a` at `indices` along `axis` (of the flattened array when axis is null).
 * The result has shape a.shape[:axis] + indices.shape + a.shape[axis+1:], and is always a copy.
 */
export function take(a: NDArray, indices: Indices, axis: number | null = null): NDArray {
  const src = axis === null ? a.ravel() : a;
  const ax = axis === null ? 0 : normalizeAxis(axis, a.ndim, 'take');
  const r = indexGet(src, alongAxis(ax, indices), 'take');
  return typeof indices === 'number' ? r.copy() : r;
}

/**
 * np.put with an axis extension. Without axis (numpy's put): a.flat[indices] = values, with `values`
 * repeated when shorter than `indices`. With an axis: a[:, ..., indices] = values (values broadcast).
 */
export function put(
  a: NDArray,
  indices: Indices,
  values: Operand | number[],
  axis: number | null = null,
): void {
  const vals = Array.isArray(values)
    ? new NDArray(Float64Array.from(values), [values.length], 'float64')
    : values;
  if (axis !== null) {
    indexSet(a, alongAxis(normalizeAxis(axis, a.ndim, 'put'), indices), vals, 'put');
    return;
  }
  const idx =
    typeof indices === 'number'
      ? [indices]
      : indices instanceof NDArray
        ? Array.from(indices.toTypedArray())
        : indices;
  const v = typeof vals === 'number' ? [vals] : vals.toTypedArray();
  if (v.length === 0) {
    if (idx.length === 0) return;
    throw new RangeError('put: cannot replace elements of an array with an empty set of values');
  }
  const n = a.size;
  const contig: number[] = [];
  for (let s = 1, i = a.ndim - 1; i >= 0; i--) {
    contig[i] = s;
    s *= a.shape[i];
  }
  for (let i = 0; i < idx.length; i++) {
    let k = idx[i];
    if (!Number.isInteger(k) || k < -n || k >= n)
      throw new RangeError(`put: index ${k} is out of bounds for axis 0 with size ${n}`);
    if (k < 0) k += n;
    let off = a.offset;
    for (let ax = 0; ax < a.ndim; ax++) {
      const q = Math.floor(k / contig[ax]);
      k -= q * contig[ax];
      off += q * a.strides[ax];
    }
    a.data[off] = castScalar(a.dtype, v[i % v.length]);
  }
}

/** Open-grid indices that select along every axis of `shape` except `axis`, where `indices` go (np.take_along_axis). */
function alongAxisGrid(shape: readonly number[], indices: NDArray, axis: number, op: string): IndexSpec[] {
  if (indices.ndim !== shape.length) {
    throw new RangeError(
      `${op}: indices of shape ${fmtShape(indices.shape)} must have the same number of dimensions as the array of shape ${fmtShape(shape)}`,
    );
  }
  return shape.map((d, i) => {
    if (i === axis) return indices;
    const g = new Int32Array(d);
    for (let k = 0; k < d; k++) g[k] = k;
    return new NDArray(
      g,
      shape.map((_, j) => (j === i ? d : 1)),
      'int32',
    );
  });
}

/** np.take_along_axis: out[i, j] = a[i, indices[i, j]] for axis 1, e.g. the scores of the correct classes. */
export function takeAlongAxis(a: NDArray, indices: NDArray, axis: number): NDArray {
  const ax = normalizeAxis(axis, a.ndim, 'takeAlongAxis');
  return indexGet(a, alongAxisGrid(a.shape, indices, ax, 'takeAlongAxis'), 'takeAlongAxis');
}

/** np.put_along_axis: a[i, indices[i, j]] = values[i, j] for axis 1, in place. */
export function putAlongAxis(a: NDArray, indices: NDArray, values: Operand, axis: number): void {
  const ax = normalizeAxis(axis, a.ndim, 'putAlongAxis');
  indexSet(a, alongAxisGrid(a.shape, indices, ax, 'putAlongAxis'), values, 'putAlongAxis');
}

function asBool(c: Operand | boolean): NDArray {
  if (typeof c === 'number' || typeof c === 'boolean')
    return new NDArray(Uint8Array.of(c ? 1 : 0), [], 'bool');
  return c.dtype === 'bool' ? c : c.astype('bool');
}

/** The dtype np.where / np.concatenate give for two operands (numbers are weak scalars, NEP 50). */
function resultType(x: Operand, y: Operand): DType {
  if (typeof x === 'number' && typeof y === 'number')
    return Number.isInteger(x) && Number.isInteger(y) ? 'int32' : 'float64';
  if (typeof x === 'number') return promoteWithScalar((y as NDArray).dtype, x);
  if (typeof y === 'number') return promoteWithScalar(x.dtype, y);
  return promoteTypes(x.dtype, y.dtype);
}

/**
 * np.where. With three arguments: elements of x where condition is true, else of y (all three broadcast).
 * With one: the indices of the non-zero elements, one int32 array per axis (np.nonzero).
 */
export function where(condition: Operand | boolean): NDArray[];
export function where(condition: Operand | boolean, x: Operand, y: Operand): NDArray;
export function where(condition: Operand | boolean, x?: Operand, y?: Operand): NDArray | NDArray[] {
  if (x === undefined && y === undefined) return nonzeroOf(asBool(condition));
  if (x === undefined || y === undefined)
    throw new TypeError('where: either both or neither of x and y should be given');
  const c = asBool(condition);
  const shapeOf = (v: Operand) => (typeof v === 'number' ? [] : v.shape);
  const shape = broadcastShapes('where', c.shape, shapeOf(x), shapeOf(y));
  const r = allocArray(shape, resultType(x, y), 'where');
  assign(r, x);
  // Flat views make 0-d operands indexable by a mask too.
  const flat = r.reshape(-1);
  const notC = logicalNot(c.broadcastTo(shape)).reshape(-1);
  const yv = typeof y === 'number' ? y : indexGet(y.broadcastTo(shape).reshape(-1), [notC], 'where');
  indexSet(flat, [notC], yv, 'where');
  return r;
}

/** np.compress: the slices of `a` along `axis` (or elements of the flattened `a`) where `condition` is true. */
export function compress(
  condition: NDArray | (number | boolean)[],
  a: NDArray,
  axis: number | null = null,
): NDArray {
  const c =
    condition instanceof NDArray
      ? condition
      : new NDArray(
          Uint8Array.from(condition, (v) => (v ? 1 : 0)),
          [condition.length],
          'bool',
        );
  if (c.ndim !== 1)
    throw new RangeError(`compress: condition must be a 1-d array, got shape ${fmtShape(c.shape)}`);
  return take(a, nonzeroOf(asBool(c))[0], axis === null ? null : axis);
}

/**
 * X[idx] along axis 0 (numpy's X[idx] for a 1-D integer idx), copying whole rows with typed-array set:
 * the minibatch gather of every training step, several times faster than generic fancy indexing.
 */
export function gatherRows(X: NDArray, idx: NDArray): NDArray {
  const rows = idx.toTypedArray();
  const N = X.shape[0];
  const src = X.contiguous();
  const data = src.toTypedArray();
  const row = N === 0 ? 0 : src.size / N;
  const out = allocate(X.dtype, rows.length * row);
  for (let i = 0; i < rows.length; i++) {
    let r = rows[i];
    if (r < 0) r += N;
    if (!(r >= 0 && r < N))
      throw new RangeError(`gatherRows: index ${rows[i]} is out of bounds for axis 0 with size ${N}`);
    if (row === 1) out[i] = data[r];
    else out.set(data.subarray(r * row, (r + 1) * row), i * row);
  }
  return new NDArray(out, [rows.length, ...X.shape.slice(1)], X.dtype);
}
