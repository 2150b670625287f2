/**
 * Test helpers for gradient checks of whole models: numeric gradients through src/nn's gradientCheck, and a
 * scale-relative error (see relError).
 */
import type { NDArray } from '../../src/ndarray/index.js';
import { evalNumericalGradient } from '../../src/nn/gradientCheck.js';

/** ∂f/∂x by centred differences (src/nn's evalNumericalGradient), x perturbed in place. */
export function numericGrad(f: () => number, x: NDArray, h = 1e-5): NDArray {
  return evalNumericalGradient(() => f(), x, { h });
}

/** The gradient of sum(f() · dout) with respect to x, for array-valued f. */
export function numericGradArray(f: () => NDArray, x: NDArray, dout: NDArray, h = 1e-5): NDArray {
  return numericGrad(() => f().mul(dout).sum().item(), x, h);
}

/**
 * max |a − b| / max(1e-8, max(|a| + |b|)): the largest error relative to the arrays' scale (issue 3's
 * relError). The course's elementwise form blows up on entries that are ~0 in both, where centred
 * differences only have round-off left.
 */
export function relError(a: NDArray, b: NDArray): number {
  return a.sub(b).abs().max().item() / Math.max(1e-8, a.abs().add(b.abs()).max().item());
}
