/**
 * `nabla train`: trains a model, shows progress, handles Ctrl-C (checkpoint, then a line
 * saying how to resume), and prints the result with the run folder and report.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { ModelSpec } from '../choices.js';
import { EXIT_INTERRUPTED, RunStopped, UsageError } from '../errors.js';
import { TrainingProgress, formatDuration } from '../progress.js';
import { loadCheckpoint } from '../checkpoint.js';
import { createRunDir, RUN_FILES } from '../runDir.js';
import { runTrainJob, type JobEvent, type JobResult, type TrainJob } from '../trainJob.js';
import { checkBind, DEFAULT_HOST } from '../ui/bind.js';
import { LiveRun } from '../ui/live.js';
import type { Dashboard } from '../ui/server.js';
import { openDashboard, serveUntilInterrupted } from './ui.js';

/** The options of `nabla train`: the job's settings as typed, before a run folder exists. */
export interface TrainFlags extends Omit<TrainJob, 'runDir' | 'resume' | 'command'> {
  out: string;
  resume?: string;
  /** --model was given on the command line (with --resume it must match the checkpoint). */
  modelExplicit?: boolean;
  quiet?: boolean;
  /** Serve the live dashboard (ui/server.ts) while training, and after it until Ctrl-C. */
  ui?: boolean;
  host?: string;
  port?: number;
  allowRemote?: boolean;
}

/** The command line as typed (for config.json and the report). */
export function commandLine(): string {
  return ['nabla', ...process.argv.slice(2)]
    .map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a))
    .join(' ');
}

function modelLabel(m: ModelSpec): string {
  return m.kind === 'builtin' ? m.name : m.path.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
}

/** Finds the run folder of --resume (a folder, or a checkpoint file inside one) and its saved job. */
function resumeJob(arg: string, flags: TrainFlags): TrainJob {
  if (!existsSync(arg)) throw new UsageError(`--resume: no such run folder '${arg}'`);
  const dir = statSync(arg).isDirectory() ? arg : dirname(arg);
  const cfgPath = join(dir, RUN_FILES.config);
  if (!existsSync(cfgPath) || !existsSync(join(dir, RUN_FILES.checkpointJson))) {
    throw new UsageError(
      `--resume: '${dir}' is not a nabla run folder with a checkpoint (no ${RUN_FILES.config} or ${RUN_FILES.checkpointJson})`,
    );
  }
  const saved = JSON.parse(readFileSync(cfgPath, 'utf8')) as { job: TrainJob };
  if (flags.modelExplicit) {
    const want = flags.model.kind === 'builtin' ? flags.model.name : 'layers';
    loadCheckpoint(dir, { expectModel: want });
  }
  return { ...saved.job, runDir: dir, resume: true, report: flags.report, command: saved.job.command };
}

