/**
 * Notices a run whose loss has gone wrong: NaN or infinite at once, or "exploded" — far above where it
 * started for several iterations in a row (one noisy minibatch is not an explosion) — and parameters that
 * are no longer finite. All of these almost always mean the learning rate is too high.
 */
import type { NDArray } from '../ndarray/ndarray.js';

/** A diverged loss: the message and a smaller learning rate to try. */
export interface Divergence {
  /** What went wrong and where, in one sentence. */
  message: string;
  /** A learning rate ten times lower than the one in use (if known), to try next. */
  suggestedLr?: number;
}

/** Watches the loss each step and reports divergence (NaN, Infinity, or an explosion over the first losses). */
export class LossGuard {
  private reference = NaN;
  private above = 0;

  /**
   * factor: how many times the reference loss counts as exploded; patience: consecutive iterations above it.
   * The reference is the largest loss of the first few iterations (the untrained loss, e.g. ln 10 for softmax).
   */
  constructor(
    private readonly factor = 10,
    private readonly patience = 3,
  ) {}

  /** The divergence at `iteration` (1-based) with loss `loss`, or null while all is well. */
  check(loss: number, iteration: number, epoch: number, lr?: number): Divergence | null {
    const where = `at iteration ${iteration} (epoch ${epoch.toFixed(2)})`;
    if (!Number.isFinite(loss)) return diverged(`loss became ${loss} ${where}`, lr);
    if (iteration <= 5 || Number.isNaN(this.reference)) {
      this.reference = Number.isNaN(this.reference) ? loss : Math.max(this.reference, loss);
      return null;
    }
    const limit = this.factor * Math.max(this.reference, 1);
    this.above = loss > limit ? this.above + 1 : 0;
    if (this.above < this.patience) return null;
    return diverged(
      `loss exploded ${where}: ${loss.toPrecision(4)}, over ${this.factor}x its starting value ${this.reference.toPrecision(4)}`,
      lr,
    );
  }
}

/** The first parameter holding NaN or ±Infinity, or null when every value is finite. */
export function nonFiniteParam(params: Record<string, NDArray>): string | null {
  for (const [name, p] of Object.entries(params)) {
    const d = p.contiguous().toTypedArray();
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return name;
  }
  return null;
}

function diverged(message: string, lr?: number): Divergence {
  return lr === undefined ? { message } : { message, suggestedLr: Number((lr / 10).toPrecision(2)) };
}
