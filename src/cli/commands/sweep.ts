/**
 * `nabla sweep`: random search over the learning rate and regularisation strength, sampled uniformly in log
 * space as the course teaches (10 ** uniform(log10 lo, log10 hi)), with the trials spread over worker threads
 * (one per core by default). Each trial is a full run folder inside the sweep's folder; at the end the
 * trials are ranked by validation accuracy, the best trial keeps its checkpoint (the others keep their
 * metrics and reports but drop their arrays), and sweep.json plus report.html show the (lr, reg) plane.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { Generator } from '../../ndarray/random.js';
import { writeReport } from '../../vis/report.js';
import { escapeHtml } from '../../vis/report.js';
import type { LogRange } from '../choices.js';
import { EXIT_INTERRUPTED, RunStopped } from '../errors.js';
import { TRAIN_DEFAULTS } from '../../models/registry.js';
import { formatDuration } from '../progress.js';
import { createRunDir, RUN_FILES } from '../runDir.js';
import { TrainPool } from '../runWorker.js';
import { trainJobFromFlags } from '../train/config.js';
import type { TrainJob } from '../train/job.js';
import { commandLine, type TrainFlags } from './train.js';

export interface SweepFlags extends Omit<TrainFlags, 'lr' | 'reg' | 'resume' | 'report' | 'quiet'> {
  lr?: LogRange;
  reg?: LogRange;
  trials: number;
  workers?: number;
}

export interface Trial {
  trial: number;
  dir: string;
  lr: number;
  reg: number;
  valAcc: number;
  testAcc: number;
  seconds: number;
  status: 'ok' | 'diverged' | 'failed';
  message?: string;
}

/** Log-uniform sample in [lo, hi] (a fixed value when lo = hi). */
export function sampleLog(rng: Generator, r: LogRange): number {
  if (r.lo === r.hi) return r.lo;
  const u = rng.nextDouble();
  return 10 ** (Math.log10(r.lo) + u * (Math.log10(r.hi) - Math.log10(r.lo)));
}

