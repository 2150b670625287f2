/**
 * The multiclass SVM (hinge) loss of a linear classifier, naive and vectorized (CS231n's linear_svm.py).
 *
 * Inputs: W (D, C) weights, X (N, D) a minibatch of rows, y (N,) labels in [0, C), reg the L2 strength.
 * Returns [loss, dW]: loss = mean over i of Σ_{j≠y_i} max(0, s_j − s_{y_i} + 1) plus reg·ΣW², and dW (D, C)
 * its gradient (including 2·reg·W). The margin delta is 1.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { arange, zerosLike } from '../ndarray/creation.js';
import { averageAndRegularize, checkLinearInputs } from './linearInputs.js';

/** Loops over examples and classes: the definition, readable line by line. */
export function svmLossNaive(W: NDArray, X: NDArray, y: NDArray, reg: number): [number, NDArray] {
  checkLinearInputs(W, X, y, 'svmLossNaive');
  const dW = zerosLike(W);
  const [numTrain] = X.shape;
  const numClasses = W.shape[1];
  let loss = 0;
  for (let i = 0; i < numTrain; i++) {
    const xi = X.slice(i);
    const scores = xi.dot(W);
    const yi = y.item(i);
    const correct = scores.item(yi);
    for (let j = 0; j < numClasses; j++) {
      if (j === yi) continue;
      const margin = scores.item(j) - correct + 1;
      if (margin > 0) {
        loss += margin;
        // d margin / dW[:, j] = x_i and d margin / dW[:, y_i] = −x_i.
        dW.slice(':', j).addInPlace(xi);
        dW.slice(':', yi).subInPlace(xi);
      }
    }
  }
  return averageAndRegularize(loss, dW, W, reg, numTrain);
}

/** The same loss and gradient with no explicit loop. */
export function svmLossVectorized(W: NDArray, X: NDArray, y: NDArray, reg: number): [number, NDArray] {
  checkLinearInputs(W, X, y, 'svmLossVectorized');
  const N = X.shape[0];
  const rows = arange(N, undefined, 1, 'int32');
  const scores = X.dot(W); // (N, C)
  const correct = scores.get(rows, y).reshape(N, 1);
  const margins = scores.sub(correct).addInPlace(1).maximum(0);
  margins.set([rows, y], 0);
  // Each positive margin adds x_i to its class column and subtracts it from the correct one.
  const coeff = margins.gt(0).astype(W.dtype);
  coeff.set([rows, y], coeff.sum(1).neg());
  return averageAndRegularize(margins.sum().item(), X.T.dot(coeff), W, reg, N);
}
