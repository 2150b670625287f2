/**
 * Elementwise kernels on 2-D walks (R rows of L elements), f32 and f64, 4 (f32) or 2 (f64) lanes at a time.
 *
 * Row r of an operand starts at element r·s (its outer stride); within a row, out is contiguous and each
 * input either contiguous (inner stride 1) or one value repeated (inner stride 0, a broadcast column).
 * Every op gives exactly the TypeScript backend's result: + − × ÷ and sqrt are correctly rounded in both,
 * and maximum/minimum/relu are written as the same comparisons (NaN and ±0 included), not as f32x4.max.
 * Pointers are byte addresses.
 */

import { relu } from './vec';

// Binary op codes (src/backend/wasm/elementwise.ts keeps the same table; 5 is minimum).
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAXIMUM = 4;
// Unary op codes.
const COPY = 0;
const NEG = 1;
const ABS = 2;
const SQRT = 3;
const SQUARE = 4;
const RELU = 5;

function binV<T>(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return v128.add<T>(x, y);
  if (op == SUB) return v128.sub<T>(x, y);
  if (op == MUL) return v128.mul<T>(x, y);
  if (op == DIV) return v128.div<T>(x, y);
  const nan = v128.ne<T>(x, x);
  if (op == MAXIMUM) return v128.bitselect(x, y, v128.or(v128.gt<T>(x, y), nan));
  return v128.bitselect(x, y, v128.or(v128.lt<T>(x, y), nan)); // MINIMUM
}

function binS<T>(op: i32, x: T, y: T): T {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  if (op == DIV) return x / y;
  if (op == MAXIMUM) return x > y || x != x ? x : y;
  return x < y || x != x ? x : y; // MINIMUM
}

/** One row: o[0:L] = a op b, with a (or b) a repeated value when its inner stride is 0. */
function binaryRow<T>(op: i32, a: usize, ai: i32, b: usize, bi: i32, o: usize, L: i32): void {
  const S = <usize>sizeof<T>();
  const W = 16 / <i32>sizeof<T>();
  let k = 0;
  if (ai == 1 && bi == 1) {
    for (; k + W <= L; k += W) {
      const q = <usize>k * S;
      v128.store(o + q, binV<T>(op, v128.load(a + q), v128.load(b + q)));
    }
  } else if (ai == 1) {
    const y = v128.splat<T>(load<T>(b));
    for (; k + W <= L; k += W) {
      const q = <usize>k * S;
      v128.store(o + q, binV<T>(op, v128.load(a + q), y));
    }
  } else if (bi == 1) {
    const x = v128.splat<T>(load<T>(a));
    for (; k + W <= L; k += W) {
      const q = <usize>k * S;
      v128.store(o + q, binV<T>(op, x, v128.load(b + q)));
    }
  }
  for (; k < L; k++) {
    store<T>(
      o + <usize>k * S,
      binS<T>(op, load<T>(a + <usize>(k * ai) * S), load<T>(b + <usize>(k * bi) * S)),
    );
  }
}

function binaryT<T>(
  op: i32,
  R: i32,
  L: i32,
  a: usize,
  sa: i32,
  ai: i32,
  b: usize,
  sb: i32,
  bi: i32,
  o: usize,
  so: i32,
): void {
  const S = <usize>sizeof<T>();
  for (let r = 0; r < R; r++) {
    binaryRow<T>(op, a + <usize>(r * sa) * S, ai, b + <usize>(r * sb) * S, bi, o + <usize>(r * so) * S, L);
  }
}

/** o = a op s (or s op a when scalarFirst) for a scalar s, over R rows of L. */
function scalarT<T>(op: i32, R: i32, L: i32, a: usize, sa: i32, s: T, first: i32, o: usize, so: i32): void {
  const S = <usize>sizeof<T>();
  const W = 16 / <i32>sizeof<T>();
  const y = v128.splat<T>(s);
  for (let r = 0; r < R; r++) {
    const ar = a + <usize>(r * sa) * S;
    const or = o + <usize>(r * so) * S;
    let k = 0;
    for (; k + W <= L; k += W) {
      const q = <usize>k * S;
      const x = v128.load(ar + q);
      v128.store(or + q, first ? binV<T>(op, y, x) : binV<T>(op, x, y));
    }
    for (; k < L; k++) {
      const x = load<T>(ar + <usize>k * S);
      store<T>(or + <usize>k * S, first ? binS<T>(op, s, x) : binS<T>(op, x, s));
    }
  }
}

function unV<T>(op: i32, x: v128): v128 {
  if (op == COPY) return x;
  if (op == NEG) return v128.neg<T>(x);
  if (op == ABS) return v128.abs<T>(x);
  if (op == SQRT) return v128.sqrt<T>(x);
  if (op == SQUARE) return v128.mul<T>(x, x);
  if (op == RELU) return relu<T>(x);
  return x;
}

function unS<T>(op: i32, x: T): T {
  if (op == COPY) return x;
  if (op == NEG) return -x;
  if (op == ABS) return x < 0 ? -x : x == 0 ? <T>0 : x; // abs(-0) = +0, NaN stays NaN
  if (op == SQRT) return <T>sqrt<T>(x);
  if (op == SQUARE) return x * x;
  if (op == RELU) return x > 0 ? x : <T>0;
  return x;
}

