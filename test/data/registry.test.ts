/** The data-set registry: loading by name, the one image normalisation, and the error for missing data. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { Generator } from '../../src/ndarray/random.js';
import {
  applyChannelNorm,
  DataUnavailableError,
  DATASET_NAMES,
  fitChannelNorm,
  fitImageNormalization,
  loadDataset,
  normalizeImages,
  prepareData,
} from '../../src/data/index.js';
import { rmTemp, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => rmTemp(tmp));

/** Largest |a - b| / max(|b|, 1) over all elements. */
function maxRelDiff(a: NDArray, b: NDArray): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / Math.max(Math.abs(y[i]), 1));
  return m;
}

describe('fitImageNormalization / normalizeImages', () => {
  const X = new Generator(3).randint(0, 256, [6, 4, 5, 3]).astype('uint8');

  it('fit the statistics fitChannelNorm gives for pixel/255 on channels-last images', () => {
    const norm = fitImageNormalization(X);
    const stats = fitChannelNorm(X.astype('float64').div(255), { channelAxis: -1 });
    expect(norm.scale).toBe(1 / 255);
    expect(maxRelDiff(new NDArray(Float64Array.from(norm.mean), [3], 'float64'), stats.mean)).toBeLessThan(
      1e-12,
    );
    expect(maxRelDiff(new NDArray(Float64Array.from(norm.std), [3], 'float64'), stats.std)).toBeLessThan(
      1e-12,
    );
    expect(JSON.parse(JSON.stringify(norm))).toEqual(norm); // what a checkpoint stores
  });

  it('apply it as applyChannelNorm does, channels first or flat, in float32 or float64', () => {
    const norm = fitImageNormalization(X);
    const stats = fitChannelNorm(X.astype('float64').div(255), { channelAxis: -1 });
    const want = applyChannelNorm(X.astype('float64').div(255), stats, { channelAxis: -1 });
    const chw = normalizeImages(X, norm, 'chw', 'float64');
    expect(maxRelDiff(chw, want.transpose(0, 3, 1, 2).copy())).toBeLessThan(1e-12);
    const flat = normalizeImages(X, norm, 'flat', 'float32');
    expect(flat.dtype).toBe('float32');
    expect(maxRelDiff(flat, want.reshape(6, 60))).toBeLessThan(1e-6);
  });

  it('name the function and the shapes on bad input', () => {
    expect(() => fitImageNormalization(X.reshape(6, 20, 3))).toThrow(
      /fitImageNormalization: expected images \(N, H, W, C\), got shape \(6, 20, 3\)/,
    );
    const grey = { scale: 1 / 255, mean: [0.5], std: [0.2] };
    expect(() => normalizeImages(X, grey, 'chw', 'float32')).toThrow(
      /normalizeImages: images of shape \(6, 4, 5, 3\) have 3 channels but the normalisation has 1/,
    );
  });
});

describe('loadDataset / prepareData', () => {
  it('loads MNIST by name as (N, 28, 28, 1) uint8 with its class names, limited', async () => {
    expect(DATASET_NAMES).toEqual(['mnist', 'fashion-mnist', 'cifar10']);
    const ds = await loadDataset({ kind: 'builtin', name: 'mnist' }, { limit: 120, testLimit: 30 });
    expect(ds.XTrain.shape).toEqual([120, 28, 28, 1]);
    expect(ds.XTest.shape).toEqual([30, 28, 28, 1]);
    expect(ds.yTrain.dtype).toBe('int32');
    expect(ds.imageShape).toEqual([28, 28, 1]);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

    const p = prepareData(ds, { valCount: 20, layout: 'chw', dtype: 'float32' });
    expect(p.XTrain.shape).toEqual([100, 1, 28, 28]);
    expect(p.XVal.shape).toEqual([20, 1, 28, 28]);
    expect(Array.from(p.yVal.toTypedArray())).toEqual(Array.from(ds.yTrain.slice('100:').toTypedArray()));
    // Fitted on the training part only, and reused as given.
    expect(p.normalization).toEqual(fitImageNormalization(ds.XTrain.slice('0:100')));
    const again = prepareData(ds, {
      valCount: 20,
      layout: 'flat',
      dtype: 'float64',
      normalization: p.normalization,
    });
    expect(again.XTest.shape).toEqual([30, 784]);
    expect(maxRelDiff(again.XTest.reshape(30, 1, 28, 28), p.XTest.astype('float64'))).toBeLessThan(1e-6);
  });

  it('throws DataUnavailableError saying how to get a data set that is not here', async () => {
    const saved = process.env.NABLA_FASHION_MNIST;
    process.env.NABLA_FASHION_MNIST = path.join(tmp, 'none');
    try {
      const err = await loadDataset({ kind: 'builtin', name: 'fashion-mnist' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataUnavailableError);
      expect((err as Error).message).toMatch(
        /Fashion-MNIST is not here: run `nabla data download fashion-mnist`/,
      );
    } finally {
      if (saved === undefined) delete process.env.NABLA_FASHION_MNIST;
      else process.env.NABLA_FASHION_MNIST = saved;
    }
  });
});
