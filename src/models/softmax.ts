/**
 * The softmax (cross-entropy) loss of a linear classifier, naive and vectorized (CS231n's softmax.py).
 *
 * Inputs: W (D, C), X (N, D), y (N,) labels, reg. Returns [loss, dW] with loss = mean of −log p_{y_i}
 * plus reg·ΣW², dW (D, C) including 2·reg·W. Scores are shifted by their row max before exponentiating,
 * which changes nothing mathematically and keeps exp from overflowing.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { arange, zerosLike } from '../ndarray/creation.js';
import { averageAndRegularize, checkLinearInputs } from './linearInputs.js';

/** Loops over examples and classes. */
export function softmaxLossNaive(W: NDArray, X: NDArray, y: NDArray, reg: number): [number, NDArray] {
  checkLinearInputs(W, X, y, 'softmaxLossNaive');
  const dW = zerosLike(W);
  const [numTrain] = X.shape;
  const numClasses = W.shape[1];
  let loss = 0;
  for (let i = 0; i < numTrain; i++) {
    const xi = X.slice(i);
    const scores = xi.dot(W);
    const shift = scores.max().item();
    const e: number[] = [];
    let total = 0;
    for (let j = 0; j < numClasses; j++) {
      e.push(Math.exp(scores.item(j) - shift));
      total += e[j];
    }
    const yi = y.item(i);
    loss -= Math.log(e[yi] / total);
    for (let j = 0; j < numClasses; j++) {
      // d(−log p_y)/d s_j = p_j − [j = y].
      const g = e[j] / total - (j === yi ? 1 : 0);
      dW.slice(':', j).addInPlace(xi.mul(g));
    }
  }
  return averageAndRegularize(loss, dW, W, reg, numTrain);
}

/** The same loss and gradient with no explicit loop. */
export function softmaxLossVectorized(W: NDArray, X: NDArray, y: NDArray, reg: number): [number, NDArray] {
  checkLinearInputs(W, X, y, 'softmaxLossVectorized');
  const N = X.shape[0];
  const rows = arange(N, undefined, 1, 'int32');
  const scores = X.dot(W);
  scores.subInPlace(scores.max(1, true));
  const probs = scores.exp();
  probs.divInPlace(probs.sum(1, true));
  let dataLoss = 0;
  const py = probs.get(rows, y).toTypedArray();
  for (let i = 0; i < N; i++) dataLoss -= Math.log(py[i]);
  const dscores = probs;
  dscores.set([rows, y], probs.get(rows, y).sub(1));
  return averageAndRegularize(dataLoss, X.T.dot(dscores), W, reg, N);
}
