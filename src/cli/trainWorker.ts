/**
 * Worker-thread entry for the trials of a sweep: receives TrainJobs one at a time ({ kind: 'job', job }),
 * runs each with runTrainJob and posts back { kind: 'done', result } or { kind: 'error', name, message }.
 * The main thread starts one such worker per core; each trains on one thread (NABLA_THREADS=1).
 */
import { parentPort } from 'node:worker_threads';
import type { TrainJob } from './train/job.js';
import { runTrainJob } from './train/run.js';

const port = parentPort!;

port.on('message', (m: { kind: 'job'; job: TrainJob }) => {
  void (async () => {
    try {
      const result = await runTrainJob(m.job, { emit: () => {} });
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
