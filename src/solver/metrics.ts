/**
 * What the Solver measures after each epoch to pick the best parameters: a metric maps a model and a
 * dataset to a number where higher is better. Accuracy (argmax of the scores against the labels of
 * `[X, y]` batches) is the default, as in the course's solver.py; captioning or self-supervised models
 * give their own (BLEU, a negative validation loss, a linear probe's accuracy).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { gatherRows } from '../ndarray/indexing.js';
import type { CaptionSplit } from '../data/coco.js';
import { CaptionDataset } from '../data/captionDataset.js';
import { corpusBleu, exactCaptionAccuracy, captionTokens, type BleuScores } from '../models/bleu.js';
import { decodeCaptions } from '../models/captions.js';
import { arange } from '../ndarray/creation.js';
import type { Generator } from '../ndarray/random.js';
import { ArrayDataset, type Dataset } from '../data/batches.js';
import type { LossModel, Model } from '../models/model.js';

/** Options of a metric: how many samples, generator, batch size, name. */
export interface MetricOptions {
  /** Examples drawn (with replacement, as the course) when the dataset is larger; null: all of them. */
  numSamples: number | null;
  /** The Solver's generator, for the subsample. */
  rng: Generator;
  /** Examples per forward pass. */
  batchSize: number;
}

/** What the Solver measures each epoch on train and validation data (accuracy by default). */
export interface Metric {
  /** Its name in logs and checkpoints, e.g. 'accuracy'. */
  name: string;
  /** The metric of `model` on `data`; higher is better. */
  evaluate(model: LossModel, data: Dataset, options: MetricOptions): number;
}

/** The examples a metric looks at: a subsample of numSamples indices, or the whole set. */
export function metricBatch(data: Dataset, { numSamples, rng }: MetricOptions): NDArray[] {
  if (numSamples !== null && data.length > numSamples)
    return data.batch(rng.randint(0, data.length, [numSamples]));
  if (data instanceof ArrayDataset) return data.arrays;
  return data.batch(arange(data.length, undefined, 1, 'int32'));
}

/** The fraction of examples whose argmax score is the label, for `[X, y]` data (check_accuracy). */
export function accuracyOf(model: Model, X: NDArray, y: NDArray, batchSize = 100): number {
  const N = X.shape[0];
  const yData = y.toTypedArray();
  let correct = 0;
  for (let start = 0; start < N; start += batchSize) {
    const end = Math.min(start + batchSize, N);
    const pred = model
      .loss(X.slice(`${start}:${end}`))
      .argmax(1)
      .toTypedArray();
    for (let i = 0; i < pred.length; i++) if (pred[i] === yData[start + i]) correct++;
  }
  return N === 0 ? 0 : correct / N;
}

/** Classification accuracy, the Solver's default metric. */
export const accuracyMetric: Metric = {
  name: 'accuracy',
  evaluate(model, data, options) {
    const [X, y] = metricBatch(data, options);
    if (!y)
      throw new Error(
        'accuracyMetric: the data has no labels (want [X, y] batches); give the Solver a metric',
      );
    return accuracyOf(model as Model, X, y, options.batchSize);
  },
};

/** A captioning model: greedy or beam-search captions (N, T) int32 of features (N, D). */
export interface CaptionModel extends LossModel {
  /** Captions (N, T) of index sequences for features (N, D), greedy or by beam search. */
  sample(features: NDArray, options?: { maxLength?: number; beamWidth?: number }): NDArray;
}

export interface CaptionEvaluation extends BleuScores {
  /** Fraction of images whose caption equals one of their references word for word. */
  exact: number;
  /** Images judged. */
  count: number;
  /** For each judged image (the split's feature row `images[i]`): the caption made and the references. */
  images: number[];
  hypotheses: string[][];
  references: string[][][];
}

/**
 * Captions the images of a split (each image once, however many captions it has) and scores them against
 * all of that image's captions: corpus BLEU-1..4 (nltk's corpus_bleu) and exact-caption accuracy.
 * limit: the first `limit` images only.
 */
export function evaluateCaptions(
  model: CaptionModel,
  split: CaptionSplit,
  idxToWord: readonly string[],
  { maxLength, beamWidth, limit }: { maxLength: number; beamWidth?: number; limit?: number },
): CaptionEvaluation {
  const refsOf = new Map<number, string[][]>();
  const idxs = split.imageIdxs.toTypedArray();
  decodeCaptions(split.captions, idxToWord).forEach((c, i) => {
    const list = refsOf.get(idxs[i]) ?? [];
    list.push(captionTokens(c));
    refsOf.set(idxs[i], list);
  });
  const images = [...refsOf.keys()].sort((a, b) => a - b).slice(0, limit);
  const hypotheses: string[][] = [];
  for (let s = 0; s < images.length; s += 500) {
    const pick = Int32Array.from(images.slice(s, s + 500));
    const feats = gatherRows(split.features, new NDArray(pick, [pick.length], 'int32'));
    const captions = model.sample(feats, { maxLength, beamWidth });
    for (const c of decodeCaptions(captions, idxToWord)) hypotheses.push(captionTokens(c));
  }
  const references = images.map((i) => refsOf.get(i)!);
  return {
    ...corpusBleu(references, hypotheses),
    exact: exactCaptionAccuracy(references, hypotheses),
    count: images.length,
    images,
    hypotheses,
    references,
  };
}

/** BLEU-4 of greedy captions on (the first numSamples images of) a CaptionDataset, as the Solver's metric. */
export function captionBleuMetric(idxToWord: readonly string[], maxLength: number): Metric {
  return {
    name: 'bleu4',
    evaluate(model, data, { numSamples }) {
      if (!(data instanceof CaptionDataset))
        throw new Error('captionBleuMetric: the data must be a CaptionDataset');
      const e = evaluateCaptions(model as CaptionModel, data.split, idxToWord, {
        maxLength,
        limit: numSamples ?? undefined,
      });
      return e.bleu4;
    },
  };
}
