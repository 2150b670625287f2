/**
 * Attention, as the course's transformer_layers.py (in camelCase): MultiHeadAttention and PositionalEncoding,
 * written on tensors (their backward is autograd's; on NDArrays they record a tape, see TensorModule).
 * `dropout` here is the probability of DROPPING, as in the course's PyTorch code (nabla's Dropout module
 * takes the probability of keeping: these build Dropout(1 − dropout)).
 */
import { arange, zeros } from '../../ndarray/creation.js';
import type { DType } from '../../ndarray/dtype.js';
import { cos, pow, sin } from '../../ndarray/elementwise.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import { fmtShape } from '../../ndarray/shape.js';
import { Tensor } from '../../autograd/tensor.js';
import { add } from '../../autograd/ops/elementwise.js';
import { maskedSoftmax, softmax } from '../../autograd/ops/softmax.js';
import { Dropout, Linear } from './layers.js';
import { TensorModule } from './module.js';

/** MultiHeadAttention's options: attention dropout, generators, dtype. */
export interface AttentionOptions {
  /** The probability of dropping an attention weight (default 0.1, as the course). */
  dropout?: number;
  /** Draws the initial weights (default: the library's generator). */
  rng?: Generator;
  /** Draws the dropout masks (default: the library's generator). */
  dropoutRng?: Generator;
  dtype?: DType;
}

/** Dropout that drops with probability `drop` (the course's nn.Dropout(drop)). */
export function dropping(drop: number, rng: Generator = defaultRng): Dropout {
  if (!(drop >= 0 && drop < 1)) throw new RangeError(`dropout: probability must be in [0, 1), got ${drop}`);
  return new Dropout(1 - drop, { rng });
}

/**
 * Multi-headed scaled dot-product attention. query (N, S, E), key and value (N, T, E) → (N, S, E): each of
 * numHeads heads attends with its E/numHeads features, softmax(q·kᵀ / √(E/numHeads)) with masked positions at
 * −∞ first, dropout on those weights, the heads' outputs concatenated and projected.
 */
export class MultiHeadAttention extends TensorModule {
  readonly key: Linear;
  readonly query: Linear;
  readonly value: Linear;
  readonly proj: Linear;
  readonly attnDrop: Dropout;
  readonly headDim: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    { dropout = 0.1, rng = defaultRng, dropoutRng = defaultRng, dtype = 'float32' }: AttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0)
      throw new RangeError(`MultiHeadAttention: ${numHeads} heads do not divide embedDim ${embedDim}`);
    const w = { rng, dtype, init: 'xavierUniform' as const };
    // The course's order of registration: key, query, value, proj.
    this.key = new Linear(embedDim, embedDim, w);
    this.query = new Linear(embedDim, embedDim, w);
    this.value = new Linear(embedDim, embedDim, w);
    this.proj = new Linear(embedDim, embedDim, w);
    this.attnDrop = dropping(dropout, dropoutRng);
    this.headDim = embedDim / numHeads;
  }

  private checkShapes(query: Tensor, key: Tensor, value: Tensor, mask: NDArray | null): void {
    const E = this.embedDim;
    const bad = (what: string) =>
      new RangeError(
        `MultiHeadAttention: ${what} (query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)}, value ${fmtShape(value.shape)}${mask ? `, attnMask ${fmtShape(mask.shape)}` : ''}; embedDim ${E})`,
      );
    if (query.ndim !== 3 || query.shape[2] !== E) throw bad('query must be (N, S, embedDim)');
    if (key.ndim !== 3 || key.shape[2] !== E || key.shape[0] !== query.shape[0])
      throw bad('key must be (N, T, embedDim)');
    if (value.ndim !== 3 || value.shape.some((d, i) => d !== key.shape[i])) throw bad('value must match key');
    if (mask && (mask.ndim !== 2 || mask.shape[0] !== query.shape[1] || mask.shape[1] !== key.shape[1]))
      throw bad('attnMask must be (S, T)');
  }

  /**
   * - query: (N, S, E); key, value: (N, T, E)
   * - attnMask: (S, T), 0 (false) where position s must not attend to position t (a causal mask is tril)
   * Returns (N, S, E).
   */
  forward(query: Tensor, key: Tensor, value: Tensor, attnMask: NDArray | Tensor | null = null): Tensor {
    const mask = attnMask instanceof Tensor ? attnMask.data : attnMask;
    this.checkShapes(query, key, value, mask);
    const [N, S, E] = query.shape;
    const T = key.shape[1];
    const [H, D] = [this.numHeads, this.headDim];
    const heads = (x: Tensor, L: number) => x.reshape(N, L, H, D).transpose(1, 2); // (N, H, L, D)
    const q = heads(this.query.call(query), S);
    const k = heads(this.key.call(key), T);
    const v = heads(this.value.call(value), T);
    const scores = q.matmul(k.transpose(2, 3)).div(Math.sqrt(D)); // (N, H, S, T)
    const attn = this.attnDrop.call(mask ? maskedSoftmax(scores, mask) : softmax(scores));
    const y = attn.matmul(v); // (N, H, S, D)
    return this.proj.call(y.transpose(1, 2).reshape(N, S, E));
  }

  override toString(): string {
    return `MultiHeadAttention(${this.embedDim}, heads=${this.numHeads})`;
  }
}

/** PositionalEncoding's options: dropout, maximum length, generator, dtype. */
export interface PositionalEncodingOptions {
  /** The probability of dropping (default 0.1). */
  dropout?: number;
  /** The longest sequence (default 5000). */
  maxLen?: number;
  dropoutRng?: Generator;
  dtype?: DType;
}

/**
 * Adds to x (N, S, E) the fixed encoding of each position: pe[0, i, 2j] = sin(i·10000^(−2j/E)) and
 * pe[0, i, 2j+1] = cos(i·10000^(−2j/E)) (a buffer 'pe' (1, maxLen, E)), then dropout. E must be even.
 */
export class PositionalEncoding extends TensorModule {
  readonly dropout: Dropout;

  constructor(
    readonly embedDim: number,
    {
      dropout = 0.1,
      maxLen = 5000,
      dropoutRng = defaultRng,
      dtype = 'float32',
    }: PositionalEncodingOptions = {},
  ) {
    super();
    if (embedDim % 2 !== 0)
      throw new RangeError(`PositionalEncoding: embedDim must be even, got ${embedDim}`);
    this.dropout = dropping(dropout, dropoutRng);
    const i = arange(maxLen).reshape(-1, 1);
    const pows = pow(10000, arange(0, embedDim, 2).div(embedDim).neg());
    const angles = i.mul(pows); // (maxLen, E/2)
    const pe = zeros([1, maxLen, embedDim], dtype);
    pe.set([0, ':', '0::2'], sin(angles));
    pe.set([0, ':', '1::2'], cos(angles));
    this.buffers.pe = pe;
  }

  /** x: (N, S, E) with S ≤ maxLen. */
  forward(x: Tensor): Tensor {
    const [, S, E] = x.shape;
    const pe = this.buffers.pe;
    if (x.ndim !== 3 || E !== this.embedDim || S > pe.shape[1])
      throw new RangeError(
        `PositionalEncoding: x of shape ${fmtShape(x.shape)} should be (N, S ≤ ${pe.shape[1]}, ${this.embedDim})`,
      );
    return this.dropout.call(add(x, pe.slice(':', `:${S}`)));
  }

  override toString(): string {
    return `PositionalEncoding(${this.embedDim})`;
  }
}
