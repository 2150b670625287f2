/**
 * The dashboard page (served by `nabla ui` and `nabla train --ui`, see src/cli/ui/server.ts). Three views,
 * chosen by the URL's hash:
 *
 *   #/live              the run this server is training: curves grow as Server-Sent Events arrive (live.ts)
 *   #/run/<name>        a run of the runs folder: its logged curves, settings and report pictures (runs.ts)
 *   #/compare/<a>,<b>   two or more runs' curves on the same plots (runs.ts)
 *
 * What the server sends is typed in src/cli/ui/protocol.ts. Charts are uPlot (charts.ts), the panels beside
 * them are panels.ts. window.nablaDashboard (state.ts) exposes what the page shows, for the browser tests.
 * This file routes between the views and wires the buttons.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { $ } from './dom.js';
import { showLive } from './live.js';
import { resetView, showError } from './panels.js';
import { drawCompare, loadRuns, runList, selectedRuns, showCompare, showRun, stopPolling } from './runs.js';
import { dash } from './state.js';

async function route(): Promise<void> {
  stopPolling();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [view, arg = ''] = [hash.split('/')[0], hash.split('/').slice(1).join('/')];
  const runs = runList();
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
  location.hash = `#/compare/${selectedRuns().map(encodeURIComponent).join(',')}`;
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
