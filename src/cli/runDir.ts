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
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_CHECKPOINT_FILES } from '../solver/run.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpointNpz: RUN_CHECKPOINT_FILES.npz,
  checkpointJson: RUN_CHECKPOINT_FILES.json,
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
