/**
 * Runs a training job in a worker thread and relays its events; `stop()` asks it to checkpoint and stop.
 * Errors come back by name, so a UsageError or RunStopped in the worker is the same error here.
 */
import { Worker } from 'node:worker_threads';
import { RunStopped, UsageError } from './errors.js';
import type { JobEvent, JobResult, TrainJob } from './trainJob.js';

export interface WorkerRun {
  result: Promise<JobResult>;
  /** Asks the job to save a checkpoint and stop at the next iteration. */
  stop(): void;
  /** Ends the worker at once (a second Ctrl-C). */
  kill(): Promise<number>;
}

/** The worker script beside this module: the built .js, or the .ts source when run through tsx. */
function workerScript(): { url: URL; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return {
    url: new URL(ts ? './trainWorker.ts' : './trainWorker.js', import.meta.url),
    execArgv: ts ? ['--import', 'tsx'] : [],
  };
}

export function startTrainWorker(job: TrainJob, onEvent: (e: JobEvent) => void): WorkerRun {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const { url, execArgv } = workerScript();
  const worker = new Worker(url, { workerData: { job, stop }, execArgv });
  const result = new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    worker.on(
      'message',
      (m: {
        kind: string;
        event?: JobEvent;
        result?: JobResult;
        name?: string;
        message?: string;
        stack?: string;
      }) => {
        if (m.kind === 'event') onEvent(m.event!);
        else if (m.kind === 'done') {
          settled = true;
          resolve(m.result!);
        } else if (m.kind === 'error') {
          settled = true;
          const E = m.name === 'UsageError' ? UsageError : m.name === 'RunStopped' ? RunStopped : Error;
          const err = new E(m.message);
          if (m.stack) err.stack = m.stack;
          reject(err);
        }
      },
    );
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`training worker exited with code ${code}`));
    });
  });
  return {
    result,
    stop: () => Atomics.store(flag, 0, 1),
    kill: () => worker.terminate(),
  };
}
