/**
 * Drives a sweep: hands the scheduler's segments to an executor (the local pool or the queue) as slots free
 * up, and reports each result back to the scheduler and to the caller, until nothing is left to start and
 * nothing runs. After `stop` aborts, nothing new starts and the running segments are waited for.
 */
import type { Scheduler, Segment, SegmentResult } from './schedule.js';

export interface Executor {
  /** How many segments may run at once (Infinity: every segment that can start is handed out). */
  readonly slots: number;
  run(seg: Segment): Promise<SegmentResult>;
  close(): Promise<void>;
}

export async function driveSweep(
  sched: Scheduler,
  exec: Executor,
  onResult: (r: SegmentResult) => void,
  stop?: AbortSignal,
): Promise<void> {
  const running = new Map<string, Promise<void>>();
  const start = (seg: Segment): void => {
    const key = `${seg.trial}:${seg.segment}`;
    const p = exec.run(seg).then(
      (r) => {
        running.delete(key);
        // A segment cut off by the stop is not a result: it runs again when the sweep continues.
        if (stop?.aborted && r.status === 'failed') return;
        sched.report(r);
        onResult(r);
      },
      (err: unknown) => {
        running.delete(key);
        if (!stop?.aborted) throw err;
      },
    );
    running.set(key, p);
  };
  for (;;) {
    while (!stop?.aborted && running.size < exec.slots) {
      const seg = sched.next();
      if (!seg) break;
      start(seg);
    }
    if (running.size === 0) return;
    await Promise.race(running.values());
  }
}
