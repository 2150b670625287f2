/** What a Solver reports while it trains, and what `run()` takes and returns. */
import type { Divergence } from './guard.js';

/** Sent after each training step: loss, learning rate, throughput. */
export interface IterationEvent {
  type: 'iteration';
  /** 1-based count of iterations done, out of numIterations. */
  iteration: number;
  numIterations: number;
  /** Fractional epoch, e.g. 2.5 halfway through the third epoch. */
  epoch: number;
  loss: number;
  /** The learning rate this step used. */
  learningRate: number;
  /** Training throughput of this step (examples per second, forward + backward + update). */
  imagesPerSec: number;
  /** A staged model's losses by name (a GAN's dLoss and gLoss); absent for other models. */
  parts?: Record<string, number>;
}

/** Sent after each epoch: train and validation metric. */
export interface EpochEvent {
  type: 'epoch';
  /** Epochs completed (0 for the measurement before training, at the first iteration). */
  epoch: number;
  numEpochs: number;
  iteration: number;
  /** The metric's name ('accuracy' by default), or null when the Solver measures none. */
  metric: string | null;
  /** The metric on (a sample of) the training data, and on the validation data (NaN without). */
  trainAcc: number;
  valAcc: number;
  bestValAcc: number;
  /** Mean throughput since the previous epoch event. */
  imagesPerSec: number;
  /** Wall time since training started, in seconds. */
  elapsed: number;
  /** The checkpoint written for this epoch, if any. */
  checkpoint: string | null;
}

/** Sent when training ends (finished, stopped or aborted). */
export interface EndEvent {
  type: 'end';
  bestValAcc: number;
  iterations: number;
  elapsed: number;
}

/** Any event of Solver.run. */
export type SolverEvent = IterationEvent | EpochEvent | EndEvent;

/** Solver.run's options: an AbortSignal, how often to yield to the event loop, an event callback. */
export interface RunOptions {
  /** Stop between two steps once this is aborted. */
  signal?: AbortSignal;
  /** Give the event loop a turn at least this often (default 50 ms). */
  yieldEveryMs?: number;
  /** Called with every event of this run. */
  onEvent?: (event: SolverEvent) => void;
}

/** Solver.run's result: how it ended, at which iteration, and the divergence if any. */
export interface RunResult {
  /** done: every step ran; aborted: the signal stopped it; diverged: see `divergence`. */
  status: 'done' | 'aborted' | 'diverged';
  /** Steps taken when it returned. */
  iteration: number;
  divergence?: Divergence;
}
