/**
 * The LSTM (the course's rnn_layers.py): one step and a whole sequence. The pre-activation a = x·Wx +
 * prevH·Wh + b (N, 4H) holds the course's gate blocks in order — input i, forget f, output o (sigmoids)
 * and the block g (tanh) — and
 *
 *   nextC = f ⊙ prevC + i ⊙ g,   nextH = o ⊙ tanh(nextC).
 *
 * As for the RNN, a step is the sequence with T = 1 and both run one time loop over time-major buffers:
 * per step one GEMM accumulating into the step's slice of the gates, and elementwise ops writing into
 * preallocated slices (see sequence.ts); nothing is allocated per step.
 */
import { add, mul, sigmoid, sub, tanh } from '../ndarray/elementwise.js';
import type { FloatDType } from '../ndarray/dtype.js';
import { matmulInto } from '../ndarray/linalg.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { batchFirst, cast, checkRecurrent, inputProjection, recurrentGrads, timeMajor } from './sequence.js';
import { checkShape } from './util.js';

/** What lstmBackward (and lstmStepBackward) need, time-major. */
export interface LstmCache {
  /** x as rows (T·N, D). */
  xT: NDArray;
  h0: NDArray;
  /** The cell state before the first step (the step's prevC; null: zero, as lstmForward's c0). */
  c0: NDArray | null;
  Wx: NDArray;
  Wh: NDArray;
  /** The activated gates [i, f, o, g] of every step, (T, N, 4H). */
  gates: NDArray;
  /** Cell states (T, N, H), their tanh (T, N, H) and the hidden states (T, N, H). */
  cT: NDArray;
  tanhCT: NDArray;
  hT: NDArray;
}

/** The gate block k (0 i, 1 f, 2 o, 3 g) of a (..., 4H) array, a view. */
function block(a: NDArray, k: number, H: number): NDArray {
  return a.slice('...', `${k * H}:${(k + 1) * H}`);
}

/**
 * The time loop. A (T, N, 4H) holds x·Wx + b on entry and the activated gates on return (in place);
 * fills cT, tanhCT and hT (T, N, H). c0 null is a zero initial cell.
 */
function lstmLoop(A: NDArray, h0: NDArray, c0: NDArray | null, Wh: NDArray, cache: LstmCache): void {
  const { cT, tanhCT, hT } = cache;
  const [T, N, G] = A.shape;
  const H = G / 4;
  const tmp = allocArray([N, H], A.dtype, 'lstmForward');
  let prevH = h0;
  let prevC = c0;
  for (let t = 0; t < T; t++) {
    const a = A.slice(t);
    matmulInto(prevH, Wh, a, 1);
    const ifo = a.slice(':', `0:${3 * H}`);
    sigmoid(ifo, ifo);
    const g = block(a, 3, H);
    tanh(g, g);
    const c = cT.slice(t);
    mul(block(a, 0, H), g, c);
    if (prevC) add(c, mul(block(a, 1, H), prevC, tmp), c);
    const tc = tanhCT.slice(t);
    tanh(c, tc);
    prevH = mul(block(a, 2, H), tc, hT.slice(t));
    prevC = c;
  }
}

/** 1 − a (a new array). */
const oneMinus = (a: NDArray) => sub(1, a);

/**
 * The factors of the gates' backward for all steps at once (elementwise, outside the time loop):
 * dc += dh ⊙ K, with K = o ⊙ (1 − tanh(c)²), and the pre-activation gradients are
 * dA = [dc ⊙ Ki, dc ⊙ Kf, dh ⊙ Ko, dc ⊙ Kg] with Ki = g ⊙ i(1 − i), Kf = prevC ⊙ f(1 − f),
 * Ko = tanh(c) ⊙ o(1 − o), Kg = i ⊙ (1 − g²).
 */
function gateFactors(cache: LstmCache): [NDArray, NDArray] {
  const { gates, cT, tanhCT, c0 } = cache;
  const [T, N, G] = gates.shape;
  const H = G / 4;
  const [i, f, o, g] = [0, 1, 2, 3].map((k) => block(gates, k, H));
  const K = o.mul(oneMinus(tanhCT.mul(tanhCT)));
  const KG = allocArray([T, N, G], gates.dtype, 'lstmBackward');
  mul(g, i.mul(oneMinus(i)), block(KG, 0, H));
  const Kf = block(KG, 1, H);
  mul(f, oneMinus(f), Kf);
  if (T > 1) Kf.slice(`1:`).mulInPlace(cT.slice(`0:${T - 1}`));
  const Kf0 = Kf.slice(0);
  if (c0) Kf0.mulInPlace(c0);
  else Kf0.fill(0);
  mul(tanhCT, o.mul(oneMinus(o)), block(KG, 2, H));
  mul(i, oneMinus(g.mul(g)), block(KG, 3, H));
  return [K, KG];
}

/**
 * The backward time loop: dA (T, N, 4H) receives the pre-activation gradients; dH (T, N, H) holds the
 * upstream gradient of every hidden state on entry (and is overwritten). dcLast is the gradient of the last
 * cell state from outside (the step's dnextC), null for none. Returns [dh0, dc0].
 */
