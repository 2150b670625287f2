import { describe, expect, it } from 'vitest';
import { Generator, NDArray, ones } from '../../src/ndarray/index.js';
import { svmLossNaive, svmLossVectorized } from '../../src/models/linearSvm.js';
import { softmaxLossNaive, softmaxLossVectorized } from '../../src/models/softmax.js';
import { LinearSVM, Softmax } from '../../src/models/linearClassifier.js';
import { numericGrad, relError } from './numeric.js';

type Loss = (W: NDArray, X: NDArray, y: NDArray, reg: number) => [number, NDArray];

describe.each([
  ['svm', svmLossNaive, svmLossVectorized],
  ['softmax', softmaxLossNaive, softmaxLossVectorized],
] as [string, Loss, Loss][])('%s loss', (_name, naive, vectorized) => {
  const g = new Generator(7);
  const W = g.randn(11, 4).mul(0.01);
  const X = g.randn(23, 11);
  const y = g.randint(0, 4, [23]);

  it('naive and vectorized agree to 1e-10, with and without reg', () => {
    for (const reg of [0, 0.3]) {
      const [l1, d1] = naive(W, X, y, reg);
      const [l2, d2] = vectorized(W, X, y, reg);
      expect(Math.abs(l1 - l2)).toBeLessThan(1e-10);
      expect(d1.sub(d2).abs().max().item()).toBeLessThan(1e-10);
    }
  });

  it('the gradient matches centred differences', () => {
    const reg = 0.1;
    const Wc = W.copy();
    const [, dW] = vectorized(Wc, X, y, reg);
    const num = numericGrad(() => vectorized(Wc, X, y, reg)[0], Wc);
    expect(relError(dW, num)).toBeLessThan(1e-7);
  });
});

describe('loss values', () => {
  it('softmax with tiny weights is about ln(C); the SVM about C − 1', () => {
    const g = new Generator(1);
    const W = g.randn(50, 10).mul(1e-6);
    const X = g.randn(100, 50);
    const y = g.randint(0, 10, [100]);
    expect(softmaxLossVectorized(W, X, y, 0)[0]).toBeCloseTo(Math.log(10), 4);
    expect(svmLossVectorized(W, X, y, 0)[0]).toBeCloseTo(9, 3);
  });

  it('a hand-computed SVM and softmax loss', () => {
    // One example, scores [1, 2, 0] with W = I and x = [1, 2, 0], label 0.
    const W = new NDArray(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), [3, 3], 'float64');
    const X = new NDArray(new Float64Array([1, 2, 0]), [1, 3], 'float64');
    const y = new NDArray(new Int32Array([0]), [1], 'int32');
    // margins: 2 − 1 + 1 = 2 and 0 − 1 + 1 = 0 → 2; reg·ΣW² = 0.5·3.
    expect(svmLossVectorized(W, X, y, 0.5)[0]).toBeCloseTo(2 + 1.5, 12);
    const z = Math.exp(1) + Math.exp(2) + 1;
    expect(softmaxLossVectorized(W, X, y, 0)[0]).toBeCloseTo(-Math.log(Math.exp(1) / z), 12);
  });
});

describe('LinearSVM and Softmax training', () => {
  it.each([
    ['svm', () => new LinearSVM()],
    ['softmax', () => new Softmax()],
  ])('%s learns separable data and the loss falls', (_n, make) => {
    const g = new Generator(5);
    const N = 300;
    const y = g.randint(0, 3, [N]);
    const centres = g.randn(3, 20).mul(3);
    const X0 = centres.get(y).add(g.randn(N, 20));
    const X = ones([N, 21]).set([':', '0:20'], X0); // the bias trick: a last column of ones
    const clf = make();
    const hist = clf.train(X, y, { learningRate: 1e-2, reg: 1e-4, numIters: 200, batchSize: 50, seed: 1 });
    expect(hist.length).toBe(200);
    expect(hist[199]).toBeLessThan(hist[0] / 3);
    const pred = clf.predict(X);
    expect(pred.eq(y).astype('float64').mean().item()).toBeGreaterThan(0.95);
    // The same seed gives the same history.
    expect(
      make().train(X, y, { learningRate: 1e-2, reg: 1e-4, numIters: 5, batchSize: 50, seed: 1 }),
    ).toEqual(hist.slice(0, 5));
  });
});
