/**
 * Worker-thread entry of a training job (see trainJob.ts for why training runs off the main thread).
 * workerData: { job, stop } where stop is a SharedArrayBuffer whose first int32 the main thread sets to 1
 * on Ctrl-C. Posts { kind: 'event' | 'done' | 'error' } messages back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrainJob, type TrainJob } from './trainJob.js';

const { job, stop } = workerData as { job: TrainJob; stop: SharedArrayBuffer };
const flag = new Int32Array(stop);
const port = parentPort!;

try {
  const result = await runTrainJob(job, {
    emit: (event) => port.postMessage({ kind: 'event', event }),
    stopRequested: () => Atomics.load(flag, 0) !== 0,
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
