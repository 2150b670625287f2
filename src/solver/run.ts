/**
 * A `nabla train` run from library code: its checkpoint — the library's one checkpoint format
 * (solver/checkpoint.ts) holding the Solver's state (solver/state.ts) plus what makes the arrays a model of
 * this run: model name and config, input and image shapes, class names, the input normalisation, the data
 * and the resolved settings — and `loadRun`, which rebuilds the trained model ready to predict.
 * `checkpoint.npz` opens with np.load. A file that is not a usable checkpoint throws a CheckpointError
 * naming it (the command reports it as a usage error, exit status 2).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ImageNormalization } from '../data/preprocess.js';
import type { FloatDType } from '../ndarray/dtype.js';
import type { NDArray } from '../ndarray/ndarray.js';
import {
  CheckpointError,
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointMeta,
  type CheckpointPaths,
} from './checkpoint.js';
import type { SolverStateMeta } from './state.js';
import { group, loadModelArrays } from './state.js';
import { KNearestNeighbor } from '../models/kNearestNeighbor.js';
import type { Model } from '../models/model.js';
import type { GanModel } from '../models/ganModel.js';
import type { SimclrNet } from '../models/simclrNet.js';
import type { CaptionModel } from './metrics.js';
import {
  buildCaptionModel,
  buildGanModel,
  buildModel,
  buildSimclrNet,
  layoutOf,
  type Layout,
  type ModelConfig,
} from '../models/registry.js';

/** The files of a run folder that hold its checkpoint. */
export const RUN_CHECKPOINT_FILES = { json: 'checkpoint.json', npz: 'checkpoint.npz' } as const;

/** Where a run's checkpoint is: its folder and the .json/.npz pair. */
export interface RunPaths {
  dir: string;
  json: string;
  npz: string;
}

/** A run folder, or a checkpoint's .json or .npz path → the checkpoint's paths (checking the folder has one). */
export function resolveCheckpoint(arg: string): RunPaths {
  if (!existsSync(arg)) throw new CheckpointError(`no such run folder or checkpoint: '${arg}'`);
  if (statSync(arg).isDirectory()) {
    const json = join(arg, RUN_CHECKPOINT_FILES.json);
    // The .npz alone is a whole checkpoint (a kill may come before its first .json is written).
    if (!existsSync(json) && !existsSync(join(arg, RUN_CHECKPOINT_FILES.npz))) {
      throw new CheckpointError(
        `'${arg}' has no ${RUN_CHECKPOINT_FILES.json}: not a nabla run folder (or the run saved nothing yet)`,
      );
    }
    return { dir: arg, json, npz: join(arg, RUN_CHECKPOINT_FILES.npz) };
  }
  const dir = dirname(arg);
  const stem = basename(arg).replace(/\.(json|npz)$/, '');
  return { dir, json: join(dir, `${stem}.json`), npz: join(dir, `${stem}.npz`) };
}

/** What a run records beside the Solver's state. */
export interface RunInfo {
  /** Version of nabla that wrote it. */
  nabla: string;
  /** What the model does (classification when absent). */
  task?: 'classification' | 'captioning' | 'gan' | 'simclr';
  /** Captioning runs: how the image features were made ('cnn': the cached digit CNN, with its key). */
  features?: { kind: string; key: string | null };
  model: { name: string; config: ModelConfig };
  /** Shape of one input image as the model takes it, e.g. [1, 28, 28] or [784]. */
  inputShape: number[];
  /** Shape of one raw image (H, W, C), as the data came. */
  imageShape: [number, number, number];
  classNames: string[];
  /** How raw pixels become model inputs (data/preprocess.ts). */
  normalization: ImageNormalization;
  data: { name: string; numTrain: number; numVal: number; numTest: number };
  /** The run's resolved settings (config.ts's RunConfig). */
  config: Record<string, unknown>;
  /** Seconds spent training so far, over every resume (a run with a time budget stops at its limit). */
  trainedSeconds?: number;
}

