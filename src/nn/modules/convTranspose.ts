/** ConvTranspose2d: the transposed convolution of src/nn/convTranspose.ts as a module (a GAN's upsampling). */
import { zeros } from '../../ndarray/creation.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { defaultRng } from '../../ndarray/random.js';
import { Tensor } from '../../autograd/tensor.js';
import { convTranspose2d } from '../../autograd/ops/nn.js';
import { convTransposeBackward, convTransposeForward, type ConvTransposeCache } from '../convTranspose.js';
import { initWeight } from './init.js';
import type { Conv2dOptions } from './layers.js';
import { Module } from './module.js';

/**
 * x (N, inChannels, H, W) → (N, outChannels, (H − 1)·stride − 2·padding + k, ...); weight
 * (inChannels, outChannels, k, k) as PyTorch's (its initial scale takes fanIn = inChannels·k·k).
 */
export class ConvTranspose2d extends Module {
  protected override readonly takesTensors = true;
  private cache: ConvTransposeCache | null = null;
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
    const shape = [inChannels, outChannels, kernelSize, kernelSize];
    this.params.weight = initWeight(init, rng, shape, inChannels * k2, outChannels * k2, dtype);
    if (bias) this.params.bias = zeros([outChannels], dtype);
    this.zeroBias = bias ? null : zeros([outChannels], dtype);
  }

  /** Forward on arrays: x (N, C, H, W) → (N, F, H', W'), keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    const opts = { stride: this.stride, padding: this.padding };
    if (x instanceof Tensor)
      return convTranspose2d(x, this.param('weight'), this.optionalParam('bias'), opts);
    const [out, cache] = convTransposeForward(x, this.params.weight, this.params.bias ?? this.zeroBias!, {
      stride: this.stride,
      pad: this.padding,
    });
    this.cache = cache;
    return out;
  }

  private transposeGrads(dout: NDArray, computeDx: boolean): NDArray | null {
    const [dx, dw, db] = convTransposeBackward(
      dout,
      this.needCache(this.cache, 'ConvTranspose2d'),
      computeDx,
    );
    this.grads.weight = dw;
    if (this.params.bias) this.grads.bias = db;
    return dx;
  }

  backward(dout: NDArray): NDArray {
    return this.transposeGrads(dout, true)!;
  }

  override backwardParams(dout: NDArray): void {
    this.transposeGrads(dout, false);
  }

  override toString(): string {
    return `ConvTranspose2d(${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}
