/**
 * The dashboard page (served by `nabla ui` and `nabla train --ui`, see src/cli/ui/server.ts). Three views,
 * chosen by the URL's hash:
 *
 *   #/live              the run this server is training: curves grow as Server-Sent Events arrive (/api/events)
 *   #/run/<name>        a run of the runs folder: its logged curves, settings and report pictures
 *   #/compare/<a>,<b>   two or more runs' curves on the same plots
 *
 * Charts are uPlot. window.nablaDashboard exposes what the page shows, for the browser tests.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { LiveState, ModelPictures } from '../../src/cli/ui/live.js';
import type { RunDetail, RunSummary } from '../../src/cli/ui/runs.js';

type Point = LiveState['points'][number];
type Series = {
  label: string;
  x: number[];
  y: (number | null)[];
  color: string;
  width?: number;
  points?: boolean;
};

/** What the page shows, for tests (and the curious, in the console). */
interface DashboardState {
  ready: boolean;
  view: 'none' | 'live' | 'run' | 'compare';
  /** The run (live or opened) or the runs compared. */
  runs: string[];
  live: string | null;
  liveStatus: string;
  /** Points in the loss chart's first series, and the loss chart's series labels. */
  lossPoints: number;
  lossSeries: string[];
  /** What the charts' x axis counts. */
  xAxis: 'iteration' | 'epoch';
  epochs: number;
  modelUpdates: number;
  confusion: boolean;
  renders: number;
}

const dash: DashboardState = {
  ready: false,
  view: 'none',
  runs: [],
  live: null,
  liveStatus: '',
  lossPoints: 0,
  lossSeries: [],
  xAxis: 'iteration',
  epochs: 0,
  modelUpdates: 0,
  confusion: false,
  renders: 0,
};
(window as unknown as { nablaDashboard: DashboardState }).nablaDashboard = dash;

const PALETTE = ['#1f4e8c', '#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285'];
const LIGHT = ['#9dbbe0', '#f4a97f', '#8fd19e', '#cc9fe0', '#f7c978', '#7fd3e0'];

