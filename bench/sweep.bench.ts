/**
 * Sweep bench (issue 18), `npm run bench -- sweep`: needs redis-server (Debian's package).
 *  1. The same 8 short softmax trials with the local pool (worker threads), 1 queue worker and 2 queue
 *     workers — wall times side by side, and what the queue adds per trial.
 *  2. Coordinator scale: 10,000 trivial trials (they return at once) through 50 worker connections on
 *     loopback, driven by the real coordinator (driveSweep + QueueExecutor): trials per second.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { driveSweep } from '../src/cli/sweep/drive.js';
import type { SweepPlan } from '../src/cli/sweep/plan.js';
import { QueueExecutor } from '../src/cli/sweep/queue.js';
import { parseRedisUrl } from '../src/cli/sweep/redis.js';
import { AllTrials } from '../src/cli/sweep/schedule.js';
import { ensureBuilt } from '../test/cli/helpers.js';
import { Proc, redisMissing, RedisServer, spawnNabla } from '../test/cli/redis.js';
import { table } from './timing.js';

const TRIALS = ['--model', 'softmax', '--trials', '8', '--limit', '20000', '--epochs', '5', '--seed', '7'];

interface Summary {
  trials: { seconds: number }[];
}

async function timedSweep(
  cwd: string,
  out: string,
  extra: string[],
): Promise<{ wall: number; train: number }> {
  const t0 = performance.now();
  const p = spawnNabla(['sweep', ...TRIALS, '--out', out, ...extra], cwd);
  const code = await p.exited;
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`sweep failed (${code}):\n${p.out}`);
  const dir = path.join(out, readdirSync(out)[0]);
  const s = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8')) as Summary;
  return { wall, train: s.trials.reduce((a, t) => a + t.seconds, 0) };
}

async function poolVsQueue(redis: RedisServer, cwd: string): Promise<void> {
  const rows: (string | number)[][] = [];
  const local = await timedSweep(cwd, path.join(cwd, 'local'), []);
  rows.push([
    `local pool (${os.cpus().length} worker threads)`,
    local.wall.toFixed(1),
    local.train.toFixed(1),
    '-',
  ]);
  // One thread: the baseline of the one-worker queue (the same fixed costs: start, data, report).
  const local1 = await timedSweep(cwd, path.join(cwd, 'local-1'), ['--workers', '1']);
  const fixed1 = local1.wall - local1.train;
  rows.push(['local pool (1 worker thread)', local1.wall.toFixed(1), local1.train.toFixed(1), '-']);
  for (const n of [1, 2]) {
    const workers = Array.from({ length: n }, (_, i) =>
      spawnNabla(['worker', redis.url(), '--name', `bench-${n}-${i}`], cwd),
    );
    await Promise.all(workers.map((w) => w.waitFor(/taking trials/)));
    const q = await timedSweep(cwd, path.join(cwd, `queue-${n}`), ['--queue', redis.url()]);
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    const perTrial = n === 1 ? ((q.wall - q.train - fixed1) / 8).toFixed(2) : '-';
    rows.push([
      `queue, ${n} worker${n > 1 ? 's' : ''} (concurrency 1)`,
      q.wall.toFixed(1),
      q.train.toFixed(1),
      perTrial,
    ]);
  }
  console.log(`### 8 softmax trials (${TRIALS.slice(4).join(' ')}), local pool vs queue\n`);
  console.log(
    table(['how', 'wall s', 'sum of trial s', 'queue overhead per trial, s (vs 1 local thread)'], rows),
  );
  console.log('');
}

async function coordinatorScale(redis: RedisServer): Promise<void> {
  const N = 10_000;
  const CONNECTIONS = 50;
  const PROCESSES = 2;
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queueWorkers.ts');
  const procs = Array.from(
    { length: PROCESSES },
    () =>
      new Proc(
        spawn(process.execPath, ['--import', 'tsx', script, redis.url(), String(CONNECTIONS / PROCESSES)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
  );
  await Promise.all(procs.map((p) => p.waitFor(/ready/)));
  const plan: SweepPlan = {
    id: `bench-${Date.now()}`,
    label: 'bench',
    search: 'random',
    axes: [],
    trials: Array.from({ length: N }, () => ({ lr: 1e-3 })),
    rungs: null,
    eta: 3,
    base: {
      model: { kind: 'builtin', name: 'softmax' },
      data: { kind: 'builtin', name: 'mnist' },
      seed: 0,
      dtype: 'float32',
    },
    command: 'bench',
  };
  const exec = await QueueExecutor.open(parseRedisUrl(redis.url(), 'bench'), plan, {
    dir: null,
    blobLimit: 0,
    continuing: false,
    log: console.log,
  });
  let done = 0;
  const workerPids = procs.map((p) => p.child.pid!);
  const cpu0 = {
    coord: process.cpuUsage(),
    redis: cpuSeconds(redis.proc.child.pid!),
    workers: workerPids.map(cpuSeconds),
  };
  const t0 = performance.now();
  await driveSweep(new AllTrials(N), exec, () => done++);
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0.coord);
  const perK = (s: number): string => ((1000 * s) / done).toFixed(2);
  const coordCpu = (c.user + c.system) / 1e6;
  const redisCpu = cpuSeconds(redis.proc.child.pid!) - cpu0.redis;
  const workersCpu = workerPids.reduce((a, pid, i) => a + cpuSeconds(pid) - cpu0.workers[i], 0);
  const t1 = performance.now();
  await exec.cleanup();
  const cleanup = (performance.now() - t1) / 1000;
  await exec.close();
  for (const p of procs) p.child.kill('SIGKILL');
  console.log(
    `### Coordinator scale: ${N.toLocaleString('en-US')} trivial trials, ${CONNECTIONS} worker connections in ${PROCESSES} processes, loopback\n`,
  );
  console.log(
    table(
      ['trials', 'wall s', 'trials/s', 'CPU s per 1,000 trials: coordinator / Redis / workers', 'cleanup s'],
      [
        [
          done,
          seconds.toFixed(2),
          Math.round(done / seconds).toLocaleString('en-US'),
          `${perK(coordCpu)} / ${perK(redisCpu)} / ${perK(workersCpu)}`,
          cleanup.toFixed(2),
        ],
      ],
    ),
  );
  // The coordinator and Redis are one thread each: the busier of the two bounds the rate when workers run
  // on other machines and nothing else shares their cores.
  const bound = done / Math.max(coordCpu, redisCpu);
  console.log(`\ncoordinator + Redis CPU bound: ${Math.round(bound).toLocaleString('en-US')} trials/s\n`);
  console.log('');
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export default async function sweepBench(argv: string[]): Promise<void> {
  console.log('## Sweeps on a queue (issue 18)\n');
  const missing = redisMissing();
  if (missing) {
    console.log(`${missing}: skipped.\n`);
    return;
  }
  console.log(
    `load before: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
  ensureBuilt();
  const redis = await RedisServer.start();
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'nabla-bench-sweep-'));
  try {
    if (!argv.includes('--scale-only')) await poolVsQueue(redis, cwd);
    await coordinatorScale(redis);
  } finally {
    await redis.close();
    rmSync(cwd, { recursive: true, force: true });
  }
  console.log(
    `load after: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
}
