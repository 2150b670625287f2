/**
 * First-order update rules, as in CS231n's optim.py.
 *
 * Every rule has one contract:
 *
 *     update(w, dw, config?) -> [nextW, config]
 *
 *   w:      the current weights, any shape
 *   dw:     the gradient of the loss with respect to w, same shape
 *   config: hyperparameters (learningRate, momentum, ...) and the rule's running state (velocity, cache,
 *           m, v, t); missing keys get the course's defaults, and the same object, updated, is returned so
 *           the caller passes it back in on the next step.
 *
 * For speed the update is done IN PLACE: `nextW` is `w` itself, changed (the Solver relies on this to
 * train without allocating per step). Copy `w` first if you need the old weights. The running state is
 * allocated once, on the first call, with w's shape and dtype; the scratch buffers live beside w (not in
 * config, so config stays small enough to checkpoint). Where the backend has its own memory (wasm with
 * threads), the first update moves w there and allocates the state there (see makeResident), so kernels
 * read them without copies.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { backend } from '../backend/index.js';
import type { OptimizerStepArgs } from '../backend/backend.js';
import type { FloatArray } from '../ndarray/dtype.js';
import { add, div, mul, sqrt, square, sub } from '../ndarray/elementwise.js';
import { zeros } from '../ndarray/creation.js';
import { fmtShape } from '../ndarray/shape.js';

/** Hyperparameters and running state of an update rule (CS231n's config dict). */
export interface OptimConfig {
  /** Step size (default 1e-2; Adam 1e-3). */
  learningRate?: number;
  /** sgdMomentum: the momentum coefficient (default 0.9). */
  momentum?: number;
  /** sgdMomentum: the running velocity, shaped like w. */
  velocity?: NDArray;
  /** rmsprop: the decay of the squared-gradient cache (default 0.99). */
  decayRate?: number;
  /** rmsprop and adam: added to the denominator for stability (default 1e-8). */
  epsilon?: number;
  /** rmsprop: the running mean of squared gradients. */
  cache?: NDArray;
  /** adam: decay of the first moment (default 0.9). */
  beta1?: number;
  /** adam: decay of the second moment (default 0.999). */
  beta2?: number;
  /** adam: the first moment. */
  m?: NDArray;
  /** adam: the second moment. */
  v?: NDArray;
  /** adam: the step count, incremented before it is used. */
  t?: number;
}

/** The course's update-rule contract: update(w, dw, config) → [nextW, config] (config carries the rule's state). */
export type UpdateRule = (w: NDArray, dw: NDArray, config?: OptimConfig) => [NDArray, OptimConfig];

/** Per-parameter scratch buffers (keyed by the weight array, which updates keep in place). */
const scratchFor = new WeakMap<NDArray, NDArray[]>();

function scratch(w: NDArray, k: number): NDArray {
  let list = scratchFor.get(w);
  if (!list) scratchFor.set(w, (list = []));
  let s = list[k];
  if (
    !s ||
    s.dtype !== w.dtype ||
    s.size !== w.size ||
    s.ndim !== w.ndim ||
    s.shape.some((d, i) => d !== w.shape[i])
  )
    s = list[k] = zeros(w.shape, w.dtype);
  return s;
}

function check(w: NDArray, dw: NDArray, op: string): void {
  if (w.ndim !== dw.ndim || w.shape.some((d, i) => d !== dw.shape[i])) {
    throw new RangeError(
      `${op}: dw of shape ${fmtShape(dw.shape)} does not match w of shape ${fmtShape(w.shape)}`,
    );
  }
}

/** Arrays below this many elements gain nothing from living in the backend's memory. */
const RESIDENT_MIN = 4096;

/** A zero-filled buffer for w's values in the backend's own memory (Backend.residentArray), or null. */
function residentBuffer(w: NDArray): FloatArray | null {
  if (w.size < RESIDENT_MIN || (w.dtype !== 'float32' && w.dtype !== 'float64')) return null;
  return backend().residentArray?.(w.dtype, w.size) ?? null;
}

/** Zeros like w, in the backend's own memory when it has one. */
function residentZeros(w: NDArray): NDArray {
  const data = residentBuffer(w);
  return data ? new NDArray(data, w.shape, w.dtype) : zeros(w.shape, w.dtype);
}

/**
 * Moves w's values into the backend's own memory, keeping the NDArray object (as PyTorch's
 * module.to(device) keeps its parameters), so this and every later update, and every kernel that reads
 * w, work in place instead of copying w in and out on each step. Only for an array that is its whole
 * buffer and not already in shared memory; a view of w taken before the move (w.T, a reshape) keeps the
 * old storage.
 */
function makeResident(w: NDArray): void {
  if (w.offset !== 0 || w.data.length !== w.size || !w.isContiguous) return;
  if (typeof SharedArrayBuffer !== 'undefined' && w.data.buffer instanceof SharedArrayBuffer) return;
  const r = residentBuffer(w);
  if (!r) return;
  r.set(w.data as FloatArray);
  (w as { data: NDArray['data'] }).data = r;
}

