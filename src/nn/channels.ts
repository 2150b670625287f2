/**
 * NDArray-level wrappers of the backend's per-channel kernels (channelMoments, channelDot,
 * channelLinear), shared by batch, layer and group normalization. Arrays are viewed as (N, C, S):
 * see ChannelShape in src/backend/backend.ts.
 */
import { backend } from '../backend/index.js';
import type { ChannelShape } from '../backend/backend.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';

export type { ChannelShape };

/** The float64 values of a small array (gamma, running statistics), as the kernels take them. */
export function f64(a: NDArray): Float64Array {
  return Float64Array.from(a.toTypedArray());
}

/** Mean and biased variance of each channel of the contiguous array x. */
export function channelMoments(
  x: NDArray,
  shape: ChannelShape,
): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(shape.C);
  const variance = new Float64Array(shape.C);
  backend().channelMoments({ ...shape, x: x.data as FloatArray, xOffset: x.offset, mean, variance });
  return { mean, variance };
}

/** Per channel, Σa and Σa·(b − bShift), for contiguous a and b. */
export function channelDot(
  a: NDArray,
  b: NDArray,
  bShift: Float64Array,
  shape: ChannelShape,
): { sumA: Float64Array; sumAB: Float64Array } {
  const sumA = new Float64Array(shape.C);
  const sumAB = new Float64Array(shape.C);
  backend().channelDot({
    ...shape,
    a: a.data as FloatArray,
    aOffset: a.offset,
    b: b.data as FloatArray,
    bOffset: b.offset,
    bShift,
    sumA,
    sumAB,
  });
  return { sumA, sumAB };
}

/** A new array of a's shape and dtype: alpha[c]·(a − aShift[c]) + beta[c]·b + delta[c] (b optional). */
export function channelLinear(
  a: NDArray,
  aShift: Float64Array,
  alpha: Float64Array,
  b: NDArray | null,
  beta: Float64Array | null,
  delta: Float64Array,
  shape: ChannelShape,
): NDArray {
  const out = allocArray(a.shape, a.dtype, 'channelLinear');
  backend().channelLinear({
    ...shape,
    a: a.data as FloatArray,
    aOffset: a.offset,
    aShift,
    alpha,
    b: b ? (b.data as FloatArray) : null,
    bOffset: b ? b.offset : 0,
    beta: beta ?? new Float64Array(shape.C),
    delta,
    out: out.data as FloatArray,
    outOffset: 0,
  });
  return out;
}

/** An NDArray of `dtype` holding float64 values (per-channel results handed back to the user). */
export function fromF64(values: Float64Array, shape: readonly number[], dtype: NDArray['dtype']): NDArray {
  const a = new NDArray(values, shape, 'float64');
  return dtype === 'float64' ? a : a.astype(dtype);
}
