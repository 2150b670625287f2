/**
 * A run's settings: the job as the user gave it (train and sweep build it the same way, trainJobFromFlags),
 * and the resolved settings — flags over the model's defaults — saved in config.json and the checkpoint.
 */
import { layersConfig, modelOptions, TRAIN_DEFAULTS, type ModelConfig } from '../../models/registry.js';
import { dataLabel } from '../../data/datasetNames.js';
import type { AugmentName, OptimizerName, ScheduleName } from '../choices.js';
import type { TrainJob } from './job.js';
import { UsageError } from '../errors.js';

/** The resolved settings of a run, saved as config.json and in the checkpoint. */
export interface RunConfig {
  model: ModelConfig;
  data: string;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  lrDecay: number;
  lrSchedule: ScheduleName;
  reg: number;
  augment: AugmentName;
  seed: number;
  dtype: 'float32' | 'float64';
  valCount: number;
  limit: number | null;
  testLimit: number | null;
  /** Training time budget in minutes (--minutes), or null. */
  minutes?: number | null;
  command: string;
}

/** The training flags a job is made of (train's and sweep's options alike). */
export type JobFlags = Omit<TrainJob, 'runDir' | 'resume' | 'command' | 'report'> & { report?: boolean };

/** The job of a new run in `runDir` from the command's flags. */
export function trainJobFromFlags(flags: JobFlags, runDir: string, command: string): TrainJob {
  return {
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
    features: flags.features,
    beam: flags.beam,
    noiseDim: flags.noiseDim,
    temperature: flags.temperature,
    minutes: flags.minutes,
    report: flags.report ?? true,
    command,
  };
}

/** The model's config from a job: a built-in's options, or a layers file read and checked. */
export function modelConfigOf(job: TrainJob, reg: number): ModelConfig {
  const name = job.model.kind === 'file' ? 'layers' : job.model.name;
  if (name !== 'simclr') {
    const stray =
      job.temperature !== undefined ? '--temperature' : job.minutes !== undefined ? '--minutes' : null;
    if (stray) throw new UsageError(`${stray} is a simclr option (this run's model is ${name})`);
  } else if (job.data.kind === 'builtin' && job.data.name !== 'cifar10')
    throw new UsageError(
      `--model simclr: SimCLR's encoder takes 32x32 colour images: --data cifar10 (or a folder of them), not ${job.data.name}`,
    );
  if (job.model.kind === 'file') return layersConfig(job.model.path, reg);
  return {
    name: job.model.name,
    options: modelOptions(job.model.name, {
      hidden: job.hidden,
      normalization: job.normalization,
      dropout: job.dropout,
      reg,
      k: job.k,
      noiseDim: job.noiseDim,
      temperature: job.temperature,
    }),
  };
}

/** Flags over the model's defaults, for a data set of `trainCount` training images. */
export function resolveConfig(job: TrainJob, ds: { trainCount: number }): RunConfig {
  const name = job.model.kind === 'file' ? 'layers' : job.model.name;
  const d = TRAIN_DEFAULTS[name];
  const reg = job.reg ?? d.reg;
  const n = ds.trainCount;
  const valCount =
    job.valSplit !== undefined ? Math.round(job.valSplit * n) : Math.min(1000, Math.floor(n / 10));
  // kNN compares every test image with every training image: the course's 5,000 / 500 unless --limit says.
  const isKnn = name === 'knn';
  return {
    model: modelConfigOf(job, reg),
    data: dataLabel(job.data),
    // A time budget without --epochs: the budget decides when training ends.
    epochs: job.epochs ?? (job.minutes !== undefined ? 100 : d.epochs),
    batchSize: job.batchSize ?? d.batchSize,
    optimizer: job.optimizer ?? d.optimizer,
    lr: job.lr ?? d.lr,
    lrDecay: job.lrDecay ?? 1,
    lrSchedule: job.lrSchedule ?? d.schedule ?? 'constant',
    reg,
    augment: job.augment ?? 'none',
    seed: job.seed,
    dtype: job.dtype,
    valCount,
    limit: job.limit ?? (isKnn ? 5000 : null),
    testLimit: job.limit ?? (isKnn ? 500 : null),
    minutes: job.minutes ?? null,
    command: job.command,
  };
}
