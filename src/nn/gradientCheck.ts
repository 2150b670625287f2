/**
 * Numeric gradients by centred differences, (f(x + h) − f(x − h)) / 2h, to check every backward pass,
 * as in the course's gradient_check.py. Each function perturbs x in place and restores it.
 */
import { scalar, zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { defaultRng, type Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';

/** The buffer offset of every element of x, in C order (x may be any strided view). */
function elementOffsets(x: NDArray): number[] {
  const offsets: number[] = [];
  const walk = (axis: number, base: number): void => {
    if (axis === x.ndim) {
      offsets.push(base);
      return;
    }
    for (let i = 0; i < x.shape[axis]; i++) walk(axis + 1, base + i * x.strides[axis]);
  };
  walk(0, x.offset);
  return offsets;
}

/** [f(x + h·e), f(x − h·e)] for the element of x at buffer offset o, which is restored afterwards. */
function centred<T>(f: (x: NDArray) => T, x: NDArray, o: number, h: number): [T, T] {
  const old = x.data[o];
  x.data[o] = old + h;
  const plus = f(x);
  x.data[o] = old - h;
  const minus = f(x);
  x.data[o] = old;
  return [plus, minus];
}

/** Options of the numeric gradients: step h, verbosity. */
export interface NumericalGradientOptions {
  /** The step (default 1e-5). */
  h?: number;
  /** Print each coordinate's index and gradient as it is computed (default false). */
  verbose?: boolean;
}

/** The multi-index of the k-th element in C order, for printing. */
function unravel(k: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    idx.unshift(k % shape[i]);
    k = Math.floor(k / shape[i]);
  }
  return idx;
}

/**
 * The numeric gradient of a scalar function at x: grad[i] = (f(x + h·e_i) − f(x − h·e_i)) / 2h.
 * - f: reads x (which is perturbed in place) and returns a number
 * Returns an array of x's shape (float64).
 */
export function evalNumericalGradient(
  f: (x: NDArray) => number,
  x: NDArray,
  { h = 1e-5, verbose = false }: NumericalGradientOptions = {},
): NDArray {
  const grad = zeros(x.shape, 'float64');
  const g = grad.data;
  elementOffsets(x).forEach((o, k) => {
    const [fxph, fxmh] = centred(f, x, o, h);
    g[k] = (fxph - fxmh) / (2 * h);
    if (verbose) console.log(`(${unravel(k, x.shape).join(', ')}) ${g[k]}`);
  });
  return grad;
}

/**
 * The numeric gradient of an array-valued function contracted with an upstream gradient:
 * grad[i] = Σ (f(x + h·e_i) − f(x − h·e_i)) · dout / 2h, i.e. what a backward pass returns for x.
 * - f: reads x and returns an array of dout's shape
 * Returns an array of x's shape (float64).
 */
export function evalNumericalGradientArray(
  f: (x: NDArray) => NDArray,
  x: NDArray,
  dout: NDArray,
  h = 1e-5,
): NDArray {
  const grad = zeros(x.shape, 'float64');
  const g = grad.data;
  elementOffsets(x).forEach((o, k) => {
    // A copy of f(x + h·e) before the second call, which may reuse f's output buffer.
    const [pos, neg] = centred((x) => f(x).astype('float64'), x, o, h);
    if (pos.size !== dout.size)
      throw new RangeError(
        `evalNumericalGradientArray: f returned shape ${fmtShape(pos.shape)} but dout has shape ${fmtShape(dout.shape)}`,
      );
    g[k] = pos.subInPlace(neg).mulInPlace(dout.reshape(pos.shape)).sum().item() / (2 * h);
  });
  return grad;
}

/**
 * Checks `numChecks` random coordinates of an analytic gradient against centred differences, printing
 * "numerical analytic relative-error" per coordinate when verbose, as in the course.
 * Returns the relative errors.
 */
export function gradCheckSparse(
  f: (x: NDArray) => number,
  x: NDArray,
  analyticGrad: NDArray,
  numChecks = 10,
  h = 1e-5,
  { verbose = true, rng = defaultRng }: { verbose?: boolean; rng?: Generator } = {},
): number[] {
  const offsets = elementOffsets(x);
  const analytic = analyticGrad.astype('float64').reshape(-1);
  const errors: number[] = [];
  for (let t = 0; t < numChecks; t++) {
    const k = rng.nextInt(offsets.length);
    const [fxph, fxmh] = centred(f, x, offsets[k], h);
    const num = (fxph - fxmh) / (2 * h);
    const ana = analytic.item(k);
    const err = Math.abs(num - ana) / Math.max(1e-8, Math.abs(num) + Math.abs(ana));
    errors.push(err);
    if (verbose) console.log(`numerical: ${num} analytic: ${ana}, relative error: ${err}`);
  }
  return errors;
}

/** The course's relative error: max over elements of |x − y| / max(1e-8, |x| + |y|). */
export function relError(x: NDArray | number, y: NDArray | number): number {
  const asArray = (v: NDArray | number) => (typeof v === 'number' ? scalar(v) : v.astype('float64'));
  const a = asArray(x);
  const b = asArray(y);
  return a.sub(b).abs().div(a.abs().add(b.abs()).maximum(1e-8)).max().item();
}

/** One parameter's check by checkModelGradients. */
export interface ParamGradCheck {
  name: string;
  shape: number[];
  /** relError(analytic, numeric); 0 where `independent`. */
  relError: number;
  /** Both gradients below 1e-8: the loss does not depend on it (a bias before a batchnorm), and a relative
   * error of two roundings would measure only noise. */
  independent: boolean;
}

/**
 * The course's check of a whole model, as its notebooks do after building one: for each parameter, the
 * gradient `model.loss(...batch)` returns against centred differences of that loss (step h, default 1e-6).
 * Use a float64 model, and fix any randomness of the loss (dropout's seed) so both sides see the same f.
 * Returns the loss, each parameter's check in `model.params` order, and the worst relative error.
 */
export function checkModelGradients(
  model: {
    params: Record<string, NDArray>;
    loss(...batch: NDArray[]): [number, Record<string, NDArray>] | NDArray;
  },
  batch: NDArray[],
  { h = 1e-6 }: { h?: number } = {},
): { loss: number; params: ParamGradCheck[]; worst: number } {
  const lossOf = (): [number, Record<string, NDArray>] => {
    const out = model.loss(...batch);
    if (!Array.isArray(out))
      throw new TypeError('checkModelGradients: model.loss(...batch) returned no [loss, grads]');
    return out;
  };
  const [loss, g] = lossOf();
  // Copied: the numeric check calls the loss again, which may reuse gradient buffers.
  const grads = Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.copy()]));
  const params = Object.keys(model.params).map((name): ParamGradCheck => {
    if (!(name in grads))
      throw new RangeError(`checkModelGradients: the loss gave no gradient for '${name}'`);
    const numeric = evalNumericalGradient(() => lossOf()[0], model.params[name], { h });
    const largest = Math.max(grads[name].abs().max().item(), numeric.abs().max().item());
    const independent = largest < 1e-8;
    return {
      name,
      shape: [...model.params[name].shape],
      relError: independent ? 0 : relError(grads[name], numeric),
      independent,
    };
  });
  return { loss, params, worst: Math.max(0, ...params.map((p) => p.relError)) };
}
