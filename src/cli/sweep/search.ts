/**
 * What a sweep searches: one axis per numeric train option (a log or linear range, or a list of values),
 * and the trials drawn from them — random (log-uniform for rates, as the course teaches) or a grid.
 * The same trials come from the same flags and seed wherever the sweep runs (locally or on a queue).
 */
import { Generator } from '../../ndarray/random.js';
import { UsageError } from '../errors.js';

/** The train options a sweep can search, by their flag names. */
export const SEARCHABLE = ['lr', 'reg', 'lr-decay', 'dropout', 'batch-size', 'hidden'] as const;
export type ParamName = (typeof SEARCHABLE)[number];

/** How `lo:hi` is sampled for each option (rates and sizes span decades; fractions do not). */
const SCALES: Record<ParamName, { scale: 'log' | 'linear'; integer: boolean; min: number }> = {
  lr: { scale: 'log', integer: false, min: 0 },
  reg: { scale: 'log', integer: false, min: 0 },
  'lr-decay': { scale: 'linear', integer: false, min: 0 },
  dropout: { scale: 'linear', integer: false, min: 0 },
  'batch-size': { scale: 'log', integer: true, min: 1 },
  hidden: { scale: 'log', integer: true, min: 1 },
};

export type Axis =
  | { name: ParamName; kind: 'range'; lo: number; hi: number; scale: 'log' | 'linear'; integer: boolean }
  | { name: ParamName; kind: 'values'; values: number[] };

/** One trial's values, by option name (hidden: the width of every hidden layer). */
export type Params = Partial<Record<ParamName, number>>;

/**
 * An axis from what the user typed: `v` (fixed), `v1,v2,...` (values: a grid's points, random picks one),
 * `lo:hi` (a range, log or linear as the option's scale), `lo:hi:log` / `lo:hi:linear` (scale given).
 */
export function parseAxis(name: string, text: string, option = `--${name}`): Axis {
  if (!(SEARCHABLE as readonly string[]).includes(name))
    throw new UsageError(`${option}: '${name}' cannot be searched (valid: ${SEARCHABLE.join(', ')})`);
  const p = name as ParamName;
  const { scale, integer, min } = SCALES[p];
  const bad = (): never => {
    throw new UsageError(
      `${option}: expected a positive number or a range like 1e-4:1e-2 (or values like 1e-3,1e-2); got '${text}'`,
    );
  };
  const num = (s: string): number => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isFinite(x) || x < min || (p !== 'reg' && x <= 0)) bad();
    if (integer && !Number.isInteger(x)) bad();
    if (p === 'dropout' && x > 1) bad();
    return x;
  };
  if (text.includes(',')) return { name: p, kind: 'values', values: text.split(',').map(num) };
  const parts = text.split(':');
  if (parts.length === 1) return { name: p, kind: 'values', values: [num(parts[0])] };
  if (parts.length > 3) bad();
  const given = parts[2];
  if (given !== undefined && given !== 'log' && given !== 'linear') bad();
  const [a, b] = [num(parts[0]), num(parts[1])];
  const s = (given as 'log' | 'linear' | undefined) ?? scale;
  if (s === 'log' && Math.min(a, b) <= 0) bad();
  return { name: p, kind: 'range', lo: Math.min(a, b), hi: Math.max(a, b), scale: s, integer };
}

/** `lo:hi` or `v1,v2` as typed (for the sweep's first line). */
export function formatAxis(a: Axis): string {
  return a.kind === 'range' ? `${a.lo}:${a.hi}` : a.values.join(',');
}

/** One draw: log-uniform (10 ** uniform(log10 lo, log10 hi)) or uniform in the range, or one of the values. */
export function sampleAxis(rng: Generator, a: Axis): number {
  if (a.kind === 'values') {
    if (a.values.length === 1) return a.values[0];
    return a.values[Math.min(a.values.length - 1, Math.floor(rng.nextDouble() * a.values.length))];
  }
  if (a.lo === a.hi) return a.lo;
  const u = rng.nextDouble();
  const x =
    a.scale === 'log'
      ? 10 ** (Math.log10(a.lo) + u * (Math.log10(a.hi) - Math.log10(a.lo)))
      : a.lo + u * (a.hi - a.lo);
  return a.integer ? Math.round(x) : x;
}

/** `n` random trials: for each trial, one draw per axis in the axes' order. */
export function randomTrials(axes: Axis[], n: number, seed: number): Params[] {
  const rng = new Generator(seed);
  const trials: Params[] = [];
  for (let t = 0; t < n; t++) {
    const p: Params = {};
    for (const a of axes) p[a.name] = sampleAxis(rng, a);
    trials.push(p);
  }
  return trials;
}

/** The points of one axis in a grid: its values, or `points` evenly spaced (in log space for log ranges). */
export function gridPoints(a: Axis, points: number): number[] {
  if (a.kind === 'values') return a.values;
  if (a.lo === a.hi || points === 1) return [a.lo];
  const xs: number[] = [];
  for (let i = 0; i < points; i++) {
    const u = i / (points - 1);
    const x =
      a.scale === 'log'
        ? 10 ** (Math.log10(a.lo) + u * (Math.log10(a.hi) - Math.log10(a.lo)))
        : a.lo + u * (a.hi - a.lo);
    xs.push(a.integer ? Math.round(x) : x);
  }
  return [...new Set(xs)];
}

/** Every combination of the axes' points, the first axis changing slowest. */
export function gridTrials(axes: Axis[], points: number): Params[] {
  let trials: Params[] = [{}];
  for (const a of axes) {
    const xs = gridPoints(a, points);
    trials = trials.flatMap((p) => xs.map((x) => ({ ...p, [a.name]: x })));
  }
  return trials;
}

/** `2.00e-3` for rates, `0.5` for fractions, `128` for sizes: how a trial's value is shown. */
export function formatParam(name: ParamName, x: number): string {
  if (SCALES[name].integer) return String(x);
  return SCALES[name].scale === 'log' ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}
