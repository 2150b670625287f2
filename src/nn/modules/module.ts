/**
 * Modules: layers as objects that keep their parameters and buffers, for building arbitrary nets (the
 * course's PyTorch part, in our own library). One class serves both halves of the course:
 *
 * - Explicit (the numpy half): `forward(x)` on NDArrays keeps the layer's cache, `backward(dout)` consumes it,
 *   stores the parameter gradients in `grads` (keyed like `params`) and returns the gradient of the first
 *   input (those of further inputs, such as an RNN's h0, go to `inputGrads`). A Sequential runs its children's
 *   backwards in reverse.
 * - Autograd (the PyTorch half): `forward(x)` on Tensors records the tape; `loss.backward()` fills the `.grad`
 *   of `param(name)`, the leaf tensor whose `.data` IS `params[name]`.
 *
 * The layers of src/nn/modules take both (each path calls the same src/nn forward and backward functions);
 * a module written on tensors (a TensorModule: attention) or only with a backward (the recurrent layers) gets
 * the other face from `call(...)`, which every container uses: an autograd module called on NDArrays records a tape that its
 * `backward` runs, and an explicit module called on Tensors becomes one op whose backward is its `backward`.
 *
 * Parameters and buffers are plain NDArrays that optimizers update in place, so a module, its tensors and a
 * Solver share them. Children are found like PyTorch's: every property holding a module (or an array of
 * modules) is one, named by the property (`layers.0`). `stateDict()` is PyTorch's state_dict: its key names
 * (snake_case, 'running_mean') and layouts (a Linear's weight (out, in)), as views of the live arrays, so
 * a PyTorch state_dict saved with numpy loads (and the reverse).
 */
import { zeros } from '../../ndarray/creation.js';
import { isFloat } from '../../ndarray/dtype.js';
import { NDArray } from '../../ndarray/ndarray.js';
import { fmtShape } from '../../ndarray/shape.js';
import { Tensor, fromOp, isGradEnabled } from '../../autograd/tensor.js';

/** An input of `call`: arrays for the explicit path, tensors for autograd; masks may be left out. */
export type ModuleInput = NDArray | Tensor | null | undefined;