function lstmLoopBackward(
  dA: NDArray,
  dH: NDArray,
  dcLast: NDArray | null,
  cache: LstmCache,
): [NDArray, NDArray] {
  const [T, N, G] = dA.shape;
  const H = G / 4;
  const [K, KG] = gateFactors(cache);
  const WhT = cache.Wh.T;
  const dprevH = allocArray([N, H], dA.dtype, 'lstmBackward');
  const dc = dcLast
    ? cast(dcLast, dA.dtype as FloatDType).copy()
    : allocArray([N, H], dA.dtype, 'lstmBackward');
  const tmp = allocArray([N, H], dA.dtype, 'lstmBackward');
  for (let t = T - 1; t >= 0; t--) {
    const dh = dH.slice(t);
    if (t < T - 1) dh.addInPlace(dprevH);
    dc.addInPlace(mul(dh, K.slice(t), tmp));
    const [da, kg] = [dA.slice(t), KG.slice(t)];
    for (const k of [0, 1, 3]) mul(dc, block(kg, k, H), block(da, k, H));
    mul(dh, block(kg, 2, H), block(da, 2, H));
    dc.mulInPlace(block(cache.gates.slice(t), 1, H));
    matmulInto(da, WhT, dprevH);
  }
  return [dprevH, dc];
}

function forward(
  layer: string,
  step: boolean,
  x: NDArray,
  h0: NDArray,
  c0: NDArray | null,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): LstmCache {
  const sizes = checkRecurrent(layer, step, x, h0, Wx, Wh, b, 4);
  const { N, T, H, dtype } = sizes;
  if (c0) checkShape(layer, 'prevC', c0, [N, H]);
  const [xT, gates] = inputProjection(x, Wx, b, sizes);
  const state = () => allocArray([T, N, H], dtype, layer);
  const cache: LstmCache = {
    xT,
    h0: cast(h0, dtype),
    c0: c0 && cast(c0, dtype),
    Wx,
    Wh: cast(Wh, dtype),
    gates,
    cT: state(),
    tanhCT: state(),
    hT: state(),
  };
  lstmLoop(gates, cache.h0, cache.c0, cache.Wh, cache);
  return cache;
}

function backward(
  layer: string,
  step: boolean,
  dh: NDArray,
  dc: NDArray | null,
  cache: LstmCache,
): NDArray[] {
  const [T, N, H] = cache.hT.shape;
  checkShape(layer, step ? 'dnextH' : 'dh', dh, step ? [N, H] : [N, T, H]);
  if (dc) checkShape(layer, 'dnextC', dc, [N, H]);
  const dtype = cache.hT.dtype as FloatDType;
  const dH = timeMajor(step ? dh.reshape(N, 1, H) : dh, dtype, true);
  const dA = allocArray([T, N, 4 * H], dtype, layer);
  const [dh0, dc0] = lstmLoopBackward(dA, dH, dc, cache);
  const [dx, dWx, dWh, db] = recurrentGrads(dA, cache.xT, cache.h0, cache.hT, cache.Wx, step);
  return [dx, dh0, dc0, dWx, dWh, db];
}

/**
 * One LSTM step.
 * - x: (N, D), prevH: (N, H), prevC: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,)
 * Returns [nextH (N, H), nextC (N, H), cache].
 */
export function lstmStepForward(
  x: NDArray,
  prevH: NDArray,
  prevC: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): [NDArray, NDArray, LstmCache] {
  const cache = forward('lstmStepForward', true, x, prevH, prevC, Wx, Wh, b);
  const [, N, H] = cache.hT.shape;
  return [cache.hT.reshape(N, H), cache.cT.reshape(N, H), cache];
}

/**
 * Backward of one LSTM step.
 * - dnextH: (N, H), dnextC: (N, H); cache from lstmStepForward
 * Returns [dx (N, D), dprevH (N, H), dprevC (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,)].
 */
export function lstmStepBackward(
  dnextH: NDArray,
  dnextC: NDArray,
  cache: LstmCache,
): [NDArray, NDArray, NDArray, NDArray, NDArray, NDArray] {
  const [dx, dprevH, dprevC, dWx, dWh, db] = backward('lstmStepBackward', true, dnextH, dnextC, cache);
  return [dx, dprevH, dprevC, dWx, dWh, db];
}

/**
 * An LSTM over a whole sequence of T vectors of dimension D, hidden size H, on a minibatch of N sequences;
 * the initial hidden state is h0 and the initial cell state is zero (as in the course).
 * - x: (N, T, D), h0: (N, H), Wx: (D, 4H), Wh: (H, 4H), b: (4H,)
 * Returns [h (N, T, H), the hidden state of every step; cache].
 */
export function lstmForward(
  x: NDArray,
  h0: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): [NDArray, LstmCache] {
  const cache = forward('lstmForward', false, x, h0, null, Wx, Wh, b);
  return [batchFirst(cache.hT), cache];
}

/**
 * Backward of an LSTM over a whole sequence.
 * - dh: (N, T, H), the upstream gradient of every hidden state
 * Returns [dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,)].
 */
export function lstmBackward(dh: NDArray, cache: LstmCache): [NDArray, NDArray, NDArray, NDArray, NDArray] {
  const [dx, dh0, , dWx, dWh, db] = backward('lstmBackward', false, dh, null, cache);
  return [dx, dh0, dWx, dWh, db];
}
