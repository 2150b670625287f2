/**
 * Per-channel loops of the normalization layers (see ChannelMomentsArgs, ChannelDotArgs and ChannelLinearArgs
 * in src/backend/backend.ts), f32 and f64: x viewed as (N, C, S), sums and the per-channel scalars in f64 as
 * the TypeScript backend keeps them; float32 values are widened to f64 two lanes at a time. Pointers are byte
 * addresses; the per-channel arrays are f64.
 */

/** Σ row[0:n] in f64, in four interleaved partial sums (one serial chain of f64 adds was 5% of a backward). */
export function sumF64T<T>(row: usize, n: i32): f64 {
  const S = <usize>sizeof<T>();
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let p = 0;
  if (sizeof<T>() == 4) {
    for (; p + 4 <= n; p += 4) {
      const v = v128.load(row + <usize>p * 4);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
    }
  } else {
    for (; p + 4 <= n; p += 4) {
      a0 = f64x2.add(a0, v128.load(row + <usize>p * 8));
      a1 = f64x2.add(a1, v128.load(row + <usize>p * 8, 16));
    }
  }
  const t = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; p < n; p++) s += <f64>load<T>(row + <usize>p * S);
  return s;
}

/** Σ (row[i] − m)² over row[0:n] in f64, in four partial sums. */
function sumSqDevT<T>(row: usize, n: i32, m: f64): f64 {
  const M = f64x2.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let p = 0;
  if (sizeof<T>() == 4) {
    for (; p + 4 <= n; p += 4) {
      const v = v128.load(row + <usize>p * 4);
      const lo = f64x2.sub(f64x2.promote_low_f32x4(v), M);
      const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), M);
      a0 = f64x2.add(a0, f64x2.mul(lo, lo));
      a1 = f64x2.add(a1, f64x2.mul(hi, hi));
    }
  } else {
    for (; p + 4 <= n; p += 4) {
      const lo = f64x2.sub(v128.load(row + <usize>p * 8), M);
      const hi = f64x2.sub(v128.load(row + <usize>p * 8, 16), M);
      a0 = f64x2.add(a0, f64x2.mul(lo, lo));
      a1 = f64x2.add(a1, f64x2.mul(hi, hi));
    }
  }
  const t = f64x2.add(a0, a1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; p < n; p++) {
    const d = <f64>load<T>(row + <usize>p * sizeof<T>()) - m;
    s += d * d;
  }
  return s;
}

/** Two values of T at p as f64x2. */
export function ld2<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

/** Stores the two lanes of x at p as T. */
export function st2<T>(p: usize, x: v128): void {
  if (sizeof<T>() == 4) v128.store64_lane(p, f32x4.demote_f64x2_zero(x), 0);
  else v128.store(p, x);
}

function channelMomentsT<T>(x: usize, N: i32, C: i32, S: i32, mean: usize, variance: usize): void {
  const Z = <usize>sizeof<T>();
  const count = <f64>N * <f64>S;
  memory.fill(mean, 0, <usize>C * 8);
  memory.fill(variance, 0, <usize>C * 8);
  let k = x;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const q = mean + <usize>c * 8;
      store<f64>(q, load<f64>(q) + sumF64T<T>(k, S));
      k += <usize>S * Z;
    }
  }
  for (let c = 0; c < C; c++) {
    const q = mean + <usize>c * 8;
    store<f64>(q, load<f64>(q) / count);
  }
  // The second pass sums squared deviations: no cancellation, unlike E[x²] − E[x]².
  k = x;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const q = variance + <usize>c * 8;
      store<f64>(q, load<f64>(q) + sumSqDevT<T>(k, S, load<f64>(mean + <usize>c * 8)));
      k += <usize>S * Z;
    }
  }
  for (let c = 0; c < C; c++) {
    const q = variance + <usize>c * 8;
    store<f64>(q, load<f64>(q) / count);
  }
}

