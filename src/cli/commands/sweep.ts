/**
 * `nabla sweep`: hyperparameter search — random (log-uniform rates, as the course teaches), a grid, or
 * successive halving (ASHA) — over the train options. Without --queue the trials run on worker threads of
 * this machine (one per core by default), with no server; with --queue redis://... they are jobs on a Redis
 * queue that `nabla worker`s on any number of machines take. Either way the sweep folder holds each trial's
 * run folder, trials.jsonl as results come, and at the end the ranked table (sweep.json, report.html); the
 * same command run again (or --resume) continues an unfinished sweep without training a finished trial again.
 */
import os from 'node:os';
import { basename, dirname, relative } from 'node:path';
import { isUnlabelledModelName } from '../../models/registry.js';
import { STOP_SIGNALS, UsageError, type StopSignal } from '../errors.js';
import { formatDuration } from '../progress.js';
import type { Executor } from '../sweep/drive.js';
import { driveSweep } from '../sweep/drive.js';
import { LocalExecutor } from '../sweep/local.js';
import { planSweep, trialJob, type SweepFlags, type SweepPlan } from '../sweep/plan.js';
import { modelConfigOf } from '../train/config.js';
import { QueueExecutor } from '../sweep/queue.js';
import { parseRedisUrl, probeRedis } from '../sweep/redis.js';
import { AllTrials, Asha, type Scheduler } from '../sweep/schedule.js';
import { formatAxis } from '../sweep/search.js';
import { createSweepDir, findSweep, isFinished, readPlan, resolveSweep, ResultLog } from '../sweep/store.js';
import { finishSweep, formatResultLine, rank, formatTable, trialsOf } from '../sweep/summary.js';
import { commandLine } from './train.js';

export type { SweepFlags };

/** The command line with any Redis password replaced by ***. */
export function redactCommand(cmd: string): string {
  return cmd.replace(/(rediss?:\/\/[^:/@\s]*):[^@\s]*@/g, '$1:***@');
}

function describeSearch(plan: SweepPlan): string {
  if (plan.search === 'asha') return `ASHA: rungs at epochs ${plan.rungs!.join(', ')}, eta ${plan.eta}`;
  if (plan.search === 'grid') return 'grid';
  const allLog = plan.axes.every((a) => a.kind === 'values' || a.scale === 'log');
  return allLog ? 'log-uniform' : 'random';
}

export async function sweepCommand(flags: SweepFlags): Promise<void> {
  const log = (line: string): void => void process.stdout.write(line + '\n');
  if (flags.queue && flags.workers !== undefined)
    throw new UsageError(
      'nabla sweep: --workers is for a local sweep; with --queue, start `nabla worker` processes',
    );
  const m = flags.model;
  if (m?.kind === 'builtin' && isUnlabelledModelName(m.name))
    throw new UsageError(
      `nabla sweep: trials are ranked by validation accuracy, which a ${m.name} run does not have (judge it with nabla eval)`,
    );
  const target = flags.queue ? parseRedisUrl(flags.queue, 'nabla sweep --queue') : null;
  let dir: string | null;
  let plan: SweepPlan;
  if (flags.resume) {
    dir = resolveSweep(flags.resume, flags.out);
    plan = readPlan(dir);
  } else {
    plan = planSweep(flags, redactCommand(commandLine()));
    // The layers file and the options are checked before a folder exists (as `nabla train` does).
    modelConfigOf(trialJob(plan, 1, ''), 0);
    dir = findSweep(flags.out, plan.id);
    if (dir && isFinished(dir)) {
      const ranked = rank(trialsOf(plan, dir, new ResultLog(dir).results));
      log(`sweep     ${dir} (${plan.id}) finished already; change --seed or --out for a new one`);
      log(formatTable(plan, ranked, dir));
      return;
    }
  }
  // Before any folder is made: a queue that cannot be used is one line and status 2.
  if (target) await probeRedis(target, 'nabla sweep');
  const continuing = dir !== null;
  dir ??= createSweepDir(flags.out, plan);
  const results = new ResultLog(dir);
  const n = plan.trials.length;
  const sched: Scheduler = plan.rungs ? new Asha(n, plan.rungs, plan.eta) : new AllTrials(n);
  for (const r of results.results) sched.report(r);

  let exec: Executor;
  let where: string;
  if (target) {
    const q = await QueueExecutor.open(target, plan, {
      dir,
      blobLimit: Math.round(flags.blobLimit * 2 ** 20),
      continuing,
      log,
    });
    exec = q;
    const count = await q.workerCount();
    where = `queue ${target.safe} (${count} worker${count === 1 ? '' : 's'} connected now)`;
  } else {
    const threads = Math.max(1, Math.min(n, flags.workers ?? os.cpus().length));
    exec = new LocalExecutor(plan, dir, threads);
    where = `${threads} worker threads`;
  }
  const axes = plan.axes.map((a) => `${a.name} ${formatAxis(a)}`).join(', ');
  log(`sweep     ${dir}: ${n} trials of ${plan.label}, ${axes} (${describeSearch(plan)}), ${where}`);
  const done = new Set(results.results.map((r) => r.trial)).size;
  if (continuing) log(`continuing sweep ${plan.id}: ${done} of ${n} trials have results`);
  else
    log(
      `id        ${plan.id} (to continue after a stop: the same command, or nabla sweep --resume ${plan.id})`,
    );
  log(
    `watch     nabla ui --runs ${relative(process.cwd(), dirname(dir)) || '.'}  (then /sweeps/${basename(dir)})`,
  );

  // SIGINT, SIGTERM and SIGHUP stop the sweep alike (finished trials are on disk already); the exit status
  // names the signal, as train's does.
  const stop = new AbortController();
  let stoppedBy: StopSignal = 'SIGINT';
  const onSignal = (sig: StopSignal): void => {
    if (stop.signal.aborted) return;
    stoppedBy = sig;
    stop.abort();
    log('\nstopping the sweep (finished trials are kept)...');
    void exec.close();
  };
  const signals = Object.keys(STOP_SIGNALS) as StopSignal[];
  for (const sig of signals) process.on(sig, onSignal);
  const t0 = performance.now();
  try {
    await driveSweep(
      sched,
      exec,
      (r) => {
        if (results.append(r)) log(formatResultLine(plan, r));
      },
      stop.signal,
    );
  } finally {
    for (const sig of signals) process.off(sig, onSignal);
    if (!stop.signal.aborted && exec instanceof QueueExecutor) await exec.cleanup();
    await exec.close();
  }
  const rel = relative(process.cwd(), dir) || dir;
  if (stop.signal.aborted) {
    log(`stopped; continue with: nabla sweep --resume ${rel}${flags.queue ? ' --queue <url>' : ''}`);
    process.exitCode = STOP_SIGNALS[stoppedBy];
    return;
  }
  await finishSweep(plan, dir, results.results, {
    where,
    seconds: (performance.now() - t0) / 1000,
    log,
  });
  if (continuing) log(`(${formatDuration((performance.now() - t0) / 1000)} in this run)`);
}
