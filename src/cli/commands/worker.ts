/**
 * `nabla worker redis://HOST:PORT`: takes the trials of sweeps started with `nabla sweep --queue` from the
 * Redis queue and trains them, `--concurrency` at a time on worker threads, until Ctrl-C or SIGTERM (which
 * finish the running trials first; a second one quits at once, and another worker takes those trials over).
 */
import { EXIT_INTERRUPTED } from '../errors.js';
import { packageVersion } from '../version.js';
import { parseRedisUrl, probeRedis } from '../sweep/redis.js';
import { defaultWorkerOptions, startQueueWorker } from '../sweep/worker.js';

export interface WorkerFlags {
  concurrency: number;
  work?: string;
  name?: string;
}

export async function workerCommand(url: string, flags: WorkerFlags): Promise<void> {
  const log = (line: string): void => void process.stdout.write(line + '\n');
  const target = parseRedisUrl(url, 'nabla worker');
  await probeRedis(target, 'nabla worker');
  const opts = defaultWorkerOptions(log);
  opts.concurrency = flags.concurrency;
  if (flags.work) opts.work = flags.work;
  if (flags.name) opts.name = flags.name;
  const worker = await startQueueWorker(target, opts);
  // Listening before the line that says the worker is up: a signal sent on seeing it must not meet the
  // default action (killed with no status, running trials not handed back).
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) {
        log('quit without finishing the running trials (another worker will take them)');
        process.exit(EXIT_INTERRUPTED);
      }
      stopping = true;
      log(`stopping (${sig}): finishing the running trials; again to quit now`);
      void worker.close().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log(
    `worker    ${opts.name} taking trials from ${target.safe} (concurrency ${opts.concurrency}, nabla ${packageVersion()}, work folder ${opts.work})`,
  );
  await stopped;
  log('worker    stopped');
}
