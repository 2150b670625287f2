/**
 * CaptioningRNN (issue 14): the course's loss check and gradient check, its sanity checks (initial loss
 * near ln V per step, overfitting 50 examples), greedy sampling against numpy (scripts/golden_rnn.py),
 * beam search against exhaustive search, and errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptioningRNN, decodeCaptions, type CellType } from '../../src/models/index.js';
import { Generator, arange, array, linspace, mod, type NDArray } from '../../src/ndarray/index.js';
import { evalNumericalGradient } from '../../src/nn/index.js';
import { adam, type OptimConfig } from '../../src/optim/index.js';
import type { Golden } from '../nn/helpers.js';
import { relError } from './numeric.js';

const G = JSON.parse(readFileSync(new URL('../golden/rnn.json', import.meta.url), 'utf8')) as Golden;
const CELLS: CellType[] = ['rnn', 'lstm'];
const g = new Generator(231);

/** A vocabulary of the special tokens and `words`. */
function vocabulary(words: string[]): Record<string, number> {
  return Object.fromEntries(['<NULL>', '<START>', '<END>', '<UNK>', ...words].map((w, i) => [w, i]));
}

/** N random captions of T words: <START>, 1..T−2 random words, <END>, <NULL> padding. */
function randomCaptions(N: number, T: number, V: number, rng: Generator): NDArray {
  const c = new Int32Array(N * T);
  for (let n = 0; n < N; n++) {
    const len = 1 + rng.nextInt(T - 2);
    c[n * T] = 1;
    for (let t = 1; t <= len; t++) c[n * T + t] = 4 + rng.nextInt(V - 4);
    c[n * T + len + 1] = 2;
  }
  return array(c, [N, T]);
}

describe('the course checks', () => {
  for (const cellType of CELLS) {
    it(`${cellType}: loss of the linspace model (the notebook's ${G.captioningLoss[cellType].loss})`, () => {
      const { N, D, W, H, T, wordToIdx, captions } = G.captioningLoss;
      const [lo, hi] = G.captioningLoss[cellType].features;
      const model = new CaptioningRNN({
        wordToIdx,
        inputDim: D,
        wordvecDim: W,
        hiddenDim: H,
        cellType,
        dtype: 'float64',
      });
      for (const [k, v] of Object.entries(model.params))
        model.params[k] = linspace(-1.4, 1.3, v.size).reshape(v.shape);
      const features = linspace(lo, hi, N * D).reshape(N, D);
      const caps = mod(arange(N * T), 3).reshape(N, T); // (np.arange(N * T) % V).reshape(N, T)
      expect(caps.toArray()).toEqual(captions);
      const [loss] = model.loss(features, caps);
      expect(Math.abs(loss - (cellType === 'rnn' ? 9.83235591003 : 9.82445935443))).toBeLessThan(1e-10);
      expect(Math.abs(loss - G.captioningLoss[cellType].loss)).toBeLessThan(1e-12);
    });

    it(`${cellType}: gradients of the whole model match numeric ones (float64)`, () => {
      // The notebook's gradient check: batch 2, 3 time steps, input 4, word vectors 5, hidden 6.
      const wordToIdx = { '<NULL>': 0, cat: 2, dog: 3 };
      const model = new CaptioningRNN({
        wordToIdx,
        inputDim: 4,
        wordvecDim: 5,
        hiddenDim: 6,
        cellType,
        dtype: 'float64',
        seed: 1,
      });
      for (const v of Object.values(model.params)) v.set('...', g.randn(v.shape).mul(0.5)); // non-zero biases too
      const captions = g.randint(0, 3, [2, 3]);
      captions.setItem(1, 0, 2); // at least one target that is not <NULL>
      const features = g.randn(2, 4);
      const [, grads] = model.loss(features, captions);
      for (const [name, p] of Object.entries(model.params)) {
        const num = evalNumericalGradient(() => model.loss(features, captions)[0], p);
        expect(relError(num, grads[name]), name).toBeLessThan(1e-8);
      }
    });

    it(`${cellType}: the initial loss is about ln V per time step`, () => {
      const V = 1004;
      const words = Array.from({ length: V - 4 }, (_, i) => `w${i}`);
      const model = new CaptioningRNN({ wordToIdx: vocabulary(words), inputDim: 512, cellType, seed: 3 });
      const N = 20;
      const T = 17;
      const captions = g.randint(4, V, [N, T]); // no <NULL>: all T − 1 targets count
      const [loss] = model.loss(g.randn(N, 512), captions);
      // The course's init (small weights) gives nearly uniform scores: loss ≈ (T − 1)·ln V = 110.6.
      expect(Math.abs(loss / (T - 1) / Math.log(V) - 1)).toBeLessThan(0.01);
    });

    it(`${cellType}: overfits 50 examples to a loss below 0.1`, () => {
      const rng = new Generator(12);
      const wordToIdx = vocabulary(['a', 'b', 'c', 'd', 'e', 'f']);
      const [N, T, D] = [50, 8, 16];
      const captions = randomCaptions(N, T, 10, rng);
      const features = rng.randn(N, D).astype('float32');
      const model = new CaptioningRNN({
        wordToIdx,
        inputDim: D,
        wordvecDim: 16,
        hiddenDim: 48,
        cellType,
        seed: 2,
      });
      const configs: Record<string, OptimConfig> = {};
      let loss = Infinity;
      for (let it = 0; it < 400 && loss >= 0.1; it++) {
        const [l, grads] = model.loss(features, captions);
        loss = l;
        for (const [k, w] of Object.entries(model.params)) {
          configs[k] ??= { learningRate: 1e-2 };
          [model.params[k], configs[k]] = adam(w, grads[k], configs[k]);
        }
      }
      expect(loss).toBeLessThan(0.1);
      // Learned well enough to say the training captions back, greedily and with a beam.
      const truth = decodeCaptions(captions, model.idxToWord).map((s) => s.replace('<START> ', ''));
      expect(decodeCaptions(model.sample(features, T), model.idxToWord)).toEqual(truth);
      expect(decodeCaptions(model.sample(features, { maxLength: T, beamWidth: 3 }), model.idxToWord)).toEqual(
        truth,
      );
    });
  }
});