const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => document.querySelector(sel) as T;
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(2)}%`;

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return (await r.json()) as T;
}

// ---------------------------------------------------------------------------------------------- charts

/** The moving average over `window` points (nulls skipped), as the report's loss chart draws it. */
function movingAverage(
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

const lossChart = new Chart($('#loss-chart'), 'loss');
const accChart = new Chart($('#acc-chart'), 'accuracy', [0, 1]);
const speedChart = new Chart($('#speed-chart'), 'images/s');

function lossSeries(x: number[], y: (number | null)[], k: number, name = ''): Series[] {
  const prefix = name ? `${name} ` : '';
  return [
    { label: `${prefix}loss`, x, y, color: LIGHT[k % LIGHT.length], width: 1 },
    { label: `${prefix}average`, x, y: movingAverage(y), color: PALETTE[k % PALETTE.length], width: 2 },
  ];
}

function showLoss(series: Series[], xLabel = 'iteration'): void {
  lossChart.set(series, xLabel);
  dash.lossPoints = series[0]?.x.length ?? 0;
  dash.lossSeries = series.map((s) => s.label);
}

// ------------------------------------------------------------------------------------------ panels

function setStats(rows: [string, string][]): void {
  $('#stats').replaceChildren(
    ...rows.map(([k, v]) => {
      const d = el('div', undefined, 'stat');
      d.append(el('span', k, 'muted small'), el('strong', v));
      d.dataset.stat = k;
      return d;
    }),
  );
}

function flatten(obj: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v))
      out.push(...flatten(v as Record<string, unknown>, key));
    else out.push([key, v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}

function setConfig(config: Record<string, unknown> | null | undefined): void {
  const rows = config ? flatten(config) : [];
  $('#config-section').hidden = rows.length === 0;
  $('#config').replaceChildren(
    ...rows.map(([k, v]) => {
      const tr = el('tr');
      tr.append(el('th', k), el('td', v));
      return tr;
    }),
  );
}

function setFilters(src: string | null | undefined, caption: string): void {
  $('#filters-figure').hidden = !src;
  if (src) $<HTMLImageElement>('#filters').src = src;
  $('#filters-caption').textContent = caption;
}

function setLiveSamples(m: ModelPictures | null, classNames: string[]): void {
  const s = m?.samples;
  $('#samples-figure').hidden = !s;
  if (!s) return;
  const name = (c: number): string => classNames[c] ?? String(c);
  const correct = s.predicted.filter((p, i) => p === s.truth[i]).length;
  $('#samples-caption').textContent =
    `Predictions on the first ${s.images.length} test images after epoch ${m!.epoch} (${correct} right)`;
  $('#samples').replaceChildren(
    ...s.images.map((src, i) => {
      const ok = s.predicted[i] === s.truth[i];
      const cell = el('div', undefined, `sample ${ok ? 'ok' : 'bad'}`);
      const img = el('img');
      img.src = src;
      img.alt = `test image ${i}`;
      cell.append(
        img,
        el('span', ok ? name(s.predicted[i]) : `${name(s.predicted[i])} → ${name(s.truth[i])}`),
      );
      return cell;
    }),
  );
}

function setReportSamples(src: string | undefined): void {
  $('#samples-figure').hidden = !src;
  if (!src) return;
  $('#samples-caption').textContent = 'Test images (from the report; see report.html for the predictions)';
  const img = el('img');
  img.src = src;
  img.alt = 'test images';
  img.className = 'sprite';
  $('#samples').replaceChildren(img);
}

function setConfusion(matrix: number[][] | null, classNames: string[], svg?: string): void {
  const box = $('#confusion');
  dash.confusion = !!matrix || !!svg;
  $('#confusion-section').hidden = !dash.confusion;
  if (!matrix) {
    if (svg) {
      const img = el('img');
      img.src = svg;
      img.alt = 'confusion matrix';
      box.replaceChildren(img);
    } else box.replaceChildren();
    return;
  }
  const table = el('table', undefined, 'confusion');
  const head = el('tr');
  head.append(el('th', 'true \\ predicted'), ...classNames.map((c) => el('th', c)));
  table.append(head);
  matrix.forEach((row, i) => {
    const tr = el('tr');
    tr.append(el('th', classNames[i] ?? String(i)));
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const td = el('td', String(v), i === j ? 'diag' : '');
      const a = v / total;
      td.style.background = i === j ? `rgba(43,138,62,${a})` : `rgba(217,72,15,${Math.min(1, 3 * a)})`;
      if (a > 0.55) td.style.color = '#fff';
      tr.append(td);
    });
    table.append(tr);
  });
  box.replaceChildren(table);
}

function showError(message: string | null): void {
  const e = $('#error');
  e.hidden = !message;
  e.textContent = message ?? '';
}

function resetView(title: string, subtitle = ''): void {
  $('#title').textContent = title;
  $('#subtitle').textContent = subtitle;
  delete $('#subtitle').dataset.done;
  showError(null);
  setStats([]);
  setConfig(null);
  setFilters(null, '');
  $('#samples-figure').hidden = true;
  setConfusion(null, []);
  lossChart.clear();
  accChart.clear();
  speedChart.clear();
  $('#speed-figure').hidden = false;
  $('#axis').hidden = true;
  $('#loss-caption').textContent = 'Loss per iteration (light) and its moving average';
  dash.xAxis = 'iteration';
  dash.lossPoints = 0;
  dash.lossSeries = [];
  dash.epochs = 0;
  dash.modelUpdates = 0;
}

// -------------------------------------------------------------------------------------------- runs

let runs: RunSummary[] = [];
const selected = new Set<string>();

async function loadRuns(): Promise<void> {
  const r = await getJson<{ live: string | null; runs: RunSummary[] }>('/api/runs');
  runs = r.runs;
  dash.live = r.live;
  for (const s of [...selected]) if (!runs.some((x) => x.name === s)) selected.delete(s);
  const body = $('#runs tbody');
  body.replaceChildren(
    ...runs.map((run) => {
      const tr = el('tr');
      tr.dataset.run = run.name;
      if (dash.runs.includes(run.name)) tr.className = 'current';
      const box = el('input');
      box.type = 'checkbox';
      box.checked = selected.has(run.name);
      box.title = `compare ${run.name}`;
      box.addEventListener('change', () => {
        if (box.checked) selected.add(run.name);
        else selected.delete(run.name);
        updateCompareButton();
      });
      const link = el('a', run.name);
      link.href = run.name === r.live ? '#/live' : `#/run/${encodeURIComponent(run.name)}`;
      const name = el('td');
      name.append(link, el('div', `${run.model} · ${run.data} · ${run.iterations} it`, 'muted small'));
      const check = el('td');
      check.append(box);
      tr.append(check, name, el('td', run.name === r.live ? 'live' : run.status, `status ${run.status}`));
      tr.append(el('td', pct(run.testAccuracy), 'num'));
      return tr;
    }),
  );
  if (runs.length === 0) {
    const tr = el('tr');
    const td = el('td', 'No runs yet: nabla train writes them here.', 'muted');
    td.colSpan = 4;
    tr.append(td);
    body.append(tr);
  }
  updateCompareButton();
}

