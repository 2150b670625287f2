/**
 * An image captioning model (the course's classifiers/rnn.py CaptioningRNN): an image's feature vector
 * (N, D) becomes the initial hidden state through an affine projection, and a vanilla RNN or an LSTM then
 * reads a caption word by word — wordvecDim-dimensional embeddings, hidden size H — and scores the next
 * word over a vocabulary of V words:
 *
 *   h0 = features·WProj + bProj → embed(captions[:, :-1]) → RNN/LSTM → temporal affine (WVocab, bVocab)
 *   → temporal softmax loss against captions[:, 1:], ignoring <NULL> targets.
 *
 * No regularisation, as in the course. Parameters: WEmbed (V, W), WProj (D, H), bProj (H,), Wx (W, H | 4H),
 * Wh (H, H | 4H), b (H | 4H,), WVocab (H, V), bVocab (V,).
 */
import { full, zeros } from '../ndarray/creation.js';
import type { FloatDType } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { affineBackward, affineForward } from '../nn/affine.js';
import { lstmBackward, lstmForward, lstmStepForward, type LstmCache } from '../nn/lstm.js';
import {
  rnnBackward,
  rnnForward,
  rnnStepForward,
  temporalAffineBackward,
  temporalAffineForward,
  temporalSoftmaxLoss,
  wordEmbeddingBackward,
  wordEmbeddingForward,
  type RnnCache,
} from '../nn/rnn.js';
import { checkFeatures, checkWordIndices, invertVocabulary, specialIndices } from './captions.js';
import type { Grads } from './model.js';

/** The recurrent cell of CaptioningRNN: vanilla RNN or LSTM. */
export type CellType = 'rnn' | 'lstm';

/** CaptioningRNN's options (the course's CaptioningRNN arguments). */
export interface CaptioningRNNOptions {
  /** The vocabulary, word → index in [0, V); V = its size. Must hold <NULL> (and <START> to sample). */
  wordToIdx: Readonly<Record<string, number>>;
  /** D, the width of an image's feature vector (default 512). */
  inputDim?: number;
  /** W, the width of the word vectors (default 128). */
  wordvecDim?: number;
  /** H, the hidden size (default 128). */
  hiddenDim?: number;
  cellType?: CellType;
  dtype?: FloatDType;
  /** Seeds the initialisation (default 0). */
  seed?: number;
}

/** Options of caption sampling: length, beam width. */
export interface SampleOptions {
  /** The caption length T (default 30). */
  maxLength?: number;
  /**
   * Beam search over this many captions per image (its captions are padded with <NULL> after <END>; a width
   * of 1 gives the greedy caption). Absent: the course's greedy sampling.
   */
  beamWidth?: number;
}

/** One step of the cell from (h, c) on word vectors x (M, W); c is null for the RNN. */
type Step = (x: NDArray, h: NDArray, c: NDArray | null) => [NDArray, NDArray | null];

/** The course's CaptioningRNN: image features (N, D) → initial hidden state; word embeddings (N, T, W) → RNN/LSTM → temporal affine → scores over the vocabulary (N, T, V); loss(features, captions) is the temporal softmax loss with its gradients. */
export class CaptioningRNN {
  params: Record<string, NDArray>;
  readonly wordToIdx: Readonly<Record<string, number>>;
  readonly idxToWord: string[];
  readonly cellType: CellType;
  readonly dtype: FloatDType;
  readonly inputDim: number;
  readonly vocabSize: number;
  private readonly nullIdx: number;
  private readonly startIdx: number | undefined;
  private readonly endIdx: number | undefined;

  constructor({
    wordToIdx,
    inputDim = 512,
    wordvecDim = 128,
    hiddenDim = 128,
    cellType = 'rnn',
    dtype = 'float32',
    seed = 0,
  }: CaptioningRNNOptions) {
    if (cellType !== 'rnn' && cellType !== 'lstm')
      throw new RangeError(`CaptioningRNN: invalid cellType '${String(cellType)}' (rnn or lstm)`);
    this.wordToIdx = wordToIdx;
    this.idxToWord = invertVocabulary(wordToIdx);
    this.cellType = cellType;
    this.dtype = dtype;
    this.inputDim = inputDim;
    const V = (this.vocabSize = Object.keys(wordToIdx).length);
    ({
      nullIdx: this.nullIdx,
      startIdx: this.startIdx,
      endIdx: this.endIdx,
    } = specialIndices('CaptioningRNN', wordToIdx));
    const [D, W, H] = [inputDim, wordvecDim, hiddenDim];
    const G = cellType === 'lstm' ? 4 : 1;
    const rng = new Generator(seed);
    const randn = (shape: number[], scale: number) => rng.normal(0, scale, shape, dtype);
    this.params = {
      WEmbed: randn([V, W], 1 / 100),
      WProj: randn([D, H], 1 / Math.sqrt(D)),
      bProj: zeros([H], dtype),
      Wx: randn([W, G * H], 1 / Math.sqrt(W)),
      Wh: randn([H, G * H], 1 / Math.sqrt(H)),
      b: zeros([G * H], dtype),
      WVocab: randn([H, V], 1 / Math.sqrt(H)),
      bVocab: zeros([V], dtype),
    };
  }

