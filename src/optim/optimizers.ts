/**
 * Optimizers on tensors, as PyTorch's torch.optim: each holds parameter tensors and on `step()` updates each
 * from its `.grad`, in place (the arrays a module and a Solver share), bumping the tensor's version so that
 * a graph recorded before the step refuses to backward through the old values.
 *
 *   const opt = new Adam(net.parameterTensors(), { lr: 1e-3 });
 *   opt.zeroGrad(); loss.backward(); opt.step();
 *
 * The arithmetic is PyTorch's; where it is also the course's update rule (plain SGD, Adam's moments and bias
 * correction, RMSprop's cache), that rule of optim.ts does the work, and with it the fused backend update.
 * Weight decay is PyTorch's: SGD, Adam and RMSprop add weightDecay·w to the gradient (L2), AdamW shrinks w
 * by lr·weightDecay before the Adam step (decoupled).
 */
import type { NDArray } from '../ndarray/ndarray.js';
import type { Tensor } from '../autograd/tensor.js';
import { adam, rmsprop, sgd, type OptimConfig } from './optim.js';
import { constantLr, cosineLr, stepDecay, type LrSchedule } from './schedules.js';

/** What optimizers take: tensors, or a module's (anything with parameterTensors()). */
export type ParamSource =
  | readonly Tensor[]
  | {
      /** The module's trainable leaf tensors. */
      parameterTensors(): Tensor[];
    };

/** PyTorch-style optimizer over leaf tensors: zeroGrad(), then step() after backward(). */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** The learning rate of the next step (schedulers set it). */
  lr: number;
  /** Per-parameter state (momentum buffers, moments), kept with each tensor. */
  protected readonly state = new Map<Tensor, OptimConfig & { buffer?: NDArray }>();

  constructor(params: ParamSource, lr: number) {
    const list = 'parameterTensors' in params ? params.parameterTensors() : params;
    const name = this.constructor.name;
    if (list.length === 0) throw new RangeError(`${name}: got an empty list of parameters`);
    list.forEach((t, i) => {
      if (!t.requiresGrad || !t.isLeaf)
        throw new RangeError(
          `${name}: parameter ${i} is ${t.isLeaf ? 'a tensor that does not require grad' : 'not a leaf (made by an op)'}; optimize leaf tensors that require grad, such as net.parameterTensors()`,
        );
    });
    if (!(lr >= 0)) throw new RangeError(`${name}: invalid learning rate ${lr}`);
    this.params = list;
    this.lr = lr;
  }

  /** Forgets every parameter's gradient (PyTorch's zero_grad with set_to_none). */
  zeroGrad(): void {
    for (const t of this.params) t.grad = null;
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    for (const t of this.params) {
      if (t.grad === null) continue;
      let s = this.state.get(t);
      if (!s) this.state.set(t, (s = {}));
      this.update(t.data, t.grad, s);
      t.markModified();
    }
  }

  /** w ← the rule's update from dw, in place; s is this parameter's state. */
  protected abstract update(w: NDArray, dw: NDArray, s: OptimConfig & { buffer?: NDArray }): void;
}

/** g + weightDecay·w (a new array), or g itself without decay. */
const withDecay = (g: NDArray, w: NDArray, weightDecay: number): NDArray =>
  weightDecay === 0 ? g : g.add(w.mul(weightDecay));

/** SGD's options (PyTorch's torch.optim.SGD). */
export interface SGDOptions {
  lr?: number;
  momentum?: number;
  /** The fraction of each gradient the momentum buffer does not take (default 0). */
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** Stochastic gradient descent with PyTorch's momentum (b = μ·b + (1 − dampening)·g; w −= lr·b) and Nesterov. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(
    params: ParamSource,
    { lr = 1e-2, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }: SGDOptions = {},
  ) {
    super(params, lr);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum needs a momentum > 0 and zero dampening');
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  protected update(w: NDArray, dw: NDArray, s: OptimConfig & { buffer?: NDArray }): void {
    let g = withDecay(dw, w, this.weightDecay);
    if (this.momentum !== 0) {
      // The first step's buffer is the gradient itself, as PyTorch's.
      if (!s.buffer) s.buffer = g.copy();
      else s.buffer.mulInPlace(this.momentum).addInPlace(this.dampening ? g.mul(1 - this.dampening) : g);
      g = this.nesterov ? g.add(s.buffer.mul(this.momentum)) : s.buffer;
    }
    s.learningRate = this.lr;
    sgd(w, g.dtype === w.dtype ? g : g.astype(w.dtype), s);
  }
}

