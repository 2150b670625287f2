/**
 * Test helpers: centred-difference gradients of a scalar function of an array (CS231n's
 * eval_numerical_gradient), and the course's relative error. Used until/besides src/nn's gradient checks.
 */
import type { NDArray } from '../../src/ndarray/index.js';

/** ∂f/∂x by centred differences, perturbing x in place one entry at a time (x must be contiguous). */
export function numericGrad(f: () => number, x: NDArray, h = 1e-5): NDArray {
  const g = x.mul(0);
  const d = x.data;
  for (let i = x.offset; i < x.offset + x.size; i++) {
    const old = d[i];
    d[i] = old + h;
    const fp = f();
    d[i] = old - h;
    const fm = f();
    d[i] = old;
    g.data[i - x.offset] = (fp - fm) / (2 * h);
  }
  return g;
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
