/** The basic modules: Linear, Conv2d, activations, pooling, dropout and flatten, each over src/nn's layers. */
import type { DType } from '../../ndarray/dtype.js';
import { zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../../ndarray/random.js';
import { fmtShape } from '../../ndarray/shape.js';
import { affineBackward, affineForward, type AffineCache } from '../affine.js';
import {
  leakyReluBackward,
  leakyReluForward,
  reluBackward,
  reluForward,
  type LeakyReluCache,
} from '../activations.js';
import {
  convBackwardFast,
  convForwardFast,
  convReluPoolBackwardFast,
  convReluPoolForwardFast,
  type ConvReluPoolFastCache,
} from '../conv.js';
import type { ConvCache } from '../convNaive.js';
import { dropoutBackward, dropoutForward, type DropoutCache, type DropoutParam } from '../dropout.js';
import { maxPoolBackwardFast, maxPoolForwardFast, type PoolFastCache } from '../pool.js';
import { initWeight, type InitName } from './init.js';
import { Module } from './module.js';

export interface WeightOptions {
  /** Draws the initial weights (default: the library's default generator). */
  rng?: Generator;
  dtype?: DType;
  /** 'kaiming' (default, for ReLU), 'xavier' or 'xavierUniform'. */
  init?: InitName;
  /** Learn a bias (default true). */
  bias?: boolean;
}

/** y = x·W + b. x: (N, inFeatures) (or (N, ...) flattened); weight (inFeatures, outFeatures), as affineForward. */
export class Linear extends Module {
  private cache: AffineCache | null = null;
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
    const [out, cache] = affineForward(x, this.params.weight, this.params.bias ?? this.zeroBias!);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    const [dx, dw, db] = affineBackward(dout, this.needCache(this.cache, 'Linear'));
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }

  /** backward without dx (a first layer). */
  override backwardParams(dout: NDArray): void {
    const [, dw, db] = affineBackward(dout, this.needCache(this.cache, 'Linear'), false);
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
  }

  override toString(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}${this.params.bias ? '' : ', bias=false'})`;
  }
}

export interface Conv2dOptions extends WeightOptions {
  stride?: number;
  /** Zero padding on each side (default 0; (kernelSize − 1)/2 keeps the size at stride 1). */
  padding?: number;
}

/** 2-D convolution. x: (N, inChannels, H, W) → (N, outChannels, H', W'); weight (outChannels, inChannels, k, k). */
export class Conv2d extends Module {
  private cache: ConvCache | null = null;
  private fusedCache: ConvReluPoolFastCache | null = null;
  private readonly zeroBias: NDArray | null;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    {
      stride = 1,
      padding = 0,
      rng = defaultRng,
      dtype = 'float32',
      init = 'kaiming',
      bias = true,
    }: Conv2dOptions = {},
  ) {
    super();
    this.stride = stride;
    this.padding = padding;
    const k2 = kernelSize * kernelSize;
    this.params.weight = initWeight(
      init,
      rng,
      [outChannels, inChannels, kernelSize, kernelSize],
      inChannels * k2,
      outChannels * k2,
      dtype,
    );
    if (bias) this.params.bias = zeros([outChannels], dtype);
    this.zeroBias = bias ? null : zeros([outChannels], dtype);
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = convForwardFast(x, this.params.weight, this.params.bias ?? this.zeroBias!, {
      stride: this.stride,
      pad: this.padding,
    });
    this.cache = cache;
    this.fusedCache = null;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return this.convBackward(dout, true)!;
  }

  /** backward without dx (a first layer: half the conv's backward). */
  override backwardParams(dout: NDArray): void {
    this.convBackward(dout, false);
  }

  private convBackward(dout: NDArray, computeDx: boolean): NDArray | null {
    const [dx, dw, db] = convBackwardFast(dout, this.needCache(this.cache, 'Conv2d'), computeDx);
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }

  /**
   * This conv, then ReLU, then `pool`, in one backend call (how Sequential runs Conv2d, ReLU, MaxPool2d):
   * the conv output never becomes an array. x: (N, C, H, W) → the pooled (N, F, H'', W'').
   */
  forwardReluPool(x: NDArray, pool: MaxPool2d): NDArray {
    const [out, cache] = convReluPoolForwardFast(
      x,
      this.params.weight,
      this.params.bias ?? this.zeroBias!,
      { stride: this.stride, pad: this.padding },
      { poolHeight: pool.kernelSize, poolWidth: pool.kernelSize, stride: pool.stride },
    );
    this.fusedCache = cache;
    this.cache = null;
    return out;
  }

  /**
   * Backward of forwardReluPool: dout (N, F, H'', W'') is the pooled output's gradient. Returns dx, or
   * null when computeDx is false (a first layer).
   */
  backwardReluPool(dout: NDArray, computeDx = true): NDArray | null {
    const cache = this.needCache(this.fusedCache, 'Conv2d.backwardReluPool');
    const [dx, dw, db] = convReluPoolBackwardFast(dout, cache, computeDx);
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }

  override toString(): string {
    return `Conv2d(${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}

/** max(0, x), elementwise. */
export class ReLU extends Module {
  private cache: NDArray | null = null;

  forward(x: NDArray): NDArray {
    const [out, cache] = reluForward(x);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return reluBackward(dout, this.needCache(this.cache, 'ReLU'))[0];
  }

  /** Drops the cache: a fused Conv2d (see Sequential) ran this layer's forward, so it holds no input. */
  clearCache(): void {
    this.cache = null;
  }

  override toString(): string {
    return 'ReLU()';
  }
}

/** x for x > 0, alpha·x otherwise. */
export class LeakyReLU extends Module {
  private cache: LeakyReluCache | null = null;

  constructor(readonly alpha = 0.01) {
    super();
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = leakyReluForward(x, this.alpha);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return leakyReluBackward(dout, this.needCache(this.cache, 'LeakyReLU'))[0];
  }

  override toString(): string {
    return `LeakyReLU(${this.alpha})`;
  }
}

/** Max pooling over kernelSize × kernelSize windows (stride defaults to kernelSize). x: (N, C, H, W). */
export class MaxPool2d extends Module {
  private cache: PoolFastCache | null = null;

  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
  ) {
    super();
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = maxPoolForwardFast(x, {
      poolHeight: this.kernelSize,
      poolWidth: this.kernelSize,
      stride: this.stride,
    });
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return maxPoolBackwardFast(dout, this.needCache(this.cache, 'MaxPool2d'))[0];
  }

  /** Drops the cache: a fused Conv2d (see Sequential) ran this layer's forward, so it holds no input. */
  clearCache(): void {
    this.cache = null;
  }

  override toString(): string {
    return `MaxPool2d(${this.kernelSize}, stride=${this.stride})`;
  }
}

