/** The affine (fully connected) layer: out = x·w + b on x flattened to (N, D). */
import type { NDArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';

/** affineForward's cache: x (N, d_1, ..., d_k), w (D, M), b (M,). */
export type AffineCache = [x: NDArray, w: NDArray, b: NDArray];

/**
 * Forward pass of an affine layer.
 * - x: (N, d_1, ..., d_k), each example flattened to D = d_1·…·d_k
 * - w: (D, M), b: (M,)
 * Returns [out (N, M), cache].
 */
export function affineForward(x: NDArray, w: NDArray, b: NDArray): [NDArray, AffineCache] {
  checkFloat('affineForward', 'x', x);
  checkFloat('affineForward', 'w', w, 2);
  const N = x.shape[0];
  const D = x.size / (N || 1);
  if (x.ndim < 1 || w.shape[0] !== D)
    fail(
      'affineForward',
      `x of shape ${fmtShape(x.shape)} (D = ${D}) does not match w of shape ${fmtShape(w.shape)}`,
    );
  if (b.ndim !== 1 || b.shape[0] !== w.shape[1])
    fail('affineForward', `b of shape ${fmtShape(b.shape)} does not match w of shape ${fmtShape(w.shape)}`);
  // reshape is a view when x is contiguous, so no copy is made of the input.
  const out = x.reshape(N, D).dot(w);
  out.addInPlace(b);
  return [out, [x, w, b]];
}

/**
 * Backward pass of an affine layer.
 * - dout: (N, M); cache from affineForward
 * - computeDx: pass false for a first layer, whose dx nobody reads: it skips a third of the work (dx is null)
 * Returns [dx (shape of x), dw (D, M), db (M,)].
 */
export function affineBackward(dout: NDArray, cache: AffineCache): [NDArray, NDArray, NDArray];
export function affineBackward(
  dout: NDArray,
  cache: AffineCache,
  computeDx: boolean,
): [NDArray | null, NDArray, NDArray];
export function affineBackward(
  dout: NDArray,
  cache: AffineCache,
  computeDx = true,
): [NDArray | null, NDArray, NDArray] {
  const [x, w] = cache;
  const N = x.shape[0];
  const M = w.shape[1];
  if (dout.ndim !== 2 || dout.shape[0] !== N || dout.shape[1] !== M)
    fail('affineBackward', `dout of shape ${fmtShape(dout.shape)} should have shape (${N}, ${M})`);
  const x2 = x.reshape(N, -1);
  // w.T and x2.T are strided views; GEMM reads them transposed without copying.
  const dx = computeDx ? dout.dot(w.T).reshape(x.shape) : null;
  const dw = x2.T.dot(dout);
  const db = dout.sum(0);
  return [dx, dw, db];
}
