/** Autograd: Tensor, the tape, noGrad, and every differentiable op (as functions in F, and as methods). */
export {
  Tensor,
  tensor,
  asTensor,
  noGrad,
  isGradEnabled,
  type BackwardFn,
  type Node,
  type TensorOptions,
} from './tensor.js';
export * as F from './functional.js';
