/** Gradient checks for tensor ops: backward against float64 centred differences of the same function. */
import { expect } from 'vitest';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { evalNumericalGradientArray } from '../../src/nn/gradientCheck.js';
import { Tensor, noGrad, tensor } from '../../src/autograd/index.js';
import { relError } from '../models/numeric.js';

/**
 * Runs f on tensors of `inputs` (all requiring grad), backward with a random output gradient, and returns
 * each input's relative error against the numeric gradient (inputs are perturbed in place, any strides).
 */
export function gradErrors(f: (...xs: Tensor[]) => Tensor, inputs: NDArray[], seed = 0): number[] {
  const ts = inputs.map((x) => tensor(x, { requiresGrad: true }));
  const out = f(...ts);
  const dout = new Generator(seed).randn(out.shape);
  out.backward(dout);
  return inputs.map((x, i) => {
    const num = evalNumericalGradientArray(
      () => noGrad(() => f(...inputs.map((a) => tensor(a))).data.copy()),
      x,
      dout,
    );
    const grad = ts[i].grad;
    expect(grad, `input ${i} has a gradient`).not.toBeNull();
    expect(grad!.shape).toEqual(x.shape);
    return relError(grad!, num);
  });
}

/** Expects every input's gradient to match the numeric one to `tol` (relative). */
export function expectGrads(f: (...xs: Tensor[]) => Tensor, inputs: NDArray[], tol = 1e-8, seed = 0): void {
  gradErrors(f, inputs, seed).forEach((e, i) => expect(e, `input ${i}`).toBeLessThan(tol));
}
