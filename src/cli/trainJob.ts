/**
 * One training run, start to finish: load the data, build the model, train it with the Solver (or memorise
 * it, for kNN), checkpoint each epoch and on request, evaluate on the test set, write the report.
 *
 * The Solver's loop is synchronous, and a synchronous loop never lets Ctrl-C's handler run. So the iteration
 * listener pauses training every ~200 ms (by throwing out of train() between two steps, where the Solver's
 * state is complete), yields to the event loop, and calls train() again, which continues from the same
 * iteration. The losses are the same as one uninterrupted call. When the user has asked to stop, the
 * listener saves a checkpoint instead and ends the run. Everything the user sees goes out as JobEvents.
 */
import { join } from 'node:path';
import { augmentBatch, randomCrop, randomFlip } from '../data/augment.js';
import { KNearestNeighbor } from '../models/kNearestNeighbor.js';
import type { Model } from '../models/model.js';
import { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';
import type { OptimConfig } from '../optim/optim.js';
import { Solver } from '../solver/solver.js';
import { encodeState, decodeState, splitOptimConfigs } from '../solver/checkpoint.js';
import type { ModelSpec, AugmentName, OptimizerName, ScheduleName } from './choices.js';
import {
  group,
  loadCheckpoint,
  prefixed,
  saveCheckpoint,
  type CheckpointContent,
  type CheckpointMeta,
} from './checkpoint.js';
import {
  dataLabel,
  loadDataset,
  prepareData,
  type DataSpec,
  type ImageDataset,
  type PreparedData,
} from '../data/registry.js';
import { RunStopped } from './errors.js';
import { evaluatePredictions, type Evaluation } from './evaluate.js';
import { LossGuard } from './guard.js';
import { MetricsLog } from './metrics.js';
import {
  buildModel,
  DEFAULTS,
  knnPredict,
  layersConfig,
  layoutOf,
  loadModelArrays,
  modelOptions,
  predictLabels,
  type ModelConfig,
} from './models.js';
import { buildRunReport } from './runReport.js';
import { RUN_FILES } from './runDir.js';
import { packageVersion } from './version.js';

/** Everything a run needs, as plain data (it crosses into a worker thread). */
export interface TrainJob {
  runDir: string;
  model: ModelSpec;
  data: DataSpec;
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  lr?: number;
  lrDecay?: number;
  lrSchedule?: ScheduleName;
  reg?: number;
  hidden?: number[];
  normalization?: string;
  dropout?: number;
  augment?: AugmentName;
  k?: number;
  seed: number;
  dtype: 'float32' | 'float64';
  valSplit?: number;
  limit?: number;
  /** Continue from the checkpoint in runDir. */
  resume?: boolean;
  report: boolean;
  /** The command line, recorded in config.json and the report. */
  command: string;
}

export interface JobResult {
  runDir: string;
  modelName: string;
  testAccuracy: number;
  bestValAcc: number;
  trainSeconds: number;
  imagesPerSec: number;
  iterations: number;
  checkpoint: string;
  report: string | null;
  evaluation: Evaluation;
  classNames: string[];
}

export type JobEvent =
  | { type: 'log'; line: string }
  | {
      type: 'start';
      totalIterations: number;
      iterationsPerEpoch: number;
      numEpochs: number;
      fromIteration: number;
      batchSize: number;
      /** The resolved settings (flags over the model's defaults). */
      config: RunConfig;
    }
  | {
      type: 'iteration';
      iteration: number;
      epoch: number;
      loss: number;
      imagesPerSec: number;
      accuracy?: number;
    }
  | { type: 'epoch'; epoch: number; trainAcc: number; valAcc: number; iteration: number }
  | { type: 'stopped'; iteration: number; epoch: number; checkpoint: string };

export interface JobHooks {
  emit: (e: JobEvent) => void;
  /** True once the user asked to stop (Ctrl-C). */
  stopRequested: () => boolean;
  /**
   * Called after each accuracy check (iteration 1, then each epoch's end) with the model as it is then, for
   * the dashboard's first-layer weights and predictions on a few test images. Not crossing threads: the
   * model and arrays are live objects, to read and not keep.
   */
  onModel?: (view: ModelView) => void;
}

/** What onModel sees: the model mid-training and the test images it can be shown predicting. */
export interface ModelView {
  epoch: number;
  iteration: number;
  modelName: string;
  model: Model;
  /** The test images as the model takes them, the same images as they were loaded (N, H, W, C), labels. */
  XTest: NDArray;
  rawTest: NDArray;
  yTest: NDArray;
  imageShape: [number, number, number];
  classNames: string[];
}

/** Thrown out of the Solver's loop by the listener that saw the stop flag. */
class StopTraining extends Error {}
/** Thrown out of the Solver's loop to give the event loop a turn (Ctrl-C, output); training then goes on. */
class Pause extends Error {}

const RULES: Record<OptimizerName, string> = {
  sgd: 'sgd',
  'sgd-momentum': 'sgdMomentum',
  rmsprop: 'rmsprop',
  adam: 'adam',
};

/** The resolved settings of a run (flags over the model's defaults), saved as config.json. */
export interface RunConfig {
  model: ModelConfig;
  data: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  lrDecay: number;
  lrSchedule: ScheduleName;
  reg: number;
  augment: AugmentName;
  seed: number;
  dtype: 'float32' | 'float64';
  valCount: number;
  limit: number | null;
  testLimit: number | null;
  command: string;
}

export function resolveConfig(job: TrainJob, ds: { trainCount: number }): RunConfig {
  const name = job.model.kind === 'file' ? 'layers' : job.model.name;
  const d = DEFAULTS[name];
  const reg = job.reg ?? d.reg;
  const model: ModelConfig =
    job.model.kind === 'file'
      ? layersConfig(job.model.path, reg)
      : {
          name,
          options: modelOptions(job.model.name, {
            hidden: job.hidden,
            normalization: job.normalization,
            dropout: job.dropout,
            reg,
            k: job.k,
          }),
        };
  const n = ds.trainCount;
  const valCount =
    job.valSplit !== undefined ? Math.round(job.valSplit * n) : Math.min(1000, Math.floor(n / 10));
  // kNN compares every test image with every training image: the course's 5,000 / 500 unless --limit says.
  const isKnn = name === 'knn';
  return {
    model,
    data: dataLabel(job.data),
    epochs: job.epochs ?? d.epochs,
    batchSize: job.batchSize ?? d.batchSize,
    optimizer: job.optimizer ?? d.optimizer,
    lr: job.lr ?? d.lr,
    lrDecay: job.lrDecay ?? 1,
    lrSchedule: job.lrSchedule ?? d.schedule ?? 'constant',
    reg,
    augment: job.augment ?? 'none',
    seed: job.seed,
    dtype: job.dtype,
    valCount,
    limit: job.limit ?? (isKnn ? 5000 : null),
    testLimit: job.limit ?? (isKnn ? 500 : null),
    command: job.command,
  };
}

function augmentFn(kind: AugmentName): ((X: NDArray, rng: Generator) => NDArray) | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'flip':
      return (X, rng) => randomFlip(X, { rng });
    case 'crop':
      return (X, rng) => randomCrop(X, { rng, padding: Math.max(1, Math.round(X.shape[2] / 8)) });
    case 'flip+crop':
      return (X, rng) =>
        augmentBatch(X, { rng, padding: Math.max(1, Math.round(X.shape[2] / 8)), flip: true });
  }
}

