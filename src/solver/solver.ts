/**
 * The Solver: minibatch training of any model with a `loss(...batch)` contract (CS231n's solver.py, made
 * task-agnostic).
 *
 *   const solver = new Solver(model, { XTrain, yTrain, XVal, yVal }, {
 *     updateRule: 'sgdMomentum', optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95,
 *     numEpochs: 10, batchSize: 100, printEvery: 100,
 *   });
 *   solver.train();          // or: await solver.run({ signal }) to stay responsive and stoppable
 *   solver.bestValAcc;       // and model.params now hold the best parameters seen
 *
 * Data: arrays as the course gives them ({ XTrain, yTrain, XVal, yVal }) or datasets ({ train, val }, see
 * data/batches.ts) whose batches are the arguments of `model.loss` — [X, y], [features, captions], [X].
 * Each step samples a minibatch, computes the loss and gradients and updates every parameter with its own
 * copy of `optimConfig`. The learning rate is the Solver's alone: base rate × schedule (lrDecay per epoch,
 * cosine, warm-up), written into the configs before each step and recorded in `lrHistory`. After each epoch
 * the metric (accuracy by default) is measured on training and validation data, the best parameters are
 * kept, and a checkpoint is written when `checkpointName` is set. Events go to listeners
 * (`on('iteration' | 'epoch' | 'end', cb)`) and `onEvent`.
 *
 * Everything random (minibatch order, metric subsampling, augmentation) draws from one seeded Generator,
 * saved with the model's own (dropout) in `state()`, so a restored Solver continues with exactly the losses
 * an uninterrupted run would have produced.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { arange } from '../ndarray/creation.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { updateRules, type OptimConfig, type UpdateRule } from '../optim/optim.js';
import { composeLr, stepDecay, type LrSchedule } from '../optim/schedules.js';
import { isStaged, type Grads, type LossModel, type Model } from '../models/model.js';
import { ArrayDataset, BatchSampler, type Dataset } from '../data/batches.js';
import { nodeFs, nodePath } from '../nodeFiles.js';
import { accuracyMetric, accuracyOf, type Metric } from './metrics.js';
import { LossGuard, nonFiniteParam, type Divergence } from './guard.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import {
  decodeRngState,
  encodeRngState,
  group,
  loadModelArrays,
  prefixed,
  splitOptimConfigs,
  type SolverState,
} from './state.js';
import type { EndEvent, EpochEvent, IterationEvent, RunOptions, RunResult, SolverEvent } from './events.js';

export type * from './events.js';

/** The course's arrays: training and validation examples with labels. */
export interface SolverData {
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;
}

/** Datasets whose batches are the arguments of the model's loss. */
export interface SolverDatasets {
  train: Dataset;
  /** Measured after each epoch with the metric (none: only the training metric... or none at all). */
  val?: Dataset;
}

/** The Solver's events and what each listener receives (Solver.on). */
export type EventMap = { iteration: IterationEvent; epoch: EpochEvent; end: EndEvent };

