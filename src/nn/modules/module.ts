/**
 * Modules: layers as objects that keep their parameters, gradients and caches, for building arbitrary nets
 * (the course's PyTorch part, in our own library). Each module wraps one forward/backward pair of src/nn:
 * `forward(x)` stores the layer's cache, `backward(dout)` consumes it, stores the parameter gradients in
 * `grads` (keyed like `params`) and returns dx. There is no autograd: a `Sequential` runs its children's
 * backwards in reverse, which is all a feed-forward net needs.
 *
 * Parameters are plain NDArrays that optimizers update in place, so a module and a Solver can share them.
 */
import type { NDArray } from '../../ndarray/ndarray.js';

export abstract class Module {
  /** Trainable parameters of this module (not its children), by name. */
  params: Record<string, NDArray> = {};
  /** Gradients of the loss with respect to `params`, set by `backward`. */
  grads: Record<string, NDArray> = {};
  /** Train mode (batch statistics, dropout on) or eval mode. */
  training = true;

  /** x → output; in train mode the cache for backward is kept. */
  abstract forward(x: NDArray): NDArray;
  /** dout (the output's gradient) → dx, filling `grads`; uses the cache of the last forward. */
  abstract backward(dout: NDArray): NDArray;

  /**
   * backward for a net's first module, whose input's gradient nobody reads: fills `grads` and may skip dx
   * (Linear and Conv2d do, half their backward's work). The default runs backward and drops dx.
   */
  backwardParams(dout: NDArray): void {
    this.backward(dout);
  }

  /** Named child modules (Sequential's are '0', '1', ...). */
  children(): [string, Module][] {
    return [];
  }

  /** Non-trainable state to save with the parameters (batchnorm running statistics), by name. */
  ownBuffers(): Record<string, NDArray> {
    return {};
  }

  /** Sets train (true) or eval (false) mode here and in every child. */
  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.children()) c.train(mode);
    return this;
  }

  /** Eval mode: running statistics for batchnorm, no dropout. */
  eval(): this {
    return this.train(false);
  }

  /** Every parameter with its dotted path ('0.weight', '3.bias', ...). */
  namedParameters(prefix = ''): [string, NDArray][] {
    const out: [string, NDArray][] = Object.entries(this.params).map(([k, v]) => [prefix + k, v]);
    for (const [name, c] of this.children()) out.push(...c.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /** The gradients, keyed like namedParameters (after a backward). */
  namedGrads(prefix = ''): [string, NDArray][] {
    const out: [string, NDArray][] = Object.entries(this.grads).map(([k, v]) => [prefix + k, v]);
    for (const [name, c] of this.children()) out.push(...c.namedGrads(`${prefix}${name}.`));
    return out;
  }

  namedBuffers(prefix = ''): [string, NDArray][] {
    const out: [string, NDArray][] = Object.entries(this.ownBuffers()).map(([k, v]) => [prefix + k, v]);
    for (const [name, c] of this.children()) out.push(...c.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** All parameters, in order. */
  parameters(): NDArray[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Calls forward: `module.call(x)`. */
  call(x: NDArray): NDArray {
    return this.forward(x);
  }

  /** One line describing the module, e.g. "Linear(3072, 100)". */
  toString(): string {
    return `${this.constructor.name}()`;
  }

  /** The "previous forward" check shared by every backward. */
  protected needCache<T>(cache: T | null, name: string): T {
    if (cache === null) throw new Error(`${name}.backward: call forward (in train mode) first`);
    return cache;
  }
}
