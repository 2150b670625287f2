/**
 * The kernel interface: the only seam between ops (src/ndarray, src/nn) and the loops that do the work.
 *
 * Ops check shapes and dtypes, allocate outputs and describe operands as strided views; a backend runs
 * the loop. Kernels never allocate user-visible arrays and never throw on shapes (ops already did).
 * Element indices and strides are in elements, not bytes. Kernels read any TypedArray and write by
 * plain assignment, so the output buffer's type does the dtype cast (Float32Array rounds, Uint8Array wraps).
 */
import type { FloatArray, TypedArray } from './types.js';

/** The elementwise binary kernels a backend implements (Backend.binary). */
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
  | 'logicalOr'
  | 'arctan2';

/** The elementwise unary kernels a backend implements (Backend.unary). */
export type UnaryOp =
  | 'copy'
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'tanh'
  | 'sigmoid'
  | 'sin'
  | 'cos'
  | 'sign'
  | 'square'
  | 'relu'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'logicalNot'
  | 'isnan'
  | 'isfinite'
  | 'isinf'
  | 'toBool'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'arcsin'
  | 'arccos'
  | 'arctan'
  | 'sinh'
  | 'cosh'
  | 'log1p'
  | 'expm1'
  | 'log2'
  | 'log10';

/** The reductions a backend implements (Backend.reduce). */
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

/**
 * `batch` products C_i = alpha·op(A_i)·op(B_i) + beta·C_i sharing sizes, transposes and leading dimensions;
 * matrix i starts at aOffsets[i], bOffsets[i] and cOffsets[i] (any pattern: a broadcast operand repeats an
 * offset; the C matrices must not overlap). Attention's (N, heads) stacks of products in one call.
 */
export interface GemmBatchedArgs extends Omit<GemmArgs, 'aOffset' | 'bOffset' | 'cOffset'> {
  batch: number;
  aOffsets: Int32Array;
  bOffsets: Int32Array;
  cOffsets: Int32Array;
}

/**
 * Softmax (log: log-softmax) of each of `rows` contiguous rows of n values: out[r] = softmax(x[r]) after
 * the positions where mask row (r mod maskRows) holds 0 are set to −∞ (mask null: none), the row's max
 * subtracted first so any finite scores stay finite. A row masked everywhere gives NaN (PyTorch's softmax
 * of all −∞). mask is maskRows × n bytes from maskOffset; attention's (S, T) mask serves every (N, heads).
 */
export interface SoftmaxArgs {
  rows: number;
  n: number;
  x: FloatArray;
  xOffset: number;
  mask: Uint8Array | null;
  maskOffset: number;
  maskRows: number;
  log: boolean;
  out: FloatArray;
  outOffset: number;
}

/**
 * The backward of SoftmaxArgs from its output y: dx = y·(dy − Σ dy·y) for softmax, dx = dy − e^y·Σ dy for
 * log-softmax, where positions with y = −∞ (masked) get 0 and count for nothing in the sum. Contiguous rows.
 */
export interface SoftmaxBackwardArgs {
  rows: number;
  n: number;
  y: FloatArray;
  yOffset: number;
  dy: FloatArray;
  dyOffset: number;
  log: boolean;
  dx: FloatArray;
  dxOffset: number;
}

/**
 * The window geometry of a 2-D convolution on one image x (C, H, W), contiguous at xOffset, and its
 * column matrix cols (C·HH·WW, Ho·Wo), contiguous at colsOffset: row (c, i, j) holds, for every output
 * position (y, x), the input pixel x[c, y·stride + i − pad, x·stride + j − pad] (0 outside the image).
 */
export interface Im2colArgs extends Omit<ConvShape, 'N' | 'F'> {
  x: FloatArray;
  xOffset: number;
  cols: FloatArray;
  colsOffset: number;
}

/**
 * Max pooling over `planes` contiguous (H, W) planes of x into (Ho, Wo) planes of out, windows of
 * poolHeight×poolWidth every `stride`. argmax (planes·Ho·Wo) receives, per output, the index within its
 * input plane (y·W + x) of the first maximum, for the backward scatter.
 */
export interface MaxPoolArgs {
  x: FloatArray;
  xOffset: number;
  planes: number;
  H: number;
  W: number;
  poolHeight: number;
  poolWidth: number;
  stride: number;
  Ho: number;
  Wo: number;
  out: FloatArray;
  outOffset: number;
  argmax: Int32Array;
}

/** The max-pool backward scatter: dx[plane, argmax] += dout[plane, o] for every output o. */
export interface MaxPoolBackwardArgs {
  dout: FloatArray;
  doutOffset: number;
  argmax: Int32Array;
  planes: number;
  HW: number;
  HoWo: number;
  dx: FloatArray;
  dxOffset: number;
}

