/**
 * The Transformer decoder layer of the course's transformer_layers.py: masked self-attention, attention to
 * the encoder's output (the image), and a feed-forward net, each followed by dropout, a residual connection
 * and LayerNorm (post-norm), in that order; and a stack of such layers.
 */
import type { DType } from '../../ndarray/dtype.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import type { Tensor } from '../../autograd/tensor.js';
import { MultiHeadAttention, dropping } from './attention.js';
import { Dropout, Linear, ReLU } from './layers.js';
import { TensorModule } from './module.js';
import { LayerNorm } from './norm.js';

/** TransformerDecoderLayer's options: feedforward width, dropout, generators, dtype. */
export interface DecoderLayerOptions {
  /** The feed-forward net's hidden width (default 2048). */
  dimFeedforward?: number;
  /** The probability of dropping (default 0.1). */
  dropout?: number;
  rng?: Generator;
  dropoutRng?: Generator;
  dtype?: DType;
}

export class TransformerDecoderLayer extends TensorModule {
  readonly selfAttn: MultiHeadAttention;
  readonly multiheadAttn: MultiHeadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;
  readonly activation = new ReLU();

  constructor(
    readonly inputDim: number,
    readonly numHeads: number,
    {
      dimFeedforward = 2048,
      dropout = 0.1,
      rng = defaultRng,
      dropoutRng = defaultRng,
      dtype = 'float32',
    }: DecoderLayerOptions = {},
  ) {
    super();
    const attn = { dropout, rng, dropoutRng, dtype };
    const w = { rng, dtype, init: 'xavierUniform' as const };
    this.selfAttn = new MultiHeadAttention(inputDim, numHeads, attn);
    this.multiheadAttn = new MultiHeadAttention(inputDim, numHeads, attn);
    this.linear1 = new Linear(inputDim, dimFeedforward, w);
    this.dropout = dropping(dropout, dropoutRng);
    this.linear2 = new Linear(dimFeedforward, inputDim, w);
    this.norm1 = new LayerNorm(inputDim, { dtype });
    this.norm2 = new LayerNorm(inputDim, { dtype });
    this.norm3 = new LayerNorm(inputDim, { dtype });
    this.dropout1 = dropping(dropout, dropoutRng);
    this.dropout2 = dropping(dropout, dropoutRng);
    this.dropout3 = dropping(dropout, dropoutRng);
  }

  /**
   * - tgt: (N, T, D), the caption so far; memory: (N, S, D), the image's (projected) features
   * - tgtMask: (T, T), 0 where a word must not see another (the causal mask: ones on and below the diagonal)
   * Returns (N, T, D).
   */
  forward(tgt: Tensor, memory: Tensor, tgtMask: NDArray | null = null): Tensor {
    let t = tgt;
    t = this.norm1.call(t.add(this.dropout1.call(this.selfAttn.call(t, t, t, tgtMask))));
    t = this.norm2.call(t.add(this.dropout2.call(this.multiheadAttn.call(t, memory, memory))));
    const ff = this.linear2.call(this.dropout.call(this.activation.call(this.linear1.call(t))));
    return this.norm3.call(t.add(this.dropout3.call(ff)));
  }

  override toString(): string {
    return `TransformerDecoderLayer(${this.inputDim}, heads=${this.numHeads})`;
  }
}

/** numLayers decoder layers applied in turn (the course's TransformerDecoder; children 'layers.0', ...). */
export class TransformerDecoder extends TensorModule {
  readonly layers: TransformerDecoderLayer[];

  constructor(makeLayer: () => TransformerDecoderLayer, numLayers: number) {
    super();
    this.layers = Array.from({ length: numLayers }, makeLayer);
  }

  forward(tgt: Tensor, memory: Tensor, tgtMask: NDArray | null = null): Tensor {
    return this.layers.reduce((t, layer) => layer.call(t, memory, tgtMask), tgt);
  }
}
