/**
 * What the Solver needs of a model (CS231n's solver.py contract): a dict of parameters and a loss function.
 * The loss takes one minibatch as the data source yields it — `loss(X, y)` for a classifier,
 * `loss(features, captions)` for a captioning net, `loss(X)` for unlabelled images — and returns
 * [loss, grads] with grads keyed like params.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';

/** Gradients keyed as the parameters they belong to. */
export type Grads = Record<string, NDArray>;

/** Any trainable model: `loss(...batch)` → [loss, grads]. */
export interface LossModel {
  /** The trainable parameters by name; the Solver updates these arrays in place. */
  params: Record<string, NDArray>;
  /** One minibatch (the arrays a data source's batch holds) → [loss, grads], computed in train mode. */
  loss(...batch: NDArray[]): [number, Grads] | NDArray;
  /** State that is not a parameter but must be saved (batchnorm running statistics), by name. */
  buffers?(): Record<string, NDArray>;
  /** The generator the model draws from while training (dropout masks), saved in checkpoints. */
  rng?: Generator;
}

/** A step's losses by name (a GAN's discriminator and generator losses); `loss` is the one the Solver records. */
export interface StepLosses {
  loss: number;
  parts: Record<string, number>;
}

/**
 * A model whose step updates its parameters in stages, each stage's gradients computed after the previous
 * stage's update (a GAN: the discriminator, then the generator against the new discriminator). The Solver
 * calls `trainStep` instead of `loss`; each `update(grads)` applies the update rule, with each parameter's
 * own optimizer state, to the parameters named in grads.
 */
export interface StagedLossModel extends LossModel {
  /** One staged step on `batch`, calling `update(grads)` after each stage; returns the stages' losses. */
  trainStep(batch: NDArray[], update: (grads: Grads) => void): StepLosses;
}

/** Whether the model trains in stages (trainStep) rather than by one loss. */
export const isStaged = (m: LossModel): m is StagedLossModel =>
  typeof (m as Partial<StagedLossModel>).trainStep === 'function';

/** A classifier: without labels, `loss(X)` returns the class scores (N, C), computed in test mode. */
export interface Model extends LossModel {
  /**
   * X: a minibatch (N, ...). Without y: the class scores (N, C), computed in test mode.
   * With y (N,): [loss, grads], grads keyed like params, computed in train mode.
   */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
}
