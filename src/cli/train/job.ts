/**
 * A training job as plain data (it crosses into worker threads and is saved in config.json), what it
 * reports while it runs, and what it returns.
 */
import type { Model } from '../../models/model.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import type { DataSpec } from '../../data/datasetNames.js';
import type { AugmentName, ModelSpec, OptimizerName, ScheduleName } from '../choices.js';
import type { Evaluation } from '../evaluate.js';
import type { RunConfig } from './config.js';
import { isObject, isString, malformedField, optionalNumber, type FieldCheck } from '../jsonFile.js';

/** Everything a run needs, as plain data. */
export interface TrainJob {
  runDir: string;
  model: ModelSpec;
  data: DataSpec;
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName;
  lr?: number;
  lrDecay?: number;
  lrSchedule?: ScheduleName;
  reg?: number;
  hidden?: number[];
  normalization?: string;
  dropout?: number;
  augment?: AugmentName;
  k?: number;
  seed: number;
  dtype: 'float32' | 'float64';
  valSplit?: number;
  limit?: number;
  /** Captioning: the offline set's image features ('cnn', default, or 'pixels'). */
  features?: 'cnn' | 'pixels';
  /** Captioning: judge the test images' captions made by beam search of this width (default greedy). */
  beam?: number;
  /** GANs: the noise dimension (default 96, the course's). */
  noiseDim?: number;
  /** SimCLR: the contrastive loss's temperature (default 0.5, the course's). */
  temperature?: number;
  /** Stop training after this many minutes (over every resume) and finish the run there. */
  minutes?: number;
  /** Continue from the checkpoint in runDir. */
  resume?: boolean;
  report: boolean;
  /** The command line, recorded in config.json and the report. */
  command: string;
}

const isSpec =
  (kinds: Record<string, string>): FieldCheck =>
  (v) =>
    isObject(v) && isString((v as Record<string, unknown>)[kinds[(v as { kind?: string }).kind ?? '']]);
const OPTIONAL_NUMBERS = [
  ...['epochs', 'batchSize', 'lr', 'lrDecay', 'reg', 'dropout', 'k', 'valSplit', 'limit', 'beam'],
  ...['noiseDim', 'temperature', 'minutes'],
] as const satisfies readonly (keyof TrainJob)[];
/** What the fields of a saved job must be for a resume to read it (the others are checked where used). */
const JOB_FIELDS: Partial<Record<keyof TrainJob, FieldCheck>> = {
  model: isSpec({ builtin: 'name', file: 'path' }),
  data: isSpec({ builtin: 'name', path: 'path' }),
  seed: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  dtype: (v) => v === 'float32' || v === 'float64',
  ...Object.fromEntries(OPTIONAL_NUMBERS.map((k) => [k, optionalNumber])),
  hidden: (v) => v === undefined || (Array.isArray(v) && v.every((h) => Number.isSafeInteger(h))),
};

/** The first field of a job read from a run's config.json that is missing or of the wrong type, or null. */
export function malformedJobField(job: Record<string, unknown>): string | null {
  return malformedField(job, JOB_FIELDS as Record<string, FieldCheck>);
}

export interface JobResult {
  status: 'done';
  runDir: string;
  modelName: string;
  testAccuracy: number;
  bestValAcc: number;
  trainSeconds: number;
  imagesPerSec: number;
  iterations: number;
  checkpoint: string;
  report: string | null;
  evaluation: Evaluation;
  classNames: string[];
  /** GAN runs: the last losses and the last epoch's sample grid. */
  gan?: { dLoss: number; gLoss: number; samples: string };
  /** SimCLR runs: the mean loss of the last iterations; whether the time budget ended training. */
  simclr?: { loss: number; budgetReached: boolean };
  /** Captioning runs: corpus BLEU of the test captions. */
  bleu?: { bleu1: number; bleu2: number; bleu3: number; bleu4: number };
}

/** A run stopped on request (signal), its checkpoint saved. */
export interface JobStopped {
  status: 'stopped';
  runDir: string;
  iteration: number;
  epoch: number;
  checkpoint: string;
}

export type JobEvent =
  | { type: 'log'; line: string }
  | {
      type: 'start';
      totalIterations: number;
      iterationsPerEpoch: number;
      numEpochs: number;
      fromIteration: number;
      batchSize: number;
      /** Seconds left of a time budget (`--minutes`), if the run has one. */
      budgetSeconds?: number;
      /** The resolved settings (flags over the model's defaults). */
      config: RunConfig;
    }
  | {
      type: 'iteration';
      iteration: number;
      epoch: number;
      loss: number;
      imagesPerSec: number;
      accuracy?: number;
    }
  | {
      type: 'epoch';
      epoch: number;
      /** The Solver's metric ('accuracy', or 'bleu4' for captioning) on training and validation data. */
      metric?: string;
      trainAcc: number;
      valAcc: number;
      iteration: number;
    }
  | { type: 'stopped'; iteration: number; epoch: number; checkpoint: string };

export interface JobHooks {
  emit: (e: JobEvent) => void;
  /** Aborted when the user asks to stop (Ctrl-C, SIGTERM, SIGHUP): the run saves a checkpoint and returns. */
  signal?: AbortSignal;
  /**
   * Called after each accuracy check (iteration 1, then each epoch's end) with the model as it is then, for
   * the dashboard's first-layer weights and predictions on a few test images. Not crossing threads: the
   * model and arrays are live objects, to read and not keep.
   */
  onModel?: (view: ModelView) => void;
  /** Called with a picture of the run as it learns (a GAN's grid of generated digits after each epoch). */
  onPicture?: (p: RunPicture) => void;
}

/** A PNG showing the run at one moment, with what it shows. */
export interface RunPicture {
  epoch: number;
  iteration: number;
  png: Uint8Array;
  caption: string;
}

/** What onModel sees: the model mid-training and the test images it can be shown predicting. */
export interface ModelView {
  epoch: number;
  iteration: number;
  modelName: string;
  model: Model;
  /** The test images as the model takes them, the same images as they were loaded (N, H, W, C), labels. */
  XTest: NDArray;
  rawTest: NDArray;
  yTest: NDArray;
  imageShape: [number, number, number];
  classNames: string[];
}

/**
 * A finished run's result, from what every kind of run has (its folder, model, training time and images,
 * checkpoint, report). `scored` is the run's own test evaluation; without it (a GAN judged by `nabla eval`,
 * SimCLR by linear evaluation) accuracies are NaN. `extra` holds the run kind's own fields.
 */
export function doneResult(
  r: Pick<JobResult, 'runDir' | 'modelName' | 'iterations' | 'checkpoint' | 'report' | 'classNames'> & {
    trained: { trainSeconds: number; images: number };
    scored?: { evaluation: Evaluation; bestValAcc: number };
  },
  extra: Pick<JobResult, 'gan' | 'simclr' | 'bleu'> = {},
): JobResult {
  const { trained, scored, ...rest } = r;
  const evaluation = scored?.evaluation ?? { accuracy: NaN, count: 0, perClass: [], confusion: [] };
  return {
    status: 'done',
    ...rest,
    testAccuracy: evaluation.accuracy,
    bestValAcc: scored?.bestValAcc ?? NaN,
    trainSeconds: trained.trainSeconds,
    imagesPerSec: trained.trainSeconds > 0 ? trained.images / trained.trainSeconds : 0,
    evaluation,
    ...extra,
  };
}
