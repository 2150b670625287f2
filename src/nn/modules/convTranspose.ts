/** ConvTranspose2d: the transposed convolution of src/nn/convTranspose.ts as a module (a GAN's upsampling). */
import type { NDArray } from '../../ndarray/ndarray.js';
import { Tensor } from '../../autograd/tensor.js';
import { convTranspose2d } from '../../autograd/ops/nn.js';
import { convTransposeBackward, convTransposeForward, type ConvTransposeCache } from '../convTranspose.js';
import { ConvModule, type Conv2dOptions } from './weighted.js';

/**
 * x (N, inChannels, H, W) → (N, outChannels, (H − 1)·stride − 2·padding + k, ...); weight
 * (inChannels, outChannels, k, k) as PyTorch's (its initial scale takes fanIn = inChannels·k·k).
 */
export class ConvTranspose2d extends ConvModule {
  protected override readonly takesTensors = true;
  private cache: ConvTransposeCache | null = null;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv2dOptions = {}) {
    const shape = [inChannels, outChannels, kernelSize, kernelSize];
    super('ConvTranspose2d', inChannels, outChannels, kernelSize, shape, options);
  }

  /** Forward on arrays: x (N, C, H, W) → (N, F, H', W'), keeping what backward needs. */
  forward(x: NDArray): NDArray;
  /** Forward on tensors: autograd records the op for backward(). */
  forward(x: Tensor): Tensor;
  forward(x: NDArray | Tensor): NDArray | Tensor {
    const opts = { stride: this.stride, padding: this.padding };
    if (x instanceof Tensor)
      return convTranspose2d(x, this.param('weight'), this.optionalParam('bias'), opts);
    const [out, cache] = convTransposeForward(x, this.params.weight, this.biasOrZeros, {
      stride: this.stride,
      pad: this.padding,
    });
    this.cache = cache;
    return out;
  }

  private transposeGrads(dout: NDArray, computeDx: boolean): NDArray | null {
    const cache = this.needCache(this.cache, 'ConvTranspose2d');
    return this.storeGrads(convTransposeBackward(dout, cache, computeDx));
  }

  backward(dout: NDArray): NDArray {
    return this.transposeGrads(dout, true)!;
  }

  override backwardParams(dout: NDArray): void {
    this.transposeGrads(dout, false);
  }
}
