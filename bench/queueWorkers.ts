/**
 * Child process of the sweep bench: `tsx bench/queueWorkers.ts <redis url> <n>` starts n queue workers
 * (n Redis connections for jobs, each concurrency 1) whose trials return at once, prints "ready", and
 * runs until killed. The coordinator's side is measured in sweep.bench.ts.
 */
import { parseRedisUrl } from '../src/cli/sweep/redis.js';
import { defaultWorkerOptions, startQueueWorker } from '../src/cli/sweep/worker.js';

const [url, count] = process.argv.slice(2);
const target = parseRedisUrl(url, 'queueWorkers');
const opts = defaultWorkerOptions(() => {});
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    startQueueWorker(target, {
      ...opts,
      name: `trivial-${process.pid}-${i}`,
      processor: async (d, worker) => ({
        trial: d.segment.trial,
        segment: d.segment.segment,
        status: 'done',
        epoch: 1,
        valAcc: 0.5,
        testAcc: 0.5,
        seconds: 0,
        worker,
        blob: 'none',
      }),
    }),
  ),
);
console.log('ready');
