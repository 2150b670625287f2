/**
 * The kernel interface: the only seam between ops (src/ndarray, src/nn) and the loops that do the work.
 *
 * Ops check shapes and dtypes, allocate outputs and describe operands as strided views; a backend runs
 * the loop. Kernels never allocate user-visible arrays and never throw on shapes (ops already did).
 * Element indices and strides are in elements, not bytes. Kernels read any TypedArray and write by
 * plain assignment, so the output buffer's type does the dtype cast (Float32Array rounds, Uint8Array wraps).
 */
import type { FloatArray, TypedArray } from '../ndarray/dtype.js';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'mod'
  | 'floorDivide'
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'logicalAnd'
  | 'logicalOr';

export type UnaryOp =
  | 'copy'
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'tanh'
  | 'sigmoid'
  | 'sign'
  | 'square'
  | 'relu'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'logicalNot'
  | 'isnan'
  | 'toBool';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all';

/** A strided view of a buffer: element (i0, i1, ...) is data[offset + Σ ik·strides[k]]. */
export interface Strided {
  data: TypedArray;
  offset: number;
  strides: readonly number[];
}

/** C = alpha·op(A)·op(B) + beta·C, all row-major with leading dimensions (row strides) lda, ldb, ldc. */
export interface GemmArgs {
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  alpha: number;
  A: FloatArray;
  aOffset: number;
  lda: number;
  B: FloatArray;
  bOffset: number;
  ldb: number;
  beta: number;
  C: FloatArray;
  cOffset: number;
  ldc: number;
}

export interface Backend {
  readonly name: string;
  /** out = op(a, b) elementwise over `shape`; a and b are already broadcast (stride 0 on stretched axes). */
  binary(op: BinaryOp, shape: readonly number[], a: Strided, b: Strided, out: Strided): void;
  /** out = op(a, b) with b a scalar. */
  binaryScalar(
    op: BinaryOp,
    shape: readonly number[],
    a: Strided,
    b: number,
    out: Strided,
    scalarFirst: boolean,
  ): void;
  /** out = op(a) elementwise. */
  unary(op: UnaryOp, shape: readonly number[], a: Strided, out: Strided): void;
  /** out = clip(a, lo, hi) elementwise (NaN bounds are ignored as in numpy's clip with None). */
  clip(shape: readonly number[], a: Strided, lo: number, hi: number, out: Strided): void;
  /**
   * Reduces `a` (of `shape`) into `out`, whose strides are 0 along reduced axes. `out` must be
   * pre-filled with the op's identity. Accumulation is in float64 unless `out.data` is narrower.
   */
  reduce(op: ReduceOp, shape: readonly number[], a: Strided, out: Strided): void;
  /** For each of `outer`×`inner` rows of length `n` (stride `inner`), the index of the max/min. */
  argReduce(
    op: 'argmax' | 'argmin',
    a: TypedArray,
    outer: number,
    n: number,
    inner: number,
    out: Int32Array,
  ): void;
  /** General matrix multiply (see GemmArgs). */
  gemm(args: GemmArgs): void;
}
