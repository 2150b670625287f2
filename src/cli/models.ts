/**
 * The models the CLI trains, by name: how to build each from a plain config (the same config goes into the
 * checkpoint, so loading rebuilds the model and then fills in its arrays), which input layout it takes, and
 * its default training settings. Every trainable model follows the Solver's contract (src/models/model.ts).
 */
import type { DType } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { FullyConnectedNet, type FullyConnectedNetOptions } from '../models/fullyConnectedNet.js';
import { TwoLayerNet } from '../models/twoLayerNet.js';
import { ThreeLayerConvNet } from '../models/cnn.js';
import { svmLossVectorized } from '../models/linearSvm.js';
import { softmaxLossVectorized } from '../models/softmax.js';
import type { Grads, Model } from '../models/model.js';
import * as models from '../models/index.js';
import type { ModelName, OptimizerName, ScheduleName } from './choices.js';
import type { ImageLayout as Layout } from '../data/preprocess.js';
import { UsageError } from './errors.js';
import { buildSequential, parseLayerDefs, type LayerDef } from './layers.js';

/** What a model needs to be built: the input it takes and the number of classes. */
export interface ModelShape {
  /** One input image as the model takes it: [C, H, W] for conv nets, [D] for the others. */
  inputShape: number[];
  numClasses: number;
  dtype: DType;
  seed: number;
}

/** The saved description of a model: its name (or "layers" for a .json file) and everything to rebuild it. */
export interface ModelConfig {
  name: string;
  /** Options of the model's constructor (hidden sizes, normalization, dropout, reg...). */
  options: Record<string, unknown>;
  /** For layer-file models: the layer definitions. */
  layers?: LayerDef[];
}

/** Default training settings per model, for data of MNIST's or CIFAR-10's size with normalised inputs. */
export interface TrainDefaults {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  reg: number;
  schedule?: ScheduleName;
}

export const DEFAULTS: Record<ModelName | 'layers', TrainDefaults> = {
  cnn: { epochs: 1, batchSize: 32, optimizer: 'adam', lr: 1e-3, reg: 0, schedule: 'cosine' },
  cnn3: { epochs: 1, batchSize: 50, optimizer: 'adam', lr: 1e-3, reg: 1e-3 },
  layers: { epochs: 1, batchSize: 64, optimizer: 'adam', lr: 1e-3, reg: 0 },
  fc: { epochs: 5, batchSize: 100, optimizer: 'adam', lr: 1e-3, reg: 1e-4 },
  'two-layer': { epochs: 5, batchSize: 200, optimizer: 'adam', lr: 1e-3, reg: 1e-4 },
  softmax: { epochs: 5, batchSize: 200, optimizer: 'sgd', lr: 1e-2, reg: 1e-4 },
  svm: { epochs: 5, batchSize: 200, optimizer: 'sgd', lr: 1e-3, reg: 1e-4 },
  knn: { epochs: 1, batchSize: 1, optimizer: 'sgd', lr: 0, reg: 0 },
};

/**
 * The small CNN `nabla train` trains by default: two conv blocks (3x3 convolutions with batchnorm, ReLU and
 * 2x2 max pooling) and a hidden layer of 128. Chosen to pass 98.5% on MNIST's test set after one epoch in a
 * few minutes on two cores; the plainer LeNet-like mnist-cnn workload (conv 8/16 5x5, no hidden layer)
 * reaches about 97.5% in one epoch.
 */
export const DEFAULT_CNN_LAYERS: LayerDef[] = [
  { type: 'conv', filters: 16, size: 3, pad: 1 },
  { type: 'batchnorm' },
  { type: 'relu' },
  { type: 'pool', size: 2 },
  { type: 'conv', filters: 32, size: 3, pad: 1 },
  { type: 'batchnorm' },
  { type: 'relu' },
  { type: 'pool', size: 2 },
  { type: 'linear', out: 128 },
  { type: 'relu' },
  { type: 'linear', out: 'classes' },
];

export function layoutOf(name: string): Layout {
  return name === 'cnn' || name === 'cnn3' || name === 'layers' ? 'chw' : 'flat';
}

/**
 * A linear classifier (svm or softmax) in the Solver's contract, with the course's bias trick: W is
 * (D + 1, C) and each input row gets a 1 appended, so the last row of W is the bias (and is regularised,
 * as in the course). loss = data loss + reg·ΣW², dW includes 2·reg·W (linear_svm.py / softmax.py).
 */
export class LinearModel implements Model {
  params: Record<string, NDArray>;
  constructor(
    readonly kind: 'svm' | 'softmax',
    inputDim: number,
    numClasses: number,
    public reg: number,
    dtype: DType,
    seed: number,
  ) {
    this.params = {
      W: new Generator(seed)
        .randn(inputDim + 1, numClasses)
        .mulInPlace(0.001)
        .astype(dtype),
    };
  }

  private withBias(X: NDArray): NDArray {
    const [n, d] = [X.shape[0], X.size / X.shape[0]];
    const flat = X.reshape(n, d).astype(this.params.W.dtype).toTypedArray();
    const out = new (flat.constructor as Float32ArrayConstructor)(n * (d + 1));
    for (let i = 0; i < n; i++) {
      out.set(flat.subarray(i * d, i * d + d), i * (d + 1));
      out[i * (d + 1) + d] = 1;
    }
    return new NDArray(out, [n, d + 1], this.params.W.dtype);
  }

  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const Xb = this.withBias(X);
    if (y === undefined) return Xb.dot(this.params.W);
    const fn = this.kind === 'svm' ? svmLossVectorized : softmaxLossVectorized;
    const [loss, dW] = fn(this.params.W, Xb, y, this.reg);
    return [loss, { W: dW }];
  }
}

