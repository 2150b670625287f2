/**
 * What the Solver measures after each epoch to pick the best parameters: a metric maps a model and a
 * dataset to a number where higher is better. Accuracy (argmax of the scores against the labels of
 * `[X, y]` batches) is the default, as in the course's solver.py; captioning or self-supervised models
 * give their own (BLEU, a negative validation loss, a linear probe's accuracy).
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { arange } from '../ndarray/creation.js';
import type { Generator } from '../ndarray/random.js';
import { ArrayDataset, type Dataset } from '../data/batches.js';
import type { LossModel, Model } from '../models/model.js';

export interface MetricOptions {
  /** Examples drawn (with replacement, as the course) when the dataset is larger; null: all of them. */
  numSamples: number | null;
  /** The Solver's generator, for the subsample. */
  rng: Generator;
  /** Examples per forward pass. */
  batchSize: number;
}

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
