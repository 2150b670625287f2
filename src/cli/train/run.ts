/**
 * One training run, start to finish: load the data, build the model, train it with the Solver (or memorise
 * it, for kNN), checkpoint each epoch and when stopped, evaluate on the test set, write the report.
 *
 * The Solver's `run()` yields to the event loop between steps, so a signal handler can abort it; it stops
 * between two steps, where its state is complete, and that state is the checkpoint.
 */
import { join } from 'node:path';
import { augmentBatch, randomCrop, randomFlip } from '../../data/augment.js';
import type { Model } from '../../models/model.js';
import { buildModel, layoutOf, UPDATE_RULES } from '../../models/registry.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import type { Generator } from '../../ndarray/random.js';
import { cosineLr } from '../../optim/schedules.js';
import { removeStaleTemps } from '../../solver/checkpoint.js';
import { predictLabels, Solver, type SolverOptions } from '../../solver/solver.js';
import type { SolverState } from '../../solver/state.js';
import { loadRunCheckpoint, saveRunCheckpoint, type RunInfo } from '../checkpoint.js';
import type { AugmentName } from '../choices.js';
import { loadDataset, prepareData, type ImageDataset, type PreparedData } from '../../data/registry.js';
import { RunStopped } from '../errors.js';
import { evaluatePredictions } from '../evaluate.js';
import { MetricsLog } from '../metrics.js';
import { buildRunReport } from '../runReport.js';
import { RUN_FILES } from '../runDir.js';
import { packageVersion } from '../version.js';
import { resolveConfig, type RunConfig } from './config.js';
import { doneResult, type JobHooks, type JobResult, type JobStopped, type TrainJob } from './job.js';
import { runKnn } from './knn.js';
import { isCaptionModel, runCaptionJob } from './caption.js';
import { watchSolver } from './watch.js';
import { isGanJob, runGanJob } from './gan.js';
import { isSimclrJob, runSimclrJob } from './simclr.js';

/** A run's data and settings, ready to train on. */
export interface RunContext {
  job: TrainJob;
  cfg: RunConfig;
  ds: ImageDataset;
  data: PreparedData;
  info: RunInfo;
  metrics: MetricsLog;
  checkpointJson: string;
  resumed: ReturnType<typeof loadRunCheckpoint> | null;
  log: (line: string) => void;
}

/** Runs a training job; resolves with the result (or the stop), rejects with RunStopped when it diverged. */
export async function runTrainJob(job: TrainJob, hooks: JobHooks): Promise<JobResult | JobStopped> {
  if (isCaptionModel(job)) return runCaptionJob(job, hooks);
  if (isGanJob(job)) return runGanJob(job, hooks);
  if (isSimclrJob(job)) return runSimclrJob(job, hooks);
  const ctx = await prepareRun(job, (line) => hooks.emit({ type: 'log', line }));
  if (ctx.cfg.model.name === 'knn') return runKnn(ctx);
  const { cfg, data, info } = ctx;
  const model = buildModel(cfg.model, {
    inputShape: info.inputShape,
    numClasses: info.classNames.length,
    dtype: cfg.dtype,
    seed: cfg.seed,
  });
  const numParams = Object.values(model.params).reduce((a, p) => a + p.size, 0);
  ctx.log(
    `model    ${cfg.model.name === 'layers' ? (cfg.model.options.file as string) : cfg.model.name}: ${numParams.toLocaleString('en-US')} parameters; ` +
      `${cfg.optimizer} lr ${cfg.lr}, batch ${cfg.batchSize}, ${cfg.epochs} epoch${cfg.epochs === 1 ? '' : 's'}, reg ${cfg.reg}, ${cfg.dtype}`,
  );
  const solver = new Solver(
    model,
    { XTrain: data.XTrain, yTrain: data.yTrain, XVal: data.XVal, yVal: data.yVal },
    {
      ...solverOptions(cfg, data.yTrain.size),
      numTrainSamples: 1000,
      numValSamples: null,
      augment: layoutOf(cfg.model.name) === 'chw' ? augmentFn(cfg.augment) : undefined,
    },
  );
  const save = (): string => saveRunCheckpoint(job.runDir, info, solver.state()).json;
  resumeSolver(solver, ctx);
  watchSolver(solver, ctx, hooks, save, { model: model as Model, ctx });
  const trained = await trainToEnd(solver, ctx, hooks, save);
  if (trained.status === 'stopped') return trained;
  return finishRun(ctx, model as Model, solver, { ...trained, save });
}

