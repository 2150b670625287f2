/**
 * Embedding: integer indices (any shape) → rows of a (numEmbeddings, embeddingDim) table, as PyTorch's
 * nn.Embedding (weight ~ N(0, 1); the row paddingIdx, when given, starts at zero and is never trained).
 */
import type { DType } from '../../ndarray/dtype.js';
import { zeros } from '../../ndarray/creation.js';
import { isInteger } from '../../ndarray/dtype.js';
import { addAt, gatherRows } from '../../ndarray/indexing.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import { Tensor } from '../../autograd/tensor.js';
import { embedding } from '../../autograd/ops/nn.js';
import { Module } from './module.js';

/** Embedding's options: generator, dtype, padding index. */
export interface EmbeddingOptions {
  rng?: Generator;
  dtype?: DType;
  /** A row (the <NULL> word) kept at zero gradient, as PyTorch's padding_idx. */
  paddingIdx?: number | null;
}

/** Word embedding (PyTorch's nn.Embedding): indices (N, T) → vectors (N, T, D) from a table W (V, D). */
export class Embedding extends Module {
  protected override readonly takesTensors = true;
  readonly paddingIdx: number | null;
  private indices: NDArray | null = null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    { rng = defaultRng, dtype = 'float32', paddingIdx = null }: EmbeddingOptions = {},
  ) {
    super();
    this.paddingIdx = paddingIdx;
    this.params.weight = rng.normal(0, 1, [numEmbeddings, embeddingDim], dtype);
    if (paddingIdx !== null) this.params.weight.set(paddingIdx, 0);
  }

  /** indices (...) int32 → (..., embeddingDim); a Tensor of indices gives a Tensor. */
  forward(x: NDArray): NDArray;
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return embedding(x.data, this.param('weight'), { paddingIdx: this.paddingIdx });
    if (!isInteger(x.dtype))
      throw new TypeError(`Embedding: indices must hold integers (int32), got ${x.dtype}`);
    this.indices = x;
    return gatherRows(this.params.weight, x.ravel()).reshape([...x.shape, this.embeddingDim]);
  }

  /** Fills grads.weight; indices have no gradient, so this returns zeros of their shape. */
  backward(dout: NDArray): NDArray {
    const x = this.needCache(this.indices, 'Embedding');
    const w = zeros(this.params.weight.shape, this.params.weight.dtype);
    addAt(w, [x.ravel()], dout.reshape(-1, this.embeddingDim));
    if (this.paddingIdx !== null) w.set(this.paddingIdx, 0);
    this.grads.weight = w;
    return zeros(x.shape, w.dtype);
  }

  override toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }
}
