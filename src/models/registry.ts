/**
 * The models by name, as the command line and checkpoints name them: how to build each from a plain,
 * JSON-able config (the same config goes into the checkpoint, so loading rebuilds the model and then fills
 * in its arrays), which input layout it takes, and its default training settings.
 */
import type { DType, FloatDType } from '../ndarray/dtype.js';
import { Generator } from '../ndarray/random.js';
import { CaptioningRNN, type CellType } from './captioningRnn.js';
import { CaptioningTransformer } from './captioningTransformer.js';
import { buildSequential, readLayerSpec, type LayerDef } from '../nn/modules/spec.js';
import { Classifier } from './classifier.js';
import { ThreeLayerConvNet } from './cnn.js';
import { FullyConnectedNet, type FullyConnectedNetOptions } from './fullyConnectedNet.js';
import { LinearModel } from './linearModel.js';
import type { Model } from './model.js';
import { TwoLayerNet } from './twoLayerNet.js';
import { GAN_KINDS, GAN_TRAIN_DEFAULTS, GanModel, isGanKind, type GanKind } from './ganModel.js';
import { SimclrNet } from './simclrNet.js';

/** Built-in models; "layers" is a Sequential from a layers file. */
export const MODELS = [
  'cnn',
  'knn',
  'svm',
  'softmax',
  'two-layer',
  'fc',
  'cnn3',
  'caption-rnn',
  'caption-lstm',
  'caption-transformer',
  ...GAN_KINDS,
  'simclr',
] as const;
/** The built-in models of `nabla train --model`. */
export type ModelName = (typeof MODELS)[number];

/** How a model takes its input: channels first (N, C, H, W) for conv nets, flat rows (N, H*W*C) otherwise. */
export type Layout = 'chw' | 'flat';

/** What a model needs to be built: the input it takes and the number of classes. */
export interface ModelShape {
  /** One input image as the model takes it: [C, H, W] for conv nets, [D] for the others. */
  inputShape: number[];
  numClasses: number;
  dtype: DType;
  seed: number;
}

/** The saved description of a model: its name (or "layers" for a layers file) and everything to rebuild it. */
export interface ModelConfig {
  name: string;
  /** Options of the model's constructor (hidden sizes, normalization, dropout, reg...). */
  options: Record<string, unknown>;
  /** For layer-file models: the layer definitions. */
  layers?: LayerDef[];
}

/** The update rules by name. */
export type OptimizerName = 'sgd' | 'sgd-momentum' | 'rmsprop' | 'adam';

/** Default training settings per model, for data of MNIST's or CIFAR-10's size with normalised inputs. */
export interface TrainDefaults {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  reg: number;
  schedule?: 'constant' | 'cosine';
  /** How many examples a run makes of a generated data set (mnist-captions) unless --limit says. */
  trainCount?: number;
}

const CAPTION_RNN_DEFAULTS: TrainDefaults = {
  epochs: 15,
  batchSize: 100,
  optimizer: 'adam',
  lr: 2e-3,
  reg: 0,
  schedule: 'cosine',
  trainCount: 60000,
};

/** Default training settings of each built-in model (epochs, batch size, update rule, learning rate, L2). */
export const TRAIN_DEFAULTS: Record<ModelName | 'layers', TrainDefaults> = {
  cnn: { epochs: 1, batchSize: 32, optimizer: 'adam', lr: 1e-3, reg: 0, schedule: 'cosine' },
  cnn3: { epochs: 1, batchSize: 50, optimizer: 'adam', lr: 1e-3, reg: 1e-3 },
  layers: { epochs: 1, batchSize: 64, optimizer: 'adam', lr: 1e-3, reg: 0 },
  fc: { epochs: 5, batchSize: 100, optimizer: 'adam', lr: 1e-3, reg: 1e-4 },
  'two-layer': { epochs: 5, batchSize: 200, optimizer: 'adam', lr: 1e-3, reg: 1e-4 },
  softmax: { epochs: 5, batchSize: 200, optimizer: 'sgd', lr: 1e-2, reg: 1e-4 },
  svm: { epochs: 5, batchSize: 200, optimizer: 'sgd', lr: 1e-3, reg: 1e-4 },
  knn: { epochs: 1, batchSize: 1, optimizer: 'sgd', lr: 0, reg: 0 },
  // The course trains its captioning nets with Adam at 5e-3 and a slow decay. On 60,000 digit captions
  // Adam at 2e-3 with a cosine schedule: after 5 epochs the RNN and the LSTM were level on 5-digit captions
  // (82.3% and 81.6%); after 15 the LSTM's gating pays (seed 0: 84.1% against 82.7%). RESULTS.md has seeds.
  'caption-rnn': CAPTION_RNN_DEFAULTS,
  'caption-lstm': CAPTION_RNN_DEFAULTS,
  // The course's CaptioningSolverTransformer: Adam 1e-3. A third of the RNNs' captions: its step
  // costs several LSTM steps (the course's feed-forward width, 2048).
  'caption-transformer': { ...CAPTION_RNN_DEFAULTS, epochs: 5, lr: 1e-3, trainCount: 20000 },
  ...GAN_TRAIN_DEFAULTS,
  // The course's SimCLR pretraining: Adam 1e-3. Batch 128 (the course: 256) so that two cores take steps
  // often enough; `--minutes` bounds a run by time instead (train/simclr.ts).
  simclr: { epochs: 1, batchSize: 128, optimizer: 'adam', lr: 1e-3, reg: 0 },
};

/** The built-in captioning models. */
export type CaptionModelName = 'caption-rnn' | 'caption-lstm' | 'caption-transformer';

/**
 * Why captioning model `name` cannot caption with beam width `beam`, or null when it can: the Transformer
 * samples greedily (its sample() refuses a beam too; this lets the command say so before any work).
 */
