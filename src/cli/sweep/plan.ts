/**
 * A sweep's plan: its trials (each a train job, as `nabla train` would run it), how they are scheduled, and
 * an id that the same flags always give — so rerunning the same command finds the sweep to continue, and
 * the queue's jobs of a sweep are named by it.
 */
import { createHash } from 'node:crypto';
import { modelOptions, TRAIN_DEFAULTS } from '../../models/registry.js';
import { UsageError } from '../errors.js';
import { trainJobFromFlags, type JobFlags } from '../train/config.js';
import type { TrainJob } from '../train/job.js';
import { ashaRungs } from './schedule.js';
import { formatParam, gridTrials, randomTrials, type Axis, type ParamName, type Params } from './search.js';

export const SEARCHES = ['random', 'grid', 'asha'] as const;
export type SearchName = (typeof SEARCHES)[number];

/** What `nabla sweep` was asked: the train options, the axes and the search. */
export interface SweepFlags extends Omit<JobFlags, 'lr' | 'reg'> {
  out: string;
  lr?: Axis;
  reg?: Axis;
  /** --param name=spec, any searchable option. */
  param?: Axis[];
  search: SearchName;
  trials: number;
  /** --trials was given (a grid's size is its points'). */
  trialsExplicit?: boolean;
  gridPoints: number;
  eta: number;
  minEpochs: number;
  workers?: number;
  queue?: string;
  resume?: string;
  /** Largest trial artefact (checkpoint, metrics, report) a queue worker stores in Redis, in MiB. */
  blobLimit: number;
}

export interface SweepPlan {
  /** Stable for the same flags: `<model>-<10 hex digits>`. */
  id: string;
  label: string;
  search: SearchName;
  axes: Axis[];
  trials: Params[];
  /** ASHA's rungs (epochs); null for random and grid. */
  rungs: number[] | null;
  eta: number;
  /** The train flags every trial shares (before its own values). */
  base: JobFlags;
  /** The command line, with any password hidden. */
  command: string;
}

/** The axes searched: --lr and --reg (with the course's default ranges), then each --param. */
function axesOf(flags: SweepFlags, name: keyof typeof TRAIN_DEFAULTS): Axis[] {
  const d = TRAIN_DEFAULTS[name];
  const params = flags.param ?? [];
  const given = (p: ParamName): Axis | undefined => params.find((a) => a.name === p);
  const lr = given('lr') ?? flags.lr ?? range('lr', d.lr / 10, d.lr * 10);
  const reg = given('reg') ?? flags.reg ?? range('reg', 1e-5, 1e-1);
  const rest = params.filter((a) => a.name !== 'lr' && a.name !== 'reg');
  const names = rest.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`nabla sweep: --param ${dup} is given twice`);
  return [lr, reg, ...rest];
}

function range(name: ParamName, lo: number, hi: number): Axis {
  return { name, kind: 'range', lo, hi, scale: 'log', integer: false };
}

export function planSweep(flags: SweepFlags, command: string): SweepPlan {
  const name = flags.model.kind === 'file' ? 'layers' : flags.model.name;
  if (name === 'knn')
    throw new UsageError('sweep: knn has no learning rate; try `nabla train --model knn --k 5`');
  const label = flags.model.kind === 'builtin' ? flags.model.name : 'layers';
  const axes = axesOf(flags, name);
  let trials: Params[];
  let rungs: number[] | null = null;
  if (flags.search === 'grid') {
    if (flags.trialsExplicit)
      throw new UsageError(
        'nabla sweep: --trials: a grid has one trial per point (set the points with values or --grid-points)',
      );
    trials = gridTrials(axes, flags.gridPoints);
  } else {
    trials = randomTrials(axes, flags.trials, flags.seed);
  }
  if (flags.search === 'asha') {
    const epochs = flags.epochs ?? TRAIN_DEFAULTS[name].epochs;
    if (!Number.isInteger(epochs) || epochs < 2)
      throw new UsageError(`nabla sweep --search asha: --epochs must be a whole number >= 2, got ${epochs}`);
    if (flags.minEpochs >= epochs)
      throw new UsageError(
        `nabla sweep --search asha: --min-epochs ${flags.minEpochs} must be < --epochs ${epochs}`,
      );
    rungs = ashaRungs(epochs, flags.minEpochs, flags.eta);
  }
  const base = { ...flags, report: true } as Record<string, unknown>;
  for (const k of [
    'lr',
    'reg',
    'out',
    'param',
    'search',
    'trials',
    'trialsExplicit',
    'gridPoints',
    'eta',
    'minEpochs',
    'workers',
    'queue',
    'resume',
    'blobLimit',
  ])
    delete base[k];
  // The id covers what the trials are, not where they run (--out, --workers, --queue, --blob-limit).
  const what = JSON.stringify({ base, axes, trials, rungs, eta: rungs ? flags.eta : null });
  const id = `${label}-${createHash('sha256').update(what).digest('hex').slice(0, 10)}`;
  return {
    id,
    label,
    search: flags.search,
    axes,
    trials,
    rungs,
    eta: flags.eta,
    base: base as unknown as JobFlags,
    command,
  };
}

/** The train job of trial `t` (1-based) in `runDir`. */
export function trialJob(plan: SweepPlan, t: number, runDir: string): TrainJob {
  const p = plan.trials[t - 1];
  const flags: JobFlags = { ...plan.base };
  if (p.lr !== undefined) flags.lr = p.lr;
  if (p.reg !== undefined) flags.reg = p.reg;
  if (p['lr-decay'] !== undefined) flags.lrDecay = p['lr-decay'];
  if (p.dropout !== undefined) flags.dropout = p.dropout;
  if (p['batch-size'] !== undefined) flags.batchSize = p['batch-size'];
  if (p.hidden !== undefined) flags.hidden = Array(hiddenLayers(plan.base)).fill(p.hidden);
  return trainJobFromFlags(flags, runDir, `${plan.command}  # trial ${t}: ${paramFlags(p)}`);
}

/** `--lr 0.001 --reg 0.00002 --hidden 128`: a trial's values as train flags (`short`: 3 digits). */
export function paramFlags(p: Params, short = false): string {
  return Object.entries(p)
    .map(([k, v]) => `--${k} ${short ? formatParam(k as ParamName, v) : v}`)
    .join(' ');
}

/** How many hidden layers the model has (a searched width applies to each). */
function hiddenLayers(base: JobFlags): number {
  if (base.hidden) return base.hidden.length;
  if (base.model.kind === 'file') return 1;
  const o = modelOptions(base.model.name, { reg: 0 });
  return Array.isArray(o.hiddenDims) ? o.hiddenDims.length : 1;
}
