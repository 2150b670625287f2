/**
 * Every differentiable op, as functions (PyTorch's torch.* and torch.nn.functional in one namespace; the
 * public API exports it as `F`, since names such as add, sum and matmul are NDArray ops there too).
 */
export {
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  exp,
  log,
  sqrt,
  tanh,
  sigmoid,
  relu,
  leakyRelu,
  where,
  maskedFill,
  sumTo,
  type TensorLike,
} from './ops/elementwise.js';
export { sum, mean, max } from './ops/reduce.js';
export {
  reshape,
  permute,
  transpose,
  unsqueeze,
  squeeze,
  flatten,
  expand,
  slice,
  index,
  gather,
  concat,
  stack,
} from './ops/shape.js';
export { matmul, linear } from './ops/linalg.js';
export { softmax, logSoftmax, maskedSoftmax } from './ops/softmax.js';
export {
  embedding,
  dropout,
  conv2d,
  convReluPool2d,
  convTranspose2d,
  maxPool2d,
  avgPool2d,
  batchNorm,
  layerNorm,
  type Conv2dOptions,
  type DropoutOptions,
} from './ops/nn.js';
export { crossEntropy, bceWithLogits, mse, type CrossEntropyOptions, type Reduction } from './ops/losses.js';
