/**
 * The Solver: minibatch training of a classification model (CS231n's solver.py).
 *
 *   const solver = new Solver(model, { XTrain, yTrain, XVal, yVal }, {
 *     updateRule: 'sgdMomentum', optimConfig: { learningRate: 1e-3 }, lrDecay: 0.95,
 *     numEpochs: 10, batchSize: 100, printEvery: 100,
 *   });
 *   solver.train();
 *   solver.bestValAcc; // and model.params now hold the best parameters seen
 *
 * The model is anything with `params` and `loss(X, y?)` (see models/model.ts). Each step samples a
 * minibatch, computes the loss and gradients and updates every parameter with its own optimizer config
 * (a copy of `optimConfig`, so state such as Adam's moments is per parameter). After each epoch the
 * learning rate decays by `lrDecay`, train and validation accuracy are measured, the best parameters are
 * kept, and a checkpoint is written when `checkpointName` is set. Progress is reported to listeners
 * (`solver.on('iteration' | 'epoch' | 'end', cb)` or the `onEvent` option) as well as printed when verbose.
 *
 * Everything random (minibatch order, accuracy subsampling, augmentation) draws from one seeded
 * Generator, whose state is checkpointed with the model's own generator (dropout), so `Solver.resume`
 * continues with exactly the losses an uninterrupted run would have produced.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { arange } from '../ndarray/creation.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { updateRules, type OptimConfig, type UpdateRule } from '../optim/optim.js';
import type { Model } from '../models/model.js';
import { gatherRows } from '../models/util.js';
import { decodeState, encodeState, loadCheckpoint, saveCheckpoint, splitOptimConfigs } from './checkpoint.js';
import { nodeFs, nodePath } from '../nodeFiles.js';

export interface SolverData {
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;
}

export interface IterationEvent {
  type: 'iteration';
  /** 1-based count of iterations done, out of numIterations. */
  iteration: number;
  numIterations: number;
  /** Fractional epoch, e.g. 2.5 halfway through the third epoch. */
  epoch: number;
  loss: number;
  /** Training throughput of this step (examples per second, forward + backward + update). */
  imagesPerSec: number;
}

export interface EpochEvent {
  type: 'epoch';
  /** Epochs completed (0 for the measurement before training, at the first iteration). */
  epoch: number;
  numEpochs: number;
  iteration: number;
  trainAcc: number;
  valAcc: number;
  bestValAcc: number;
  /** Mean throughput since the previous epoch event. */
  imagesPerSec: number;
  /** Wall time since train() started, in seconds. */
  elapsed: number;
  /** The checkpoint written for this epoch, if any. */
  checkpoint: string | null;
}

export interface EndEvent {
  type: 'end';
  bestValAcc: number;
  iterations: number;
  elapsed: number;
}

export type SolverEvent = IterationEvent | EpochEvent | EndEvent;
type EventMap = { iteration: IterationEvent; epoch: EpochEvent; end: EndEvent };

export interface SolverOptions {
  /** An update rule by name ('sgd', 'sgdMomentum', 'rmsprop', 'adam') or a function (default 'sgd'). */
  updateRule?: string | UpdateRule;
  /** Hyperparameters given to the update rule, copied per parameter (e.g. { learningRate: 1e-3 }). */
  optimConfig?: OptimConfig;
  /** The learning rate is multiplied by this after every epoch (default 1). */
  lrDecay?: number;
  batchSize?: number;
  numEpochs?: number;
  /** Print the loss every this many iterations when verbose. */
  printEvery?: number;
  verbose?: boolean;
  /** Training examples sampled to measure training accuracy each epoch (null: all). Default 1000. */
  numTrainSamples?: number | null;
  /** Validation examples sampled to measure validation accuracy (null: all). */
  numValSamples?: number | null;
  /** When set, write `<checkpointName>_epoch_<e>.{npz,json}` after every epoch. */
  checkpointName?: string | null;
  /** Seeds the generator for minibatches, accuracy subsampling and augmentation (default 0). */
  seed?: number;
  /**
   * Minibatches are drawn from a fresh permutation each epoch (true, default), or sampled with
   * replacement as in the course's solver.py (false).
   */
  shuffle?: boolean;
  /** Transforms each training minibatch (N, ...) → (N, ...), e.g. random crops and flips. */
  augment?: (XBatch: NDArray, rng: Generator) => NDArray;
  /** Called with every event (as well as the listeners added with `on`). */
  onEvent?: (event: SolverEvent) => void;
  /** Where verbose output goes (default console.log). */
  log?: (line: string) => void;
}

export class Solver {
  readonly model: Model;
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;

