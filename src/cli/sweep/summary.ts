/**
 * A sweep's outcome: each trial's final record from its recorded segments, ranked by validation accuracy,
 * as the table printed, sweep.json and report.html. The best trial keeps its checkpoint; the others keep
 * their metrics, config and report (their arrays can be large).
 */
import { existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../../nodeFiles.js';
import { escapeHtml, writeReport } from '../../vis/report.js';
import { formatDuration } from '../progress.js';
import { RUN_FILES } from '../runDir.js';
import { paramFlags, type SweepPlan } from './plan.js';
import type { SegmentResult } from './schedule.js';
import { formatAxis, formatParam, type ParamName, type Params } from './search.js';
import { SWEEP_FILES, trialName } from './store.js';

export type TrialStatus = 'ok' | 'stopped' | 'diverged' | 'failed';

export interface Trial {
  trial: number;
  dir: string;
  params: Params;
  lr: number;
  reg: number;
  valAcc: number;
  testAcc: number | null;
  /** Epochs trained (fewer than asked when successive halving stopped it at a rung). */
  epochs: number;
  seconds: number;
  status: TrialStatus;
  message?: string;
  /** Who trained its last segment. */
  worker: string;
}

const STATUS: Record<SegmentResult['status'], TrialStatus> = {
  done: 'ok',
  paused: 'stopped',
  diverged: 'diverged',
  failed: 'failed',
};

/** Each trial's record from its last recorded segment (trials with none are left out). */
export function trialsOf(plan: SweepPlan, dir: string, results: SegmentResult[]): Trial[] {
  const last = new Map<number, SegmentResult>();
  const seconds = new Map<number, number>();
  for (const r of results) {
    if ((last.get(r.trial)?.segment ?? -1) < r.segment) last.set(r.trial, r);
    seconds.set(r.trial, (seconds.get(r.trial) ?? 0) + r.seconds);
  }
  return [...last.values()].map((r) => {
    const params = plan.trials[r.trial - 1];
    return {
      trial: r.trial,
      dir: join(dir, trialName(r.trial, plan.trials.length)),
      params,
      lr: params.lr ?? NaN,
      reg: params.reg ?? NaN,
      valAcc: r.valAcc,
      testAcc: r.testAcc,
      epochs: r.epoch,
      seconds: seconds.get(r.trial) ?? 0,
      status: STATUS[r.status],
      ...(r.message ? { message: r.message } : {}),
      worker: r.worker,
    };
  });
}

/** Trained to the end first, then by validation accuracy, then trial number. */
export function rank(trials: Trial[]): Trial[] {
  const order: TrialStatus[] = ['ok', 'stopped', 'diverged', 'failed'];
  const score = (x: number): number => (Number.isNaN(x) ? -Infinity : x);
  return [...trials].sort(
    (a, b) =>
      order.indexOf(a.status) - order.indexOf(b.status) ||
      score(b.valAcc) - score(a.valAcc) ||
      a.trial - b.trial,
  );
}

const pct = (x: number | null): string => (x === null || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

/** `trial 3/8  lr 2.00e-3  reg 1.00e-5  val 85.00%  test 84.10%  (1.2s)` and the like. */
export function formatResultLine(plan: SweepPlan, r: SegmentResult): string {
  const n = plan.trials.length;
  const head = `trial ${String(r.trial).padStart(String(n).length)}/${n}  ${paramFlags(plan.trials[r.trial - 1], true).replace(/--/g, '')}`;
  const who = r.worker === 'local' ? '' : `  [${r.worker}]`;
  if (r.status === 'diverged' || r.status === 'failed')
    return `${head}  ${r.status}: ${r.message ?? ''}${who}`;
  const at = r.status === 'paused' ? `  rung ${r.segment + 1} (epoch ${r.epoch})` : '';
  return `${head}${at}  val ${pct(r.valAcc)}${r.testAcc !== null ? `  test ${pct(r.testAcc)}` : ''}  (${formatDuration(r.seconds)})${who}`;
}

export function formatTable(plan: SweepPlan, ranked: Trial[], dir: string): string {
  const names = plan.axes.map((a) => a.name);
  const cols = ['rank', 'trial', ...names, 'val', 'test', 'epochs', 'status', 'worker', 'folder'];
  const rows = ranked.map((t, i) => [
    String(i + 1),
    String(t.trial),
    ...names.map((k) => (t.params[k] === undefined ? '-' : formatParam(k, t.params[k]))),
    pct(t.valAcc),
    pct(t.testAcc),
    String(t.epochs),
    t.status,
    t.worker,
    relative(dir, t.dir),
  ]);
  const widths = cols.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j].length)));
  return [cols, ...rows]
    .map((r) =>
      r
        .map((c, j) => c.padEnd(widths[j]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The end of a sweep: prints the table and the best trial, drops the other trials' arrays, writes sweep.json
 * and report.html. `where` says what ran it (worker threads, or the queue).
 */
export async function finishSweep(
  plan: SweepPlan,
  dir: string,
  results: SegmentResult[],
  info: { where: string; seconds: number; log: (line: string) => void },
): Promise<Trial[]> {
  const ranked = rank(trialsOf(plan, dir, results));
  const best = ranked[0];
  for (const t of ranked) if (t !== best) rmSync(join(t.dir, RUN_FILES.checkpointNpz), { force: true });
  const { log } = info;
  log('');
  log(formatTable(plan, ranked, dir));
  if (best) {
    const rel = relative(process.cwd(), best.dir) || best.dir;
    log(
      `\nbest: trial ${best.trial} (${paramFlags(best.params, true).replace(/--/g, '')}), val ${pct(best.valAcc)}, test ${pct(best.testAcc)}`,
    );
    if (existsSync(join(best.dir, RUN_FILES.checkpointNpz)))
      log(`checkpoint kept in ${rel}; try: nabla eval ${rel}`);
  }
  const summary = {
    id: plan.id,
    finished: true,
    command: plan.command,
    search: plan.search,
    axes: plan.axes,
    rungs: plan.rungs,
    where: info.where,
    trials: ranked,
  };
  writeFileAtomic(join(dir, SWEEP_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
  await writeSweepReport(plan, dir, ranked, info);
  log(`report ${relative(process.cwd(), join(dir, SWEEP_FILES.report)) || join(dir, SWEEP_FILES.report)}`);
  return ranked;
}

async function writeSweepReport(
  plan: SweepPlan,
  dir: string,
  ranked: Trial[],
  info: { where: string; seconds: number },
): Promise<void> {
  const names = plan.axes.map((a) => a.name);
  const cell = (t: Trial, k: ParamName): string =>
    t.params[k] === undefined ? '-' : formatParam(k, t.params[k]);
  const rows = ranked
    .map((t, i) => {
      const link = existsSync(join(t.dir, RUN_FILES.report))
        ? `<a href="${escapeHtml(relative(dir, t.dir))}/report.html">trial ${t.trial}</a>`
        : `trial ${t.trial}`;
      return (
        `<tr><td>${i + 1}</td><td>${link}</td>${names.map((k) => `<td>${cell(t, k)}</td>`).join('')}` +
        `<td>${pct(t.valAcc)}</td><td>${pct(t.testAcc)}</td><td>${t.epochs}</td><td>${t.status}</td><td>${escapeHtml(t.worker)}</td></tr>`
      );
    })
    .join('');
  const best = ranked[0];
  const search =
    plan.search === 'asha'
      ? `successive halving (ASHA), rungs at epochs ${plan.rungs!.join(', ')}, eta ${plan.eta}`
      : plan.search;
  await writeReport(dir, {
    title: `nabla sweep: ${plan.label} on ${typeof plan.base.data === 'object' && plan.base.data.kind === 'builtin' ? plan.base.data.name : 'images'}`,
    summary: [
      ['trials', `${ranked.length} (${info.where}, ${formatDuration(info.seconds)})`],
      ['search', search],
      ...plan.axes.map((a): [string, string] => [a.name, formatAxis(a)]),
      ...(best
        ? [
            ['best', `trial ${best.trial}: ${paramFlags(best.params, true)}, val ${pct(best.valAcc)}`] as [
              string,
              string,
            ],
          ]
        : []),
      ['command', plan.command],
    ],
    sweep: {
      points: ranked
        .filter((t) => t.status === 'ok' || t.status === 'stopped')
        .map((t) => ({ lr: t.lr, reg: t.reg, valAcc: t.valAcc })),
    },
    extraHtml:
      `<h2>Trials, best first</h2><table><thead><tr><th>#</th><th>trial</th>${names.map((k) => `<th>${k}</th>`).join('')}` +
      `<th>val</th><th>test</th><th>epochs</th><th>status</th><th>worker</th></tr></thead><tbody>${rows}</tbody></table>`,
  });
}
