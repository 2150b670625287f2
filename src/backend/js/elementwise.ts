/** Elementwise kernels of the TypeScript backend: one tight loop per op, no per-element calls. */
import type { TypedArray } from '../../ndarray/dtype.js';
import type { BinaryOp, Strided, UnaryOp } from '../backend.js';
import { walkRows } from './strided.js';

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
type Row1 = (a: TypedArray, ia: number, sa: number, o: TypedArray, io: number, so: number, n: number) => void;

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
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x > 0 ? 1 : x < 0 ? -1 : x;
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
  toBool: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      o[io] = x !== 0 ? 1 : 0; // NaN is truthy, as in numpy
    }
  },
};

export function binary(op: BinaryOp, shape: readonly number[], a: Strided, b: Strided, out: Strided): void {
  const f = binaryRows[op];
  walkRows(shape, [a.strides, b.strides, out.strides], [a.offset, b.offset, out.offset], (o, n, s) =>
    f(a.data, o[0], s[0], b.data, o[1], s[1], out.data, o[2], s[2], n),
  );
}

export function binaryScalar(
  op: BinaryOp,
  shape: readonly number[],
  a: Strided,
  b: number,
  out: Strided,
  scalarFirst: boolean,
): void {
  const f = binaryRows[op];
  const s = new Float64Array([b]);
  walkRows(shape, [a.strides, out.strides], [a.offset, out.offset], (o, n, st) =>
    scalarFirst
      ? f(s, 0, 0, a.data, o[0], st[0], out.data, o[1], st[1], n)
      : f(a.data, o[0], st[0], s, 0, 0, out.data, o[1], st[1], n),
  );
}

export function unary(op: UnaryOp, shape: readonly number[], a: Strided, out: Strided): void {
  const f = unaryRows[op];
  walkRows(shape, [a.strides, out.strides], [a.offset, out.offset], (o, n, s) =>
    f(a.data, o[0], s[0], out.data, o[1], s[1], n),
  );
}

export function clip(shape: readonly number[], a: Strided, lo: number, hi: number, out: Strided): void {
  const x = a.data;
  const y = out.data;
  walkRows(shape, [a.strides, out.strides], [a.offset, out.offset], (o, n, s) => {
    let ia = o[0];
    let io = o[1];
    for (let i = 0; i < n; i++, ia += s[0], io += s[1]) {
      let v = x[ia];
      if (v < lo) v = lo;
      if (v > hi) v = hi;
      y[io] = v;
    }
  });
}
