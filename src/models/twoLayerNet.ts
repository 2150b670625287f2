/**
 * A two-layer fully-connected net (CS231n's fc_net.py TwoLayerNet):
 *
 *   affine → ReLU → affine → softmax
 *
 * Input dimension D, hidden dimension H, C classes. Parameters W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
 * The loss adds 0.5·reg·(ΣW1² + ΣW2²): weights only, not biases.
 */
import type { DType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { affineBackward, affineForward } from '../nn/affine.js';
import { reluBackward, reluForward } from '../nn/activations.js';
import { l2Regularization, softmaxLoss } from '../nn/losses.js';
import type { Grads, Model } from './model.js';
import { affineParams, modelInput, type NetOptions } from './util.js';

/** TwoLayerNet's options (the course's TwoLayerNet arguments; inputDim D of inputs (N, D)). */
export interface TwoLayerNetOptions extends NetOptions {
  inputDim?: number;
}

export class TwoLayerNet implements Model {
  params: Record<string, NDArray>;
  reg: number;
  readonly dtype: DType;

  constructor({
    inputDim = 3 * 32 * 32,
    hiddenDim = 100,
    numClasses = 10,
    weightScale = 1e-3,
    reg = 0,
    dtype = 'float64',
    seed = 0,
  }: TwoLayerNetOptions = {}) {
    const rng = new Generator(seed);
    this.reg = reg;
    this.dtype = dtype;
    this.params = {
      ...affineParams(1, inputDim, hiddenDim, rng, weightScale, dtype),
      ...affineParams(2, hiddenDim, numClasses, rng, weightScale, dtype),
    };
  }

  /** X: (N, d_1, ..., d_k). Scores (N, C) without y; [loss, grads] with labels y (N,). */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const { W1, b1, W2, b2 } = this.params;
    const x = modelInput(X, this.dtype);
    const [a1, cacheA1] = affineForward(x, W1, b1);
    const [h1, cacheR1] = reluForward(a1);
    const [scores, cacheA2] = affineForward(h1, W2, b2);
    if (y === undefined) return scores;

    const [dataLoss, dscores] = softmaxLoss(scores, y);
    const [r1, dW1reg] = l2Regularization(W1, this.reg);
    const [r2, dW2reg] = l2Regularization(W2, this.reg);
    const loss = dataLoss + r1 + r2;
    const [dh1, dW2, db2] = affineBackward(dscores, cacheA2);
    const [da1] = reluBackward(dh1, cacheR1);
    const [, dW1, db1] = affineBackward(da1, cacheA1, false); // nobody reads dx of the input
    return [loss, { W1: dW1.addInPlace(dW1reg), b1: db1, W2: dW2.addInPlace(dW2reg), b2: db2 }];
  }
}