/** The Solver's settings of a run: rule, rate and schedule, batch, epochs, seed; stops when it diverges. */
export function solverOptions(cfg: RunConfig, numTrain: number): SolverOptions {
  return {
    updateRule: UPDATE_RULES[cfg.optimizer],
    optimConfig: { learningRate: cfg.lr },
    lrDecay: cfg.lrDecay,
    lrSchedule: cfg.lrSchedule === 'cosine' ? cosineLr() : undefined,
    batchSize: Math.min(cfg.batchSize, numTrain),
    numEpochs: cfg.epochs,
    verbose: false,
    seed: cfg.seed,
    stopOnDivergence: true,
  };
}

/** Puts a resumed run's Solver where its checkpoint left it. */
export function resumeSolver(solver: Solver, ctx: Pick<RunContext, 'resumed' | 'metrics' | 'log'>): void {
  if (!ctx.resumed) return;
  solver.loadState(ctx.resumed as unknown as SolverState);
  ctx.metrics.truncateAfter(solver.iteration);
  ctx.log(
    `resume   from iteration ${solver.iteration} (epoch ${(solver.iteration / solver.iterationsPerEpoch).toFixed(2)})`,
  );
}

/**
 * Trains until done, stopped (a signal: the checkpoint is saved and the stop returned) or diverged
 * (RunStopped with advice; the last good checkpoint stays as it was). With `budgetSeconds`, training also
 * ends between two steps once that much time has passed (`budgetReached`), as if done.
 */
export async function trainToEnd(
  solver: Solver,
  ctx: Pick<RunContext, 'job' | 'cfg' | 'metrics'>,
  hooks: JobHooks,
  save: () => string,
  budgetSeconds = Infinity,
): Promise<
  JobStopped | { status: 'trained'; trainSeconds: number; images: number; budgetReached?: boolean }
> {
  const tTrain = performance.now();
  const startIter = solver.iteration;
  const timeUp = new AbortController();
  const signal = hooks.signal ? AbortSignal.any([hooks.signal, timeUp.signal]) : timeUp.signal;
  const onEvent = Number.isFinite(budgetSeconds)
    ? (e: { type: string }): void => {
        if (e.type === 'iteration' && (performance.now() - tTrain) / 1000 >= budgetSeconds) timeUp.abort();
      }
    : undefined;
  const r = await solver.run({ signal, onEvent });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const images = (solver.iteration - startIter) * solver.batchSize;
  if (r.status === 'aborted' && timeUp.signal.aborted && !hooks.signal?.aborted) {
    ctx.metrics.append({
      type: 'event',
      event: 'budget',
      iteration: solver.iteration,
      time: new Date().toISOString(),
    });
    return { status: 'trained', trainSeconds, images, budgetReached: true };
  }
  const event = (name: string): void =>
    ctx.metrics.append({
      type: 'event',
      event: name,
      iteration: solver.iteration,
      time: new Date().toISOString(),
    });
  if (r.status === 'aborted') {
    const checkpoint = save();
    event('interrupted');
    const epoch = solver.iteration / solver.iterationsPerEpoch;
    hooks.emit({ type: 'stopped', iteration: solver.iteration, epoch, checkpoint });
    return { status: 'stopped', runDir: ctx.job.runDir, iteration: solver.iteration, epoch, checkpoint };
  }
  if (r.status === 'diverged') {
    event('diverged');
    const d = r.divergence!;
    const advice =
      d.suggestedLr !== undefined
        ? `The learning rate ${ctx.cfg.lr} is probably too high: try --lr ${d.suggestedLr}.`
        : 'Try a lower learning rate (--lr).';
    throw new RunStopped(`${d.message}. ${advice}`);
  }
  return { status: 'trained', trainSeconds, images };
}