/** A run checkpoint's metadata: the checkpoint fields, the run's details and the Solver's state. */
export type RunMeta = CheckpointMeta &
  RunInfo &
  Omit<SolverStateMeta, 'optimizer'> & {
    optimizer: SolverStateMeta['optimizer'] | null;
  };

/** A run checkpoint loaded: metadata, arrays and paths. */
export interface RunCheckpoint {
  meta: RunMeta;
  arrays: Record<string, NDArray>;
  paths: RunPaths;
}

/** Writes `<dir>/checkpoint.npz` and `<dir>/checkpoint.json`: the run's details with a Solver state. */
export function saveRunCheckpoint(
  dir: string,
  info: RunInfo,
  state: {
    meta: Omit<SolverStateMeta, 'optimizer'> & { optimizer: SolverStateMeta['optimizer'] | null };
    arrays: Record<string, NDArray>;
  },
): CheckpointPaths {
  return saveCheckpoint(dir, { ...info, ...state.meta }, state.arrays);
}

/** Format 1 (before the library and the command shared one) kept the Solver's fields under extra. */
function upgrade(meta: Record<string, unknown>): RunMeta {
  if (meta.version !== 1) return meta as RunMeta;
  const extra = (meta.extra ?? {}) as { config?: Record<string, unknown>; solver?: Record<string, unknown> };
  const s = extra.solver ?? {};
  const training = meta.training as SolverStateMeta['training'];
  const history = meta.history as SolverStateMeta['history'];
  return {
    ...(meta as RunMeta),
    config: extra.config ?? {},
    training: {
      ...training,
      epoch: (s.epoch as number) ?? Math.floor(training.iteration / (training.iterationsPerEpoch || 1)),
    },
    history: { ...history, lr: history.lr ?? [] },
    optimizer: s.updateRule
      ? {
          rule: s.updateRule as string,
          baseLr: null,
          scalars: (s.optimScalars ?? {}) as Record<string, Record<string, number>>,
        }
      : null,
    bestValAcc: (s.bestValAcc as number) ?? 0,
    metric: 'accuracy',
    rng: {
      solver: (s.solverRngState ?? []) as (number | null)[],
      model: (s.modelRngState ?? null) as (number | null)[] | null,
    },
  };
}

/** Checks the run fields a command reads, naming the file when one is missing. */
function checkRunMeta(meta: Record<string, unknown>, file: string): RunMeta {
  for (const key of ['model', 'classNames', 'normalization', 'training', 'arrays', 'inputShape'] as const) {
    if (meta[key] === undefined)
      throw new CheckpointError(`'${file}' is a damaged nabla checkpoint: "${key}" is missing`);
  }
  return upgrade(meta);
}

/**
 * The model's parameters (and the best ones kept) are of the run's dtype: the index inside the .npz is
 * checked against the arrays already, but a file crafted with a matching index must not be cast silently.
 */
