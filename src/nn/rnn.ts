/**
 * The vanilla RNN and the layers around it in a captioning model (the course's rnn_layers.py): one step
 * and a whole sequence of next_h = tanh(x·Wx + prev_h·Wh + b), word embeddings, the temporal affine layer
 * and the temporal softmax loss.
 *
 * A step is the sequence with T = 1: both run the same time loop over time-major buffers (see sequence.ts),
 * in which each step is one GEMM accumulating into the step's own slice of the output and one tanh in
 * place — nothing else is allocated per step.
 */
import { arange } from '../ndarray/creation.js';
import { isInteger, type FloatDType } from '../ndarray/dtype.js';
import { sub, tanh } from '../ndarray/elementwise.js';
import { addAt } from '../ndarray/indexing.js';
import { matmulInto } from '../ndarray/linalg.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { affineBackward, affineForward, type AffineCache } from './affine.js';
import { batchFirst, cast, checkRecurrent, inputProjection, recurrentGrads, timeMajor } from './sequence.js';
import { checkFloat, checkShape, fail, fmtShape } from './util.js';

/** What rnnBackward (and rnnStepBackward) need: the inputs time-major and every hidden state. */
export interface RnnCache {
  /** x time-major as rows (T·N, D). */
  xT: NDArray;
  h0: NDArray;
  Wx: NDArray;
  Wh: NDArray;
  /** The hidden states, time-major (T, N, H). */
  hT: NDArray;
}

/** The time loop: A (T, N, H) holds x·Wx + b on entry and the hidden states on return (in place). */
function rnnLoop(A: NDArray, h0: NDArray, Wh: NDArray): void {
  let prev = h0;
  for (let t = 0; t < A.shape[0]; t++) {
    const a = A.slice(t);
    matmulInto(prev, Wh, a, 1);
    tanh(a, a);
    prev = a;
  }
}

/**
 * The backward time loop: dA (T, N, H) holds dh (the upstream gradient of every hidden state) on entry and
 * the gradient of every pre-activation on return (in place). Returns the gradient of h0.
 */
function rnnLoopBackward(dA: NDArray, hT: NDArray, Wh: NDArray): NDArray {
  const [T, N, H] = dA.shape;
  // tanh' = 1 − h², for all steps at once.
  const slope = hT.mul(hT);
  sub(1, slope, slope);
  const dprev = allocArray([N, H], dA.dtype, 'rnnBackward');
  const WhT = Wh.T;
  for (let t = T - 1; t >= 0; t--) {
    const da = dA.slice(t);
    if (t < T - 1) da.addInPlace(dprev);
    da.mulInPlace(slope.slice(t));
    matmulInto(da, WhT, dprev);
  }
  return dprev;
}

function forward(
  layer: string,
  step: boolean,
  x: NDArray,
  h0: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): [NDArray, RnnCache] {
  const sizes = checkRecurrent(layer, step, x, h0, Wx, Wh, b, 1);
  const [xT, hT] = inputProjection(x, Wx, b, sizes);
  const h0c = cast(h0, sizes.dtype);
  const Whc = cast(Wh, sizes.dtype);
  rnnLoop(hT, h0c, Whc);
  const out = step ? hT.reshape(sizes.N, sizes.H) : batchFirst(hT);
  return [out, { xT, h0: h0c, Wx, Wh: Whc, hT }];
}

function backward(layer: string, step: boolean, dh: NDArray, cache: RnnCache): NDArray[] {
  const { xT, h0, Wx, Wh, hT } = cache;
  const [T, N, H] = hT.shape;
  checkShape(layer, step ? 'dnextH' : 'dh', dh, step ? [N, H] : [N, T, H]);
  const dtype = hT.dtype as FloatDType;
  // A copy: the loop turns it into the pre-activation gradients in place.
  const dA = timeMajor(step ? dh.reshape(N, 1, H) : dh, dtype, true);
  const dh0 = rnnLoopBackward(dA, hT, Wh);
  const [dx, dWx, dWh, db] = recurrentGrads(dA, xT, h0, hT, Wx, step);
  return [dx, dh0, dWx, dWh, db];
}

