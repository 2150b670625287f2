/**
 * Tensor: an NDArray that records how it was computed, so `loss.backward()` can send the gradient back
 * (reverse-mode automatic differentiation, PyTorch's autograd at nabla's scale).
 *
 * Each op on tensors computes its value with NDArray ops or a layer function of src/nn, and — when an input
 * requires grad and recording is on — leaves a Node on its output: the inputs, and a closure mapping the
 * output's gradient to the inputs' (the layer library's own backward, so there is no second copy of any
 * gradient). `backward()` walks the graph from the output in reverse topological order, sums the gradients of
 * a tensor used more than once, accumulates into the `.grad` of the leaves that require grad, and frees each
 * node as it goes (a second backward through it is an error unless the first passed `retainGraph`).
 *
 * In-place writes (addInPlace, set, fill, an optimizer's step) bump a version counter shared by every view of
 * the buffer; a node remembers the versions of the tensors its backward reads, and backward refuses to use
 * one that changed since (PyTorch's check). Writes through `tensor.data` bypass it, as through PyTorch's
 * `.data`.
 */
import { full } from '../ndarray/creation.js';
import { isFloat, type DType } from '../ndarray/dtype.js';
import {
  NDArray,
  type IndexSpec,
  type NestedArray,
  type Operand,
  type SliceSpec,
} from '../ndarray/ndarray.js';
import { array } from '../ndarray/creation.js';
import { fmtShape } from '../ndarray/shape.js';
import type { Axis } from '../ndarray/reduce.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as sh from './ops/shape.js';
import { matmul } from './ops/linalg.js';
import { logSoftmax, softmax } from './ops/softmax.js';

let gradEnabled = true;

/** Whether ops record the graph now (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording: its results do not require grad (evaluation, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** One version counter per buffer, so that every view of it sees a write through any other. */
const versions = new WeakMap<object, { v: number }>();

function counter(a: NDArray): { v: number } {
  let c = versions.get(a.data);
  if (!c) versions.set(a.data, (c = { v: 0 }));
  return c;
}

/** The gradients of an op's inputs from its output's gradient (null: that input gets none). */
export type BackwardFn = (gradOutput: NDArray) => (NDArray | null)[];

/** How a non-leaf tensor was made: its op, inputs, backward and the tensors that backward reads. */
export interface Node {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Null once freed by a backward pass. */
  backward: BackwardFn | null;
  saved: { tensor: Tensor; version: number }[];
}

export interface TensorOptions {
  requiresGrad?: boolean;
}

export class Tensor {
  /** The value. Shared, not copied: views and in-place writes of it are views and writes of the tensor. */
  readonly data: NDArray;
  /** The gradient accumulated by backward (leaves that require grad, and tensors that retainGrad). */
  grad: NDArray | null = null;
  /** Whether gradients flow to this tensor (set on leaves; on op results, whether any input has it). */
  requiresGrad: boolean;
  /** The node that made this tensor; null for a leaf (made by the user, or under noGrad). */
  gradFn: Node | null = null;
  /** Set by retainGrad(). */
  retainsGrad = false;

  constructor(data: NDArray, { requiresGrad = false }: TensorOptions = {}) {
    if (!(data instanceof NDArray)) throw new TypeError('Tensor: data must be an NDArray (use tensor(...))');
    if (requiresGrad && !isFloat(data.dtype))
      throw new TypeError(`Tensor: only float tensors can require grad, got ${data.dtype}`);
    this.data = data;
    this.requiresGrad = requiresGrad;
  }

  get shape(): readonly number[] {
    return this.data.shape;
  }
  get ndim(): number {
    return this.data.ndim;
  }
  get size(): number {
    return this.data.size;
  }
  get dtype(): DType {
    return this.data.dtype;
  }
  /** True for tensors not made by a recorded op (their .grad is filled by backward when they require grad). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** How many in-place writes the buffer has seen. */
  get version(): number {
    return counter(this.data).v;
  }

