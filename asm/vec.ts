/** Lane arithmetic shared by the kernels, written once for f32x4 and f64x2 (T = f32 | f64). */

/**
 * c + a·b in the lanes of T. The relaxed build (--enable relaxed-simd) issues relaxed_madd, which engines
 * compile to a fused multiply-add where the CPU has one (one rounding) and to a multiply and an add elsewhere;
 * the SIMD build always rounds twice. Inlined by the optimizer: the micro-kernels' accumulators stay in registers.
 */
export function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/** x where x > 0, else +0 (NaN gives 0): the ReLU on a whole vector. */
export function relu<T>(x: v128): v128 {
  return v128.and(x, v128.gt<T>(x, v128.splat<T>(0)));
}