export async function trainCommand(flags: TrainFlags): Promise<void> {
  if (!flags.ui) {
    const stray = (['host', 'port', 'allowRemote'] as const).find((k) => flags[k] !== undefined);
    if (stray) {
      const flag = stray === 'allowRemote' ? '--allow-remote' : `--${stray}`;
      throw new UsageError(`nabla train: ${flag} is a dashboard option: add --ui`);
    }
  } else {
    // Before anything is written: a refused address is the user's to fix.
    checkBind(flags.host ?? DEFAULT_HOST, flags.allowRemote ?? false, 'nabla train --ui');
  }
  let job: TrainJob;
  if (flags.resume) {
    job = resumeJob(flags.resume, flags);
  } else {
    const runDir = createRunDir(flags.out, modelLabel(flags.model));
    job = {
      runDir,
      model: flags.model,
      data: flags.data,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      optimizer: flags.optimizer,
      lr: flags.lr,
      lrDecay: flags.lrDecay,
      lrSchedule: flags.lrSchedule,
      reg: flags.reg,
      hidden: flags.hidden,
      normalization: flags.normalization,
      dropout: flags.dropout,
      augment: flags.augment,
      k: flags.k,
      seed: flags.seed,
      dtype: flags.dtype,
      valSplit: flags.valSplit,
      limit: flags.limit,
      report: flags.report,
      command: commandLine(),
    };
    writeFileSync(join(runDir, RUN_FILES.config), JSON.stringify({ job }, null, 2) + '\n');
  }
  const out = process.stdout;
  const say = (line: string): void => {
    if (!flags.quiet) out.write(line + '\n');
  };
  say(`${flags.resume ? 'resuming' : 'run'}      ${job.runDir}`);
  const live = flags.ui ? new LiveRun(job.runDir) : null;
  let dash: Dashboard | null = null;
  if (live) {
    try {
      dash = await openDashboard({
        host: flags.host,
        port: flags.port,
        allowRemote: flags.allowRemote,
        runsDir: dirname(job.runDir),
        live,
        command: 'nabla train --ui',
      });
    } catch (err) {
      // No dashboard, no run: the folder just made holds only config.json.
      if (!flags.resume) rmSync(job.runDir, { recursive: true, force: true });
      throw err;
    }
  }

  let progress: TrainingProgress | null = null;
  let stopped: Extract<JobEvent, { type: 'stopped' }> | null = null;
  const onEvent = (e: JobEvent): void => {
    live?.onJobEvent(e);
    switch (e.type) {
      case 'log':
        if (progress) progress.log(e.line);
        else say(e.line);
        break;
      case 'start':
        progress = new TrainingProgress({
          totalIterations: e.totalIterations,
          numEpochs: e.numEpochs,
          iterationsPerEpoch: e.iterationsPerEpoch,
          quiet: flags.quiet,
        });
        progress.start(e.fromIteration);
        break;
      case 'iteration':
        progress?.update({
          iteration: e.iteration,
          epoch: e.epoch,
          loss: e.loss,
          accuracy: e.accuracy,
          imagesPerSec: e.imagesPerSec,
        });
        break;
      case 'epoch':
        if (e.epoch > 0) {
          progress?.log(
            `epoch ${e.epoch}: train acc ${(100 * e.trainAcc).toFixed(2)}%, val acc ${(100 * e.valAcc).toFixed(2)}%`,
          );
        }
        break;
      case 'stopped':
        stopped = e;
        break;
    }
  };

  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      if (progress) progress.log('stopping: saving a checkpoint (Ctrl-C again to quit without one)...');
      else process.stderr.write('stopping...\n');
    } else {
      (progress as TrainingProgress | null)?.stop();
      process.stderr.write('quit without saving\n');
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSigint);
  let result: JobResult;
  try {
    result = await runTrainJob(job, {
      emit: onEvent,
      stopRequested: () => interrupts > 0,
      onModel: live ? (v) => live.onModel(v) : undefined,
    });
  } catch (err) {
    (progress as TrainingProgress | null)?.stop();
    live?.fail((err as Error)?.message ?? String(err));
    await dash?.close();
    if (stopped) {
      const s = stopped as Extract<JobEvent, { type: 'stopped' }>;
      const rel = relative(process.cwd(), job.runDir) || job.runDir;
      process.stdout.write(
        `interrupted at iteration ${s.iteration} (epoch ${s.epoch.toFixed(2)}); checkpoint saved in ${rel}\n` +
          `resume with: nabla train --resume ${rel}\n`,
      );
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    if (err instanceof RunStopped && !flags.resume) {
      throw new RunStopped(`${err.message}\n(the run so far is in ${job.runDir})`);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
  (progress as TrainingProgress | null)?.stop();
  printResult(result, flags.quiet);
  if (live && dash) {
    const report = result.report ? `/runs/${encodeURIComponent(live.name)}/${RUN_FILES.report}` : null;
    live.finish(result, report);
    process.stdout.write(`dashboard  ${dash.url} still serving the finished run; Ctrl-C to quit\n`);
    await serveUntilInterrupted(dash);
  }
}

function printResult(r: JobResult, quiet?: boolean): void {
  const rel = relative(process.cwd(), r.runDir) || r.runDir;
  const lines = [
    `test accuracy ${(100 * r.testAccuracy).toFixed(2)}% on ${r.evaluation.count.toLocaleString('en-US')} test images` +
      (r.iterations ? ` (best val ${(100 * r.bestValAcc).toFixed(2)}%)` : ''),
    r.iterations
      ? `trained ${r.iterations.toLocaleString('en-US')} iterations in ${formatDuration(r.trainSeconds)}, ${Math.round(r.imagesPerSec).toLocaleString('en-US')} images/s`
      : `predicted in ${formatDuration(r.trainSeconds)}`,
    `run folder ${rel}/ (${RUN_FILES.checkpointNpz}, ${RUN_FILES.checkpointJson}, ${RUN_FILES.metrics}, ${RUN_FILES.config}${r.report ? ', ' + RUN_FILES.report : ''})`,
  ];
  if (r.report) lines.push(`report     ${relative(process.cwd(), r.report) || r.report}`);
  if (quiet) lines.splice(1);
  process.stdout.write(lines.join('\n') + '\n');
}
