/**
 * Modules: layers as objects that keep their parameters, buffers, gradients and caches, for building
 * arbitrary nets (the course's PyTorch part, in our own library). Each module wraps one forward/backward pair
 * of src/nn: `forward(...inputs)` stores the layer's cache, `backward(dout)` consumes it, stores the parameter
 * gradients in `grads` (keyed like `params`) and returns the gradient of the first input (those of further
 * inputs, such as an RNN's h0, go to `inputGrads`). There is no autograd: a `Sequential` runs its children's
 * backwards in reverse, which is all a feed-forward net needs.
 *
 * Parameters and buffers are plain NDArrays that optimizers update in place, so a module and a Solver can
 * share them; `stateDict()` names them as PyTorch does ('0.weight', '1.running_mean' is ours '1.runningMean').
 */
import type { NDArray } from '../../ndarray/ndarray.js';
import { fmtShape } from '../../ndarray/shape.js';

export abstract class Module {
  /** Trainable parameters of this module (not its children), by name. */
  params: Record<string, NDArray> = {};
  /** Gradients of the loss with respect to `params`, set by `backward`. */
  grads: Record<string, NDArray> = {};
  /** Non-trainable state saved with the parameters (batchnorm running statistics), by name. */
  buffers: Record<string, NDArray> = {};
  /** Gradients of the inputs after the first, set by `backward` of multi-input modules (an RNN's dh0). */
  inputGrads: NDArray[] = [];
  /** Train mode (batch statistics, dropout on) or eval mode. */
  training = true;

  /** inputs → output; in train mode the cache for backward is kept. */
  abstract forward(...inputs: NDArray[]): NDArray;
  /** dout (the output's gradient) → the first input's gradient, filling `grads`; uses the last forward's cache. */
  abstract backward(dout: NDArray): NDArray;

  /** Forgets state carried from one forward to the next (a recurrent net's hidden state); default none. */
  resetState(): void {
    for (const [, c] of this.children()) c.resetState();
  }

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

  /** This module's own buffers (not its children's). */
  ownBuffers(): Record<string, NDArray> {
    return this.buffers;
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
  call(...inputs: NDArray[]): NDArray {
    return this.forward(...inputs);
  }

  /** Every parameter and buffer by dotted name (PyTorch's state_dict): live arrays, not copies. */
  stateDict(): Record<string, NDArray> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies `state` into the parameters and buffers, in place. With `strict` (default), missing and unexpected
   * keys are an error listing them all; a wrong shape is always an error naming the key and both shapes.
   */
  loadStateDict(state: Record<string, NDArray>, { strict = true }: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      const parts = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
      throw new Error(`${this.constructor.name}.loadStateDict: ${parts.join('; ')}`);
    }
    const wrong = Object.entries(own)
      .filter(([k, a]) => k in state && state[k].shape.join(',') !== a.shape.join(','))
      .map(([k, a]) => `'${k}' is ${fmtShape(state[k].shape)}, the module wants ${fmtShape(a.shape)}`);
    if (wrong.length) throw new Error(`${this.constructor.name}.loadStateDict: ${wrong.join('; ')}`);
    for (const [k, a] of Object.entries(own)) if (k in state) a.set('...', state[k].astype(a.dtype));
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
