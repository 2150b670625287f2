/**
 * What the modules with a weight and an optional bias share (Linear, TemporalLinear, Conv2d,
 * ConvTranspose2d): the weight drawn by an initialiser, the bias or zeros in its place, and where the layer
 * function's [dx, dw, db] go.
 */
import type { DType } from '../../ndarray/dtype.js';
import { zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import { checkBiasInit, initBias, initWeight, type BiasInitName, type InitName } from './init.js';
import { Module } from './module.js';

/** Options of layers with weights: generator, dtype, initialisation, bias. */
export interface WeightOptions {
  /** Draws the initial weights (default: the library's default generator). */
  rng?: Generator;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
  /** 'kaiming' (default, for ReLU), 'xavier', 'xavierUniform' or 'torchDefault' (PyTorch's U(±1/√fanIn)). */
  init?: InitName;
  /** Learn a bias (default true). */
  bias?: boolean;
  /** 'zeros' (default, as the course's numpy layers) or 'torchDefault' (PyTorch's U(±1/√fanIn)). */
  biasInit?: BiasInitName;
}

/** A convolution's options: stride and zero padding, with the weight options. */
export interface Conv2dOptions extends WeightOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zero padding on each side (default 0; (kernelSize − 1)/2 keeps the size at stride 1). */
  padding?: number;
}

export abstract class WeightedModule extends Module {
  /** Zeros standing in for the bias of a module without one: the layer functions always take a bias. */
  private readonly zeroBias: NDArray | null;

  /**
   * weight of `shape` for fanIn inputs and fanOut outputs; bias (biasSize,), zeros unless `biasInit` says
   * otherwise or `bias` is false. `torchFanIn`: the fan PyTorch's default init uses, when it differs
   * (ConvTranspose2d's is its output channels · k², PyTorch reading its weight's second axis).
   */
  protected constructor(
    shape: number[],
    fanIn: number,
    fanOut: number,
    biasSize: number,
    options: WeightOptions,
    torchFanIn = fanIn,
  ) {
    super();
    const {
      rng = defaultRng,
      dtype = 'float32',
      init = 'kaiming',
      bias = true,
      biasInit = 'zeros',
    } = options;
    checkBiasInit(biasInit, this.constructor.name); // refused with or without a bias
    const weightFanIn = init === 'torchDefault' ? torchFanIn : fanIn;
    this.params.weight = initWeight(init, rng, shape, weightFanIn, fanOut, dtype);
    if (bias) this.params.bias = initBias(biasInit, rng, biasSize, torchFanIn, dtype, this.constructor.name);
    this.zeroBias = bias ? null : zeros([biasSize], dtype);
  }

  /** The bias, or zeros when the module learns none. */
  protected get biasOrZeros(): NDArray {
    return this.params.bias ?? this.zeroBias!;
  }

  /** Keeps dw (and db when the module has a bias) from a layer's backward; returns dx. */
  protected storeGrads<D extends NDArray | null>([dx, dw, db]: [D, NDArray, NDArray]): D {
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }
}

/** Conv2d and ConvTranspose2d: channels, a square kernel, stride and padding. fan = channels·k². */
export abstract class ConvModule extends WeightedModule {
  readonly stride: number;
  readonly padding: number;

  protected constructor(
    private readonly kind: string,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    weightShape: number[],
    options: Conv2dOptions,
  ) {
    const k2 = kernelSize * kernelSize;
    super(weightShape, inChannels * k2, outChannels * k2, outChannels, options, weightShape[1] * k2);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
  }

  override toString(): string {
    return `${this.kind}(${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}