function updateCompareButton(): void {
  const b = $<HTMLButtonElement>('#compare');
  b.disabled = selected.size < 2;
  b.textContent = selected.size < 2 ? 'Compare (tick two or more)' : `Compare ${selected.size} runs`;
}

function epochSeries(d: Pick<RunDetail, 'epochRecords'>, k: number, name = ''): Series[] {
  const e = d.epochRecords.filter((r) => r.iteration > 0);
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

/** Re-reads a run that another process is still writing (status incomplete), every few seconds. */
let pollTimer: ReturnType<typeof setTimeout> | undefined;
const POLL_MS = 3000;

async function showRun(name: string): Promise<void> {
  dash.view = 'run';
  dash.runs = [name];
  resetView(name);
  await drawRun(name);
}

async function drawRun(name: string): Promise<void> {
  const d = await getJson<RunDetail>(`/api/runs/${encodeURIComponent(name)}`);
  if (dash.view !== 'run' || dash.runs[0] !== name) return; // the user moved on meanwhile
  if (d.status === 'incomplete') {
    pollTimer = setTimeout(() => void drawRun(name).catch((e: Error) => showError(e.message)), POLL_MS);
  }
  $('#subtitle').textContent =
    `${d.model} on ${d.data}, ${d.status}, created ${new Date(d.created).toLocaleString()}`;
  setStats([
    ['iterations', String(d.iterations)],
    ['epochs', String(d.epochs)],
    ['best val', pct(d.bestValAcc)],
    ['test accuracy', d.test ? `${pct(d.test.accuracy)} of ${d.test.count}` : '–'],
  ]);
  showLoss(lossSeries(d.iteration, d.loss, 0));
  accChart.set(epochSeries(d, 0));
  $('#acc-caption').textContent = 'Training-sample and validation accuracy after each epoch';
  dash.epochs = d.epochRecords.length;
  speedChart.clear();
  $('#speed-figure').hidden = true; // past runs log no throughput per iteration
  setFilters(
    d.images.filters ?? d.images.templates,
    d.images.filters ? 'First-layer weights' : 'Class templates',
  );
  setReportSamples(d.images.samples);
  setConfusion(null, [], d.images.confusion);
  setConfig(d.config);
  if (d.images.report) {
    const a = el('a', 'report.html');
    a.href = d.images.report;
    a.target = '_blank';
    $('#subtitle').append(' · ', a);
  }
}

let compared: RunDetail[] = [];

/** The compared runs' curves against epochs (runs with different batch sizes line up) or iterations. */
function drawCompare(): void {
  const axis = $<HTMLSelectElement>('#axis select').value === 'iteration' ? 'iteration' : 'epoch';
  dash.xAxis = axis;
  showLoss(
    compared.map((d, k) => ({
      label: d.name,
      x: axis === 'epoch' ? d.epoch : d.iteration,
      y: movingAverage(d.loss),
      color: PALETTE[k % PALETTE.length],
      width: 2,
    })),
    axis,
  );
  $('#loss-caption').textContent = 'Loss (moving average) of each run';
  $('#acc-caption').textContent = 'Validation accuracy after each epoch';
  accChart.set(
    compared.map((d, k) => {
      const val = epochSeries(d, k, d.name)[1];
      const e = d.epochRecords.filter((r) => r.iteration > 0);
      return axis === 'epoch' ? { ...val, x: e.map((r) => r.epoch) } : val;
    }),
    axis,
  );
}

async function showCompare(names: string[]): Promise<void> {
  dash.view = 'compare';
  dash.runs = names;
  resetView(`Comparing ${names.length} runs`, names.join(' vs '));
  const details = await Promise.all(
    names.map((n) => getJson<RunDetail>(`/api/runs/${encodeURIComponent(n)}`)),
  );
  compared = details;
  $('#axis').hidden = false;
  drawCompare();
  $('#speed-figure').hidden = true;
  setStats(
    details.map((d) => [
      d.name,
      `${d.model} · test ${pct(d.test?.accuracy)} · best val ${pct(d.bestValAcc)}`,
    ]),
  );
  // The settings side by side: only the keys whose values differ, so the table says what changed.
  const flat = details.map((d) => new Map(flatten(d.config)));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].filter(
    (k) => new Set(flat.map((m) => m.get(k) ?? '–')).size > 1,
  );
  $('#config-section').hidden = keys.length === 0;
  const head = el('tr');
  head.append(el('th', 'differs'), ...details.map((d) => el('th', d.name)));
  $('#config').replaceChildren(
    head,
    ...keys.map((k) => {
      const tr = el('tr');
      tr.append(el('th', k), ...flat.map((m) => el('td', m.get(k) ?? '–')));
      return tr;
    }),
  );
}

