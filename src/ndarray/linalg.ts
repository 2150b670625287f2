/** Linear algebra: dot, matmul, outer, norm — all products go through the backend's GEMM. */
import { backend } from '../backend/index.js';
import { isFloat, promoteTypes, type DType, type FloatArray } from './dtype.js';
import { NDArray, allocArray } from './ndarray.js';
import { broadcastShapes, fmtShape, normalizeAxes } from './shape.js';
import * as red from './reduce.js';

/** How a 2-D view is handed to GEMM: row-major with a leading dimension, or transposed, or copied first. */
function asGemmOperand(a: NDArray, dtype: DType): { m: NDArray; trans: boolean; ld: number } {
  // Element (i, p) is data[offset + i·strides[0] + p·strides[1]]; GEMM needs one of the strides to be 1.
  const m = a.dtype === dtype ? a : a.astype(dtype);
  const [r, c] = m.shape;
  if (m.strides[1] === 1 || c === 1) return { m, trans: false, ld: m.strides[0] };
  if (m.strides[0] === 1 || r === 1) return { m, trans: true, ld: m.strides[1] };
  const copy = m.copy();
  return { m: copy, trans: false, ld: c };
}

/**
 * A stack of matrices (..., R, C) as one batched GEMM reads it: each matrix's offset (broadcast axes repeat
 * one), and the transpose and leading dimension all share; copied first only when a matrix has neither
 * unit stride.
 */
function batchOperand(
  a: NDArray,
  dtype: DType,
): { m: NDArray; trans: boolean; ld: number; offsets: Int32Array } {
  let m = a.dtype === dtype ? a : a.astype(dtype);
  const nd = m.ndim;
  const [r, c] = m.shape.slice(-2);
  const [sr, sc] = m.strides.slice(-2);
  let trans = false;
  let ld = sr;
  if (!(sc === 1 || c === 1)) {
    if (sr === 1 || r === 1) [trans, ld] = [true, sc];
    else {
      m = m.copy();
      ld = c;
    }
  }
  const batch = m.shape.slice(0, nd - 2);
  const count = batch.reduce((p, d) => p * d, 1);
  const offsets = new Int32Array(count);
  // Offsets in C order over the batch axes (an odometer over their indices).
  const idx = new Array<number>(batch.length).fill(0);
  let off = m.offset;
  for (let i = 0; i < count; i++) {
    offsets[i] = off;
    for (let k = batch.length - 1; k >= 0; k--) {
      off += m.strides[k];
      if (++idx[k] < batch[k]) break;
      off -= m.strides[k] * batch[k];
      idx[k] = 0;
    }
  }
  return { m, trans, ld, offsets };
}

/** out(M, N) = a(M, K) · b(K, N), for 2-D float arrays of any strides. */
function gemm2d(a: NDArray, b: NDArray, dtype: DType, out?: NDArray, beta = 0): NDArray {
  const [M, K] = a.shape;
  const N = b.shape[1];
  const r = out ?? allocArray([M, N], dtype, 'matmul');
  if (!r.isContiguous) throw new Error('matmul: internal: output must be contiguous');
  const A = asGemmOperand(a, dtype);
  const B = asGemmOperand(b, dtype);
  backend().gemm({
    transA: A.trans,
    transB: B.trans,
    M,
    N,
    K,
    alpha: 1,
    A: A.m.data as FloatArray,
    aOffset: A.m.offset,
    lda: A.ld,
    B: B.m.data as FloatArray,
    bOffset: B.m.offset,
    ldb: B.ld,
    beta,
    C: r.data as FloatArray,
    cOffset: r.offset,
    ldc: N,
  });
  return r;
}

/** Products of integer arrays are computed in float64 (exact below 2^53) and cast back. */
function productDtype(a: NDArray, b: NDArray): { compute: DType; result: DType } {
  const result = promoteTypes(a.dtype, b.dtype);
  return { compute: isFloat(result) ? result : 'float64', result };
}

function finish(r: NDArray, result: DType): NDArray {
  return r.dtype === result ? r : r.astype(result);
}

/**
 * numpy's matmul: 1-D operands are promoted to matrices and the added axis removed after;
 * leading (batch) axes broadcast. Throws naming both shapes when the inner dimensions differ.
 */
