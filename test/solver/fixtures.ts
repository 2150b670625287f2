/** Shared Solver fixtures: a small learnable classification problem and a small net that learns it. */
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';

/** class = argmax of a fixed random projection of Gaussian inputs: (X (n, d), y (n,)). */
export function synthetic(n: number, d: number, c: number, seed: number): { X: NDArray; y: NDArray } {
  const g = new Generator(seed);
  const X = g.randn(n, d);
  const P = new Generator(99).randn(d, c);
  return { X, y: X.dot(P).argmax(1) };
}

/** The course's four arrays of a synthetic problem: 12 features, 4 classes by default. */
export function solverData(nTrain = 200, nVal = 50, d = 12, c = 4) {
  const tr = synthetic(nTrain, d, c, 1);
  const va = synthetic(nVal, d, c, 2);
  return { XTrain: tr.X, yTrain: tr.y, XVal: va.X, yVal: va.y };
}

/** A float64 FC net with batchnorm and dropout: every kind of state a checkpoint must carry. */
export function statefulNet(seed = 3, inputDim = 12, numClasses = 4): FullyConnectedNet {
  return new FullyConnectedNet({
    hiddenDims: [16, 16],
    inputDim,
    numClasses,
    normalization: 'batchnorm',
    dropoutKeepRatio: 0.8,
    weightScale: 1e-1,
    dtype: 'float64',
    seed,
  });
}
