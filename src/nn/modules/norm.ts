/**
 * Normalization modules over src/nn's batch, layer and group norm layers. BatchNorm and LayerNorm take
 * NDArrays or Tensors; GroupNorm is explicit (autograd reaches it through Module.call). Batchnorm's momentum
 * is the course's (the old running value's weight, 0.9): PyTorch's momentum is 1 − ours.
 */
import type { DType } from '../../ndarray/dtype.js';
import { ones, zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import {
  batchnormBackwardAlt,
  batchnormForward,
  spatialBatchnormBackward,
  spatialBatchnormForward,
  type BatchnormCache,
  type BnParam,
} from '../batchnorm.js';
import { layernormBackward, layernormForward, type LayernormCache } from '../layernorm.js';
import { spatialGroupnormBackward, spatialGroupnormForward, type GroupnormCache } from '../groupnorm.js';
import { Tensor } from '../../autograd/tensor.js';
import { batchNorm, layerNorm } from '../../autograd/ops/nn.js';
import { Module } from './module.js';

/** Normalisation layers' options: eps, running-average momentum, dtype. */
export interface NormOptions {
  eps?: number;
  /** Weight of the old running value in each update (the course's convention; default 0.9). */
  momentum?: number;
  dtype?: DType;
}

/** The shared body of BatchNorm1d and BatchNorm2d: gamma ('weight'), beta ('bias') and running statistics. */
abstract class BatchNormBase extends Module {
  protected override readonly takesTensors = true;
  private cache: BatchnormCache | null = null;
  readonly bnParam: BnParam & { runningMean: NDArray; runningVar: NDArray };
  /** Training batches seen (PyTorch's num_batches_tracked, in stateDict only: nothing here reads it). */
  readonly numBatchesTracked = zeros([], 'int32');

  constructor(
    readonly numFeatures: number,
    { eps = 1e-5, momentum = 0.9, dtype = 'float32' }: NormOptions = {},
  ) {
    super();
    this.params.weight = ones([numFeatures], dtype);
    this.params.bias = zeros([numFeatures], dtype);
    this.bnParam = {
      mode: 'train',
      eps,
      momentum,
      runningMean: zeros([numFeatures], dtype),
      runningVar: zeros([numFeatures], dtype),
    };
    this.buffers = { runningMean: this.bnParam.runningMean, runningVar: this.bnParam.runningVar };
  }

  /** The layer pair: batchnorm over (N, D) or spatial batchnorm over (N, C, H, W). */
  protected abstract readonly layer: {
    /** (x, gamma, beta, bnParam) → [out, cache]. */
    forward: typeof batchnormForward;
    /** (dout, cache) → [dx, dgamma, dbeta]. */
    backward: typeof batchnormBackwardAlt;
  };

  /** Sets the mode from train()/eval() and counts training batches, then normalizes. */
  forward(x: NDArray): NDArray;
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    this.bnParam.mode = this.training ? 'train' : 'test';
    if (this.training) this.numBatchesTracked.addInPlace(1);
    if (x instanceof Tensor) return batchNorm(x, this.param('weight'), this.param('bias'), this.bnParam);
    const [out, cache] = this.layer.forward(x, this.params.weight, this.params.bias, this.bnParam);
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    const cache = this.needCache(this.cache, this.constructor.name);
    const [dx, dgamma, dbeta] = this.layer.backward(dout, cache);
    this.grads.weight = dgamma;
    this.grads.bias = dbeta;
    return dx;
  }

  protected override torchState(own: Record<string, NDArray>): Record<string, NDArray> {
    const state = super.torchState(own);
    return 'runningMean' in own ? { ...state, num_batches_tracked: this.numBatchesTracked } : state;
  }

  override toString(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }
}

/** Batch normalization of features. x: (N, numFeatures). */
export class BatchNorm1d extends BatchNormBase {
  /** @internal The batchnorm pair over (N, D). */
  protected readonly layer = { forward: batchnormForward, backward: batchnormBackwardAlt };
}

/** Batch normalization of channels (spatial batchnorm). x: (N, numFeatures, H, W). */
export class BatchNorm2d extends BatchNormBase {
  /** @internal The spatial batchnorm pair over (N, C, H, W). */
  protected readonly layer = { forward: spatialBatchnormForward, backward: spatialBatchnormBackward };
}

/** Layer normalization: each example over its features. x: (..., numFeatures), normalized over the last axis. */
export class LayerNorm extends Module {
  protected override readonly takesTensors = true;
  private cache: LayernormCache | null = null;
  private xShape: readonly number[] | null = null;
  readonly eps: number;

  constructor(
    readonly numFeatures: number,
    { eps = 1e-5, dtype = 'float32' }: NormOptions = {},
  ) {
    super();
    this.eps = eps;
    this.params.weight = ones([numFeatures], dtype);
    this.params.bias = zeros([numFeatures], dtype);
  }

  /** Forward on arrays: normalised with batch statistics in training, running ones in eval. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    if (x instanceof Tensor) return layerNorm(x, this.param('weight'), this.param('bias'), this.eps);
    const D = this.numFeatures;
    const [out, cache] = layernormForward(x.reshape(-1, D), this.params.weight, this.params.bias, {
      eps: this.eps,
    });
    this.cache = cache;
    this.xShape = x.shape;
    return out.reshape(x.shape);
  }

  backward(dout: NDArray): NDArray {
    const cache = this.needCache(this.cache, 'LayerNorm');
    const [dx, dgamma, dbeta] = layernormBackward(dout.reshape(-1, this.numFeatures), cache);
    this.grads.weight = dgamma;
    this.grads.bias = dbeta;
    return dx.reshape(this.xShape!);
  }

  override toString(): string {
    return `LayerNorm(${this.numFeatures})`;
  }
}

/** Group normalization: each example's numGroups contiguous channel groups. x: (N, numChannels, H, W). */
export class GroupNorm extends Module {
  private cache: GroupnormCache | null = null;
  readonly eps: number;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    { eps = 1e-5, dtype = 'float32' }: NormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: ${numGroups} groups do not divide ${numChannels} channels`);
    }
    this.eps = eps;
    // Shaped (1, C, 1, 1) as spatialGroupnormForward wants them.
    this.params.weight = ones([1, numChannels, 1, 1], dtype);
    this.params.bias = zeros([1, numChannels, 1, 1], dtype);
  }

  forward(x: NDArray): NDArray {
    const [out, cache] = spatialGroupnormForward(x, this.params.weight, this.params.bias, this.numGroups, {
      eps: this.eps,
    });
    this.cache = cache;
    return out;
  }

  backward(dout: NDArray): NDArray {
    const [dx, dgamma, dbeta] = spatialGroupnormBackward(dout, this.needCache(this.cache, 'GroupNorm'));
    this.grads.weight = dgamma;
    this.grads.bias = dbeta;
    return dx;
  }

  /** PyTorch's layout: weight and bias (C,), views of our (1, C, 1, 1). */
  protected override torchState(own: Record<string, NDArray>): Record<string, NDArray> {
    return Object.fromEntries(Object.entries(own).map(([k, v]) => [k, v.reshape(this.numChannels)]));
  }

  override toString(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels})`;
  }
}