export function matmul(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError('matmul: input operand does not have enough dimensions (use mul for scalars)');
  const a2 = a.ndim === 1 ? a.reshape(1, -1) : a;
  const b2 = b.ndim === 1 ? b.reshape(-1, 1) : b;
  const K = a2.shape[a2.ndim - 1];
  if (b2.shape[b2.ndim - 2] !== K) {
    throw new RangeError(
      `matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} not aligned: ${K} (dim ${a.ndim - 1}) != ${b2.shape[b2.ndim - 2]} (dim ${Math.max(b.ndim - 2, 0)})`,
    );
  }
  const { compute, result } = productDtype(a, b);
  const M = a2.shape[a2.ndim - 2];
  const N = b2.shape[b2.ndim - 1];
  let r: NDArray;
  if (a2.ndim === 2 && b2.ndim === 2) r = gemm2d(a2, b2, compute);
  else {
    const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
    r = allocArray([...batch, M, N], compute, 'matmul');
    const A = batchOperand(a2.broadcastTo([...batch, M, K]), compute);
    const B = batchOperand(b2.broadcastTo([...batch, K, N]), compute);
    const count = r.size / (M * N || 1);
    backend().gemmBatched({
      transA: A.trans,
      transB: B.trans,
      M,
      N,
      K,
      alpha: 1,
      A: A.m.data as FloatArray,
      lda: A.ld,
      B: B.m.data as FloatArray,
      ldb: B.ld,
      beta: 0,
      C: r.data as FloatArray,
      ldc: N,
      batch: count,
      aOffsets: A.offsets,
      bOffsets: B.offsets,
      cOffsets: Int32Array.from({ length: count }, (_, i) => i * M * N),
    });
  }
  let shape = [...r.shape];
  if (b.ndim === 1) shape = shape.slice(0, -1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  return finish(r.reshape(shape), result);
}

/**
 * numpy's dot: inner product of 1-D arrays, matrix product of 2-D ones, a scalar product with 0-d,
 * and for N-D the sum product over a's last axis and b's second-to-last.
 */
export function dot(a: NDArray, b: NDArray): NDArray {
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  if (b.ndim <= 2) {
    const K = a.shape[a.ndim - 1];
    const kb = b.shape[b.ndim === 1 ? 0 : 0];
    if (K !== kb) {
      throw new RangeError(
        `dot: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} not aligned: ${K} (dim ${a.ndim - 1}) != ${kb} (dim 0)`,
      );
    }
    const lead = a.shape.slice(0, -1);
    const r = matmul(a.reshape(-1, K), b);
    return r.reshape([...lead, ...b.shape.slice(1)]);
  }
  const K = a.shape[a.ndim - 1];
  if (b.shape[b.ndim - 2] !== K) {
    throw new RangeError(
      `dot: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} not aligned: ${K} (dim ${a.ndim - 1}) != ${b.shape[b.ndim - 2]} (dim ${b.ndim - 2})`,
    );
  }
  const bm = b.moveaxis(-2, 0).reshape(K, -1);
  const r = matmul(a.reshape(-1, K), bm);
  return r.reshape([...a.shape.slice(0, -1), ...b.shape.slice(0, -2), b.shape[b.ndim - 1]]);
}

/** Outer product of the flattened inputs: (M,) and (N,) give (M, N). */
export function outer(a: NDArray, b: NDArray): NDArray {
  return a.ravel().reshape(-1, 1).mul(b.ravel().reshape(1, -1));
}

export type NormOrd = number | 'fro';

/**
 * numpy.linalg.norm for the orders we support. With no axis: the 2-norm of the flattened array
 * (Frobenius for matrices). With one axis: vector norms (ord 2, 1, Infinity, -Infinity, 0, or any p).
 * With two axes (or a 2-D array and ord given): 'fro', 1, -1, Infinity, -Infinity.
 */
export function norm(
  x: NDArray,
  ord?: NormOrd | null,
  axis?: number | [number, number] | null,
  keepdims = false,
): NDArray {
  const a = isFloat(x.dtype) ? x : x.astype('float64');
  if ((axis === undefined || axis === null) && (ord === undefined || ord === null)) {
    const s = red.sum(a.mul(a), null, keepdims);
    return s.sqrt();
  }
  let axes: number[];
  if (axis === undefined || axis === null) {
    if (a.ndim === 1) axes = [0];
    else if (a.ndim === 2) axes = [0, 1];
    else throw new RangeError(`norm: improper number of dimensions to norm: ${a.ndim} (pass axis)`);
  } else axes = typeof axis === 'number' ? [axis] : [...axis];
  axes = axes.map((ax) => normalizeAxes(ax, a.ndim, 'norm')[0]);
  if (axes.length === 1) {
    const ax = axes[0];
    const p = ord ?? 2;
    if (p === 'fro') throw new RangeError("norm: invalid norm order 'fro' for vectors");
    const abs = a.abs();
    if (p === Infinity) return red.max(abs, ax, keepdims);
    if (p === -Infinity) return red.min(abs, ax, keepdims);
    if (p === 0) return red.sum(abs.ne(0).astype(a.dtype), ax, keepdims);
    if (p === 1) return red.sum(abs, ax, keepdims);
    if (p === 2) return red.sum(abs.mul(abs), ax, keepdims).sqrt();
    return red.sum(abs.pow(p), ax, keepdims).pow(1 / p);
  }
  const [r, c] = axes;
  const p = ord ?? 'fro';
  const abs = a.abs();
  switch (p) {
    case 'fro':
      return red.sum(abs.mul(abs), axes, keepdims).sqrt();
    case 1:
    case -1: {
      const cols = red.sum(abs, r, true);
      const m = p === 1 ? red.max(cols, c, true) : red.min(cols, c, true);
      return keepdims ? m : m.squeeze([r, c]);
    }
    case Infinity:
    case -Infinity: {
      const rows = red.sum(abs, c, true);
      const m = p === Infinity ? red.max(rows, r, true) : red.min(rows, r, true);
      return keepdims ? m : m.squeeze([r, c]);
    }
    default:
      throw new RangeError(
        `norm: matrix norm order ${p} is not supported (use 'fro', 1, -1, Infinity or -Infinity)`,
      );
  }
}