/**
 * One time step of a vanilla RNN with a tanh activation: nextH = tanh(x·Wx + prevH·Wh + b).
 * - x: (N, D), prevH: (N, H), Wx: (D, H), Wh: (H, H), b: (H,)
 * Returns [nextH (N, H), cache].
 */
export function rnnStepForward(
  x: NDArray,
  prevH: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): [NDArray, RnnCache] {
  return forward('rnnStepForward', true, x, prevH, Wx, Wh, b);
}

/**
 * Backward of one RNN step.
 * - dnextH: (N, H), the gradient of the loss with respect to nextH; cache from rnnStepForward
 * Returns [dx (N, D), dprevH (N, H), dWx (D, H), dWh (H, H), db (H,)].
 */
export function rnnStepBackward(
  dnextH: NDArray,
  cache: RnnCache,
): [NDArray, NDArray, NDArray, NDArray, NDArray] {
  const [dx, dprevH, dWx, dWh, db] = backward('rnnStepBackward', true, dnextH, cache);
  return [dx, dprevH, dWx, dWh, db];
}

/**
 * A vanilla RNN over a whole sequence of T vectors of dimension D, with hidden size H, on a minibatch of N
 * sequences: h_t = tanh(x_t·Wx + h_{t−1}·Wh + b), starting from h0.
 * - x: (N, T, D), h0: (N, H), Wx: (D, H), Wh: (H, H), b: (H,)
 * Returns [h (N, T, H), the hidden state of every step; cache].
 */
export function rnnForward(
  x: NDArray,
  h0: NDArray,
  Wx: NDArray,
  Wh: NDArray,
  b: NDArray,
): [NDArray, RnnCache] {
  return forward('rnnForward', false, x, h0, Wx, Wh, b);
}

/**
 * Backward of a vanilla RNN over a whole sequence.
 * - dh: (N, T, H), the upstream gradient of every hidden state (not only of the next step's input)
 * Returns [dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,)].
 */
export function rnnBackward(dh: NDArray, cache: RnnCache): [NDArray, NDArray, NDArray, NDArray, NDArray] {
  const [dx, dh0, dWx, dWh, db] = backward('rnnBackward', false, dh, cache);
  return [dx, dh0, dWx, dWh, db];
}

/** wordEmbeddingForward's cache: indices x (N, T) and W (V, D). */
export type WordEmbeddingCache = [x: NDArray, W: NDArray];

/** Requires integer indices in [0, V): `what` names them in the error. */
function checkIndices(layer: string, x: NDArray, V: number, what: string): void {
  if (!isInteger(x.dtype)) fail(layer, `${what} must hold integer indices (int32), got ${x.dtype}`);
  if (x.size === 0) return;
  const lo = x.min().item();
  const hi = x.max().item();
  if (lo < 0 || hi >= V)
    fail(layer, `${what} of shape ${fmtShape(x.shape)} holds indices from ${lo} to ${hi}, outside [0, ${V})`);
}

/**
 * Word embeddings: each of the N·T word indices x[n, t] selects row x[n, t] of W, its D-dimensional vector.
 * - x: (N, T) integer indices in [0, V); W: (V, D)
 * Returns [out (N, T, D), cache].
 */
export function wordEmbeddingForward(x: NDArray, W: NDArray): [NDArray, WordEmbeddingCache] {
  checkFloat('wordEmbeddingForward', 'W', W, 2);
  checkIndices('wordEmbeddingForward', x, W.shape[0], `x (vocabulary of W ${fmtShape(W.shape)})`);
  return [W.take(x, 0), [x, W]];
}

