/**
 * Classifier: wraps a module (usually a Sequential) as a model the Solver trains unchanged — `params`
 * and `loss(X, y?)` as the course's nets have them, with the module's own arrays as the params, so
 * in-place optimizer updates change the module.
 */
import type { DType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';
import { l2Regularization, softmaxLoss, svmLoss } from '../nn/losses.js';
import type { Grads, Model } from './model.js';
import { modelInput } from './util.js';
import { Conv2d, Linear } from '../nn/modules/layers.js';
import type { Module } from '../nn/modules/module.js';

export interface ClassifierOptions {
  /** L2 strength: 0.5·reg·ΣW² over the weights of Linear and Conv2d layers (not biases or norms). */
  reg?: number;
  /** 'softmax' (default) or 'svm'. */
  loss?: 'softmax' | 'svm';
  /** Inputs are cast to this dtype (default: the dtype of the first parameter). */
  dtype?: DType;
  /** The generator the net's dropout draws from, so checkpoints save its state. */
  rng?: Generator;
}

export class Classifier implements Model {
  readonly net: Module;
  params: Record<string, NDArray>;
  reg: number;
  readonly lossName: 'softmax' | 'svm';
  readonly dtype: DType;
  rng?: Generator;
  /** Names of the parameters that L2 applies to. */
  private readonly weightNames: string[];

  constructor(net: Module, { reg = 0, loss = 'softmax', dtype, rng }: ClassifierOptions = {}) {
    this.net = net;
    this.reg = reg;
    this.lossName = loss;
    this.params = Object.fromEntries(net.namedParameters());
    this.dtype = dtype ?? Object.values(this.params)[0]?.dtype ?? 'float32';
    this.rng = rng;
    this.weightNames = [];
    const walk = (m: Module, prefix: string) => {
      if ((m instanceof Linear || m instanceof Conv2d) && m.params.weight)
        this.weightNames.push(`${prefix}weight`);
      for (const [name, c] of m.children()) walk(c, `${prefix}${name}.`);
    };
    walk(net, '');
  }

  buffers(): Record<string, NDArray> {
    return Object.fromEntries(this.net.namedBuffers());
  }

  /** X: (N, ...). Scores (N, C) in eval mode without y; [loss, grads] in train mode with labels y (N,). */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const x = modelInput(X, this.dtype);
    if (y === undefined) {
      this.net.eval();
      return this.net.forward(x);
    }
    this.net.train();
    const scores = this.net.forward(x);
    const [dataLoss, dscores] = this.lossName === 'svm' ? svmLoss(scores, y) : softmaxLoss(scores, y);
    let loss = dataLoss;
    // The inputs' gradient is never read: the first layer skips it.
    this.net.backwardParams(dscores);
    const grads: Grads = Object.fromEntries(this.net.namedGrads());
    if (this.reg !== 0) {
      for (const name of this.weightNames) {
        const [r, dW] = l2Regularization(this.params[name], this.reg);
        loss += r;
        grads[name].addInPlace(dW);
      }
    }
    return [loss, grads];
  }
}
