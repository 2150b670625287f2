/**
 * k-nearest-neighbour classifier with L2 distance (CS231n's k_nearest_neighbor.py).
 *
 * Training only memorises the data; prediction computes the (numTest, numTrain) matrix of Euclidean
 * distances and takes a majority vote among the k nearest training labels. The distances are computed
 * three ways (two loops, one loop, no loops) because comparing them is the course's lesson in vectorising.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { allocArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import { zeros } from '../ndarray/creation.js';

/** The course's kNN classifier: train memorises X (N, D) and y (N,); computeDistances* give (Ntest, Ntrain) L2 distances; predictLabels votes among the k nearest. */
export class KNearestNeighbor {
  XTrain: NDArray | null = null;
  yTrain: NDArray | null = null;

  /**
   * Memorises the training data.
   * X: (numTrain, D) training images as rows; y: (numTrain,) integer labels.
   */
  train(X: NDArray, y: NDArray): void {
    if (X.ndim !== 2 || y.ndim !== 1 || y.shape[0] !== X.shape[0]) {
      throw new RangeError(
        `KNearestNeighbor.train: X of shape ${fmtShape(X.shape)} and y of shape ${fmtShape(y.shape)} do not match (want (N, D) and (N,))`,
      );
    }
    this.XTrain = X;
    this.yTrain = y;
  }

  /**
   * Predicts labels for X: (numTest, D) → (numTest,) int32.
   * k: the number of neighbours that vote; numLoops: which distance implementation to use (0, 1 or 2);
   * batchSize: test rows per distance matrix (all at once by default; 10,000 CIFAR-10 rows against 50,000
   * training rows would be 4 GB, so give e.g. 250).
   */
  predict(
    X: NDArray,
    { k = 1, numLoops = 0, batchSize }: { k?: number; numLoops?: 0 | 1 | 2; batchSize?: number } = {},
  ): NDArray {
    const n = X.shape[0];
    if (batchSize !== undefined && n > batchSize) {
      const out = zeros([n], 'int32');
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        out.set([`${s}:${e}`], this.predict(X.slice(`${s}:${e}`), { k, numLoops }));
      }
      return out;
    }
    let dists: NDArray;
    if (numLoops === 0) dists = this.computeDistancesNoLoops(X);
    else if (numLoops === 1) dists = this.computeDistancesOneLoop(X);
    else if (numLoops === 2) dists = this.computeDistancesTwoLoops(X);
    else throw new RangeError(`KNearestNeighbor.predict: invalid value ${numLoops} for numLoops`);
    return this.predictLabels(dists, k);
  }

  private trained(X: NDArray, op: string): [NDArray, NDArray] {
    if (!this.XTrain || !this.yTrain) throw new Error(`KNearestNeighbor.${op}: call train(X, y) first`);
    if (X.ndim !== 2 || X.shape[1] !== this.XTrain.shape[1]) {
      throw new RangeError(
        `KNearestNeighbor.${op}: X of shape ${fmtShape(X.shape)} does not match the training data of shape ${fmtShape(this.XTrain.shape)}`,
      );
    }
    return [this.XTrain, this.yTrain];
  }

  /** dists[i, j] = ‖X[i] − XTrain[j]‖₂, one pair at a time. X: (numTest, D) → (numTest, numTrain). */
  computeDistancesTwoLoops(X: NDArray): NDArray {
    const [XTrain] = this.trained(X, 'computeDistancesTwoLoops');
    const numTest = X.shape[0];
    const numTrain = XTrain.shape[0];
    const dists = allocArray([numTest, numTrain], 'float64');
    for (let i = 0; i < numTest; i++) {
      const xi = X.slice(i);
      for (let j = 0; j < numTrain; j++) {
        dists.setItem(Math.sqrt(xi.sub(XTrain.slice(j)).square().sum().item()), i, j);
      }
    }
    return dists;
  }

  /** The same distances, one test row at a time against all training rows by broadcasting. */
  computeDistancesOneLoop(X: NDArray): NDArray {
    const [XTrain] = this.trained(X, 'computeDistancesOneLoop');
    const numTest = X.shape[0];
    const dists = allocArray([numTest, XTrain.shape[0]], 'float64');
    for (let i = 0; i < numTest; i++) {
      dists.set([i], XTrain.sub(X.slice(i, null)).square().sum(1).sqrt());
    }
    return dists;
  }

  /**
   * The same distances with no explicit loop: ‖a − b‖² = ‖a‖² − 2a·b + ‖b‖², one matrix multiply.
   * Rounding can make the squared distance slightly negative for near-identical rows, so it is clipped at 0.
   */
  computeDistancesNoLoops(X: NDArray): NDArray {
    const [XTrain] = this.trained(X, 'computeDistancesNoLoops');
    const testSq = X.square().sum(1, true); // (numTest, 1)
    const trainSq = XTrain.square().sum(1).reshape(1, -1); // (1, numTrain)
    const cross = X.dot(XTrain.T); // (numTest, numTrain)
    cross.mulInPlace(-2).addInPlace(testSq).addInPlace(trainSq);
    const d = cross.clip(0, null).sqrt();
    return d.dtype === 'float64' ? d : d.astype('float64');
  }

  /**
   * Majority vote of the k nearest training labels for each row of dists (numTest, numTrain) → (numTest,)
   * int32; a tie between labels goes to the smaller label (as numpy's argmax of bincount).
   */
  predictLabels(dists: NDArray, k = 1): NDArray {
    const [, yTrain] = this.trainedLabels('predictLabels');
    const order = nearestIndices(dists, k);
    return voteLabels(order, yTrain, k);
  }

  private trainedLabels(op: string): [NDArray, NDArray] {
    if (!this.XTrain || !this.yTrain) throw new Error(`KNearestNeighbor.${op}: call train(X, y) first`);
    return [this.XTrain, this.yTrain];
  }
}

