/**
 * The sweep folder: what a sweep leaves behind, and what lets it continue after a crash or Ctrl-C.
 *
 *   runs/<timestamp>-sweep-<model>/
 *     plan.json      the sweep's id, its command, the axes, every trial's values, the search and its rungs
 *     trials.jsonl   one line per finished piece of a trial (appended, fsynced): status, epoch, accuracy, worker
 *     trial-NN/      each trial's run folder (config.json, metrics.jsonl, report; the best keeps its checkpoint)
 *     sweep.json     at the end: the trials ranked by validation accuracy ("finished": true)
 *     report.html    at the end: the ranked table and the searched plane
 *
 * A rerun replays trials.jsonl into the scheduler: what is recorded there is never trained again.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../nodeFiles.js';
import { UsageError } from '../errors.js';
import { isObject, isString, malformedField, readJsonFile, type FieldCheck } from '../jsonFile.js';
import { createRunDir } from '../runDir.js';
import { packageVersion } from '../version.js';
import type { SweepPlan } from './plan.js';
import type { SegmentResult } from './schedule.js';

export const SWEEP_FILES = {
  plan: 'plan.json',
  results: 'trials.jsonl',
  summary: 'sweep.json',
  report: 'report.html',
} as const;

/** `trial-07` (two digits at least, more for a sweep of 100 trials or more). */
export function trialName(t: number, numTrials: number): string {
  return `trial-${String(t).padStart(Math.max(2, String(numTrials).length), '0')}`;
}

export function createSweepDir(out: string, plan: SweepPlan): string {
  const dir = createRunDir(out, `sweep-${plan.label}`);
  writeFileAtomic(
    join(dir, SWEEP_FILES.plan),
    JSON.stringify({ nabla: packageVersion(), ...plan }, null, 2) + '\n',
  );
  return dir;
}

export function readPlan(dir: string): SweepPlan {
  const file = join(dir, SWEEP_FILES.plan);
  if (!existsSync(file))
    throw new UsageError(`--resume: '${dir}' is not a sweep folder (no ${SWEEP_FILES.plan})`);
  const plan = readJsonFile(file, 'a sweep plan');
  if (!isObject(plan)) throw new UsageError(`'${file}' is not a sweep plan (not a JSON object)`);
  const bad = malformedField(plan as Record<string, unknown>, PLAN_FIELDS);
  if (bad) throw new UsageError(`'${file}' is a damaged sweep plan: "${bad}" is missing or malformed`);
  return plan as SweepPlan;
}

/** What each field of a plan must be for the sweep and the dashboard to read it without a TypeError. */
const PLAN_FIELDS: Record<keyof SweepPlan, FieldCheck> = {
  id: isString,
  label: isString,
  search: isString,
  axes: (v) => Array.isArray(v) && v.every(isObject),
  trials: (v) => Array.isArray(v) && v.every(isObject),
  rungs: (v) => v === null || (Array.isArray(v) && v.every((r) => Number.isInteger(r))),
  eta: (v) => typeof v === 'number' && Number.isFinite(v),
  base: isObject,
  command: isString,
};

function planId(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, SWEEP_FILES.plan), 'utf8')) as { id?: string }).id ?? null;
  } catch {
    return null;
  }
}

/** The newest sweep folder in `out` with this id, or null. */
export function findSweep(out: string, id: string): string | null {
  if (!existsSync(out)) return null;
  const names = readdirSync(out)
    .filter((n) => n.includes('-sweep-'))
    .sort()
    .reverse();
  for (const n of names) if (planId(join(out, n)) === id) return join(out, n);
  return null;
}

/** --resume's argument: a sweep folder, or a sweep id looked up in `out`. */
export function resolveSweep(arg: string, out: string): string {
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    readPlan(arg);
    return arg;
  }
  const dir = findSweep(out, arg);
  if (!dir) throw new UsageError(`--resume: no sweep folder '${arg}', and no sweep with that id in ${out}/`);
  return dir;
}

/** The sweep ran to its end (sweep.json written). */
export function isFinished(dir: string): boolean {
  try {
    return (
      (JSON.parse(readFileSync(join(dir, SWEEP_FILES.summary), 'utf8')) as { finished?: boolean })
        .finished === true
    );
  } catch {
    return false;
  }
}

/** trials.jsonl: each piece of a trial once (the first record of a trial's segment wins). */
export class ResultLog {
  readonly file: string;
  private readonly seen = new Set<string>();
  readonly results: SegmentResult[] = [];

  /** `readOnly`: a reader beside the sweep writing it (the dashboard) leaves a half-written line alone. */
  constructor(dir: string, opts: { readOnly?: boolean } = {}) {
    this.file = join(dir, SWEEP_FILES.results);
    if (!existsSync(this.file)) return;
    const text = readFileSync(this.file, 'utf8');
    // End a line cut short by a crash, so the next record starts on its own line.
    if (!opts.readOnly && text && !text.endsWith('\n')) appendFileSync(this.file, '\n');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        this.add(JSON.parse(line) as SegmentResult);
      } catch {
        // A line cut short by a crash: that piece is trained again.
      }
    }
  }

  private add(r: SegmentResult): boolean {
    const key = `${r.trial}:${r.segment}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.results.push(r);
    return true;
  }

  /** Records `r` durably; false when that piece was recorded already. */
  append(r: SegmentResult): boolean {
    if (!this.add(r)) return false;
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, JSON.stringify(r) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  }
}