  /** The value of a one-element tensor. */
  item(): number {
    return this.data.item();
  }

  /** The same values, cut from the graph (no grad, shares the buffer). */
  detach(): Tensor {
    return new Tensor(this.data);
  }

  /** Keeps this non-leaf tensor's gradient in `.grad` after backward (leaves always get theirs). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /**
   * Computes the gradients of this tensor with respect to every leaf that requires grad, adding them to
   * their `.grad`. `gradient` (the gradient of some scalar with respect to this tensor, this shape) may be
   * left out only for a one-element tensor. The graph is freed unless `retainGraph`.
   */
  backward(gradient?: NDArray | number, { retainGraph = false }: { retainGraph?: boolean } = {}): void {
    runBackward(this, seedGradient(this, gradient), retainGraph);
  }

  // ---- in-place writes: no graph, a version bump --------------------------------------------------------

  /** Refuses an in-place write the graph could not account for. */
  private checkInPlace(op: string): void {
    if (!gradEnabled || !this.requiresGrad) return;
    throw new Error(
      this.isLeaf
        ? `${op}: a leaf tensor that requires grad (shape ${fmtShape(this.shape)}) cannot be changed in place while gradients are recorded; do it inside noGrad(() => ...), as an optimizer step does`
        : `${op}: in-place ops are not recorded on the tape; use the out-of-place op on this tensor of shape ${fmtShape(this.shape)}`,
    );
  }

  /** Marks an in-place write of the buffer (done through .data by the caller). */
  markModified(): this {
    counter(this.data).v++;
    return this;
  }

  private inPlace(op: string, f: (a: NDArray) => void): this {
    this.checkInPlace(op);
    f(this.data);
    return this.markModified();
  }

  /** In place (outside the graph, e.g. an optimizer step): this += b. */
  addInPlace(b: Tensor | Operand): this {
    return this.inPlace('addInPlace', (a) => a.addInPlace(valueOf(b)));
  }
  /** In place: this −= b. */
  subInPlace(b: Tensor | Operand): this {
    return this.inPlace('subInPlace', (a) => a.subInPlace(valueOf(b)));
  }
  /** In place: this *= b. */
  mulInPlace(b: Tensor | Operand): this {
    return this.inPlace('mulInPlace', (a) => a.mulInPlace(valueOf(b)));
  }
  /** In place: this /= b. */
  divInPlace(b: Tensor | Operand): this {
    return this.inPlace('divInPlace', (a) => a.divInPlace(valueOf(b)));
  }
  /** In place: every element set to value. */
  fill(value: number): this {
    return this.inPlace('fill', (a) => a.fill(value));
  }
  /** numpy's a[...] = value, in place. */
  set(specs: IndexSpec | IndexSpec[], value: Tensor | Operand): this {
    return this.inPlace('set', (a) => a.set(specs, valueOf(value)));
  }