/** Loads the data and settings of a new or resumed run. */
async function prepareRun(job: TrainJob, log: (line: string) => void): Promise<RunContext> {
  // What interrupted writes of the run's files left (a kill, a full disk): gone, unless their writer lives.
  removeStaleTemps(job.runDir, [
    RUN_FILES.checkpointNpz,
    RUN_FILES.checkpointJson,
    RUN_FILES.metrics,
    RUN_FILES.config,
  ]);
  const resumed = job.resume ? loadRunCheckpoint(job.runDir) : null;
  if (resumed?.meta.training.done)
    throw new RunStopped(
      `${job.runDir} finished training already; evaluate it with \`nabla eval ${job.runDir}\``,
    );
  const t0 = performance.now();
  const pre = resumed
    ? (resumed.meta.config as unknown as RunConfig)
    : resolveConfig(job, { trainCount: Infinity });
  const ds = await loadDataset(job.data, {
    limit: pre.limit ?? undefined,
    testLimit: pre.testLimit ?? undefined,
  });
  const cfg = resumed ? pre : resolveConfig(job, { trainCount: ds.yTrain.size });
  const layout = layoutOf(cfg.model.name);
  const data = prepareData(ds, {
    valCount: cfg.valCount,
    layout,
    dtype: cfg.dtype,
    normalization: resumed?.meta.normalization,
  });
  const [h, w, c] = ds.imageShape;
  const n = (a: NDArray): string => a.size.toLocaleString('en-US');
  log(
    `data     ${ds.name}: ${n(data.yTrain)} train, ${n(data.yVal)} val, ${n(data.yTest)} test images of ${h}x${w}x${c}, ` +
      `${ds.classNames.length} classes (loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );
  const info: RunInfo = {
    nabla: packageVersion(),
    model: { name: cfg.model.name, config: { ...cfg.model } },
    inputShape: layout === 'chw' ? [c, h, w] : [h * w * c],
    imageShape: ds.imageShape,
    classNames: ds.classNames,
    normalization: data.normalization,
    data: { name: ds.name, numTrain: data.yTrain.size, numVal: data.yVal.size, numTest: data.yTest.size },
    config: cfg as unknown as Record<string, unknown>,
  };
  const metrics = new MetricsLog(join(job.runDir, RUN_FILES.metrics));
  const checkpointJson = join(job.runDir, RUN_FILES.checkpointJson);
  return { job, cfg, ds, data, info, metrics, checkpointJson, resumed, log };
}

/** After training: the test evaluation, the final checkpoint and the report. */
async function finishRun(
  ctx: RunContext,
  model: Model,
  solver: Solver,
  run: { trainSeconds: number; images: number; save: () => string },
): Promise<JobResult> {
  const { data, info, job } = ctx;
  const pred = predictLabels(model, data.XTest).toTypedArray() as Int32Array;
  const evaluation = evaluatePredictions(pred, data.yTest, info.classNames.length);
  ctx.metrics.append({
    type: 'test',
    accuracy: evaluation.accuracy,
    perClass: evaluation.perClass,
    count: evaluation.count,
  });
  const checkpoint = run.save();
  const meta = loadRunCheckpoint(job.runDir).meta;
  const report = job.report
    ? await buildRunReport(job.runDir, {
        meta,
        model,
        evaluation,
        pred,
        rawTest: data.rawTest,
        yTest: data.yTest.toTypedArray(),
        trainSeconds: run.trainSeconds,
        command: ctx.cfg.command,
      })
    : null;
  return doneResult({
    runDir: job.runDir,
    modelName: info.model.name,
    trained: run,
    scored: { evaluation, bestValAcc: solver.bestValAcc },
    iterations: run.images / solver.batchSize,
    checkpoint,
    report,
    classNames: info.classNames,
  });
}

function augmentFn(kind: AugmentName): ((X: NDArray, rng: Generator) => NDArray) | undefined {
  const pad = (X: NDArray): number => Math.max(1, Math.round(X.shape[2] / 8));
  switch (kind) {
    case 'none':
      return undefined;
    case 'flip':
      return (X, rng) => randomFlip(X, { rng });
    case 'crop':
      return (X, rng) => randomCrop(X, { rng, padding: pad(X) });
    case 'flip+crop':
      return (X, rng) => augmentBatch(X, { rng, padding: pad(X), flip: true });
  }
}
