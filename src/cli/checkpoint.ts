/**
 * The checkpoint format: a portable pair of files.
 *
 *   checkpoint.npz   every array, as numpy's savez writes them: np.load('checkpoint.npz')['params/W1']
 *                      params/<name>          the model's parameters (W1, b1, ... or a Sequential's names)
 *                      state/<name>           non-trained state (batchnorm running means and variances...)
 *                      optim/<param>/<key>    optimizer state per parameter (Adam's m and v, momentum's velocity)
 *                      data/<name>            data the model keeps (kNN's training set)
 *   checkpoint.json  the metadata that makes the arrays a model: format name and version, model name and
 *                    config, input shape, class names, the input normalisation, the optimizer's scalar state,
 *                    the training position and history, and an index of the arrays with the .npz's sha256.
 *
 * Both are written atomically (temporary file, then rename). Loading checks the metadata first and says
 * plainly when a file is not a nabla checkpoint, was written by a newer version, does not match its .npz, or
 * is for another model than the one asked for.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic as atomicWriteFile } from '../nodeFiles.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { fromNpz, toNpz } from '../ndarray/npy.js';
import { UsageError } from './errors.js';
import { resolveCheckpoint, type RunPaths } from './runDir.js';

export const CHECKPOINT_FORMAT = 'nabla-checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * How raw pixels become model inputs: x = (pixel * scale - mean[c]) / std[c] per channel c, in the layout
 * the model takes (channels first for conv nets, flattened rows for linear classifiers and fc nets).
 */
export interface Normalization {
  scale: number;
  mean: number[];
  std: number[];
}

export interface TrainingState {
  /** Iterations done. */
  iteration: number;
  iterationsPerEpoch: number;
  numEpochs: number;
  batchSize: number;
  /** Learning rate now (after any decay). */
  learningRate?: number;
  /** True once training finished (a resume then has nothing to do). */
  done: boolean;
  /** Random generator state for the minibatch order and dropout, so a resume continues the same sequence. */
  rngState?: unknown;
  [key: string]: unknown;
}

export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Version of nabla that wrote it. */
  nabla: string;
  createdAt: string;
  model: { name: string; config: Record<string, unknown> };
  /** Shape of one input image as the model takes it, e.g. [1, 28, 28] or [784]. */
  inputShape: number[];
  /** Shape of one raw image (H, W, C), as the data came. */
  imageShape: [number, number, number];
  classNames: string[];
  normalization: Normalization;
  optimizer: { rule: string; config: Record<string, unknown> } | null;
  training: TrainingState;
  history: { loss: number[]; trainAcc: number[]; valAcc: number[] };
  data: { name: string; numTrain: number; numVal: number; numTest: number };
  /** Index of the .npz: name → shape and dtype; checked on load. */
  arrays: Record<string, { shape: number[]; dtype: string }>;
  /** sha256 of the .npz, so a .json paired with another run's .npz is caught. */
  npzSha256: string;
  extra?: Record<string, unknown>;
}

export type CheckpointContent = Omit<
  CheckpointMeta,
  'format' | 'version' | 'arrays' | 'npzSha256' | 'createdAt'
>;

export interface Checkpoint {
  meta: CheckpointMeta;
  arrays: Record<string, NDArray>;
  paths: RunPaths;
}

/** Writes `<dir>/checkpoint.npz` and `<dir>/checkpoint.json` (or the given pair of paths). */
export function saveCheckpoint(
  paths: { json: string; npz: string },
  content: CheckpointContent,
  arrays: Record<string, NDArray>,
): void {
  const npz = toNpz(arrays);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    ...content,
    arrays: Object.fromEntries(
      Object.entries(arrays).map(([k, a]) => [k, { shape: [...a.shape], dtype: a.dtype }]),
    ),
    npzSha256: createHash('sha256').update(npz).digest('hex'),
  };
  // The .npz first: a .json always describes a complete .npz (an interrupted save leaves the old pair or a
  // new .npz with the old .json, which the checksum then reports).
  atomicWriteFile(paths.npz, npz);
  atomicWriteFile(paths.json, JSON.stringify(meta, null, 1) + '\n');
}

