/** The runs list, and the two views of the runs folder: one run (#/run/<name>) and a comparison (#/compare/...). */
import type { RunDetail, RunsIndex, RunSummary } from '../../src/cli/ui/protocol.js';
import { accChart, epochSeries, lossSeries, movingAverage, PALETTE, showLoss, speedChart } from './charts.js';
import { $, el, getJson, pct } from './dom.js';
import {
  flatten,
  resetView,
  setConfig,
  setConfusion,
  setFilters,
  setReportSamples,
  setStats,
  showError,
} from './panels.js';
import { dash } from './state.js';

let runs: RunSummary[] = [];
const selected = new Set<string>();

/** The runs as last loaded, newest first. */
export const runList = (): readonly RunSummary[] => runs;

/** The ticked runs' names, in the list's order. */
export const selectedRuns = (): string[] => runs.map((r) => r.name).filter((n) => selected.has(n));

/** Reloads the runs list (keeping the ticks of runs still there). */
export async function loadRuns(): Promise<void> {
  const r = await getJson<RunsIndex>('/api/runs');
  runs = r.runs;
  dash.live = r.live;
  for (const s of [...selected]) if (!runs.some((x) => x.name === s)) selected.delete(s);
  const body = $('#runs tbody');
  body.replaceChildren(...runs.map((run) => runRow(run, r.live)));
  if (runs.length === 0) {
    const tr = el('tr');
    const td = el('td', 'No runs yet: nabla train writes them here.', 'muted');
    td.colSpan = 4;
    tr.append(td);
    body.append(tr);
  }
  updateCompareButton();
}

function runRow(run: RunSummary, live: string | null): HTMLTableRowElement {
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
  link.href = run.name === live ? '#/live' : `#/run/${encodeURIComponent(run.name)}`;
  const name = el('td');
  name.append(link, el('div', `${run.model} · ${run.data} · ${run.iterations} it`, 'muted small'));
  const check = el('td');
  check.append(box);
  tr.append(check, name, el('td', run.name === live ? 'live' : run.status, `status ${run.status}`));
  tr.append(el('td', pct(run.testAccuracy), 'num'));
  return tr;
}

function updateCompareButton(): void {
  const b = $<HTMLButtonElement>('#compare');
  b.disabled = selected.size < 2;
  b.textContent = selected.size < 2 ? 'Compare (tick two or more)' : `Compare ${selected.size} runs`;
}

/** Re-reads a run that another process is still writing (status incomplete), every few seconds. */
let pollTimer: ReturnType<typeof setTimeout> | undefined;
const POLL_MS = 3000;

/** Stops re-reading the run shown (the view changes). */
export const stopPolling = (): void => clearTimeout(pollTimer);

export async function showRun(name: string): Promise<void> {
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
  accChart.set(epochSeries(d.epochRecords, 0));
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
export function drawCompare(): void {
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
      const val = epochSeries(d.epochRecords, k, d.name)[1];
      const e = d.epochRecords.filter((r) => r.iteration > 0);
      return axis === 'epoch' ? { ...val, x: e.map((r) => r.epoch) } : val;
    }),
    axis,
  );
}

export async function showCompare(names: string[]): Promise<void> {
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
