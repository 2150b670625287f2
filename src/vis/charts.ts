/**
 * The report's charts as Vega-Lite specifications, rendered headless to SVG by Vega (no browser, no canvas):
 * loss history, train/val accuracy per epoch, the confusion matrix, and a sweep's accuracy over the
 * (learning rate, regularization) plane as in the course's hyperparameter search plots.
 */
import type { TopLevelSpec } from 'vega-lite';
import { importOptional } from '../optionalPackage.js';

/** Renders a Vega-Lite spec to an SVG document. Vega is imported lazily: it is slow to load and only reports need it. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([
    importOptional('renderSvg (report charts)', 'vega', () => import('vega')),
    importOptional('renderSvg (report charts)', 'vega-lite', () => import('vega-lite')),
  ]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** What every chart here starts with: the schema, a white background, its title, its size and its rows. */
function frame(title: string, width: number, height: number, values: object[]) {
  const $schema = 'https://vega.github.io/schema/vega-lite/v5.json';
  return { $schema, background: 'white', title, width, height, data: { values } } as const;
}

/**
 * The loss of every iteration (light) and its moving average (dark), as the course plots solver.loss_history.
 * losses: one value per iteration.
 */
export function lossHistorySpec(losses: readonly number[], title = 'Training loss'): TopLevelSpec {
  // Thousands of points make a large SVG; keep at most ~500 by striding (the moving average uses them all).
  const stride = Math.max(1, Math.ceil(losses.length / 500));
  const window = Math.max(1, Math.round(losses.length / 50));
  const values: { iteration: number; loss: number; smooth: number }[] = [];
  let acc = 0;
  const finite = losses.map((l) => (Number.isFinite(l) ? l : NaN));
  for (let i = 0; i < finite.length; i++) {
    acc += Number.isFinite(finite[i]) ? finite[i] : 0;
    if (i >= window) acc -= Number.isFinite(finite[i - window]) ? finite[i - window] : 0;
    if (i % stride === 0 && Number.isFinite(finite[i])) {
      values.push({ iteration: i + 1, loss: finite[i], smooth: acc / Math.min(i + 1, window) });
    }
  }
  return {
    ...frame(title, 520, 260, values),
    encoding: { x: { field: 'iteration', type: 'quantitative', title: 'iteration' } },
    layer: [
      {
        mark: { type: 'point', size: 6, opacity: 0.35, filled: true, color: '#8fb3d9' },
        encoding: { y: { field: 'loss', type: 'quantitative', title: 'loss' } },
      },
      {
        mark: { type: 'line', color: '#1f4e8c', strokeWidth: 2 },
        encoding: { y: { field: 'smooth', type: 'quantitative' } },
      },
    ],
  };
}

/** One row per epoch: the accuracy on the training sample and on the validation set. */
export interface EpochAccuracy {
  epoch: number;
  train: number;
  val: number;
}

/** Train and validation accuracy per epoch, as the course's "Classification accuracy history" plot. */
export function accuracySpec(
  history: readonly EpochAccuracy[],
  title = 'Classification accuracy',
): TopLevelSpec {
  const values = history.flatMap((h) => [
    { epoch: h.epoch, split: 'train', accuracy: h.train },
    { epoch: h.epoch, split: 'val', accuracy: h.val },
  ]);
  return {
    ...frame(title, 520, 260, values),
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, scale: { range: ['#1f77b4', '#ff7f0e'] } },
    },
  };
}

/**
 * The confusion matrix as a heatmap with counts: rows the true class, columns the predicted class.
 * matrix[t][p] = number of test images of class t predicted as p.
 */
export function confusionSpec(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
  title = 'Confusion matrix (test)',
): TopLevelSpec {
  const values: { truth: string; predicted: string; count: number; rate: number }[] = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, p) =>
      values.push({ truth: classNames[t], predicted: classNames[p], count, rate: count / total }),
    );
  });
  const order = [...classNames];
  const side = Math.max(240, Math.min(560, classNames.length * 36));
  return {
    ...frame(title, side, side, values),
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: order, title: 'predicted' },
      y: { field: 'truth', type: 'ordinal', sort: order, title: 'true' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            title: 'fraction of row',
            scale: { scheme: 'blues', domain: [0, 1] },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: classNames.length > 12 ? 7 : 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.rate > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** One trial of a hyperparameter search. */
export interface SweepPoint {
  lr: number;
  reg: number;
  valAcc: number;
  trainAcc?: number;
}

/** A quantitative field on a log scale, ticks in exponent form (a hyperparameter axis). */
function logAxis(field: string, title: string) {
  return { field, type: 'quantitative', scale: { type: 'log' }, title, axis: { format: '.0e' } } as const;
}

/**
 * Validation accuracy over the (learning rate, regularization) plane, both axes in log scale, as the
 * course's scatter of a random search: each trial a dot coloured by its accuracy.
 */
export function sweepSpec(
  points: readonly SweepPoint[],
  title = 'Validation accuracy over (lr, reg)',
): TopLevelSpec {
  return {
    ...frame(
      title,
      420,
      340,
      points.map((p) => ({ ...p })),
    ),
    mark: { type: 'circle', size: 220, opacity: 0.9, stroke: '#333', strokeWidth: 0.5 },
    encoding: {
      x: logAxis('lr', 'learning rate'),
      y: logAxis('reg', 'regularization'),
      color: { field: 'valAcc', type: 'quantitative', title: 'val accuracy', scale: { scheme: 'viridis' } },
      tooltip: [
        { field: 'lr', format: '.2e' },
        { field: 'reg', format: '.2e' },
        { field: 'valAcc', format: '.3f' },
      ],
    },
  };
}
