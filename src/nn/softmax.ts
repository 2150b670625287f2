/**
 * Softmax and log-softmax along an axis, optionally masked (attention's scores: masked positions are −∞
 * before the softmax, so they get probability 0), as a forward/backward pair over the backend's row kernels.
 * The row's max is subtracted first, so any finite scores give finite probabilities.
 */
import { backend } from '../backend/index.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { allocArray, type NDArray } from '../ndarray/ndarray.js';
import { broadcastShapes, normalizeAxis } from '../ndarray/shape.js';
import { checkFloat, fail, fmtShape } from './util.js';

/** softmax's options: the axis. */
export interface SoftmaxParam {
  /** The axis the probabilities sum over (default the last). */
  axis?: number;
  /** Log-softmax instead (default false). */
  log?: boolean;
  /**
   * Where it is 0 (false) the score is replaced by −∞ (PyTorch's masked_fill(mask == 0, -inf)); it
   * broadcasts to x's shape, e.g. an (S, T) causal mask for (N, heads, S, T) scores.
   */
  mask?: NDArray | null;
}

/** softmaxForward's cache. */
export interface SoftmaxCache {
  /** The output with `axis` moved last, contiguous: what the backward kernel reads. */
  out: NDArray;
  axis: number;
  log: boolean;
}

/** The mask as the kernel takes it: bytes, and how many rows of n it holds (the rows it repeats over). */
function kernelMask(layer: string, mask: NDArray, shape: readonly number[]): { m: NDArray; rows: number } {
  const full = broadcastShapes(layer, mask.shape, shape);
  if (full.length !== shape.length || full.some((d, i) => d !== shape[i]))
    fail(layer, `mask of shape ${fmtShape(mask.shape)} does not broadcast to x of shape ${fmtShape(shape)}`);
  const bytes = (mask.dtype === 'bool' ? mask : mask.ne(0)).contiguous();
  let k = 0;
  while (k < bytes.ndim && bytes.shape[k] === 1) k++;
  const core = bytes.shape.slice(k);
  const n = shape[shape.length - 1];
  // A mask equal to x's trailing axes repeats row by row over the leading ones; any other is broadcast out.
  if (core.length > 0 && core.every((d, i) => d === shape[shape.length - core.length + i]))
    return { m: bytes, rows: bytes.size / n };
  const m = bytes.broadcastTo(shape).copy();
  return { m, rows: m.size / n };
}

/**
 * Softmax forward.
 * - x: any shape, float; softmaxParam: { axis = −1, log = false, mask? }
 * Returns [out (shape of x), cache].
 */
export function softmaxForward(x: NDArray, softmaxParam: SoftmaxParam = {}): [NDArray, SoftmaxCache] {
  const layer = 'softmaxForward';
  checkFloat(layer, 'x', x);
  if (x.ndim === 0) fail(layer, 'x must have at least one axis');
  const axis = normalizeAxis(softmaxParam.axis ?? -1, x.ndim, layer);
  const log = softmaxParam.log ?? false;
  const xm = x.moveaxis(axis, -1).contiguous();
  const n = xm.shape[xm.ndim - 1];
  if (softmaxParam.mask && axis !== x.ndim - 1)
    fail(
      layer,
      `a mask needs the softmax over the last axis, got axis ${axis} of x of shape ${fmtShape(x.shape)}`,
    );
  const mask = softmaxParam.mask ? kernelMask(layer, softmaxParam.mask, xm.shape) : null;
  const out = allocArray(xm.shape, x.dtype, layer);
  backend().softmax({
    rows: n === 0 ? 0 : xm.size / n,
    n,
    x: xm.data as FloatArray,
    xOffset: xm.offset,
    mask: mask ? (mask.m.data as Uint8Array) : null,
    maskOffset: mask ? mask.m.offset : 0,
    maskRows: mask ? mask.rows : 1,
    log,
    out: out.data as FloatArray,
    outOffset: 0,
  });
  return [out.moveaxis(-1, axis), { out, axis, log }];
}

/** Softmax backward. Returns [dx (shape of x)]. */
export function softmaxBackward(dout: NDArray, cache: SoftmaxCache): [NDArray] {
  const { out, axis, log } = cache;
  const dm = dout.moveaxis(axis, -1);
  if (dm.ndim !== out.ndim || dm.shape.some((d, i) => d !== out.shape[i]))
    fail(
      'softmaxBackward',
      `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(out.moveaxis(-1, axis).shape)}`,
    );
  const dc = (dm.dtype === out.dtype ? dm : dm.astype(out.dtype)).contiguous();
  const n = out.shape[out.ndim - 1];
  const dx = allocArray(out.shape, out.dtype, 'softmaxBackward');
  backend().softmaxBackward({
    rows: n === 0 ? 0 : out.size / n,
    n,
    y: out.data as FloatArray,
    yOffset: 0,
    dy: dc.data as FloatArray,
    dyOffset: dc.offset,
    log,
    dx: dx.data as FloatArray,
    dxOffset: 0,
  });
  return [dx.moveaxis(-1, axis)];
}
