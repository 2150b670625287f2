/**
 * Elementwise ops on tensors, with numpy broadcasting: arithmetic, pow, exp, log, sqrt and the
 * nonlinearities (whose backward passes are src/nn/activations.ts's), where and maskedFill. A gradient
 * flowing to a broadcast operand is summed over the axes it was stretched along (sumTo).
 */
import * as ew from '../../ndarray/elementwise.js';
import { where as ndWhere } from '../../ndarray/indexing.js';
import type { NDArray, Operand } from '../../ndarray/ndarray.js';
import { broadcastShapes } from '../../ndarray/shape.js';
import {
  leakyReluBackward,
  leakyReluForward,
  reluBackward,
  reluForward,
  sigmoidBackward,
  tanhBackward,
} from '../../nn/activations.js';
import { Tensor, fromOp, valueOf } from '../tensor.js';

/** A tensor, an NDArray (a constant) or a number (a weak scalar: it keeps the tensor's dtype). */
export type TensorLike = Tensor | Operand;

/** The gradient g of a broadcast result, summed back to `shape` (the axes broadcasting added or stretched). */
export function sumTo(g: NDArray, shape: readonly number[]): NDArray {
  if (g.ndim === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return (axes.length > 0 ? g.sum(axes, true) : g).reshape(shape);
}

/** The tensors among the operands (numbers and NDArrays are constants). */
function tensorsOf(...xs: TensorLike[]): Tensor[] {
  return xs.map((x) => (x instanceof Tensor ? x : new Tensor(typeof x === 'number' ? ew.add(x, 0) : x)));
}

const shapeOf = (x: TensorLike): readonly number[] => (typeof x === 'number' ? [] : x.shape);

/** a + b. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const ins = tensorsOf(a, b);
  return fromOp('add', ew.add(valueOf(a), valueOf(b)), ins, (g) => [
    ins[0].requiresGrad ? sumTo(g, shapeOf(a)) : null,
    ins[1].requiresGrad ? sumTo(g, shapeOf(b)) : null,
  ]);
}

/** a − b. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const ins = tensorsOf(a, b);
  return fromOp('sub', ew.sub(valueOf(a), valueOf(b)), ins, (g) => [
    ins[0].requiresGrad ? sumTo(g, shapeOf(a)) : null,
    ins[1].requiresGrad ? sumTo(g.neg(), shapeOf(b)) : null,
  ]);
}

/** a · b elementwise. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [va, vb] = [valueOf(a), valueOf(b)];
  const ins = tensorsOf(a, b);
  return fromOp(
    'mul',
    ew.mul(va, vb),
    ins,
    (g) => [
      ins[0].requiresGrad ? sumTo(ew.mul(g, vb), shapeOf(a)) : null,
      ins[1].requiresGrad ? sumTo(ew.mul(g, va), shapeOf(b)) : null,
    ],
    ins,
  );
}

/** a / b elementwise. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [va, vb] = [valueOf(a), valueOf(b)];
  const ins = tensorsOf(a, b);
  const out = ew.div(va, vb);
  return fromOp(
    'div',
    out,
    ins,
    (g) => [
      ins[0].requiresGrad ? sumTo(ew.div(g, vb), shapeOf(a)) : null,
      // ∂(a/b)/∂b = −(a/b)/b
      ins[1].requiresGrad ? sumTo(ew.div(ew.mul(g, out), vb).neg(), shapeOf(b)) : null,
    ],
    [ins[1], 'out'],
  );
}

/** −a. */
export function neg(a: Tensor): Tensor {
  return fromOp('neg', a.data.neg(), [a], (g) => [g.neg()]);
}

/** a ** b (b a number or a tensor; ∂/∂b = a^b·log a). */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [va, vb] = [valueOf(a), valueOf(b)];
  const ins = tensorsOf(a, b);
  const out = ew.pow(va, vb);
  return fromOp(
    'pow',
    out,
    ins,
    (g) => [
      ins[0].requiresGrad ? sumTo(ew.mul(g, ew.mul(vb, ew.pow(va, ew.sub(vb, 1)))), shapeOf(a)) : null,
      ins[1].requiresGrad ? sumTo(ew.mul(g, ew.mul(out, ew.log(ins[0].data))), shapeOf(b)) : null,
    ],
    [...ins, 'out'],
  );
}

