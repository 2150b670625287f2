/**
 * What the dashboard shows of a model mid-training (src/cli/ui/live.ts modelPictures): its first-layer
 * filters (or a linear classifier's class templates) as a PNG, and its predictions on the first test images.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildModel, modelOptions } from '../../src/models/registry.js';
import { predictLabels } from '../../src/solver/solver.js';
import { modelPictures, SAMPLE_COUNT } from '../../src/cli/ui/live.js';
import { Generator } from '../../src/ndarray/random.js';
import type { Model } from '../../src/models/model.js';

const { PNG } = createRequire(import.meta.url)('pngjs') as {
  PNG: { sync: { read(b: Uint8Array): { width: number; height: number } } };
};

/** A data URL's PNG size. */
function pngSize(url: string): { width: number; height: number } {
  expect(url).toMatch(/^data:image\/png;base64,/);
  const png = PNG.sync.read(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
  return { width: png.width, height: png.height };
}

const rng = new Generator(3);
const rawTest = rng.randint(0, 256, [20, 28, 28, 1]).astype('float32');
const yTest = rng.randint(0, 10, [20]).astype('int32');
const classNames = Array.from({ length: 10 }, (_, i) => String(i));

function view(modelName: string, model: Model, XTest = rawTest) {
  return {
    epoch: 1,
    iteration: 5,
    modelName,
    model,
    XTest,
    rawTest,
    yTest,
    imageShape: [28, 28, 1] as [number, number, number],
    classNames,
  };
}

describe('modelPictures', () => {
  it("draws the default CNN's 16 first-layer 3x3 filters and its guesses on the first 16 test images", () => {
    const model = buildModel(
      { name: 'cnn', options: modelOptions('cnn', { reg: 0 }) },
      { inputShape: [1, 28, 28], numClasses: 10, dtype: 'float32', seed: 0 },
    );
    const X = rawTest.transpose(0, 3, 1, 2).copy(); // the net takes (N, C, H, W)
    const p = modelPictures(view('cnn', model, X), null);
    expect(p.filtersCaption).toBe('16 first-layer filters of 3x3');
    // 4x4 grid of 3x3 filters scaled by round(32 / 3) = 11, one scaled pixel of padding between them.
    expect(pngSize(p.filters!)).toEqual({ width: 4 * 33 + 3 * 11, height: 4 * 33 + 3 * 11 });
    expect(p.samples!.images).toHaveLength(SAMPLE_COUNT);
    expect(pngSize(p.samples!.images[0])).toEqual({ width: 28, height: 28 });
    expect(p.samples!.predicted).toEqual(
      Array.from(predictLabels(model, X.slice('0:16')).toTypedArray(), Number),
    );
    expect(p.samples!.truth).toEqual(Array.from(yTest.slice('0:16').toTypedArray(), Number));
    // The images do not change between epochs: passed back in, they are reused as they are.
    const again = modelPictures(view('cnn', model, X), p.samples!.images);
    expect(again.samples!.images).toBe(p.samples!.images);
  });

  it("shows a linear classifier's ten class templates", () => {
    const model = buildModel(
      { name: 'softmax', options: { reg: 0 } },
      { inputShape: [784], numClasses: 10, dtype: 'float32', seed: 0 },
    );
    const p = modelPictures(view('softmax', model, rawTest.reshape(20, 784)), null);
    expect(p.filtersCaption).toBe('class templates (weights of each class)');
    // ceil(sqrt(10)) = 4 columns, 3 rows of 28x28 scaled by round(32 / 28) = 1, padding 1.
    expect(pngSize(p.filters!)).toEqual({ width: 4 * 28 + 3, height: 3 * 28 + 2 });
    expect(p.samples!.predicted).toHaveLength(16);
  });
});