/** The Solver's options (the course's Solver keywords in camelCase, plus schedules, augmentation, metric). */
export interface SolverOptions {
  /** An update rule by name ('sgd', 'sgdMomentum', 'rmsprop', 'adam') or a function (default 'sgd'). */
  updateRule?: string | UpdateRule;
  /** Hyperparameters given to the update rule, copied per parameter (e.g. { learningRate: 1e-3 }). */
  optimConfig?: OptimConfig;
  /** The learning rate is multiplied by this after every epoch (default 1), as the course's lr_decay. */
  lrDecay?: number;
  /** A schedule multiplying the base rate (applied on top of lrDecay), e.g. cosineLr(). */
  lrSchedule?: LrSchedule;
  batchSize?: number;
  numEpochs?: number;
  /** Print the loss every this many iterations when verbose. */
  printEvery?: number;
  verbose?: boolean;
  /** Training examples sampled to measure the metric each epoch (null: all). Default 1000. */
  numTrainSamples?: number | null;
  /** Validation examples sampled to measure the metric (null: all). */
  numValSamples?: number | null;
  /** What to measure after each epoch (default: accuracy of [X, y] batches). Higher is better. */
  metric?: Metric | null;
  /** When set, write `<checkpointName>_epoch_<e>.{npz,json}` after every epoch. */
  checkpointName?: string | null;
  /** Seeds the generator for minibatches, metric subsampling and augmentation (default 0). */
  seed?: number;
  /**
   * Minibatches are drawn from a fresh permutation each epoch (true, default), or sampled with
   * replacement as in the course's solver.py (false).
   */
  shuffle?: boolean;
  /** Transforms the first array of each training batch (N, ...) → (N, ...), e.g. random crops and flips. */
  augment?: (XBatch: NDArray, rng: Generator) => NDArray;
  /** Stop run() when the loss or the parameters stop being finite, or the loss explodes (default false). */
  stopOnDivergence?: boolean;
  /** Called with every event (as well as the listeners added with `on`). */
  onEvent?: (event: SolverEvent) => void;
  /** Where verbose output goes (default console.log). */
  log?: (line: string) => void;
}

/** The course's Solver: trains a model on {XTrain, yTrain, XVal, yVal} with an update rule, minibatches, learning-rate decay or schedules; keeps the best parameters; train() or the event-driven run(). */
export class Solver {
  readonly model: LossModel;
  readonly trainData: Dataset;
  readonly valData: Dataset | null;
  readonly updateRule: UpdateRule;
  readonly updateRuleName: string;
  readonly optimConfig: OptimConfig;
  readonly lrDecay: number;
  readonly lrSchedule: LrSchedule;
  readonly batchSize: number;
  readonly numEpochs: number;
  readonly printEvery: number;
  readonly verbose: boolean;
  readonly numTrainSamples: number | null;
  readonly numValSamples: number | null;
  readonly metric: Metric | null;
  readonly checkpointName: string | null;
  /** The augmentation applied to each training batch (SolverOptions.augment). */
  readonly augment: SolverOptions['augment'];
  readonly stopOnDivergence: boolean;

  /** The generator for minibatches, subsampling and augmentation. */
  readonly rng: Generator;
  readonly sampler: BatchSampler;
  epoch = 0;
  /** Iterations completed. */
  iteration = 0;
  bestValAcc = 0;
  bestParams: Record<string, NDArray> = {};
  lossHistory: number[] = [];
  /** The metric (accuracy by default) on training data, at the first iteration and each epoch's end. */
  trainAccHistory: number[] = [];
  valAccHistory: number[] = [];
  /** The learning rate each step used. */
  lrHistory: number[] = [];
  /** A staged model's losses by name, one per iteration (a GAN's dLoss and gLoss). */
  partsHistory: Record<string, number[]> = {};
  optimConfigs: Record<string, OptimConfig> = {};
  /** The last checkpoint written (its .json), if any. */
  lastCheckpoint: string | null = null;
  /** Why training diverged (with stopOnDivergence), else null. */
  divergence: Divergence | null = null;

  /** The base rate the schedule multiplies: optimConfig.learningRate, or the rule's default once known. */
  private baseLr: number | null;
  private readonly guard = new LossGuard();
  private listeners: { [K in keyof EventMap]: ((e: EventMap[K]) => void)[] } = {
    iteration: [],
    epoch: [],
    end: [],
  };
  private readonly onEvent?: (event: SolverEvent) => void;
  private readonly log: (line: string) => void;
  private clock = { start: 0, windowStart: 0, windowImages: 0 };

