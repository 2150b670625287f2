/** The live view (#/live): the run this server trains, its curves growing as Server-Sent Events arrive. */
import type { LiveEvents, LivePoint, LiveState } from '../../src/cli/ui/protocol.js';
import { accChart, epochSeries, lossSeries, PALETTE, showLoss, speedChart } from './charts.js';
import { $, el, pct } from './dom.js';
import {
  resetView,
  setConfig,
  setConfusion,
  setFilters,
  setLiveSamples,
  setStats,
  showError,
} from './panels.js';
import { loadRuns } from './runs.js';
import { dash } from './state.js';

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
  accChart.set([
    ...epochSeries(s.epochs, 0),
    {
      label: 'val (probe)',
      x: probe.map((p) => p[0]),
      y: probe.map((p) => p[3]),
      color: PALETTE[2],
      width: 1,
    },
  ]);
  speedChart.set([{ label: 'images/s', x, y: pts.map((p) => p[2]), color: PALETTE[1], width: 1.5 }]);
  renderStats(s);
  dash.liveStatus = s.status;
  const verb = s.status === 'done' ? 'Trained' : s.status === 'failed' ? 'Stopped' : 'Training';
  $('#title').textContent = `${verb} ${s.run}`;
  dash.epochs = s.epochs.length;
  showError(s.failed);
  const sub = $('#subtitle');
  if (s.done) {
    setConfusion(s.done.confusion, s.done.classNames);
    const report = s.done.report;
    if (!sub.dataset.done) {
      sub.dataset.done = '1';
      sub.replaceChildren(`finished in ${s.done.trainSeconds.toFixed(1)} s of training`);
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

function renderStats(s: LiveState): void {
  const last: LivePoint | undefined = s.points[s.points.length - 1];
  const st = s.start;
  const lastEpoch = s.epochs[s.epochs.length - 1];
  setStats([
    ['status', s.status],
    ['iteration', st ? `${last?.[0] ?? 0} / ${st.totalIterations}` : String(last?.[0] ?? 0)],
    ['epoch', st && last ? `${(last[0] / st.iterationsPerEpoch).toFixed(2)} / ${st.numEpochs}` : '–'],
    ['loss', last?.[1] != null ? last[1].toFixed(4) : '–'],
    ['images/s', last ? Math.round(last[2]).toLocaleString() : '–'],
    ['val accuracy', pct(lastEpoch?.valAcc)],
    ['test accuracy', s.done ? pct(s.done.testAccuracy) : '–'],
  ]);
}

/** Shows the live view, opening the event stream the first time. */
export function showLive(): void {
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
  const on = <K extends keyof LiveEvents>(type: K, f: (data: LiveEvents[K]) => void): void =>
    es.addEventListener(type, (ev) => {
      f(JSON.parse((ev as MessageEvent<string>).data) as LiveEvents[K]);
      scheduleLive();
    });
  on('state', (s) => {
    live = s;
    applyModel(s);
  });
  on('start', (st) => {
    if (!live) return;
    live.start = st;
    live.status = 'training';
    setConfig(st.config);
  });
  on('iterations', (d) => live?.points.push(...d.points));
  on('epoch', (r) => live?.epochs.push(r));
  on('model', (m) => {
    if (!live) return;
    live.model = m;
    applyModel(live);
  });
  on('log', (d) => live?.log.push(d.line));
  on('done', (d) => {
    if (!live) return;
    live.done = d;
    live.status = 'done';
    es.close(); // nothing more will come; reconnecting would only replay it
    void loadRuns();
  });
  on('failed', (d) => {
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
  setConfig(s.start?.config ?? null);
  if (!s.model) return;
  dash.modelUpdates++;
  setFilters(s.model.filters, `${s.model.filtersCaption} after epoch ${s.model.epoch}`);
  setLiveSamples(s.model, s.classNames);
}
