/**
 * One piece of a trial, trained on a worker thread of a TrainPool in a run folder — the one code path of a
 * trial, whether the local pool or a queue worker runs it (so the same trial gives the same numbers anywhere).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainPool } from '../runWorker.js';
import { RUN_FILES } from '../runDir.js';
import { readCheckpointMeta } from '../../solver/checkpoint.js';
import type { JobEvent, TrainJob } from '../train/job.js';
import type { Segment, SegmentResult } from './schedule.js';

/** The run folder holds a checkpoint of unfinished training that a segment can continue from. */
export function canResume(runDir: string): boolean {
  if (!existsSync(join(runDir, RUN_FILES.checkpointNpz))) return false;
  try {
    const meta = readCheckpointMeta(join(runDir, RUN_FILES.checkpointJson)) as {
      training?: { done?: boolean };
    };
    return meta.training?.done !== true;
  } catch {
    return true; // the .npz alone is a whole checkpoint (its .json is an index written after it)
  }
}

/**
 * Trains `seg` of the trial whose job is `job`: from the folder's checkpoint when `resume`, else from the
 * start (the folder's old metrics and checkpoint removed first). A diverged or failing trial is a result
 * with its message, not an exception.
 */
export async function runSegment(
  pool: TrainPool,
  job: TrainJob,
  seg: Segment,
  opts: { resume: boolean; worker: string; onEpoch?: (e: Extract<JobEvent, { type: 'epoch' }>) => void },
): Promise<SegmentResult> {
  if (!opts.resume)
    for (const f of [RUN_FILES.metrics, RUN_FILES.checkpointNpz, RUN_FILES.checkpointJson])
      rmSync(join(job.runDir, f), { force: true });
  const start = performance.now();
  const head = { trial: seg.trial, segment: seg.segment, worker: opts.worker };
  const seconds = (): number => (performance.now() - start) / 1000;
  let last = { epoch: 0, valAcc: NaN };
  try {
    const r = await pool.run(
      { ...job, resume: opts.resume },
      {
        untilEpoch: seg.untilEpoch,
        onEvent: (e) => {
          if (e.type !== 'epoch') return;
          last = e;
          opts.onEpoch?.(e);
        },
      },
    );
    if (r.status === 'stopped')
      return {
        ...head,
        status: 'paused',
        epoch: r.epoch,
        valAcc: last.valAcc,
        testAcc: null,
        seconds: seconds(),
      };
    return {
      ...head,
      status: 'done',
      epoch: last.epoch,
      valAcc: r.bestValAcc,
      testAcc: r.testAccuracy,
      seconds: seconds(),
    };
  } catch (err) {
    const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
    // RunStopped is a diverged run (a missing data set, also a RunStopped, is a failure).
    const status = (err as Error)?.name === 'RunStopped' ? 'diverged' : 'failed';
    return { ...head, status, epoch: last.epoch, valAcc: 0, testAcc: null, seconds: seconds(), message };
  }
}