function solverArrays(solver: Solver, model: Model): Record<string, NDArray> {
  const { arrays } = splitOptimConfigs(solver.optimConfigs);
  const out: Record<string, NDArray> = {
    ...prefixed('params', model.params),
    ...prefixed('best', solver.bestParams),
    ...prefixed('buffers', model.buffers?.() ?? {}),
  };
  for (const [p, a] of Object.entries(arrays)) Object.assign(out, prefixed(`optim/${p}`, a));
  // Solver.resume covers epoch ends only; a Ctrl-C lands mid-epoch, so the epoch's order is kept too.
  if (solver.order) out['solver/order'] = solver.order;
  return out;
}

function solverMeta(solver: Solver, model: Model): Record<string, unknown> {
  const { scalars } = splitOptimConfigs(solver.optimConfigs);
  return {
    epoch: solver.epoch,
    iteration: solver.iteration,
    updateRule: solver.updateRuleName,
    optimScalars: scalars,
    solverRngState: encodeState(solver.rng.getState()),
    modelRngState: model.rng ? encodeState(model.rng.getState()) : null,
    bestValAcc: solver.bestValAcc,
  };
}

/**
 * Puts a Solver back where a checkpoint left it, mid-epoch included (Solver.resume covers epoch ends; a
 * Ctrl-C lands anywhere, so the epoch's minibatch order is restored too).
 */
