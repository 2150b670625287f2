/**
 * The progress display's time left: by the pace of the iterations so far, and never more than what is left
 * of a `--minutes` budget (a SimCLR run's iteration count is an upper bound the budget cuts short).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TrainingProgress } from '../../src/cli/progress.js';

function capture(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = {
    write: (s: string) => lines.push(s.trim()) > 0,
    isTTY: false,
  } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('TrainingProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-05T17:00:00Z'));
  });
  afterEach(() => vi.useRealTimers());

  const step = (p: TrainingProgress, iteration: number, seconds: number): void => {
    vi.setSystemTime(new Date(Date.parse('2026-12-05T17:00:00Z') + seconds * 1000));
    p.update({ iteration, epoch: 0, loss: 5, imagesPerSec: 60 });
  };

  it('estimates the time left from the pace of the iterations', () => {
    const { stream, lines } = capture();
    const p = new TrainingProgress({
      totalIterations: 100,
      numEpochs: 1,
      iterationsPerEpoch: 100,
      stream,
      logEvery: 10,
    });
    p.start();
    step(p, 10, 20); // 2 s an iteration, 90 left
    expect(lines.at(-1)).toMatch(/iter 10\/100 .* ETA 3m00s$/);
  });

  it('shows at most what is left of a time budget', () => {
    const { stream, lines } = capture();
    const opts = { totalIterations: 39000, numEpochs: 100, iterationsPerEpoch: 390, stream, logEvery: 10 };
    const p = new TrainingProgress({ ...opts, budgetSeconds: 55 * 60 });
    p.start();
    step(p, 10, 20); // by pace 77,980 s; the budget has 3,280 s left
    expect(lines.at(-1)).toMatch(/ETA 54m40s$/);
    step(p, 1700, 3400); // past the budget: nothing left, not a negative time
    expect(lines.at(-1)).toMatch(/ETA 0s$/);
    const unbudgeted = new TrainingProgress(opts);
    vi.setSystemTime(new Date('2026-12-05T17:00:00Z'));
    unbudgeted.start();
    step(unbudgeted, 10, 20);
    expect(lines.at(-1)).toMatch(/ETA 21h39m$/);
  });
});
