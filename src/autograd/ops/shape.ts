/**
 * Shape ops on tensors: reshape, transpose, permute, unsqueeze, squeeze, flatten, expand (views whose
 * backward is the inverse view), slice and index (whose backward scatters into zeros), gather (PyTorch's,
 * numpy's take_along_axis), concat and stack.
 */
import { arange, zeros } from '../../ndarray/creation.js';
import { addAt, takeAlongAxis } from '../../ndarray/indexing.js';
import { concatenate, stack as ndStack } from '../../ndarray/manipulation.js';
import { NDArray, type IndexSpec, type SliceSpec } from '../../ndarray/ndarray.js';
import { fmtShape, normalizeAxis } from '../../ndarray/shape.js';
import { fromOp, type Tensor } from '../tensor.js';
import { sumTo } from './elementwise.js';

/** The same values in a new shape (one dimension may be −1): a view when the strides allow. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return fromOp('reshape', x.data.reshape(shape), [x], (g) => [g.reshape(x.shape)]);
}

/** Axes in a new order, a view: permute(x, [0, 2, 1, 3]). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const axes = dims.map((d) => normalizeAxis(d, x.ndim, 'permute'));
  const inverse = axes.map((_, i) => axes.indexOf(i));
  return fromOp('permute', x.data.transpose(axes), [x], (g) => [g.transpose(inverse)]);
}

/** Swaps two axes (PyTorch's transpose(dim0, dim1)); both default to the last two. */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const axes = [...x.shape.keys()];
  const [i, j] = [normalizeAxis(dim0, x.ndim, 'transpose'), normalizeAxis(dim1, x.ndim, 'transpose')];
  [axes[i], axes[j]] = [axes[j], axes[i]];
  return permute(x, axes);
}

/** A size-1 axis inserted at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeAxis(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Size-1 axes removed (all, or the one named). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  return fromOp('squeeze', x.data.squeeze(dim), [x], (g) => [g.reshape(x.shape)]);
}

/** Axes startDim..endDim merged into one (PyTorch's flatten; default all). */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis(startDim, x.ndim, 'flatten');
  const e = normalizeAxis(endDim, x.ndim, 'flatten');
  return reshape(x, [...x.shape.slice(0, s), -1, ...x.shape.slice(e + 1)]);
}

/** A broadcast view of x with `shape` (numpy's broadcast_to); the gradient is summed back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  return fromOp('expand', x.data.broadcastTo(shape), [x], (g) => [sumTo(g, x.shape)]);
}

/** Basic slicing, a view: slice(x, ':', '1:3') is x[:, 1:3]. */
export function slice(x: Tensor, ...specs: SliceSpec[]): Tensor {
  return fromOp('slice', x.data.slice(...specs), [x], (g) => {
    const gx = zeros(x.shape, g.dtype);
    gx.slice(...specs).addInPlace(g);
    return [gx];
  });
}

/** numpy indexing, integer arrays and bool masks included; repeated indices add up in the gradient. */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  return fromOp('index', x.data.get(...specs), [x], (g) => {
    const gx = zeros(x.shape, g.dtype);
    addAt(gx, specs, g);
    return [gx];
  });
}

/** Index arrays selecting out[i][j]... = x[i][index[i][j]]... along `dim` (an open grid on the other axes). */
function alongDim(shape: readonly number[], idx: NDArray, dim: number): IndexSpec[] {
  return shape.map((d, i) =>
    i === dim
      ? idx
      : arange(idx.shape[i], undefined, 1, 'int32').reshape(idx.shape.map((_, j) => (j === i ? -1 : 1))),
  );
}

/** PyTorch's gather: out[i][j] = x[i][index[i][j]] for dim 1 (numpy's take_along_axis). index: int32. */
export function gather(x: Tensor, dim: number, index: NDArray): Tensor {
  const d = normalizeAxis(dim, x.ndim, 'gather');
  if (index.ndim !== x.ndim || index.shape.some((n, i) => i !== d && n !== x.shape[i]))
    throw new RangeError(
      `gather: index of shape ${fmtShape(index.shape)} must match x of shape ${fmtShape(x.shape)} on every axis but ${d}`,
    );
  return fromOp('gather', takeAlongAxis(x.data, index, d), [x], (g) => {
    const gx = zeros(x.shape, g.dtype);
    addAt(gx, alongDim(x.shape, index, d), g);
    return [gx];
  });
}

/** Slices of g along `axis` at the boundaries of the pieces of `sizes`. */
function splitGrad(g: NDArray, axis: number, sizes: number[]): NDArray[] {
  let start = 0;
  return sizes.map((n) => {
    const specs: SliceSpec[] = [...new Array<string>(axis).fill(':'), `${start}:${start + n}`];
    start += n;
    return g.slice(...specs);
  });
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  const out = concatenate(
    xs.map((x) => x.data),
    axis,
  );
  const ax = normalizeAxis(axis, out.ndim, 'concat');
  return fromOp('concat', out, xs, (g) =>
    splitGrad(
      g,
      ax,
      xs.map((x) => x.shape[ax]),
    ),
  );
}

/** Joins same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  const out = ndStack(
    xs.map((x) => x.data),
    axis,
  );
  const ax = normalizeAxis(axis, out.ndim, 'stack');
  return fromOp('stack', out, xs, (g) =>
    xs.map((_, i) => g.slice(...[...new Array<SliceSpec>(ax).fill(':'), i])),
  );
}
