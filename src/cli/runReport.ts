/**
 * Assembles a run's report from its checkpoint metadata, its model and its test evaluation: loss and
 * accuracy history, confusion matrix, test images with predictions, class templates of linear classifiers,
 * first-layer weights of nets (conv filters, or the hidden units of the first affine layer as images).
 */
import { join } from 'node:path';
import { backend } from '../backend/index.js';
import type { Model } from '../models/model.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { classTemplates, convFilterImages } from '../vis/grid.js';
import { writeReport, type ReportInput } from '../vis/report.js';
import type { RunMeta } from './checkpoint.js';
import type { Evaluation } from './evaluate.js';
import { formatDuration } from './progress.js';
import { RUN_FILES } from './runDir.js';

export interface RunReportInput {
  meta: RunMeta;
  model: Model | null;
  evaluation: Evaluation;
  /** Predicted labels of the test images, in order. */
  pred: ArrayLike<number>;
  /** The raw test images (N, H, W, C) and their labels. */
  rawTest: NDArray;
  yTest: ArrayLike<number>;
  trainSeconds: number;
  command: string;
  title?: string;
  /** File name of the HTML page (default report.html). */
  htmlName?: string;
}

/** Picks test images to show: the first 24, then up to 16 mistakes (the interesting ones). */
function pickSamples(pred: ArrayLike<number>, truth: ArrayLike<number>): number[] {
  const n = truth.length;
  const picked: number[] = [];
  for (let i = 0; i < Math.min(24, n); i++) picked.push(i);
  for (let i = 24; i < n && picked.length < 40; i++) if (pred[i] !== truth[i]) picked.push(i);
  return picked;
}

/** The first-layer weights as images (F, h, w, c), or null when the model has none that look like images. */
export function firstLayerImages(
  model: Model,
  imageShape: readonly [number, number, number],
): NDArray | null {
  const params = Object.entries(model.params);
  const conv = params.find(([, p]) => p.ndim === 4);
  if (conv) return convFilterImages(conv[1]);
  const [h, w, c] = imageShape;
  const first = params.find(([, p]) => p.ndim === 2 && p.shape[0] === h * w * c);
  if (!first) return null;
  // Affine weights (D, H): each hidden unit's column is an image, as the course shows TwoLayerNet's W1.
  const units = Math.min(first[1].shape[1], 64);
  return first[1].slice(':', `0:${units}`).T.reshape(units, h, w, c);
}

export async function buildRunReport(runDir: string, r: RunReportInput): Promise<string> {
  const { meta, model, evaluation } = r;
  const [h, w, c] = meta.imageShape;
  const history = meta.history;
  const epochs = history.trainAcc.map((t, i) => ({ epoch: i, train: t, val: history.valAcc[i] }));
  const name = meta.model.name;
  const input: ReportInput = {
    title: r.title ?? `nabla run: ${name} on ${meta.data.name}`,
    summary: [
      ['model', `${name}${meta.model.config.options ? ' ' + JSON.stringify(meta.model.config.options) : ''}`],
      [
        'data',
        `${meta.data.name}: ${meta.data.numTrain} train / ${meta.data.numVal} val / ${meta.data.numTest} test, ${h}x${w}x${c}`,
      ],
      ['test accuracy', `${(100 * evaluation.accuracy).toFixed(2)}% (${evaluation.count} images)`],
      [
        'best validation accuracy',
        history.valAcc.length ? `${(100 * Math.max(...history.valAcc)).toFixed(2)}%` : '-',
      ],
      [
        'iterations',
        `${meta.training.iteration} (batch ${meta.training.batchSize}, ${meta.training.numEpochs} epochs)`,
      ],
      ['training time', formatDuration(r.trainSeconds)],
      ['command', r.command],
      ['nabla', `${meta.nabla}, backend ${backend().name}, written ${meta.createdAt}`],
    ],
    lossHistory: history.loss,
    epochs: epochs.length > 1 ? epochs : undefined,
    confusion: { matrix: evaluation.confusion, classNames: meta.classNames },
  };
  if (r.rawTest.shape[0] > 0) {
    const idx = pickSamples(r.pred, r.yTest);
    input.samples = {
      images: r.rawTest.get(idx),
      predicted: idx.map((i) => r.pred[i]),
      truth: idx.map((i) => r.yTest[i]),
      classNames: meta.classNames,
    };
  }
  if (model) {
    if (name === 'svm' || name === 'softmax') {
      input.templates = { images: classTemplates(model.params.W, [h, w, c]), classNames: meta.classNames };
    } else {
      const imgs = firstLayerImages(model, meta.imageShape);
      if (imgs) input.filters = imgs;
    }
  }
  await writeReport(runDir, input, r.htmlName);
  return join(runDir, r.htmlName ?? RUN_FILES.report);
}
