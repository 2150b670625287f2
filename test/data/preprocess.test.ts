import { describe, expect, it } from 'vitest';
import {
  applyChannelNorm,
  augmentBatch,
  fitChannelNorm,
  makeAugment,
  meanImage,
  minibatches,
  pcaFit,
  pcaRotate,
  randomCrop,
  randomFlip,
  BatchSampler,
  arrayDataset,
  subtractMeanImage,
  symmetricEigen,
  trainValSplit,
  whiten,
} from '../../src/data/index.js';
import { arange, array, Generator } from '../../src/ndarray/index.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import golden from '../golden/data_preprocess.json' with { type: 'json' };
import { expectClose, fromGolden } from './helpers.js';

const X = fromGolden(golden.X);
const Xval = fromGolden(golden.Xval);

describe('preprocessing against numpy', () => {
  it('mean image subtraction fitted on train, applied to validation', () => {
    expectClose(meanImage(X), golden.meanImage);
    const { mean, arrays } = subtractMeanImage(X, Xval);
    expectClose(mean, golden.meanImage);
    expectClose(arrays[0], golden.XminusMean);
    expectClose(arrays[1], golden.XvalMinusMean);
    // uint8 input is promoted to float64, as numpy does.
    expect(subtractMeanImage(X.astype('uint8')).arrays[0].dtype).toBe('float64');
    expect(() => subtractMeanImage(X, X.slice(':', 0))).toThrow(/does not match the training images/);
  });

  it('per-channel normalisation (N, C, H, W) and channels-last', () => {
    const stats = fitChannelNorm(X);
    expectClose(stats.mean, golden.channelMean);
    expectClose(stats.std, golden.channelStd);
    expectClose(applyChannelNorm(X, stats), golden.channelNorm);
    expectClose(applyChannelNorm(Xval, stats), golden.channelNormVal);
    const last = X.transpose(0, 2, 3, 1).copy();
    const s2 = fitChannelNorm(last, { channelAxis: -1 });
    expectClose(s2.mean, golden.channelMean);
    expectClose(
      applyChannelNorm(last, s2, { channelAxis: -1 }).transpose(0, 3, 1, 2).copy(),
      golden.channelNorm,
    );
    expect(() => applyChannelNorm(X.slice(':', '0:1'), stats)).toThrow(
      /has 1 channels on axis 1 but the statistics have 2/,
    );
  });

  it('PCA and whitening follow the course recipe (cov = X^T X / N, svd)', () => {
    const P = fromGolden(golden.P);
    const pca = pcaFit(P);
    expectClose(pca.mean, golden.pcaMean);
    expectClose(pca.S, golden.pcaS, 1e-9, 1e-12);
    expectClose(pca.U, golden.pcaU, 1e-7, 1e-9);
    const Xrot = pcaRotate(P, pca);
    expectClose(Xrot, golden.Xrot, 1e-7, 1e-9);
    expectClose(pcaRotate(P, pca, 2), golden.XrotReduced, 1e-7, 1e-9);
    expectClose(whiten(Xrot, pca), golden.Xwhite, 1e-7, 1e-9);
  });

  it('symmetricEigen handles 1x1, diagonal, repeated and rank-deficient matrices', () => {
    expect(symmetricEigen(array([[3]])).S.toArray()).toEqual([3]);
    const diag = symmetricEigen(
      array([
        [1, 0, 0],
        [0, 5, 0],
        [0, 0, 2],
      ]),
    );
    expect(diag.S.toArray()).toEqual([5, 2, 1]);
    expect(diag.U.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    // Rank 1: v v^T with v = (1, 2, 2) has eigenvalues 9, 0, 0 and top eigenvector v / 3.
    const v = array([1, 2, 2]);
    const r1 = symmetricEigen(v.reshape(3, 1).dot(v.reshape(1, 3)));
    expectClose(r1.S, { shape: [3], data: [9, 0, 0] }, 1e-12, 1e-12);
    expectClose(r1.U.get(':', 0), { shape: [3], data: [1 / 3, 2 / 3, 2 / 3] }, 1e-12, 1e-12);
    const I = symmetricEigen(
      array([
        [2, 0],
        [0, 2],
      ]),
    );
    expect(I.S.toArray()).toEqual([2, 2]);
    expect(() => symmetricEigen(array([1, 2]))).toThrow(/expected a square matrix/);
  });

  it('symmetricEigen reconstructs A = U diag(S) U^T with orthonormal U', () => {
    const g = new Generator(3);
    const B = g.randn(40, 40);
    const A = B.add(B.T);
    const { S, U } = symmetricEigen(A);
    const s = S.toTypedArray();
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
    const rec = U.mul(S).dot(U.T).sub(A).abs().max().item();
    expect(rec).toBeLessThan(1e-10);
    const orth = U.T.dot(U)
      .sub(arange(40).reshape(40, 1).eq(arange(40)).astype('float64'))
      .abs()
      .max()
      .item();
    expect(orth).toBeLessThan(1e-12);
  });
});

describe('splits and minibatches', () => {
  const Xs = arange(20).reshape(10, 2);
  const ys = arange(10).astype('int32');

  it('trainValSplit: seeded shuffle, or the last numVal in order', () => {
    const a = trainValSplit(Xs, ys, { numVal: 3, seed: 1 });
    const b = trainValSplit(Xs, ys, { numVal: 3, seed: 1 });
    expect(a.XTrain.shape).toEqual([7, 2]);
    expect(a.yVal.toArray()).toEqual(b.yVal.toArray());
    const all = [...a.yTrain.toTypedArray(), ...a.yVal.toTypedArray()].sort((p, q) => p - q);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Rows stay with their labels.
    expect(a.XVal.get(':', 0).toArray()).toEqual(a.yVal.mul(2).astype('float64').toArray());
    const c = trainValSplit(Xs, ys, { numVal: 3, shuffle: false });
    expect(c.yVal.toArray()).toEqual([7, 8, 9]);
    expect(() => trainValSplit(Xs, ys, { numVal: 11 })).toThrow(/numVal must be in 0\.\.10/);
  });

  it('minibatches: one epoch covers every example once, reproducibly by seed', () => {
    const data = arrayDataset(Xs, ys);
    const batches = [...minibatches(data, { batchSize: 4, seed: 7 })];
    const ysOf = (b: { batch: NDArray[] }) => b.batch[1];
    expect(batches.map((b) => ysOf(b).size)).toEqual([4, 4, 2]);
    const seen = batches.flatMap((b) => Array.from(ysOf(b).toTypedArray())).sort((p, q) => p - q);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches[0].batch[0].get(':', 1).toArray()).toEqual(
      ysOf(batches[0]).mul(2).add(1).astype('float64').toArray(),
    );
    const again = [...minibatches(data, { batchSize: 4, seed: 7 })];
    expect(again[1].indices.toArray()).toEqual(batches[1].indices.toArray());
    // The order is the seed's permutation.
    expect(batches.flatMap((b) => Array.from(b.indices.toTypedArray()))).toEqual(
      Array.from(new Generator(7).permutation(10).toTypedArray()),
    );
    expect(
      [...minibatches(data, { batchSize: 4, dropLast: true, shuffle: false })].map((b) => ysOf(b).toArray()),
    ).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(() => arrayDataset(Xs, ys.slice('0:9'))).toThrow(/shapes \(10, 2\), \(9,\) differ in length/);
  });

  it('BatchSampler: a permutation per epoch, or the course sampling with replacement', () => {
    const s = new BatchSampler(10, 4, new Generator(3));
    expect(s.stepsPerEpoch).toBe(2);
    const epoch0 = [...s.indices(0).toTypedArray(), ...s.indices(1).toTypedArray()];
    expect(new Set(epoch0).size).toBe(8);
    const order0 = s.order!.copy();
    s.indices(2);
    expect(s.order!.toArray()).not.toEqual(order0.toArray());
    const r = new BatchSampler(10, 6, new Generator(0), false);
    expect(r.indices(0).toArray()).toEqual(new Generator(0).randint(0, 10, [6]).toArray());
  });
});

