/**
 * metrics.jsonl: the run's history as one JSON object per line, appended as training goes, so a run that is
 * interrupted keeps everything up to that point and tools (jq, pandas.read_json(lines=True)) read it directly.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../nodeFiles.js';

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

/** The records of metrics.jsonl; a last line cut short (the writer killed mid-line) is dropped. */
export function readMetrics(path: string): MetricsRecord[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const torn = lines.pop()!; // '' when the file ends with a newline
  const records = lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as MetricsRecord);
  try {
    if (torn.trim() !== '') records.push(JSON.parse(torn) as MetricsRecord);
  } catch {
    // cut short: the checkpoint is older than this record anyway
  }
  return records;
}