/** The options of a built-in model from the command's flags (only what that model uses). */
export function modelOptions(
  name: ModelName,
  flags: { hidden?: number[]; normalization?: string; dropout?: number; reg: number; k?: number },
): Record<string, unknown> {
  switch (name) {
    case 'two-layer':
      return { hiddenDim: flags.hidden?.[0] ?? 100, reg: flags.reg, weightScale: 1e-2 };
    case 'fc':
      return {
        hiddenDims: flags.hidden ?? [100, 100],
        normalization: flags.normalization && flags.normalization !== 'none' ? flags.normalization : null,
        dropoutKeepRatio: flags.dropout ?? 1,
        reg: flags.reg,
        weightScale: 1e-2,
      };
    case 'cnn3':
      return {
        numFilters: 32,
        filterSize: 7,
        hiddenDim: flags.hidden?.[0] ?? 100,
        reg: flags.reg,
        weightScale: 1e-2,
      };
    case 'svm':
    case 'softmax':
      return { reg: flags.reg };
    case 'knn':
      return { k: flags.k ?? 1 };
    case 'cnn':
      return { reg: flags.reg };
  }
}

/** Builds a trainable model (every name but knn). */
export function buildModel(config: ModelConfig, shape: ModelShape): Model {
  const o = config.options;
  const { inputShape, numClasses, dtype, seed } = shape;
  const inputDim = inputShape.reduce((a, b) => a * b, 1);
  switch (config.name) {
    case 'svm':
    case 'softmax':
      return new LinearModel(config.name, inputDim, numClasses, Number(o.reg ?? 0), dtype, seed);
    case 'two-layer':
      return new TwoLayerNet({ inputDim, numClasses, dtype, seed, ...(o as object) });
    case 'fc':
      return new FullyConnectedNet({
        inputDim,
        numClasses,
        dtype,
        seed,
        ...o,
      } as unknown as FullyConnectedNetOptions);
    case 'cnn3':
      return new ThreeLayerConvNet({
        inputDim: inputShape as [number, number, number],
        numClasses,
        dtype,
        seed,
        ...(o as object),
      });
    case 'cnn':
      return buildSequential(DEFAULT_CNN_LAYERS, {
        inputShape,
        numClasses,
        dtype,
        seed,
        reg: Number(o.reg ?? 0),
      });
    case 'layers':
      if (!config.layers) throw new UsageError('layers model without layer definitions');
      return buildSequential(config.layers, { inputShape, numClasses, dtype, seed, reg: Number(o.reg ?? 0) });
    default:
      throw new UsageError(`unknown model '${config.name}'`);
  }
}

/** Reads a layers .json file (a list of layer definitions, ConvNetJS-style) into a model config. */
export function layersConfig(path: string, reg: number): ModelConfig {
  return { name: 'layers', options: { reg, file: path }, layers: parseLayerDefs(path) };
}

/** Copies saved arrays into a model's params and buffers (in place, so the model's references stay valid). */
export function loadModelArrays(
  model: Model,
  params: Record<string, NDArray>,
  buffers: Record<string, NDArray>,
): void {
  for (const [name, p] of Object.entries(model.params)) {
    const saved = params[name];
    if (!saved) throw new UsageError(`checkpoint has no parameter '${name}' for this model`);
    if (saved.shape.join(',') !== p.shape.join(',')) {
      throw new UsageError(
        `checkpoint parameter '${name}' is (${saved.shape.join(', ')}); the model wants (${p.shape.join(', ')})`,
      );
    }
    // In place: a Sequential's modules hold these very arrays.
    p.set('...', saved.astype(p.dtype));
  }
  const own = model.buffers?.() ?? {};
  for (const [name, b] of Object.entries(own)) {
    const saved = buffers[name];
    if (saved && saved.size === b.size) b.set('...', saved.reshape(...b.shape).astype(b.dtype));
  }
}

/** Scores (N, C) in test mode, in batches (memory stays flat for 10,000 CIFAR-10 images). */
export function predictScores(model: Model, X: NDArray, batchSize = 500): NDArray[] {
  const out: NDArray[] = [];
  const n = X.shape[0];
  for (let s = 0; s < n; s += batchSize) out.push(model.loss(X.slice(`${s}:${Math.min(n, s + batchSize)}`)));
  return out;
}

/** Predicted labels (N,) of a trainable model, in batches. */
export function predictLabels(model: Model, X: NDArray, batchSize = 500): Int32Array {
  const out = new Int32Array(X.shape[0]);
  let at = 0;
  for (const s of predictScores(model, X, batchSize)) {
    const p = s.argmax(1).toTypedArray();
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** kNN predictions in chunks of test rows (the distance matrix of all 10,000 at once would not fit). */
export function knnPredict(knn: models.KNearestNeighbor, X: NDArray, k: number, chunk = 250): Int32Array {
  const n = X.shape[0];
  const out = new Int32Array(n);
  for (let s = 0; s < n; s += chunk) {
    const p = knn.predict(X.slice(`${s}:${Math.min(n, s + chunk)}`), { k }).toTypedArray();
    out.set(p, s);
  }
  return out;
}
