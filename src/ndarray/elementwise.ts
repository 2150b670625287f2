/**
 * Elementwise ops with numpy broadcasting and dtype promotion. Each takes an optional `out` array
 * (numpy's out=): passing an operand as `out` is the in-place, allocation-free form.
 */
import { backend, type BinaryOp, type Strided, type UnaryOp } from '../backend/index.js';
import { allocate, isFloat, promoteTypes, promoteWithScalar, type DType } from './dtype.js';
import { NDArray, allocArray, checkOperand, type Operand } from './ndarray.js';
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
  arctan2: 'float',
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

/** The strided view of `a` that a backend kernel reads: data, offset and strides. */
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
  checkOperand(a, name, 1, true);
  checkOperand(b, name, 2, true);
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

const floatResult: ReadonlySet<UnaryOp> = new Set([
  'exp',
  'log',
  'sqrt',
  'tanh',
  'sigmoid',
  'sin',
  'cos',
  'tan',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'log1p',
  'expm1',
  'log2',
  'log10',
]);
const boolResult: ReadonlySet<UnaryOp> = new Set(['logicalNot', 'isnan', 'isfinite', 'isinf']);

/** The shared implementation of every unary op; `dtype` overrides the result dtype (astype). */
export function unaryOp(op: UnaryOp, a: NDArray, dtype?: DType, name: string = op, out?: NDArray): NDArray {
  checkOperand(a, name, 1);
  const d =
    dtype ?? (floatResult.has(op) && !isFloat(a.dtype) ? 'float64' : boolResult.has(op) ? 'bool' : a.dtype);
  if (out) checkOut(out, a.shape, name);
  const r = out ?? allocArray(a.shape, d, name);
  const src = out ? unalias(a, r) : a;
  backend().unary(op, a.shape, view(src), view(r));
  return r;
}

/** a + b, broadcast (np.add); `out` receives the result when given. */
export const add = (a: Operand, b: Operand, out?: NDArray) => binaryOp('add', a, b, 'add', out);
/** a − b, broadcast (np.subtract). */
export const sub = (a: Operand, b: Operand, out?: NDArray) => binaryOp('sub', a, b, 'subtract', out);
/** a · b elementwise, broadcast (np.multiply). */
export const mul = (a: Operand, b: Operand, out?: NDArray) => binaryOp('mul', a, b, 'multiply', out);
/** a / b, broadcast, always floating point (np.divide, true division). */
export const div = (a: Operand, b: Operand, out?: NDArray) => binaryOp('div', a, b, 'divide', out);
/** a ** b, broadcast (np.power). */
export const pow = (a: Operand, b: Operand, out?: NDArray) => binaryOp('pow', a, b, 'power', out);
/** Elementwise maximum of a and b, broadcast; NaN wins (np.maximum). */
export const maximum = (a: Operand, b: Operand, out?: NDArray) => binaryOp('maximum', a, b, 'maximum', out);
/** Elementwise minimum of a and b, broadcast; NaN wins (np.minimum). */
export const minimum = (a: Operand, b: Operand, out?: NDArray) => binaryOp('minimum', a, b, 'minimum', out);
/** Remainder with the sign of b, broadcast (np.mod). */
export const mod = (a: Operand, b: Operand, out?: NDArray) => binaryOp('mod', a, b, 'mod', out);
/** floor(a / b), broadcast (np.floor_divide). */
export const floorDivide = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('floorDivide', a, b, 'floor_divide', out);
/** a == b elementwise, broadcast, as bool (np.equal). */
export const equal = (a: Operand, b: Operand, out?: NDArray) => binaryOp('eq', a, b, 'equal', out);
/** a != b elementwise, as bool (np.not_equal). */
export const notEqual = (a: Operand, b: Operand, out?: NDArray) => binaryOp('ne', a, b, 'not_equal', out);
/** a < b elementwise, as bool (np.less). */
export const less = (a: Operand, b: Operand, out?: NDArray) => binaryOp('lt', a, b, 'less', out);
/** a <= b elementwise, as bool (np.less_equal). */
export const lessEqual = (a: Operand, b: Operand, out?: NDArray) => binaryOp('le', a, b, 'less_equal', out);
/** a > b elementwise, as bool (np.greater). */
export const greater = (a: Operand, b: Operand, out?: NDArray) => binaryOp('gt', a, b, 'greater', out);
/** a >= b elementwise, as bool (np.greater_equal). */
export const greaterEqual = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('ge', a, b, 'greater_equal', out);
/** a AND b (nonzero is true), as bool (np.logical_and). */
export const logicalAnd = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('logicalAnd', a, b, 'logical_and', out);
/** a OR b (nonzero is true), as bool (np.logical_or). */
export const logicalOr = (a: Operand, b: Operand, out?: NDArray) =>
  binaryOp('logicalOr', a, b, 'logical_or', out);

