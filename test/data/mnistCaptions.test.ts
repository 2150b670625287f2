/**
 * The offline MNIST captioning set: images, captions and vocabulary as documented, disjoint digit pools,
 * fixed seeds, the feature-extractor seam and its cache, and use by sampleCocoMinibatch and CaptioningRNN.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadMnist,
  loadMnistCaptions,
  mnistCaptionsVocabulary,
  perSlotExtractor,
  pixelFeatures,
  sampleCocoMinibatch,
  type MnistCaptionData,
  type MnistData,
} from '../../src/data/index.js';
import { CaptioningRNN, decodeCaptions } from '../../src/models/index.js';
import type { NDArray } from '../../src/ndarray/index.js';
import { rmTemp, tempDir } from './helpers.js';

let mnist: MnistData;
let data: MnistCaptionData;
const small = { numTrain: 300, numVal: 40, numTest: 60, seed: 7 };

beforeAll(async () => {
  mnist = loadMnist();
  data = await loadMnistCaptions({ ...small, mnist });
});

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

describe('loadMnistCaptions', () => {
  it('has the course special tokens first, then zero..nine', () => {
    const v = mnistCaptionsVocabulary();
    expect(v.idxToWord).toEqual(['<NULL>', '<START>', '<END>', '<UNK>', ...WORDS]);
    expect(v.wordToIdx.seven).toBe(11);
    expect(data.idxToWord).toEqual(v.idxToWord);
  });

  it('captions each image with its digits in words, from the right MNIST split', () => {
    const sources = {
      train: [mnist.XTrain, mnist.yTrain],
      val: [mnist.XTrain, mnist.yTrain],
      test: [mnist.XTest, mnist.yTest],
    };
    const pools = { train: [0, 50000], val: [50000, 60000], test: [0, 10000] };
    const lengths = new Set<number>();
    for (const name of ['train', 'val', 'test'] as const) {
      const s = data[name];
      const N = small[name === 'train' ? 'numTrain' : name === 'val' ? 'numVal' : 'numTest'];
      expect(s.images.shape).toEqual([N, 28, 140]);
      expect(s.captions.shape).toEqual([N, 7]);
      expect(s.features.shape).toEqual([N, 245]);
      expect(s.imageIdxs.toArray()).toEqual([...Array(N).keys()]);
      const [X, y] = sources[name];
      const captions = decodeCaptions(s.captions, data.idxToWord);
      for (let n = 0; n < N; n++) {
        const idxs = (s.digitIdxs.slice(n).toArray() as number[]).filter((d) => d >= 0);
        lengths.add(idxs.length);
        idxs.forEach((d) => {
          expect(d).toBeGreaterThanOrEqual(pools[name][0]);
          expect(d).toBeLessThan(pools[name][1]);
        });
        expect(captions[n]).toBe(['<START>', ...idxs.map((d) => WORDS[y.item(d)]), '<END>'].join(' '));
        if (n < 3) {
          // The pixels: slot k is digit k's image, the rest is black.
          idxs.forEach((d, k) =>
            expect(s.images.slice(n, ':', `${28 * k}:${28 * (k + 1)}`).toArray()).toEqual(
              X.slice(d).toArray(),
            ),
          );
          expect(
            s.images
              .slice(n, ':', `${28 * idxs.length}:`)
              .sum()
              .item(),
          ).toBe(0);
        }
      }
      // <NULL> pads every caption after <END>.
      const rows = s.captions.toArray() as number[][];
      rows.forEach((r) => expect(r.slice(r.indexOf(2) + 1).every((w) => w === 0)).toBe(true));
    }
    expect([...lengths].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('is the same for the same seed and different for another', async () => {
    const again = await loadMnistCaptions({ ...small, mnist });
    expect(again.train.captions.toArray()).toEqual(data.train.captions.toArray());
    expect(again.test.features.toArray()).toEqual(data.test.features.toArray());
    const other = await loadMnistCaptions({ ...small, seed: 8, mnist });
    expect(other.train.captions.toArray()).not.toEqual(data.train.captions.toArray());
  });

  it('draws each split from its own stream: the val and test splits do not depend on numTrain', async () => {
    const more = await loadMnistCaptions({ ...small, numTrain: 500, mnist });
    // A larger set extends the smaller one.
    expect(more.train.captions.slice('0:300').toArray()).toEqual(data.train.captions.toArray());
    expect(more.val.captions.toArray()).toEqual(data.val.captions.toArray());
    expect(more.test.captions.toArray()).toEqual(data.test.captions.toArray());
    expect(more.test.digitIdxs.toArray()).toEqual(data.test.digitIdxs.toArray());
    const fewerVal = await loadMnistCaptions({ ...small, numVal: 10, mnist });
    expect(fewerVal.test.captions.toArray()).toEqual(data.test.captions.toArray());
  });

  it('pixelFeatures are each slot pooled 4×4, slot by slot', () => {
    const s = data.test;
    const f = pixelFeatures(s.images.slice('0:2'));
    expect(f.toArray()).toEqual(s.features.slice('0:2').toArray());
    // Slot 1, pooled cell (2, 3) of image 0: the mean of its 4×4 pixels over 255.
    const block = s.images.slice(0, '8:12', `${28 + 12}:${28 + 16}`).astype('float64');
    expect(f.item(0, 49 + 2 * 7 + 3)).toBeCloseTo(block.mean().item() / 255, 6);
  });

  it('hands the images to a caller’s extractor, per slot, and caches its features by featureKey', async () => {
    const prev = process.env.NABLA_DATA;
    const cacheDir = tempDir('nabla-mnistcap-');
    process.env.NABLA_DATA = cacheDir;
    try {
      let calls = 0;
      const slotMeans = perSlotExtractor((digits: NDArray) => {
        calls++;
        expect(digits.shape.slice(1)).toEqual([28, 28]);
        return digits.astype('float32').reshape(digits.shape[0], -1).mean(1, true);
      });
      const opts = {
        numTrain: 30,
        numVal: 5,
        numTest: 5,
        maxDigits: 3,
        extractor: slotMeans,
        featureKey: 'slot-means-v1',
      };
      const a = await loadMnistCaptions(opts);
      expect(calls).toBe(3); // once per split
      expect(a.train.features.shape).toEqual([30, 3]);
      expect(a.train.captions.shape).toEqual([30, 5]);
      const b = await loadMnistCaptions(opts);
      expect(calls).toBe(3); // from the cache
      expect(b.train.features.toArray()).toEqual(a.train.features.toArray());
      await loadMnistCaptions({ ...opts, featureKey: 'slot-means-v2' });
      expect(calls).toBe(6); // another key, another entry
    } finally {
      if (prev === undefined) delete process.env.NABLA_DATA;
      else process.env.NABLA_DATA = prev;
      rmTemp(cacheDir);
    }
  });

  it('says which file is missing and when an extractor returns the wrong shape', async () => {
    await expect(loadMnistCaptions({ mnistDir: '/nonexistent/mnist' })).rejects.toThrow(
      'loadMnist: /nonexistent/mnist does not exist',
    );
    await expect(
      loadMnistCaptions({ ...small, mnist, extractor: (images) => images.reshape(-1, 28).astype('float32') }),
    ).rejects.toThrow(
      'loadMnistCaptions: the feature extractor returned shape (42000, 28) for the 300 train images',
    );
  });
});

describe('the offline set with the captioning model', () => {
  it('sampleCocoMinibatch and CaptioningRNN.loss take it as they take COCO', () => {
    const batch = sampleCocoMinibatch(data, { batchSize: 25, seed: 1 });
    const model = new CaptioningRNN({
      wordToIdx: data.wordToIdx,
      inputDim: 245,
      wordvecDim: 16,
      hiddenDim: 32,
      cellType: 'lstm',
    });
    const [loss, grads] = model.loss(batch.features, batch.captions);
    expect(Number.isFinite(loss)).toBe(true);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(model.params).sort());
    expect(model.sample(batch.features, 7).shape).toEqual([25, 7]);
  });
});
