/**
 * Linear classifiers trained by minibatch SGD (CS231n's linear_classifier.py): `LinearSVM` and `Softmax`
 * differ only in their loss. Use the bias trick (append a column of ones to X) to learn a bias.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { svmLossVectorized } from './linearSvm.js';
import { softmaxLossVectorized } from './softmax.js';
import { gatherRows } from '../ndarray/indexing.js';

/** LinearClassifier.train's options: learning rate, L2 strength, iterations, batch size. */
export interface LinearTrainOptions {
  learningRate?: number;
  reg?: number;
  numIters?: number;
  batchSize?: number;
  verbose?: boolean;
  /** Seeds the initial weights and the minibatch sampling (default 0). */
  seed?: number;
}

/** The course's LinearClassifier: weights W (D, C) trained by minibatch SGD on its loss; predict(X (N, D)) → labels (N,). */
export abstract class LinearClassifier {
  /** The weights (D, C), created on the first call to train. */
  W: NDArray | null = null;

  /** [loss, dW] of the minibatch XBatch (N, D), yBatch (N,) under regularisation reg. */
  abstract loss(XBatch: NDArray, yBatch: NDArray, reg: number): [number, NDArray];

  /**
   * Minibatch SGD: each step samples batchSize rows with replacement, computes the loss and gradient and
   * steps W −= learningRate·dW. X: (N, D), y: (N,) labels in [0, C). Returns the loss of every step.
   */
  train(
    X: NDArray,
    y: NDArray,
    {
      learningRate = 1e-3,
      reg = 1e-5,
      numIters = 100,
      batchSize = 200,
      verbose = false,
      seed = 0,
    }: LinearTrainOptions = {},
  ): number[] {
    if (X.ndim !== 2 || y.ndim !== 1 || X.shape[0] !== y.shape[0]) {
      throw new RangeError(
        `LinearClassifier.train: X of shape ${fmtShape(X.shape)} and y of shape ${fmtShape(y.shape)} do not match`,
      );
    }
    const [numTrain, dim] = X.shape;
    const yData = y.toTypedArray();
    let numClasses = 0;
    for (let i = 0; i < yData.length; i++) numClasses = Math.max(numClasses, yData[i] + 1);
    const rng = new Generator(seed);
    if (this.W === null)
      this.W = rng
        .randn(dim, numClasses)
        .mulInPlace(0.001)
        .astype(X.dtype === 'float32' ? 'float32' : 'float64');
    const W = this.W;
    const history: number[] = [];
    for (let it = 0; it < numIters; it++) {
      const idx = rng.randint(0, numTrain, [batchSize]);
      const [loss, grad] = this.loss(gatherRows(X, idx), gatherRows(y, idx), reg);
      history.push(loss);
      W.subInPlace(grad.mulInPlace(learningRate));
      if (verbose && it % 100 === 0) console.log(`iteration ${it} / ${numIters}: loss ${loss.toFixed(6)}`);
    }
    return history;
  }

  /** The predicted class of each row of X (N, D): argmax of the scores X·W → (N,) int32. */
  predict(X: NDArray): NDArray {
    if (this.W === null) throw new Error('LinearClassifier.predict: train the classifier first');
    return X.dot(this.W).argmax(1);
  }
}

/** A linear classifier with the multiclass SVM loss. */
export class LinearSVM extends LinearClassifier {
  loss(XBatch: NDArray, yBatch: NDArray, reg: number): [number, NDArray] {
    return svmLossVectorized(this.W!, XBatch, yBatch, reg);
  }
}

/** A linear classifier with the softmax loss. */
export class Softmax extends LinearClassifier {
  loss(XBatch: NDArray, yBatch: NDArray, reg: number): [number, NDArray] {
    return softmaxLossVectorized(this.W!, XBatch, yBatch, reg);
  }
}
