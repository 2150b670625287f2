/**
 * The local executor: trials on worker threads of this machine (one per core by default), each in its run
 * folder inside the sweep folder. No server: this is what `nabla sweep` does without --queue.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainPool } from '../runWorker.js';
import { RUN_FILES } from '../runDir.js';
import type { Executor } from './drive.js';
import { trialJob, type SweepPlan } from './plan.js';
import type { Segment, SegmentResult } from './schedule.js';
import { canResume, runSegment } from './segment.js';
import { trialName } from './store.js';

export class LocalExecutor implements Executor {
  private readonly pool: TrainPool;

  constructor(
    private readonly plan: SweepPlan,
    private readonly dir: string,
    readonly slots: number,
  ) {
    this.pool = new TrainPool(slots);
  }

  async run(seg: Segment): Promise<SegmentResult> {
    const runDir = join(this.dir, trialName(seg.trial, this.plan.trials.length));
    mkdirSync(runDir, { recursive: true });
    const job = trialJob(this.plan, seg.trial, runDir);
    if (!existsSync(join(runDir, RUN_FILES.config)))
      writeFileSync(join(runDir, RUN_FILES.config), JSON.stringify({ job }, null, 2) + '\n');
    // A later rung continues from the checkpoint of the one before; a first segment starts afresh.
    return runSegment(this.pool, job, seg, { resume: seg.resume && canResume(runDir), worker: 'local' });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