export async function sweepCommand(flags: SweepFlags): Promise<void> {
  const name = flags.model.kind === 'file' ? 'layers' : flags.model.name;
  if (name === 'knn')
    throw new RunStopped('sweep: knn has no learning rate; try `nabla train --model knn --k 5`');
  const d = TRAIN_DEFAULTS[name];
  const lrRange = flags.lr ?? { lo: d.lr / 10, hi: d.lr * 10 };
  const regRange = flags.reg ?? { lo: 1e-5, hi: 1e-1 };
  const label = flags.model.kind === 'builtin' ? flags.model.name : 'layers';
  const dir = createRunDir(flags.out, `sweep-${label}`);
  const rng = new Generator(flags.seed);
  const workers = Math.max(1, Math.min(flags.trials, flags.workers ?? os.cpus().length));
  console.log(
    `sweep     ${dir}: ${flags.trials} trials of ${label}, lr ${lrRange.lo}:${lrRange.hi}, reg ${regRange.lo}:${regRange.hi} (log-uniform), ${workers} worker threads`,
  );

  const jobs: { job: TrainJob; trial: number; lr: number; reg: number }[] = [];
  for (let t = 1; t <= flags.trials; t++) {
    const lr = sampleLog(rng, lrRange);
    const reg = sampleLog(rng, regRange);
    const runDir = join(dir, `trial-${String(t).padStart(2, '0')}`);
    mkdirSync(runDir, { recursive: true });
    const job = trainJobFromFlags(
      { ...flags, lr, reg, report: true },
      runDir,
      `${commandLine()}  # trial ${t}: --lr ${lr} --reg ${reg}`,
    );
    writeFileSync(join(runDir, RUN_FILES.config), JSON.stringify({ job }, null, 2) + '\n');
    jobs.push({ job, trial: t, lr, reg });
  }

  const pool = new TrainPool(workers);
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    console.log('\nstopping the sweep (finished trials are kept)...');
    void pool.close();
  };
  process.on('SIGINT', onSigint);
  const trials: Trial[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(
      jobs.map(async ({ job, trial, lr, reg }) => {
        const start = performance.now();
        let t: Trial;
        try {
          const r = await pool.run(job);
          t = {
            trial,
            dir: job.runDir,
            lr,
            reg,
            valAcc: r.bestValAcc,
            testAcc: r.testAccuracy,
            seconds: r.trainSeconds,
            status: 'ok',
          };
        } catch (err) {
          if (interrupted) return;
          const e = err as Error;
          t = {
            trial,
            dir: job.runDir,
            lr,
            reg,
            valAcc: 0,
            testAcc: 0,
            seconds: (performance.now() - start) / 1000,
            status: err instanceof RunStopped ? 'diverged' : 'failed',
            message: e.message.split('\n')[0],
          };
        }
        trials.push(t);
        console.log(formatTrialLine(t, flags.trials));
      }),
    );
  } finally {
    process.off('SIGINT', onSigint);
    await pool.close();
  }
  if (trials.length === 0) {
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  const ranked = [...trials].sort((a, b) => b.valAcc - a.valAcc || a.trial - b.trial);
  const best = ranked[0];
  // Keep the best trial's arrays; the others keep metrics, config and report (their arrays can be large).
  for (const t of trials) if (t !== best) rmSync(join(t.dir, RUN_FILES.checkpointNpz), { force: true });

  console.log('');
  console.log(formatTable(ranked, dir));
  const rel = relative(process.cwd(), best.dir) || best.dir;
  console.log(
    `\nbest: trial ${best.trial} (lr ${best.lr.toExponential(2)}, reg ${best.reg.toExponential(2)}), val ${(100 * best.valAcc).toFixed(2)}%, test ${(100 * best.testAcc).toFixed(2)}%`,
  );
  console.log(`checkpoint kept in ${rel}; try: nabla eval ${rel}`);
  writeFileSync(
    join(dir, 'sweep.json'),
    JSON.stringify({ command: commandLine(), lr: lrRange, reg: regRange, trials: ranked }, null, 2) + '\n',
  );
  const rows = ranked
    .map(
      (t, i) =>
        `<tr><td>${i + 1}</td><td><a href="${escapeHtml(relative(dir, t.dir))}/report.html">trial ${t.trial}</a></td><td>${t.lr.toExponential(2)}</td><td>${t.reg.toExponential(2)}</td>` +
        `<td>${(100 * t.valAcc).toFixed(2)}%</td><td>${(100 * t.testAcc).toFixed(2)}%</td><td>${t.status}</td></tr>`,
    )
    .join('');
  await writeReport(dir, {
    title: `nabla sweep: ${label} on ${typeof flags.data === 'object' && flags.data.kind === 'builtin' ? flags.data.name : 'images'}`,
    summary: [
      [
        'trials',
        `${trials.length} (${workers} worker threads, ${formatDuration((performance.now() - t0) / 1000)})`,
      ],
      ['learning rate', `${lrRange.lo} to ${lrRange.hi}, log-uniform`],
      ['regularization', `${regRange.lo} to ${regRange.hi}, log-uniform`],
      [
        'best',
        `trial ${best.trial}: lr ${best.lr.toExponential(2)}, reg ${best.reg.toExponential(2)}, val ${(100 * best.valAcc).toFixed(2)}%`,
      ],
      ['command', commandLine()],
    ],
    sweep: {
      points: trials
        .filter((t) => t.status === 'ok')
        .map((t) => ({ lr: t.lr, reg: t.reg, valAcc: t.valAcc })),
    },
    extraHtml: `<h2>Trials, best first</h2><table><thead><tr><th>#</th><th>trial</th><th>lr</th><th>reg</th><th>val</th><th>test</th><th>status</th></tr></thead><tbody>${rows}</tbody></table>`,
  });
  console.log(
    `report ${relative(process.cwd(), join(dir, RUN_FILES.report)) || join(dir, RUN_FILES.report)}`,
  );
  if (interrupted) process.exitCode = EXIT_INTERRUPTED;
}

function formatTrialLine(t: Trial, total: number): string {
  const head = `trial ${String(t.trial).padStart(String(total).length)}/${total}  lr ${t.lr.toExponential(2)}  reg ${t.reg.toExponential(2)}`;
  if (t.status !== 'ok') return `${head}  ${t.status}: ${t.message ?? ''}`;
  return `${head}  val ${(100 * t.valAcc).toFixed(2)}%  test ${(100 * t.testAcc).toFixed(2)}%  (${formatDuration(t.seconds)})`;
}

export function formatTable(ranked: Trial[], dir: string): string {
  const lines = ['rank  trial  lr         reg        val      test     status  folder'];
  ranked.forEach((t, i) => {
    lines.push(
      `${String(i + 1).padEnd(4)}  ${String(t.trial).padEnd(5)}  ${t.lr.toExponential(2).padEnd(9)}  ${t.reg.toExponential(2).padEnd(9)}  ` +
        `${((100 * t.valAcc).toFixed(2) + '%').padEnd(7)}  ${((100 * t.testAcc).toFixed(2) + '%').padEnd(7)}  ${t.status.padEnd(6)}  ${relative(dir, t.dir)}`,
    );
  });
  return lines.join('\n');
}
