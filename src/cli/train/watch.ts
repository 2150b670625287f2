/**
 * What a run does while its Solver trains: each step goes to metrics.jsonl and to the job's events (with a
 * smoothed speed and, for classifiers, now and then the accuracy on a fixed slice of validation images);
 * each epoch's end goes there too, is shown to the dashboard (classifiers), and is checkpointed.
 */
import type { Model } from '../../models/model.js';
import { predictLabels, type Solver } from '../../solver/solver.js';
import { evaluatePredictions } from '../evaluate.js';
import type { MetricsLog } from '../metrics.js';
import type { RunConfig } from './config.js';
import type { JobHooks } from './job.js';
import type { RunContext } from './run.js';

/** A classifier's run: the model and its data, for the progress line's accuracy and the dashboard. */
export interface ClassifierWatch {
  model: Model;
  ctx: RunContext;
}

export function watchSolver(
  solver: Solver,
  run: { cfg: RunConfig; metrics: MetricsLog; budgetSeconds?: number },
  hooks: JobHooks,
  save: () => string,
  classifier: ClassifierWatch | null,
): void {
  const { metrics, cfg } = run;
  const { emit } = hooks;
  const total = solver.numIterations;
  const probeAccuracy = classifier ? probe(classifier, total) : () => undefined;
  let speed = 0;

  solver.on('iteration', (e) => {
    speed = speed === 0 ? e.imagesPerSec : 0.9 * speed + 0.1 * e.imagesPerSec;
    metrics.append({ type: 'iteration', iteration: e.iteration, epoch: e.epoch, loss: e.loss });
    emit({
      type: 'iteration',
      iteration: e.iteration,
      epoch: e.epoch,
      loss: e.loss,
      imagesPerSec: speed,
      accuracy: probeAccuracy(e.iteration),
    });
  });
  solver.on('epoch', (e) => {
    metrics.append({
      type: 'epoch',
      epoch: e.epoch,
      iteration: e.iteration,
      trainAcc: e.trainAcc,
      valAcc: e.valAcc,
    });
    emit({
      type: 'epoch',
      epoch: e.epoch,
      metric: e.metric ?? undefined,
      trainAcc: e.trainAcc,
      valAcc: e.valAcc,
      iteration: e.iteration,
    });
    if (classifier) {
      const { ctx, model } = classifier;
      hooks.onModel?.({
        epoch: e.epoch,
        iteration: e.iteration,
        modelName: cfg.model.name,
        model,
        XTest: ctx.data.XTest,
        rawTest: ctx.data.rawTest,
        yTest: ctx.data.yTest,
        imageShape: ctx.ds.imageShape,
        classNames: ctx.info.classNames,
      });
    }
    // Each epoch's end (the last one is saved after the test evaluation); never a diverged state.
    if (e.iteration % solver.iterationsPerEpoch === 0 && e.iteration < total && !solver.divergence) save();
  });
  emit({
    type: 'start',
    totalIterations: Math.ceil(total),
    iterationsPerEpoch: solver.iterationsPerEpoch,
    numEpochs: cfg.epochs,
    fromIteration: solver.iteration,
    batchSize: solver.batchSize,
    budgetSeconds: Number.isFinite(run.budgetSeconds) ? run.budgetSeconds : undefined,
    config: cfg,
  });
}

/**
 * Accuracy on a fixed slice of 250 validation images every few iterations (no random draws, so the run's
 * losses are the same with or without it); the last value in between.
 */
function probe({ model, ctx }: ClassifierWatch, total: number): (iteration: number) => number | undefined {
  const { data } = ctx;
  if (data.XVal.shape[0] === 0) return () => undefined;
  const X = data.XVal.slice('0:250');
  const y = data.yVal.slice('0:250');
  const every = Math.max(20, Math.round(total / 25));
  let acc: number | undefined;
  return (iteration) => {
    if (iteration % every === 0 || iteration === total) {
      const pred = predictLabels(model, X).toTypedArray() as Int32Array;
      acc = evaluatePredictions(pred, y, ctx.info.classNames.length).accuracy;
    }
    return acc;
  };
}
