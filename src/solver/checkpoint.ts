/**
 * The checkpoint format, one for the library and the command: a pair of files
 *
 *   <base>.npz   every array as numpy's savez writes them (np.load(f)['params/W1']):
 *                  params/<p>  best/<p>  buffers/<b>  optim/<p>/<key>  solver/order  (see state.ts)
 *                  plus whatever the caller adds (kNN's data/XTrain), and `meta`: the metadata below as
 *                  UTF-8 JSON bytes (uint8), so the .npz alone is a complete checkpoint
 *   <base>.json  the same metadata, readable without the arrays, with an index of the arrays (shape, dtype)
 *                and the .npz's sha256
 *
 * Atomic as a whole: the .npz is the commit (written to a temporary file and renamed into place), the .json
 * is written after it. A kill at any instant leaves either the old .npz or the new one; a .json that does not
 * match its .npz (killed between the two writes) is stale and the metadata inside the .npz is used instead.
 * Loading refuses, with a message naming the file and the array, what is not a checkpoint, a newer format,
 * arrays whose shape or dtype differ from the index, and (unless asked not to) non-finite parameters.
 */
import { nodeFs, nodePath, sha256Hex, writeFileAtomic } from '../nodeFiles.js';
import { NDArray } from '../ndarray/ndarray.js';
import { fromNpz, toNpz } from '../ndarray/npy.js';

/** The `format` field of every nabla checkpoint's JSON. */
export const CHECKPOINT_FORMAT = 'nabla-checkpoint';
/** 2: one format for Solver and command (v1 was the command's; its files still load). */
export const CHECKPOINT_VERSION = 2;

/** A checkpoint's metadata: format fields, then whatever the writer recorded (solver state, run details). */
export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  createdAt: string;
  /** Index of the .npz: array name → shape and dtype; checked on load. */
  arrays: Record<string, { shape: number[]; dtype: string }>;
  /** sha256 of the .npz (in the .json only). */
  npzSha256?: string;
  [key: string]: unknown;
}

/** A loaded checkpoint: its metadata, arrays and file paths. */
export interface Checkpoint {
  meta: CheckpointMeta;
  arrays: Record<string, NDArray>;
  paths: CheckpointPaths;
}

/** The two files of a checkpoint: metadata (.json) and arrays (.npz). */
export interface CheckpointPaths {
  json: string;
  npz: string;
}

/** A file that is not a usable checkpoint; the message names the file and what is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const META_KEY = 'meta';

/**
 * The pair of files of a checkpoint from a folder (its checkpoint.json / .npz), a .json or .npz path, or a
 * path without extension.
 */
export function checkpointPaths(arg: string): CheckpointPaths {
  const fs = nodeFs('checkpointPaths');
  const path = nodePath('checkpointPaths');
  if (fs.existsSync(arg) && fs.statSync(arg).isDirectory())
    return { json: path.join(arg, 'checkpoint.json'), npz: path.join(arg, 'checkpoint.npz') };
  const base = arg.replace(/\.(json|npz)$/, '');
  return { json: `${base}.json`, npz: `${base}.npz` };
}

/** Writes a checkpoint (see the top of this file); returns its paths. */
export function saveCheckpoint(
  target: string,
  meta: Record<string, unknown>,
  arrays: Record<string, NDArray>,
): CheckpointPaths {
  if (META_KEY in arrays) throw new CheckpointError(`saveCheckpoint: '${META_KEY}' is a reserved array name`);
  const paths = checkpointPaths(target);
  const full: CheckpointMeta = {
    ...meta,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    arrays: Object.fromEntries(
      Object.entries(arrays).map(([k, a]) => [k, { shape: [...a.shape], dtype: a.dtype }]),
    ),
  };
  const metaBytes = new TextEncoder().encode(JSON.stringify(full));
  const npz = toNpz({ ...arrays, [META_KEY]: new NDArray(metaBytes, [metaBytes.length], 'uint8') });
  writeFileAtomic(paths.npz, npz);
  const json = { ...full, npzSha256: sha256Hex(npz) };
  writeFileAtomic(paths.json, new TextEncoder().encode(JSON.stringify(json, null, 1) + '\n'));
  return paths;
}

/** Parses and checks checkpoint metadata (from the .json, or the bytes inside the .npz). */
function parseMeta(text: string, file: string): CheckpointMeta {
  let m: Partial<CheckpointMeta> | null;
  try {
    m = JSON.parse(text) as Partial<CheckpointMeta> | null;
  } catch {
    throw new CheckpointError(`'${file}' is not a nabla checkpoint (not JSON)`);
  }
  if (!m || typeof m !== 'object' || m.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `'${file}' is not a nabla checkpoint (its JSON has no "format": "${CHECKPOINT_FORMAT}")`,
    );
  }
  if (typeof m.version !== 'number' || m.version > CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `'${file}' is a nabla checkpoint of format version ${m.version}, newer than this nabla reads (${CHECKPOINT_VERSION}): upgrade nabla`,
    );
  }
  if (!m.arrays || typeof m.arrays !== 'object')
    throw new CheckpointError(`'${file}' is a damaged nabla checkpoint: "arrays" is missing`);
  return m as CheckpointMeta;
}