export function beamRefusal(name: string, beam: number | undefined): string | null {
  return name === 'caption-transformer' && (beam ?? 1) > 1
    ? `--beam ${beam}: caption-transformer samples greedily (beam search is caption-rnn/lstm's)`
    : null;
}

/** The models trained without labels (GANs, SimCLR): no validation accuracy, judged by `nabla eval`. */
export const isUnlabelledModelName = (name: string): boolean => isGanKind(name) || name === 'simclr';

/** The captioning models (trained on features and captions, judged by BLEU). */
export const isCaptionModelName = (name: string): name is CaptionModelName => name.startsWith('caption-');

/** The update rule (optim.ts) of each optimizer name. */
export const UPDATE_RULES: Record<OptimizerName, string> = {
  sgd: 'sgd',
  'sgd-momentum': 'sgdMomentum',
  rmsprop: 'rmsprop',
  adam: 'adam',
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

/** How the model `name` takes images: 'chw' (conv nets) or 'flat' rows. */
export function layoutOf(name: string): Layout {
  // Captioning models take precomputed features; their images are only shown.
  return ['cnn', 'cnn3', 'layers', 'simclr'].includes(name) ? 'chw' : 'flat';
}

/** The options of a built-in model from training flags (only what that model uses). */
export function modelOptions(
  name: ModelName,
  flags: {
    hidden?: number[];
    normalization?: string;
    dropout?: number;
    reg: number;
    k?: number;
    noiseDim?: number;
    temperature?: number;
  },
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
    case 'gan':
    case 'lsgan':
    case 'dcgan':
      return { noiseDim: flags.noiseDim ?? 96 };
    case 'simclr':
      // The course's temperature.
      return { tau: flags.temperature ?? 0.5 };
    case 'caption-rnn':
    case 'caption-lstm':
      return {
        cellType: name === 'caption-rnn' ? 'rnn' : 'lstm',
        hiddenDim: flags.hidden?.[0] ?? 256,
        wordvecDim: flags.hidden?.[1] ?? 64,
      };
    case 'caption-transformer':
      // The course's sizes; --hidden sets the model width (wordvecDim).
      return { wordvecDim: flags.hidden?.[0] ?? 256, numHeads: 4, numLayers: 2 };
  }
}

/**
 * A captioning model from its config for features of width inputDim. Options: the vocabulary wordToIdx and
 * the caption length maxLength (the run adds both from its data), and cellType, hiddenDim, wordvecDim for
 * caption-rnn/lstm, or wordvecDim, numHeads, numLayers for caption-transformer.
 */
export function buildCaptionModel(
  config: ModelConfig,
  shape: { inputDim: number; dtype: DType; seed: number },
): CaptioningRNN | CaptioningTransformer {
  const o = config.options as {
    cellType: CellType;
    hiddenDim: number;
    wordvecDim: number;
    numHeads: number;
    numLayers: number;
    maxLength?: number;
    wordToIdx?: Record<string, number>;
  };
  if (!o.wordToIdx)
    throw new Error(`buildCaptionModel: the config of '${config.name}' has no vocabulary (wordToIdx)`);
  const common = {
    wordToIdx: o.wordToIdx,
    inputDim: shape.inputDim,
    wordvecDim: o.wordvecDim,
    dtype: shape.dtype as FloatDType,
    seed: shape.seed,
  };
  if (config.name === 'caption-transformer')
    return new CaptioningTransformer({
      ...common,
      numHeads: o.numHeads,
      numLayers: o.numLayers,
      maxLength: o.maxLength,
    });
  return new CaptioningRNN({ ...common, hiddenDim: o.hiddenDim, cellType: o.cellType });
}

/** Builds a GAN run's discriminator and generator from its config (options.noiseDim, default 96). */
export function buildGanModel(config: ModelConfig, opts: { dtype: FloatDType; seed: number }): GanModel {
  return new GanModel({
    kind: config.name as GanKind,
    noiseDim: Number(config.options.noiseDim ?? 96),
    seed: opts.seed,
    dtype: opts.dtype,
  });
}

/** Builds a SimCLR run's network (encoder and projection head) from its config (options.tau: its loss's). */
export function buildSimclrNet(_config: ModelConfig, opts: { dtype: FloatDType; seed: number }): SimclrNet {
  return new SimclrNet({ rng: new Generator(opts.seed), dtype: opts.dtype });
}

/** A layers-file model's config: the file's definitions, checked. */
export function layersConfig(path: string, reg: number): ModelConfig {
  return { name: 'layers', options: { reg, file: path }, layers: readLayerSpec(path) };
}

/** Builds a trainable model from its config (every name but knn, which is not trained by a Solver). */
export function buildModel(config: ModelConfig, shape: ModelShape): Model {
  const o = config.options;
  const { inputShape, numClasses, dtype, seed } = shape;
  const inputDim = inputShape.reduce((a, b) => a * b, 1);
  const reg = Number(o.reg ?? 0);
  switch (config.name) {
    case 'svm':
    case 'softmax':
      return new LinearModel({ loss: config.name, inputDim, numClasses, reg, dtype, seed });
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
    case 'layers': {
      const defs = config.name === 'cnn' ? DEFAULT_CNN_LAYERS : config.layers;
      if (!defs) throw new Error(`buildModel: a layers model needs its layer definitions`);
      const { net, dropoutRng } = buildSequential(defs, { inputShape, numClasses, dtype, seed });
      return new Classifier(net, { reg, dtype, rng: dropoutRng });
    }
    default:
      throw new RangeError(
        `buildModel: unknown model '${config.name}' (valid: ${MODELS.join(', ')}, layers)`,
      );
  }
}