  constructor(model: LossModel, data: SolverData | SolverDatasets, options: SolverOptions = {}) {
    const {
      updateRule = 'sgd',
      optimConfig = {},
      lrDecay = 1,
      lrSchedule,
      batchSize = 100,
      numEpochs = 10,
      printEvery = 10,
      verbose = true,
      numTrainSamples = 1000,
      numValSamples = null,
      metric = accuracyMetric,
      checkpointName = null,
      seed = 0,
      shuffle = true,
      augment,
      stopOnDivergence = false,
      onEvent,
      log = (line: string) => console.log(line),
    } = options;
    const { train, val } = toDatasets(data);
    [this.updateRule, this.updateRuleName] = resolveRule(updateRule);
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`Solver: invalid batchSize ${batchSize}`);
    if (!Number.isInteger(numEpochs) || numEpochs < 0)
      throw new RangeError(`Solver: invalid numEpochs ${numEpochs}`);
    this.model = model;
    this.trainData = train;
    this.valData = val;
    this.optimConfig = optimConfig;
    this.lrDecay = lrDecay;
    const decay = lrDecay === 1 ? [] : [stepDecay(lrDecay)];
    this.lrSchedule = composeLr(...decay, ...(lrSchedule ? [lrSchedule] : []));
    this.baseLr = optimConfig.learningRate ?? null;
    this.batchSize = batchSize;
    this.numEpochs = numEpochs;
    this.printEvery = printEvery;
    this.verbose = verbose;
    this.numTrainSamples = numTrainSamples;
    this.numValSamples = numValSamples;
    this.metric = metric;
    this.checkpointName = checkpointName;
    this.augment = augment;
    this.stopOnDivergence = stopOnDivergence;
    this.onEvent = onEvent;
    this.log = log;
    this.rng = new Generator(seed);
    this.sampler = new BatchSampler(train.length, batchSize, this.rng, shuffle);
    for (const p of Object.keys(this.model.params)) this.optimConfigs[p] = { ...this.optimConfig };
  }

  /** Adds a listener: 'iteration' after every step, 'epoch' after every metric check, 'end' once. */
  on<K extends keyof EventMap>(name: K, cb: (e: EventMap[K]) => void): this {
    this.listeners[name].push(cb);
    return this;
  }

  private emit<K extends keyof EventMap>(name: K, e: EventMap[K]): void {
    for (const cb of this.listeners[name]) cb(e);
    this.onEvent?.(e);
  }

  get iterationsPerEpoch(): number {
    return this.sampler.stepsPerEpoch;
  }

  get numIterations(): number {
    return this.numEpochs * this.iterationsPerEpoch;
  }

  /** True once every step has run. */
  get done(): boolean {
    return this.iteration >= this.numIterations;
  }

  /** The learning rate of the next step (null while the rule's default is not yet known). */
  get learningRate(): number | null {
    if (this.baseLr === null) return null;
    const pos = {
      iteration: this.iteration,
      iterationsPerEpoch: this.iterationsPerEpoch,
      numIterations: this.numIterations,
    };
    const f = this.lrSchedule(pos);
    return f === 1 ? this.baseLr : this.baseLr * f;
  }

  /**
   * One training step: a minibatch, the loss and gradients, every parameter's update; at an epoch's end (and
   * after the first step) the metrics, the best parameters and the checkpoint; after the last step, the
   * best parameters go into the model. Returns the step's loss. The Solver's state is complete between
   * steps, so a caller may stop, save or pause there.
   */
  step(): number {
    if (this.done)
      throw new Error(
        `Solver.step: training is done (${this.iteration} of ${this.numIterations} iterations)`,
      );
    if (this.iteration === 0 || this.clock.start === 0) this.startClock();
    const t = this.iteration;
    const t0 = performance.now();
    const lr = this.learningRate;
    if (lr !== null) for (const c of Object.values(this.optimConfigs)) c.learningRate = lr;
    const { loss, parts } = this.update(t);
    if (this.baseLr === null) this.baseLr = Object.values(this.optimConfigs)[0]?.learningRate ?? null;
    const dt = (performance.now() - t0) / 1000;
    this.lossHistory.push(loss);
    if (parts) for (const [k, v] of Object.entries(parts)) (this.partsHistory[k] ??= []).push(v);
    this.lrHistory.push(lr ?? this.baseLr ?? NaN);
    this.iteration = t + 1;
    // As solver.py leaves them: the configs hold the rate of the next step.
    const next = this.learningRate;
    if (next !== null) for (const c of Object.values(this.optimConfigs)) c.learningRate = next;
    this.clock.windowImages += this.batchSize;
    if (this.verbose && t % this.printEvery === 0)
      this.log(`(Iteration ${t + 1} / ${this.numIterations}) loss: ${loss.toFixed(6)}`);
    if (this.stopOnDivergence && !this.divergence)
      this.divergence = this.guard.check(loss, t + 1, (t + 1) / this.iterationsPerEpoch, lr ?? undefined);
    this.emit('iteration', {
      type: 'iteration',
      iteration: t + 1,
      numIterations: this.numIterations,
      epoch: (t + 1) / this.iterationsPerEpoch,
      loss,
      learningRate: lr ?? this.baseLr ?? NaN,
      imagesPerSec: dt > 0 ? this.batchSize / dt : Infinity,
      ...(parts ? { parts } : {}),
    });
    const epochEnd = (t + 1) % this.iterationsPerEpoch === 0;
    if (epochEnd) this.epoch += 1;
    if (t === 0 || this.done || epochEnd) this.endOfEpoch(epochEnd);
    if (this.done) this.finish();
    return loss;
  }

  /** The minibatch of step t through the model and the update rule; returns the loss (and a staged model's parts). */
  private update(t: number): { loss: number; parts?: Record<string, number> } {
    const batch = this.trainData.batch(this.sampler.indices(t));
    if (this.augment) batch[0] = this.augment(batch[0], this.rng);
    const model = this.model;
    if (isStaged(model)) {
      const r = model.trainStep(batch, (grads) => this.applyUpdates(grads, false));
      this.warnNonFinite(r.loss, t);
      return r;
    }
    const out = model.loss(...batch);
    if (!Array.isArray(out))
      throw new Error(
        "Solver: the model's loss returned scores, not [loss, grads]: does the batch lack its labels?",
      );
    const [loss, grads] = out as [number, Grads];
    this.warnNonFinite(loss, t);
    this.applyUpdates(grads, true);
    return { loss };
  }

  private warnNonFinite(loss: number, t: number): void {
    if (!Number.isFinite(loss) && this.verbose) this.log(`(Iteration ${t + 1}) warning: loss is ${loss}`);
  }

  /**
   * The update rule on each parameter named in grads, with its own config. all: every parameter must have
   * a gradient (a plain model's step); otherwise grads may name a subset (one stage of a staged model).
   */
  private applyUpdates(grads: Grads, all: boolean): void {
    const params = this.model.params;
    if (!all) {
      const stray = Object.keys(grads).find((p) => !(p in params));
      if (stray) throw new Error(`Solver: a stage of the model's step updated '${stray}', not a parameter`);
    }
    for (const [p, w] of Object.entries(params)) {
      const dw = grads[p];
      if (!dw) {
        if (!all) continue;
        throw new Error(`Solver: the model's loss returned no gradient for parameter '${p}'`);
      }
      const [nextW, nextConfig] = this.updateRule(w, dw, this.optimConfigs[p]);
      // Update rules work in place; a rule that returns a new array is copied back so that whoever
      // holds the parameter array (a module, a view) sees the new values.
      if (nextW !== w) w.set('...', nextW);
      this.optimConfigs[p] = nextConfig;
    }
  }

  private startClock(): void {
    const now = performance.now();
    this.clock = { start: now, windowStart: now, windowImages: 0 };
  }

  /** Metrics, best parameters and checkpoint after the first step and at each epoch's end. */
  private endOfEpoch(epochEnd: boolean): void {
    const elapsedWindow = (performance.now() - this.clock.windowStart) / 1000;
    const opts = (numSamples: number | null) => ({ numSamples, rng: this.rng, batchSize: 100 });
    const trainAcc = this.metric
      ? this.metric.evaluate(this.model, this.trainData, opts(this.numTrainSamples))
      : NaN;
    const valAcc =
      this.metric && this.valData
        ? this.metric.evaluate(this.model, this.valData, opts(this.numValSamples))
        : NaN;
    this.trainAccHistory.push(trainAcc);
    this.valAccHistory.push(valAcc);
    if (this.verbose) {
      this.log(
        `(Epoch ${this.epoch} / ${this.numEpochs}) train acc: ${trainAcc.toFixed(6)}; val_acc: ${valAcc.toFixed(6)}`,
      );
    }
    const first = Object.keys(this.bestParams).length === 0;
    // Without a validation metric there is no "best" to keep (finish() leaves the last parameters).
    const keepsBest = this.metric !== null && this.valData !== null;
    if (keepsBest && (valAcc > this.bestValAcc || first)) {
      // The first measurement is the best so far whatever its sign (a metric may be negative, e.g. −loss).
      if (!Number.isNaN(valAcc)) this.bestValAcc = first ? valAcc : Math.max(valAcc, this.bestValAcc);
      for (const [p, w] of Object.entries(this.model.params)) {
        if (this.bestParams[p]) this.bestParams[p].set('...', w);
        else this.bestParams[p] = w.copy();
      }
    }
    if (this.stopOnDivergence && !this.divergence) {
      const bad = nonFiniteParam(this.model.params);
      if (bad)
        this.divergence = {
          message: `parameter '${bad}' is no longer finite at iteration ${this.iteration}`,
        };
    }
    const checkpoint = epochEnd ? this.saveCheckpoint() : null;
    this.emit('epoch', {
      type: 'epoch',
      epoch: this.epoch,
      numEpochs: this.numEpochs,
      iteration: this.iteration,
      metric: this.metric?.name ?? null,
      trainAcc,
      valAcc,
      bestValAcc: this.bestValAcc,
      imagesPerSec: elapsedWindow > 0 ? this.clock.windowImages / elapsedWindow : Infinity,
      elapsed: (performance.now() - this.clock.start) / 1000,
      checkpoint,
    });
    this.clock.windowStart = performance.now();
    this.clock.windowImages = 0;
  }

  /** After the last step: the best parameters go into the model (in place, so holders stay linked). */
  private finish(): void {
    // Without validation data there is no "best": the last parameters stay.
    if (this.valData && this.metric)
      for (const [p, w] of Object.entries(this.model.params))
        if (this.bestParams[p]) w.set('...', this.bestParams[p]);
    this.emit('end', {
      type: 'end',
      bestValAcc: this.bestValAcc,
      iterations: this.iteration,
      elapsed: (performance.now() - this.clock.start) / 1000,
    });
  }

  /** Runs the optimization to the end of numEpochs (continuing from `iteration` after a restore). */
  train(): void {
    while (!this.done) this.step();
  }

  /**
   * Trains asynchronously: steps until done, giving the event loop a turn every `yieldEveryMs` (so signals,
   * servers and pages stay responsive), stopping between two steps when `signal` is aborted or (with
   * stopOnDivergence) the run diverges. The state is complete whenever it returns.
   */
  async run({ signal, yieldEveryMs = 50, onEvent }: RunOptions = {}): Promise<RunResult> {
    const off = onEvent ? this.tap(onEvent) : () => {};
    try {
      let last = performance.now();
      while (!this.done) {
        if (signal?.aborted) return { status: 'aborted', iteration: this.iteration };
        if (this.divergence)
          return { status: 'diverged', iteration: this.iteration, divergence: this.divergence };
        this.step();
        if (performance.now() - last >= yieldEveryMs) {
          await yieldToEventLoop();
          last = performance.now();
        }
      }
      if (this.divergence)
        return { status: 'diverged', iteration: this.iteration, divergence: this.divergence };
      return { status: 'done', iteration: this.iteration };
    } finally {
      off();
    }
  }

  /** Adds `cb` to every event until the returned function is called. */
  private tap(cb: (e: SolverEvent) => void): () => void {
    const names = ['iteration', 'epoch', 'end'] as const;
    for (const n of names) this.listeners[n].push(cb as never);
    return () => {
      for (const n of names)
        this.listeners[n] = this.listeners[n].filter((f) => f !== (cb as never)) as never;
    };
  }

  /**
   * The accuracy of the model on X (N, ...), y (N,): the fraction of argmax(scores) equal to y (check_accuracy).
   * numSamples: subsample that many examples (with replacement, as the course) when N is larger.
   */
  checkAccuracy(X: NDArray, y: NDArray, numSamples: number | null = null, batchSize = 100): number {
    return accuracyMetric.evaluate(this.model, new ArrayDataset(X, y), {
      numSamples,
      rng: this.rng,
      batchSize,
    });
  }

  /** Everything needed to continue exactly from here (see state.ts); arrays are live references. */
  state(): SolverState {
    const { scalars, arrays } = splitOptimConfigs(this.optimConfigs);
    const out: Record<string, NDArray> = {
      ...prefixed('params', this.model.params),
      ...prefixed('best', this.bestParams),
      ...prefixed('buffers', this.model.buffers?.() ?? {}),
    };
    for (const [p, a] of Object.entries(arrays)) Object.assign(out, prefixed(`optim/${p}`, a));
    if (this.sampler.order) out['solver/order'] = this.sampler.order;
    return {
      meta: {
        training: {
          iteration: this.iteration,
          epoch: this.epoch,
          iterationsPerEpoch: this.iterationsPerEpoch,
          numEpochs: this.numEpochs,
          batchSize: this.batchSize,
          done: this.done,
        },
        history: {
          loss: this.lossHistory,
          trainAcc: this.trainAccHistory,
          valAcc: this.valAccHistory,
          lr: this.lrHistory,
          ...(Object.keys(this.partsHistory).length ? { parts: this.partsHistory } : {}),
        },
        optimizer: { rule: this.updateRuleName, baseLr: this.baseLr, scalars },
        metric: this.metric?.name ?? 'none',
        bestValAcc: this.bestValAcc,
        rng: {
          solver: encodeRngState(this.rng.getState()),
          model: this.model.rng ? encodeRngState(this.model.rng.getState()) : null,
        },
      },
      arrays: out,
    };
  }

  /** Puts this Solver (and its model) where `state` left off; arrays are copied in. */
  loadState(state: SolverState): this {
    const { meta, arrays } = state;
    if (meta.training.batchSize !== this.batchSize)
      throw new RangeError(
        `Solver.loadState: the state was trained with batchSize ${meta.training.batchSize}, this Solver has ${this.batchSize}`,
      );
    loadModelArrays(this.model, group(arrays, 'params'), group(arrays, 'buffers'), 'Solver.loadState');
    this.bestParams = Object.fromEntries(
      Object.entries(group(arrays, 'best')).map(([k, v]) => [k, v.copy()]),
    );
    for (const p of Object.keys(this.model.params)) {
      const c: OptimConfig = { ...this.optimConfig, ...(meta.optimizer.scalars[p] ?? {}) };
      for (const [k, a] of Object.entries(group(arrays, `optim/${p}`)))
        (c as Record<string, unknown>)[k] = a.copy();
      this.optimConfigs[p] = c;
    }
    this.baseLr = this.optimConfig.learningRate ?? meta.optimizer.baseLr;
    this.epoch = meta.training.epoch;
    this.iteration = meta.training.iteration;
    this.lossHistory = [...meta.history.loss];
    this.trainAccHistory = [...meta.history.trainAcc];
    this.valAccHistory = [...meta.history.valAcc];
    this.lrHistory = [...(meta.history.lr ?? [])];
    this.partsHistory = Object.fromEntries(
      Object.entries(meta.history.parts ?? {}).map(([k, v]) => [k, [...v]]),
    );
    this.bestValAcc = meta.bestValAcc;
    this.rng.setState(decodeRngState(meta.rng.solver));
    if (meta.rng.model && this.model.rng) this.model.rng.setState(decodeRngState(meta.rng.model));
    this.sampler.order = arrays['solver/order'] ? arrays['solver/order'].copy() : null;
    return this;
  }

  /**
   * A Solver that continues from `state` (from `solver.state()` or a checkpoint). The state's batch size,
   * epoch count and update rule are the defaults; `options` should repeat the original run's (numEpochs may
   * be raised to train longer).
   */
  static restore(
    model: LossModel,
    data: SolverData | SolverDatasets,
    state: SolverState,
    options: SolverOptions = {},
  ): Solver {
    const rule = state.meta.optimizer.rule;
    return new Solver(model, data, {
      updateRule: rule in updateRules ? rule : undefined,
      batchSize: state.meta.training.batchSize,
      numEpochs: state.meta.training.numEpochs,
      ...options,
    }).loadState(state);
  }

  /** Writes the checkpoint of the current epoch when checkpointName is set; returns its .json path. */
  saveCheckpoint(): string | null {
    if (!this.checkpointName) return null;
    const base = `${this.checkpointName}_epoch_${this.epoch}`;
    const path = nodePath('Solver.saveCheckpoint');
    nodeFs('Solver.saveCheckpoint').mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const { meta, arrays } = this.state();
    this.lastCheckpoint = saveCheckpoint(base, { ...meta }, arrays).json;
    return this.lastCheckpoint;
  }

  /** Solver.restore from a checkpoint file (its .json, .npz, or the path without extension). */
  static resume(
    checkpointPath: string,
    model: LossModel,
    data: SolverData | SolverDatasets,
    options: SolverOptions = {},
  ): Solver {
    const { meta, arrays } = loadCheckpoint(checkpointPath);
    const solver = Solver.restore(model, data, { meta: meta as never, arrays }, options);
    solver.lastCheckpoint = checkpointPath;
    return solver;
  }
}