/** Reads and checks a checkpoint's metadata only (fast: no arrays). */
export function readCheckpointMeta(jsonPath: string): CheckpointMeta {
  let text: string;
  try {
    text = readFileSync(jsonPath, 'utf8');
  } catch {
    throw new UsageError(`cannot read '${jsonPath}'`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new UsageError(`'${jsonPath}' is not a nabla checkpoint (not JSON)`);
  }
  const m = meta as Partial<CheckpointMeta> | null;
  if (!m || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT) {
    throw new UsageError(
      `'${jsonPath}' is not a nabla checkpoint (its JSON has no "format": "${CHECKPOINT_FORMAT}")`,
    );
  }
  if (typeof m.version !== 'number' || m.version > CHECKPOINT_VERSION) {
    throw new UsageError(
      `'${jsonPath}' is a nabla checkpoint of format version ${m.version}, newer than this nabla reads (${CHECKPOINT_VERSION}): upgrade nabla`,
    );
  }
  for (const key of ['model', 'classNames', 'normalization', 'training', 'arrays', 'inputShape'] as const) {
    if (m[key] === undefined)
      throw new UsageError(`'${jsonPath}' is a damaged nabla checkpoint: "${key}" is missing`);
  }
  return m as CheckpointMeta;
}

/**
 * Loads a checkpoint from a run folder, a .json or a .npz path. With `expectModel`, a checkpoint of another
 * model is refused with "checkpoint is for model X, not Y".
 */
export function loadCheckpoint(arg: string, opts: { expectModel?: string } = {}): Checkpoint {
  const paths = resolveCheckpoint(arg);
  if (!existsSync(paths.json)) {
    // A lone .npz (perhaps from numpy): it has arrays but nothing that says which model they make.
    throw new UsageError(`'${arg}' is not a nabla checkpoint: ${paths.json} (its metadata) is missing`);
  }
  const meta = readCheckpointMeta(paths.json);
  if (opts.expectModel !== undefined && meta.model.name !== opts.expectModel) {
    throw new UsageError(
      `checkpoint is for model ${meta.model.name}, not ${opts.expectModel} ('${paths.json}')`,
    );
  }
  if (!existsSync(paths.npz))
    throw new UsageError(`checkpoint '${paths.json}' has lost its arrays: ${paths.npz} is missing`);
  const bytes = readFileSync(paths.npz);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (meta.npzSha256 && sha !== meta.npzSha256) {
    throw new UsageError(
      `checkpoint '${paths.json}' does not match ${paths.npz} (sha256 differs): the pair was mixed up or damaged`,
    );
  }
  let arrays: Record<string, NDArray>;
  try {
    arrays = fromNpz(bytes);
  } catch (e) {
    throw new UsageError(`'${paths.npz}' is not a nabla checkpoint: ${(e as Error).message}`);
  }
  for (const [name, { shape }] of Object.entries(meta.arrays)) {
    const a = arrays[name];
    if (!a) throw new UsageError(`checkpoint '${paths.npz}' lacks the array '${name}' its metadata lists`);
    if (a.shape.join(',') !== shape.join(',')) {
      throw new UsageError(
        `checkpoint array '${name}' has shape (${a.shape.join(', ')}), metadata says (${shape.join(', ')})`,
      );
    }
  }
  return { meta, arrays, paths };
}

/** The arrays under one prefix, with the prefix removed: group(arrays, 'params') → { W1, b1, ... }. */
export function group(arrays: Record<string, NDArray>, prefix: string): Record<string, NDArray> {
  const out: Record<string, NDArray> = {};
  const p = prefix + '/';
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith(p)) out[k.slice(p.length)] = v;
  return out;
}

/** Prefixes every key: prefixed('params', { W1 }) → { 'params/W1': W1 }. */
export function prefixed(prefix: string, arrays: Record<string, NDArray>): Record<string, NDArray> {
  return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${prefix}/${k}`, v]));
}
