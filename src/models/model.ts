/**
 * What the Solver needs of a model (CS231n's solver.py contract): a dict of parameters and a loss
 * function that returns scores in test mode (no labels) and [loss, grads] in train mode.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';

export type Grads = Record<string, NDArray>;

export interface Model {
  /** The trainable parameters by name; the Solver updates these arrays in place. */
  params: Record<string, NDArray>;
  /**
   * X: a minibatch (N, ...). Without y: the class scores (N, C), computed in test mode.
   * With y (N,): [loss, grads], grads keyed like params, computed in train mode.
   */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  /** State that is not a parameter but must be saved (batchnorm running statistics), by name. */
  buffers?(): Record<string, NDArray>;
  /** The generator the model draws from while training (dropout masks), saved in checkpoints. */
  rng?: Generator;
}