function toDatasets(data: SolverData | SolverDatasets): { train: Dataset; val: Dataset | null } {
  if (data && 'train' in data) return { train: data.train, val: data.val ?? null };
  const { XTrain, yTrain, XVal, yVal } = (data ?? {}) as Partial<SolverData>;
  for (const [xn, yn, X, y] of [
    ['XTrain', 'yTrain', XTrain, yTrain],
    ['XVal', 'yVal', XVal, yVal],
  ] as const) {
    if (!X || !y || y.ndim !== 1 || X.shape[0] !== y.shape[0]) {
      throw new RangeError(
        `Solver: ${xn} of shape ${X ? fmtShape(X.shape) : X} and ${yn} of shape ${y ? fmtShape(y.shape) : y} do not match (want (N, ...) and (N,))`,
      );
    }
  }
  return { train: new ArrayDataset(XTrain!, yTrain!), val: new ArrayDataset(XVal!, yVal!) };
}

function resolveRule(rule: string | UpdateRule): [UpdateRule, string] {
  if (typeof rule !== 'string') return [rule, rule.name || 'custom'];
  if (!(rule in updateRules))
    throw new RangeError(
      `Solver: invalid updateRule '${rule}' (choose from ${Object.keys(updateRules).join(', ')})`,
    );
  return [updateRules[rule], rule];
}

/** A macrotask turn: setImmediate in Node, a MessageChannel message in browsers and workers. */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((r) => setImmediate(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(null);
  });
}

/** Predicted labels of `model` on X (N, ...), batch by batch: argmax of the scores → (N,) int32. */
export function predictLabels(model: Model, X: NDArray, batchSize = 100): NDArray {
  const N = X.shape[0];
  const out = arange(N, undefined, 1, 'int32');
  for (let start = 0; start < N; start += batchSize) {
    const end = Math.min(start + batchSize, N);
    out.set([`${start}:${end}`], model.loss(X.slice(`${start}:${end}`)).argmax(1));
  }
  return out;
}

export { accuracyOf };
