/** Shape checks and the loss tail shared by the linear classifiers' losses. */
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

/**
 * The tail every linear loss shares: the data loss summed over N rows and its gradient dW (D, C) become means,
 * then the L2 term reg·ΣW² and its gradient 2·reg·W are added. dW is updated in place; returns [loss, dW].
 */
export function averageAndRegularize(
  dataLoss: number,
  dW: NDArray,
  W: NDArray,
  reg: number,
  N: number,
): [number, NDArray] {
  const loss = dataLoss / N + reg * W.square().sum().item();
  dW.divInPlace(N).addInPlace(W.mul(2 * reg));
  return [loss, dW];
}