/** −a (np.negative). */
export const neg = (a: NDArray, out?: NDArray) => {
  if (a.dtype === 'bool') throw new TypeError('negative: not supported for boolean arrays (use logicalNot)');
  return unaryOp('neg', a, undefined, 'negative', out);
};
/** |a| (np.abs). */
export const abs = (a: NDArray, out?: NDArray) => unaryOp('abs', a, undefined, 'abs', out);
/** e^a (np.exp). */
export const exp = (a: NDArray, out?: NDArray) => unaryOp('exp', a, undefined, 'exp', out);
/** Natural logarithm (np.log). */
export const log = (a: NDArray, out?: NDArray) => unaryOp('log', a, undefined, 'log', out);
/** Square root (np.sqrt). */
export const sqrt = (a: NDArray, out?: NDArray) => unaryOp('sqrt', a, undefined, 'sqrt', out);
/** Hyperbolic tangent (np.tanh). */
export const tanh = (a: NDArray, out?: NDArray) => unaryOp('tanh', a, undefined, 'tanh', out);
/** 1 / (1 + e^−a), computed without overflow. */
export const sigmoid = (a: NDArray, out?: NDArray) => unaryOp('sigmoid', a, undefined, 'sigmoid', out);
/** −1, 0 or 1 by the sign of a (np.sign). */
export const sign = (a: NDArray, out?: NDArray) => unaryOp('sign', a, undefined, 'sign', out);
/** a² (np.square). */
export const square = (a: NDArray, out?: NDArray) => unaryOp('square', a, undefined, 'square', out);
/** Largest integer ≤ a (np.floor). */
export const floor = (a: NDArray, out?: NDArray) => unaryOp('floor', a, undefined, 'floor', out);
/** Smallest integer ≥ a (np.ceil). */
export const ceil = (a: NDArray, out?: NDArray) => unaryOp('ceil', a, undefined, 'ceil', out);
/** Rounds half to even, as numpy does (np.round). */
export const round = (a: NDArray, out?: NDArray) => unaryOp('round', a, undefined, 'round', out);
/** NOT a (zero is false), as bool (np.logical_not). */
export const logicalNot = (a: NDArray, out?: NDArray) =>
  unaryOp('logicalNot', a, undefined, 'logical_not', out);
