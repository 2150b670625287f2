/**
 * Stops a run whose loss has gone wrong: NaN or infinite at once, or "exploded" — far above where it started
 * for several iterations in a row (one noisy minibatch is not an explosion). Both almost always mean the
 * learning rate is too high, so the message says which rate to try next.
 */
import { RunStopped } from './errors.js';

export class LossGuard {
  private reference = NaN;
  private above = 0;

  /**
   * factor: how many times the reference loss counts as exploded; patience: consecutive iterations above it.
   * The reference is the largest loss of the first few iterations (the untrained loss, e.g. ln 10 for softmax).
   */
  constructor(
    private readonly lr: number | undefined,
    private readonly factor = 10,
    private readonly patience = 3,
  ) {}

  /** Throws RunStopped with advice when the loss of `iteration` is NaN/infinite or has exploded. */
  check(loss: number, iteration: number, epoch: number): void {
    const where = `at iteration ${iteration} (epoch ${epoch.toFixed(2)})`;
    if (!Number.isFinite(loss)) {
      throw new RunStopped(`loss became ${loss} ${where}. ${this.advice()}`);
    }
    if (iteration <= 5 || Number.isNaN(this.reference)) {
      this.reference = Number.isNaN(this.reference) ? loss : Math.max(this.reference, loss);
      return;
    }
    const limit = this.factor * Math.max(this.reference, 1);
    this.above = loss > limit ? this.above + 1 : 0;
    if (this.above >= this.patience) {
      throw new RunStopped(
        `loss exploded ${where}: ${loss.toPrecision(4)}, over ${this.factor}x its starting value ${this.reference.toPrecision(4)}. ${this.advice()}`,
      );
    }
  }

  private advice(): string {
    if (this.lr === undefined) return 'Try a lower learning rate (--lr).';
    const lower = Number((this.lr / 10).toPrecision(2));
    return `The learning rate ${this.lr} is probably too high: try --lr ${lower}.`;
  }
}