  // ---- ops as methods (see the op functions for what each does) -------------------------------------------
  /** this + b, broadcast (recorded for backward). */
  add(b: ew.TensorLike): Tensor {
    return ew.add(this, b);
  }
  /** this − b, broadcast. */
  sub(b: ew.TensorLike): Tensor {
    return ew.sub(this, b);
  }
  /** this · b elementwise, broadcast. */
  mul(b: ew.TensorLike): Tensor {
    return ew.mul(this, b);
  }
  /** this / b, broadcast. */
  div(b: ew.TensorLike): Tensor {
    return ew.div(this, b);
  }
  /** this ** b, broadcast. */
  pow(b: ew.TensorLike): Tensor {
    return ew.pow(this, b);
  }
  /** −this. */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** e^this. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return ew.log(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return ew.tanh(this);
  }
  /** Logistic sigmoid. */
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  /** max(this, 0). */
  relu(): Tensor {
    return ew.relu(this);
  }
  /** value where mask is true, this elsewhere (PyTorch's masked_fill). */
  maskedFill(mask: NDArray | Tensor, value: number): Tensor {
    return ew.maskedFill(this, mask, value);
  }
  /** Matrix product, batched over leading axes. */
  matmul(b: Tensor): Tensor {
    return matmul(this, b);
  }
  /** Sum over `axis` (all when omitted). */
  sum(axis?: Axis, keepdims = false): Tensor {
    return red.sum(this, axis, keepdims);
  }
  /** Mean over `axis` (all when omitted). */
  mean(axis?: Axis, keepdims = false): Tensor {
    return red.mean(this, axis, keepdims);
  }
  /** Maximum over `axis` (the gradient goes to the first maximum). */
  max(axis?: Axis, keepdims = false): Tensor {
    return red.max(this, axis, keepdims);
  }
  /** The same values in a new shape (one size may be −1). */
  reshape(...shape: (number | readonly number[])[]): Tensor {
    const s = (shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape) as number[];
    return sh.reshape(this, s);
  }
  /** PyTorch's transpose(dim0, dim1) (default the last two axes). */
  transpose(dim0 = -2, dim1 = -1): Tensor {
    return sh.transpose(this, dim0, dim1);
  }
  /** Axes reordered (PyTorch's permute). */
  permute(...dims: number[]): Tensor {
    return sh.permute(this, dims);
  }
  /** A new axis of size 1 at dim. */
  unsqueeze(dim: number): Tensor {
    return sh.unsqueeze(this, dim);
  }
  /** Axes of size 1 removed (only dim when given). */
  squeeze(dim?: number): Tensor {
    return sh.squeeze(this, dim);
  }
  /** Axes startDim..endDim merged into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return sh.flatten(this, startDim, endDim);
  }
  /** Basic slicing ('1:3', numbers, null for a whole axis). */
  slice(...specs: SliceSpec[]): Tensor {
    return sh.slice(this, ...specs);
  }
  /** Integer-array (gather) indexing. */
  index(...specs: IndexSpec[]): Tensor {
    return sh.index(this, ...specs);
  }
  /** Softmax along axis. */
  softmax(axis = -1): Tensor {
    return softmax(this, axis);
  }
  /** Log-softmax along axis, computed stably. */
  logSoftmax(axis = -1): Tensor {
    return logSoftmax(this, axis);
  }

