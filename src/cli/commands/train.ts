/**
 * `nabla train`: trains a model, shows progress, handles Ctrl-C, SIGTERM and SIGHUP (checkpoint, then a line
 * saying how to resume, then the signal's conventional exit status), and prints the result with the run
 * folder and report.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../../nodeFiles.js';
import type { ModelSpec } from '../choices.js';
import { EXIT_INTERRUPTED, RunStopped, STOP_SIGNALS, UsageError, type StopSignal } from '../errors.js';
import { TrainingProgress, formatDuration } from '../progress.js';
import { loadRunCheckpoint } from '../checkpoint.js';
import { createRunDir, RUN_FILES } from '../runDir.js';
import { isObject, readJsonFile } from '../jsonFile.js';
import { modelConfigOf, trainJobFromFlags } from '../train/config.js';
import {
  malformedJobField,
  type JobEvent,
  type JobResult,
  type JobStopped,
  type TrainJob,
} from '../train/job.js';
import { runTrainJob } from '../train/run.js';
import { checkBind, DEFAULT_HOST } from '../ui/bind.js';
import { LiveRun } from '../ui/live.js';
import type { Dashboard } from '../ui/server.js';
import { openDashboard, untilInterrupted } from './ui.js';

/** The options of `nabla train`: the job's settings as typed, before a run folder exists. */
export interface TrainFlags extends Omit<TrainJob, 'runDir' | 'resume' | 'command'> {
  out: string;
  resume?: string;
  /** --model was given on the command line (with --resume it must match the checkpoint). */
  modelExplicit?: boolean;
  /** The options given on the command line that set how the run trains, as typed (`--epochs`): --resume refuses them. */
  settingsGiven?: string[];
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
  // An exact resume trains as the run began: a setting given now would be silently ignored.
  const setting = flags.settingsGiven ?? [];
  if (setting.length > 0)
    throw new UsageError(
      `--resume continues a run with the settings it began with (its config.json); ${setting.join(', ')} cannot change them: ` +
        `drop ${setting.length > 1 ? 'them' : 'it'}, or start a new run`,
    );
  if (!existsSync(arg)) throw new UsageError(`--resume: no such run folder '${arg}'`);
  const dir = statSync(arg).isDirectory() ? arg : dirname(arg);
  const cfgPath = join(dir, RUN_FILES.config);
  // The .npz alone is a whole checkpoint: a kill can come before its first .json is written.
  if (!existsSync(cfgPath) || !existsSync(join(dir, RUN_FILES.checkpointNpz))) {
    throw new UsageError(
      `--resume: '${dir}' is not a nabla run folder with a checkpoint (no ${RUN_FILES.config} or ${RUN_FILES.checkpointNpz})`,
    );
  }
  const saved = readSavedJob(cfgPath);
  if (flags.modelExplicit) {
    const want = flags.model.kind === 'builtin' ? flags.model.name : 'layers';
    loadRunCheckpoint(dir, { expectModel: want });
  }
  return { ...saved.job, runDir: dir, resume: true, report: flags.report, command: saved.job.command };
}

/** The job a run folder's config.json saved; a damaged file is one error naming it. */
function readSavedJob(file: string): { job: TrainJob } {
  const saved = readJsonFile(file, "a run's settings", '--resume: ');
  const job = (saved as { job?: unknown } | null)?.job;
  if (!isObject(job)) throw new UsageError(`--resume: '${file}' is damaged: it has no "job" object`);
  const bad = malformedJobField(job as Record<string, unknown>);
  if (bad) throw new UsageError(`--resume: '${file}' is damaged: "job.${bad}" is missing or malformed`);
  return { job: job as TrainJob };
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
    // Every option and the layers file are checked before a run folder exists (no junk folders).
    modelConfigOf(trainJobFromFlags(flags, '', ''), flags.reg ?? 0);
    const runDir = createRunDir(flags.out, modelLabel(flags.model));
    job = trainJobFromFlags(flags, runDir, commandLine());
    writeFileAtomic(join(runDir, RUN_FILES.config), JSON.stringify({ job }, null, 2) + '\n');
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
          budgetSeconds: e.budgetSeconds,
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
        // A run without a metric (a GAN) shows its samples instead.
        if (e.epoch > 0 && e.metric) {
          progress?.log(
            e.metric === 'bleu4'
              ? `epoch ${e.epoch}: train BLEU-4 ${e.trainAcc.toFixed(4)}, val BLEU-4 ${e.valAcc.toFixed(4)}`
              : `epoch ${e.epoch}: train acc ${(100 * e.trainAcc).toFixed(2)}%, val acc ${(100 * e.valAcc).toFixed(2)}%`,
          );
        }
        break;
    }
  };

  const stop = new AbortController();
  const signals = watchSignals(stop, () => progress);
  let result: JobResult | JobStopped;
  let quit: Promise<void> | null = null;
  try {
    result = await runTrainJob(job, {
      emit: onEvent,
      signal: stop.signal,
      onModel: live ? (v) => live.onModel(v) : undefined,
      onPicture: live ? (p) => live.onPicture(p) : undefined,
    });
    // Listening before the training handlers go (finally), so no Ctrl-C meets the default action.
    if (dash && result.status !== 'stopped') quit = untilInterrupted();
  } catch (err) {
    (progress as TrainingProgress | null)?.stop();
    live?.fail((err as Error)?.message ?? String(err));
    await dash?.close();
    if (err instanceof RunStopped && !flags.resume) {
      throw new RunStopped(`${err.message}\n(the run so far is in ${job.runDir})`);
    }
    throw err;
  } finally {
    signals.dispose();
  }
  if (result.status === 'stopped') {
    (progress as TrainingProgress | null)?.stop();
    live?.fail('interrupted');
    await dash?.close();
    const rel = relative(process.cwd(), job.runDir) || job.runDir;
    process.stdout.write(
      `interrupted at iteration ${result.iteration} (epoch ${result.epoch.toFixed(2)}); checkpoint saved in ${rel}\n` +
        `resume with: nabla train --resume ${rel}\n`,
    );
    process.exitCode = signals.exitStatus();
    return;
  }
  (progress as TrainingProgress | null)?.stop();
  printResult(result, flags.quiet);
  if (live && dash) {
    const report = result.report ? `/runs/${encodeURIComponent(live.name)}/${RUN_FILES.report}` : null;
    live.finish(result, report);
    process.stdout.write(`dashboard  ${dash.url} still serving the finished run; Ctrl-C to quit\n`);
    await quit;
    await dash.close();
  }
}

