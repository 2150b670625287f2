/**
 * Learning-rate schedules. A schedule is a function of the training position that gives the factor by which
 * the base learning rate is multiplied for the next step; the Solver owns it and writes the result into
 * every parameter's optimizer config just before the step (and records it in `lrHistory`), so no one else
 * writes the rate.
 *
 *   schedule({ iteration, iterationsPerEpoch, numIterations }) -> factor
 *
 * iteration is the number of steps already taken (0 for the first step).
 */

/** Where training is when a step starts. */
export interface SchedulePosition {
  /** Steps taken so far (0-based index of the step about to run). */
  iteration: number;
  iterationsPerEpoch: number;
  numIterations: number;
}

/** A learning-rate schedule: the position in training → the factor on the base rate. */
export type LrSchedule = (pos: SchedulePosition) => number;

/** The rate never changes. */
export function constantLr(): LrSchedule {
  return () => 1;
}

/**
 * The course's `lr_decay`: the rate is multiplied by `decay` after every epoch. The factor is built by
 * repeated multiplication, exactly as solver.py's in-place `*=` does, so rates match it bit for bit.
 */
export function stepDecay(decay: number, everyEpochs = 1): LrSchedule {
  if (!(decay > 0)) throw new RangeError(`stepDecay: decay must be > 0, got ${decay}`);
  if (!Number.isInteger(everyEpochs) || everyEpochs < 1)
    throw new RangeError(`stepDecay: everyEpochs must be a whole number >= 1, got ${everyEpochs}`);
  return ({ iteration, iterationsPerEpoch }) => {
    const times = Math.floor(iteration / iterationsPerEpoch / everyEpochs);
    let f = 1;
    for (let i = 0; i < times; i++) f *= decay;
    return f;
  };
}

/** Cosine annealing from 1 at the first step to `minFactor` at the end of training (SGDR without restarts). */
export function cosineLr({ minFactor = 0 }: { minFactor?: number } = {}): LrSchedule {
  return ({ iteration, numIterations }) =>
    minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos((Math.PI * iteration) / Math.max(numIterations, 1)));
}

/**
 * Linear warm-up over the first `steps` steps (factor (t + 1) / steps), then `after` (default constant),
 * whose position is counted from the start of training as usual.
 */
export function warmupLr(steps: number, after: LrSchedule = constantLr()): LrSchedule {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`warmupLr: steps must be a whole number >= 0, got ${steps}`);
  return (pos) => (pos.iteration < steps ? ((pos.iteration + 1) / steps) * after(pos) : after(pos));
}

/** The product of several schedules (e.g. step decay under a cosine). */
export function composeLr(...schedules: LrSchedule[]): LrSchedule {
  return (pos) => schedules.reduce((f, s) => f * s(pos), 1);
}

/** Schedules by name, as the command line and checkpoints name them. */
export const LR_SCHEDULES = ['constant', 'cosine'] as const;
/** The schedules by name. */
export type LrScheduleName = (typeof LR_SCHEDULES)[number];

/** The schedule called `name`. */
export function lrScheduleByName(name: LrScheduleName): LrSchedule {
  switch (name) {
    case 'constant':
      return constantLr();
    case 'cosine':
      return cosineLr();
    default:
      throw new RangeError(
        `unknown learning-rate schedule '${String(name)}' (valid: ${LR_SCHEDULES.join(', ')})`,
      );
  }
}