/** PyTorch's name for one of ours: camelCase → snake_case ('runningMean' → 'running_mean'). */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A layer or network (PyTorch's nn.Module, with the course's explicit passes): forward, backward, named parameters, gradients and buffers, train/eval mode, stateDict/loadStateDict. Subclasses set params (and buffers) and implement forward and backward. */
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
  /** forward takes NDArrays (the explicit path with its own backward). */
  protected readonly takesArrays: boolean = true;
  /** forward takes Tensors (the autograd path). */
  protected readonly takesTensors: boolean = false;
  private leafTensors: Record<string, Tensor> = {};
  private tape: { inputs: ModuleInput[]; out: Tensor } | null = null;
  private explicitCalls = 0;

  /**
   * inputs → output: NDArrays → NDArray on the explicit path (keeping the cache for backward), Tensors →
   * Tensor on the autograd path. Typed loosely here so that each module declares its own signatures
   * (the layers: both; a tensor module: tensors); `call` is the typed entry for any module.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  abstract forward(...inputs: any[]): any;

  /** dout (the output's gradient) → the first input's gradient, filling `grads`; uses the last forward's cache. */
  abstract backward(dout: NDArray): NDArray;

  /** The explicit face of a tensor module: backward through the tape `call` recorded on NDArrays. */
  protected tapeBackward(dout: NDArray): NDArray {
    const tape = this.needCache(this.tape, this.constructor.name);
    this.tape = null;
    for (const [, t] of this.namedParameterTensors()) t.grad = null;
    tape.out.backward(dout);
    const walk = (m: Module): void => {
      for (const name of Object.keys(m.params)) {
        const t = m.param(name);
        m.grads[name] = t.grad ?? zeros(t.shape, t.dtype);
      }
      for (const [, c] of m.children()) walk(c);
    };
    walk(this);
    const grads = tape.inputs.map((x) =>
      x instanceof Tensor ? (x.grad ?? zeros(x.shape, x.dtype)) : zeros(x ? x.shape : [], 'float64'),
    );
    this.inputGrads = grads.slice(1);
    return grads[0];
  }

  /**
   * Runs the module on NDArrays (→ NDArray, explicit) or Tensors (→ Tensor, autograd), through its own
   * forward when it takes them, else through the other face (see the top of this file).
   */
  call(...inputs: NDArray[]): NDArray;
  call(...inputs: ModuleInput[]): Tensor;
  call(...inputs: ModuleInput[]): NDArray | Tensor {
    const tensors = inputs.some((x) => x instanceof Tensor);
    if (tensors ? this.takesTensors : this.takesArrays) return this.forward(...inputs);
    return tensors ? this.explicitOp(inputs) : this.recordForward(inputs);
  }

  /** A tensor module on NDArrays: float inputs become tensors that require grad, the tape is kept. */
  private recordForward(inputs: ModuleInput[]): NDArray {
    const ins = inputs.map((x) =>
      x instanceof NDArray && isFloat(x.dtype) ? new Tensor(x, { requiresGrad: true }) : x,
    );
    const out = this.forward(...ins) as Tensor;
    this.tape = isGradEnabled() && out.requiresGrad ? { inputs: ins, out } : null;
    return out.data;
  }

  /** An explicit module on Tensors: one op whose backward is this module's backward. */
  private explicitOp(inputs: ModuleInput[]): Tensor {
    const ins = inputs.map((x) => (x instanceof Tensor ? x : x ? new Tensor(x) : null));
    const given = ins.filter((t): t is Tensor => t !== null);
    const out = this.forward(...ins.map((t) => t?.data)) as NDArray;
    const named = this.namedParameterTensors();
    const call = ++this.explicitCalls;
    const name = this.constructor.name;
    return fromOp(
      name,
      out,
      [...given, ...named.map(([, t]) => t)],
      (g) => {
        if (call !== this.explicitCalls)
          throw new Error(
            `${name}: backward through an earlier call of this module: its backward keeps one forward's cache, so a graph may use an explicit-backward module once`,
          );
        const dx = this.backward(g);
        const grads = Object.fromEntries(this.namedGrads());
        const inGrads = given.map((_, i) => (i === 0 ? dx : (this.inputGrads[i - 1] ?? null)));
        return [...inGrads, ...named.map(([n]) => grads[n] ?? null)];
      },
      given,
    );
  }

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

  /**
   * Named child modules: every own property holding a module, or an array of them (named 'layers.0', ...),
   * in the order they were assigned (Sequential's are '0', '1', ...).
   */
  children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v) && v.length > 0 && v.every((m) => m instanceof Module))
        v.forEach((m: Module, i) => out.push([`${key}.${i}`, m]));
    }
    return out;
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

  /** The non-trainable state (batchnorm's running statistics) with dotted names, as namedParameters. */
  namedBuffers(prefix = ''): [string, NDArray][] {
    const out: [string, NDArray][] = Object.entries(this.ownBuffers()).map(([k, v]) => [prefix + k, v]);
    for (const [name, c] of this.children()) out.push(...c.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  /** All parameters, in order. */
  parameters(): NDArray[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * The leaf tensor of parameter `name` (requires grad): its `.data` is `params[name]` itself, so optimizer
   * steps on either are seen by both. The same tensor every time, until the array is replaced.
   */
  param(name: string): Tensor {
    const a = this.params[name];
    if (!a)
      throw new Error(
        `${this.constructor.name}.param: no parameter '${name}' (it has ${Object.keys(this.params).join(', ') || 'none'})`,
      );
    let t = this.leafTensors[name];
    if (!t || t.data !== a) t = this.leafTensors[name] = new Tensor(a, { requiresGrad: true });
    return t;
  }

  /** The leaf tensor of parameter `name`, or null when the module has none (a Linear without bias). */
  optionalParam(name: string): Tensor | null {
    return this.params[name] ? this.param(name) : null;
  }

  /** Every parameter's leaf tensor with its dotted path, as namedParameters. */
  namedParameterTensors(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = Object.keys(this.params).map((k) => [prefix + k, this.param(k)]);
    for (const [name, c] of this.children()) out.push(...c.namedParameterTensors(`${prefix}${name}.`));
    return out;
  }

  /** Every parameter's leaf tensor (what an optimizer on tensors updates: `new Adam(net.parameterTensors())`). */
  parameterTensors(): Tensor[] {
    return this.namedParameterTensors().map(([, t]) => t);
  }

  /** Forgets the gradients autograd accumulated in the parameters' tensors. */
  zeroGrad(): void {
    for (const t of this.parameterTensors()) t.grad = null;
  }

  /**
   * `own` (this module's parameters and buffers, by our names, or their gradients) as PyTorch names and lays
   * them out: snake_case names, PyTorch's layouts, each a view (so writing it writes the array). Modules
   * whose layout differs from PyTorch's override this.
   */
  protected torchState(own: Record<string, NDArray>): Record<string, NDArray> {
    return Object.fromEntries(Object.entries(own).map(([k, v]) => [snakeCase(k), v]));
  }

  /** Prefixed torchState of every module in the tree, children named snake_case. */
  private collectTorch(prefix: string, own: (m: Module) => Record<string, NDArray>): Record<string, NDArray> {
    const out: Record<string, NDArray> = {};
    for (const [k, v] of Object.entries(this.torchState(own(this)))) out[prefix + k] = v;
    for (const [name, c] of this.children())
      Object.assign(out, c.collectTorch(`${prefix}${name.split('.').map(snakeCase).join('.')}.`, own));
    return out;
  }

  /**
   * PyTorch's state_dict: every parameter and buffer by dotted snake_case name ('0.weight',
   * '1.running_mean', 'self_attn.query.weight'), in PyTorch's layouts, as live views (not copies).
   * Save it with saveNpz(file, m.stateDict()); torch.save({k: torch.from_numpy(v) ...}) reads the same.
   */
  stateDict(): Record<string, NDArray> {
    return this.collectTorch('', (m) => ({ ...m.params, ...m.ownBuffers() }));
  }

  /**
   * The parameters' autograd gradients (their tensors' .grad after backward) with stateDict's names and
   * layouts, to hold beside PyTorch's; parameters without a gradient are left out.
   */
  gradStateDict(): Record<string, NDArray> {
    return this.collectTorch('', (m) => {
      const own: Record<string, NDArray> = {};
      for (const k of Object.keys(m.params)) {
        const g = m.param(k).grad;
        if (g) own[k] = g;
      }
      return own;
    });
  }

  /**
   * Copies a PyTorch-named `state` (as stateDict gives, or numpy arrays of a PyTorch state_dict loaded with
   * loadNpz) into the parameters and buffers, in place. With `strict` (default), missing and unexpected keys
   * are an error listing them all; a wrong shape is always an error naming the key and both shapes.
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

/**
 * A module written on tensors (attention, a user's PyTorch-style net): forward(...Tensors) → Tensor. Called on
 * NDArrays (`call`, or a Sequential on arrays) it records its tape, and backward(dout) runs it, so it also
 * trains through the explicit path.
 */
export abstract class TensorModule extends Module {
  protected override readonly takesArrays: boolean = false;
  protected override readonly takesTensors: boolean = true;

  backward(dout: NDArray): NDArray {
    return this.tapeBackward(dout);
  }
}
