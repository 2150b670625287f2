/**
 * Elementwise ops with numpy broadcasting and dtype promotion. Each takes an optional `out` array
 * (numpy's out=): passing an operand as `out` is the in-place, allocation-free form.
 */
import { backend, type BinaryOp, type Strided, type UnaryOp } from '../backend/index.js';
import { allocate, isFloat, promoteTypes, promoteWithScalar, type DType } from './dtype.js';
import { NDArray, allocArray, type Operand } from './ndarray.js';
import { broadcastShapes, broadcastStrides, fmtShape } from './shape.js';

type ResultRule = 'promote' | 'float' | 'bool';

const rules: Record<BinaryOp, ResultRule> = {
  add: 'promote',
  sub: 'promote',
  mul: 'promote',
  div: 'float',
  pow: 'promote',
  maximum: 'promote',
  minimum: 'promote',
  mod: 'promote',
  floorDivide: 'promote',
  eq: 'bool',
  ne: 'bool',
  lt: 'bool',
  le: 'bool',
  gt: 'bool',
  ge: 'bool',
  logicalAnd: 'bool',
  logicalOr: 'bool',
};

function resultDtype(op: BinaryOp, a: Operand, b: Operand, name: string = op): DType {
  const rule = rules[op];
  if (rule === 'bool') return 'bool';
  let d: DType;
  if (typeof a === 'number' && typeof b === 'number')
    d = Number.isInteger(a) && Number.isInteger(b) ? 'int32' : 'float64';
  else if (typeof a === 'number') d = promoteWithScalar((b as NDArray).dtype, a);
  else if (typeof b === 'number') d = promoteWithScalar(a.dtype, b);
  else d = promoteTypes(a.dtype, b.dtype);
  if (rule === 'float' && !isFloat(d)) return 'float64';
  if (typeof a === 'number' && typeof b === 'number') return 'float64';
  const s = typeof a === 'number' ? a : typeof b === 'number' ? b : null;
  if (s !== null && (d === 'uint8' || d === 'int32') && Number.isInteger(s)) {
    // numpy 2 (NEP 50) refuses a Python int that the array's integer dtype cannot hold.
    const [lo, hi] = d === 'uint8' ? [0, 255] : [-2147483648, 2147483647];
    if (s < lo || s > hi) throw new RangeError(`${name}: Python integer ${s} out of bounds for ${d}`);
    if (op === 'pow' && typeof b === 'number' && b < 0)
      throw new RangeError('power: Integers to negative integer powers are not allowed.');
  }
  if (op === 'pow' && (d === 'uint8' || d === 'int32') && typeof b !== 'number' && b.dtype === 'int32') {
    if (b.size > 0 && b.min().item() < 0)
      throw new RangeError('power: Integers to negative integer powers are not allowed.');
  }
  return d;
}

export function view(a: NDArray): Strided {
  return { data: a.data, offset: a.offset, strides: a.strides };
}

/** Copies `x` first when it shares `out`'s buffer through a different view (numpy buffers such overlaps). */
function unalias(x: NDArray, out: NDArray): NDArray {
  if (x.data !== out.data || x === out) return x;
  const same =
    x.offset === out.offset &&
    x.shape.length === out.shape.length &&
    x.strides.every((s, i) => s === out.strides[i]);
  return same ? x : x.copy();
}

