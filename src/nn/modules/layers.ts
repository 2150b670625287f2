/**
 * The basic modules: Linear, Conv2d, activations, pooling, dropout and flatten, each over src/nn's layers.
 * Each takes NDArrays (explicit: forward keeps the cache, backward uses it) or Tensors (autograd: the op of
 * src/autograd whose backward is the same layer function).
 */
import type { NDArray } from '../../ndarray/ndarray.js';
import { Generator, defaultRng } from '../../ndarray/random.js';
import { fmtShape } from '../../ndarray/shape.js';
import { Tensor } from '../../autograd/tensor.js';
import { leakyRelu, relu, sigmoid, tanh } from '../../autograd/ops/elementwise.js';
import { linear } from '../../autograd/ops/linalg.js';
import { avgPool2d, conv2d, convReluPool2d, dropout, maxPool2d } from '../../autograd/ops/nn.js';
import { reshape } from '../../autograd/ops/shape.js';
import { affineBackward, affineForward, type AffineCache } from '../affine.js';
import {
  leakyReluBackward,
  leakyReluForward,
  reluBackward,
  reluForward,
  sigmoidBackward,
  sigmoidForward,
  tanhBackward,
  tanhForward,
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
import { Module } from './module.js';
import { ConvModule, WeightedModule, type Conv2dOptions, type WeightOptions } from './weighted.js';

export type { Conv2dOptions, WeightOptions } from './weighted.js';

/**
 * y = x·W + b. x: (N, inFeatures), or (..., inFeatures) acted on along its last axis (PyTorch's Linear), or
 * (N, d1, ..., dk) with d1·…·dk = inFeatures, flattened first (the course's affine layer). weight is stored
 * (inFeatures, outFeatures), as affineForward wants it; stateDict gives PyTorch's (outFeatures, inFeatures).
 */
export class Linear extends WeightedModule {
  protected override readonly takesTensors = true;
  private cache: AffineCache | null = null;
  /** The input's shape when forward acted on the last axis of a (..., inFeatures) array. */
  private lastAxisShape: readonly number[] | null = null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: WeightOptions = {},
  ) {
    super([inFeatures, outFeatures], inFeatures, outFeatures, outFeatures, options);
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return linear(x, this.param('weight'), this.optionalParam('bias'));
    const lastAxis = x.ndim > 2 && x.shape[x.ndim - 1] === this.inFeatures;
    this.lastAxisShape = lastAxis ? x.shape : null;
    const x2 = lastAxis ? x.reshape(-1, this.inFeatures) : x;
    const [out, cache] = affineForward(x2, this.params.weight, this.biasOrZeros);
    this.cache = cache;
    return lastAxis ? out.reshape([...x.shape.slice(0, -1), this.outFeatures]) : out;
  }

  /** affineBackward on the cache, dx in the input's shape (null when not computed). */
  private affineGrads(dout: NDArray, computeDx: boolean): NDArray | null {
    const shape = this.lastAxisShape;
    const d2 = shape ? dout.reshape(-1, this.outFeatures) : dout;
    const dx = this.storeGrads(affineBackward(d2, this.needCache(this.cache, 'Linear'), computeDx));
    return dx && shape ? dx.reshape(shape) : dx;
  }

  backward(dout: NDArray): NDArray {
    return this.affineGrads(dout, true)!;
  }

  /** backward without dx (a first layer). */
  override backwardParams(dout: NDArray): void {
    this.affineGrads(dout, false);
  }

  /** PyTorch's layout: weight (outFeatures, inFeatures), a transposed view of ours. */
  protected override torchState(own: Record<string, NDArray>): Record<string, NDArray> {
    const { weight, ...rest } = own;
    return weight ? { weight: weight.T, ...rest } : rest;
  }

  override toString(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}${this.params.bias ? '' : ', bias=false'})`;
  }
}

/** 2-D convolution. x: (N, inChannels, H, W) → (N, outChannels, H', W'); weight (outChannels, inChannels, k, k). */
export class Conv2d extends ConvModule {
  protected override readonly takesTensors = true;
  private cache: ConvCache | null = null;
  private fusedCache: ConvReluPoolFastCache | null = null;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv2dOptions = {}) {
    super(
      'Conv2d',
      inChannels,
      outChannels,
      kernelSize,
      [outChannels, inChannels, kernelSize, kernelSize],
      options,
    );
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor)
      return conv2d(x, this.param('weight'), this.optionalParam('bias'), {
        stride: this.stride,
        padding: this.padding,
      });
    const [out, cache] = convForwardFast(x, this.params.weight, this.biasOrZeros, {
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
    return this.storeGrads(convBackwardFast(dout, this.needCache(this.cache, 'Conv2d'), computeDx));
  }

  /**
   * This conv, then ReLU, then `pool`, in one backend call (how Sequential runs Conv2d, ReLU, MaxPool2d):
   * the conv output never becomes an array. x: (N, C, H, W) → the pooled (N, F, H'', W'').
   */
  forwardReluPool(x: NDArray, pool: MaxPool2d): NDArray;
  forwardReluPool(x: Tensor, pool: MaxPool2d): Tensor;
  forwardReluPool(x: NDArray | Tensor, pool: MaxPool2d): NDArray | Tensor {
    if (x instanceof Tensor)
      return convReluPool2d(
        x,
        this.param('weight'),
        this.optionalParam('bias'),
        { stride: this.stride, padding: this.padding },
        { kernelSize: pool.kernelSize, stride: pool.stride },
      );
    const [out, cache] = convReluPoolForwardFast(
      x,
      this.params.weight,
      this.biasOrZeros,
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
    return this.storeGrads(convReluPoolBackwardFast(dout, cache, computeDx));
  }
}

/** An elementwise activation as its autograd op and its layer pair (src/nn/activations.ts). */
interface ActivationFns<C> {
  op: (x: Tensor) => Tensor;
  forward: (x: NDArray) => [NDArray, C];
  backward: (dout: NDArray, cache: C) => [NDArray];
}

/** What the elementwise activations share: the op on Tensors, the layer pair and its cache on NDArrays. */
abstract class Activation<C> extends Module {
  protected override readonly takesTensors = true;
  private cache: C | null = null;

  constructor(
    private readonly kind: string,
    private readonly fns: ActivationFns<C>,
  ) {
    super();
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return this.fns.op(x);
    const [out, cache] = this.fns.forward(x);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    return this.fns.backward(dout, this.needCache(this.cache, this.kind))[0];
  }

  /** Drops the cache: a fused Conv2d (see Sequential) ran this layer's forward, so it holds no input. */
  clearCache(): void {
    this.cache = null;
  }

  override toString(): string {
    return `${this.kind}()`;
  }
}

/** max(0, x), elementwise. */
export class ReLU extends Activation<NDArray> {
  constructor() {
    super('ReLU', { op: relu, forward: reluForward, backward: reluBackward });
  }
}

/** x for x > 0, alpha·x otherwise. */
export class LeakyReLU extends Activation<LeakyReluCache> {
  constructor(readonly alpha = 0.01) {
    super('LeakyReLU', {
      op: (x) => leakyRelu(x, alpha),
      forward: (x) => leakyReluForward(x, alpha),
      backward: leakyReluBackward,
    });
  }

  /** The module as PyTorch prints it. */
  override toString(): string {
    return `LeakyReLU(${this.alpha})`;
  }
}

/** tanh, elementwise. */
export class Tanh extends Activation<NDArray> {
  constructor() {
    super('Tanh', { op: tanh, forward: tanhForward, backward: tanhBackward });
  }
}

/** The logistic sigmoid 1 / (1 + e^−x), elementwise. */
export class Sigmoid extends Activation<NDArray> {
  constructor() {
    super('Sigmoid', { op: sigmoid, forward: sigmoidForward, backward: sigmoidBackward });
  }
}

/** Max pooling over kernelSize × kernelSize windows (stride defaults to kernelSize). x: (N, C, H, W). */
export class MaxPool2d extends Module {
  protected override readonly takesTensors = true;
  private cache: PoolFastCache | null = null;

  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
  ) {
    super();
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return maxPool2d(x, this.kernelSize, this.stride);
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
  protected override readonly takesTensors = true;
  private xShape: readonly number[] | null = null;

  constructor(readonly kernelSize: number) {
    super();
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return avgPool2d(x, this.kernelSize);
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
  protected override readonly takesTensors = true;
  private cache: DropoutCache | null = null;
  readonly dropoutParam: DropoutParam;

  constructor(
    readonly p: number,
    { rng = defaultRng }: { rng?: Generator } = {},
  ) {
    super();
    this.dropoutParam = { p, mode: 'train', rng };
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) {
      const { seed, rng } = this.dropoutParam;
      return dropout(x, this.p, {
        training: this.training,
        rng: seed !== undefined ? new Generator(seed) : rng,
      });
    }
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
  protected override readonly takesTensors = true;
  private xShape: readonly number[] | null = null;

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return reshape(x, [x.shape[0], -1]);
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

/** Axis `dim` split into `sizes` (PyTorch's Unflatten): Unflatten(1, [C, H, W]) takes (N, C·H·W) to (N, C, H, W). */
export class Unflatten extends Module {
  protected override readonly takesTensors = true;
  private xShape: readonly number[] | null = null;

  constructor(
    readonly dim: number,
    readonly sizes: readonly number[],
  ) {
    super();
  }

  private outShape(shape: readonly number[]): number[] {
    const d = this.dim < 0 ? this.dim + shape.length : this.dim;
    const n = this.sizes.reduce((p, k) => p * k, 1);
    if (d < 0 || d >= shape.length || shape[d] !== n)
      throw new RangeError(
        `Unflatten: axis ${this.dim} of x of shape ${fmtShape(shape)} does not split into ${fmtShape(this.sizes)}`,
      );
    return [...shape.slice(0, d), ...this.sizes, ...shape.slice(d + 1)];
  }

  /** Forward on arrays: the output, keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    const shape = this.outShape(x.shape);
    if (x instanceof Tensor) return reshape(x, shape);
    this.xShape = x.shape;
    return x.reshape(shape);
  }

  backward(dout: NDArray): NDArray {
    return dout.reshape(this.needCache(this.xShape, 'Unflatten'));
  }

  override toString(): string {
    return `Unflatten(${this.dim}, ${fmtShape(this.sizes)})`;
  }
}