function channelDotT<T>(
  a: usize,
  b: usize,
  N: i32,
  C: i32,
  S: i32,
  bShift: usize,
  sumA: usize,
  sumAB: usize,
): void {
  const Z = <usize>sizeof<T>();
  memory.fill(sumA, 0, <usize>C * 8);
  memory.fill(sumAB, 0, <usize>C * 8);
  let ka = a;
  let kb = b;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = load<f64>(bShift + <usize>c * 8);
      const M = f64x2.splat(m);
      let s1 = f64x2.splat(0);
      let s2 = f64x2.splat(0);
      let s = 0;
      for (; s + 2 <= S; s += 2) {
        const va = ld2<T>(ka + <usize>s * Z);
        s1 = f64x2.add(s1, va);
        s2 = f64x2.add(s2, f64x2.mul(va, f64x2.sub(ld2<T>(kb + <usize>s * Z), M)));
      }
      let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
      let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
      for (; s < S; s++) {
        const v = <f64>load<T>(ka + <usize>s * Z);
        t1 += v;
        t2 += v * (<f64>load<T>(kb + <usize>s * Z) - m);
      }
      const qa = sumA + <usize>c * 8;
      const qb = sumAB + <usize>c * 8;
      store<f64>(qa, load<f64>(qa) + t1);
      store<f64>(qb, load<f64>(qb) + t2);
      ka += <usize>S * Z;
      kb += <usize>S * Z;
    }
  }
}

/** out = alpha·(a − aShift) + beta·b + delta per channel (b = 0: no b term), in f64, rounded to T on store. */
function channelLinearT<T>(
  a: usize,
  aShift: usize,
  alpha: usize,
  b: usize,
  beta: usize,
  delta: usize,
  out: usize,
  N: i32,
  C: i32,
  S: i32,
): void {
  const Z = <usize>sizeof<T>();
  let ka = a;
  let kb = b;
  let ko = out;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = load<f64>(aShift + <usize>c * 8);
      const al = load<f64>(alpha + <usize>c * 8);
      const de = load<f64>(delta + <usize>c * 8);
      const be = b ? load<f64>(beta + <usize>c * 8) : 0;
      const Mv = f64x2.splat(m);
      const AL = f64x2.splat(al);
      const DE = f64x2.splat(de);
      const BE = f64x2.splat(be);
      let s = 0;
      for (; s + 2 <= S; s += 2) {
        const d = f64x2.mul(AL, f64x2.sub(ld2<T>(ka + <usize>s * Z), Mv));
        const v = b
          ? f64x2.add(f64x2.add(d, f64x2.mul(BE, ld2<T>(kb + <usize>s * Z))), DE)
          : f64x2.add(d, DE);
        st2<T>(ko + <usize>s * Z, v);
      }
      for (; s < S; s++) {
        const va = <f64>load<T>(ka + <usize>s * Z);
        const v = b ? al * (va - m) + be * <f64>load<T>(kb + <usize>s * Z) + de : al * (va - m) + de;
        store<T>(ko + <usize>s * Z, <T>v);
      }
      ka += <usize>S * Z;
      if (b) kb += <usize>S * Z;
      ko += <usize>S * Z;
    }
  }
}

/** Per-channel mean and variance of x (N, C, S) in f64; x has elements of `size` bytes (4: f32, 8: f64). */
export function channelMoments(
  size: i32,
  x: usize,
  N: i32,
  C: i32,
  S: i32,
  mean: usize,
  variance: usize,
): void {
  if (size == 4) channelMomentsT<f32>(x, N, C, S, mean, variance);
  else channelMomentsT<f64>(x, N, C, S, mean, variance);
}

/** Per channel: sumA = Σ a, sumAB = Σ a·(b − bShift), in f64 (a, b of `size`-byte elements). */
export function channelDot(
  size: i32,
  a: usize,
  b: usize,
  N: i32,
  C: i32,
  S: i32,
  bShift: usize,
  sumA: usize,
  sumAB: usize,
): void {
  if (size == 4) channelDotT<f32>(a, b, N, C, S, bShift, sumA, sumAB);
  else channelDotT<f64>(a, b, N, C, S, bShift, sumA, sumAB);
}

/** channelLinearT on elements of `size` bytes (4: f32, 8: f64). */
export function channelLinear(
  size: i32,
  a: usize,
  aShift: usize,
  alpha: usize,
  b: usize,
  beta: usize,
  delta: usize,
  out: usize,
  N: i32,
  C: i32,
  S: i32,
): void {
  if (size == 4) channelLinearT<f32>(a, aShift, alpha, b, beta, delta, out, N, C, S);
  else channelLinearT<f64>(a, aShift, alpha, b, beta, delta, out, N, C, S);
}