// -------------------------------------------------------------------------------------------- live

let source: EventSource | null = null;
let live: LiveState | null = null;
let frame = 0;

/** Redraws the live view on the next animation frame (many events can arrive between two frames). */
function scheduleLive(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    if (live && dash.view === 'live') renderLive(live);
  });
}

function renderLive(s: LiveState): void {
  const pts = s.points;
  const x = pts.map((p) => p[0]);
  showLoss(
    lossSeries(
      x,
      pts.map((p) => p[1]),
      0,
    ),
  );
  const probe = pts.filter((p) => p[3] !== null);
  const e = s.epochs.filter((r) => r.iteration > 0);
  accChart.set([
    ...epochSeries({ epochRecords: e as RunDetail['epochRecords'] }, 0),
    {
      label: 'val (probe)',
      x: probe.map((p) => p[0]),
      y: probe.map((p) => p[3]),
      color: PALETTE[2],
      width: 1,
    },
  ]);
  speedChart.set([{ label: 'images/s', x, y: pts.map((p) => p[2]), color: PALETTE[1], width: 1.5 }]);
  const last: Point | undefined = pts[pts.length - 1];
  const st = s.start;
  const lastEpoch = s.epochs[s.epochs.length - 1];
  setStats([
    ['status', s.status],
    ['iteration', st ? `${last?.[0] ?? 0} / ${st.totalIterations}` : String(last?.[0] ?? 0)],
    ['epoch', st && last ? `${(last[0] / st.iterationsPerEpoch).toFixed(2)} / ${st.numEpochs}` : '–'],
    ['loss', last?.[1] != null ? last[1].toFixed(4) : '–'],
    ['images/s', last ? Math.round(last[2]).toLocaleString() : '–'],
    ['val accuracy', pct(lastEpoch?.valAcc)],
    ['test accuracy', s.done ? pct(s.done.testAccuracy as number) : '–'],
  ]);
  dash.liveStatus = s.status;
  const verb = s.status === 'done' ? 'Trained' : s.status === 'failed' ? 'Stopped' : 'Training';
  $('#title').textContent = `${verb} ${s.run}`;
  dash.epochs = s.epochs.length;
  showError(s.failed);
  const sub = $('#subtitle');
  if (s.done) {
    setConfusion(s.done.confusion as number[][], s.done.classNames as string[]);
    const report = s.done.report as string | null;
    if (!sub.dataset.done) {
      sub.dataset.done = '1';
      sub.replaceChildren(`finished in ${(s.done.trainSeconds as number).toFixed(1)} s of training`);
      if (report) {
        const a = el('a', 'report.html');
        a.href = report;
        a.target = '_blank';
        sub.append(' · ', a);
      }
    }
  } else {
    delete sub.dataset.done;
    sub.textContent = s.failed ? 'stopped' : 'live: the curves grow as the run trains';
  }
}

