/**
 * The course's COCO captioning files: a small set written with h5wasm in the same layout (dataset names,
 * int32 captions, float32 features, vocabulary JSON, URL lists), read back, sampled, and broken file by file.
 */
import fs from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadCocoCaptions,
  sampleCocoMinibatch,
  writeCocoCaptions,
  type CaptionData,
  type CaptionSplit,
} from '../../src/data/index.js';
import { Generator, array } from '../../src/ndarray/index.js';
import { rmTemp, tempDir } from './helpers.js';

const root = tempDir('nabla-coco-');
afterAll(() => rmTemp(root));

const idxToWord = ['<NULL>', '<START>', '<END>', '<UNK>', 'a', 'cat', 'dog', 'sits'];
const wordToIdx = Object.fromEntries(idxToWord.map((w, i) => [w, i]));

function split(rng: Generator, images: number, captions: number, D: number, name: string): CaptionSplit {
  return {
    captions: array([1, 4, 5, 7, 2, 0, 0], 'int32')
      .reshape(1, 7)
      .broadcastTo([captions, 7])
      .copy()
      .set([':', 2], rng.randint(5, 7, [captions])),
    imageIdxs: rng.randint(0, images, [captions]),
    features: rng.randn(images, D).astype('float32'),
    urls: Array.from({ length: images }, (_, i) => `http://images.example/${name}/${i}.jpg`),
  };
}

const rng = new Generator(3);
const data: CaptionData = {
  wordToIdx,
  idxToWord,
  train: split(rng, 6, 15, 8, 'train'),
  val: split(rng, 4, 9, 8, 'val'),
};

/** A copy of the written set in a fresh folder, for breaking one file. */
function copySet(from: string): string {
  const dir = tempDir('nabla-coco-bad-');
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  return dir;
}

