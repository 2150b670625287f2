/**
 * GanModel: a discriminator and a generator as one model the Solver trains (a StagedLossModel), so GANs get
 * the Solver's schedule, events, divergence guard and checkpoints with exact resume. Each step is the
 * course's: the discriminator's update, then the generator's against the updated discriminator, each with
 * its parameters' own Adam state (the course's two optimizers, lr 1e-3, betas 0.5 and 0.999: ganSolverConfig).
 *
 *   const gan = new GanModel({ kind: 'dcgan', seed: 0 });
 *   new Solver(gan, { train: new ArrayDataset(X) }, { ...ganSolverConfig(), metric: null }).train();
 *   gan.generate(64, new Generator(1));   // (64, 784) in [−1, 1]
 *
 * Parameters are named 'D.<name>' and 'G.<name>'; the noise of training is drawn from `rng`, saved with
 * the checkpoint.
 */
import type { FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { noGrad, tensor } from '../autograd/tensor.js';
import { zeros } from '../ndarray/creation.js';
import { concatenate } from '../ndarray/manipulation.js';
import type { Module } from '../nn/modules/module.js';
import type { OptimConfig } from '../optim/optim.js';
import {
  buildDcClassifier,
  buildDcGenerator,
  discriminator,
  discriminatorLoss,
  ganStep,
  generator,
  generatorLoss,
  lsDiscriminatorLoss,
  lsGeneratorLoss,
  NOISE_DIM,
  sampleNoise,
  type DiscriminatorLossFn,
  type GeneratorLossFn,
} from './gan.js';
import type { Grads, StagedLossModel, StepLosses } from './model.js';

/** The three GANs of the course: vanilla (bce losses), least squares, deep convolutional (bce losses). */
export const GAN_KINDS = ['gan', 'lsgan', 'dcgan'] as const;
/** The GAN variants: the course's MLP GAN with the vanilla or least-squares loss, and the DCGAN. */
export type GanKind = (typeof GAN_KINDS)[number];

/** Whether `name` is a GAN variant. */
export const isGanKind = (name: string): name is GanKind => (GAN_KINDS as readonly string[]).includes(name);

/** The course's training: batch 128, Adam at 1e-3; 10 epochs for the MLP GANs, 5 for the DCGAN. */
export const GAN_TRAIN_DEFAULTS = {
  gan: { epochs: 10, batchSize: 128, optimizer: 'adam', lr: 1e-3, reg: 0 },
  lsgan: { epochs: 10, batchSize: 128, optimizer: 'adam', lr: 1e-3, reg: 0 },
  dcgan: { epochs: 5, batchSize: 128, optimizer: 'adam', lr: 1e-3, reg: 0 },
} as const;

/** GanModel's options: the variant, noise size, dtype, seed. */
export interface GanModelOptions {
  kind: GanKind;
  noiseDim?: number;
  /** Seeds the initial weights and the training noise (default 0). */
  seed?: number;
  dtype?: FloatDType;
}

/** The Solver's update rule and config for the course's GAN optimizers (Adam, lr 1e-3, betas 0.5/0.999). */
export function ganSolverConfig(lr = 1e-3): { updateRule: 'adam'; optimConfig: OptimConfig } {
  return { updateRule: 'adam', optimConfig: { learningRate: lr, beta1: 0.5, beta2: 0.999 } };
}

const prefixed = (prefix: string, entries: [string, NDArray][]): Record<string, NDArray> =>
  Object.fromEntries(entries.map(([k, v]) => [`${prefix}.${k}`, v]));

export class GanModel implements StagedLossModel {
  readonly kind: GanKind;
  readonly noiseDim: number;
  readonly dtype: FloatDType;
  readonly D: Module;
  readonly G: Module;
  readonly params: Record<string, NDArray>;
  /** Draws the training noise; saved in checkpoints. */
  readonly rng: Generator;
  readonly dLoss: DiscriminatorLossFn;
  readonly gLoss: GeneratorLossFn;

  constructor({ kind, noiseDim = NOISE_DIM, seed = 0, dtype = 'float32' }: GanModelOptions) {
    if (!isGanKind(kind))
      throw new RangeError(`GanModel: unknown kind '${kind as string}' (valid: ${GAN_KINDS.join(', ')})`);
    if (!Number.isInteger(noiseDim) || noiseDim < 1)
      throw new RangeError(`GanModel: the noise dimension must be a whole number >= 1, got ${noiseDim}`);
    this.kind = kind;
    this.noiseDim = noiseDim;
    this.dtype = dtype;
    const init = new Generator(seed);
    const opts = { rng: init, dtype };
    this.D = kind === 'dcgan' ? buildDcClassifier(opts) : discriminator(opts);
    this.G = kind === 'dcgan' ? buildDcGenerator(noiseDim, opts) : generator(noiseDim, opts);
    this.params = {
      ...prefixed('D', this.D.namedParameters()),
      ...prefixed('G', this.G.namedParameters()),
    };
    this.rng = new Generator(seed + 1);
    [this.dLoss, this.gLoss] =
      kind === 'lsgan' ? [lsDiscriminatorLoss, lsGeneratorLoss] : [discriminatorLoss, generatorLoss];
  }

  buffers(): Record<string, NDArray> {
    return { ...prefixed('D', this.D.namedBuffers()), ...prefixed('G', this.G.namedBuffers()) };
  }

  private checkBatch(X: NDArray, op: string): void {
    if (X.ndim !== 2 || X.shape[1] !== 784)
      throw new RangeError(`${op}: real images of shape ${fmtShape(X.shape)} are not (N, 784)`);
  }

  /** The course's iteration on real images X (N, 784) in [−1, 1]: D's update, then G's. */
  trainStep([X]: NDArray[], update: (grads: Grads) => void): StepLosses {
    this.checkBatch(X, 'GanModel.trainStep');
    const gradsOf = (prefix: string, m: Module): Grads =>
      prefixed(
        prefix,
        m.namedParameterTensors().map(([k, t]) => [k, t.grad ?? zeros(t.shape, t.dtype)]),
      );
    const r = ganStep(this.D, this.G, X.astype(this.dtype), {
      discriminatorLoss: this.dLoss,
      generatorLoss: this.gLoss,
      noiseDim: this.noiseDim,
      rng: this.rng,
      stepD: () => update(gradsOf('D', this.D)),
      stepG: () => update(gradsOf('G', this.G)),
    });
    return { loss: r.dLoss, parts: { dLoss: r.dLoss, gLoss: r.gLoss } };
  }

  /**
   * Both losses and every gradient at the current parameters, without updating (the discriminator's loss
   * for D.*, the generator's for G.*, on the same noise): for gradient checks. Returns [dLoss + gLoss, grads].
   */
  loss(X: NDArray, noise?: NDArray): [number, Grads] {
    this.checkBatch(X, 'GanModel.loss');
    const z = noise ?? sampleNoise(X.shape[0], this.noiseDim, { rng: this.rng, dtype: this.dtype });
    this.D.train();
    this.G.train();
    const grads: Grads = {};
    const collect = (prefix: string, m: Module): void => {
      for (const [k, t] of m.namedParameterTensors())
        grads[`${prefix}.${k}`] = t.grad ?? zeros(t.shape, t.dtype);
    };
    this.D.zeroGrad();
    this.G.zeroGrad();
    const fake = noGrad(() => this.G.call(tensor(z)));
    const d = this.dLoss(this.D.call(tensor(X)), this.D.call(fake));
    d.backward();
    collect('D', this.D);
    this.D.zeroGrad();
    this.G.zeroGrad();
    const g = this.gLoss(this.D.call(this.G.call(tensor(z))));
    g.backward();
    collect('G', this.G);
    this.D.zeroGrad();
    return [d.item() + g.item(), grads];
  }

  /**
   * n generated images (n, 784) in [−1, 1], noise drawn from rng, 500 at a time. By default the generator is
   * in eval mode (batchnorm by its running averages). With `batchStatistics`, each chunk of 500 is normalised
   * by its own statistics, as the course's notebook (and PyTorch's DCGAN tutorial) draw samples from a
   * generator left in training mode; the running averages are left as they were.
   */
  generate(
    n: number,
    rng: Generator,
    { batchStatistics = false }: { batchStatistics?: boolean } = {},
  ): NDArray {
    const z = sampleNoise(n, this.noiseDim, { rng, dtype: this.dtype });
    // Training-mode forwards update the running averages (and the batch count): put them back after.
    const saved = batchStatistics
      ? Object.entries(this.G.stateDict()).map(([k, v]) => [k, v.copy()] as const)
      : [];
    this.G.train(batchStatistics);
    try {
      const parts: NDArray[] = [];
      for (let s = 0; s < n; s += 500) {
        const zi = z.slice(`${s}:${Math.min(n, s + 500)}`);
        parts.push(noGrad(() => this.G.call(tensor(zi))).data);
      }
      return parts.length === 1 ? parts[0] : concatenate(parts, 0);
    } finally {
      if (batchStatistics) this.G.loadStateDict(Object.fromEntries(saved));
      this.G.train();
    }
  }
}

/** Generated images (N, 784) in [−1, 1] → digits (N, 28, 28) uint8 in [0, 255], as MNIST stores them. */
export function toDigitImages(x: NDArray): NDArray {
  if (x.ndim !== 2 || x.shape[1] !== 784)
    throw new RangeError(`toDigitImages: images of shape ${fmtShape(x.shape)} are not (N, 784)`);
  return x.add(1).mul(127.5).add(0.5).clip(0, 255).astype('uint8').reshape(x.shape[0], 28, 28);
}

/** MNIST digits (N, 28, 28[, 1]) uint8 → the GANs' inputs (N, 784) in [−1, 1] (the course's 2·(x − 0.5)). */
export function fromDigitImages(digits: NDArray, dtype: FloatDType = 'float32'): NDArray {
  if (digits.size !== digits.shape[0] * 784)
    throw new RangeError(`fromDigitImages: images of shape ${fmtShape(digits.shape)} are not 28x28 digits`);
  return digits.astype(dtype).div(127.5).sub(1).reshape(digits.shape[0], 784);
}