function restoreSolver(
  solver: Solver,
  model: Model,
  meta: CheckpointMeta,
  arrays: Record<string, NDArray>,
): void {
  const s = meta.extra?.solver as Record<string, unknown>;
  loadModelArrays(model, group(arrays, 'params'), group(arrays, 'buffers'));
  const best = group(arrays, 'best');
  solver.bestParams = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, v.copy()]));
  const scalars = s.optimScalars as Record<string, Record<string, number>>;
  for (const p of Object.keys(model.params)) {
    const c: OptimConfig = { ...solver.optimConfig, ...(scalars[p] ?? {}) };
    for (const [k, a] of Object.entries(group(arrays, `optim/${p}`)))
      (c as Record<string, unknown>)[k] = a.copy();
    solver.optimConfigs[p] = c;
  }
  solver.epoch = s.epoch as number;
  solver.iteration = s.iteration as number;
  solver.lossHistory = [...meta.history.loss];
  solver.trainAccHistory = [...meta.history.trainAcc];
  solver.valAccHistory = [...meta.history.valAcc];
  solver.bestValAcc = s.bestValAcc as number;
  solver.rng.setState(decodeState(s.solverRngState as (number | null)[]));
  if (s.modelRngState && model.rng) model.rng.setState(decodeState(s.modelRngState as (number | null)[]));
  solver.order = arrays['solver/order'] ? arrays['solver/order'].copy() : null;
}

