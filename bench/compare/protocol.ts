/**
 * The timing protocol of workloads.json: warm up for warmup_s (at least warmup_min_steps steps), then `repeats`
 * times run steps until min_time_s has passed (at least min_steps), and report the median rate.
 * Data generation happens before; only steps are timed.
 */

export interface Protocol {
  warmupS: number;
  warmupMinSteps: number;
  minTimeS: number;
  minSteps: number;
  repeats: number;
  /**
   * When one warm-up step alone takes longer than this, the repeats drop to 1 (still >= minTimeS and >= minSteps):
   * a peer at one image per second would otherwise hold the whole run for minutes per cell.
   */
  capStepS: number;
}

export interface Measurement {
  /** Median steps per second over the repeats. */
  stepsPerS: number;
  /** Steps per second of each repeat, in run order. */
  samples: number[];
  timedSteps: number;
  /** Set when the cap cut the repeats. */
  capped: boolean;
  /** What the first warm-up step returned (the loss on the first batch, for the agreement check). */
  firstValue: number | undefined;
}

/** A step; may return the loss when asked for it (only the first warm-up step asks). */
export type Step = (wantValue: boolean) => number | undefined | void;

export function measure(step: Step, p: Protocol): Measurement {
  let t0 = performance.now();
  const firstValue = step(true) ?? undefined;
  const firstStepS = (performance.now() - t0) / 1000;
  let warm = 1;
  while (warm < p.warmupMinSteps || (performance.now() - t0) / 1000 < p.warmupS) {
    step(false);
    warm++;
  }
  const capped = firstStepS > p.capStepS && p.repeats > 1;
  const repeats = capped ? 1 : p.repeats;
  const samples: number[] = [];
  let timedSteps = 0;
  for (let r = 0; r < repeats; r++) {
    let n = 0;
    t0 = performance.now();
    let elapsed: number;
    do {
      step(false);
      n++;
      elapsed = (performance.now() - t0) / 1000;
    } while (n < p.minSteps || elapsed < p.minTimeS);
    samples.push(n / elapsed);
    timedSteps += n;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { stepsPerS: sorted[Math.floor(sorted.length / 2)], samples, timedSteps, capped, firstValue };
}

/**
 * Two steps measured in turn, one repeat each at a time (a, b, a, b, ...), so that both see the same load;
 * the median of each. `onB` receives b's measurement; a's is returned.
 */
export function measureAlternately(
  a: Step,
  b: Step,
  p: Protocol,
  onB: (m: Measurement) => void,
): Measurement {
  const one = { ...p, repeats: 1 };
  const ma: Measurement[] = [];
  const mb: Measurement[] = [];
  for (let r = 0; r < p.repeats; r++) {
    ma.push(measure(a, r === 0 ? one : { ...one, warmupS: 0 }));
    mb.push(measure(b, r === 0 ? one : { ...one, warmupS: 0 }));
  }
  const merge = (ms: Measurement[]): Measurement => {
    const samples = ms.flatMap((m) => m.samples);
    const sorted = [...samples].sort((x, y) => x - y);
    return {
      stepsPerS: sorted[Math.floor(sorted.length / 2)],
      samples,
      timedSteps: ms.reduce((s, m) => s + m.timedSteps, 0),
      capped: ms.some((m) => m.capped),
      firstValue: ms[0].firstValue,
    };
  };
  onB(merge(mb));
  return merge(ma);
}