  /** `tensor(<values>, gradFn=...)`, as PyTorch prints a tensor. */
  toString(): string {
    const fn = this.gradFn ? `, gradFn=${this.gradFn.op}` : this.requiresGrad ? ', requiresGrad=true' : '';
    return `tensor(${this.data.toString()}${fn})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A tensor from nested numbers, an NDArray (shared, not copied) or a number. */
export function tensor(
  data: NDArray | NestedArray,
  { requiresGrad = false, dtype }: TensorOptions & { dtype?: DType } = {},
): Tensor {
  let a = data instanceof NDArray ? data : array(data, dtype);
  if (dtype && a.dtype !== dtype) a = a.astype(dtype);
  return new Tensor(a, { requiresGrad });
}

/** The NDArray (or number) behind an operand. */
export function valueOf(x: Tensor | Operand): Operand {
  return x instanceof Tensor ? x.data : x;
}

/** A tensor for any operand: a Tensor as is, an NDArray or number as a constant (no grad). */
export function asTensor(x: Tensor | Operand, dtype: DType = 'float64'): Tensor {
  if (x instanceof Tensor) return x;
  return new Tensor(typeof x === 'number' ? full([], x, dtype) : x);
}

/**
 * Runs fn, naming `op` in its shape errors: a layer function's "affineForward: x of shape ..." becomes
 * "linear: affineForward: x of shape ...", so the message names the op the user called.
 */
export function asOp<T>(op: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError && !e.message.startsWith(`${op}:`))
      throw new RangeError(`${op}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * The result of op `op` on `inputs`: a leaf when nothing is recorded, else a tensor whose node runs
 * `backward`. `saved` lists the tensors whose values backward reads ('out': the result itself), for the
 * in-place check.
 */
export function fromOp(
  op: string,
  data: NDArray,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly (Tensor | 'out')[] = [],
): Tensor {
  const out = new Tensor(data);
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = {
    op,
    inputs,
    backward,
    saved: saved.map((t) => {
      const tensor = t === 'out' ? out : t;
      return { tensor, version: tensor.version };
    }),
  };
  return out;
}

function seedGradient(t: Tensor, gradient: NDArray | number | undefined): NDArray {
  if (!t.requiresGrad)
    throw new Error(
      `backward: this tensor of shape ${fmtShape(t.shape)} does not require grad (no input of the ops that made it requires grad, or they ran under noGrad)`,
    );
  if (gradient === undefined) {
    if (t.size !== 1)
      throw new RangeError(
        `backward: the gradient can be left out only for a one-element output; this one has shape ${fmtShape(t.shape)}: pass the gradient of the loss with respect to it (e.g. backward(onesLike(out.data))), or reduce it to a scalar first`,
      );
    return full(t.shape, 1, t.dtype);
  }
  if (typeof gradient === 'number') return full(t.shape, gradient, t.dtype);
  if (gradient.ndim !== t.ndim || gradient.shape.some((d, i) => d !== t.shape[i]))
    throw new RangeError(
      `backward: gradient of shape ${fmtShape(gradient.shape)} does not match the output's shape ${fmtShape(t.shape)}`,
    );
  return gradient;
}

/** The tensors that reach `root` through recorded ops, each after every tensor computed from it. */
function reverseTopological(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const u = inputs[i];
      if (u.requiresGrad && !seen.has(u)) {
        seen.add(u);
        stack.push([u, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/** g as the gradient of t: t's dtype, t's shape (a mismatch is a bug in an op's backward). */
function fitGrad(g: NDArray, t: Tensor, op: string): NDArray {
  if (g.ndim !== t.ndim || g.shape.some((d, i) => d !== t.shape[i]))
    throw new Error(
      `backward: internal error: ${op} gave a gradient of shape ${fmtShape(g.shape)} for an input of shape ${fmtShape(t.shape)}`,
    );
  return g.dtype === t.dtype ? g : g.astype(t.dtype);
}

function checkSaved(node: Node): void {
  for (const { tensor, version } of node.saved) {
    if (tensor.version !== version)
      throw new Error(
        `backward: a tensor of shape ${fmtShape(tensor.shape)} that ${node.op} saved for its backward was modified in place after ${node.op} used it (version ${version}, now ${tensor.version}); clone it before writing, or write it only after backward`,
      );
  }
}

function runBackward(root: Tensor, seed: NDArray, retainGraph: boolean): void {
  const grads = new Map<Tensor, NDArray>([[root, seed]]);
  for (const t of reverseTopological(root)) {
    const g = grads.get(t);
    if (g === undefined) continue;
    grads.delete(t);
    const node = t.gradFn;
    if (node === null) {
      // A leaf: its own copy of the gradient (g may be shared with another input of a passthrough op).
      t.grad = t.grad ? t.grad.add(g) : g.copy();
      continue;
    }
    if (t.retainsGrad) t.grad = t.grad ? t.grad.add(g) : g.copy();
    if (node.backward === null)
      throw new Error(
        `backward: the graph through ${node.op} was freed by an earlier backward; pass { retainGraph: true } to the first backward to go through it twice`,
      );
    checkSaved(node);
    const inGrads = node.backward(g);
    if (!retainGraph) {
      node.backward = null;
      node.saved = [];
    }
    node.inputs.forEach((u, i) => {
      const gi = inGrads[i];
      if (!u.requiresGrad || gi === null || gi === undefined) return;
      const fitted = fitGrad(gi, u, node.op);
      const prev = grads.get(u);
      grads.set(u, prev ? prev.add(fitted) : fitted);
    });
  }
}