describe('augmentation on (N, C, H, W)', () => {
  const x = arange(2 * 2 * 4 * 5)
    .add(1)
    .reshape(2, 2, 4, 5)
    .astype('float32');

  /** numpy's np.pad(x, zero) then crop at (oy, ox) for image n, computed independently with get/set. */
  function cropRef(n: number, oy: number, ox: number, p: number): number[] {
    const [, C, H, W] = x.shape;
    const out: number[] = [];
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) {
          const si = i + oy - p;
          const sj = j + ox - p;
          out.push(si >= 0 && si < H && sj >= 0 && sj < W ? x.item(n, c, si, sj) : 0);
        }
    return out;
  }

  it('randomCrop cuts the zero-padded image at seeded offsets', () => {
    const p = 2;
    const out = randomCrop(x, { padding: p, rng: new Generator(4) });
    expect(out.shape).toEqual([2, 2, 4, 5]);
    expect(out.dtype).toBe('float32');
    const g = new Generator(4);
    for (let n = 0; n < 2; n++) {
      const oy = g.nextInt(2 * p + 1);
      const ox = g.nextInt(2 * p + 1);
      expect(Array.from(out.get(n).toTypedArray())).toEqual(cropRef(n, oy, ox, p));
    }
    expect(randomCrop(x, { padding: 0, rng: new Generator(1) }).toArray()).toEqual(x.toArray());
  });

  it('randomFlip mirrors the width axis of the images the seed picks', () => {
    const out = randomFlip(x, { p: 0.5, rng: new Generator(9) });
    const g = new Generator(9);
    for (let n = 0; n < 2; n++) {
      const want = g.nextDouble() < 0.5 ? x.get(n).slice(':', ':', '::-1') : x.get(n);
      expect(out.get(n).toArray()).toEqual(want.toArray());
    }
    expect(randomFlip(x, { p: 1, rng: new Generator(0) }).toArray()).toEqual(
      x.slice(':', ':', ':', '::-1').toArray(),
    );
    expect(randomFlip(x, { p: 0, rng: new Generator(0) }).toArray()).toEqual(x.toArray());
  });

  it('augmentBatch is crop then flip with one generator', () => {
    const a = augmentBatch(x, { rng: new Generator(2), padding: 1 });
    const g = new Generator(2);
    const b = randomFlip(randomCrop(x, { padding: 1, rng: g }), { rng: g });
    expect(a.toArray()).toEqual(b.toArray());
    expect(makeAugment({ padding: 1 })(x, new Generator(2)).toArray()).toEqual(a.toArray());
    expect(() => randomCrop(array([1, 2]) as NDArray, { rng: g })).toThrow(
      /expected x of shape \(N, C, H, W\)/,
    );
  });
});
