/** Reduction kernels of the TypeScript backend. */
import type { TypedArray } from '../types.js';
import type { Backend, ReduceOp, Strided } from '../backend.js';
import { run1, specialise } from './elementwise.js';

type Row = (a: TypedArray, ia: number, sa: number, o: TypedArray, io: number, so: number, n: number) => void;

// When the output stride is 0 the row collapses into one accumulator (a sum along a contiguous axis);
// otherwise the row accumulates elementwise into a row of outputs (a sum over the leading axis).
const rows: Record<ReduceOp, Row> = {
  sum: (a, ia, sa, o, io, so, n) => {
    if (so === 0) {
      let acc = 0;
      for (let i = 0; i < n; i++, ia += sa) acc += a[ia];
      o[io] += acc;
    } else for (let i = 0; i < n; i++, ia += sa, io += so) o[io] += a[ia];
  },
  prod: (a, ia, sa, o, io, so, n) => {
    if (so === 0) {
      let acc = 1;
      for (let i = 0; i < n; i++, ia += sa) acc *= a[ia];
      o[io] *= acc;
    } else for (let i = 0; i < n; i++, ia += sa, io += so) o[io] *= a[ia];
  },
  max: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      const y = o[io];
      if (x > y || x !== x) o[io] = x; // NaN propagates, as in numpy
    }
  },
  min: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) {
      const x = a[ia];
      const y = o[io];
      if (x < y || x !== x) o[io] = x;
    }
  },
  any: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) if (a[ia] !== 0) o[io] = 1;
  },
  all: (a, ia, sa, o, io, so, n) => {
    for (let i = 0; i < n; i++, ia += sa, io += so) if (a[ia] === 0) o[io] = 0;
  },
};

const specialised = new Map<string, Row>();

export function reduce(op: ReduceOp, shape: readonly number[], a: Strided, out: Strided): void {
  // Visit the input in memory order (largest stride outermost) so every row is cache-friendly.
  const order = shape.map((_, i) => i).sort((i, j) => Math.abs(a.strides[j]) - Math.abs(a.strides[i]));
  const f = specialise(
    specialised,
    `${op}|${a.data.constructor.name}|${out.data.constructor.name}`,
    rows[op],
  );
  run1(
    f,
    order.map((i) => shape[i]),
    { data: a.data, offset: a.offset, strides: order.map((i) => a.strides[i]) },
    { data: out.data, offset: out.offset, strides: order.map((i) => out.strides[i]) },
  );
}

export const argReduce: Backend['argReduce'] = (op, a, outer, n, inner, out) => {
  const sign = op === 'argmax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let base = o * n * inner + j;
      let best = a[base] * sign;
      let bi = 0;
      if (best !== best) {
        out[o * inner + j] = 0;
        continue;
      }
      for (let i = 1; i < n; i++) {
        base += inner;
        const v = a[base] * sign;
        if (v !== v) {
          bi = i; // the first NaN wins, as in numpy
          break;
        }
        if (v > best) {
          best = v;
          bi = i;
        }
      }
      out[o * inner + j] = bi;
    }
  }
};
