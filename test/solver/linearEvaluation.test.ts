/** Linear evaluation of features and the supervised baseline: what they measure, on data whose answer is known. */
import { describe, expect, it } from 'vitest';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { Generator } from '../../src/ndarray/random.js';
import { linearEvaluation, supervisedBaseline } from '../../src/solver/linearEvaluation.js';

/** n examples of C classes in D dims: class k's mean is `gap`·e_k (plus an offset and scale on every feature). */
function clusters(n: number, C: number, D: number, gap: number, seed: number): { X: NDArray; y: NDArray } {
  const rng = new Generator(seed);
  const y = new Int32Array(n).map((_, i) => i % C);
  const x = rng.randn(n, D).toTypedArray() as Float64Array;
  for (let i = 0; i < n; i++) x[i * D + y[i]] += gap;
  const X = new NDArray(x, [n, D], 'float64');
  // A large offset and scale: standardisation must undo them for a fixed learning rate to work.
  return { X: X.mul(50).add(1000), y: new NDArray(y, [n], 'int32') };
}

describe('linearEvaluation', () => {
  it('separates well-separated classes perfectly and finds nothing in noise', () => {
    const train = clusters(400, 4, 6, 8, 1);
    const test = clusters(200, 4, 6, 8, 2);
    const r = linearEvaluation(train, test, { epochs: 20, batchSize: 50 });
    expect(r.testAccuracy).toBe(1);
    expect(r).toMatchObject({ featureDim: 6, numLabelled: 400, numTest: 200 });
    expect([1e-4, 1e-3, 1e-2]).toContain(r.reg);

    // Labels independent of the features: test accuracy near chance (1/4; 200 examples: ±0.1 is > 3 sigma).
    const noise = { X: new Generator(3).randn(400, 6), y: train.y };
    const r2 = linearEvaluation(
      noise,
      { X: new Generator(4).randn(200, 6), y: test.y },
      { epochs: 20, batchSize: 50 },
    );
    expect(Math.abs(r2.testAccuracy - 0.25)).toBeLessThan(0.1);
  });

  it('uses only the labelled set to standardise and choose (the test set cannot change the classifier)', () => {
    const train = clusters(200, 3, 5, 3, 5);
    const test = clusters(90, 3, 5, 3, 6);
    const a = linearEvaluation(train, test, { epochs: 5, batchSize: 50 });
    // A test set far away in scale and offset: had it entered the standardisation or the choice of reg,
    // the classifier (its accuracy on the labelled examples) would differ.
    const far = { X: test.X.mul(1e3).add(-1e6), y: test.y };
    const b = linearEvaluation(train, far, { epochs: 5, batchSize: 50 });
    expect([b.reg, b.valAccuracy, b.trainAccuracy]).toEqual([a.reg, a.valAccuracy, a.trainAccuracy]);
    expect(a.trainAccuracy).toBeGreaterThan(0.7);
  });

  it('refuses mismatched shapes with a message naming them', () => {
    const t = clusters(20, 2, 3, 1, 0);
    expect(() => linearEvaluation({ X: t.X, y: t.y.slice('0:10') }, t)).toThrow(
      /labelled examples of shape \(20, 3\) and labels of shape \(10,\) do not match/,
    );
    expect(() => linearEvaluation(t, { X: t.X.slice(':', '0:2'), y: t.y })).toThrow(
      /test features have 2 dimensions, the labelled ones 3/,
    );
  });
});

describe('supervisedBaseline', () => {
  it('trains the encoder with a linear layer end to end: seeded, one update per batch', () => {
    const rng = new Generator(9);
    const X = rng.uniform(-1, 1, [6, 3, 32, 32], 'float32');
    const y = new NDArray(
      Int32Array.from({ length: 6 }, (_, i) => i % 3),
      [6],
      'int32',
    );
    const run = () =>
      supervisedBaseline({ X, y }, { X: X.slice('0:3'), y: y.slice('0:3') }, { epochs: 2, batchSize: 3 });
    const a = run();
    expect(a.iterations).toBe(4);
    for (const acc of [a.testAccuracy, a.trainAccuracy]) expect(acc >= 0 && acc <= 1).toBe(true);
    const b = run();
    expect([b.testAccuracy, b.trainAccuracy]).toEqual([a.testAccuracy, a.trainAccuracy]);
  });
});