/** Runs a training job; resolves with the result, or rejects with RunStopped when stopped or diverged. */
export async function runTrainJob(job: TrainJob, hooks: JobHooks): Promise<JobResult> {
  const { emit } = hooks;
  const log = (line: string): void => emit({ type: 'log', line });
  const paths = {
    json: join(job.runDir, RUN_FILES.checkpointJson),
    npz: join(job.runDir, RUN_FILES.checkpointNpz),
  };
  const metrics = new MetricsLog(join(job.runDir, RUN_FILES.metrics));

  let resumed: ReturnType<typeof loadCheckpoint> | null = null;
  let config: RunConfig;
  if (job.resume) {
    resumed = loadCheckpoint(job.runDir);
    config = resumed.meta.extra?.config as RunConfig;
    if (resumed.meta.training.done) {
      throw new RunStopped(
        `${job.runDir} finished training already; evaluate it with \`nabla eval ${job.runDir}\``,
      );
    }
  }

  const t0 = performance.now();
  const preConfig = job.resume ? config! : resolveConfig(job, { trainCount: Infinity });
  const ds: ImageDataset = await loadDataset(job.data, {
    limit: preConfig.limit ?? undefined,
    testLimit: preConfig.testLimit ?? undefined,
  });
  if (!job.resume) config = resolveConfig(job, { trainCount: ds.yTrain.size });
  const cfg = config!;
  const name = cfg.model.name;
  const layout = layoutOf(name);
  const data: PreparedData = prepareData(ds, {
    valCount: cfg.valCount,
    layout,
    dtype: cfg.dtype,
    normalization: resumed?.meta.normalization,
  });
  const [h, w, c] = ds.imageShape;
  const inputShape = layout === 'chw' ? [c, h, w] : [h * w * c];
  const numClasses = ds.classNames.length;
  log(
    `data     ${ds.name}: ${data.yTrain.size.toLocaleString('en-US')} train, ${data.yVal.size.toLocaleString('en-US')} val, ` +
      `${data.yTest.size.toLocaleString('en-US')} test images of ${h}x${w}x${c}, ${numClasses} classes ` +
      `(loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );

  const base = (): Omit<CheckpointContent, 'training' | 'history' | 'optimizer' | 'extra'> => ({
    nabla: packageVersion(),
    model: { name, config: { ...cfg.model } as Record<string, unknown> },
    inputShape,
    imageShape: ds.imageShape,
    classNames: ds.classNames,
    normalization: data.normalization,
    data: { name: ds.name, numTrain: data.yTrain.size, numVal: data.yVal.size, numTest: data.yTest.size },
  });

  if (name === 'knn') return runKnn(job, cfg, ds, data, base(), paths, metrics, log);

  const model = buildModel(cfg.model, { inputShape, numClasses, dtype: cfg.dtype, seed: cfg.seed });
  const numParams = Object.values(model.params).reduce((a, p) => a + p.size, 0);
  log(
    `model    ${name === 'layers' ? (cfg.model.options.file as string) : name}: ${numParams.toLocaleString('en-US')} parameters; ` +
      `${cfg.optimizer} lr ${cfg.lr}, batch ${cfg.batchSize}, ${cfg.epochs} epoch${cfg.epochs === 1 ? '' : 's'}, reg ${cfg.reg}, ${cfg.dtype}`,
  );
  const solver = new Solver(
    model,
    { XTrain: data.XTrain, yTrain: data.yTrain, XVal: data.XVal, yVal: data.yVal },
    {
      updateRule: RULES[cfg.optimizer],
      optimConfig: { learningRate: cfg.lr },
      lrDecay: cfg.lrDecay,
      batchSize: Math.min(cfg.batchSize, data.yTrain.size),
      numEpochs: cfg.epochs,
      verbose: false,
      numTrainSamples: 1000,
      numValSamples: null,
      seed: cfg.seed,
      shuffle: true,
      augment: layout === 'chw' ? augmentFn(cfg.augment) : undefined,
    },
  );
  if (resumed) {
    restoreSolver(solver, model, resumed.meta, resumed.arrays);
    metrics.truncateAfter(solver.iteration);
    log(
      `resume   from iteration ${solver.iteration} (epoch ${(solver.iteration / solver.iterationsPerEpoch).toFixed(2)})`,
    );
  }

  const checkpoint = (done: boolean): void => {
    saveCheckpoint(
      paths,
      {
        ...base(),
        optimizer: { rule: solver.updateRuleName, config: { learningRate: cfg.lr, lrDecay: cfg.lrDecay } },
        training: {
          iteration: solver.iteration,
          iterationsPerEpoch: solver.iterationsPerEpoch,
          numEpochs: cfg.epochs,
          batchSize: solver.batchSize,
          done,
        },
        history: { loss: solver.lossHistory, trainAcc: solver.trainAccHistory, valAcc: solver.valAccHistory },
        extra: { solver: solverMeta(solver, model), config: cfg },
      },
      solverArrays(solver, model),
    );
  };

  // A fixed slice of the validation set, scored now and then for the progress line (no random draws, so
  // the run's losses are the same with or without it).
  const probe = data.XVal.shape[0] > 0 ? { X: data.XVal.slice('0:250'), y: data.yVal.slice('0:250') } : null;
  let probeAcc: number | undefined;
  const probeEvery = Math.max(20, Math.round(solver.numIterations / 25));
  const guard = new LossGuard(cfg.lr);
  let speed = 0;
  const ipe = solver.iterationsPerEpoch;
  const total = solver.numIterations;
  const boundary = (i: number): boolean => i === 1 || i % ipe === 0 || i >= total;
  let stoppedAt: number | null = null;
  let lastYield = performance.now();
  const stopNow = (): never => {
    checkpoint(false);
    stoppedAt = solver.iteration;
    metrics.append({
      type: 'event',
      event: 'interrupted',
      iteration: solver.iteration,
      time: new Date().toISOString(),
    });
    throw new StopTraining();
  };

  solver.on('iteration', (e) => {
    guard.check(e.loss, e.iteration, e.epoch);
    if (cfg.lrSchedule === 'cosine') {
      // The rate of the next step: per-epoch decay times a cosine from 1 down to 0 over the whole run. At an
      // epoch's end the Solver applies lrDecay after this listener, so it is divided out here.
      const factor = 0.5 * (1 + Math.cos((Math.PI * e.iteration) / total));
      const epochEnd = e.iteration % ipe === 0;
      const rate =
        (cfg.lr * cfg.lrDecay ** Math.floor(e.iteration / ipe) * factor) / (epochEnd ? cfg.lrDecay : 1);
      for (const c of Object.values(solver.optimConfigs)) c.learningRate = rate;
    }
    speed = speed === 0 ? e.imagesPerSec : 0.9 * speed + 0.1 * e.imagesPerSec;
    metrics.append({ type: 'iteration', iteration: e.iteration, epoch: e.epoch, loss: e.loss });
    if (probe && (e.iteration % probeEvery === 0 || e.iteration === total)) {
      const pred = predictLabels(model, probe.X);
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
    // At an epoch boundary the Solver still has to decay the rate and measure accuracy: stop after that.
    if (boundary(e.iteration)) return;
    if (hooks.stopRequested()) stopNow();
    if (performance.now() - lastYield > 200) throw new Pause();
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
      modelName: name,
      model,
      XTest: data.XTest,
      rawTest: data.rawTest,
      yTest: data.yTest,
      imageShape: ds.imageShape,
      classNames: ds.classNames,
    });
    if (e.iteration % ipe === 0 && e.iteration < total) checkpoint(false);
    if (hooks.stopRequested() && e.iteration < total) stopNow();
  });

  emit({
    type: 'start',
    totalIterations: Math.ceil(total),
    iterationsPerEpoch: ipe,
    numEpochs: cfg.epochs,
    fromIteration: solver.iteration,
    batchSize: solver.batchSize,
    config: cfg,
  });
  const tTrain = performance.now();
  const startIter = solver.iteration;
  for (;;) {
    try {
      solver.train();
      break;
    } catch (err) {
      if (err instanceof Pause) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        continue;
      }
      if (err instanceof StopTraining) {
        emit({ type: 'stopped', iteration: stoppedAt!, epoch: stoppedAt! / ipe, checkpoint: paths.json });
        throw new RunStopped('interrupted');
      }
      if (err instanceof RunStopped) {
        // Diverged: keep the metrics so far, so the user can look at the loss curve.
        metrics.append({
          type: 'event',
          event: 'diverged',
          iteration: solver.iteration,
          time: new Date().toISOString(),
        });
      }
      throw err;
    }
  }
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const images = (solver.iteration - startIter) * solver.batchSize;

  const pred = predictLabels(model, data.XTest);
  const evaluation = evaluatePredictions(pred, data.yTest, numClasses);
  metrics.append({
    type: 'test',
    accuracy: evaluation.accuracy,
    perClass: evaluation.perClass,
    count: evaluation.count,
  });
  checkpoint(true);
  const meta = loadCheckpoint(job.runDir).meta;
  const report = job.report
    ? await buildRunReport(job.runDir, {
        meta,
        model,
        evaluation,
        pred,
        rawTest: data.rawTest,
        yTest: data.yTest.toTypedArray(),
        trainSeconds,
        command: cfg.command,
      })
    : null;
  return {
    runDir: job.runDir,
    modelName: name,
    testAccuracy: evaluation.accuracy,
    bestValAcc: solver.bestValAcc,
    trainSeconds,
    imagesPerSec: trainSeconds > 0 ? images / trainSeconds : 0,
    iterations: solver.iteration - startIter,
    checkpoint: paths.json,
    report,
    evaluation,
    classNames: ds.classNames,
  };
}

/** kNN: "training" memorises the training set; the checkpoint keeps it (data/XTrain, data/yTrain). */
async function runKnn(
  job: TrainJob,
  cfg: RunConfig,
  ds: ImageDataset,
  data: PreparedData,
  base: Omit<CheckpointContent, 'training' | 'history' | 'optimizer' | 'extra'>,
  paths: { json: string; npz: string },
  metrics: MetricsLog,
  log: (l: string) => void,
): Promise<JobResult> {
  const k = Number(cfg.model.options.k ?? 1);
  const knn = new KNearestNeighbor();
  knn.train(data.XTrain, data.yTrain);
  const tPred = performance.now();
  const valPred = data.yVal.size > 0 ? knnPredict(knn, data.XVal, k) : new Int32Array(0);
  const valAcc = evaluatePredictions(valPred, data.yVal, ds.classNames.length).accuracy;
  metrics.append({ type: 'epoch', epoch: 1, iteration: 0, trainAcc: NaN, valAcc });
  log(`knn      k=${k}: validation accuracy ${(100 * valAcc).toFixed(2)}%`);
  const pred = knnPredict(knn, data.XTest, k);
  const seconds = (performance.now() - tPred) / 1000;
  const evaluation = evaluatePredictions(pred, data.yTest, ds.classNames.length);
  metrics.append({
    type: 'test',
    accuracy: evaluation.accuracy,
    perClass: evaluation.perClass,
    count: evaluation.count,
  });
  saveCheckpoint(
    paths,
    {
      ...base,
      optimizer: null,
      training: { iteration: 0, iterationsPerEpoch: 0, numEpochs: 0, batchSize: 0, done: true },
      history: { loss: [], trainAcc: [], valAcc: [valAcc] },
      extra: { config: cfg },
    },
    { 'data/XTrain': data.XTrain, 'data/yTrain': data.yTrain },
  );
  const meta = loadCheckpoint(job.runDir).meta;
  const report = job.report
    ? await buildRunReport(job.runDir, {
        meta,
        model: null,
        evaluation,
        pred,
        rawTest: data.rawTest,
        yTest: data.yTest.toTypedArray(),
        trainSeconds: seconds,
        command: cfg.command,
      })
    : null;
  return {
    runDir: job.runDir,
    modelName: 'knn',
    testAccuracy: evaluation.accuracy,
    bestValAcc: valAcc,
    trainSeconds: seconds,
    imagesPerSec: seconds > 0 ? (data.yTest.size + data.yVal.size) / seconds : 0,
    iterations: 0,
    checkpoint: paths.json,
    report,
    evaluation,
    classNames: ds.classNames,
  };
}
