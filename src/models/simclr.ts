/**
 * SimCLR's contrastive loss (NT-Xent), the course's contrastive_loss.py in camelCase, on tensors.
 *
 * For N images, two augmented views each give projections outLeft (N, D) and outRight (N, D); stacked as
 * out (2N, D), the loss of the positive pair (k, k + N) is
 *   −log( exp(sim(z_k, z_{k+N}) / τ) / Σ_{i ≠ k} exp(sim(z_k, z_i) / τ) )
 * with sim the cosine similarity; the loss is the mean over both orders of all N pairs.
 */
import { eye } from '../ndarray/creation.js';
import { fmtShape } from '../ndarray/shape.js';
import type { Tensor } from '../autograd/tensor.js';
import { div, exp, log, mul, sqrt, sub } from '../autograd/ops/elementwise.js';
import { mean, sum } from '../autograd/ops/reduce.js';
import { concat, index } from '../autograd/ops/shape.js';
import { matmul } from '../autograd/ops/linalg.js';

function checkPair(op: string, left: Tensor, right: Tensor, tau: number): void {
  if (left.ndim !== 2 || right.ndim !== 2 || left.shape.some((n, i) => n !== right.shape[i]))
    throw new RangeError(
      `${op}: outLeft of shape ${fmtShape(left.shape)} and outRight of shape ${fmtShape(right.shape)} must both be (N, D)`,
    );
  if (!(tau > 0) || !Number.isFinite(tau))
    throw new RangeError(`${op}: the temperature tau must be a number > 0, got ${tau}`);
}

/** Cosine similarity of two vectors zi, zj (D,) → a scalar. */
export function sim(zi: Tensor, zj: Tensor): Tensor {
  if (zi.ndim !== 1 || zj.ndim !== 1 || zi.shape[0] !== zj.shape[0])
    throw new RangeError(
      `sim: vectors of shapes ${fmtShape(zi.shape)} and ${fmtShape(zj.shape)} must be (D,)`,
    );
  return div(sum(mul(zi, zj)), mul(sqrt(sum(mul(zi, zi))), sqrt(sum(mul(zj, zj)))));
}

/** The course's loop over pairs: outLeft, outRight (N, D), temperature tau > 0 → the mean loss. */
export function simclrLossNaive(outLeft: Tensor, outRight: Tensor, tau: number): Tensor {
  checkPair('simclrLossNaive', outLeft, outRight, tau);
  const N = outLeft.shape[0];
  const out = concat([outLeft, outRight], 0);
  const row = (i: number): Tensor => index(out, i);
  const pairLoss = (k: number, positive: number): Tensor => {
    const zk = row(k);
    let denom: Tensor | null = null;
    for (let i = 0; i < 2 * N; i++) {
      if (i === k) continue;
      const t = exp(div(sim(zk, row(i)), tau));
      denom = denom ? denom.add(t) : t;
    }
    return log(div(exp(div(sim(zk, row(positive)), tau)), denom!)).neg();
  };
  let total: Tensor | null = null;
  for (let k = 0; k < N; k++) {
    const both = pairLoss(k, k + N).add(pairLoss(k + N, k));
    total = total ? total.add(both) : both;
  }
  return div(total!, 2 * N);
}

/** Rows of x (M, D) scaled to unit length. */
export function normalizeRows(x: Tensor): Tensor {
  return div(x, sqrt(sum(mul(x, x), 1, true)));
}

/** sim of each positive pair: normalised outLeft, outRight (N, D) → (N, 1), the rows' dot products. */
export function simPositivePairs(outLeft: Tensor, outRight: Tensor): Tensor {
  return sum(mul(outLeft, outRight), 1, true);
}

/** Every pair's sim: normalised out (2N, D) → (2N, 2N) = out · outᵀ. */
export function computeSimMatrix(out: Tensor): Tensor {
  return matmul(out, out.transpose(0, 1));
}

/**
 * The same loss without loops: outLeft, outRight (N, D) (normalised here, as sim does), tau > 0 → the mean
 * loss. The denominators sum exp(sim / τ) over each row of the similarity matrix without its diagonal.
 */
export function simclrLossVectorized(outLeft: Tensor, outRight: Tensor, tau: number): Tensor {
  checkPair('simclrLossVectorized', outLeft, outRight, tau);
  const N = outLeft.shape[0];
  const left = normalizeRows(outLeft);
  const right = normalizeRows(outRight);
  const e = exp(div(computeSimMatrix(concat([left, right], 0)), tau));
  const offDiagonal = sub(1, eye(2 * N).astype(e.dtype));
  const denom = sum(mul(e, offDiagonal), 1, true);
  const pos = simPositivePairs(left, right);
  const numerator = exp(div(concat([pos, pos], 0), tau));
  return mean(log(div(numerator, denom)).neg());
}
