/**
 * A pool of worker threads that run training jobs (the trials of a sweep) side by side, one job per worker
 * at a time. Errors come back by name, so a RunStopped (a diverged trial) is the same error here.
 */
import { Worker } from 'node:worker_threads';
import { DataUnavailableError } from '../data/errors.js';
import { RunStopped, UsageError } from './errors.js';
import type { JobResult, TrainJob } from './train/job.js';

/** The worker script beside this module: the built .js, or the .ts source when run through tsx. */
function workerScript(): { url: URL; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return {
    url: new URL(ts ? './trainWorker.ts' : './trainWorker.js', import.meta.url),
    execArgv: ts ? ['--import', 'tsx'] : [],
  };
}

export class TrainPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    const { url, execArgv } = workerScript();
    for (let i = 0; i < size; i++) {
      // Parallelism comes from running trials side by side: each trial's kernels run on one thread.
      const w = new Worker(url, { execArgv, env: { ...process.env, NABLA_THREADS: '1' } });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Runs `job` on the next free worker. */
  async run(job: TrainJob): Promise<JobResult> {
    while (this.idle.length === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const w = this.idle.pop()!;
    try {
      return await new Promise<JobResult>((resolve, reject) => {
        const onMessage = (m: {
          kind: string;
          result?: JobResult;
          name?: string;
          message?: string;
        }): void => {
          cleanup();
          if (m.kind === 'done') resolve(m.result!);
          else {
            const known: Record<string, new (message?: string) => Error> = {
              UsageError,
              RunStopped,
              DataUnavailableError,
            };
            const E = known[m.name ?? ''] ?? Error;
            reject(new E(m.message));
          }
        };
        const onError = (e: Error): void => {
          cleanup();
          reject(e);
        };
        const onExit = (code: number): void => {
          cleanup();
          reject(new Error(`training worker exited with code ${code}`));
        };
        const cleanup = (): void => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        w.postMessage({ kind: 'job', job });
      });
    } finally {
      this.idle.push(w);
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
