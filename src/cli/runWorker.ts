/**
 * A pool of worker threads that run training jobs (the trials of a sweep, locally or for a queue worker)
 * side by side, one job per worker at a time. Errors come back by name, so a RunStopped (a diverged trial) is
 * the same error here. A worker thread that dies (out of memory, a crash) fails its job and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { DataUnavailableError } from '../data/errors.js';
import { RunStopped, UsageError } from './errors.js';
import type { JobEvent, JobResult, JobStopped, TrainJob } from './train/job.js';

/** The worker script beside this module: the built .js, or the .ts source when run through tsx. */
function workerScript(): { url: URL; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  return {
    url: new URL(ts ? './trainWorker.ts' : './trainWorker.js', import.meta.url),
    execArgv: ts ? ['--import', 'tsx'] : [],
  };
}

type Message =
  | { kind: 'done'; result: JobResult | JobStopped }
  | { kind: 'event'; event: JobEvent }
  | { kind: 'error'; name?: string; message?: string };

const KNOWN_ERRORS: Record<string, new (message?: string) => Error> = {
  UsageError,
  RunStopped,
  DataUnavailableError,
};

export interface PoolRunOptions {
  /** Stop at the end of this epoch (checkpoint saved): resolves with the JobStopped. */
  untilEpoch?: number | null;
  /** Each epoch's end, as the run's JobEvent. */
  onEvent?: (e: JobEvent) => void;
}

export class TrainPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Worker {
    const { url, execArgv } = workerScript();
    // Parallelism comes from running trials side by side: each trial's kernels run on one thread.
    return new Worker(url, { execArgv, env: { ...process.env, NABLA_THREADS: '1' } });
  }

  /** Runs `job` on the next free worker. */
  async run(job: TrainJob, opts: PoolRunOptions = {}): Promise<JobResult | JobStopped> {
    while (this.idle.length === 0) {
      if (this.closed) throw new Error('the training pool is closed');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const w = this.idle.pop()!;
    this.busy.add(w);
    let alive = true;
    try {
      return await new Promise<JobResult | JobStopped>((resolve, reject) => {
        const onMessage = (m: Message): void => {
          if (m.kind === 'event') return opts.onEvent?.(m.event);
          cleanup();
          if (m.kind === 'done') resolve(m.result);
          else reject(new (KNOWN_ERRORS[m.name ?? ''] ?? Error)(m.message));
        };
        const onError = (e: Error): void => {
          cleanup();
          alive = false;
          reject(e);
        };
        const onExit = (code: number): void => {
          cleanup();
          alive = false;
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
        w.postMessage({ kind: 'job', job, untilEpoch: opts.untilEpoch ?? null });
      });
    } finally {
      this.busy.delete(w);
      if (!this.closed) this.idle.push(alive ? w : this.spawn());
      this.waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.waiting.splice(0).forEach((wake) => wake());
    await Promise.all(all.map((w) => w.terminate()));
  }
}