/** Reads a checkpoint's metadata only (fast: no arrays), from its .json. */
export function readCheckpointMeta(arg: string): CheckpointMeta {
  const { json } = checkpointPaths(arg);
  let text: string;
  try {
    text = nodeFs('readCheckpointMeta').readFileSync(json, 'utf8');
  } catch {
    throw new CheckpointError(`cannot read '${json}'`);
  }
  return parseMeta(text, json);
}

/** loadCheckpoint's options. */
export interface LoadCheckpointOptions {
  /** Accept parameters holding NaN or ±Infinity (default false: refused, naming the parameter). */
  allowNonFinite?: boolean;
}

/** Loads a checkpoint from a folder, its .json or .npz, or the path without extension. */
export function loadCheckpoint(arg: string, options: LoadCheckpointOptions = {}): Checkpoint {
  const fs = nodeFs('loadCheckpoint');
  const paths = checkpointPaths(arg);
  if (!fs.existsSync(paths.npz)) {
    if (fs.existsSync(paths.json)) {
      readCheckpointMeta(paths.json); // says so first when the .json is not a checkpoint at all
      throw new CheckpointError(`checkpoint '${paths.json}' has lost its arrays: ${paths.npz} is missing`);
    }
    throw new CheckpointError(`no checkpoint at '${arg}' (neither ${paths.json} nor ${paths.npz} exists)`);
  }
  const bytes: Uint8Array = fs.readFileSync(paths.npz);
  let all: Record<string, NDArray>;
  try {
    all = fromNpz(bytes);
  } catch (e) {
    throw new CheckpointError(`'${paths.npz}' is not a nabla checkpoint: ${(e as Error).message}`);
  }
  const { [META_KEY]: metaBytes, ...arrays } = all;
  let meta: CheckpointMeta;
  if (metaBytes) {
    // The .npz is the commit; its own metadata is right even when a kill left the .json behind.
    meta = parseMeta(new TextDecoder().decode(metaBytes.toTypedArray() as Uint8Array), paths.npz);
  } else {
    // Format 1 (the command's, before this one) kept the metadata in the .json only, with the .npz's sha256.
    if (!fs.existsSync(paths.json))
      throw new CheckpointError(
        `'${arg}' is not a nabla checkpoint: ${paths.json} (its metadata) is missing`,
      );
    meta = readCheckpointMeta(paths.json);
    if (meta.npzSha256 && meta.npzSha256 !== sha256Hex(bytes)) {
      throw new CheckpointError(
        `checkpoint '${paths.json}' does not match ${paths.npz} (sha256 differs): the pair was mixed up or damaged`,
      );
    }
  }
  checkArrays(meta, arrays, paths.npz, options);
  return { meta, arrays, paths };
}

function checkArrays(
  meta: CheckpointMeta,
  arrays: Record<string, NDArray>,
  file: string,
  { allowNonFinite = false }: LoadCheckpointOptions,
): void {
  for (const [name, { shape, dtype }] of Object.entries(meta.arrays)) {
    const a = arrays[name];
    if (!a) throw new CheckpointError(`checkpoint '${file}' lacks the array '${name}' its metadata lists`);
    if (a.shape.join(',') !== shape.join(',')) {
      throw new CheckpointError(
        `checkpoint array '${name}' in '${file}' has shape (${a.shape.join(', ')}), its metadata says (${shape.join(', ')})`,
      );
    }
    if (a.dtype !== dtype) {
      throw new CheckpointError(
        `checkpoint array '${name}' in '${file}' is ${a.dtype}, its metadata says ${dtype}`,
      );
    }
  }
  if (allowNonFinite) return;
  for (const [name, a] of Object.entries(arrays)) {
    if (!name.startsWith('params/') || (a.dtype !== 'float32' && a.dtype !== 'float64')) continue;
    const d = a.toTypedArray();
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) {
        throw new CheckpointError(
          `checkpoint '${file}': parameter '${name.slice(7)}' holds ${d[i]} at flat index ${i}: the run diverged, so this checkpoint cannot be used`,
        );
      }
    }
  }
}

/**
 * Removes the temporary files that interrupted writes left in `dir` — writeFileAtomic's
 * `.<file>.<pid>.<random>.tmp`, and the older `<file>.<pid>.<hex>.tmp` — for each of `files`, unless the
 * process that was writing them is still alive. Returns the names removed.
 */
export function removeStaleTemps(
  dir: string,
  files: readonly string[] = ['checkpoint.npz', 'checkpoint.json'],
): string[] {
  const fs = nodeFs('removeStaleTemps');
  const path = nodePath('removeStaleTemps');
  if (!fs.existsSync(dir)) return [];
  const names = files.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(`^\\.?(?:${names})\\.(\\d+)\\.[^.]+\\.tmp$`);
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const m = pattern.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
