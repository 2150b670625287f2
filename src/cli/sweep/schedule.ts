/**
 * Which piece of training runs next. A trial trains in segments: a random or grid trial in one segment to
 * the end; under successive halving (ASHA, Li et al. 2018) a trial trains to the first rung (an epoch count),
 * and only the best 1/eta of the trials that reached a rung continue to the next rung, from their checkpoint.
 * The schedulers are plain state machines: the local pool and the queue drive them the same way, and a
 * resumed sweep replays its recorded results into them.
 */

/** A piece of one trial's training: from its last checkpoint (resume) or the start, to an epoch or the end. */
export interface Segment {
  trial: number;
  /** 0 for the first segment; under ASHA the index of the rung it trains to. */
  segment: number;
  /** Stop at the end of this epoch (a rung), or train to the end (null). */
  untilEpoch: number | null;
  /** Continue from the checkpoint the previous segment left. */
  resume: boolean;
}

export type SegmentStatus = 'done' | 'paused' | 'diverged' | 'failed';

/** What a segment came to: trained to the end (done), stopped at its rung (paused), or not. */
export interface SegmentResult {
  trial: number;
  segment: number;
  status: SegmentStatus;
  /** Epochs trained when it stopped. */
  epoch: number;
  /** Best validation accuracy (done) or the validation accuracy at the rung (paused). */
  valAcc: number;
  testAcc: number | null;
  /** Training seconds of this segment. */
  seconds: number;
  message?: string;
  /** Who ran it: `host:pid` of a queue worker, or `local`. */
  worker: string;
}

export interface Scheduler {
  /** The next segment to start, or null when none can start until a running one reports. */
  next(): Segment | null;
  report(r: SegmentResult): void;
}

/** Random and grid search: each trial is one segment, trained to the end, in order. */
export class AllTrials implements Scheduler {
  private readonly pending: number[];

  constructor(numTrials: number) {
    this.pending = Array.from({ length: numTrials }, (_, i) => i + 1);
  }

  next(): Segment | null {
    const trial = this.pending.shift();
    return trial === undefined ? null : { trial, segment: 0, untilEpoch: null, resume: false };
  }

  report(r: SegmentResult): void {
    const i = this.pending.indexOf(r.trial);
    if (i >= 0) this.pending.splice(i, 1);
  }
}

/** The rungs of successive halving: minEpochs, minEpochs * eta, ... below `epochs`, then `epochs`. */
export function ashaRungs(epochs: number, minEpochs: number, eta: number): number[] {
  const rungs: number[] = [];
  for (let r = minEpochs; r < epochs; r *= eta) rungs.push(r);
  rungs.push(epochs);
  return rungs;
}

/**
 * Asynchronous successive halving. next() promotes, from the highest rung down, a trial in the top
 * floor(n / eta) of the n trials that reached that rung and has not been promoted yet; failing that it
 * starts a new trial at the first rung. A trial left at a rung when nothing more can start is stopped there.
 */
export class Asha implements Scheduler {
  /** Validation accuracy at each rung, by trial. */
  private readonly atRung: Map<number, number>[];
  private readonly promoted = new Set<string>();
  private readonly unstarted: number[];

  constructor(
    numTrials: number,
    readonly rungs: number[],
    readonly eta: number,
  ) {
    this.atRung = rungs.map(() => new Map());
    this.unstarted = Array.from({ length: numTrials }, (_, i) => i + 1);
  }

  next(): Segment | null {
    for (let k = this.rungs.length - 2; k >= 0; k--) {
      const score = (x: number): number => (Number.isNaN(x) ? -Infinity : x);
      const ranked = [...this.atRung[k]].sort((a, b) => score(b[1]) - score(a[1]) || a[0] - b[0]);
      const quota = Math.floor(ranked.length / this.eta);
      const pick = ranked.slice(0, quota).find(([trial]) => !this.promoted.has(`${k}:${trial}`));
      if (pick) {
        this.promoted.add(`${k}:${pick[0]}`);
        return { trial: pick[0], segment: k + 1, untilEpoch: this.untilEpoch(k + 1), resume: true };
      }
    }
    const trial = this.unstarted.shift();
    if (trial === undefined) return null;
    return { trial, segment: 0, untilEpoch: this.untilEpoch(0), resume: false };
  }

  report(r: SegmentResult): void {
    const i = this.unstarted.indexOf(r.trial);
    if (i >= 0) this.unstarted.splice(i, 1);
    // A recorded later segment means the trial was promoted past every rung below it.
    for (let k = 0; k < r.segment; k++) this.promoted.add(`${k}:${r.trial}`);
    if (r.status === 'paused') this.atRung[r.segment].set(r.trial, r.valAcc);
  }

  private untilEpoch(k: number): number | null {
    return k === this.rungs.length - 1 ? null : this.rungs[k];
  }
}