  private checkFeatures(op: string, features: NDArray): NDArray {
    return checkFeatures(op, features, this.inputDim, this.dtype);
  }

  /**
   * The training loss with teacher forcing: the RNN reads captions[:, :-1] and is scored on predicting
   * captions[:, 1:]; targets that are <NULL> count for nothing.
   * - features: (N, D) image features; captions: (N, T) int32 word indices in [0, V), T ≥ 2
   * Returns [loss, grads], grads keyed like params.
   */
  loss(features: NDArray, captions: NDArray): [number, Grads] {
    const op = 'CaptioningRNN.loss';
    const f = this.checkFeatures(op, features);
    const N = f.shape[0];
    if (captions.ndim !== 2 || captions.shape[0] !== N || captions.shape[1] < 2)
      throw new RangeError(
        `${op}: captions of shape ${fmtShape(captions.shape)} should be (N = ${N}, T ≥ 2) to match features of shape ${fmtShape(features.shape)}`,
      );
    checkWordIndices(op, captions, this.vocabSize);
    const T = captions.shape[1];
    const captionsIn = captions.slice(':', `0:${T - 1}`);
    const captionsOut = captions.slice(':', `1:${T}`);
    const mask = captionsOut.ne(this.nullIdx);
    const p = this.params;

    const [h0, cacheProj] = affineForward(f, p.WProj, p.bProj);
    const [x, cacheEmbed] = wordEmbeddingForward(captionsIn, p.WEmbed);
    const lstm = this.cellType === 'lstm';
    const [h, cacheCell] = lstm ? lstmForward(x, h0, p.Wx, p.Wh, p.b) : rnnForward(x, h0, p.Wx, p.Wh, p.b);
    const [scores, cacheScores] = temporalAffineForward(h, p.WVocab, p.bVocab);
    const [loss, dscores] = temporalSoftmaxLoss(scores, captionsOut, mask);

    const [dh, dWVocab, dbVocab] = temporalAffineBackward(dscores, cacheScores);
    const [dx, dh0, dWx, dWh, db] = lstm
      ? lstmBackward(dh, cacheCell as LstmCache)
      : rnnBackward(dh, cacheCell as RnnCache);
    const dWEmbed = wordEmbeddingBackward(dx, cacheEmbed);
    const [, dWProj, dbProj] = affineBackward(dh0, cacheProj, false);
    return [
      loss,
      {
        WEmbed: dWEmbed,
        WProj: dWProj,
        bProj: dbProj,
        Wx: dWx,
        Wh: dWh,
        b: db,
        WVocab: dWVocab,
        bVocab: dbVocab,
      },
    ];
  }

  /**
   * Captions for images, starting from <START>: greedy (the course's sample: at each step the most likely
   * word, fed back as the next input, for exactly maxLength steps) or, given a beamWidth, beam search.
   * - features: (N, D)
   * - options: maxLength (default 30), or { maxLength, beamWidth }
   * Returns (N, maxLength) int32 word indices. Greedy captions hold whatever follows <END>, as the course's
   * (decodeCaptions stops there); beam-search captions are padded with <NULL> after <END>.
   */
  sample(features: NDArray, options: number | SampleOptions = {}): NDArray {
    const { maxLength = 30, beamWidth } = typeof options === 'number' ? { maxLength: options } : options;
    const op = 'CaptioningRNN.sample';
    const f = this.checkFeatures(op, features);
    if (!Number.isInteger(maxLength) || maxLength < 1)
      throw new RangeError(`${op}: maxLength must be a positive integer, got ${maxLength}`);
    if (beamWidth !== undefined && (!Number.isInteger(beamWidth) || beamWidth < 1))
      throw new RangeError(`${op}: beamWidth must be a positive integer, got ${beamWidth}`);
    if (this.startIdx === undefined)
      throw new RangeError(`${op}: wordToIdx has no <START> word to begin with`);
    const p = this.params;
    const [h0] = affineForward(f, p.WProj, p.bProj);
    return beamWidth === undefined ? this.greedy(h0, maxLength) : this.beam(h0, maxLength, beamWidth);
  }

