/** Elementwise kernels of the TypeScript backend: one tight loop per op, no per-element calls. */
import type { TypedArray } from '../types.js';
import type { Backend, BinaryOp, ReluBackwardArgs, Strided, UnaryOp } from '../backend.js';
import { coalesce, walkRows } from './strided.js';

type Row2 = (
  a: TypedArray,
  ia: number,
  sa: number,
  b: TypedArray,
  ib: number,
  sb: number,
  o: TypedArray,
  io: number,
  so: number,
  n: number,
) => void;
export type Row1 = (
  a: TypedArray,
  ia: number,
  sa: number,
  o: TypedArray,
  io: number,
  so: number,
  n: number,
) => void;

// Each loop is written out so V8 compiles a monomorphic body per op.
const binaryRows: Record<BinaryOp, Row2> = {
  add: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] + b[ib];
  },
  sub: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] - b[ib];
  },
  mul: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] * b[ib];
  },
  div: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] / b[ib];
  },
  pow: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = Math.pow(a[ia], b[ib]);
  },
  maximum: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    // numpy's maximum propagates NaN.
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) {
      const x = a[ia],
        y = b[ib];
      o[io] = x > y || x !== x ? x : y;
    }
  },
  minimum: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) {
      const x = a[ia],
        y = b[ib];
      o[io] = x < y || x !== x ? x : y;
    }
  },
  mod: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    // numpy's mod takes the sign of the divisor.
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) {
      const x = a[ia],
        y = b[ib];
      const r = x % y;
      o[io] = r !== 0 && r < 0 !== y < 0 ? r + y : r;
    }
  },
  floorDivide: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = Math.floor(a[ia] / b[ib]);
  },
  eq: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] === b[ib] ? 1 : 0;
  },
  ne: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] !== b[ib] ? 1 : 0;
  },
  lt: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] < b[ib] ? 1 : 0;
  },
  le: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] <= b[ib] ? 1 : 0;
  },
  gt: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] > b[ib] ? 1 : 0;
  },
  ge: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] >= b[ib] ? 1 : 0;
  },
  logicalAnd: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] !== 0 && b[ib] !== 0 ? 1 : 0;
  },
  logicalOr: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = a[ia] !== 0 || b[ib] !== 0 ? 1 : 0;
  },
  arctan2: (a, ia, sa, b, ib, sb, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb, io += so) o[io] = Math.atan2(a[ia], b[ib]);
  },
};

const unaryRows: Record<UnaryOp, Row1> = {
  copy: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = a[ia];
  },
  neg: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = -a[ia];
  },
  abs: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.abs(a[ia]);
  },
  exp: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.exp(a[ia]);
  },
  log: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.log(a[ia]);
  },
  sqrt: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.sqrt(a[ia]);
  },
  tanh: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.tanh(a[ia]);
  },
  sin: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.sin(a[ia]);
  },
  cos: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.cos(a[ia]);
  },
  sigmoid: (a, ia, sa, o, io, so, n) => {
    // Split by sign so exp never overflows.
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      if (x >= 0) o[io] = 1 / (1 + Math.exp(-x));
      else {
        const e = Math.exp(x);
        o[io] = e / (1 + e);
      }
    }
  },
  sign: (a, ia, sa, o, io, so, n) => {
    // x === x ? 0 : x: numpy's sign of -0.0 is +0.0, of NaN NaN.
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x > 0 ? 1 : x < 0 ? -1 : x === x ? 0 : x;
    }
  },
  square: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x * x;
    }
  },
  relu: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x > 0 ? x : 0;
    }
  },
  floor: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.floor(a[ia]);
  },
  ceil: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.ceil(a[ia]);
  },
  round: (a, ia, sa, o, io, so, n) => {
    // numpy rounds half to even.
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      const r = Math.round(x);
      o[io] = Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
  },
  logicalNot: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = a[ia] === 0 ? 1 : 0;
  },
  isnan: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = a[ia] !== a[ia] ? 1 : 0;
  },
  isfinite: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Number.isFinite(a[ia]) ? 1 : 0;
  },
  isinf: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x === Infinity || x === -Infinity ? 1 : 0;
    }
  },
  tan: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.tan(a[ia]);
  },
  arcsin: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.asin(a[ia]);
  },
  arccos: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.acos(a[ia]);
  },
  arctan: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.atan(a[ia]);
  },
  sinh: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.sinh(a[ia]);
  },
  cosh: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.cosh(a[ia]);
  },
  log1p: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.log1p(a[ia]);
  },
  expm1: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.expm1(a[ia]);
  },
  log2: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.log2(a[ia]);
  },
  log10: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) o[io] = Math.log10(a[ia]);
  },
  toBool: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x !== 0 ? 1 : 0; // NaN is truthy, as in numpy
    }
  },
};

/**
 * A fresh copy of a row function for one combination of typed-array types. V8 keeps type feedback per
 * function, so one shared loop that sees Float64Array, Float32Array and Uint8Array goes megamorphic and
 * slows every op; a copy per combination stays monomorphic. The row functions use only their parameters
 * and Math, so recompiling their source is safe; where `new Function` is refused (a strict CSP), the
 * shared function is used.
 */
export function specialise<F extends (...args: never[]) => void>(
  cache: Map<string, F>,
  key: string,
  f: F,
): F {
  let g = cache.get(key);
  if (g === undefined) {
    try {
      g = new Function(`return (${f.toString()});`)() as F;
    } catch {
      g = f;
    }
    cache.set(key, g);
  }
  return g;
}

