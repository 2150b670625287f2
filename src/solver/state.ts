/**
 * A Solver's state as data: JSON-able metadata plus named arrays, everything needed to continue training
 * exactly where it stopped — mid-epoch included. A checkpoint (checkpoint.ts) is this state plus whatever
 * the caller records about the run.
 *
 * Arrays:  params/<p>  best/<p>  buffers/<b>  optim/<p>/<key> (velocity, m, v, cache)  solver/order
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import type { OptimConfig } from '../optim/optim.js';

/** The JSON part of a Solver's state: training position, history, optimizer, RNG states. */
export interface SolverStateMeta {
  training: {
    /** Steps taken. */
    iteration: number;
    /** Epochs completed. */
    epoch: number;
    iterationsPerEpoch: number;
    numEpochs: number;
    batchSize: number;
    /** True once every step has run. */
    done: boolean;
  };
  history: {
    loss: number[];
    trainAcc: number[];
    valAcc: number[];
    lr: number[];
    /** A staged model's losses by name, one per iteration (see StagedLossModel). */
    parts?: Record<string, number[]>;
  };
  optimizer: {
    rule: string;
    /** The base learning rate the schedule multiplies (null: the rule's default). */
    baseLr: number | null;
    /** The scalar entries of each parameter's optimizer config (Adam's t, momentum, ...). */
    scalars: Record<string, Record<string, number>>;
  };
  metric: string;
  bestValAcc: number;
  /** Generator states (NaN encoded as null). */
  rng: { solver: (number | null)[]; model: (number | null)[] | null };
}

/** A Solver's whole state: metadata and arrays (parameters, best parameters, optimizer state). */
export interface SolverState {
  meta: SolverStateMeta;
  /** Live references to the arrays (copy them to keep a snapshot while training goes on). */
  arrays: Record<string, NDArray>;
}

/** Splits optimizer configs into their arrays (for the .npz) and their numbers (for the JSON). */
export function splitOptimConfigs(configs: Record<string, OptimConfig>): {
  scalars: Record<string, Record<string, number>>;
  arrays: Record<string, Record<string, NDArray>>;
} {
  const scalars: Record<string, Record<string, number>> = {};
  const arrays: Record<string, Record<string, NDArray>> = {};
  for (const [p, c] of Object.entries(configs)) {
    scalars[p] = {};
    arrays[p] = {};
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'number') scalars[p][k] = v;
      else if (v !== undefined) arrays[p][k] = v as NDArray;
    }
  }
  return { scalars, arrays };
}

/** The arrays under one prefix, with the prefix removed: group(arrays, 'params') → { W1, b1, ... }. */
export function group(arrays: Record<string, NDArray>, prefix: string): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  const p = prefix + '/';
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

/** Prefixes every key: prefixed('params', { W1 }) → { 'params/W1': W1 }. */
export function prefixed(prefix: string, arrays: Record<string, NDArray>): Record<string, NDArray> {
  return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${prefix}/${k}`, v]));
}

/**
 * Copies saved parameters and buffers into a model's own arrays, in place (modules and optimizer state hold
 * those very arrays). Every parameter must be there with its shape; `what` names the caller in errors.
 */
export function loadModelArrays(
  model: { params: Record<string, NDArray>; buffers?(): Record<string, NDArray> },
  params: Record<string, NDArray>,
  buffers: Record<string, NDArray>,
  what = 'loadModelArrays',
): void {
  for (const [name, p] of Object.entries(model.params)) {
    const saved = params[name];
    if (!saved) throw new Error(`${what}: the saved state has no parameter '${name}' for this model`);
    if (saved.shape.join(',') !== p.shape.join(',')) {
      throw new RangeError(
        `${what}: saved parameter '${name}' is ${fmtShape(saved.shape)}; the model wants ${fmtShape(p.shape)}`,
      );
    }
    if (!saved.dtype.startsWith('float') && p.dtype.startsWith('float')) {
      // Casting would make a model of whole numbers out of a damaged or crafted file, silently.
      throw new TypeError(`${what}: saved parameter '${name}' is ${saved.dtype}; the model's is ${p.dtype}`);
    }
    p.set('...', saved.astype(p.dtype));
  }
  const own = model.buffers?.() ?? {};
  for (const [name, b] of Object.entries(own)) {
    const saved = buffers[name];
    if (!saved) continue;
    if (saved.size !== b.size) {
      throw new RangeError(
        `${what}: saved buffer '${name}' is ${fmtShape(saved.shape)}; the model wants ${fmtShape(b.shape)}`,
      );
    }
    b.set('...', saved.reshape(...b.shape).astype(b.dtype));
  }
}

/** Generator states hold NaN (no spare Gaussian), which JSON cannot: NaN ↔ null. */
export const encodeRngState = (s: number[]): (number | null)[] => s.map((v) => (Number.isNaN(v) ? null : v));
/** A generator state from its JSON form (null back to NaN). */
export const decodeRngState = (s: (number | null)[]): number[] => s.map((v) => (v === null ? NaN : v));
