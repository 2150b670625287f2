/**
 * A model back from its run checkpoint (the library's loadRun, solver/run.ts), for eval and predict;
 * a checkpoint that cannot be used is a usage error here. Training resumes through the Solver's state
 * (train/run.ts).
 */
import { loadRun, type LoadedRun } from '../solver/run.js';
import { usage } from './checkpoint.js';

export type Restored = LoadedRun;

export function restoreModel(arg: string, opts: { allowNonFinite?: boolean } = {}): Restored {
  return usage(() => loadRun(arg, opts));
}
