/**
 * What the vanilla RNN and the LSTM share (internal to src/nn): argument checks, and the two products that
 * do not depend on the recurrence and so run once over all time steps as one GEMM each — the input's
 * projection x·Wx + b before the time loop, and the parameter gradients after it.
 *
 * Inside, sequences are time-major, (T, N, ...) contiguous, so that each step's slice is a contiguous
 * (N, ...) matrix that a GEMM reads and writes in place; the layers' arguments and results keep the
 * course's batch-first (N, T, ...) layout.
 */
import { promoteTypes, isFloat, type FloatDType } from '../ndarray/dtype.js';
import { matmulInto } from '../ndarray/linalg.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { checkFloat, checkShape, fail, fmtShape } from './util.js';

export interface RecurrentSizes {
  N: number;
  T: number;
  D: number;
  H: number;
  dtype: FloatDType;
}

/**
 * Checks x (N, T, D) — or (N, D) for one step (then T = 1) — h0 (N, H), Wx (D, G·H), Wh (H, G·H), b (G·H,)
 * for a cell of G gate blocks (1 for the RNN, 4 for the LSTM). The computation dtype is the promoted one.
 */
export function checkRecurrent(
  layer: string,
  step: boolean,
  x: NDArray,
  h0: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
  gates: number,
): RecurrentSizes {
  const h0Name = step ? 'prevH' : 'h0';
  checkFloat(layer, 'x', x, step ? 2 : 3);
  checkFloat(layer, h0Name, h0, 2);
  checkFloat(layer, 'Wx', Wx, 2);
  checkFloat(layer, 'Wh', Wh, 2);
  checkFloat(layer, 'b', b, 1);
  const N = x.shape[0];
  const T = step ? 1 : x.shape[1];
  const D = x.shape[x.ndim - 1];
  const H = h0.shape[1];
  if (h0.shape[0] !== N)
    fail(
      layer,
      `${h0Name} of shape ${fmtShape(h0.shape)} does not match x of shape ${fmtShape(x.shape)} (N = ${N})`,
    );
  if (Wx.shape[0] !== D)
    fail(
      layer,
      `x of shape ${fmtShape(x.shape)} (D = ${D}) does not match Wx of shape ${fmtShape(Wx.shape)}`,
    );
  const cols = gates === 1 ? 'H' : `${gates}H`;
  if (Wx.shape[1] !== gates * H)
    fail(
      layer,
      `Wx of shape ${fmtShape(Wx.shape)} should have ${cols} = ${gates * H} columns (H = ${H} from ${h0Name})`,
    );
  checkShape(layer, 'Wh', Wh, [H, gates * H]);
  checkShape(layer, 'b', b, [gates * H]);
  const dtype = [h0, Wx, Wh, b].reduce((d, a) => promoteTypes(d, a.dtype), x.dtype);
  if (!isFloat(dtype)) fail(layer, `unsupported dtype ${dtype}`);
  return { N, T, D, H, dtype };
}

/** `a` as `dtype`, without a copy when it already is. */
export function cast(a: NDArray, dtype: FloatDType): NDArray {
  return a.dtype === dtype ? a : a.astype(dtype);
}

/**
 * (N, T, ...) → a contiguous time-major (T, N, ...) array of `dtype`: a view when no copy is needed, unless
 * `copy` (for a buffer the caller then overwrites).
 */
export function timeMajor(a: NDArray, dtype: FloatDType, copy = false): NDArray {
  const t = a.swapaxes(0, 1);
  if (t.dtype !== dtype) return t.astype(dtype);
  return copy ? t.copy() : t.contiguous();
}

/** The reverse: time-major (T, N, ...) → a new contiguous batch-first (N, T, ...) array. */
export function batchFirst(a: NDArray): NDArray {
  return a.swapaxes(0, 1).copy();
}

/**
 * The input's part of every step's pre-activation, time-major: A (T, N, G) = x·Wx + b in one GEMM.
 * x is (N, T, D) (or (N, D) for one step). Returns [xT (T·N, D), the rows of A's GEMM, kept for dWx; A].
 */
export function inputProjection(
  x: NDArray,
  Wx: NDArray,
  b: NDArray,
  { N, T, D, dtype }: RecurrentSizes,
): [NDArray, NDArray] {
  const xT = timeMajor(x.ndim === 2 ? x.reshape(N, 1, D) : x, dtype).reshape(T * N, D);
  const G = Wx.shape[1];
  const A = allocArray([T, N, G], dtype, 'inputProjection');
  matmulInto(xT, cast(Wx, dtype), A.reshape(T * N, G));
  A.addInPlace(b);
  return [xT, A];
}

/**
 * The parameter and input gradients from the pre-activation gradients dA (T, N, G), time-major, after the
 * backward time loop: dx = dA·Wxᵀ, dWx = xᵀ·dA, dWh = Σ_t h_{t−1}ᵀ·dA_t (h_{−1} = h0), db = Σ dA.
 * hT (T, N, H) holds the hidden states. dx comes back batch-first (N, T, D), or (N, D) for one step.
 */
export function recurrentGrads(
  dA: NDArray,
  xT: NDArray,
  h0: NDArray,
  hT: NDArray,
  Wx: NDArray,
  step: boolean,
): [NDArray, NDArray, NDArray, NDArray] {
  const [T, N, G] = dA.shape;
  const D = xT.shape[1];
  const H = hT.shape[2];
  const dtype = dA.dtype as FloatDType;
  const dA2 = dA.reshape(T * N, G);
  const dxT = allocArray([T * N, D], dtype, 'recurrentGrads');
  matmulInto(dA2, cast(Wx, dtype).T, dxT);
  const dx = step ? dxT : batchFirst(dxT.reshape(T, N, D));
  const dWx = allocArray([D, G], dtype, 'recurrentGrads');
  matmulInto(xT.T, dA2, dWx);
  const dWh = allocArray([H, G], dtype, 'recurrentGrads');
  matmulInto(cast(h0, dtype).T, dA.slice(0), dWh);
  // h_{t−1} for t ≥ 1 is hT[0 : T−1], contiguous rows: the other T − 1 steps in one accumulating GEMM.
  if (T > 1) matmulInto(hT.slice(`0:${T - 1}`).reshape(-1, H).T, dA.slice(`1:`).reshape(-1, G), dWh, 1);
  return [dx, dWx, dWh, dA2.sum(0)];
}
