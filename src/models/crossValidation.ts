/**
 * k-fold cross-validation of kNN's k, as in the course's knn.ipynb: split the training data into
 * `numFolds` contiguous folds (np.array_split), train on all folds but one, measure accuracy on the held-out
 * fold, for every k; the best k has the highest mean accuracy over folds (the smaller k on a tie).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { concatenateRows } from './util.js';
import { KNearestNeighbor, nearestIndices, voteLabels } from './kNearestNeighbor.js';
import { fmtShape } from '../ndarray/shape.js';

/** The course's k choices for cross-validating kNN. */
export const defaultKChoices: readonly number[] = [1, 3, 5, 8, 10, 12, 15, 20, 50, 100];

/** crossValidateKnn's result: each k's accuracy on each fold, the best k and its mean accuracy. */
export interface CrossValidationResult {
  /** For each k, the accuracy on each held-out fold. */
  kToAccuracies: Record<number, number[]>;
  /** The k with the highest mean accuracy. */
  bestK: number;
  /** That mean accuracy. */
  bestMeanAccuracy: number;
}

/** np.array_split's boundaries: n items into `folds` parts whose sizes differ by at most one. */
export function foldBounds(n: number, folds: number): [number, number][] {
  if (!Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new RangeError(`foldBounds: cannot split ${n} items into ${folds} folds`);
  }
  const base = Math.floor(n / folds);
  const extra = n % folds;
  const out: [number, number][] = [];
  let start = 0;
  for (let f = 0; f < folds; f++) {
    const size = base + (f < extra ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}

/**
 * Cross-validates kNN over `kChoices`. X: (N, D), y: (N,) integer labels.
 * The distances of each fold are computed once (no loops) and every k votes from them.
 */
export function crossValidateKnn(
  X: NDArray,
  y: NDArray,
  { numFolds = 5, kChoices = defaultKChoices }: { numFolds?: number; kChoices?: readonly number[] } = {},
): CrossValidationResult {
  if (X.ndim !== 2 || y.ndim !== 1 || X.shape[0] !== y.shape[0]) {
    throw new RangeError(
      `crossValidateKnn: X of shape ${fmtShape(X.shape)} and y of shape ${fmtShape(y.shape)} do not match`,
    );
  }
  const bounds = foldBounds(X.shape[0], numFolds);
  const kToAccuracies: Record<number, number[]> = {};
  for (const k of kChoices) kToAccuracies[k] = [];
  const kMax = Math.max(...kChoices);
  for (const [lo, hi] of bounds) {
    const trainParts = bounds.filter(([a]) => a !== lo);
    const XTr = concatenateRows(trainParts.map(([a, b]) => X.slice(`${a}:${b}`)));
    const yTr = concatenateRows(trainParts.map(([a, b]) => y.slice(`${a}:${b}`)));
    const knn = new KNearestNeighbor();
    knn.train(XTr, yTr);
    const yVal = y.slice(`${lo}:${hi}`).toTypedArray();
    const order = nearestIndices(
      knn.computeDistancesNoLoops(X.slice(`${lo}:${hi}`)),
      Math.min(kMax, XTr.shape[0]),
    );
    for (const k of kChoices) {
      const pred = voteLabels(order, yTr, k).data;
      let correct = 0;
      for (let i = 0; i < pred.length; i++) if (pred[i] === yVal[i]) correct++;
      kToAccuracies[k].push(correct / pred.length);
    }
  }
  let bestK = kChoices[0];
  let bestMeanAccuracy = -1;
  for (const k of kChoices) {
    const accs = kToAccuracies[k];
    const mean = accs.reduce((s, a) => s + a, 0) / accs.length;
    if (mean > bestMeanAccuracy) {
      bestMeanAccuracy = mean;
      bestK = k;
    }
  }
  return { kToAccuracies, bestK, bestMeanAccuracy };
}
