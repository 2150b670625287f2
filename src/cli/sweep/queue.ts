/**
 * A sweep on a Redis queue (BullMQ): each segment of a trial is a job `<sweep id>.<trial>.<segment>` in the
 * queue `nabla-trials`; `nabla worker`s on any machine take them; the result is the job's return value and
 * the trial's run folder a zip in Redis (`nabla:blob:<sweep id>:<trial>`, up to the sweep's --blob-limit).
 *
 * The coordinator (this executor) adds the jobs (re-adding a job that exists is a no-op, so a rerun adds
 * nothing twice), waits for their completion events, and — because an event can be missed while it was not
 * listening (stopped, or Redis restarting) — also reads the state of the jobs it waits for after adding them,
 * after a reconnection and every few seconds.
 */
import { Queue, QueueEvents, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../version.js';
import type { TrainJob } from '../train/job.js';
import { unpackRunDir } from './blob.js';
import type { Executor } from './drive.js';
import { trialJob, type SweepPlan } from './plan.js';
import { scrub, type RedisTarget } from './redis.js';
import type { Segment, SegmentResult } from './schedule.js';
import { trialName } from './store.js';

export const QUEUE_NAME = 'nabla-trials';
export const QUEUE_PREFIX = 'nabla';
/** The shape of a job's data; a worker refuses another. */
export const QUEUE_FORMAT = 1;

/** A job's data: one segment of one trial, with everything a worker needs to train it. */
export interface TrialJobData {
  format: number;
  /** The coordinator's nabla version: a worker of another major.minor refuses the job. */
  nabla: string;
  sweep: string;
  trialDir: string;
  segment: Segment;
  /** The trial's train job (runDir: the worker's own folder). */
  job: TrainJob;
  /** Largest zip of the run folder stored in Redis, bytes. */
  blobLimit: number;
  /** A layers model's file, carried along (the workers' machines need not have it). */
  layersFile?: string;
}

/** A job's return value: the segment's result and where its run folder went. */
export type TrialJobResult = SegmentResult & {
  /** The run folder is in Redis (with or without its checkpoint), or only on the worker (too large). */
  blob: 'full' | 'no-checkpoint' | 'none';
  /** Where the worker kept what Redis did not take. */
  keptAt?: string;
};

export function jobId(sweep: string, seg: { trial: number; segment: number }): string {
  return `${sweep}.${seg.trial}.${seg.segment}`;
}

export function blobKey(sweep: string, trial: number): string {
  return `${QUEUE_PREFIX}:blob:${sweep}:${trial}`;
}

/** Same major.minor: the job and checkpoint formats do not change within a minor version. */
export function compatibleVersions(a: string, b: string): boolean {
  return a.split('.').slice(0, 2).join('.') === b.split('.').slice(0, 2).join('.');
}

export interface QueueSweepOptions {
  /** The sweep folder the trials' run folders are unpacked into (null: not unpacked, the benchmark). */
  dir: string | null;
  /** Largest zip of a trial's run folder kept in Redis, bytes. */
  blobLimit: number;
  /** The sweep ran before: its jobs may be in Redis, finished while nobody listened. */
  continuing: boolean;
  log: (line: string) => void;
}

/** One job to add: its name, data and options (BullMQ's addBulk entry). */
interface NewJob {
  name: string;
  data: TrialJobData;
  opts: JobsOptions;
}

interface Waiter {
  seg: Segment;
  /** To add it again if Redis lost it (a restart without its append-only file). */
  job: NewJob;
  resolve: (r: SegmentResult) => void;
  reject: (e: Error) => void;
}

/** Interval of the coordinator's read of the jobs it waits for (events may be missed across a restart). */
const RECHECK_MS = Number(process.env.NABLA_QUEUE_RECHECK_MS ?? 5000);

export class QueueExecutor implements Executor {
  readonly slots = Infinity;
  private readonly waiters = new Map<string, Waiter>();
  private toAdd: NewJob[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** When the last completion came (the periodic read runs only when they stop coming). */
  private lastSettled = performance.now();
  private closed = false;
  /** Called with each job's progress (epoch, val accuracy) as workers report it. */
  onProgress?: (seg: { trial: number; segment: number }, progress: unknown) => void;

  private readonly dir: string | null;
  private readonly blobLimit: number;
  private readonly continuing: boolean;

  private constructor(
    private readonly target: RedisTarget,
    private readonly plan: SweepPlan,
    opts: QueueSweepOptions,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly client: Redis,
  ) {
    this.dir = opts.dir;
    this.blobLimit = opts.blobLimit;
    this.continuing = opts.continuing;
  }

  /** Connects (the URL was probed already) and listens for completions from the events stream's current end. */
  static async open(target: RedisTarget, plan: SweepPlan, opts: QueueSweepOptions): Promise<QueueExecutor> {
    const { log } = opts;
    const client = new Redis(target.options);
    const connection = { ...target.options } as ConnectionOptions;
    const queue = new Queue(QUEUE_NAME, {
      connection,
      prefix: QUEUE_PREFIX,
      streams: { events: { maxLen: 100_000 } },
    });
    const ids = (await client.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1)) as [string, string[]][];
    const events = new QueueEvents(QUEUE_NAME, {
      connection,
      prefix: QUEUE_PREFIX,
      lastEventId: ids[0]?.[0] ?? '0',
    });
    const exec = new QueueExecutor(target, plan, opts, queue, events, client);
    let down = false;
    const onError = (err: Error): void => {
      if (down || exec.closed) return;
      down = true;
      log(`redis     lost ${target.safe} (${scrub(err.message, target)}); waiting for it to come back`);
    };
    for (const c of [client]) c.on('error', onError);
    queue.on('error', onError);
    events.on('error', onError);
    client.on('ready', () => {
      if (!down) return;
      down = false;
      log(`redis     ${target.safe} is back`);
      void exec.recheck();
    });
    events.on('completed', ({ jobId: id, returnvalue }) => exec.finish(id, returnvalue));
    events.on('failed', ({ jobId: id, failedReason }) => exec.fail(id, failedReason));
    events.on('progress', ({ jobId: id, data }) => {
      const w = exec.waiters.get(id);
      if (w) exec.onProgress?.(w.seg, data);
    });
    await events.waitUntilReady();
    await queue.waitUntilReady();
    exec.timer = setInterval(() => {
      if (performance.now() - exec.lastSettled >= RECHECK_MS) void exec.recheck();
    }, RECHECK_MS);
    return exec;
  }

  /** Adds the segment's job (batched with the others of the same turn) and resolves with its result. */
  run(seg: Segment): Promise<SegmentResult> {
    const id = jobId(this.plan.id, seg);
    const trialDir = trialName(seg.trial, this.plan.trials.length);
    const data: TrialJobData = {
      format: QUEUE_FORMAT,
      nabla: packageVersion(),
      sweep: this.plan.id,
      trialDir,
      segment: seg,
      job: trialJob(this.plan, seg.trial, trialDir),
      blobLimit: this.blobLimit,
    };
    if (data.job.model.kind === 'file') data.layersFile = readFileSync(data.job.model.path, 'utf8');
    const opts: JobsOptions = { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false };
    // Successive halving: a later rung goes before the trials still waiting for their first.
    if (this.plan.rungs) opts.priority = this.plan.rungs.length - seg.segment;
    const job: NewJob = { name: `trial ${seg.trial}`, data, opts };
    const done = new Promise<SegmentResult>((resolve, reject) =>
      this.waiters.set(id, { seg, job, resolve, reject }),
    );
    this.toAdd.push(job);
    this.flushing ??= new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
    return done;
  }

  private async flush(): Promise<void> {
    const batch = this.toAdd;
    this.toAdd = [];
    this.flushing = null;
    for (let i = 0; i < batch.length; i += 1000) await this.queue.addBulk(batch.slice(i, i + 1000));
    // Jobs that existed already (a continued sweep) may have finished while nobody listened.
    if (this.continuing) await this.check(batch.map((b) => b.opts.jobId!));
  }

  /** Reads the state of the jobs waited for; settles the finished ones. */
  async recheck(): Promise<void> {
    if (this.closed) return;
    try {
      await this.check([...this.waiters.keys()]);
    } catch {
      // Redis is away: the next recheck (or its return) tries again.
    }
  }

  /** Settles the finished jobs among `ids`; adds again those Redis no longer has (lost in a restart). */
  private async check(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const jobs = await Promise.all(chunk.map((id) => this.queue.getJob(id)));
      const lost: NewJob[] = [];
      jobs.forEach((job, k) => {
        if (job) this.settle(job);
        else if (this.waiters.has(chunk[k])) lost.push(this.waiters.get(chunk[k])!.job);
      });
      if (lost.length) await this.queue.addBulk(lost);
    }
  }

  private settle(job: Job): void {
    if (!job.finishedOn || !job.id) return;
    if (job.failedReason && job.returnvalue == null) this.fail(job.id, job.failedReason);
    else if (job.returnvalue != null) this.finish(job.id, job.returnvalue);
  }

  private finish(id: string, value: unknown): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    this.lastSettled = performance.now();
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as TrialJobResult;
    void this.fetch(r).then(
      () => w.resolve(r),
      (err: Error) =>
        w.resolve({ ...r, message: `${r.message ?? ''} (run folder not fetched: ${err.message})` }),
    );
  }

  private fail(id: string, reason: string): void {
    const w = this.waiters.get(id);
    if (!w) return;
    this.waiters.delete(id);
    this.lastSettled = performance.now();
    const { trial, segment } = w.seg;
    w.resolve({
      trial,
      segment,
      status: 'failed',
      epoch: 0,
      valAcc: 0,
      testAcc: null,
      seconds: 0,
      message: scrub(reason.split('\n')[0], this.target),
      worker: '?',
    });
  }

  /** Unpacks the trial's run folder from Redis into the sweep folder. */
  private async fetch(r: TrialJobResult): Promise<void> {
    if (!this.dir || r.blob === 'none') return;
    const bytes = await this.client.getBuffer(blobKey(this.plan.id, r.trial));
    if (bytes) unpackRunDir(bytes, join(this.dir, trialName(r.trial, this.plan.trials.length)));
  }

  /** How many workers listen to the queue now. */
  async workerCount(): Promise<number> {
    return (await this.queue.getWorkers()).length;
  }

  /** Removes the sweep's jobs and run folders from Redis (the results are in the sweep folder). */
  async cleanup(): Promise<void> {
    const segments = this.plan.rungs?.length ?? 1;
    const ids: string[] = [];
    for (let t = 1; t <= this.plan.trials.length; t++)
      for (let s = 0; s < segments; s++) ids.push(jobId(this.plan.id, { trial: t, segment: s }));
    for (let i = 0; i < ids.length; i += 500)
      await Promise.all(ids.slice(i, i + 500).map((id) => this.queue.remove(id)));
    const blobs = Array.from({ length: this.plan.trials.length }, (_, i) => blobKey(this.plan.id, i + 1));
    for (let i = 0; i < blobs.length; i += 500) await this.client.del(...blobs.slice(i, i + 500));
  }

  /** Stops waiting (the jobs stay in Redis for a rerun to pick up). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const w of this.waiters.values()) w.reject(new Error('the sweep stopped waiting'));
    this.waiters.clear();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.client.disconnect();
  }
}