function printResult(r: JobResult, quiet?: boolean): void {
  const rel = relative(process.cwd(), r.runDir) || r.runDir;
  if (r.gan) {
    const rel = relative(process.cwd(), r.runDir) || r.runDir;
    const lines = [
      `trained ${r.iterations.toLocaleString('en-US')} iterations in ${formatDuration(r.trainSeconds)}, ${Math.round(r.imagesPerSec).toLocaleString('en-US')} images/s; last losses D ${r.gan.dLoss.toFixed(4)}, G ${r.gan.gLoss.toFixed(4)}`,
      `samples   ${relative(process.cwd(), r.gan.samples) || r.gan.samples}`,
      `run       ${rel}${r.report ? `  (report: ${join(rel, RUN_FILES.report)})` : ''}`,
      `score it: nabla eval ${rel}    more digits: nabla sample ${rel} --n 64`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  if (r.simclr) {
    const lines = [
      `trained ${r.iterations.toLocaleString('en-US')} iterations in ${formatDuration(r.trainSeconds)}, ${Math.round(r.imagesPerSec).toLocaleString('en-US')} images/s` +
        `${r.simclr.budgetReached ? ' (its time budget)' : ''}; contrastive loss ${r.simclr.loss.toFixed(4)} (mean of the last 20)`,
      `run       ${rel}${r.report ? `  (report: ${join(rel, RUN_FILES.report)})` : ''}`,
      `judge it: nabla eval ${rel} --labels 5000    (linear evaluation of the frozen encoder)`,
    ];
    process.stdout.write((quiet ? lines.slice(0, 1) : lines).join('\n') + '\n');
    return;
  }
  const lines = [
    r.bleu
      ? `test BLEU-4 ${r.bleu.bleu4.toFixed(4)}, exact captions ${(100 * r.testAccuracy).toFixed(2)}% on ${r.evaluation.count.toLocaleString('en-US')} test images (best val BLEU-4 ${r.bestValAcc.toFixed(4)})`
      : `test accuracy ${(100 * r.testAccuracy).toFixed(2)}% on ${r.evaluation.count.toLocaleString('en-US')} test images` +
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

/**
 * SIGINT, SIGTERM (timeout, systemd, docker stop, Kubernetes) and SIGHUP all stop training the same way:
 * the first aborts `stop`, so the run saves a checkpoint between two steps and returns. A second Ctrl-C
 * quits at once without one.
 */
function watchSignals(
  stop: AbortController,
  progress: () => TrainingProgress | null,
): { dispose: () => void; exitStatus: () => number } {
  let first: StopSignal | null = null;
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((sig) => {
    const handler = (): void => {
      if (first === null) {
        first = sig;
        const line = `stopping (${sig}): saving a checkpoint${sig === 'SIGINT' ? ' (Ctrl-C again to quit without one)' : ''}...`;
        const p = progress();
        if (p) p.log(line);
        else process.stderr.write(line + '\n');
        stop.abort();
      } else if (sig === 'SIGINT') {
        progress()?.stop();
        process.stderr.write('quit without saving\n');
        process.exit(EXIT_INTERRUPTED);
      }
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    dispose: () => handlers.forEach(([sig, h]) => process.off(sig, h)),
    exitStatus: () => STOP_SIGNALS[first ?? 'SIGINT'],
  };
}