function showLive(): void {
  dash.view = 'live';
  dash.runs = dash.live ? [dash.live] : [];
  resetView(`Training ${dash.live ?? ''}`, 'live: the curves grow as the run trains');
  $('#acc-caption').textContent =
    'Accuracy: training sample and validation after each epoch; validation probe';
  if (source) {
    if (live) {
      applyModel(live);
      renderLive(live);
    }
    return;
  }
  const es = new EventSource('/api/events');
  source = es;
  const on = (type: string, f: (data: never) => void): void =>
    es.addEventListener(type, (ev) => {
      f(JSON.parse((ev as MessageEvent<string>).data) as never);
      scheduleLive();
    });
  on('state', (s: LiveState) => {
    live = s;
    applyModel(s);
  });
  on('start', (st: NonNullable<LiveState['start']>) => {
    if (!live) return;
    live.start = st;
    live.status = 'training';
    setConfig(st.config as unknown as Record<string, unknown>);
  });
  on('iterations', (d: { points: Point[] }) => live?.points.push(...d.points));
  on('epoch', (r: LiveState['epochs'][number]) => live?.epochs.push(r));
  on('model', (m: ModelPictures) => {
    if (!live) return;
    live.model = m;
    applyModel(live);
  });
  on('log', (d: { line: string }) => live?.log.push(d.line));
  on('done', (d: Record<string, unknown>) => {
    if (!live) return;
    live.done = d;
    live.status = 'done';
    es.close(); // nothing more will come; reconnecting would only replay it
    void loadRuns();
  });
  on('failed', (d: { message: string }) => {
    if (!live) return;
    live.failed = d.message;
    live.status = 'failed';
    es.close();
  });
  es.onopen = () => ($('#connection').textContent = 'connected');
  es.onerror = () =>
    ($('#connection').textContent = es.readyState === EventSource.CLOSED ? '' : 'reconnecting…');
}

function applyModel(s: LiveState): void {
  if (dash.view !== 'live') return;
  setConfig((s.start?.config as unknown as Record<string, unknown>) ?? null);
  if (!s.model) return;
  dash.modelUpdates++;
  setFilters(s.model.filters, `${s.model.filtersCaption} after epoch ${s.model.epoch}`);
  setLiveSamples(s.model, s.classNames);
}

// ------------------------------------------------------------------------------------------ routing

async function route(): Promise<void> {
  clearTimeout(pollTimer);
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [view, arg = ''] = [hash.split('/')[0], hash.split('/').slice(1).join('/')];
  try {
    if (view === 'run' && arg) await showRun(arg);
    else if (view === 'compare' && arg) await showCompare(arg.split(',').filter(Boolean));
    else if (view === 'live' && dash.live) showLive();
    else if (dash.live) location.hash = '#/live';
    else if (runs.length > 0) location.hash = `#/run/${encodeURIComponent(runs[0].name)}`;
    else {
      dash.view = 'none';
      resetView('No runs yet', 'Train one with: nabla train --ui');
    }
  } catch (err) {
    showError((err as Error).message);
  }
  document.querySelectorAll<HTMLElement>('#runs tr[data-run]').forEach((tr) => {
    tr.classList.toggle('current', dash.runs.includes(tr.dataset.run!));
  });
}

$('#compare').addEventListener('click', () => {
  const names = runs.map((r) => r.name).filter((n) => selected.has(n));
  location.hash = `#/compare/${names.map(encodeURIComponent).join(',')}`;
});
$('#axis select').addEventListener('change', () => {
  if (dash.view === 'compare') drawCompare();
});
$('#refresh').addEventListener('click', () => void loadRuns().then(route));
window.addEventListener('hashchange', () => void route());

try {
  await loadRuns();
} catch (err) {
  showError((err as Error).message);
}
await route();
dash.ready = true;