/** Checks that `out` can receive a result of `shape` (numpy requires the exact broadcast shape). */
function checkOut(out: NDArray, shape: readonly number[], name: string): void {
  if (out.shape.length !== shape.length || out.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${name}: non-broadcastable output operand with shape ${fmtShape(out.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`,
    );
  }
}

/** numpy's bool arithmetic: + is or, * is and, - is an error. */
function boolOp(op: BinaryOp, name: string): BinaryOp {
  if (op === 'add' || op === 'maximum') return 'logicalOr';
  if (op === 'mul' || op === 'minimum') return 'logicalAnd';
  throw new TypeError(
    `${name}: not supported for boolean operands (numpy has no boolean ${name}; use astype first)`,
  );
}

/** The shared implementation of every binary op. */
export function binaryOp(op: BinaryOp, a: Operand, b: Operand, name: string, out?: NDArray): NDArray {
  let dtype = resultDtype(op, a, b, name);
  if (dtype === 'bool' && rules[op] === 'promote') op = boolOp(op, name);
  const be = backend();
  if (typeof a === 'number' && typeof b === 'number') {
    const r = out ?? new NDArray(allocate(dtype, 1), [], dtype);
    be.binaryScalar(op, [], { data: new Float64Array([a]), offset: 0, strides: [] }, b, view(r), false);
    return r;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const arr = (typeof a === 'number' ? b : a) as NDArray;
    const s = (typeof a === 'number' ? a : b) as number;
    let shape = arr.shape;
    if (out) {
      shape = broadcastShapes(name, arr.shape, out.shape);
      checkOut(out, shape, name);
    }
    const r = out ?? allocArray(shape, dtype, name);
    const src = out ? unalias(arr, r) : arr;
    be.binaryScalar(
      op,
      shape,
      { data: src.data, offset: src.offset, strides: broadcastStrides(src.shape, src.strides, shape) },
      s,
      view(r),
      typeof a === 'number',
    );
    return r;
  }
  const shape = broadcastShapes(name, a.shape, b.shape);
  if (out) {
    checkOut(out, shape, name);
    dtype = out.dtype;
    a = unalias(a, out);
    b = unalias(b, out);
  }
  const r = out ?? allocArray(shape, dtype, name);
  be.binary(
    op,
    shape,
    { data: a.data, offset: a.offset, strides: broadcastStrides(a.shape, a.strides, shape) },
    { data: b.data, offset: b.offset, strides: broadcastStrides(b.shape, b.strides, shape) },
    view(r),
  );
  return r;
}

const floatResult: ReadonlySet<UnaryOp> = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'sin', 'cos']);

/** The shared implementation of every unary op; `dtype` overrides the result dtype (astype). */
export function unaryOp(op: UnaryOp, a: NDArray, dtype?: DType, name: string = op, out?: NDArray): NDArray {
  const d =
    dtype ??
    (floatResult.has(op) && !isFloat(a.dtype)
      ? 'float64'
      : op === 'logicalNot' || op === 'isnan'
        ? 'bool'
        : a.dtype);
  if (out) checkOut(out, a.shape, name);
  const r = out ?? allocArray(a.shape, d, name);
  const src = out ? unalias(a, r) : a;
  backend().unary(op, a.shape, view(src), view(r));
  return r;
}

export const add = (a: Operand, b: Operand, out?: NDArray) => binaryOp('add', a, b, 'add', out);
export const sub = (a: Operand, b: Operand, out?: NDArray) => binaryOp('sub', a, b, 'subtract', out);
export const mul = (a: Operand, b: Operand, out?: NDArray) => binaryOp('mul', a, b, 'multiply', out);
export const div = (a: Operand, b: Operand, out?: NDArray) => binaryOp('div', a, b, 'divide', out);
export const pow = (a: Operand, b: Operand, out?: NDArray) => binaryOp('pow', a, b, 'power', out);
export const maximum = (a: Operand, b: Operand, out?: NDArray) => binaryOp('maximum', a, b, 'maximum', out);
export const minimum = (a: Operand, b: Operand, out?: NDArray) => binaryOp('minimum', a, b, 'minimum', out);
export const mod = (a: Operand, b: Operand, out?: NDArray) => binaryOp('mod', a, b, 'mod', out);
export const floorDivide = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('floorDivide', a, b, 'floor_divide', out);
export const equal = (a: Operand, b: Operand, out?: NDArray) => binaryOp('eq', a, b, 'equal', out);
export const notEqual = (a: Operand, b: Operand, out?: NDArray) => binaryOp('ne', a, b, 'not_equal', out);
export const less = (a: Operand, b: Operand, out?: NDArray) => binaryOp('lt', a, b, 'less', out);
export const lessEqual = (a: Operand, b: Operand, out?: NDArray) => binaryOp('le', a, b, 'less_equal', out);
export const greater = (a: Operand, b: Operand, out?: NDArray) => binaryOp('gt', a, b, 'greater', out);
export const greaterEqual = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('ge', a, b, 'greater_equal', out);
export const logicalAnd = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('logicalAnd', a, b, 'logical_and', out);
export const logicalOr = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('logicalOr', a, b, 'logical_or', out);

export const neg = (a: NDArray, out?: NDArray) => {
  if (a.dtype === 'bool') throw new TypeError('negative: not supported for boolean arrays (use logicalNot)');
  return unaryOp('neg', a, undefined, 'negative', out);
};
export const abs = (a: NDArray, out?: NDArray) => unaryOp('abs', a, undefined, 'abs', out);
export const exp = (a: NDArray, out?: NDArray) => unaryOp('exp', a, undefined, 'exp', out);
export const log = (a: NDArray, out?: NDArray) => unaryOp('log', a, undefined, 'log', out);
export const sqrt = (a: NDArray, out?: NDArray) => unaryOp('sqrt', a, undefined, 'sqrt', out);
export const tanh = (a: NDArray, out?: NDArray) => unaryOp('tanh', a, undefined, 'tanh', out);
export const sigmoid = (a: NDArray, out?: NDArray) => unaryOp('sigmoid', a, undefined, 'sigmoid', out);
export const sin = (a: NDArray, out?: NDArray) => unaryOp('sin', a, undefined, 'sin', out);
export const cos = (a: NDArray, out?: NDArray) => unaryOp('cos', a, undefined, 'cos', out);
export const sign = (a: NDArray, out?: NDArray) => unaryOp('sign', a, undefined, 'sign', out);
export const square = (a: NDArray, out?: NDArray) => unaryOp('square', a, undefined, 'square', out);
export const floor = (a: NDArray, out?: NDArray) => unaryOp('floor', a, undefined, 'floor', out);
export const ceil = (a: NDArray, out?: NDArray) => unaryOp('ceil', a, undefined, 'ceil', out);
export const round = (a: NDArray, out?: NDArray) => unaryOp('round', a, undefined, 'round', out);
export const logicalNot = (a: NDArray, out?: NDArray) =>
  unaryOp('logicalNot', a, undefined, 'logical_not', out);
export const isnan = (a: NDArray) => unaryOp('isnan', a, 'bool', 'isnan');

/** np.clip: limits values to [lo, hi]; null leaves that side open. */
export function clip(a: NDArray, lo: number | null, hi: number | null, out?: NDArray): NDArray {
  if (lo !== null && hi !== null && lo > hi) {
    // numpy gives hi everywhere in this case; say so instead of silently producing it.
    throw new RangeError(`clip: lower bound ${lo} is greater than upper bound ${hi}`);
  }
  if (out) checkOut(out, a.shape, 'clip');
  // The bounds are weak scalars: a fractional bound makes an integer array's result float64, and bool
  // becomes int32 (numpy 2); integer bounds beyond an integer dtype's range are allowed, as numpy's clip does.
  const bounds = [lo, hi].filter((v): v is number => v !== null);
  let dtype = a.dtype;
  if (!isFloat(dtype) && bounds.some((v) => !Number.isInteger(v))) dtype = 'float64';
  else if (dtype === 'bool' && bounds.length > 0) dtype = 'int32';
  const r = out ?? allocArray(a.shape, dtype, 'clip');
  backend().clip(a.shape, view(out ? unalias(a, r) : a), lo ?? -Infinity, hi ?? Infinity, view(r));
  return r;
}

/** Writes `value` (broadcast) into every element of `dst`, in place. */
export function assign(dst: NDArray, value: Operand): void {
  if (typeof value === 'number') {
    const v = new Float64Array([value]);
    backend().unary(
      dst.dtype === 'bool' ? 'toBool' : 'copy',
      dst.shape,
      { data: v, offset: 0, strides: dst.shape.map(() => 0) },
      view(dst),
    );
    return;
  }
  broadcastShapes('assign', value.shape, dst.shape);
  const src = unalias(value.broadcastTo(dst.shape), dst);
  backend().unary(
    dst.dtype === 'bool' && src.dtype !== 'bool' ? 'toBool' : 'copy',
    dst.shape,
    view(src),
    view(dst),
  );
}