describe('sampling', () => {
  const S = G.captioningSample;

  for (const cellType of CELLS) {
    const model = new CaptioningRNN({
      wordToIdx: S.wordToIdx,
      inputDim: S.D,
      wordvecDim: S.W,
      hiddenDim: S.H,
      cellType,
      dtype: 'float64',
    });
    for (const [k, v] of Object.entries(S[cellType].params)) model.params[k] = array(v as number[]);
    const features = array(S.features);

    it(`${cellType}: greedy sample matches numpy`, () => {
      const caps = model.sample(features, S.maxLength);
      expect(caps.dtype).toBe('int32');
      expect(caps.toArray()).toEqual(S[cellType].captions);
    });

    it(`${cellType}: beam width 1 is greedy up to <END>, then <NULL>`, () => {
      const greedy = model.sample(features, { maxLength: S.maxLength }).toArray() as number[][];
      const beam = model.sample(features, { maxLength: S.maxLength, beamWidth: 1 }).toArray() as number[][];
      greedy.forEach((row, n) => {
        const end = row.indexOf(2);
        const expected = end < 0 ? row : row.map((w, t) => (t <= end ? w : 0));
        expect(beam[n]).toEqual(expected);
      });
    });

    it(`${cellType}: a wide enough beam finds the most likely caption (exhaustive search)`, () => {
      const L = 3;
      const V = model.vocabSize;
      const best = exhaustiveBest(model, features, L);
      const beam = model.sample(features, { maxLength: L, beamWidth: V ** (L - 1) }).toArray();
      expect(beam).toEqual(best);
      // And a beam never scores below greedy.
      const b2 = model.sample(features, { maxLength: L, beamWidth: 2 });
      const gr = model.sample(features, { maxLength: L });
      for (let n = 0; n < features.shape[0]; n++)
        expect(logProb(model, features, n, row(b2, n))).toBeGreaterThanOrEqual(
          logProb(model, features, n, row(gr, n)) - 1e-12,
        );
    });
  }
});

