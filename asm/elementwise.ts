/**
 * Elementwise kernels on 2-D walks (R rows of L elements), f32 and f64, 4 (f32) or 2 (f64) lanes at a time.
 *
 * Row r of an operand starts at element r·s (its outer stride); within a row, out is contiguous and each
 * input either contiguous (inner stride 1) or one value repeated (inner stride 0, a broadcast column).
 * Every op gives exactly the TypeScript backend's result: + − × ÷ and sqrt are correctly rounded in both,
 * and maximum/minimum/relu are written as the same comparisons (NaN and ±0 included), not as f32x4.max.
 * Pointers are byte addresses.
 */

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
  if (sizeof<T>() == 4) {
    if (op == ADD) return f32x4.add(x, y);
    if (op == SUB) return f32x4.sub(x, y);
    if (op == MUL) return f32x4.mul(x, y);
    if (op == DIV) return f32x4.div(x, y);
    const nan = f32x4.ne(x, x);
    if (op == MAXIMUM) return v128.bitselect(x, y, v128.or(f32x4.gt(x, y), nan));
    return v128.bitselect(x, y, v128.or(f32x4.lt(x, y), nan)); // MINIMUM
  }
  if (op == ADD) return f64x2.add(x, y);
  if (op == SUB) return f64x2.sub(x, y);
  if (op == MUL) return f64x2.mul(x, y);
  if (op == DIV) return f64x2.div(x, y);
  const nan = f64x2.ne(x, x);
  if (op == MAXIMUM) return v128.bitselect(x, y, v128.or(f64x2.gt(x, y), nan));
  return v128.bitselect(x, y, v128.or(f64x2.lt(x, y), nan)); // MINIMUM
}

function binS<T>(op: i32, x: T, y: T): T {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  if (op == DIV) return x / y;
  if (op == MAXIMUM) return x > y || x != x ? x : y;
  return x < y || x != x ? x : y; // MINIMUM
}

function splat<T>(x: T): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>x);
  return f64x2.splat(<f64>x);
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
    const y = splat<T>(load<T>(b));
    for (; k + W <= L; k += W) {
      const q = <usize>k * S;
      v128.store(o + q, binV<T>(op, v128.load(a + q), y));
    }
  } else if (bi == 1) {
    const x = splat<T>(load<T>(a));
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
  const y = splat<T>(s);
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
  if (sizeof<T>() == 4) {
    if (op == NEG) return f32x4.neg(x);
    if (op == ABS) return f32x4.abs(x);
    if (op == SQRT) return f32x4.sqrt(x);
    if (op == SQUARE) return f32x4.mul(x, x);
    if (op == RELU) return v128.and(x, f32x4.gt(x, f32x4.splat(0)));
    return x;
  }
  if (op == NEG) return f64x2.neg(x);
  if (op == ABS) return f64x2.abs(x);
  if (op == SQRT) return f64x2.sqrt(x);
  if (op == SQUARE) return f64x2.mul(x, x);
  if (op == RELU) return v128.and(x, f64x2.gt(x, f64x2.splat(0)));
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

export function binary32(
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
  binaryT<f32>(op, R, L, a, sa, ai, b, sb, bi, o, so);
}

export function binary64(
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
  binaryT<f64>(op, R, L, a, sa, ai, b, sb, bi, o, so);
}

export function scalar32(
  op: i32,
  R: i32,
  L: i32,
  a: usize,
  sa: i32,
  s: f32,
  first: i32,
  o: usize,
  so: i32,
): void {
  scalarT<f32>(op, R, L, a, sa, s, first, o, so);
}

export function scalar64(
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
  scalarT<f64>(op, R, L, a, sa, s, first, o, so);
}

export function unary32(op: i32, R: i32, L: i32, a: usize, sa: i32, o: usize, so: i32): void {
  unaryT<f32>(op, R, L, a, sa, o, so);
}

export function unary64(op: i32, R: i32, L: i32, a: usize, sa: i32, o: usize, so: i32): void {
  unaryT<f64>(op, R, L, a, sa, o, so);
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
    const m = sizeof<T>() == 4 ? f32x4.gt(v, f32x4.splat(0)) : f64x2.gt(v, f64x2.splat(0));
    v128.store(dx + q, v128.and(v128.load(dout + q), m));
  }
  for (; k < n; k++) {
    const q = <usize>k * S;
    store<T>(dx + q, load<T>(x + q) > <T>0 ? load<T>(dout + q) : <T>0);
  }
}

export function reluBackward32(n: i32, dout: usize, x: usize, dx: usize): void {
  reluBackwardT<f32>(n, dout, x, dx);
}

export function reluBackward64(n: i32, dout: usize, x: usize, dx: usize): void {
  reluBackwardT<f64>(n, dout, x, dx);
}
