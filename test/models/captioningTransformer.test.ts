/**
 * CaptioningTransformer with CaptioningRNN's interface: the Solver trains it on [features, captions] batches
 * until it captions a small set by heart; sample is greedy (N, maxLength) int32; float32 works; bad input
 * gets errors naming the shapes. (Its numbers against the course's PyTorch model: test/autograd/attention.)
 */
import { describe, expect, it } from 'vitest';
import { array, type NDArray } from '../../src/ndarray/index.js';
import { CaptioningTransformer } from '../../src/models/captioningTransformer.js';
import { ArrayDataset } from '../../src/data/batches.js';
import { Solver } from '../../src/solver/index.js';

const words = ['<NULL>', '<START>', '<END>', 'one', 'two', 'three', 'red', 'blue'];
const wordToIdx = Object.fromEntries(words.map((w, i) => [w, i]));

/** Four images (one-hot features) and their captions, <START> w1 w2 <END> padded with <NULL>. */
function captioningSet(): { features: NDArray; captions: NDArray } {
  const features = array([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ]);
  const captions = array(
    [
      [1, 3, 6, 2, 0],
      [1, 4, 7, 2, 0],
      [1, 5, 6, 6, 2],
      [1, 3, 7, 2, 0],
    ],
    'int32',
  );
  return { features, captions };
}

const small = {
  wordToIdx,
  inputDim: 4,
  wordvecDim: 16,
  numHeads: 2,
  numLayers: 1,
  maxLength: 8,
  dimFeedforward: 32,
};

describe('CaptioningTransformer', () => {
  it('the Solver trains it until greedy sampling reproduces the captions', () => {
    const { features, captions } = captioningSet();
    const model = new CaptioningTransformer({ ...small, dropout: 0, dtype: 'float64', seed: 1 });
    const solver = new Solver(
      model,
      { train: new ArrayDataset(features, captions) },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 1e-2 },
        batchSize: 4,
        numEpochs: 150,
        metric: null,
        verbose: false,
      },
    );
    solver.train();
    const first = solver.lossHistory[0];
    const last = solver.lossHistory[solver.lossHistory.length - 1];
    expect(last).toBeLessThan(first / 10);
    const sampled = model.sample(features, 4);
    expect(sampled.dtype).toBe('int32');
    expect(sampled.shape).toEqual([4, 4]);
    // Up to <END>: after it the targets were <NULL>, which count for nothing, so any word may follow.
    const target = captions.slice(':', '1:');
    const kept = target.ne(0);
    expect(sampled.get(kept).toArray()).toEqual(target.get(kept).toArray());
  });

  it('float32: a finite loss and float32 gradients for every parameter', () => {
    const { features, captions } = captioningSet();
    const model = new CaptioningTransformer({ ...small, seed: 2 });
    const [loss, grads] = model.loss(features, captions);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeCloseTo(Math.log(words.length) * (13 / 16), 0);
    expect(Object.keys(grads)).toEqual(Object.keys(model.params));
    for (const g of Object.values(grads)) expect(g.dtype).toBe('float32');
    // <NULL> (padding) never trains: its embedding row gets no gradient.
    expect(grads['embedding.weight'].slice(0).abs().max().item()).toBe(0);
  });

  it('names its parameters as the course’s model, and rejects bad input', () => {
    const model = new CaptioningTransformer({ ...small, seed: 3 });
    expect(Object.keys(model.stateDict()).slice(0, 4)).toEqual([
      'visual_projection.weight',
      'visual_projection.bias',
      'embedding.weight',
      'positional_encoding.pe',
    ]);
    const { features, captions } = captioningSet();
    expect(() => model.loss(features.slice(':', ':3'), captions)).toThrow(
      /CaptioningTransformer.loss: features of shape \(4, 3\) should be \(N, inputDim = 4\)/,
    );
    expect(() => model.loss(features, captions.astype('float64'))).toThrow(/int32 word indices/);
    expect(() => model.loss(features, captions.add(5))).toThrow(/outside the vocabulary \[0, 8\)/);
    expect(() => model.sample(features, 9)).toThrow(/maxLength must be a whole number in \[1, 8\]/);
    expect(() => model.sample(features, { maxLength: 3, beamWidth: 2 })).toThrow(
      /beam search is not implemented/,
    );
    expect(model.sample(features, { maxLength: 3 }).shape).toEqual([4, 3]);
    expect(() => new CaptioningTransformer({ wordToIdx: { a: 0 } })).toThrow(/no <NULL> word/);
  });
});
