/**
 * What a run does while its Solver trains: each step goes to metrics.jsonl and to the job's events (with a
 * smoothed speed and, now and then, the accuracy on a fixed slice of validation images); each epoch's end
 * goes there too, is shown to the dashboard, and is checkpointed.
 */
import type { Model } from '../../models/model.js';
import { predictLabels, type Solver } from '../../solver/solver.js';
import { evaluatePredictions } from '../evaluate.js';
import type { JobHooks } from './job.js';
import type { RunContext } from './run.js';

export function watchSolver(
  solver: Solver,
  model: Model,
  ctx: RunContext,
  hooks: JobHooks,
  save: () => string,
): void {
  const { data, metrics, cfg } = ctx;
  const { emit } = hooks;
  const numClasses = ctx.info.classNames.length;
  // A fixed slice of the validation set, scored now and then for the progress line (no random draws, so
  // the run's losses are the same with or without it).
  const probe = data.XVal.shape[0] > 0 ? { X: data.XVal.slice('0:250'), y: data.yVal.slice('0:250') } : null;
  let probeAcc: number | undefined;
  const total = solver.numIterations;
  const probeEvery = Math.max(20, Math.round(total / 25));
  let speed = 0;

  solver.on('iteration', (e) => {
    speed = speed === 0 ? e.imagesPerSec : 0.9 * speed + 0.1 * e.imagesPerSec;
    metrics.append({ type: 'iteration', iteration: e.iteration, epoch: e.epoch, loss: e.loss });
    if (probe && (e.iteration % probeEvery === 0 || e.iteration === total)) {
      const pred = predictLabels(model, probe.X).toTypedArray() as Int32Array;
      probeAcc = evaluatePredictions(pred, probe.y, numClasses).accuracy;
    }
    emit({
      type: 'iteration',
      iteration: e.iteration,
      epoch: e.epoch,
      loss: e.loss,
      imagesPerSec: speed,
      accuracy: probeAcc,
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
    emit({ type: 'epoch', epoch: e.epoch, trainAcc: e.trainAcc, valAcc: e.valAcc, iteration: e.iteration });
    hooks.onModel?.({
      epoch: e.epoch,
      iteration: e.iteration,
      modelName: cfg.model.name,
      model,
      XTest: data.XTest,
      rawTest: data.rawTest,
      yTest: data.yTest,
      imageShape: ctx.ds.imageShape,
      classNames: ctx.info.classNames,
    });
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
    config: cfg,
  });
}