const row = (a: NDArray, n: number) => (a.toArray() as number[][])[n];

/** Σ log p of the words of caption `words` for image n, up to and including its first <END>. */
function logProb(model: CaptioningRNN, features: NDArray, n: number, words: number[]): number {
  const end = words.indexOf(2);
  const seq = end < 0 ? words : words.slice(0, end + 1);
  const T = seq.length + 1;
  const caps = array([[1, ...seq]], 'int32');
  // The loss of a single caption is −Σ log p of its targets (no <NULL> in seq unless the model chose one).
  const masked = seq.some((w) => w === 0);
  if (masked) return -Infinity;
  return -model.loss(features.slice(`${n}:${n + 1}`), caps.reshape(1, T))[0];
}

/** The most likely caption of at most L words per image, by enumerating all V^L word sequences. */
function exhaustiveBest(model: CaptioningRNN, features: NDArray, L: number): number[][] {
  const V = model.vocabSize;
  const out: number[][] = [];
  for (let n = 0; n < features.shape[0]; n++) {
    let best: number[] = [];
    let bestScore = -Infinity;
    for (let code = 0; code < V ** L; code++) {
      const words = Array.from({ length: L }, (_, t) => Math.floor(code / V ** (L - 1 - t)) % V);
      const end = words.indexOf(2);
      if (end >= 0 && words.slice(end + 1).some((w) => w !== 0)) continue; // one spelling per caption
      if (words.slice(0, end < 0 ? L : end).includes(0)) continue; // <NULL> is masked: not scored
      const s = logProb(model, features, n, words);
      if (s > bestScore) [best, bestScore] = [words, s];
    }
    out.push(best);
  }
  return out;
}

describe('decodeCaptions and errors', () => {
  it('decodes like coco_utils.decode_captions', () => {
    const idxToWord = ['<NULL>', '<START>', '<END>', '<UNK>', 'a', 'cat'];
    expect(
      decodeCaptions(
        array(
          [
            [1, 4, 5, 2, 4, 0],
            [1, 0, 4, 4, 0, 0],
          ],
          'int32',
        ),
        idxToWord,
      ),
    ).toEqual(['<START> a cat <END>', '<START> a a']);
    expect(decodeCaptions(array([4, 2], 'int32'), idxToWord)).toEqual(['a <END>']);
    expect(() => decodeCaptions(array([9], 'int32'), idxToWord)).toThrow(
      'decodeCaptions: index 9 at (0, 0) is outside the vocabulary of 6 words',
    );
  });

  it('names the method and the shapes', () => {
    const model = new CaptioningRNN({
      wordToIdx: vocabulary(['a']),
      inputDim: 6,
      wordvecDim: 3,
      hiddenDim: 4,
    });
    const f = g.randn(2, 6);
    expect(() => model.loss(g.randn(2, 5), g.randint(0, 5, [2, 4]))).toThrow(
      'CaptioningRNN.loss: features of shape (2, 5) should be (N, inputDim = 6)',
    );
    expect(() => model.loss(f, g.randint(0, 5, [3, 4]))).toThrow(
      'CaptioningRNN.loss: captions of shape (3, 4) should be (N = 2, T ≥ 2) to match features of shape (2, 6)',
    );
    expect(() =>
      model.loss(
        f,
        array(
          [
            [1, 5],
            [1, 2],
          ],
          'int32',
        ),
      ),
    ).toThrow(
      'CaptioningRNN.loss: captions of shape (2, 2) hold word indices from 1 to 5, outside the vocabulary [0, 5)',
    );
    expect(() => model.sample(g.randn(2, 7))).toThrow(
      'CaptioningRNN.sample: features of shape (2, 7) should be (N, inputDim = 6)',
    );
    expect(() => new CaptioningRNN({ wordToIdx: { a: 0 } })).toThrow(
      'CaptioningRNN: wordToIdx has no <NULL> word',
    );
    expect(() => new CaptioningRNN({ wordToIdx: { '<NULL>': 0 }, cellType: 'gru' as CellType })).toThrow(
      "CaptioningRNN: invalid cellType 'gru' (rnn or lstm)",
    );
  });
});