/**
 * For each row of dists (numTest, numTrain), the indices of its k smallest entries, nearest first
 * (equal distances keep the lower training index first, as a stable argsort does). → (numTest, k) int32.
 */
export function nearestIndices(dists: NDArray, k: number): NDArray {
  if (dists.ndim !== 2)
    throw new RangeError(`nearestIndices: dists must be 2-D, got shape ${fmtShape(dists.shape)}`);
  const [numTest, numTrain] = dists.shape;
  if (!Number.isInteger(k) || k < 1 || k > numTrain) {
    throw new RangeError(`nearestIndices: k = ${k} must be an integer in [1, ${numTrain}]`);
  }
  const d = dists.contiguous().toTypedArray();
  const out = allocArray([numTest, k], 'int32');
  const o = out.data;
  const idx = new Int32Array(numTrain);
  for (let i = 0; i < numTest; i++) {
    const row = i * numTrain;
    for (let j = 0; j < numTrain; j++) idx[j] = j;
    // Sorting every index is simplest and fast enough (numTrain log numTrain per row beside a GEMM).
    const sorted = Array.from(idx).sort((a, b) => d[row + a] - d[row + b] || a - b);
    for (let j = 0; j < k; j++) o[i * k + j] = sorted[j];
  }
  return out;
}

/**
 * The vote among the first k columns of `order` (numTest, ≥k) of training indices: the most common label
 * of yTrain, ties to the smaller label. → (numTest,) int32.
 */
export function voteLabels(order: NDArray, yTrain: NDArray, k: number): NDArray {
  const [numTest, width] = order.shape;
  if (k > width) throw new RangeError(`voteLabels: k = ${k} exceeds the ${width} neighbours given`);
  const o = order.contiguous().toTypedArray();
  const y = yTrain.contiguous().toTypedArray();
  const out = allocArray([numTest], 'int32');
  const counts = new Map<number, number>();
  for (let i = 0; i < numTest; i++) {
    counts.clear();
    let best = 0;
    let bestCount = 0;
    for (let j = 0; j < k; j++) {
      const label = y[o[i * width + j]];
      const c = (counts.get(label) ?? 0) + 1;
      counts.set(label, c);
      if (c > bestCount || (c === bestCount && label < best)) {
        best = label;
        bestCount = c;
      }
    }
    out.data[i] = best;
  }
  return out;
}