const rows2 = new Map<string, Row2>();
const rows1 = new Map<string, Row1>();

function row2(op: BinaryOp, a: TypedArray, b: TypedArray, o: TypedArray): Row2 {
  return specialise(
    rows2,
    `${op}|${a.constructor.name}|${b.constructor.name}|${o.constructor.name}`,
    binaryRows[op],
  );
}

function row1(op: UnaryOp, a: TypedArray, o: TypedArray): Row1 {
  return specialise(rows1, `${op}|${a.constructor.name}|${o.constructor.name}`, unaryRows[op]);
}

/**
 * Runs a binary row function over the coalesced walk. The 1-D (contiguous) and 2-D (row-broadcast, e.g.
 * (N, D) + (D,)) walks are plain loops here, with no per-row closure or offset bookkeeping.
 */
function run2(f: Row2, shape: readonly number[], a: Strided, b: Strided, out: Strided): void {
  for (const d of shape) if (d === 0) return;
  const w = coalesce(shape, [a.strides, b.strides, out.strides]);
  const nd = w.shape.length;
  const n = w.shape[nd - 1];
  const [sa, sb, so] = w.strides.map((s) => s[nd - 1]);
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  if (nd === 1) {
    f(ad, a.offset, sa, bd, b.offset, sb, od, out.offset, so, n);
    return;
  }
  if (nd === 2) {
    const [ta, tb, to] = w.strides.map((s) => s[0]);
    let ia = a.offset;
    let ib = b.offset;
    let io = out.offset;
    for (let r = 0; r < w.shape[0]; r++, ia += ta, ib += tb, io += to)
      f(ad, ia, sa, bd, ib, sb, od, io, so, n);
    return;
  }
  walkRows(shape, [a.strides, b.strides, out.strides], [a.offset, b.offset, out.offset], (o, m, st) =>
    f(ad, o[0], st[0], bd, o[1], st[1], od, o[2], st[2], m),
  );
}

export function run1(f: Row1, shape: readonly number[], a: Strided, out: Strided): void {
  for (const d of shape) if (d === 0) return;
  const w = coalesce(shape, [a.strides, out.strides]);
  const nd = w.shape.length;
  const n = w.shape[nd - 1];
  const sa = w.strides[0][nd - 1];
  const so = w.strides[1][nd - 1];
  const ad = a.data;
  const od = out.data;
  if (nd === 1) {
    f(ad, a.offset, sa, od, out.offset, so, n);
    return;
  }
  if (nd === 2) {
    const ta = w.strides[0][0];
    const to = w.strides[1][0];
    let ia = a.offset;
    let io = out.offset;
    for (let r = 0; r < w.shape[0]; r++, ia += ta, io += to) f(ad, ia, sa, od, io, so, n);
    return;
  }
  walkRows(shape, [a.strides, out.strides], [a.offset, out.offset], (o, m, st) =>
    f(ad, o[0], st[0], od, o[1], st[1], m),
  );
}

export function binary(op: BinaryOp, shape: readonly number[], a: Strided, b: Strided, out: Strided): void {
  run2(row2(op, a.data, b.data, out.data), shape, a, b, out);
}

export const binaryScalar: Backend['binaryScalar'] = (op, shape, a, b, out, scalarFirst) => {
  // The scalar is a 1-element operand with zero strides.
  const s: Strided = { data: new Float64Array([b]), offset: 0, strides: shape.map(() => 0) };
  if (scalarFirst) binary(op, shape, s, a, out);
  else binary(op, shape, a, s, out);
};

export function unary(op: UnaryOp, shape: readonly number[], a: Strided, out: Strided): void {
  run1(row1(op, a.data, out.data), shape, a, out);
}

// clip's bounds are passed through the (otherwise unused) row parameters of a Row2 via a 2-element buffer.
const clipRow: Row2 = (a, ia, sa, b, _ib, _sb, o, io, so, n) => {
  const lo = b[0];
  const hi = b[1];
  for (let i = 0; i < n; i++, ia += sa, io += so) {
    let v = a[ia];
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    o[io] = v;
  }
};
const clipRows = new Map<string, Row2>();

export function clip(shape: readonly number[], a: Strided, lo: number, hi: number, out: Strided): void {
  const f = specialise(clipRows, `${a.data.constructor.name}|${out.data.constructor.name}`, clipRow);
  const bounds: Strided = { data: new Float64Array([lo, hi]), offset: 0, strides: shape.map(() => 0) };
  run2(f, shape, a, bounds, out);
}

/** dx = x > 0 ? dout : slope·dout over n contiguous elements (see Backend.reluBackward). */
export function reluBackward(g: ReluBackwardArgs): void {
  const { n, dout, x, dx } = g;
  // The slope in the elements' precision: a float32 product of two float32 values is exact in a double,
  // so storing it rounds once, as a float32 multiply does.
  const slope = dx instanceof Float32Array ? Math.fround(g.slope ?? 0) : (g.slope ?? 0);
  if (slope === 0)
    for (let i = 0, a = g.doutOffset, b = g.xOffset, o = g.dxOffset; i < n; i++, a++, b++, o++)
      dx[o] = x[b] > 0 ? dout[a] : 0;
  else
    for (let i = 0, a = g.doutOffset, b = g.xOffset, o = g.dxOffset; i < n; i++, a++, b++, o++)
      dx[o] = x[b] > 0 ? dout[a] : slope * dout[a];
}