/**
 * Average pooling over non-overlapping kernelSize × kernelSize tiles (H and W divisible by kernelSize);
 * kernelSize = H = W is global average pooling. x: (N, C, H, W) → (N, C, H/k, W/k).
 * A tile's mean is a reshape and a mean over two axes, so this needs no kernel of its own.
 */
export class AvgPool2d extends Module {
  private xShape: readonly number[] | null = null;

  constructor(readonly kernelSize: number) {
    super();
  }

  forward(x: NDArray): NDArray {
    const k = this.kernelSize;
    if (x.ndim !== 4 || x.shape[2] % k !== 0 || x.shape[3] % k !== 0) {
      throw new RangeError(`AvgPool2d: a ${k}×${k} tiling does not divide x of shape ${fmtShape(x.shape)}`);
    }
    const [N, C, H, W] = x.shape;
    this.xShape = x.shape;
    return x.reshape(N, C, H / k, k, W / k, k).mean([3, 5]);
  }

  backward(dout: NDArray): NDArray {
    const [N, C, H, W] = this.needCache(this.xShape, 'AvgPool2d');
    const k = this.kernelSize;
    // Each input of a tile receives 1/k² of the tile's gradient.
    return dout
      .reshape(N, C, H / k, 1, W / k, 1)
      .broadcastTo([N, C, H / k, k, W / k, k])
      .mul(1 / (k * k))
      .reshape(N, C, H, W);
  }

  override toString(): string {
    return `AvgPool2d(${this.kernelSize})`;
  }
}

/**
 * Inverted dropout. NOTE: p is the probability of KEEPING a unit, as in the course's dropoutForward
 * (PyTorch's p is the probability of dropping). Masks come from `rng` (default: the default generator).
 */
export class Dropout extends Module {
  private cache: DropoutCache | null = null;
  readonly dropoutParam: DropoutParam;

  constructor(
    readonly p: number,
    { rng = defaultRng }: { rng?: Generator } = {},
  ) {
    super();
    this.dropoutParam = { p, mode: 'train', rng };
  }

  forward(x: NDArray): NDArray {
    this.dropoutParam.mode = this.training ? 'train' : 'test';
    const [out, cache] = dropoutForward(x, this.dropoutParam);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return dropoutBackward(dout, this.needCache(this.cache, 'Dropout'))[0];
  }

  override toString(): string {
    return `Dropout(keep=${this.p})`;
  }
}

/** (N, d1, ..., dk) → (N, d1·…·dk), a view when x is contiguous. */
export class Flatten extends Module {
  private xShape: readonly number[] | null = null;

  forward(x: NDArray): NDArray {
    this.xShape = x.shape;
    return x.reshape(x.shape[0], -1);
  }

  backward(dout: NDArray): NDArray {
    return dout.reshape(this.needCache(this.xShape, 'Flatten'));
  }

  override toString(): string {
    return 'Flatten()';
  }
}
