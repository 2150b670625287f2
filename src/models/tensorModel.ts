/**
 * TensorModel: a module trained through autograd, as a model the Solver trains unchanged. `params` are the
 * module's own arrays (the Solver's update rules change them in place, and the module's parameter tensors
 * share them); `loss(...batch)` runs the given loss function on tensors in train mode, then backward, and
 * returns [loss, grads] keyed like params (zeros for a parameter the loss did not reach).
 *
 *   const model = new TensorModel(net, (X, y) => F.crossEntropy(net.call(tensor(X)), y));
 *   new Solver(model, data, { updateRule: 'adam' }).train();
 */
import { zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import type { Tensor } from '../autograd/tensor.js';
import type { Module } from '../nn/modules/module.js';
import type { Grads, LossModel } from './model.js';

/** A loss written on tensors: the batch's arrays → a scalar tensor (autograd gives the gradients). */
export type TensorLoss = (...batch: NDArray[]) => Tensor;

/** Runs `lossFn` on a batch with `module` in train mode and returns [loss, the gradients of its params]. */
export function tensorLossAndGrads(module: Module, lossFn: TensorLoss, batch: NDArray[]): [number, Grads] {
  module.train();
  module.zeroGrad();
  const loss = lossFn(...batch);
  if (loss.size !== 1)
    throw new RangeError(
      `TensorModel.loss: the loss function gave shape ${fmtShape(loss.shape)}, not a scalar`,
    );
  loss.backward();
  const grads: Grads = {};
  for (const [name, t] of module.namedParameterTensors()) grads[name] = t.grad ?? zeros(t.shape, t.dtype);
  return [loss.item(), grads];
}

export class TensorModel implements LossModel {
  readonly module: Module;
  params: Record<string, NDArray>;
  /** The generator the module's dropout draws from, saved in checkpoints. */
  rng?: Generator;
  private readonly lossFn: TensorLoss;

  constructor(module: Module, lossFn: TensorLoss, { rng }: { rng?: Generator } = {}) {
    this.module = module;
    this.lossFn = lossFn;
    this.params = Object.fromEntries(module.namedParameters());
    this.rng = rng;
  }

  buffers(): Record<string, NDArray> {
    return Object.fromEntries(this.module.namedBuffers());
  }

  /** One minibatch → [loss, grads], forward and backward on tensors. */
  loss(...batch: NDArray[]): [number, Grads] {
    return tensorLossAndGrads(this.module, this.lossFn, batch);
  }
}