/** The state array `key` of config, created as zeros like w (in the backend's memory) on the first call. */
function state(config: OptimConfig, key: 'velocity' | 'cache' | 'm' | 'v', w: NDArray, op: string): NDArray {
  let s = config[key];
  if (!s) s = config[key] = residentZeros(w);
  else if (s.size !== w.size)
    throw new RangeError(
      `${op}: config.${key} of shape ${fmtShape(s.shape)} does not match w of shape ${fmtShape(w.shape)}`,
    );
  return s;
}

/**
 * Runs `rule`'s update as one fused backend pass when w, dw and the state arrays are contiguous arrays of
 * one float dtype (the usual case); the result is the op chain's bit for bit. False: use the chain.
 */
function fused(
  rule: OptimizerStepArgs['rule'],
  w: NDArray,
  dw: NDArray,
  m: NDArray | null,
  v: NDArray | null,
  config: OptimConfig,
  t = 0,
): boolean {
  const arrays = [w, dw, m, v].filter((a): a is NDArray => a !== null);
  if (
    (w.dtype !== 'float32' && w.dtype !== 'float64') ||
    arrays.some((a) => a.dtype !== w.dtype || !a.isContiguous)
  )
    return false;
  makeResident(w);
  backend().optimizerStep({
    rule,
    n: w.size,
    w: w.data as FloatArray,
    wOffset: w.offset,
    dw: dw.data as FloatArray,
    dwOffset: dw.offset,
    m: m ? (m.data as FloatArray) : null,
    mOffset: m ? m.offset : 0,
    v: v ? (v.data as FloatArray) : null,
    vOffset: v ? v.offset : 0,
    learningRate: config.learningRate!,
    momentum: config.momentum ?? 0,
    beta1: config.beta1 ?? 0,
    beta2: config.beta2 ?? 0,
    epsilon: config.epsilon ?? 0,
    t,
  });
  return true;
}

/** Vanilla stochastic gradient descent: w -= learningRate·dw. */
export const sgd: UpdateRule = (w, dw, config = {}) => {
  check(w, dw, 'sgd');
  config.learningRate ??= 1e-2;
  if (fused('sgd', w, dw, null, null, config)) return [w, config];
  const step = mul(dw, config.learningRate, scratch(w, 0));
  sub(w, step, w);
  return [w, config];
};

/** SGD with momentum: v = momentum·v − learningRate·dw; w += v. */
export const sgdMomentum: UpdateRule = (w, dw, config = {}) => {
  check(w, dw, 'sgdMomentum');
  config.learningRate ??= 1e-2;
  config.momentum ??= 0.9;
  const v = state(config, 'velocity', w, 'sgdMomentum');
  if (fused('sgdMomentum', w, dw, v, null, config)) return [w, config];
  const step = mul(dw, config.learningRate, scratch(w, 0));
  mul(v, config.momentum, v);
  sub(v, step, v);
  add(w, v, w);
  return [w, config];
};

/** RMSProp: cache = decayRate·cache + (1 − decayRate)·dw²; w −= learningRate·dw / (√cache + epsilon). */
export const rmsprop: UpdateRule = (w, dw, config = {}) => {
  check(w, dw, 'rmsprop');
  config.learningRate ??= 1e-2;
  config.decayRate ??= 0.99;
  config.epsilon ??= 1e-8;
  const cache = state(config, 'cache', w, 'rmsprop');
  const t = scratch(w, 0);
  square(dw, t);
  mul(t, 1 - config.decayRate, t);
  mul(cache, config.decayRate, cache);
  add(cache, t, cache);
  const denom = sqrt(cache, t);
  add(denom, config.epsilon, denom);
  const step = mul(dw, config.learningRate, scratch(w, 1));
  div(step, denom, step);
  sub(w, step, w);
  return [w, config];
};

/**
 * Adam with bias correction: t += 1; m = β1·m + (1 − β1)·dw; v = β2·v + (1 − β2)·dw²;
 * w −= learningRate·(m / (1 − β1^t)) / (√(v / (1 − β2^t)) + epsilon).
 */
export const adam: UpdateRule = (w, dw, config = {}) => {
  check(w, dw, 'adam');
  config.learningRate ??= 1e-3;
  config.beta1 ??= 0.9;
  config.beta2 ??= 0.999;
  config.epsilon ??= 1e-8;
  config.t ??= 0;
  const m = state(config, 'm', w, 'adam');
  const v = state(config, 'v', w, 'adam');
  const { beta1, beta2 } = config;
  const t = (config.t += 1);
  if (fused('adam', w, dw, m, v, config, t)) return [w, config];
  const s0 = scratch(w, 0);
  const s1 = scratch(w, 1);
  mul(m, beta1, m);
  add(m, mul(dw, 1 - beta1, s0), m);
  mul(v, beta2, v);
  mul(square(dw, s0), 1 - beta2, s0);
  add(v, s0, v);
  // denom = √(v / (1 − β2^t)) + ε; step = lr·(m / (1 − β1^t)) / denom, in numpy's order of operations.
  const denom = sqrt(div(v, 1 - beta2 ** t, s0), s0);
  add(denom, config.epsilon, denom);
  const step = div(m, 1 - beta1 ** t, s1);
  mul(step, config.learningRate, step);
  div(step, denom, step);
  sub(w, step, w);
  return [w, config];
};

/** The rules by their CS231n names (camelCase), for Solver's `updateRule: 'adam'`. */
export const updateRules: Record<string, UpdateRule> = { sgd, sgdMomentum, rmsprop, adam };
