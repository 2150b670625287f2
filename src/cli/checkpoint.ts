/**
 * A run's checkpoint: the library's one checkpoint format (solver/checkpoint.ts) holding the Solver's state
 * (solver/state.ts) plus what makes the arrays a model of this run — model name and config, input and image
 * shapes, class names, the input normalisation, the data and the resolved settings. `checkpoint.npz` opens
 * with np.load; `loadCheckpoint` from library code reads the same pair.
 *
 * Here, a file that is not a usable checkpoint is the user's to fix: a UsageError (exit status 2).
 */
import type { ImageNormalization } from '../data/preprocess.js';
import type { NDArray } from '../ndarray/ndarray.js';
import {
  CheckpointError,
  loadCheckpoint,
  readCheckpointMeta,
  saveCheckpoint,
  type CheckpointMeta,
  type CheckpointPaths,
} from '../solver/checkpoint.js';
import type { SolverStateMeta } from '../solver/state.js';
import type { ModelConfig } from '../models/registry.js';
import { UsageError } from './errors.js';
import { resolveCheckpoint, type RunPaths } from './runDir.js';

/** What a run records beside the Solver's state. */
export interface RunInfo {
  /** Version of nabla that wrote it. */
  nabla: string;
  /** What the model does (classification when absent). */
  task?: 'classification' | 'captioning' | 'gan';
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
}

export type RunMeta = CheckpointMeta &
  RunInfo &
  Omit<SolverStateMeta, 'optimizer'> & {
    optimizer: SolverStateMeta['optimizer'] | null;
  };

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
      throw new UsageError(`'${file}' is a damaged nabla checkpoint: "${key}" is missing`);
  }
  return upgrade(meta);
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(e.message);
    throw e;
  }
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
    throw new UsageError(
      `checkpoint '${file}': ${what} is ${a.dtype}; the run's parameters are ${want} (its config says dtype ${want})`,
    );
  }
}

/** Reads and checks a run checkpoint's metadata only (fast: no arrays). */
export function readRunMeta(jsonPath: string): RunMeta {
  return checkRunMeta(
    usage(() => readCheckpointMeta(jsonPath)),
    jsonPath,
  );
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
  const ck = usage(() => loadCheckpoint(paths.npz, { allowNonFinite: opts.allowNonFinite }));
  const meta = checkRunMeta(ck.meta, paths.npz);
  checkParamDtypes(meta, ck.arrays, paths.npz);
  if (opts.expectModel !== undefined && meta.model.name !== opts.expectModel)
    throw new UsageError(
      `checkpoint is for model ${meta.model.name}, not ${opts.expectModel} ('${paths.json}')`,
    );
  return { meta, arrays: ck.arrays, paths };
}
