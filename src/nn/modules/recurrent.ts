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
import { initWeight } from './init.js';
import type { WeightOptions } from './layers.js';
import { Module } from './module.js';

/** RNN and LSTM options: generator and dtype. */
export interface RecurrentOptions {
  /** Draws the initial weights (default: the library's default generator). */
  rng?: Generator;
  dtype?: DType;
}

/** What RNN and LSTM share: parameters, the optional h0 and its gradient. */
abstract class RecurrentModule<C> extends Module {
  protected cache: C | null = null;
  private givenH0 = false;
  /** The gradient of the last forward's h0 after backward (null when forward started from zeros). */
  dh0: NDArray | null = null;

  constructor(
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

  /** h0 as given (checked against x's batch size by the layer), else zeros (N, H). */
  protected initialState(x: NDArray, h0?: NDArray): NDArray {
    this.givenH0 = h0 !== undefined;
    if (h0) return h0;
    if (x.ndim !== 3)
      throw new RangeError(`${this.constructor.name}: x must be (N, T, D), got shape ${fmtShape(x.shape)}`);
    return zeros([x.shape[0], this.hiddenSize], this.params.Wx.dtype);
  }

  /** Keeps dWx, dWh, db as the layer's gradients (and dh0 when h0 was given); returns dx. */
  protected storeGrads([dx, dh0, dWx, dWh, db]: NDArray[]): NDArray {
    Object.assign(this.grads, { Wx: dWx, Wh: dWh, b: db });
    this.dh0 = this.givenH0 ? dh0 : null;
    return dx;
  }
}

/** A vanilla (tanh) RNN: x (N, T, inputSize) [, h0 (N, hiddenSize)] → h (N, T, hiddenSize). */
export class RNN extends RecurrentModule<RnnCache> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 1, options);
  }

  forward(x: NDArray, h0?: NDArray): NDArray {
    const { Wx, Wh, b } = this.params;
    const [h, cache] = rnnForward(x, this.initialState(x, h0), Wx, Wh, b);
    this.cache = cache;
    return h;
  }

  backward(dout: NDArray): NDArray {
    return this.storeGrads(rnnBackward(dout, this.needCache(this.cache, 'RNN')));
  }

  override toString(): string {
    return `RNN(${this.inputSize}, ${this.hiddenSize})`;
  }
}

/** An LSTM (gates i, f, o, g along 4H), zero initial cell: x (N, T, inputSize) [, h0] → h (N, T, hiddenSize). */
export class LSTM extends RecurrentModule<LstmCache> {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  forward(x: NDArray, h0?: NDArray): NDArray {
    const { Wx, Wh, b } = this.params;
    const [h, cache] = lstmForward(x, this.initialState(x, h0), Wx, Wh, b);
    this.cache = cache;
    return h;
  }

  backward(dout: NDArray): NDArray {
    return this.storeGrads(lstmBackward(dout, this.needCache(this.cache, 'LSTM')));
  }

  override toString(): string {
    return `LSTM(${this.inputSize}, ${this.hiddenSize})`;
  }
}

/** A Linear at every time step: x (N, T, inFeatures) → (N, T, outFeatures); weight (inFeatures, outFeatures). */
export class TemporalLinear extends Module {
  private cache: TemporalAffineCache | null = null;
  private readonly zeroBias: NDArray | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { rng = defaultRng, dtype = 'float32', init = 'kaiming', bias = true }: WeightOptions = {},
  ) {
    super();
    this.params.weight = initWeight(init, rng, [inFeatures, outFeatures], inFeatures, outFeatures, dtype);
    if (bias) this.params.bias = zeros([outFeatures], dtype);
    this.zeroBias = bias ? null : zeros([outFeatures], dtype);
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = temporalAffineForward(x, this.params.weight, this.params.bias ?? this.zeroBias!);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    const [dx, dw, db] = temporalAffineBackward(dout, this.needCache(this.cache, 'TemporalLinear'));
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }

  override toString(): string {
    return `TemporalLinear(${this.inFeatures}, ${this.outFeatures})`;
  }
}
