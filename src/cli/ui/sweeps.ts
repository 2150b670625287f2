/**
 * The sweeps of the runs folder as the dashboard shows them: server-made pages (no script, so the page's
 * content-security policy holds) that reload every few seconds while a sweep runs, read from the files the
 * sweep writes as results come (plan.json, trials.jsonl; store.ts). Each shows the trials ranked as they
 * finish, validation accuracy over the searched (lr, reg) plane and which worker trained each trial.
 *
 *   /sweeps/          every sweep, newest first
 *   /sweeps/<sweep>   one sweep
 *   /api/sweeps, /api/sweeps/<sweep>   the same as JSON
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderSvg, sweepSpec } from '../../vis/charts.js';
import { escapeHtml } from '../../vis/report.js';
import { RUN_FILES } from '../runDir.js';
import type { SweepPlan } from '../sweep/plan.js';
import { formatParam } from '../sweep/search.js';
import { isFinished, readPlan, ResultLog, SWEEP_FILES } from '../sweep/store.js';
import { rank, trialsOf, type Trial } from '../sweep/summary.js';
import { isRunName } from './runs.js';

export interface SweepListing {
  name: string;
  id: string;
  label: string;
  search: string;
  trials: number;
  /** Trials with a result so far. */
  done: number;
  bestValAcc: number | null;
  finished: boolean;
}

export interface SweepDetail extends SweepListing {
  plan: SweepPlan;
  /** Best first; `dir` is the trial's folder name inside the sweep folder. */
  ranked: Trial[];
}

function sweepDirs(runsDir: string): string[] {
  try {
    return readdirSync(runsDir)
      .filter((n) => isRunName(n) && existsSync(path.join(runsDir, n, SWEEP_FILES.plan)))
      .sort()
      .reverse();
  } catch {
    return [];
  }
}

/** One sweep as it is now, or null when `name` is not a sweep folder of `runsDir`. */
export function readSweep(runsDir: string, name: string): SweepDetail | null {
  if (!isRunName(name) || !sweepDirs(runsDir).includes(name)) return null;
  return sweepAt(runsDir, name);
}

/** Sweep folder `name` of `runsDir` (listed by sweepDirs), or null when its plan cannot be read. */
function sweepAt(runsDir: string, name: string): SweepDetail | null {
  const dir = path.join(runsDir, name);
  let plan: SweepPlan;
  try {
    plan = readPlan(dir);
  } catch {
    return null;
  }
  const ranked = rank(trialsOf(plan, dir, new ResultLog(dir, { readOnly: true }).results)).map((t) => ({
    ...t,
    dir: path.basename(t.dir),
  }));
  const best = ranked.find((t) => t.status === 'ok' || t.status === 'stopped');
  return {
    name,
    id: plan.id,
    label: plan.label,
    search: plan.search,
    trials: plan.trials.length,
    done: ranked.length,
    bestValAcc: best ? best.valAcc : null,
    finished: isFinished(dir),
    plan,
    ranked,
  };
}

export function listSweeps(runsDir: string): SweepListing[] {
  return sweepDirs(runsDir)
    .map((n) => sweepAt(runsDir, n))
    .filter((s): s is SweepDetail => s !== null)
    .map(({ plan: _plan, ranked: _ranked, ...rest }) => rest);
}

const pct = (x: number | null): string => (x === null || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

function page(title: string, body: string, refresh: boolean): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    (refresh ? '<meta http-equiv="refresh" content="3">' : '') +
    '<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}' +
    'td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}th{background:#f4f4f4}' +
    '.ok{color:#070}.failed,.diverged{color:#a00}.stopped,.paused{color:#777}</style></head>' +
    `<body>${body}</body></html>`
  );
}

export function sweepsIndexHtml(list: SweepListing[]): string {
  const rows = list
    .map(
      (s) =>
        `<tr><td><a href="/sweeps/${encodeURIComponent(s.name)}">${escapeHtml(s.name)}</a></td><td>${escapeHtml(s.search)}</td>` +
        `<td>${s.done} / ${s.trials}</td><td>${pct(s.bestValAcc)}</td><td>${s.finished ? 'finished' : 'running or stopped'}</td></tr>`,
    )
    .join('');
  const body = list.length
    ? `<table><thead><tr><th>sweep</th><th>search</th><th>trials</th><th>best val</th><th>state</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No sweeps in this runs folder yet: <code>nabla sweep --out &lt;this folder&gt;</code> makes one.</p>';
  return page('nabla sweeps', `<h1>Sweeps</h1>${body}<p><a href="/dashboard/">runs dashboard</a></p>`, false);
}

export async function sweepHtml(runsDir: string, s: SweepDetail): Promise<string> {
  const names = s.plan.axes.map((a) => a.name);
  const rows = s.ranked
    .map((t, i) => {
      const report = `/runs/${encodeURIComponent(s.name)}/${encodeURIComponent(t.dir)}/${RUN_FILES.report}`;
      const hasReport = existsSync(path.join(runsDir, s.name, t.dir, RUN_FILES.report));
      // A trial stopped at a rung of a sweep still running may yet be promoted.
      const status = t.status === 'stopped' && !s.finished ? 'paused' : t.status;
      return (
        `<tr><td>${i + 1}</td><td>${hasReport ? `<a href="${report}">trial ${t.trial}</a>` : `trial ${t.trial}`}</td>` +
        names
          .map((k) => `<td>${t.params[k] === undefined ? '-' : formatParam(k, t.params[k])}</td>`)
          .join('') +
        `<td>${pct(t.valAcc)}</td><td>${pct(t.testAcc)}</td><td>${t.epochs}</td>` +
        `<td class="${status}">${status}${t.message ? `: ${escapeHtml(t.message)}` : ''}</td><td>${escapeHtml(t.worker)}</td></tr>`
      );
    })
    .join('');
  const points = s.ranked
    .filter((t) => (t.status === 'ok' || t.status === 'stopped') && t.lr > 0 && t.reg > 0)
    .map((t) => ({ lr: t.lr, reg: t.reg, valAcc: t.valAcc }));
  const plane = points.length ? await renderSvg(sweepSpec(points)) : '';
  const state = s.finished ? 'finished' : `${s.done} of ${s.trials} trials have results (reloads every 3 s)`;
  const body =
    `<h1>Sweep ${escapeHtml(s.name)}</h1><p>${escapeHtml(s.id)} · ${escapeHtml(s.search)} · ${state}</p>` +
    `<p><code>${escapeHtml(s.plan.command)}</code></p>${plane}` +
    `<table><thead><tr><th>#</th><th>trial</th>${names.map((k) => `<th>${k}</th>`).join('')}<th>val</th><th>test</th>` +
    `<th>epochs</th><th>status</th><th>worker</th></tr></thead><tbody>${rows}</tbody></table>` +
    '<p><a href="/sweeps/">all sweeps</a> · <a href="/dashboard/">runs dashboard</a></p>';
  return page(`nabla sweep ${s.name}`, body, !s.finished);
}