  readonly updateRule: UpdateRule;
  readonly updateRuleName: string;
  readonly optimConfig: OptimConfig;
  readonly lrDecay: number;
  readonly batchSize: number;
  readonly numEpochs: number;
  readonly printEvery: number;
  readonly verbose: boolean;
  readonly numTrainSamples: number | null;
  readonly numValSamples: number | null;
  readonly checkpointName: string | null;
  readonly shuffle: boolean;
  readonly augment: SolverOptions['augment'];

  /** The generator for minibatches, subsampling and augmentation. */
  readonly rng: Generator;
  epoch = 0;
  /** Iterations completed. */
  iteration = 0;
  bestValAcc = 0;
  bestParams: Record<string, NDArray> = {};
  lossHistory: number[] = [];
  trainAccHistory: number[] = [];
  valAccHistory: number[] = [];
  optimConfigs: Record<string, OptimConfig> = {};
  /** The last checkpoint written (its .json), if any. */
  lastCheckpoint: string | null = null;
  /**
   * This epoch's minibatch order, a permutation of the training indices (null before the first step):
   * with epoch, iteration and the generators' states, what a mid-epoch checkpoint must hold.
   */
  order: NDArray | null = null;

  private listeners: { [K in keyof EventMap]: ((e: EventMap[K]) => void)[] } = {
    iteration: [],
    epoch: [],
    end: [],
  };
  private readonly onEvent?: (event: SolverEvent) => void;
  private readonly log: (line: string) => void;

