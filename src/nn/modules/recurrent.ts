/**
 * The recurrent modules, batch-first over src/nn's recurrent layers: Embedding (word indices → vectors),
 * RNN and LSTM (a sequence → its hidden states) and TemporalLinear (a Linear at every time step).
 *
 * RNN and LSTM start from h0 = 0 unless forward is given h0 (N, H) as a second argument; their backward
 * returns dx and keeps h0's gradient in `dh0` (null after a forward without h0). Their parameters keep the
 * course's names and initialisation (Wx ~ N(0, 1/D), Wh ~ N(0, 1/H), b = 0, as classifiers/rnn.py).
 */
import type { DType } from '../../ndarray/dtype.js';
import { zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import { fmtShape } from '../../ndarray/shape.js';
import { lstmBackward, lstmForward, type LstmCache } from '../lstm.js';
import {
  rnnBackward,
  rnnForward,
  temporalAffineBackward,
  temporalAffineForward,
  type RnnCache,
  type TemporalAffineCache,
} from '../rnn.js';
import { Module } from './module.js';
import { WeightedModule, type WeightOptions } from './weighted.js';

/** RNN and LSTM options: generator and dtype. */
export interface RecurrentOptions {
  /** Draws the initial weights (default: the library's default generator). */
  rng?: Generator;
  dtype?: DType;
}

/** The layer pair of a recurrent module: x (N, T, D), h0 (N, H) → h (N, T, H); backward → [dx, dh0, dWx, dWh, db]. */
interface RecurrentLayer<C> {
  forward: (x: NDArray, h0: NDArray, Wx: NDArray, Wh: NDArray, b: NDArray) => [NDArray, C];
  backward: (dh: NDArray, cache: C) => NDArray[];
}

/** What RNN and LSTM share: parameters, the optional h0 and its gradient, forward and backward. */
abstract class RecurrentModule<C> extends Module {
  private cache: C | null = null;
  private givenH0 = false;
  /** The gradient of the last forward's h0 after backward (null when forward started from zeros). */
  dh0: NDArray | null = null;

  constructor(
    private readonly kind: string,
    private readonly layer: RecurrentLayer<C>,
    readonly inputSize: number,
    readonly hiddenSize: number,
    gates: number,
    { rng = defaultRng, dtype = 'float32' }: RecurrentOptions,
  ) {
    super();
    const [D, H] = [inputSize, hiddenSize];
    this.params.Wx = rng.normal(0, 1 / Math.sqrt(D), [D, gates * H], dtype);
    this.params.Wh = rng.normal(0, 1 / Math.sqrt(H), [H, gates * H], dtype);
    this.params.b = zeros([gates * H], dtype);
  }

  /** x (N, T, inputSize) [, h0 (N, hiddenSize), checked against x's batch size by the layer; else zeros]. */
  forward(x: NDArray, h0?: NDArray): NDArray {
    this.givenH0 = h0 !== undefined;
    if (!h0 && x.ndim !== 3)
      throw new RangeError(`${this.kind}: x must be (N, T, D), got shape ${fmtShape(x.shape)}`);
    const start = h0 ?? zeros([x.shape[0], this.hiddenSize], this.params.Wx.dtype);
    const { Wx, Wh, b } = this.params;
    const [h, cache] = this.layer.forward(x, start, Wx, Wh, b);
    this.cache = cache;
    return h;
  }

  backward(dout: NDArray): NDArray {
    const [dx, dh0, dWx, dWh, db] = this.layer.backward(dout, this.needCache(this.cache, this.kind));
    Object.assign(this.grads, { Wx: dWx, Wh: dWh, b: db });
    this.dh0 = this.givenH0 ? dh0 : null;
    return dx;
  }

  override toString(): string {
    return `${this.kind}(${this.inputSize}, ${this.hiddenSize})`;
  }
}

/** A vanilla (tanh) RNN: x (N, T, inputSize) [, h0 (N, hiddenSize)] → h (N, T, hiddenSize). */
export class RNN extends RecurrentModule<RnnCache> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('RNN', { forward: rnnForward, backward: rnnBackward }, inputSize, hiddenSize, 1, options);
  }
}

/** An LSTM (gates i, f, o, g along 4H), zero initial cell: x (N, T, inputSize) [, h0] → h (N, T, hiddenSize). */
export class LSTM extends RecurrentModule<LstmCache> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', { forward: lstmForward, backward: lstmBackward }, inputSize, hiddenSize, 4, options);
  }
}

/** A Linear at every time step: x (N, T, inFeatures) → (N, T, outFeatures); weight (inFeatures, outFeatures). */
export class TemporalLinear extends WeightedModule {
  private cache: TemporalAffineCache | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: WeightOptions = {},
  ) {
    super([inFeatures, outFeatures], inFeatures, outFeatures, outFeatures, options);
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = temporalAffineForward(x, this.params.weight, this.biasOrZeros);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return this.storeGrads(temporalAffineBackward(dout, this.needCache(this.cache, 'TemporalLinear')));
  }

  override toString(): string {
    return `TemporalLinear(${this.inFeatures}, ${this.outFeatures})`;
  }
}
