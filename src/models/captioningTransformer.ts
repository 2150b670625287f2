/**
 * An image captioning Transformer (the course's classifiers/transformer.py CaptioningTransformer), with the
 * same `loss`/`sample` interface as CaptioningRNN, so the same Solver trains it:
 *
 *   memory = visualProjection(features) (N, 1, W);  x = positionalEncoding(embedding(captions[:, :-1]))
 *   scores = output(decoder(x, memory, causal mask))  (N, T − 1, V)
 *   loss = cross-entropy against captions[:, 1:], <NULL> targets counting 0, averaged over N·(T − 1)
 *          (as the course's CaptioningSolverTransformer; the RNN's loss divides by N instead)
 *
 * Written on tensors: the gradients are autograd's. Parameters are named as the course's PyTorch model's
 * state_dict ('visualProjection.weight' here, 'visual_projection.weight' in stateDict()), so its weights
 * load with loadStateDict. Initialised as the course does: Linear and Embedding weights N(0, 0.02), biases
 * 0, LayerNorm 1 and 0, and the output layer PyTorch's default U(±1/√W).
 */
import { arange, full } from '../ndarray/creation.js';
import type { FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { concatenate } from '../ndarray/manipulation.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { noGrad, tensor, type Tensor } from '../autograd/tensor.js';
import { crossEntropy } from '../autograd/ops/losses.js';
import { PositionalEncoding } from '../nn/modules/attention.js';
import { Embedding } from '../nn/modules/embedding.js';
import { Linear } from '../nn/modules/layers.js';
import { TensorModule, type Module } from '../nn/modules/module.js';
import { LayerNorm } from '../nn/modules/norm.js';
import { TransformerDecoder, TransformerDecoderLayer } from '../nn/modules/transformer.js';
import type { Grads, LossModel } from './model.js';
import { tensorLossAndGrads } from './tensorModel.js';
import { checkFeatures, checkWordIndices, specialIndices } from './captions.js';

/** CaptioningTransformer's options (the course's CaptioningTransformer arguments). */
export interface CaptioningTransformerOptions {
  /** The vocabulary, word → index in [0, V). Must hold <NULL> (and <START> to sample). */
  wordToIdx: Readonly<Record<string, number>>;
  /** D, the width of an image's feature vector (default 512). */
  inputDim?: number;
  /** W, the width of the word vectors and of the model (default 256). */
  wordvecDim?: number;
  numHeads?: number;
  numLayers?: number;
  /** The longest caption the positional encoding covers (default 50). */
  maxLength?: number;
  /** The decoder layers' feed-forward width (default 2048, as the course). */
  dimFeedforward?: number;
  /** The probability of dropping, everywhere (default 0.1). */
  dropout?: number;
  dtype?: FloatDType;
  /** Seeds the initialisation (default 0); dropout masks draw from seed + 1. */
  seed?: number;
}

/** The network: image features and caption prefixes → word scores at every position. */
export class CaptioningTransformerNet extends TensorModule {
  readonly visualProjection: Linear;
  readonly embedding: Embedding;
  readonly positionalEncoding: PositionalEncoding;
  readonly transformer: TransformerDecoder;
  readonly output: Linear;

  constructor(
    o: Required<Omit<CaptioningTransformerOptions, 'seed'>> & { rng: Generator; dropoutRng: Generator },
  ) {
    super();
    const { rng, dropoutRng, dtype, dropout } = o;
    const V = Object.keys(o.wordToIdx).length;
    const W = o.wordvecDim;
    this.visualProjection = new Linear(o.inputDim, W, { rng, dtype });
    this.embedding = new Embedding(V, W, { rng, dtype, paddingIdx: o.wordToIdx['<NULL>'] });
    this.positionalEncoding = new PositionalEncoding(W, { dropout, maxLen: o.maxLength, dropoutRng, dtype });
    const layer = { dimFeedforward: o.dimFeedforward, dropout, rng, dropoutRng, dtype };
    this.transformer = new TransformerDecoder(
      () => new TransformerDecoderLayer(W, o.numHeads, layer),
      o.numLayers,
    );
    initCourse(this, rng);
    this.output = new Linear(W, V, { rng, dtype });
    const bound = 1 / Math.sqrt(W);
    for (const p of Object.values(this.output.params))
      p.set('...', rng.uniform(-bound, bound, p.shape, dtype));
  }

  /** features (N, D), captions (N, T) int32 → scores (N, T, V). */
  forward(features: Tensor, captions: Tensor): Tensor {
    const T = captions.shape[1];
    const x = this.positionalEncoding.call(this.embedding.call(captions));
    const memory = this.visualProjection.call(features).unsqueeze(1);
    const causal = arange(T).reshape(-1, 1).ge(arange(T)); // tril of ones: word t sees words ≤ t
    return this.output.call(this.transformer.call(x, memory, causal));
  }
}

/** The course's _init_weights: Linear and Embedding weights N(0, 0.02), biases 0; LayerNorm 1 and 0. */
function initCourse(m: Module, rng: Generator): void {
  if (m instanceof Linear || m instanceof Embedding) {
    const w = m.params.weight;
    w.set('...', rng.normal(0, 0.02, w.shape, w.dtype));
    m.params.bias?.fill(0);
  } else if (m instanceof LayerNorm) {
    m.params.weight.fill(1);
    m.params.bias.fill(0);
  }
  for (const [, c] of m.children()) initCourse(c, rng);
}

export class CaptioningTransformer implements LossModel {
  readonly net: CaptioningTransformerNet;
  params: Record<string, NDArray>;
  /** The dropout masks' generator, saved in checkpoints. */
  rng: Generator;
  readonly wordToIdx: Readonly<Record<string, number>>;
  readonly vocabSize: number;
  readonly inputDim: number;
  readonly maxLength: number;
  readonly dtype: FloatDType;
  private readonly nullIdx: number;
  private readonly startIdx: number | undefined;

  constructor({
    wordToIdx,
    inputDim = 512,
    wordvecDim = 256,
    numHeads = 4,
    numLayers = 2,
    maxLength = 50,
    dimFeedforward = 2048,
    dropout = 0.1,
    dtype = 'float32',
    seed = 0,
  }: CaptioningTransformerOptions) {
    this.wordToIdx = wordToIdx;
    this.vocabSize = Object.keys(wordToIdx).length;
    this.inputDim = inputDim;
    this.maxLength = maxLength;
    this.dtype = dtype;
    ({ nullIdx: this.nullIdx, startIdx: this.startIdx } = specialIndices('CaptioningTransformer', wordToIdx));
    this.rng = new Generator(seed + 1);
    this.net = new CaptioningTransformerNet({
      wordToIdx,
      inputDim,
      wordvecDim,
      numHeads,
      numLayers,
      maxLength,
      dimFeedforward,
      dropout,
      dtype,
      rng: new Generator(seed),
      dropoutRng: this.rng,
    });
    this.params = Object.fromEntries(this.net.namedParameters());
  }

  buffers(): Record<string, NDArray> {
    return Object.fromEntries(this.net.namedBuffers());
  }

  private checkFeatures(op: string, features: NDArray): NDArray {
    return checkFeatures(op, features, this.inputDim, this.dtype);
  }

  private checkCaptions(op: string, captions: NDArray, N: number): void {
    const T = captions.shape[1];
    if (captions.ndim !== 2 || captions.shape[0] !== N || T < 2 || T - 1 > this.maxLength)
      throw new RangeError(
        `${op}: captions of shape ${fmtShape(captions.shape)} should be (N = ${N}, 2 ≤ T ≤ maxLength + 1 = ${this.maxLength + 1})`,
      );
    checkWordIndices(op, captions, this.vocabSize);
  }

  /**
   * The training loss with teacher forcing on captions[:, :-1] → captions[:, 1:], <NULL> targets ignored.
   * - features: (N, D); captions: (N, T) int32, 2 ≤ T ≤ maxLength + 1
   * Returns [loss, grads], grads keyed like params.
   */
  loss(features: NDArray, captions: NDArray): [number, Grads] {
    const op = 'CaptioningTransformer.loss';
    const f = this.checkFeatures(op, features);
    const N = f.shape[0];
    this.checkCaptions(op, captions, N);
    const T = captions.shape[1] - 1;
    const captionsIn = captions.slice(':', `:${T}`);
    const captionsOut = captions.slice(':', '1:').copy().reshape(-1);
    return tensorLossAndGrads(
      this.net,
      () => {
        const scores = this.net.call(tensor(f), tensor(captionsIn));
        const summed = crossEntropy(scores.reshape(N * T, this.vocabSize), captionsOut, {
          ignoreIndex: this.nullIdx,
          reduction: 'sum',
        });
        return summed.div(N * T);
      },
      [],
    );
  }

  /**
   * Greedy captions, as the course's sample: from <START>, the decoder runs on the caption so far and the
   * most likely next word is appended, for maxLength steps (eval mode: no dropout).
   * - features: (N, D); maxLength ≤ the model's maxLength (default 30), or { maxLength } as CaptioningRNN takes
   * Returns (N, maxLength) int32 word indices (whatever follows <END> included, as the course's).
   */
  sample(features: NDArray, options: number | { maxLength?: number; beamWidth?: number } = {}): NDArray {
    const op = 'CaptioningTransformer.sample';
    const { maxLength = 30, beamWidth } = typeof options === 'number' ? { maxLength: options } : options;
    if (beamWidth !== undefined && beamWidth !== 1)
      throw new RangeError(
        `${op}: beam search is not implemented here (beamWidth ${beamWidth}); sampling is greedy`,
      );
    const f = this.checkFeatures(op, features);
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > this.maxLength)
      throw new RangeError(
        `${op}: maxLength must be a whole number in [1, ${this.maxLength}], got ${maxLength}`,
      );
    if (this.startIdx === undefined)
      throw new RangeError(`${op}: wordToIdx has no <START> word to begin with`);
    const N = f.shape[0];
    const captions = full([N, maxLength], this.nullIdx, 'int32');
    let partial = full([N, 1], this.startIdx, 'int32');
    this.net.eval();
    noGrad(() => {
      const feats = tensor(f);
      for (let t = 0; t < maxLength; t++) {
        const scores = this.net.call(feats, tensor(partial)).data; // (N, t + 1, V)
        const word = scores.slice(':', -1).argmax(1).astype('int32');
        captions.set([':', t], word);
        partial = concatenate([partial, word.reshape(N, 1)], 1);
      }
    });
    this.net.train();
    return captions;
  }

  /** The course's PyTorch state_dict names and layouts (see Module.stateDict). */
  stateDict(): Record<string, NDArray> {
    return this.net.stateDict();
  }

  /** Loads a PyTorch-style state dict (names as the course's model; strict by default). */
  loadStateDict(state: Record<string, NDArray>, options?: { strict?: boolean }): void {
    this.net.loadStateDict(state, options);
  }
}