  constructor(model: Model, data: SolverData, options: SolverOptions = {}) {
    const {
      updateRule = 'sgd',
      optimConfig = {},
      lrDecay = 1,
      batchSize = 100,
      numEpochs = 10,
      printEvery = 10,
      verbose = true,
      numTrainSamples = 1000,
      numValSamples = null,
      checkpointName = null,
      seed = 0,
      shuffle = true,
      augment,
      onEvent,
      log = (line: string) => console.log(line),
    } = options;
    const { XTrain, yTrain, XVal, yVal } = data;
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
    if (typeof updateRule === 'string') {
      if (!(updateRule in updateRules)) {
        throw new RangeError(
          `Solver: invalid updateRule '${updateRule}' (choose from ${Object.keys(updateRules).join(', ')})`,
        );
      }
      this.updateRule = updateRules[updateRule];
      this.updateRuleName = updateRule;
    } else {
      this.updateRule = updateRule;
      this.updateRuleName = updateRule.name || 'custom';
    }
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`Solver: invalid batchSize ${batchSize}`);
    this.model = model;
    this.XTrain = XTrain;
    this.yTrain = yTrain;
    this.XVal = XVal;
    this.yVal = yVal;
    this.optimConfig = optimConfig;
    this.lrDecay = lrDecay;
    this.batchSize = batchSize;
    this.numEpochs = numEpochs;
    this.printEvery = printEvery;
    this.verbose = verbose;
    this.numTrainSamples = numTrainSamples;
    this.numValSamples = numValSamples;
    this.checkpointName = checkpointName;
    this.shuffle = shuffle;
    this.augment = augment;
    this.onEvent = onEvent;
    this.log = log;
    this.rng = new Generator(seed);
    this.reset();
  }

  /** Clears the bookkeeping and gives every parameter a fresh copy of optimConfig. */
  private reset(): void {
    this.epoch = 0;
    this.iteration = 0;
    this.bestValAcc = 0;
    this.bestParams = {};
    this.lossHistory = [];
    this.trainAccHistory = [];
    this.valAccHistory = [];
    this.optimConfigs = {};
    for (const p of Object.keys(this.model.params)) this.optimConfigs[p] = { ...this.optimConfig };
  }

  /** Adds a listener: 'iteration' after every step, 'epoch' after every accuracy check, 'end' once. */
  on<K extends keyof EventMap>(name: K, cb: (e: EventMap[K]) => void): this {
    this.listeners[name].push(cb);
    return this;
  }

  private emit<K extends keyof EventMap>(name: K, e: EventMap[K]): void {
    for (const cb of this.listeners[name]) cb(e);
    this.onEvent?.(e);
  }

  get iterationsPerEpoch(): number {
    return Math.max(Math.floor(this.XTrain.shape[0] / this.batchSize), 1);
  }

  get numIterations(): number {
    return this.numEpochs * this.iterationsPerEpoch;
  }

  /** The indices of minibatch t (0-based iteration). */
  private batchIndices(t: number): NDArray {
    const numTrain = this.XTrain.shape[0];
    if (!this.shuffle) return this.rng.randint(0, numTrain, [this.batchSize]);
    const ipe = this.iterationsPerEpoch;
    const k = t % ipe;
    if (k === 0 || this.order === null) this.order = this.rng.permutation(numTrain);
    const size = Math.min(this.batchSize, numTrain);
    return this.order.slice(`${k * size}:${(k + 1) * size}`);
  }

  /** One gradient step on minibatch t; returns its loss. */
  private step(t: number): number {
    const idx = this.batchIndices(t);
    let XBatch = gatherRows(this.XTrain, idx);
    const yBatch = gatherRows(this.yTrain, idx);
    if (this.augment) XBatch = this.augment(XBatch, this.rng);
    const [loss, grads] = this.model.loss(XBatch, yBatch);
    if (!Number.isFinite(loss) && this.verbose) this.log(`(Iteration ${t + 1}) warning: loss is ${loss}`);
    for (const [p, w] of Object.entries(this.model.params)) {
      const dw = grads[p];
      if (!dw) throw new Error(`Solver: the model's loss returned no gradient for parameter '${p}'`);
      const [nextW, nextConfig] = this.updateRule(w, dw, this.optimConfigs[p]);
      // Update rules work in place; a rule that returns a new array is copied back so that whoever
      // holds the parameter array (a module, a view) sees the new values.
      if (nextW !== w) w.set('...', nextW);
      this.optimConfigs[p] = nextConfig;
    }
    return loss;
  }

  /**
   * The accuracy of the model on X (N, ...), y (N,): the fraction of argmax(scores) equal to y.
   * numSamples: subsample that many examples (with replacement, as the course) when N is larger.
   * batchSize: how many examples go through the model at once.
   */
  checkAccuracy(X: NDArray, y: NDArray, numSamples: number | null = null, batchSize = 100): number {
    let N = X.shape[0];
    if (numSamples !== null && N > numSamples) {
      const mask = this.rng.randint(0, N, [numSamples]);
      X = gatherRows(X, mask);
      y = gatherRows(y, mask);
      N = numSamples;
    }
    const yData = y.toTypedArray();
    let correct = 0;
    for (let start = 0; start < N; start += batchSize) {
      const end = Math.min(start + batchSize, N);
      const scores = this.model.loss(X.slice(`${start}:${end}`));
      const pred = scores.argmax(1).toTypedArray();
      for (let i = 0; i < pred.length; i++) if (pred[i] === yData[start + i]) correct++;
    }
    return N === 0 ? 0 : correct / N;
  }

  /** Runs the optimization to the end of numEpochs (continuing from `iteration` after a resume). */
  train(): void {
    const numIterations = this.numIterations;
    const ipe = this.iterationsPerEpoch;
    const start = performance.now();
    let windowStart = start;
    let windowImages = 0;
    for (let t = this.iteration; t < numIterations; t++) {
      const t0 = performance.now();
      const loss = this.step(t);
      const dt = (performance.now() - t0) / 1000;
      this.lossHistory.push(loss);
      this.iteration = t + 1;
      windowImages += this.batchSize;
      if (this.verbose && t % this.printEvery === 0) {
        this.log(`(Iteration ${t + 1} / ${numIterations}) loss: ${loss.toFixed(6)}`);
      }
      this.emit('iteration', {
        type: 'iteration',
        iteration: t + 1,
        numIterations,
        epoch: (t + 1) / ipe,
        loss,
        imagesPerSec: dt > 0 ? this.batchSize / dt : Infinity,
      });

      const epochEnd = (t + 1) % ipe === 0;
      if (epochEnd) {
        this.epoch += 1;
        for (const c of Object.values(this.optimConfigs)) {
          if (c.learningRate !== undefined) c.learningRate *= this.lrDecay;
        }
      }
      if (t === 0 || t === numIterations - 1 || epochEnd) {
        const elapsedWindow = (performance.now() - windowStart) / 1000;
        const trainAcc = this.checkAccuracy(this.XTrain, this.yTrain, this.numTrainSamples);
        const valAcc = this.checkAccuracy(this.XVal, this.yVal, this.numValSamples);
        this.trainAccHistory.push(trainAcc);
        this.valAccHistory.push(valAcc);
        if (this.verbose) {
          this.log(
            `(Epoch ${this.epoch} / ${this.numEpochs}) train acc: ${trainAcc.toFixed(6)}; val_acc: ${valAcc.toFixed(6)}`,
          );
        }
        if (valAcc > this.bestValAcc || Object.keys(this.bestParams).length === 0) {
          this.bestValAcc = Math.max(valAcc, this.bestValAcc);
          for (const [p, w] of Object.entries(this.model.params)) {
            if (this.bestParams[p]) this.bestParams[p].set('...', w);
            else this.bestParams[p] = w.copy();
          }
        }
        const checkpoint = epochEnd ? this.saveCheckpoint() : null;
        this.emit('epoch', {
          type: 'epoch',
          epoch: this.epoch,
          numEpochs: this.numEpochs,
          iteration: t + 1,
          trainAcc,
          valAcc,
          bestValAcc: this.bestValAcc,
          imagesPerSec: elapsedWindow > 0 ? windowImages / elapsedWindow : Infinity,
          elapsed: (performance.now() - start) / 1000,
          checkpoint,
        });
        windowStart = performance.now();
        windowImages = 0;
      }
    }
    // At the end of training, swap the best params into the model (in place, so holders stay linked).
    for (const [p, w] of Object.entries(this.model.params))
      if (this.bestParams[p]) w.set('...', this.bestParams[p]);
    this.emit('end', {
      type: 'end',
      bestValAcc: this.bestValAcc,
      iterations: this.iteration,
      elapsed: (performance.now() - start) / 1000,
    });
  }

  /** Writes the checkpoint of the current epoch when checkpointName is set; returns its .json path. */
  saveCheckpoint(): string | null {
    if (!this.checkpointName) return null;
    const base = `${this.checkpointName}_epoch_${this.epoch}`;
    const path = nodePath('Solver.saveCheckpoint');
    nodeFs('Solver.saveCheckpoint').mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
    const { scalars, arrays } = splitOptimConfigs(this.optimConfigs);
    const file = saveCheckpoint(base, {
      meta: {
        format: 'nabla-solver-checkpoint',
        version: 1,
        epoch: this.epoch,
        iteration: this.iteration,
        updateRule: this.updateRuleName,
        batchSize: this.batchSize,
        numEpochs: this.numEpochs,
        lrDecay: this.lrDecay,
        lossHistory: this.lossHistory,
        trainAccHistory: this.trainAccHistory,
        valAccHistory: this.valAccHistory,
        bestValAcc: this.bestValAcc,
        optimScalars: scalars,
        solverRngState: encodeState(this.rng.getState()),
        modelRngState: this.model.rng ? encodeState(this.model.rng.getState()) : null,
      },
      params: this.model.params,
      bestParams: this.bestParams,
      optimArrays: arrays,
      buffers: this.model.buffers?.() ?? {},
    });
    this.lastCheckpoint = file;
    return file;
  }

  /**
   * A Solver that continues the run saved at `checkpointPath` (its .json, .npz, or the path without
   * extension): the model's params and buffers, the optimizer state, histories, epoch, iteration and the
   * generators are restored, so train() goes on exactly as the uninterrupted run would have. `options`
   * should repeat the original run's options (numEpochs may be raised to train longer).
   */
  static resume(checkpointPath: string, model: Model, data: SolverData, options: SolverOptions = {}): Solver {
    const ck = loadCheckpoint(checkpointPath);
    const { meta } = ck;
    const solver = new Solver(model, data, {
      updateRule: meta.updateRule in updateRules ? meta.updateRule : undefined,
      batchSize: meta.batchSize,
      lrDecay: meta.lrDecay,
      numEpochs: meta.numEpochs,
      ...options,
    });
    const copyInto = (dst: NDArray | undefined, src: NDArray, what: string) => {
      if (!dst) throw new Error(`Solver.resume: the model has no ${what} (it is in the checkpoint)`);
      if (dst.size !== src.size)
        throw new RangeError(
          `Solver.resume: ${what} of shape ${fmtShape(dst.shape)} does not match the checkpoint's ${fmtShape(src.shape)}`,
        );
      dst.set('...', src.reshape(dst.shape));
    };
    for (const p of Object.keys(model.params)) {
      if (!ck.params[p]) throw new Error(`Solver.resume: parameter '${p}' is missing from the checkpoint`);
      copyInto(model.params[p], ck.params[p], `parameter '${p}'`);
    }
    const buffers = model.buffers?.() ?? {};
    for (const [b, a] of Object.entries(ck.buffers)) copyInto(buffers[b], a, `buffer '${b}'`);
    solver.bestParams = ck.bestParams;
    for (const p of Object.keys(model.params)) {
      const c: OptimConfig = { ...solver.optimConfig, ...(meta.optimScalars[p] ?? {}) };
      for (const [k, a] of Object.entries(ck.optimArrays[p] ?? {})) (c as Record<string, unknown>)[k] = a;
      solver.optimConfigs[p] = c;
    }
    solver.epoch = meta.epoch;
    solver.iteration = meta.iteration;
    solver.lossHistory = [...meta.lossHistory];
    solver.trainAccHistory = [...meta.trainAccHistory];
    solver.valAccHistory = [...meta.valAccHistory];
    solver.bestValAcc = meta.bestValAcc;
    solver.rng.setState(decodeState(meta.solverRngState));
    if (meta.modelRngState && model.rng) model.rng.setState(decodeState(meta.modelRngState));
    solver.lastCheckpoint = checkpointPath;
    return solver;
  }
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