/** Whether each element is NaN, as bool (np.isnan). */
export const isnan = (a: NDArray) => unaryOp('isnan', a, 'bool', 'isnan');
/** Whether each element is finite, as bool (np.isfinite). */
export const isfinite = (a: NDArray) => unaryOp('isfinite', a, 'bool', 'isfinite');
/** Whether each element is ±Infinity, as bool (np.isinf). */
export const isinf = (a: NDArray) => unaryOp('isinf', a, 'bool', 'isinf');
/** Sine, radians (np.sin). */
export const sin = (a: NDArray, out?: NDArray) => unaryOp('sin', a, undefined, 'sin', out);
/** Cosine, radians (np.cos). */
export const cos = (a: NDArray, out?: NDArray) => unaryOp('cos', a, undefined, 'cos', out);
/** Tangent, radians (np.tan). */
export const tan = (a: NDArray, out?: NDArray) => unaryOp('tan', a, undefined, 'tan', out);
/** Inverse sine (np.arcsin). */
export const arcsin = (a: NDArray, out?: NDArray) => unaryOp('arcsin', a, undefined, 'arcsin', out);
/** Inverse cosine (np.arccos). */
export const arccos = (a: NDArray, out?: NDArray) => unaryOp('arccos', a, undefined, 'arccos', out);
/** Inverse tangent (np.arctan). */
export const arctan = (a: NDArray, out?: NDArray) => unaryOp('arctan', a, undefined, 'arctan', out);
/** Hyperbolic sine (np.sinh). */
export const sinh = (a: NDArray, out?: NDArray) => unaryOp('sinh', a, undefined, 'sinh', out);
/** Hyperbolic cosine (np.cosh). */
export const cosh = (a: NDArray, out?: NDArray) => unaryOp('cosh', a, undefined, 'cosh', out);
/** log(1 + a), accurate near 0 (np.log1p). */
export const log1p = (a: NDArray, out?: NDArray) => unaryOp('log1p', a, undefined, 'log1p', out);
/** e^a − 1, accurate near 0 (np.expm1). */
export const expm1 = (a: NDArray, out?: NDArray) => unaryOp('expm1', a, undefined, 'expm1', out);
/** Base-2 logarithm (np.log2). */
export const log2 = (a: NDArray, out?: NDArray) => unaryOp('log2', a, undefined, 'log2', out);
/** Base-10 logarithm (np.log10). */
export const log10 = (a: NDArray, out?: NDArray) => unaryOp('log10', a, undefined, 'log10', out);
/** np.arctan2(y, x): the angle of (x, y), quadrant-aware, in (−π, π]; integers give float64. */
export const arctan2 = (y: Operand, x: Operand, out?: NDArray) => binaryOp('arctan2', y, x, 'arctan2', out);

/** Tolerances of isclose/allclose: |a − b| ≤ atol + rtol·|b|; equalNan counts NaN == NaN. */
export interface IsCloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

/**
 * np.isclose: |a − b| <= atol + rtol·|b| elementwise (asymmetric: b is the reference), broadcast; infinities
 * are close only to themselves, NaN to nothing unless equalNan. Returns bool.
 */
export function isclose(
  a: Operand,
  b: Operand,
  { rtol = 1e-5, atol = 1e-8, equalNan = false }: IsCloseOptions = {},
): NDArray {
  checkOperand(a, 'isclose', 1, true);
  checkOperand(b, 'isclose', 2, true);
  // In float64 (numpy computes integers' difference in float too), so the subtraction cannot wrap.
  const x = typeof a === 'number' ? a : isFloat(a.dtype) ? a : a.astype('float64');
  const y = typeof b === 'number' ? b : isFloat(b.dtype) ? b : b.astype('float64');
  const yArr = typeof y === 'number' ? new NDArray(new Float64Array([y]), [], 'float64') : y;
  const within = sub(x, y).abs().le(abs(yArr).mul(rtol).add(atol));
  // A finite tolerance never covers an infinity: inf − inf is NaN and inf − 1e308 is inf, so only exact equality.
  let r = logicalOr(logicalAnd(within, isfinite(yArr)), equal(x, y));
  if (equalNan) {
    const xArr = typeof x === 'number' ? new NDArray(new Float64Array([x]), [], 'float64') : x;
    r = logicalOr(r, logicalAnd(isnan(xArr), isnan(yArr)));
  }
  return r;
}

/** np.allclose: true when every element of isclose(a, b, options) is. */
export function allclose(a: Operand, b: Operand, options: IsCloseOptions = {}): boolean {
  return isclose(a, b, options).all().item() !== 0;
}

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
