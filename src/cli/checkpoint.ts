/**
 * The command's face of a run checkpoint (the library's, solver/run.ts): a file that is not a usable
 * checkpoint is the user's to fix, so its CheckpointError becomes a UsageError (exit status 2).
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { CheckpointError, type CheckpointPaths } from '../solver/checkpoint.js';
import * as run from '../solver/run.js';
import { UsageError } from './errors.js';

export type { RunCheckpoint, RunInfo, RunMeta } from '../solver/run.js';

/** Runs `fn`, turning a CheckpointError into a UsageError with the same message. */
export function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CheckpointError) throw new UsageError(e.message);
    throw e;
  }
}

export function saveRunCheckpoint(...args: Parameters<typeof run.saveRunCheckpoint>): CheckpointPaths {
  return run.saveRunCheckpoint(...args);
}

export function readRunMeta(jsonPath: string): run.RunMeta {
  return usage(() => run.readRunMeta(jsonPath));
}

export function loadRunCheckpoint(
  arg: string,
  opts: { expectModel?: string; allowNonFinite?: boolean } = {},
): run.RunCheckpoint & { arrays: Record<string, NDArray> } {
  return usage(() => run.loadRunCheckpoint(arg, opts));
}
