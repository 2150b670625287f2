/** The page's three charts (uPlot): loss, accuracy and throughput, and the series they draw. */
import uPlot from 'uplot';
import type { LiveEpoch } from '../../src/cli/ui/protocol.js';
import { $ } from './dom.js';
import { dash } from './state.js';

export type Series = {
  label: string;
  x: number[];
  y: (number | null)[];
  color: string;
  width?: number;
  points?: boolean;
};

export const PALETTE = ['#1f4e8c', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285'];
const LIGHT = ['#9dbbe0', '#f4a97f', '#8fd19e', '#cc9fe0', '#f7c978', '#7fd3e0'];

/** The moving average over `window` points (nulls skipped), as the report's loss chart draws it. */
export function movingAverage(
  y: readonly (number | null)[],
  window = Math.max(1, Math.round(y.length / 50)),
): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v !== null) {
      sum += v;
      n++;
    }
    if (i >= window) {
      const old = y[i - window];
      if (old !== null) {
        sum -= old;
        n--;
      }
    }
    out.push(v === null || n === 0 ? null : sum / n);
  }
  return out;
}

/** Puts series with different x values on one x axis (uPlot's aligned data): missing values are null. */
function align(series: readonly Series[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => (col[index.get(x)!] = s.y[i]));
    return col;
  });
  return [xs, ...ys] as uPlot.AlignedData;
}

/** One chart; rebuilt when its series change, updated in place when only their values grow. */
class Chart {
  private plot: uPlot | null = null;
  private labels = '';
  private xLabel = 'iteration';
  constructor(
    private readonly host: HTMLElement,
    private readonly yLabel: string,
    private readonly yRange?: [number, number],
  ) {
    // The chart follows its column's width (the window resized, the grid re-flowed).
    new ResizeObserver(() => {
      const w = this.width();
      if (this.plot && Math.abs(this.plot.width - w) > 2) this.plot.setSize({ width: w, height: 240 });
    }).observe(host);
  }

  private width(): number {
    return Math.max(280, this.host.clientWidth || 480);
  }

  /** Draws `series` against x values named `xLabel`. */
  set(series: Series[], xLabel = 'iteration'): void {
    const data = align(series);
    const labels = [xLabel, ...series.map((s) => s.label)].join('\n');
    if (this.plot && labels === this.labels) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.labels = labels;
    this.xLabel = xLabel;
    const width = this.width();
    const range = this.yRange;
    this.plot = new uPlot(
      {
        width,
        height: 240,
        scales: {
          x: { time: false },
          y: range ? { range: () => range } : {},
        },
        axes: [
          { label: this.xLabel, size: 40 },
          { label: this.yLabel, size: 56 },
        ],
        legend: { show: true },
        series: [
          { label: this.xLabel },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.5,
            spanGaps: true,
            points: { show: s.points ?? false, size: 6, fill: s.color },
          })),
        ],
      },
      data,
      this.host,
    );
    dash.renders++;
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = null;
    this.labels = '';
    this.host.replaceChildren();
  }
}

export const lossChart = new Chart($('#loss-chart'), 'loss');
export const accChart = new Chart($('#acc-chart'), 'accuracy', [0, 1]);
export const speedChart = new Chart($('#speed-chart'), 'images/s');

/** A run's loss per iteration (light) and its moving average (dark), in the run's `k`-th colours. */
export function lossSeries(x: number[], y: (number | null)[], k: number, name = ''): Series[] {
  const prefix = name ? `${name} ` : '';
  return [
    { label: `${prefix}loss`, x, y, color: LIGHT[k % LIGHT.length], width: 1 },
    { label: `${prefix}average`, x, y: movingAverage(y), color: PALETTE[k % PALETTE.length], width: 2 },
  ];
}

/** Draws the loss chart and records what it shows in `dash`. */
export function showLoss(series: Series[], xLabel = 'iteration'): void {
  lossChart.set(series, xLabel);
  dash.lossPoints = series[0]?.x.length ?? 0;
  dash.lossSeries = series.map((s) => s.label);
}

/** Training-sample and validation accuracy after each epoch (the check at iteration 0 left out). */
export function epochSeries(records: readonly LiveEpoch[], k: number, name = ''): Series[] {
  const e = records.filter((r) => r.iteration > 0);
  const prefix = name ? `${name} ` : '';
  return [
    {
      label: `${prefix}train`,
      x: e.map((r) => r.iteration),
      y: e.map((r) => r.trainAcc),
      color: LIGHT[k % LIGHT.length],
      points: true,
    },
    {
      label: `${prefix}val`,
      x: e.map((r) => r.iteration),
      y: e.map((r) => r.valAcc),
      color: PALETTE[k % PALETTE.length],
      points: true,
      width: 2,
    },
  ];
}
