/** Shared timing helpers for benches: warm up, then repeat until `minMs`, median of `repeats`. */

export interface Timing {
  /** Median seconds per call. */
  seconds: number;
  calls: number;
}

export function timeit(fn: () => void, { warmupMs = 300, minMs = 1000, repeats = 3 } = {}): Timing {
  const t0 = performance.now();
  do fn();
  while (performance.now() - t0 < warmupMs);
  const samples: number[] = [];
  let calls = 0;
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    const t = performance.now();
    do {
      fn();
      n++;
    } while (performance.now() - t < minMs);
    samples.push((performance.now() - t) / 1000 / n);
    calls += n;
  }
  samples.sort((a, b) => a - b);
  return { seconds: samples[Math.floor(samples.length / 2)], calls };
}

export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