  /** The cell's step function and the step's word scores (M, V) from h. */
  private stepper(): [Step, (h: NDArray) => NDArray] {
    const { WEmbed, Wx, Wh, b, WVocab, bVocab } = this.params;
    const step: Step = (words, h, c) => {
      const x = WEmbed.take(words, 0);
      if (c === null) return [rnnStepForward(x, h, Wx, Wh, b)[0], null];
      const [nh, nc] = lstmStepForward(x, h, c, Wx, Wh, b);
      return [nh, nc];
    };
    return [step, (h) => affineForward(h, WVocab, bVocab)[0]];
  }

  private greedy(h0: NDArray, maxLength: number): NDArray {
    const N = h0.shape[0];
    const [step, scoresOf] = this.stepper();
    const captions = full([N, maxLength], this.nullIdx, 'int32');
    let words = full([N], this.startIdx!, 'int32');
    let h = h0;
    let c = this.cellType === 'lstm' ? zeros(h0.shape, this.dtype) : null;
    for (let t = 0; t < maxLength; t++) {
      [h, c] = step(words, h, c);
      words = scoresOf(h).argmax(1).astype('int32');
      captions.set([':', t], words);
    }
    return captions;
  }

  /**
   * Beam search: beamWidth partial captions per image, all advanced in one batch of N·beamWidth rows. At
   * each step every caption's extensions by every word are scored by their total log-probability and the
   * best beamWidth per image are kept; a caption ends at <END> (it then stays in the beam unchanged). The
   * best caption at the end wins (total log-probability, no length normalisation). Width 1 is greedy.
   */
  private beam(h0: NDArray, maxLength: number, B: number): NDArray {
    const [N, H] = h0.shape;
    const V = this.vocabSize;
    const [step, scoresOf] = this.stepper();
    const rows = N * B;
    const score = new Float64Array(rows).fill(-Infinity);
    for (let n = 0; n < N; n++) score[n * B] = 0; // one live beam per image at first
    const done = new Uint8Array(rows);
    let tokens = new Int32Array(rows * maxLength).fill(this.nullIdx);
    let words = full([rows], this.startIdx!, 'int32');
    let h = h0.reshape(N, 1, H).broadcastTo([N, B, H]).reshape(rows, H);
    let c = this.cellType === 'lstm' ? zeros([rows, H], this.dtype) : null;
    for (let t = 0; t < maxLength && !done.every((d, r) => d || score[r] === -Infinity); t++) {
      [h, c] = step(words, h, c);
      const logp = logSoftmaxRows(scoresOf(h));
      const parent = new Int32Array(rows);
      const word = new Int32Array(rows);
      const next = new Float64Array(rows).fill(-Infinity);
      const nextDone = new Uint8Array(rows);
      for (let n = 0; n < N; n++) {
        const cands: [number, number, number][] = [];
        for (let k = n * B; k < (n + 1) * B; k++) {
          if (score[k] === -Infinity) continue;
          if (done[k]) cands.push([score[k], k, this.nullIdx]);
          else for (let v = 0; v < V; v++) cands.push([score[k] + logp[k * V + v], k, v]);
        }
        // Highest score first; ties to the earlier beam and word, so beamWidth 1 is greedy's argmax.
        cands.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
        for (let j = 0; j < B; j++) {
          const r = n * B + j;
          const cand = cands[j];
          if (!cand) {
            parent[r] = n * B; // a dead row: any state will do
            continue;
          }
          [next[r], parent[r], word[r]] = cand;
          nextDone[r] = done[cand[1]] || cand[2] === this.endIdx ? 1 : 0;
        }
      }
      const nextTokens = new Int32Array(rows * maxLength);
      for (let r = 0; r < rows; r++) {
        nextTokens.set(tokens.subarray(parent[r] * maxLength, (parent[r] + 1) * maxLength), r * maxLength);
        nextTokens[r * maxLength + t] = word[r];
      }
      const parents = new NDArray(parent, [rows], 'int32');
      [tokens, h, c] = [nextTokens, h.take(parents, 0), c && c.take(parents, 0)];
      score.set(next);
      done.set(nextDone);
      words = new NDArray(word, [rows], 'int32');
    }
    const out = new Int32Array(N * maxLength);
    for (let n = 0; n < N; n++) {
      let best = n * B;
      for (let k = n * B + 1; k < (n + 1) * B; k++) if (score[k] > score[best]) best = k;
      out.set(tokens.subarray(best * maxLength, (best + 1) * maxLength), n * maxLength);
    }
    return new NDArray(out, [N, maxLength], 'int32');
  }
}

/** log softmax of each row of scores (M, V), as a float64 typed array (M·V). */
function logSoftmaxRows(scores: NDArray): Float64Array {
  const s = scores.astype('float64');
  const shifted = s.sub(s.max(1, true));
  return shifted.sub(shifted.exp().sum(1, true).log()).toTypedArray() as Float64Array;
}
