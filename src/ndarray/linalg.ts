/**
 * Linear algebra: dot, matmul, outer, norm — all products go through the backend's GEMM — and numpy.linalg's
 * inv, solve and det on the backend's LU factorisation with partial pivoting. `linalg` groups the numpy.linalg
 * ones under numpy's names.
 */
import { backend } from '../backend/index.js';
import { isFloat, promoteTypes, type DType, type FloatArray } from './dtype.js';
import { NDArray, allocArray, checkOperand } from './ndarray.js';
import { eye } from './creation.js';
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

/**
 * out = a·b + beta·out for 2-D arrays into an existing contiguous float array `out` (M, N): the product
 * without an allocation, for loops that reuse one buffer (the recurrent layers' time steps). a (M, K) and
 * b (K, N) may be any strided views (a transpose costs nothing); beta = 1 accumulates into out.
 */
export function matmulInto(a: NDArray, b: NDArray, out: NDArray, beta = 0): NDArray {
  const ok =
    a.ndim === 2 &&
    b.ndim === 2 &&
    out.ndim === 2 &&
    a.shape[1] === b.shape[0] &&
    out.shape[0] === a.shape[0] &&
    out.shape[1] === b.shape[1];
  if (!ok)
    throw new RangeError(
      `matmulInto: a ${fmtShape(a.shape)} · b ${fmtShape(b.shape)} does not fit out ${fmtShape(out.shape)}`,
    );
  if (!isFloat(out.dtype) || !out.isContiguous)
    throw new RangeError(`matmulInto: out must be a contiguous float array, got ${out.dtype}`);
  return gemm2d(a, b, out.dtype, out, beta);
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
  checkOperand(a, 'matmul', 1);
  checkOperand(b, 'matmul', 2);
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
  checkOperand(a, 'dot', 1);
  checkOperand(b, 'dot', 2);
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

/** The orders of norm: a number (1, 2, ±Infinity, ...) or 'fro'. */
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

/** numpy.linalg.LinAlgError: a singular matrix, or an array that is not a stack of square matrices. */
export class LinAlgError extends Error {
  override name = 'LinAlgError';
}

/** Checks that `a` is a stack of square matrices (..., n, n); returns n and the stack's leading shape. */
function squareStack(a: NDArray, op: string): { n: number; batch: number[] } {
  checkOperand(a, op, 1);
  if (a.ndim < 2)
    throw new LinAlgError(`${op}: ${a.ndim}-dimensional array given. Array must be at least two-dimensional`);
  const [r, c] = a.shape.slice(-2);
  if (r !== c) throw new LinAlgError(`${op}: Last 2 dimensions of the array must be square`);
  return { n: r, batch: a.shape.slice(0, -2) };
}

/** numpy.linalg's result dtype: float32 when every input is float32, else float64. */
const linalgDtype = (...as: NDArray[]): DType =>
  as.every((a) => a.dtype === 'float32') ? 'float32' : 'float64';

/** The LU factors of a (..., n, n) broadcast to `batch`, in float64 (see Backend.luFactor). */
function luOf(
  a: NDArray,
  n: number,
  batch: readonly number[],
): { lu: Float64Array; piv: Int32Array; count: number } {
  const lu = a.broadcastTo([...batch, n, n]).astype('float64').data as Float64Array;
  const count = batch.reduce((p, d) => p * d, 1);
  const piv = new Int32Array(count * n);
  backend().luFactor({ a: lu, n, count, piv });
  return { lu, piv, count };
}

/** X with A·X = B for stacks A (..., n, n) and B (..., n, k), broadcast together; refuses a singular A. */
function luSolveStack(a: NDArray, b: NDArray, n: number, op: string, dtype: DType): NDArray {
  const k = b.shape[b.ndim - 1];
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const { lu, piv, count } = luOf(a, n, batch);
  for (let m = 0; m < count; m++)
    for (let i = 0; i < n; i++)
      if (lu[m * n * n + i * n + i] === 0) throw new LinAlgError(`${op}: Singular matrix`);
  const x = b.broadcastTo([...batch, n, k]).astype('float64');
  backend().luSolve({ lu, piv, n, count, b: x.data as Float64Array, k });
  return dtype === 'float64' ? x : x.astype(dtype);
}

/**
 * numpy.linalg.solve: x with a·x = b. a: (..., n, n); b: (n,) (one right-hand side, x (..., n)) or
 * (..., n, k) (x (..., n, k)); leading axes broadcast. A singular a is a LinAlgError, as in numpy.
 */
export function solve(a: NDArray, b: NDArray): NDArray {
  const { n } = squareStack(a, 'solve');
  checkOperand(b, 'solve', 2);
  const vector = b.ndim === 1;
  if (b.ndim === 0 || b.shape[vector ? 0 : b.ndim - 2] !== n) {
    throw new RangeError(
      `solve: a of shape ${fmtShape(a.shape)} and b of shape ${fmtShape(b.shape)} do not match: b needs ${n} rows (b (n,) or (..., n, k))`,
    );
  }
  const x = luSolveStack(a, vector ? b.reshape(n, 1) : b, n, 'solve', linalgDtype(a, b));
  return vector ? x.reshape(x.shape.slice(0, -1)) : x;
}

/** numpy.linalg.inv: the inverse of each matrix of a (..., n, n); a singular one is a LinAlgError. */
export function inv(a: NDArray): NDArray {
  const { n } = squareStack(a, 'inv');
  return luSolveStack(a, eye(n), n, 'inv', linalgDtype(a));
}

/**
 * numpy.linalg.det: the determinant of each matrix of a (..., n, n), from its LU factors (the product of U's
 * diagonal, negated once per row swap); 0 for a singular matrix.
 */
export function det(a: NDArray): NDArray {
  const { n, batch } = squareStack(a, 'det');
  const { lu, piv, count } = luOf(a, n, batch);
  const out = new Float64Array(count);
  for (let m = 0; m < count; m++) {
    let d = 1;
    for (let i = 0; i < n; i++) {
      d *= lu[m * n * n + i * n + i];
      if (piv[m * n + i] !== i) d = -d;
    }
    out[m] = d === 0 ? 0 : d; // no -0 for a singular matrix
  }
  const r = new NDArray(out, batch, 'float64');
  const dtype = linalgDtype(a);
  return dtype === 'float64' ? r : r.astype(dtype);
}

/** numpy.linalg under its numpy names: linalg.inv, linalg.solve, linalg.det, linalg.norm. */
export const linalg = {
  /** The inverse of a square matrix (or a stack of them), numpy.linalg.inv. */
  inv,
  /** x with a @ x = b, numpy.linalg.solve. */
  solve,
  /** The determinant, numpy.linalg.det. */
  det,
  /** Vector and matrix norms, numpy.linalg.norm. */
  norm,
} as const;