function checkParamDtypes(meta: RunMeta, arrays: Record<string, NDArray>, file: string): void {
  const want = (meta.config as { dtype?: string } | undefined)?.dtype;
  if (want === undefined) return;
  for (const [name, a] of Object.entries(arrays)) {
    if (!/^(params|best)\//.test(name) || a.dtype === want) continue;
    const what = name.startsWith('params/') ? `parameter '${name.slice(7)}'` : `array '${name}'`;
    throw new CheckpointError(
      `checkpoint '${file}': ${what} is ${a.dtype}; the run's parameters are ${want} (its config says dtype ${want})`,
    );
  }
}

/** Reads and checks a run checkpoint's metadata only (fast: no arrays). */
export function readRunMeta(jsonPath: string): RunMeta {
  return checkRunMeta(readCheckpointMeta(jsonPath), jsonPath);
}

/**
 * Loads a run checkpoint from a run folder, a .json or a .npz path. With `expectModel`, a checkpoint of
 * another model is refused with "checkpoint is for model X, not Y"; parameters that are not finite are
 * refused unless `allowNonFinite`.
 */
export function loadRunCheckpoint(
  arg: string,
  opts: { expectModel?: string; allowNonFinite?: boolean } = {},
): RunCheckpoint {
  const paths = resolveCheckpoint(arg);
  const ck = loadCheckpoint(paths.npz, { allowNonFinite: opts.allowNonFinite });
  const meta = checkRunMeta(ck.meta, paths.npz);
  checkParamDtypes(meta, ck.arrays, paths.npz);
  if (opts.expectModel !== undefined && meta.model.name !== opts.expectModel)
    throw new CheckpointError(
      `checkpoint is for model ${meta.model.name}, not ${opts.expectModel} ('${paths.json}')`,
    );
  return { meta, arrays: ck.arrays, paths };
}

/** A run back from its checkpoint: the trained model, and what the run recorded about it. */
export interface LoadedRun {
  ck: RunCheckpoint;
  layout: Layout;
  dtype: FloatDType;
  /** The trained net or linear classifier (null for kNN and captioning). */
  model: Model | null;
  /** A captioning run's model. */
  captioner: CaptionModel | null;
  /** A GAN run's discriminator and generator. */
  gan?: GanModel;
  /** A SimCLR run's encoder and projection head (models/simclrNet.ts; encodeImages gives its features). */
  simclr?: SimclrNet;
  knn: { model: KNearestNeighbor; k: number } | null;
}

const floatOf = (dtype: string | undefined): FloatDType => (dtype === 'float64' ? 'float64' : 'float32');

/**
 * Loads a `nabla train` run (its folder, or its checkpoint's .json or .npz) as the trained model, ready to
 * predict: `run.model.loss(X)` gives the scores (N, C) of inputs X (N, ...meta.inputShape) normalised as
 * `meta.normalization` says (data/preprocess.ts's normalizeImages); `meta.classNames` names the classes.
 * kNN runs come back as `knn`, captioning runs as `captioner`, GAN runs as `gan`, SimCLR runs as `simclr`. Throws a CheckpointError naming the file
 * when it is not a usable checkpoint; parameters that are not finite are refused unless `allowNonFinite`.
 */
export function loadRun(arg: string, opts: { allowNonFinite?: boolean } = {}): LoadedRun {
  const ck = loadRunCheckpoint(arg, opts);
  const { meta, arrays } = ck;
  const config = meta.model.config;
  const layout = layoutOf(meta.model.name);
  if (meta.model.name === 'knn') {
    const knn = new KNearestNeighbor();
    knn.train(arrays['data/XTrain'], arrays['data/yTrain']);
    const k = Number(config.options?.k ?? 1);
    return {
      ck,
      layout,
      dtype: floatOf(arrays['data/XTrain'].dtype),
      model: null,
      knn: { model: knn, k },
      captioner: null,
    };
  }
  if (meta.task === 'gan') {
    const params = group(arrays, 'params');
    const dtype = floatOf(Object.values(params)[0]?.dtype);
    const gan = buildGanModel(config, { seed: 0, dtype });
    loadModelArrays(gan, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
    return { ck, layout, dtype, model: null, knn: null, captioner: null, gan };
  }
  if (meta.task === 'simclr') {
    const params = group(arrays, 'params');
    const dtype = floatOf(Object.values(params)[0]?.dtype);
    const simclr = buildSimclrNet(config, { seed: 0, dtype });
    const holder = {
      params: Object.fromEntries(simclr.namedParameters()),
      buffers: () => Object.fromEntries(simclr.namedBuffers()),
    };
    loadModelArrays(holder, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
    return { ck, layout, dtype, model: null, knn: null, captioner: null, simclr };
  }
  if (meta.task === 'captioning') {
    const params = group(arrays, 'params');
    const dtype = floatOf(Object.values(params)[0]?.dtype);
    const captioner = buildCaptionModel(config, { inputDim: meta.inputShape[0], dtype, seed: 0 });
    loadModelArrays(captioner, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
    return { ck, layout, dtype, model: null, knn: null, captioner };
  }
  const params = group(arrays, 'params');
  const dtype = floatOf(Object.values(params)[0]?.dtype);
  const model = buildModel(config, {
    inputShape: meta.inputShape,
    numClasses: meta.classNames.length,
    dtype,
    seed: 0,
  });
  loadModelArrays(model, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
  return { ck, layout, dtype, model, knn: null, captioner: null };
}