describe('loadCocoCaptions', () => {
  const dir = path.join(root, 'coco');
  beforeAll(async () => {
    await writeCocoCaptions(dir, data);
    await writeCocoCaptions(
      dir,
      {
        ...data,
        train: { ...data.train, features: data.train.features.mul(2) },
        val: { ...data.val, features: data.val.features.mul(2) },
      },
      { pcaFeatures: false },
    );
  });

  it('writes the course file names with the course dataset names and dtypes', async () => {
    expect(fs.readdirSync(dir).sort()).toEqual([
      'coco2014_captions.h5',
      'coco2014_vocab.json',
      'train2014_urls.txt',
      'train2014_vgg16_fc7.h5',
      'train2014_vgg16_fc7_pca.h5',
      'val2014_urls.txt',
      'val2014_vgg16_fc7.h5',
      'val2014_vgg16_fc7_pca.h5',
    ]);
    await h5wasm.ready;
    const f = new h5wasm.File(path.join(dir, 'coco2014_captions.h5'), 'r');
    expect(f.keys().sort()).toEqual(['train_captions', 'train_image_idxs', 'val_captions', 'val_image_idxs']);
    const ds = f.get('train_captions') as InstanceType<typeof h5wasm.Dataset>;
    expect([ds.dtype, ds.shape]).toEqual(['<i', [15, 7]]);
    f.close();
    const g = new h5wasm.File(path.join(dir, 'val2014_vgg16_fc7_pca.h5'), 'r');
    const fd = g.get('features') as InstanceType<typeof h5wasm.Dataset>;
    expect([fd.dtype, fd.shape]).toEqual(['<f', [4, 8]]);
    g.close();
  });

  it('reads back every array, the vocabulary and the URLs', async () => {
    const back = await loadCocoCaptions(dir);
    expect(back.idxToWord).toEqual(idxToWord);
    expect(back.wordToIdx).toEqual(wordToIdx);
    for (const name of ['train', 'val'] as const) {
      const [a, b] = [back[name], data[name]];
      expect(a.captions.dtype).toBe('int32');
      expect(a.captions.toArray()).toEqual(b.captions.toArray());
      expect(a.imageIdxs.toArray()).toEqual(b.imageIdxs.toArray());
      expect(a.features.dtype).toBe('float32');
      expect(a.features.toArray()).toEqual(b.features.toArray());
      expect(a.urls).toEqual(b.urls);
    }
    const fc7 = await loadCocoCaptions(dir, { pcaFeatures: false });
    expect(fc7.train.features.toArray()).toEqual(data.train.features.mul(2).toArray());
  });

  it('keeps maxTrain random training captions, with replacement as the course, and reads int64 captions', async () => {
    const small = await loadCocoCaptions(dir, { maxTrain: 5, seed: 1 });
    expect(small.train.captions.shape).toEqual([5, 7]);
    const drawn = new Generator(1).randint(0, 15, [5]).toArray() as number[];
    expect(small.train.imageIdxs.toArray()).toEqual(drawn.map((i) => data.train.imageIdxs.item(i)));
    expect(small.val.captions.shape).toEqual([9, 7]);

    // Another writer may have stored the indices as int64: they come back as int32.
    const other = copySet(dir);
    const f = new h5wasm.File(path.join(other, 'coco2014_captions.h5'), 'w');
    for (const [name, a] of Object.entries({
      train_captions: data.train.captions,
      train_image_idxs: data.train.imageIdxs,
      val_captions: data.val.captions,
      val_image_idxs: data.val.imageIdxs,
    }))
      f.create_dataset({ name, data: Array.from(a.toTypedArray()), shape: [...a.shape], dtype: '<q' }); // int64 (h5wasm's struct-style codes)
    f.close();
    const g = new h5wasm.File(path.join(other, 'coco2014_captions.h5'), 'r');
    expect((g.get('val_captions') as InstanceType<typeof h5wasm.Dataset>).value).toBeInstanceOf(
      BigInt64Array,
    );
    g.close();
    const back = await loadCocoCaptions(other);
    expect(back.train.captions.dtype).toBe('int32');
    expect(back.train.captions.toArray()).toEqual(data.train.captions.toArray());
    rmTemp(other);
  });

  it('names the file that is missing or malformed', async () => {
    await expect(loadCocoCaptions(path.join(root, 'nowhere'))).rejects.toThrow(
      `loadCocoCaptions: ${path.join(root, 'nowhere')} does not exist (see docs/data.md for the course's files)`,
    );
    const cases: [string, (d: string) => void, string][] = [
      ['val2014_urls.txt', (d) => fs.rmSync(path.join(d, 'val2014_urls.txt')), 'does not exist'],
      [
        'coco2014_captions.h5',
        (d) => fs.writeFileSync(path.join(d, 'coco2014_captions.h5'), 'not hdf5'),
        'is not an HDF5 file',
      ],
      [
        'coco2014_vocab.json',
        (d) => fs.writeFileSync(path.join(d, 'coco2014_vocab.json'), '{"idx_to_word": ["a"]}'),
        'should hold idx_to_word (a list) and word_to_idx (its inverse)',
      ],
      [
        'coco2014_vocab.json',
        (d) => fs.writeFileSync(path.join(d, 'coco2014_vocab.json'), '{'),
        'is not JSON',
      ],
      [
        'train2014_urls.txt',
        (d) => fs.writeFileSync(path.join(d, 'train2014_urls.txt'), 'http://a\n'),
        'train has 1 URLs for 6 feature rows',
      ],
    ];
    for (const [file, breakIt, message] of cases) {
      const bad = copySet(dir);
      breakIt(bad);
      await expect(loadCocoCaptions(bad), file).rejects.toThrow(path.join(bad, file));
      await expect(loadCocoCaptions(bad), file).rejects.toThrow(message);
      rmTemp(bad);
    }
    // A features file without the 'features' dataset.
    const bad = copySet(dir);
    const f = new h5wasm.File(path.join(bad, 'val2014_vgg16_fc7_pca.h5'), 'w');
    f.create_dataset({ name: 'feats', data: new Float32Array(4), shape: [2, 2], dtype: '<f4' });
    f.close();
    await expect(loadCocoCaptions(bad)).rejects.toThrow(
      `loadCocoCaptions: ${path.join(bad, 'val2014_vgg16_fc7_pca.h5')} has no dataset 'features' (it has: feats)`,
    );
    rmTemp(bad);
  });
});

describe('sampleCocoMinibatch', () => {
  it('draws captions with their images, features and URLs, the same for the same seed', () => {
    const b = sampleCocoMinibatch(data, { batchSize: 10, split: 'val', seed: 4 });
    expect(b.captions.shape).toEqual([10, 7]);
    expect(b.features.shape).toEqual([10, 8]);
    const mask = new Generator(4).randint(0, 9, [10]).toArray() as number[];
    mask.forEach((m, i) => {
      const img = data.val.imageIdxs.item(m);
      expect(b.imageIdxs.item(i)).toBe(img);
      expect(b.captions.slice(i).toArray()).toEqual(data.val.captions.slice(m).toArray());
      expect(b.features.slice(i).toArray()).toEqual(data.val.features.slice(img).toArray());
      expect(b.urls[i]).toBe(`http://images.example/val/${img}.jpg`);
    });
    expect(sampleCocoMinibatch(data, { batchSize: 10, split: 'val', seed: 4 }).captions.toArray()).toEqual(
      b.captions.toArray(),
    );
    expect(() => sampleCocoMinibatch(data, { split: 'test' })).toThrow(
      "sampleCocoMinibatch: the data has no 'test' split",
    );
  });
});
