/**
 * metrics.jsonl: the run's history as one JSON object per line, appended as training goes, so a run that is
 * interrupted keeps everything up to that point and tools (jq, pandas.read_json(lines=True)) read it directly.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../nodeFiles.js';
import { UsageError } from './errors.js';

export type MetricsRecord =
  | { type: 'iteration'; iteration: number; epoch: number; loss: number; lr?: number; imagesPerSec?: number }
  | {
      type: 'epoch';
      epoch: number;
      iteration: number;
      trainAcc: number;
      valAcc: number;
      lr?: number;
      seconds?: number;
    }
  | { type: 'test'; accuracy: number; perClass?: number[]; count: number; bleu?: number[] }
  | { type: 'event'; event: string; iteration: number; time: string }
  | { type: 'gan'; iteration: number; dLoss: number; gLoss: number };

export class MetricsLog {
  constructor(readonly path: string) {}

  append(record: MetricsRecord): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }

  /**
   * For a resume: drops what was logged after the checkpoint's iteration (a crash can leave iterations the
   * checkpoint does not have), so the resumed run appends exactly where the saved state left off.
   */
  truncateAfter(iteration: number): void {
    if (!existsSync(this.path)) return;
    const kept = readMetrics(this.path).filter((r) => {
      if (r.type === 'iteration' || r.type === 'epoch') return r.iteration <= iteration;
      if (r.type === 'event') return r.iteration <= iteration;
      return false; // a test result belongs to a finished run
    });
    // Atomic: a kill here must not cost the run its history.
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}

/**
 * The records of metrics.jsonl's `text`. A last line cut short (its writer killed, or still writing) is
 * dropped: the checkpoint is older than that record anyway. A damaged line before it is an error naming
 * `file` and the line, or skipped with `skipDamaged` (the dashboard, which only draws the curves).
 */
export function parseMetrics(
  text: string,
  file: string,
  opts: { skipDamaged?: boolean } = {},
): MetricsRecord[] {
  const lines = text.split('\n');
  const records: MetricsRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseRecord(line);
    if (r) records.push(r);
    else if (i < lines.length - 1 && !opts.skipDamaged) {
      throw new UsageError(
        `'${file}' line ${i + 1} is not a metrics record (the file is damaged): repair or delete that line`,
      );
    }
  });
  return records;
}

function parseRecord(line: string): MetricsRecord | null {
  try {
    const r = JSON.parse(line) as unknown;
    return r && typeof r === 'object' && typeof (r as { type?: unknown }).type === 'string'
      ? (r as MetricsRecord)
      : null;
  } catch {
    return null;
  }
}

export function readMetrics(path: string): MetricsRecord[] {
  return parseMetrics(readFileSync(path, 'utf8'), path);
}