/**
 * Backward of word embeddings: dW[v] sums dout over every position holding word v (numpy's add.at, so
 * repeated words accumulate). The indices are not differentiable, so only dW is returned.
 * - dout: (N, T, D)
 * Returns dW (V, D).
 */
export function wordEmbeddingBackward(dout: NDArray, cache: WordEmbeddingCache): NDArray {
  const [x, W] = cache;
  checkShape('wordEmbeddingBackward', 'dout', dout, [...x.shape, W.shape[1]]);
  const dW = allocArray(W.shape, W.dtype, 'wordEmbeddingBackward');
  addAt(dW, x, dout);
  return dW;
}

/** temporalAffineForward's cache: x's shape (N, T, D) and the affine cache. */
export type TemporalAffineCache = [xShape: readonly number[], affine: AffineCache];

/**
 * The affine layer applied at every time step: out[n, t] = x[n, t]·w + b (as the vocabulary scores of a
 * captioning model), one GEMM over all N·T vectors.
 * - x: (N, T, D), w: (D, M), b: (M,)
 * Returns [out (N, T, M), cache].
 */
export function temporalAffineForward(x: NDArray, w: NDArray, b: NDArray): [NDArray, TemporalAffineCache] {
  checkFloat('temporalAffineForward', 'x', x, 3);
  const [N, T, D] = x.shape;
  if (w.ndim !== 2 || w.shape[0] !== D)
    fail(
      'temporalAffineForward',
      `x of shape ${fmtShape(x.shape)} (D = ${D}) does not match w of shape ${fmtShape(w.shape)}`,
    );
  const [out, cache] = affineForward(x.reshape(N * T, D), w, b);
  return [out.reshape(N, T, w.shape[1]), [x.shape, cache]];
}

/**
 * Backward of the temporal affine layer.
 * - dout: (N, T, M)
 * Returns [dx (N, T, D), dw (D, M), db (M,)].
 */
export function temporalAffineBackward(
  dout: NDArray,
  cache: TemporalAffineCache,
): [NDArray, NDArray, NDArray] {
  const [xShape, affine] = cache;
  const [N, T] = xShape;
  const M = affine[1].shape[1];
  checkShape('temporalAffineBackward', 'dout', dout, [N, T, M]);
  const [dx, dw, db] = affineBackward(dout.reshape(N * T, M), affine);
  return [dx.reshape(xShape), dw, db];
}

/**
 * The softmax loss at every time step, for a vocabulary of V words: summed over time, averaged over the N
 * sequences; steps where mask is false (the <NULL> padding after a caption's end) count for nothing.
 * - x: scores (N, T, V); y: (N, T) integer targets in [0, V); mask: (N, T) bool (or 0/1)
 * Returns [loss, dx (N, T, V)].
 */
export function temporalSoftmaxLoss(x: NDArray, y: NDArray, mask: NDArray): [number, NDArray] {
  const layer = 'temporalSoftmaxLoss';
  checkFloat(layer, 'x', x, 3);
  const [N, T, V] = x.shape;
  checkShape(layer, 'y', y, [N, T]);
  checkShape(layer, 'mask', mask, [N, T]);
  checkIndices(layer, y, V, `y (V = ${V} from x ${fmtShape(x.shape)})`);
  const xf = x.reshape(N * T, V);
  const rows = arange(N * T, undefined, 1, 'int32');
  const yf = y.reshape(N * T);
  const m = mask.reshape(N * T, 1).astype(x.dtype);
  const shifted = xf.sub(xf.max(1, true));
  const logProbs = shifted.sub(shifted.exp().sum(1, true).log());
  const loss =
    -logProbs
      .get(rows, yf)
      .mul(m.reshape(N * T))
      .sum()
      .item() / N;
  const dx = logProbs.exp();
  dx.set([rows, yf], dx.get(rows, yf).sub(1));
  return [loss, dx.mulInPlace(m).divInPlace(N).reshape(N, T, V)];
}
