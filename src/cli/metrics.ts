/**
 * metrics.jsonl: the run's history as one JSON object per line, appended as training goes, so a run that is
 * interrupted keeps everything up to that point and tools (jq, pandas.read_json(lines=True)) read it directly.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

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
  | { type: 'event'; event: string; iteration: number; time: string };

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
    writeFileSync(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}

export function readMetrics(path: string): MetricsRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricsRecord);
}
