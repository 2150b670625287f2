/**
 * Classifier: wraps a module (usually a Sequential) as a model the Solver trains unchanged — `params`
 * and `loss(X, y?)` as the course's nets have them, with the module's own arrays as the params, so
 * in-place optimizer updates change the module. The gradients come from the modules' explicit backward
 * passes, or (autograd: true) from the tape of the same forward on tensors: the same numbers either way.
 */
import type { DType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';
import { l2Regularization, softmaxLoss, svmLoss } from '../nn/losses.js';
import type { Grads, Model } from './model.js';
import { modelInput } from './util.js';
import { Conv2d, Linear } from '../nn/modules/layers.js';
import type { Module } from '../nn/modules/module.js';
import { noGrad, tensor } from '../autograd/tensor.js';
import { crossEntropy } from '../autograd/ops/losses.js';
import { tensorLossAndGrads } from './tensorModel.js';

/** Classifier's options: L2 strength, loss, dtype, generator, autograd. */
export interface ClassifierOptions {
  /** L2 strength: 0.5·reg·ΣW² over the weights of Linear and Conv2d layers (not biases or norms). */
  reg?: number;
  /** 'softmax' (default) or 'svm'. */
  loss?: 'softmax' | 'svm';
  /** Inputs are cast to this dtype (default: the dtype of the first parameter). */
  dtype?: DType;
  /** The generator the net's dropout draws from, so checkpoints save its state. */
  rng?: Generator;
  /** Gradients by autograd (the net's forward on tensors, then backward) instead of explicit backward. */
  autograd?: boolean;
}

export class Classifier implements Model {
  readonly net: Module;
  params: Record<string, NDArray>;
  reg: number;
  readonly lossName: 'softmax' | 'svm';
  readonly dtype: DType;
  rng?: Generator;
  readonly autograd: boolean;
  /** Names of the parameters that L2 applies to. */
  private readonly weightNames: string[];

  constructor(
    net: Module,
    { reg = 0, loss = 'softmax', dtype, rng, autograd = false }: ClassifierOptions = {},
  ) {
    if (autograd && loss !== 'softmax')
      throw new RangeError(`Classifier: autograd has the softmax loss only, got loss '${loss}'`);
    this.net = net;
    this.autograd = autograd;
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
      return noGrad(() => this.net.call(x));
    }
    const [dataLoss, grads] = this.autograd ? this.tensorLoss(x, y) : this.explicitLoss(x, y);
    let loss = dataLoss;
    if (this.reg !== 0) {
      for (const name of this.weightNames) {
        const [r, dW] = l2Regularization(this.params[name], this.reg);
        loss += r;
        grads[name].addInPlace(dW);
      }
    }
    return [loss, grads];
  }

  /** The data loss and gradients through the modules' backward passes. */
  private explicitLoss(x: NDArray, y: NDArray): [number, Grads] {
    this.net.train();
    const scores = this.net.call(x);
    const [dataLoss, dscores] = this.lossName === 'svm' ? svmLoss(scores, y) : softmaxLoss(scores, y);
    // The inputs' gradient is never read: the first layer skips it.
    this.net.backwardParams(dscores);
    return [dataLoss, Object.fromEntries(this.net.namedGrads())];
  }

  /** The data loss and gradients through autograd (the input is a constant: the first layer skips dx too). */
  private tensorLoss(x: NDArray, y: NDArray): [number, Grads] {
    return tensorLossAndGrads(this.net, () => crossEntropy(this.net.call(tensor(x)), y), []);
  }
}
