/**
 * Indexing as numpy does it: basic indices (integers, slices, newaxis, ellipsis) make views;
 * integer arrays and boolean masks ("advanced" indices) gather into a copy, scatter on set, and
 * accumulate with repeated indices in `addAt` (np.add.at).
 */
import { backend } from '../backend/index.js';
import { castScalar } from './dtype.js';
import { NDArray, allocArray, type IndexSpec, type Operand, type SliceSpec } from './ndarray.js';
import { assign } from './elementwise.js';
import { broadcastShapes, fmtShape, sizeOf } from './shape.js';

interface SliceParts {
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

export function indexGet(a: NDArray, specs: IndexSpec[]): NDArray {
  if (!specs.some(isAdvanced)) return basicIndex(a, specs as SliceSpec[], 'get');
  const p = plan(a, specs, 'get');
  const out = allocArray([...p.indexShape, ...p.rest.shape], a.dtype, 'get');
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
  if (mode === 'set' && !specs.some(isAdvanced)) {
    assign(basicIndex(a, specs as SliceSpec[], op), value);
    return;
  }
  const p = plan(a, specs, op);
  const order = resultOrder(p);
  const resultShape = order.map((i) => [...p.indexShape, ...p.rest.shape][i]);
  let vals: NDArray;
  if (typeof value === 'number')
    vals = new NDArray(new Float64Array([castScalar(a.dtype, value)]), [], 'float64');
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

export function indexSet(a: NDArray, specs: IndexSpec[], value: Operand): void {
  scatter(a, specs, value, 'set', 'set');
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