function unaryT<T>(op: i32, R: i32, L: i32, a: usize, sa: i32, o: usize, so: i32): void {
  const S = <usize>sizeof<T>();
  const W = 16 / <i32>sizeof<T>();
  for (let r = 0; r < R; r++) {
    const ar = a + <usize>(r * sa) * S;
    const or = o + <usize>(r * so) * S;
    let k = 0;
    for (; k + W <= L; k += W) v128.store(or + <usize>k * S, unV<T>(op, v128.load(ar + <usize>k * S)));
    for (; k < L; k++) store<T>(or + <usize>k * S, unS<T>(op, load<T>(ar + <usize>k * S)));
  }
}

/** o = a op b over R rows of L (see the header), elements of `size` bytes (4: f32, 8: f64). */
export function binary(
  size: i32,
  op: i32,
  R: i32,
  L: i32,
  a: usize,
  sa: i32,
  ai: i32,
  b: usize,
  sb: i32,
  bi: i32,
  o: usize,
  so: i32,
): void {
  if (size == 4) binaryT<f32>(op, R, L, a, sa, ai, b, sb, bi, o, so);
  else binaryT<f64>(op, R, L, a, sa, ai, b, sb, bi, o, so);
}

/** o = a op s (or s op a): with size 4, s must be a float32 value (else scalar32d). */
export function scalar(
  size: i32,
  op: i32,
  R: i32,
  L: i32,
  a: usize,
  sa: i32,
  s: f64,
  first: i32,
  o: usize,
  so: i32,
): void {
  if (size == 4) scalarT<f32>(op, R, L, a, sa, <f32>s, first, o, so);
  else scalarT<f64>(op, R, L, a, sa, s, first, o, so);
}

export function unary(size: i32, op: i32, R: i32, L: i32, a: usize, sa: i32, o: usize, so: i32): void {
  if (size == 4) unaryT<f32>(op, R, L, a, sa, o, so);
  else unaryT<f64>(op, R, L, a, sa, o, so);
}

/**
 * o = a op s for float32 a and a float64 scalar s that is not a float32 value: each element is widened,
 * combined with s in float64 and rounded once, as the TypeScript backend computes it (bit for bit).
 */
export function scalar32d(
  op: i32,
  R: i32,
  L: i32,
  a: usize,
  sa: i32,
  s: f64,
  first: i32,
  o: usize,
  so: i32,
): void {
  const y = f64x2.splat(s);
  for (let r = 0; r < R; r++) {
    const ar = a + <usize>(r * sa) * 4;
    const or = o + <usize>(r * so) * 4;
    let k = 0;
    for (; k + 4 <= L; k += 4) {
      const q = <usize>k * 4;
      const x = v128.load(ar + q);
      const lo = f64x2.promote_low_f32x4(x);
      const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3));
      const rl = f32x4.demote_f64x2_zero(first ? binV<f64>(op, y, lo) : binV<f64>(op, lo, y));
      const rh = f32x4.demote_f64x2_zero(first ? binV<f64>(op, y, hi) : binV<f64>(op, hi, y));
      v128.store(or + q, v128.shuffle<f32>(rl, rh, 0, 1, 4, 5));
    }
    for (; k < L; k++) {
      const x = <f64>load<f32>(ar + <usize>k * 4);
      store<f32>(or + <usize>k * 4, <f32>(first ? binS<f64>(op, s, x) : binS<f64>(op, x, s)));
    }
  }
}

/** dx[0:n] = x > 0 ? dout : 0 (the ReLU's backward: CS231n's dx[x <= 0] = 0; NaN x gives 0). */
function reluBackwardT<T>(n: i32, dout: usize, x: usize, dx: usize): void {
  const S = <usize>sizeof<T>();
  const W = 16 / <i32>sizeof<T>();
  let k = 0;
  for (; k + W <= n; k += W) {
    const q = <usize>k * S;
    const v = v128.load(x + q);
    v128.store(dx + q, v128.and(v128.load(dout + q), v128.gt<T>(v, v128.splat<T>(0))));
  }
  for (; k < n; k++) {
    const q = <usize>k * S;
    store<T>(dx + q, load<T>(x + q) > <T>0 ? load<T>(dout + q) : <T>0);
  }
}

/** dx[0:n] = x > 0 ? dout : slope·dout (the leaky ReLU's backward; its forward with dout = x). */
function leakyBackwardT<T>(n: i32, dout: usize, x: usize, dx: usize, slope: T): void {
  const S = <usize>sizeof<T>();
  const W = 16 / <i32>sizeof<T>();
  const m = v128.splat<T>(slope);
  let k = 0;
  for (; k + W <= n; k += W) {
    const q = <usize>k * S;
    const d = v128.load(dout + q);
    const pos = v128.gt<T>(v128.load(x + q), v128.splat<T>(0));
    v128.store(dx + q, v128.bitselect(d, v128.mul<T>(d, m), pos));
  }
  for (; k < n; k++) {
    const q = <usize>k * S;
    const d = load<T>(dout + q);
    store<T>(dx + q, load<T>(x + q) > <T>0 ? d : d * slope);
  }
}

/** slope 0: the ReLU's backward (exact zeros); else the leaky ReLU's, slope rounded to the element type. */
export function reluBackward(size: i32, n: i32, dout: usize, x: usize, dx: usize, slope: f64): void {
  if (slope == 0) {
    if (size == 4) reluBackwardT<f32>(n, dout, x, dx);
    else reluBackwardT<f64>(n, dout, x, dx);
  } else if (size == 4) leakyBackwardT<f32>(n, dout, x, dx, <f32>slope);
  else leakyBackwardT<f64>(n, dout, x, dx, slope);
}