/** e^a. */
export function exp(a: Tensor): Tensor {
  const out = a.data.exp();
  return fromOp('exp', out, [a], (g) => [g.mul(out)], ['out']);
}

/** The natural logarithm. */
export function log(a: Tensor): Tensor {
  return fromOp('log', a.data.log(), [a], (g) => [g.div(a.data)], [a]);
}

/** √a. */
export function sqrt(a: Tensor): Tensor {
  const out = a.data.sqrt();
  return fromOp('sqrt', out, [a], (g) => [g.div(out.mul(2))], ['out']);
}

/** tanh, its backward tanhBackward. */
export function tanh(a: Tensor): Tensor {
  const out = a.data.tanh();
  return fromOp('tanh', out, [a], (g) => tanhBackward(g, out), ['out']);
}

/** The logistic sigmoid, its backward sigmoidBackward. */
export function sigmoid(a: Tensor): Tensor {
  const out = a.data.sigmoid();
  return fromOp('sigmoid', out, [a], (g) => sigmoidBackward(g, out), ['out']);
}

/** max(0, a): reluForward / reluBackward (one backend pass each). */
export function relu(a: Tensor): Tensor {
  const [out, cache] = reluForward(a.data);
  return fromOp('relu', out, [a], (g) => reluBackward(g, cache), [a]);
}

/** a for a > 0, slope·a otherwise: leakyReluForward / leakyReluBackward. */
export function leakyRelu(a: Tensor, negativeSlope = 0.01): Tensor {
  const [out, cache] = leakyReluForward(a.data, negativeSlope);
  return fromOp('leakyRelu', out, [a], (g) => leakyReluBackward(g, cache), [a]);
}

/** The condition as a float array of 0s and 1s, for masking gradients. */
function asFloatMask(cond: NDArray, dtype: NDArray['dtype']): NDArray {
  return (cond.dtype === 'bool' ? cond : cond.ne(0)).astype(dtype);
}

/** numpy's where: a where cond is true, else b (all three broadcast). cond is data, not differentiated. */
export function where(cond: NDArray | Tensor, a: TensorLike, b: TensorLike): Tensor {
  const c = cond instanceof Tensor ? cond.data : cond;
  const out = ndWhere(c, valueOf(a), valueOf(b));
  const ins = tensorsOf(a, b);
  return fromOp('where', out, ins, (g) => {
    const m = asFloatMask(c, g.dtype);
    return [
      ins[0].requiresGrad ? sumTo(g.mul(m), shapeOf(a)) : null,
      ins[1].requiresGrad ? sumTo(g.mul(m.neg().add(1)), shapeOf(b)) : null,
    ];
  });
}

/**
 * `value` where mask is true (nonzero), else x: PyTorch's masked_fill (mask broadcasts to x's shape; value
 * may be ±Infinity). The filled positions get no gradient.
 */
export function maskedFill(x: Tensor, mask: NDArray | Tensor, value: number): Tensor {
  const m = mask instanceof Tensor ? mask.data : mask;
  const shape = broadcastShapes('maskedFill', x.shape, m.shape);
  if (shape.length !== x.ndim || shape.some((d, i) => d !== x.shape[i]))
    throw new RangeError(
      `maskedFill: mask of shape (${m.shape.join(', ')}) does not broadcast to x of shape (${x.shape.join(', ')})`,
    );
  const out = ndWhere(m.dtype === 'bool' ? m : m.ne(0), value, x.data);
  return fromOp('maskedFill', out, [x], (g) => [g.mul(asFloatMask(m, g.dtype).neg().add(1))]);
}
