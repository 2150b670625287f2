/** What every peer of the comparison implements: a way to turn a task into a timed step. */
import type { Step } from './protocol.js';
import type { Task } from './workloads.js';

export interface Prepared {
  step: Step;
  /** Images per step for train/infer tasks, GFLOP per step for gemm. */
  unitsPerStep: number;
  /** Anything a reader must know to read the number (a substituted optimizer, a per-example loop...). */
  note?: string;
  /**
   * A second step to time in the same process, repeat for repeat alternately with `step` (its figure is
   * the cell's `companionValue`): a baseline whose ratio to `step` must not depend on the machine's load.
   */
  companion?: Step;
}

/** A peer that cannot run a task says why, in the words the table prints. */
export interface CannotExpress {
  cannot: string;
}

export type Outcome = Prepared | CannotExpress;

export interface Peer {
  /** Column header. */
  label: string;
  /** Loads the library, picks its backend; returns a line describing the setup (threads, kernels added). */
  setup(): Promise<string>;
  prepare(task: Task): Promise<Outcome>;
}

export function isCannot(o: Outcome): o is CannotExpress {
  return (o as CannotExpress).cannot !== undefined;
}
