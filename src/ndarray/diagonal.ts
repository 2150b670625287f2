/**
 * Diagonals and triangles, as numpy's: diagonal (a view), diag, trace, triu and tril. Diagonals are strided
 * views (the stride of a diagonal is the sum of its two axes' strides), so nothing here loops over elements.
 */
import { arange, zeros } from './creation.js';
import { assign } from './elementwise.js';
import { where } from './indexing.js';
import { NDArray, checkOperand } from './ndarray.js';
import { sum } from './reduce.js';
import { fmtShape, normalizeAxis } from './shape.js';

/**
 * np.diagonal: the `offset` diagonal of the planes spanned by axis1 and axis2 (offset > 0 above the main one,
 * < 0 below). Those two axes are removed and the diagonal becomes the last axis: (2, 3, 4) with the default
 * axes gives (4, 2). A view that writes through (numpy's is read-only).
 */
export function diagonal(a: NDArray, offset = 0, axis1 = 0, axis2 = 1): NDArray {
  checkOperand(a, 'diagonal', 1);
  if (a.ndim < 2) throw new RangeError('diagonal: diag requires an array of at least two dimensions');
  const ax1 = normalizeAxis(axis1, a.ndim, 'diagonal');
  const ax2 = normalizeAxis(axis2, a.ndim, 'diagonal');
  if (ax1 === ax2) throw new RangeError('diagonal: axis1 and axis2 cannot be the same');
  if (!Number.isInteger(offset)) throw new RangeError(`diagonal: offset ${offset} is not an integer`);
  const [n1, n2] = [a.shape[ax1], a.shape[ax2]];
  const length = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  let start = a.offset;
  if (length > 0) start += offset >= 0 ? offset * a.strides[ax2] : -offset * a.strides[ax1];
  const keep = a.shape.map((_, i) => i).filter((i) => i !== ax1 && i !== ax2);
  return new NDArray(
    a.data,
    [...keep.map((i) => a.shape[i]), length],
    a.dtype,
    [...keep.map((i) => a.strides[i]), a.strides[ax1] + a.strides[ax2]],
    start,
  );
}

/**
 * np.diag: of a 1-D v, the square matrix with v on its k-th diagonal (zeros elsewhere); of a 2-D v, a copy of
 * its k-th diagonal.
 */
export function diag(v: NDArray, k = 0): NDArray {
  checkOperand(v, 'diag', 1);
  if (v.ndim === 2) return diagonal(v, k).copy();
  if (v.ndim !== 1) throw new RangeError(`diag: Input must be 1- or 2-d, got shape ${fmtShape(v.shape)}`);
  const n = v.shape[0] + Math.abs(k);
  const out = zeros([n, n], v.dtype);
  assign(diagonal(out, k), v);
  return out;
}

/** np.trace: the sum along diagonal(a, offset, axis1, axis2); a matrix gives a 0-d array. */
export function trace(a: NDArray, offset = 0, axis1 = 0, axis2 = 1): NDArray {
  return sum(diagonal(a, offset, axis1, axis2), -1);
}

/** Where (row i, column j) of the last two axes has j − i on the kept side of k; a 1-D m counts as (n, n). */
function triangle(m: NDArray, k: number, upper: boolean, op: string): NDArray {
  checkOperand(m, op, 1);
  if (m.ndim < 1) throw new RangeError(`${op}: Input must be at least 1-d`);
  if (!Number.isInteger(k)) throw new RangeError(`${op}: k ${k} is not an integer`);
  const [rows, cols] = m.ndim === 1 ? [m.shape[0], m.shape[0]] : m.shape.slice(-2);
  const jMinusI = arange(cols).reshape(1, cols).sub(arange(rows).reshape(rows, 1));
  return where(upper ? jMinusI.ge(k) : jMinusI.le(k), m, 0);
}

/** np.triu: a copy with the elements below the k-th diagonal of the last two axes zeroed. */
export const triu = (m: NDArray, k = 0): NDArray => triangle(m, k, true, 'triu');

/** np.tril: a copy with the elements above the k-th diagonal of the last two axes zeroed. */
export const tril = (m: NDArray, k = 0): NDArray => triangle(m, k, false, 'tril');
