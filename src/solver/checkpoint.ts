/**
 * Solver checkpoints: everything needed to continue training exactly where it stopped.
 *
 * A checkpoint is two files written atomically (temp file + rename), arrays first:
 *   <name>_epoch_<e>.npz   params/<p>, best/<p>, optim/<p>/<key> (velocity, m, v, cache), buffers/<b>
 *   <name>_epoch_<e>.json  everything else: epoch, iteration, histories, the scalar optimizer settings
 *                          (learningRate after decay, Adam's t, ...), the generators' states, and the
 *                          name of its .npz. The .json is written last, so its presence means both are whole.
 */
import { nodeFs, nodePath, writeFileAtomic } from '../nodeFiles.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { loadNpz, saveNpz } from '../ndarray/npyfile.js';
import type { OptimConfig } from '../optim/optim.js';

export interface CheckpointMeta {
  format: 'nabla-solver-checkpoint';
  version: 1;
  epoch: number;
  /** Iterations completed. */
  iteration: number;
  updateRule: string;
  batchSize: number;
  numEpochs: number;
  lrDecay: number;
  lossHistory: number[];
  trainAccHistory: number[];
  valAccHistory: number[];
  bestValAcc: number;
  /** The scalar entries of each parameter's optimizer config. */
  optimScalars: Record<string, Record<string, number>>;
  /** Generator states (NaN encoded as null). */
  solverRngState: (number | null)[];
  modelRngState: (number | null)[] | null;
  /** The .npz beside this file. */
  arrays: string;
}

export interface CheckpointData {
  meta: CheckpointMeta;
  params: Record<string, NDArray>;
  bestParams: Record<string, NDArray>;
  /** The array entries of each parameter's optimizer config. */
  optimArrays: Record<string, Record<string, NDArray>>;
  buffers: Record<string, NDArray>;
}

/** Splits optimizer configs into their arrays (for the .npz) and their numbers (for the JSON). */
export function splitOptimConfigs(configs: Record<string, OptimConfig>): {
  scalars: Record<string, Record<string, number>>;
  arrays: Record<string, Record<string, NDArray>>;
} {
  const scalars: Record<string, Record<string, number>> = {};
  const arrays: Record<string, Record<string, NDArray>> = {};
  for (const [p, c] of Object.entries(configs)) {
    scalars[p] = {};
    arrays[p] = {};
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'number') scalars[p][k] = v;
      else if (v !== undefined) arrays[p][k] = v as NDArray;
    }
  }
  return { scalars, arrays };
}

/** Writes the checkpoint of `base` (a path without extension); returns the .json path. */
export function saveCheckpoint(
  base: string,
  data: Omit<CheckpointData, 'meta'> & { meta: Omit<CheckpointMeta, 'arrays'> },
): string {
  const npz = `${base}.npz`;
  const json = `${base}.json`;
  const arrays: Record<string, NDArray> = {};
  for (const [k, a] of Object.entries(data.params)) arrays[`params/${k}`] = a;
  for (const [k, a] of Object.entries(data.bestParams)) arrays[`best/${k}`] = a;
  for (const [p, c] of Object.entries(data.optimArrays))
    for (const [k, a] of Object.entries(c)) arrays[`optim/${p}/${k}`] = a;
  for (const [k, a] of Object.entries(data.buffers)) arrays[`buffers/${k}`] = a;
  saveNpz(npz, arrays);
  const meta: CheckpointMeta = { ...data.meta, arrays: nodePath('saveCheckpoint').basename(npz) };
  writeFileAtomic(json, JSON.stringify(meta));
  return json;
}

/** Reads a checkpoint given its .json, its .npz, or the path without extension. */
export function loadCheckpoint(file: string): CheckpointData {
  const base = file.replace(/\.(json|npz)$/, '');
  const { readFileSync } = nodeFs('loadCheckpoint');
  const path = nodePath('loadCheckpoint');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as CheckpointMeta;
  } catch (e) {
    throw new Error(`loadCheckpoint: cannot read '${base}.json': ${(e as Error).message}`, { cause: e });
  }
  if (meta.format !== 'nabla-solver-checkpoint')
    throw new Error(`loadCheckpoint: '${base}.json' is not a solver checkpoint`);
  const arrays = loadNpz(path.join(path.dirname(base), meta.arrays));
  const out: CheckpointData = { meta, params: {}, bestParams: {}, optimArrays: {}, buffers: {} };
  for (const [key, a] of Object.entries(arrays)) {
    const [kind, ...rest] = key.split('/');
    if (kind === 'params') out.params[rest.join('/')] = a;
    else if (kind === 'best') out.bestParams[rest.join('/')] = a;
    else if (kind === 'buffers') out.buffers[rest.join('/')] = a;
    else if (kind === 'optim') {
      const k = rest.pop()!;
      const p = rest.join('/');
      (out.optimArrays[p] ??= {})[k] = a;
    }
  }
  return out;
}

/** Generator states hold NaN (no spare Gaussian), which JSON cannot: NaN ↔ null. */
export const encodeState = (s: number[]): (number | null)[] => s.map((v) => (Number.isNaN(v) ? null : v));
export const decodeState = (s: (number | null)[]): number[] => s.map((v) => (v === null ? NaN : v));
