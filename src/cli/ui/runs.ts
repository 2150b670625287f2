/**
 * The runs folder as the dashboard sees it: a summary of each run folder (model, data, status, test
 * accuracy) for the list, and one run's history (losses, epoch accuracies, test result, configuration, report
 * images) to plot. Read from the files each run writes (runDir.ts), so a run still training shows what it
 * has logged so far; a half-written last line of metrics.jsonl is skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseMetrics, type MetricsRecord } from '../metrics.js';
import { RUN_FILES } from '../runDir.js';
import { reportFiles } from '../../vis/report.js';
import { resolveInside } from './staticFiles.js';
import type { EpochRecord, RunDetail, RunStatus, RunSummary } from './protocol.js';

/** A run folder's name as the dashboard accepts it: one plain path segment (what createRunDir makes). */
export function isRunName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) && name.length <= 200;
}

/** A file of run `name` inside `runsDir`, or null when it does not exist or is not inside (see staticFiles). */
function runFile(runsDir: string, name: string, file: string): string | null {
  if (!isRunName(name)) return null;
  return resolveInside(runsDir, `/${encodeURIComponent(name)}/${encodeURIComponent(file)}`);
}

function readJson(file: string | null): Record<string, unknown> | null {
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The records of metrics.jsonl, damaged lines skipped (a run being written is read as it grows). */
function readRecords(file: string | null): MetricsRecord[] {
  if (!file) return [];
  try {
    return parseMetrics(readFileSync(file, 'utf8'), file, { skipDamaged: true });
  } catch {
    return [];
  }
}

function label(spec: unknown): string {
  const s = spec as { kind?: string; name?: string; path?: string } | undefined;
  if (!s) return '?';
  return s.kind === 'builtin' ? String(s.name) : path.basename(String(s.path ?? '?'));
}

/** 20261124-053012-cnn → 2026-11-24T05:30:12 (local time, as the name was made). */
function createdOf(name: string, dir: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(name);
  if (m) {
    const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    if (!Number.isNaN(d.getTime())) return d.toISOString();
  }
  try {
    return statSync(dir).mtime.toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}

function summarize(
  runsDir: string,
  name: string,
  records: MetricsRecord[],
  liveName: string | null,
): RunSummary {
  const cfg = readJson(runFile(runsDir, name, RUN_FILES.config));
  const job = (cfg?.job ?? {}) as Record<string, unknown>;
  let iterations = 0;
  let epochs = 0;
  let best: number | null = null;
  let test: number | null = null;
  let lastEvent: string | null = null;
  for (const r of records) {
    if (r.type === 'iteration') iterations = Math.max(iterations, r.iteration);
    else if (r.type === 'epoch') {
      epochs = Math.max(epochs, r.epoch);
      if (Number.isFinite(r.valAcc)) best = Math.max(best ?? 0, r.valAcc);
    } else if (r.type === 'test') test = r.accuracy;
    else if (r.type === 'event') lastEvent = r.event;
  }
  const status: RunStatus =
    test !== null
      ? 'done'
      : name === liveName
        ? 'training'
        : lastEvent === 'interrupted' || lastEvent === 'diverged'
          ? lastEvent
          : 'incomplete';
  return {
    name,
    model: label(job.model),
    data: label(job.data),
    created: createdOf(name, path.join(runsDir, name)),
    status,
    iterations,
    epochs,
    testAccuracy: test,
    bestValAcc: best,
  };
}

/**
 * The run folders directly under `runsDir` (those with a config.json or metrics.jsonl), newest first.
 * Symbolic links are not followed: a run is a real folder of the runs folder.
 */
export function listRuns(runsDir: string, liveName: string | null = null): RunSummary[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !isRunName(e.name)) continue;
    const metrics = runFile(runsDir, e.name, RUN_FILES.metrics);
    if (!metrics && !runFile(runsDir, e.name, RUN_FILES.config)) continue;
    out.push(summarize(runsDir, e.name, readRecords(metrics), liveName));
  }
  return out.sort((a, b) =>
    a.created === b.created ? b.name.localeCompare(a.name) : a.created < b.created ? 1 : -1,
  );
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** One run's history and settings, or null when `name` is not a run folder of `runsDir`. */
export function readRun(runsDir: string, name: string, liveName: string | null = null): RunDetail | null {
  if (!isRunName(name)) return null;
  try {
    if (!statSync(path.join(runsDir, name)).isDirectory()) return null;
  } catch {
    return null;
  }
  const metricsFile = runFile(runsDir, name, RUN_FILES.metrics);
  const configFile = runFile(runsDir, name, RUN_FILES.config);
  if (!metricsFile && !configFile) return null;
  const records = readRecords(metricsFile);
  const iteration: number[] = [];
  const epoch: number[] = [];
  const loss: (number | null)[] = [];
  const epochRecords: EpochRecord[] = [];
  let test: RunDetail['test'] = null;
  for (const r of records) {
    if (r.type === 'iteration') {
      iteration.push(r.iteration);
      epoch.push(r.epoch);
      loss.push(finiteOrNull(r.loss));
    } else if (r.type === 'epoch') {
      epochRecords.push({ epoch: r.epoch, iteration: r.iteration, trainAcc: r.trainAcc, valAcc: r.valAcc });
    } else if (r.type === 'test') {
      test = { accuracy: r.accuracy, perClass: (r.perClass ?? []).map(finiteOrNull), count: r.count };
    }
  }
  const job = (readJson(configFile)?.job ?? {}) as Record<string, unknown>;
  const ckpt = readJson(runFile(runsDir, name, RUN_FILES.checkpointJson));
  // The resolved settings: top-level since checkpoint format 2, under extra in format 1.
  const resolved = (ckpt?.config ?? (ckpt?.extra as Record<string, unknown> | undefined)?.config) as
    Record<string, unknown> | undefined;
  const config: Record<string, unknown> = resolved ? { ...resolved } : { ...job };
  const images: RunDetail['images'] = {};
  const pictures = {
    report: reportFiles.html,
    loss: reportFiles.loss,
    accuracy: reportFiles.accuracy,
    confusion: reportFiles.confusion,
    filters: reportFiles.filters,
    samples: reportFiles.samples,
    templates: reportFiles.templates,
  } as const;
  for (const [k, file] of Object.entries(pictures)) {
    if (runFile(runsDir, name, file))
      images[k as keyof typeof pictures] = `/runs/${encodeURIComponent(name)}/${file}`;
  }
  return {
    ...summarize(runsDir, name, records, liveName),
    config,
    iteration,
    epoch,
    loss,
    epochRecords: epochRecords.map((e) => ({
      ...e,
      trainAcc: finiteOrNull(e.trainAcc) as number,
      valAcc: finiteOrNull(e.valAcc) as number,
    })),
    test,
    images,
  };
}
