/**
 * Generative adversarial networks: the course's gan_pytorch.py in camelCase, on nabla's modules and autograd.
 *
 *   const D = discriminator(), G = generator();
 *   const images = runAGan(D, G, getOptimizer(D), getOptimizer(G), discriminatorLoss, generatorLoss, loader);
 *
 * Images are MNIST digits flattened to (N, 784) and scaled to [−1, 1] (the generator ends in tanh). Every
 * network takes and gives (N, 784), as the course's: the DC classifier unflattens its input first and the DC
 * generator flattens its output last.
 *
 * The course initialises Linear and ConvTranspose2d weights with xavier_uniform_ (its initialize_weights);
 * so do these builders, with zero biases. Conv2d keeps nabla's Kaiming default.
 */
import { ones, zeros } from '../ndarray/creation.js';
import type { FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { defaultRng, Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { noGrad, tensor, type Tensor } from '../autograd/tensor.js';
import { bceWithLogits } from '../autograd/ops/losses.js';
import { mean } from '../autograd/ops/reduce.js';
import { mul, sub } from '../autograd/ops/elementwise.js';
import {
  Flatten,
  LeakyReLU,
  Linear,
  MaxPool2d,
  ReLU,
  Tanh,
  Unflatten,
  Conv2d,
} from '../nn/modules/layers.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/modules/norm.js';
import { ConvTranspose2d } from '../nn/modules/convTranspose.js';
import { Sequential } from '../nn/modules/sequential.js';
import type { Module } from '../nn/modules/module.js';
import { Adam } from '../optim/optimizers.js';

/** The course's NOISE_DIM. */
export const NOISE_DIM = 96;

/** What the builders take: the generator that draws the initial weights, and the float type. */
export interface BuildOptions {
  rng?: Generator;
  dtype?: FloatDType;
}

function checkDim(op: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${op}: ${what} must be a whole number >= 1, got ${n}`);
}

/**
 * Noise uniform in [−1, 1): (batchSize, dim). Drawn from `rng` when given, else from a Generator seeded with
 * `seed`, else from the library's default generator.
 */
export function sampleNoise(
  batchSize: number,
  dim: number,
  { seed, rng, dtype = 'float32' }: { seed?: number; rng?: Generator; dtype?: FloatDType } = {},
): NDArray {
  checkDim('sampleNoise', 'batchSize', batchSize);
  checkDim('sampleNoise', 'the noise dimension', dim);
  const g = rng ?? (seed !== undefined ? new Generator(seed) : defaultRng);
  return g.uniform(-1, 1, [batchSize, dim], dtype);
}

/**
 * The course's initialisation: PyTorch's defaults (weights and biases U(±1/√fanIn)), then xavier_uniform_ on
 * the weights of Linear and ConvTranspose2d layers (its initialize_weights).
 */
const torchInit = ({ rng = defaultRng, dtype = 'float32' }: BuildOptions) =>
  ({ rng, dtype, init: 'torchDefault', biasInit: 'torchDefault' }) as const;
const xavier = (opts: BuildOptions) => ({ ...torchInit(opts), init: 'xavierUniform' }) as const;

/** The course's discriminator: (N, 784) → 256 → 256 → 1 logit, LeakyReLU(0.01) between. */
export function discriminator(opts: BuildOptions = {}): Sequential {
  const w = xavier(opts);
  return new Sequential(
    new Flatten(),
    new Linear(784, 256, w),
    new LeakyReLU(0.01),
    new Linear(256, 256, w),
    new LeakyReLU(0.01),
    new Linear(256, 1, w),
  );
}

/** The course's generator: noise (N, noiseDim) → 1024 → 1024 → 784 images in [−1, 1] (ReLU, ReLU, tanh). */
export function generator(noiseDim = NOISE_DIM, opts: BuildOptions = {}): Sequential {
  checkDim('generator', 'the noise dimension', noiseDim);
  const w = xavier(opts);
  return new Sequential(
    new Linear(noiseDim, 1024, w),
    new ReLU(),
    new Linear(1024, 1024, w),
    new ReLU(),
    new Linear(1024, 784, w),
    new Tanh(),
  );
}

/**
 * The DC discriminator: (N, 784) → unflatten (N, 1, 28, 28) → conv 32 5×5 → LeakyReLU → max pool 2 → conv 64
 * 5×5 → LeakyReLU → max pool 2 → flatten (N, 1024) → fc 1024 → LeakyReLU → fc 1.
 */
export function buildDcClassifier(opts: BuildOptions = {}): Sequential {
  const w = xavier(opts);
  return new Sequential(
    new Unflatten(1, [1, 28, 28]),
    new Conv2d(1, 32, 5, torchInit(opts)),
    new LeakyReLU(0.01),
    new MaxPool2d(2, 2),
    new Conv2d(32, 64, 5, torchInit(opts)),
    new LeakyReLU(0.01),
    new MaxPool2d(2, 2),
    new Flatten(),
    new Linear(4 * 4 * 64, 4 * 4 * 64, w),
    new LeakyReLU(0.01),
    new Linear(4 * 4 * 64, 1, w),
  );
}

/**
 * The DC generator: noise (N, noiseDim) → fc 1024, ReLU, BatchNorm1d → fc 7·7·128, ReLU, BatchNorm1d →
 * unflatten (N, 128, 7, 7) → ConvTranspose2d 64 4×4 stride 2 pad 1, ReLU, BatchNorm2d → ConvTranspose2d 1
 * 4×4 stride 2 pad 1, tanh → flatten (N, 784).
 */
export function buildDcGenerator(noiseDim = NOISE_DIM, opts: BuildOptions = {}): Sequential {
  checkDim('buildDcGenerator', 'the noise dimension', noiseDim);
  const { dtype = 'float32' } = opts;
  const w = xavier(opts);
  const up = { ...w, stride: 2, padding: 1 };
  return new Sequential(
    new Linear(noiseDim, 1024, w),
    new ReLU(),
    new BatchNorm1d(1024, { dtype }),
    new Linear(1024, 7 * 7 * 128, w),
    new ReLU(),
    new BatchNorm1d(7 * 7 * 128, { dtype }),
    new Unflatten(1, [128, 7, 7]),
    new ConvTranspose2d(128, 64, 4, up),
    new ReLU(),
    new BatchNorm2d(64, { dtype }),
    new ConvTranspose2d(64, 1, 4, up),
    new Tanh(),
    new Flatten(),
  );
}

/** The course's Adam for both nets: lr 1e-3, betas (0.5, 0.999). */
export function getOptimizer(model: Module): Adam {
  return new Adam(model, { lr: 1e-3, betas: [0.5, 0.999] });
}

/** Targets of `value` with the logits' element count, flattened (the course squeezes the logits). */
const target = (logits: Tensor, value: number): NDArray =>
  value === 1 ? ones([logits.size], logits.dtype) : zeros([logits.size], logits.dtype);

/**
 * Binary cross-entropy of logits against targets, averaged (PyTorch's BCEWithLogitsLoss on the squeezed
 * logits). input: logits of any shape (N, 1) or (N,); target: N values in [0, 1].
 */
export function bceLoss(input: Tensor, targets: NDArray): Tensor {
  if (targets.size !== input.size)
    throw new RangeError(
      `bceLoss: target of shape ${fmtShape(targets.shape)} does not match logits of shape ${fmtShape(input.shape)}`,
    );
  return bceWithLogits(input.reshape(-1), targets.reshape(-1));
}

/** The discriminator's loss: bce(logitsReal, 1) + bce(logitsFake, 0). Logits (N, 1) each → a scalar. */
export function discriminatorLoss(logitsReal: Tensor, logitsFake: Tensor): Tensor {
  return bceLoss(logitsReal, target(logitsReal, 1)).add(bceLoss(logitsFake, target(logitsFake, 0)));
}

/** The generator's (non-saturating) loss: bce(logitsFake, 1). Logits (N, 1) → a scalar. */
export function generatorLoss(logitsFake: Tensor): Tensor {
  return bceLoss(logitsFake, target(logitsFake, 1));
}

/** Least-squares GAN, the discriminator: ½·mean((D(x) − 1)²) + ½·mean(D(G(z))²). Scores (N, 1) each. */
export function lsDiscriminatorLoss(scoresReal: Tensor, scoresFake: Tensor): Tensor {
  const r = sub(scoresReal, 1);
  return mul(mean(mul(r, r)), 0.5).add(mul(mean(mul(scoresFake, scoresFake)), 0.5));
}

/** Least-squares GAN, the generator: ½·mean((D(G(z)) − 1)²). Scores (N, 1). */
export function lsGeneratorLoss(scoresFake: Tensor): Tensor {
  const r = sub(scoresFake, 1);
  return mul(mean(mul(r, r)), 0.5);
}

/** A discriminator loss: the logits of real (N,) and fake (N,) images → a scalar tensor. */
export type DiscriminatorLossFn = (real: Tensor, fake: Tensor) => Tensor;
/** A generator loss: the discriminator's logits of fake images (N,) → a scalar tensor. */
export type GeneratorLossFn = (fake: Tensor) => Tensor;

/** One step's losses. */
export interface GanStepLosses {
  dLoss: number;
  gLoss: number;
}

/** ganStep's options: the two losses and optimizers, noise size, generator. */
export interface GanStepOptions {
  discriminatorLoss: DiscriminatorLossFn;
  generatorLoss: GeneratorLossFn;
  noiseDim: number;
  /** Draws the step's two noise batches. */
  rng: Generator;
  /** Updates D's parameters from their .grad (D's optimizer step). */
  stepD: () => void;
  /** Updates G's parameters from their .grad (G's optimizer step); D's gradients are to be ignored. */
  stepG: () => void;
}

/**
 * One iteration of the course's run_a_gan: a discriminator step on real images (N, 784) in [−1, 1] and on
 * generated ones (detached), then a generator step on fresh noise through the updated discriminator.
 * Returns both losses and the generator's images of the second half (N, 784).
 */
export function ganStep(
  D: Module,
  G: Module,
  xReal: NDArray,
  o: GanStepOptions,
): GanStepLosses & { fake: NDArray } {
  const N = xReal.shape[0];
  const dtype = xReal.dtype as FloatDType;
  D.train();
  G.train();
  D.zeroGrad();
  G.zeroGrad();
  const logitsReal = D.call(tensor(xReal));
  const fakeImages = noGrad(() => G.call(tensor(sampleNoise(N, o.noiseDim, { rng: o.rng, dtype }))));
  const dError = o.discriminatorLoss(logitsReal, D.call(fakeImages));
  dError.backward();
  o.stepD();

  D.zeroGrad();
  G.zeroGrad();
  const fake = G.call(tensor(sampleNoise(N, o.noiseDim, { rng: o.rng, dtype })));
  const gError = o.generatorLoss(D.call(fake));
  gError.backward();
  o.stepG();
  return { dLoss: dError.item(), gLoss: gError.item(), fake: fake.data };
}

/** runAGan's options (the course's run_a_gan): epochs, batch size, how often to show samples. */
export interface RunAGanOptions {
  /** Print and keep 16 samples every this many iterations (default 250). */
  showEvery?: number;
  batchSize?: number;
  noiseSize?: number;
  numEpochs?: number;
  /** Draws the noise (default: a Generator seeded with 0). */
  rng?: Generator;
  /** Where progress lines go (default console.log). */
  log?: (line: string) => void;
}

/**
 * The course's run_a_gan: numEpochs passes of alternating D and G steps over `loader` (each call yields
 * one epoch's batches of real images (N, 784) in [−1, 1]; batches smaller than batchSize are skipped, as
 * the course does). Returns the 16-image samples (16, 784) kept every showEvery iterations.
 */
export function runAGan(
  D: Module,
  G: Module,
  dSolver: Adam,
  gSolver: Adam,
  dLoss: DiscriminatorLossFn,
  gLoss: GeneratorLossFn,
  loader: () => Iterable<NDArray>,
  {
    showEvery = 250,
    batchSize = 128,
    noiseSize = NOISE_DIM,
    numEpochs = 10,
    rng = new Generator(0),
    log = (line: string) => console.log(line),
  }: RunAGanOptions = {},
): NDArray[] {
  const images: NDArray[] = [];
  let iter = 0;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    for (const x of loader()) {
      if (x.shape[0] !== batchSize) continue;
      const r = ganStep(D, G, x, {
        discriminatorLoss: dLoss,
        generatorLoss: gLoss,
        noiseDim: noiseSize,
        rng,
        stepD: () => dSolver.step(),
        stepG: () => gSolver.step(),
      });
      if (iter % showEvery === 0) {
        log(`Iter: ${iter}, D: ${r.dLoss.toPrecision(4)}, G:${r.gLoss.toPrecision(4)}`);
        images.push(r.fake.slice('0:16').copy());
      }
      iter++;
    }
  }
  return images;
}
