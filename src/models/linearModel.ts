/**
 * A linear classifier (SVM or softmax) in the Solver's contract, for training with any update rule, data
 * augmentation and checkpoints: `params: { W }` and `loss(X, y?)`. It uses the course's bias trick: W is
 * (D + 1, C) and each input row gets a 1 appended, so the last row of W is the bias (and is regularised, as
 * in the course). loss = data loss + reg·ΣW², dW includes 2·reg·W (linear_svm.py / softmax.py). The
 * course's own `LinearSVM` / `Softmax` (linearClassifier.ts) keep their train() loop.
 */
import type { DType, FloatDType } from '../ndarray/dtype.js';
import { fmtShape } from '../ndarray/shape.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { svmLossVectorized } from './linearSvm.js';
import { softmaxLossVectorized } from './softmax.js';
import type { Grads, Model } from './model.js';

/** LinearModel's options: loss, sizes, L2 strength, dtype, seed. */
export interface LinearModelOptions {
  /** 'svm' (multiclass hinge) or 'softmax' (cross-entropy). */
  loss: 'svm' | 'softmax';
  inputDim: number;
  numClasses: number;
  reg?: number;
  dtype?: DType;
  /** Seeds the initial weights: 0.001·randn(D + 1, C), as the course. */
  seed?: number;
}

export class LinearModel implements Model {
  params: Record<string, NDArray>;
  readonly kind: 'svm' | 'softmax';
  reg: number;

  constructor({ loss, inputDim, numClasses, reg = 0, dtype = 'float64', seed = 0 }: LinearModelOptions) {
    this.kind = loss;
    this.reg = reg;
    this.params = {
      W: new Generator(seed)
        .randn(inputDim + 1, numClasses)
        .mulInPlace(0.001)
        .astype(dtype),
    };
  }

  /** Scores (N, C) without y; [loss, { W: dW }] with labels y (N,). */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const Xb = appendBias(
      X.reshape(X.shape[0], X.size / Math.max(X.shape[0], 1)),
      this.params.W.dtype as FloatDType,
    );
    if (y === undefined) return Xb.dot(this.params.W);
    const fn = this.kind === 'svm' ? svmLossVectorized : softmaxLossVectorized;
    const [loss, dW] = fn(this.params.W, Xb, y, this.reg);
    return [loss, { W: dW }];
  }
}

/**
 * The bias trick: X (N, F) → (N, F + 1) with a last column of ones (np.hstack([X, np.ones((N, 1))])), as
 * `dtype` (default float64, as numpy's).
 */
export function appendBias(X: NDArray, dtype: FloatDType = 'float64'): NDArray {
  if (X.ndim !== 2) throw new Error(`appendBias: expected X of shape (N, F), got ${fmtShape(X.shape)}`);
  const [N, F] = X.shape;
  const src = X.astype(dtype).toTypedArray();
  const out = dtype === 'float32' ? new Float32Array(N * (F + 1)) : new Float64Array(N * (F + 1));
  for (let i = 0; i < N; i++) {
    out.set(src.subarray(i * F, (i + 1) * F), i * (F + 1));
    out[i * (F + 1) + F] = 1;
  }
  return new NDArray(out, [N, F + 1], dtype);
}