/**
 * The (leaky) ReLU's backward on n contiguous elements of one float dtype: dx = x > 0 ? dout : slope·dout
 * (slope 0: CS231n's dx[x <= 0] = 0, exact zeros). With dout = x it is the leaky ReLU's forward.
 */
export interface ReluBackwardArgs {
  n: number;
  dout: FloatArray;
  doutOffset: number;
  x: FloatArray;
  xOffset: number;
  dx: FloatArray;
  dxOffset: number;
  /** The negative side's slope, rounded to the elements' dtype (default 0). */
  slope?: number;
}

/**
 * One optimizer update of n contiguous parameters, in place: the chain of elementwise ops src/optim/optim.ts
 * defines for `rule`, fused, every intermediate rounded to the parameters' dtype where the chain stores it
 * (so the result is the chain's bit for bit). m is the velocity (sgdMomentum) or the first moment (adam), v
 * adam's second moment; t is adam's step count after its increment.
 */
export interface OptimizerStepArgs {
  rule: 'sgd' | 'sgdMomentum' | 'adam';
  n: number;
  w: FloatArray;
  wOffset: number;
  dw: FloatArray;
  dwOffset: number;
  m: FloatArray | null;
  mOffset: number;
  v: FloatArray | null;
  vOffset: number;
  learningRate: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  t: number;
}

/** Every size of a 2-D convolution: x (N, C, H, W), w (F, C, HH, WW), out (N, F, Ho, Wo). */
export interface ConvShape {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  HH: number;
  WW: number;
  stride: number;
  pad: number;
  Ho: number;
  Wo: number;
}

/**
 * A 2-D convolution over a whole batch: x (N, C, H, W) contiguous at xOffset, w (F, C, HH, WW) contiguous at
 * wOffset, output (N, F, Ho, Wo) with Ho = 1 + (H + 2·pad − HH) / stride (likewise Wo).
 */
export interface ConvGeometry extends ConvShape {
  x: FloatArray;
  xOffset: number;
  w: FloatArray;
  wOffset: number;
}

/** A max pool fused after conv → ReLU: windows poolHeight×poolWidth every stride, output (Ho, Wo) per plane. */
export interface ConvPool {
  poolHeight: number;
  poolWidth: number;
  stride: number;
  Ho: number;
  Wo: number;
}

/**
 * out = conv(x, w) + b, then ReLU when `relu`, then (only with relu) max pooling when `pool` is set: out is
 * then (N, F, pool.Ho, pool.Wo) and argmax (same size) receives each window's argmax within its (Ho, Wo)
 * plane, as maxPoolForward records it. b (F,) is contiguous at bOffset; out is written whole from index 0.
 */
export interface ConvForwardArgs extends ConvGeometry {
  b: FloatArray;
  bOffset: number;
  relu: boolean;
  pool: ConvPool | null;
  out: FloatArray;
  argmax: Int32Array | null;
}

/**
 * The backward of ConvForwardArgs. Without pool, dout (N, F, Ho, Wo) at doutOffset is the gradient of the
 * conv output (any ReLU already applied by the caller). With pool, dout (N, F, pool.Ho, pool.Wo) is the
 * gradient of the pooled output, `pooled` the forward's out and `argmax` its argmax: the conv's gradient is
 * dout scattered to each argmax where pooled > 0. dx (N, C, H, W; null: not wanted), dw (F, C, HH, WW) and
 * db (F,) are written whole from index 0; db is summed in float64.
 */
export interface ConvBackwardArgs extends ConvGeometry {
  dout: FloatArray;
  doutOffset: number;
  pool: ConvPool | null;
  pooled: FloatArray | null;
  argmax: Int32Array | null;
  dx: FloatArray | null;
  dw: FloatArray;
  db: FloatArray;
}

/**
 * Per-channel loops of the normalization layers, on a contiguous array viewed as (N, C, S): channel c
 * holds the N·S values x[n, c, s]. Batchnorm on (N, D) is (N, D, 1); spatial batchnorm on (N, C, H, W)
 * is (N, C, H·W); per-row statistics (layer and group norm) are (1, rows, rowLength).
 */
export interface ChannelShape {
  N: number;
  C: number;
  S: number;
}

/** mean[c] and the biased variance[c] of each channel, accumulated in float64 (two passes). */
export interface ChannelMomentsArgs extends ChannelShape {
  x: FloatArray;
  xOffset: number;
  mean: Float64Array;
  variance: Float64Array;
}