/** Adam's options (PyTorch's torch.optim.Adam). */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam (Kingma & Ba), the course's adam rule; weightDecay adds weightDecay·w to the gradient. */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(
    params: ParamSource,
    { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0 }: AdamOptions = {},
  ) {
    super(params, lr);
    this.betas = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** The Adam step on gradient g (the decay, if any, already applied). */
  protected adamStep(w: NDArray, g: NDArray, s: OptimConfig): void {
    s.learningRate = this.lr;
    [s.beta1, s.beta2] = this.betas;
    s.epsilon = this.eps;
    adam(w, g, s);
  }

  protected update(w: NDArray, dw: NDArray, s: OptimConfig): void {
    this.adamStep(w, withDecay(dw, w, this.weightDecay), s);
  }
}

/** AdamW (Loshchilov & Hutter): w shrinks by lr·weightDecay (default 0.01), then the Adam step. */
export class AdamW extends Adam {
  constructor(params: ParamSource, { weightDecay = 1e-2, ...rest }: AdamOptions = {}) {
    super(params, { ...rest, weightDecay });
  }

  protected override update(w: NDArray, dw: NDArray, s: OptimConfig): void {
    if (this.weightDecay !== 0) w.mulInPlace(1 - this.lr * this.weightDecay);
    this.adamStep(w, dw, s);
  }
}

/** RMSprop's options (PyTorch's torch.optim.RMSprop). */
export interface RMSpropOptions {
  lr?: number;
  /** The squared-gradient average's decay (the course's decayRate; default 0.99). */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
}

/** RMSprop: the course's rmsprop rule (cache = α·cache + (1 − α)·g²; w −= lr·g / (√cache + eps)). */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(
    params: ParamSource,
    { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0 }: RMSpropOptions = {},
  ) {
    super(params, lr);
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  protected update(w: NDArray, dw: NDArray, s: OptimConfig): void {
    s.learningRate = this.lr;
    s.decayRate = this.alpha;
    s.epsilon = this.eps;
    rmsprop(w, withDecay(dw, w, this.weightDecay), s);
  }
}

/**
 * A learning-rate scheduler over an optimizer, as torch.optim.lr_scheduler: each `step()` (usually once per
 * epoch) sets optimizer.lr = the rate when it was made × schedule(steps taken), one of schedules.ts's.
 */
export class LrScheduler {
  readonly baseLr: number;
  /** step() calls so far. */
  steps = 0;

  constructor(
    readonly optimizer: Optimizer,
    readonly schedule: LrSchedule = constantLr(),
    /** The length of the schedule in steps (a cosine's T_max). */
    readonly numSteps = 1,
  ) {
    this.baseLr = optimizer.lr;
  }

  /** Advances the schedule one step and sets the optimizer's learning rate. */
  step(): void {
    this.steps += 1;
    const f = this.schedule({ iteration: this.steps, iterationsPerEpoch: 1, numIterations: this.numSteps });
    this.optimizer.lr = this.baseLr * f;
  }
}

/** The rate multiplied by gamma every stepSize steps (PyTorch's StepLR; schedules.ts's stepDecay). */
export class StepLR extends LrScheduler {
  constructor(optimizer: Optimizer, { stepSize, gamma = 0.1 }: { stepSize: number; gamma?: number }) {
    super(optimizer, stepDecay(gamma, stepSize));
  }
}

/** Cosine annealing from the rate to etaMin over tMax steps (PyTorch's CosineAnnealingLR; cosineLr). */
export class CosineAnnealingLR extends LrScheduler {
  constructor(optimizer: Optimizer, { tMax, etaMin = 0 }: { tMax: number; etaMin?: number }) {
    super(optimizer, cosineLr({ minFactor: optimizer.lr > 0 ? etaMin / optimizer.lr : 0 }), tMax);
  }
}
