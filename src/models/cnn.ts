/**
 * A three-layer convolutional net (CS231n's cnn.py ThreeLayerConvNet):
 *
 *   conv (stride 1, same padding) → ReLU → 2×2 max pool (stride 2) → affine → ReLU → affine → softmax
 *
 * Input (N, C, H, W). Parameters W1 (F, C, HH, HH), b1 (F,), W2 (F·H/2·W/2, hidden), b2 (hidden,),
 * W3 (hidden, classes), b3 (classes,). L2 of 0.5·reg·ΣW² on the three weights. Fast conv and pool layers.
 */
import type { DType } from '../ndarray/dtype.js';
import { zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { affineBackward, affineForward } from '../nn/affine.js';
import { l2Regularization, softmaxLoss } from '../nn/losses.js';
import {
  affineReluBackward,
  affineReluForward,
  convReluPoolBackward,
  convReluPoolForward,
} from '../nn/sandwiches.js';
import type { Grads, Model } from './model.js';
import { affineParams, modelInput, type NetOptions } from './util.js';

/** ThreeLayerConvNet's options (the course's ThreeLayerConvNet arguments). */
export interface ThreeLayerConvNetOptions extends NetOptions {
  /** (C, H, W) of one input image. */
  inputDim?: [number, number, number];
  numFilters?: number;
  /** Width and height of the square filters (odd, so that padding (filterSize − 1)/2 keeps H and W). */
  filterSize?: number;
}

export class ThreeLayerConvNet implements Model {
  params: Record<string, NDArray>;
  reg: number;
  readonly dtype: DType;
  readonly filterSize: number;
  readonly inputDim: [number, number, number];

  constructor({
    inputDim = [3, 32, 32],
    numFilters = 32,
    filterSize = 7,
    hiddenDim = 100,
    numClasses = 10,
    weightScale = 1e-3,
    reg = 0,
    dtype = 'float32',
    seed = 0,
  }: ThreeLayerConvNetOptions = {}) {
    const [C, H, W] = inputDim;
    if (filterSize % 2 !== 1)
      throw new RangeError(`ThreeLayerConvNet: filterSize must be odd, got ${filterSize}`);
    if (H % 2 !== 0 || W % 2 !== 0) {
      throw new RangeError(
        `ThreeLayerConvNet: the 2×2 pool needs even H and W, got inputDim ${fmtShape(inputDim)}`,
      );
    }
    const rng = new Generator(seed);
    this.reg = reg;
    this.dtype = dtype;
    this.filterSize = filterSize;
    this.inputDim = inputDim;
    const pooled = numFilters * (H / 2) * (W / 2);
    this.params = {
      W1: rng.normal(0, weightScale, [numFilters, C, filterSize, filterSize], dtype),
      b1: zeros([numFilters], dtype),
      ...affineParams(2, pooled, hiddenDim, rng, weightScale, dtype),
      ...affineParams(3, hiddenDim, numClasses, rng, weightScale, dtype),
    };
  }

  /** X: (N, C, H, W). Scores (N, classes) without y; [loss, grads] with labels y (N,). */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const { W1, b1, W2, b2, W3, b3 } = this.params;
    const x = modelInput(X, this.dtype);
    const convParam = { stride: 1, pad: (this.filterSize - 1) / 2 };
    const poolParam = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const [h1, cache1] = convReluPoolForward(x, W1, b1, convParam, poolParam);
    const [h2, cache2] = affineReluForward(h1, W2, b2);
    const [scores, cache3] = affineForward(h2, W3, b3);
    if (y === undefined) return scores;

    let [loss, dout] = softmaxLoss(scores, y);
    const grads: Grads = {};
    [dout, grads.W3, grads.b3] = affineBackward(dout, cache3);
    [dout, grads.W2, grads.b2] = affineReluBackward(dout, cache2);
    // The images' gradient is never needed: the conv skips dx (half its backward).
    [, grads.W1, grads.b1] = convReluPoolBackward(dout, cache1, false);
    for (const k of ['W1', 'W2', 'W3']) {
      const [r, dW] = l2Regularization(this.params[k], this.reg);
      loss += r;
      grads[k].addInPlace(dW);
    }
    return [loss, grads];
  }
}
