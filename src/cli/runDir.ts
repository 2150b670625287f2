/**
 * The run folder: everything one training run leaves behind, in one place that can be copied, compared
 * and resumed from.
 *
 *   runs/<timestamp>-<model>/
 *     config.json        the options the run used (and the command line)
 *     metrics.jsonl      one JSON object per line: iterations, epochs, the final test result
 *     checkpoint.npz     the arrays (params, optimizer state, normalisation): np.load opens it
 *     checkpoint.json    the metadata that makes the arrays a model, readable alone (see checkpoint.ts)
 *     report.html        the report, with loss.svg, accuracy.svg, confusion.svg, *.png beside it
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpointNpz: 'checkpoint.npz',
  checkpointJson: 'checkpoint.json',
  report: 'report.html',
} as const;

/** 20261124-053012: sorts by time, and is safe in file names on every system. */
export function timestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Creates `<out>/<timestamp>-<label>/` (with -2, -3... if two runs start in the same second). */
export function createRunDir(out: string, label: string, now = new Date()): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-');
  const stem = join(out, `${timestamp(now)}-${safe}`);
  let dir = stem;
  for (let i = 2; existsSync(dir); i++) dir = `${stem}-${i}`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface RunPaths {
  dir: string;
  json: string;
  npz: string;
}

/**
 * Finds a checkpoint from what the user typed: a run folder, or its checkpoint.json / checkpoint.npz
 * (or any other name.json / name.npz pair).
 */
export function resolveCheckpoint(arg: string): RunPaths {
  if (!existsSync(arg)) throw new UsageError(`no such run folder or checkpoint: '${arg}'`);
  if (statSync(arg).isDirectory()) {
    const json = join(arg, RUN_FILES.checkpointJson);
    // The .npz alone is a whole checkpoint (a kill may come before its first .json is written).
    if (!existsSync(json) && !existsSync(join(arg, RUN_FILES.checkpointNpz))) {
      throw new UsageError(
        `'${arg}' has no ${RUN_FILES.checkpointJson}: not a nabla run folder (or the run saved nothing yet)`,
      );
    }
    return { dir: arg, json, npz: join(arg, RUN_FILES.checkpointNpz) };
  }
  const dir = dirname(arg);
  const stem = basename(arg).replace(/\.(json|npz)$/, '');
  return { dir, json: join(dir, `${stem}.json`), npz: join(dir, `${stem}.npz`) };
}