/** Per channel: sumA[c] = Σ a and sumAB[c] = Σ a·(b − bShift[c]), in float64. */
export interface ChannelDotArgs extends ChannelShape {
  a: FloatArray;
  aOffset: number;
  b: FloatArray;
  bOffset: number;
  bShift: Float64Array;
  sumA: Float64Array;
  sumAB: Float64Array;
}

/**
 * out = alpha[c]·(a − aShift[c]) + beta[c]·b + delta[c] elementwise, channel by channel; b may be null
 * (then beta is ignored). out may be a or b (in place).
 */
export interface ChannelLinearArgs extends ChannelShape {
  a: FloatArray;
  aOffset: number;
  aShift: Float64Array;
  alpha: Float64Array;
  b: FloatArray | null;
  bOffset: number;
  beta: Float64Array;
  delta: Float64Array;
  out: FloatArray;
  outOffset: number;
}

/**
 * LU factorisation with partial pivoting (LAPACK's getrf) of `count` n×n float64 matrices stored one after
 * another in `a`, in place: U on and above the diagonal, L's multipliers below it (its unit diagonal implied).
 * piv[m·n + i] receives the row swapped with row i at step i of matrix m. A zero pivot (a singular matrix) is
 * left in U and the elimination goes on, as getrf does; the op decides what that means.
 */
export interface LuArgs {
  a: Float64Array;
  n: number;
  count: number;
  piv: Int32Array;
}

/**
 * Solves A·X = B for each of `count` matrices from luFactor's output (lu, piv): b holds `count` n×k blocks,
 * one after another, overwritten by X. No pivot may be zero.
 */
export interface LuSolveArgs {
  lu: Float64Array;
  piv: Int32Array;
  n: number;
  count: number;
  b: Float64Array;
  k: number;
}

/** The kernel interface: the hot loops (GEMM, im2col/col2im, elementwise, reductions, pooling, the norm inner loops) every backend implements over strided views; nothing above it knows which backend runs. */
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
  /** One fused optimizer update, in place (see OptimizerStepArgs). */
  optimizerStep(args: OptimizerStepArgs): void;
  /** The (leaky) ReLU's backward, and the leaky ReLU's forward (see ReluBackwardArgs). */
  reluBackward(args: ReluBackwardArgs): void;
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
  /** Many GEMMs of one shape in one call (see GemmBatchedArgs). */
  gemmBatched(args: GemmBatchedArgs): void;
  /** Row-wise (log-)softmax with an optional mask (see SoftmaxArgs). */
  softmax(args: SoftmaxArgs): void;
  /** Its backward (see SoftmaxBackwardArgs). */
  softmaxBackward(args: SoftmaxBackwardArgs): void;
  /** Fills args.cols from the image args.x (see Im2colArgs); every element of cols is written. */
  im2col(args: Im2colArgs): void;
  /** The adjoint of im2col: ADDS each column entry into the image pixel it came from (args.x += ...). */
  col2im(args: Im2colArgs): void;
  /** Max pooling forward, recording the argmax of every window (see MaxPoolArgs). */
  maxPoolForward(args: MaxPoolArgs): void;
  /** Max pooling backward: scatters dout into dx (which the caller zero-fills) at the recorded argmax. */
  maxPoolBackward(args: MaxPoolBackwardArgs): void;
  /** A whole batch's convolution, with optional fused ReLU and max pool (see ConvForwardArgs). */
  convForward(args: ConvForwardArgs): void;
  /** Its backward: dx, dw and db (see ConvBackwardArgs). */
  convBackward(args: ConvBackwardArgs): void;
  /** Per-channel mean and biased variance (see ChannelMomentsArgs). */
  channelMoments(args: ChannelMomentsArgs): void;
  /** Per-channel Σa and Σa·(b − shift) (see ChannelDotArgs). */
  channelDot(args: ChannelDotArgs): void;
  /** Per-channel affine combination out = alpha·(a − shift) + beta·b + delta (see ChannelLinearArgs). */
  channelLinear(args: ChannelLinearArgs): void;
  /** LU factorisation with partial pivoting, in place (see LuArgs). */
  luFactor(args: LuArgs): void;
  /** Triangular solves with luFactor's output (see LuSolveArgs). */
  luSolve(args: LuSolveArgs): void;
  /**
   * Optional: a zero-filled array of n elements in this backend's own memory, which its kernels use
   * without copying, for arrays kept across many calls (parameters, optimizer state); garbage-collected
   * like any array. Null or absent: use a plain typed array.
   */
  residentArray?(dtype: 'float32' | 'float64', n: number): FloatArray | null;
}
