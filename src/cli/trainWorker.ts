/**
 * Worker-thread entry for the trials of a sweep: receives TrainJobs one at a time
 * ({ kind: 'job', job, untilEpoch }), runs each with runTrainJob, posts each epoch's end as
 * { kind: 'event', event } and finally { kind: 'done', result } or { kind: 'error', name, message }.
 * With untilEpoch the run stops at the end of that epoch (a rung of successive halving), its checkpoint saved.
 * The main thread starts one such worker per core; each trains on one thread (NABLA_THREADS=1).
 */
import { parentPort } from 'node:worker_threads';
import type { TrainJob } from './train/job.js';
import { runTrainJob } from './train/run.js';

const port = parentPort!;

port.on('message', (m: { kind: 'job'; job: TrainJob; untilEpoch: number | null }) => {
  void (async () => {
    try {
      const stop = new AbortController();
      const result = await runTrainJob(m.job, {
        signal: stop.signal,
        emit: (e) => {
          if (e.type !== 'epoch' || e.epoch === 0) return;
          port.postMessage({ kind: 'event', event: e });
          if (m.untilEpoch !== null && e.epoch >= m.untilEpoch) stop.abort();
        },
      });
      port.postMessage({ kind: 'done', result });
    } catch (err) {
      const e = err as Error;
      port.postMessage({
        kind: 'error',
        name: e?.name ?? 'Error',
        message: e?.message ?? String(err),
        stack: e?.stack,
      });
    }
  })();
});
