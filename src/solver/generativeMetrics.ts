/**
 * How good generated digits are, judged by nabla's own MNIST CNN (pretrained.ts) as the Inception network
 * judges generated photos:
 *
 * - classifierScore: the Inception Score's formula on the CNN's class probabilities, exp(mean_i KL(p(y|x_i) ‖
 *   p(y))): high when each sample is one clear digit and all ten digits appear (at most 10).
 * - frechetDistance: the Fréchet distance between Gaussians fitted to the CNN's penultimate features of
 *   generated and real digits, ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) (FID's formula): 0 for the same
 *   distribution.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import { symmetricEigen } from '../data/eigen.js';
import type { DigitCnn } from './pretrained.js';

/** probs (N, K) rows summing to 1 → exp(mean KL(p(y|x) ‖ p(y))), in [1, K]. */
export function classifierScore(probs: NDArray): number {
  if (probs.ndim !== 2 || probs.shape[0] < 1)
    throw new RangeError(`classifierScore: probabilities of shape ${fmtShape(probs.shape)} are not (N, K)`);
  const [N, K] = probs.shape;
  const p = probs.astype('float64').toTypedArray();
  const marginal = new Float64Array(K);
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) marginal[k] += p[i * K + k] / N;
  let kl = 0;
  for (let i = 0; i < N; i++)
    for (let k = 0; k < K; k++) {
      const v = p[i * K + k];
      if (v > 0) kl += v * (Math.log(v) - Math.log(marginal[k]));
    }
  return Math.exp(kl / N);
}

/** Mean (D,) and covariance (D, D) (denominator N − 1, as numpy's cov) of feature rows (N, D). */
function meanCov(x: NDArray): { mu: NDArray; cov: NDArray } {
  const f = x.astype('float64');
  const mu = f.mean(0);
  const c = f.sub(mu);
  return { mu, cov: c.T.matmul(c).div(Math.max(1, f.shape[0] - 1)) };
}

/** The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues as 0). */
function sqrtPsd(a: NDArray): NDArray {
  const { S, U } = symmetricEigen(a);
  return U.mul(S.maximum(0).sqrt()).matmul(U.T);
}

/**
 * The Fréchet distance between Gaussians fitted to feature rows a (N, D) and b (M, D). tr((Σ₁Σ₂)^½) is
 * computed as tr((Σ₁^½ Σ₂ Σ₁^½)^½), the same eigenvalues in a symmetric matrix.
 */
export function frechetDistance(a: NDArray, b: NDArray): number {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[1] || a.shape[0] < 2 || b.shape[0] < 2)
    throw new RangeError(
      `frechetDistance: features of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not (N, D) and (M, D) with N, M >= 2`,
    );
  const A = meanCov(a);
  const B = meanCov(b);
  const d = A.mu.sub(B.mu);
  const r = sqrtPsd(A.cov);
  const { S } = symmetricEigen(r.matmul(B.cov).matmul(r));
  const trSqrt = S.maximum(0).sqrt().sum().item();
  const tr = (m: NDArray): number => m.diagonal().sum().item();
  return d.mul(d).sum().item() + tr(A.cov) + tr(B.cov) - 2 * trSqrt;
}

/** scoreGeneratedDigits' result: classifier scores of generated and real digits, Fréchet distance, class shares. */
export interface GeneratorScores {
  /** Of the generated digits. */
  classifierScore: number;
  /** Of the real digits: the ceiling (close to 10 on MNIST's test set). */
  realClassifierScore: number;
  frechetDistance: number;
  /** How many generated and real digits were compared. */
  numGenerated: number;
  numReal: number;
  /** The share of the generated digits the CNN gives to each class (mode collapse shows here). */
  classShares: number[];
}

/** Row softmax of scores (N, K). */
function softmaxRows(scores: NDArray): NDArray {
  const s = scores.astype('float64');
  const e = s.sub(s.max(1, true)).exp();
  return e.div(e.sum(1, true));
}

/** Scores generated digits (N, 28, 28) uint8 against real ones (M, 28, 28) uint8 with the digit CNN. */
export function scoreGeneratedDigits(cnn: DigitCnn, generated: NDArray, real: NDArray): GeneratorScores {
  const probs = softmaxRows(cnn.scores(generated));
  const realProbs = softmaxRows(cnn.scores(real));
  const K = probs.shape[1];
  const pred = probs.argmax(1).toTypedArray();
  const shares = new Array<number>(K).fill(0);
  for (const c of pred) shares[Number(c)] += 1 / pred.length;
  return {
    classifierScore: classifierScore(probs),
    realClassifierScore: classifierScore(realProbs),
    frechetDistance: frechetDistance(cnn.features(generated), cnn.features(real)),
    numGenerated: generated.shape[0],
    numReal: real.shape[0],
    classShares: shares,
  };
}
