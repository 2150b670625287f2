/**
 * A queue worker (`nabla worker`): takes trial segments from the queue, trains each on a worker thread of its
 * TrainPool exactly as a local sweep would (runSegment), reports each epoch's end as the job's progress, and
 * stores the run folder in Redis for the coordinator and for whoever continues the trial.
 *
 * The main thread only talks to Redis, so it renews its jobs' locks while the threads train. A worker that
 * dies (SIGKILL, power) stops renewing them: after the lock expires, another worker's stalled-job check puts
 * the job back in the queue and some worker trains the segment again — with the same seed, to the same result.
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { TrainPool } from '../runWorker.js';
import type { TrainJob } from '../train/job.js';
import { packageVersion } from '../version.js';
import { packRunDir, unpackRunDir } from './blob.js';
import {
  blobKey,
  compatibleVersions,
  QUEUE_FORMAT,
  QUEUE_NAME,
  QUEUE_PREFIX,
  type TrialJobData,
  type TrialJobResult,
} from './queue.js';
import { scrub, type RedisTarget } from './redis.js';
import { canResume, runSegment } from './segment.js';

export interface QueueWorkerOptions {
  concurrency: number;
  /** Folder for the run folders being trained. */
  work: string;
  /** Shown in results and logs; default host:pid. */
  name: string;
  log: (line: string) => void;
  /** Lock of a job while it trains (renewed at half of it) and the stalled-job check's interval, ms. */
  lockMs: number;
  stalledMs: number;
  /** Instead of training (the coordinator benchmark's trivial trials). */
  processor?: (data: TrialJobData, worker: string) => Promise<TrialJobResult>;
}

export function defaultWorkerOptions(log: (line: string) => void): QueueWorkerOptions {
  return {
    concurrency: 1,
    work: join(os.tmpdir(), `nabla-worker-${process.pid}`),
    name: `${os.hostname()}:${process.pid}`,
    log,
    lockMs: Number(process.env.NABLA_QUEUE_LOCK_MS ?? 30_000),
    stalledMs: Number(process.env.NABLA_QUEUE_STALLED_MS ?? 30_000),
  };
}

export interface QueueWorker {
  /** Stops taking jobs; waits for the running ones unless `force`. */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(target: RedisTarget, opts: QueueWorkerOptions): Promise<QueueWorker> {
  const version = packageVersion();
  const pool = opts.processor ? null : new TrainPool(opts.concurrency);
  const client = new Redis(target.options);
  let down = false;
  const onError = (err: Error): void => {
    if (down) return;
    down = true;
    opts.log(`redis     lost ${target.safe} (${scrub(err.message, target)}); waiting for it to come back`);
  };
  client.on('error', onError);
  client.on('ready', () => {
    if (down) opts.log(`redis     ${target.safe} is back`);
    down = false;
  });

  const train = async (job: Job<TrialJobData>): Promise<TrialJobResult> => {
    const d = job.data;
    const { trial, untilEpoch, segment } = d.segment;
    const to = untilEpoch !== null ? ` (to epoch ${untilEpoch})` : segment > 0 ? ' (to the end)' : '';
    const what = `trial ${trial} of ${d.sweep}${to}`;
    if (d.format !== QUEUE_FORMAT || !compatibleVersions(d.nabla, version)) {
      const line = `${opts.name} refuses ${what}: the sweep runs nabla ${d.nabla} (job format ${d.format}), this worker nabla ${version} (format ${QUEUE_FORMAT}); install the same version on every machine`;
      opts.log(line);
      throw new UnrecoverableError(line);
    }
    if (opts.processor) return opts.processor(d, opts.name);
    const runDir = join(opts.work, d.sweep, d.trialDir);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    if (d.segment.resume) {
      const bytes = await client.getBuffer(blobKey(d.sweep, d.segment.trial));
      if (bytes) unpackRunDir(bytes, runDir);
    }
    // Without the previous rung's checkpoint (over the blob limit), the trial trains from the start to the
    // rung: the same numbers, more time.
    let trainJob: TrainJob = { ...d.job, runDir };
    if (d.layersFile !== undefined) {
      const path = join(opts.work, d.sweep, 'layers.json');
      writeFileSync(path, d.layersFile);
      trainJob = { ...trainJob, model: { kind: 'file', path } };
    }
    const resume = d.segment.resume && canResume(runDir);
    opts.log(
      `${what}: started${d.segment.resume && !resume ? ' (from the start: no checkpoint to continue)' : ''}`,
    );
    const r = await runSegment(pool!, trainJob, d.segment, {
      resume,
      worker: opts.name,
      // Progress is for watching only: a job Redis lost (a restart without its append-only file) is noticed
      // when the result is stored, not here.
      onEpoch: (e) =>
        void job.updateProgress({ epoch: e.epoch, valAcc: e.valAcc, trainAcc: e.trainAcc }).catch(() => {}),
    });
    opts.log(
      `${what}: ${r.status}${r.message ? `: ${r.message}` : ` at epoch ${r.epoch}, val ${(100 * r.valAcc).toFixed(2)}%`}`,
    );
    if (r.status === 'failed') {
      rmSync(runDir, { recursive: true, force: true });
      throw new UnrecoverableError(r.message ?? 'failed');
    }
    const packed = packRunDir(runDir, d.blobLimit);
    if (packed) await client.set(blobKey(d.sweep, d.segment.trial), Buffer.from(packed.bytes));
    const blob = packed ? (packed.withCheckpoint ? 'full' : 'no-checkpoint') : 'none';
    if (blob === 'full') rmSync(runDir, { recursive: true, force: true });
    return { ...r, blob, ...(blob === 'full' ? {} : { keptAt: `${opts.name}:${runDir}` }) };
  };

  const worker = new Worker<TrialJobData, TrialJobResult>(QUEUE_NAME, train, {
    connection: { ...target.options } as ConnectionOptions,
    prefix: QUEUE_PREFIX,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.stalledMs,
    // A segment whose worker died twice fails with BullMQ's message instead of going round for ever.
    maxStalledCount: 2,
    name: opts.name,
  });
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code || /Connection is closed|ECONN/.test(err.message)) onError(err);
    else opts.log(`error     ${scrub(err.message.split('\n')[0], target)}`);
  });
  await worker.waitUntilReady();
  return {
    async close(force = false) {
      await worker.close(force);
      await pool?.close();
      client.disconnect();
    },
  };
}
