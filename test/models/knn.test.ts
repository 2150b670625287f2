import { describe, expect, it } from 'vitest';
import { array, Generator } from '../../src/ndarray/index.js';
import { KNearestNeighbor, nearestIndices } from '../../src/models/kNearestNeighbor.js';
import { crossValidateKnn, foldBounds } from '../../src/models/crossValidation.js';

describe('KNearestNeighbor', () => {
  const g = new Generator(1);
  const XTrain = g.randn(40, 7);
  const yTrain = g.randint(0, 4, [40]);
  const XTest = g.randn(9, 7);

  it('two loops, one loop and no loops give the same distances', () => {
    const knn = new KNearestNeighbor();
    knn.train(XTrain, yTrain);
    const d2 = knn.computeDistancesTwoLoops(XTest);
    const d1 = knn.computeDistancesOneLoop(XTest);
    const d0 = knn.computeDistancesNoLoops(XTest);
    expect(d2.shape).toEqual([9, 40]);
    // A hand-computed entry.
    let s = 0;
    for (let k = 0; k < 7; k++) s += (XTest.item(3, k) - XTrain.item(11, k)) ** 2;
    expect(d2.item(3, 11)).toBeCloseTo(Math.sqrt(s), 12);
    expect(d1.sub(d2).abs().max().item()).toBeLessThan(1e-12);
    expect(d0.sub(d2).abs().max().item()).toBeLessThan(1e-10);
  });

  it('k = 1 on the training set itself recovers its labels', () => {
    const knn = new KNearestNeighbor();
    knn.train(XTrain, yTrain);
    expect(knn.predict(XTrain, { k: 1 }).toArray()).toEqual(yTrain.toArray());
    expect(knn.predict(XTrain.slice('0:5'), { k: 1, numLoops: 2 }).toArray()).toEqual(
      yTrain.slice('0:5').toArray(),
    );
  });

  it('votes the majority of the k nearest, ties to the smaller label', () => {
    const knn = new KNearestNeighbor();
    knn.train(array([[0], [1], [2], [3], [10]]), array([5, 2, 2, 5, 0], 'int32'));
    // From 0: neighbours 0,1,2,3 have labels 5,2,2,5: a 2-2 tie → 2.
    expect(knn.predict(array([[0]]), { k: 4 }).toArray()).toEqual([2]);
    expect(knn.predict(array([[0]]), { k: 3 }).toArray()).toEqual([2]);
    expect(knn.predict(array([[0]]), { k: 1 }).toArray()).toEqual([5]);
    // A three-way tie 5, 2, 0 at k = 5 after... from 10: labels 0,5,2,2,5 → 2 and 5 tie at 2 → 2.
    expect(knn.predict(array([[10]]), { k: 5 }).toArray()).toEqual([2]);
    // Equal distances keep the lower training index first.
    expect(nearestIndices(array([[1, 0, 1, 0]]), 3).toArray()).toEqual([[1, 3, 0]]);
  });

  it('errors name the operation and shapes', () => {
    const knn = new KNearestNeighbor();
    expect(() => knn.computeDistancesNoLoops(XTest)).toThrow(/call train/);
    knn.train(XTrain, yTrain);
    expect(() => knn.computeDistancesNoLoops(g.randn(2, 3))).toThrow(/\(2, 3\).*\(40, 7\)/);
  });
});

describe('crossValidateKnn', () => {
  it('splits like np.array_split', () => {
    expect(foldBounds(11, 3)).toEqual([
      [0, 4],
      [4, 8],
      [8, 11],
    ]);
  });

  it('finds that k = 1 is best on well-separated clusters, with one accuracy per fold', () => {
    const g = new Generator(3);
    const y = g.randint(0, 3, [60]);
    const centres = array([
      [0, 0],
      [10, 0],
      [0, 10],
    ]);
    const X = centres.get(y).add(g.randn(60, 2).mul(0.5));
    const r = crossValidateKnn(X, y, { numFolds: 5, kChoices: [1, 3, 40] });
    expect(r.kToAccuracies[1]).toEqual([1, 1, 1, 1, 1]);
    expect(r.kToAccuracies[40].length).toBe(5);
    expect(r.kToAccuracies[40].every((a) => a < 1)).toBe(true);
    expect(r.bestK).toBe(1);
    expect(r.bestMeanAccuracy).toBe(1);
  });
});
