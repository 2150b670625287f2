/** Shape checks shared by the linear classifiers' losses. */
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/** W (D, C), X (N, D), y (N,): throws naming `op` and the shapes when they disagree. */
export function checkLinearInputs(W: NDArray, X: NDArray, y: NDArray, op: string): void {
  if (
    W.ndim !== 2 ||
    X.ndim !== 2 ||
    y.ndim !== 1 ||
    X.shape[1] !== W.shape[0] ||
    y.shape[0] !== X.shape[0]
  ) {
    throw new RangeError(
      `${op}: X of shape ${fmtShape(X.shape)}, W of shape ${fmtShape(W.shape)} and y of shape ${fmtShape(y.shape)} do not match (want (N, D), (D, C), (N,))`,
    );
  }
}
