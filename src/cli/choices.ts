/**
 * The values the CLI's options accept, and the parsers that check them. Each parser throws a UsageError
 * whose one line names the option and lists the valid choices, so a typo is fixed at a glance.
 */
import { existsSync } from 'node:fs';
import { CAPTION_DATASET_NAMES, DATASET_NAMES, type DataSpec } from '../data/datasetNames.js';
import { UsageError } from './errors.js';

import { MODELS, type ModelName, type OptimizerName } from '../models/registry.js';
import { LR_SCHEDULES, type LrScheduleName } from '../optim/schedules.js';

export { MODELS, type ModelName, type OptimizerName };

export const OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'sgd-momentum', 'rmsprop', 'adam'];

export const NORMALIZATIONS = ['none', 'batchnorm', 'layernorm'] as const;
export type NormalizationName = (typeof NORMALIZATIONS)[number];

export const DTYPES = ['float32', 'float64'] as const;
export type FloatDType = (typeof DTYPES)[number];

export const SCHEDULES = LR_SCHEDULES;
export type ScheduleName = LrScheduleName;

export const AUGMENTATIONS = ['none', 'flip', 'crop', 'flip+crop'] as const;
export type AugmentName = (typeof AUGMENTATIONS)[number];

/** A model as the user named it: a built-in, or a JSON file of Sequential layer definitions. */
export type ModelSpec = { kind: 'builtin'; name: ModelName } | { kind: 'file'; path: string };

function choice<T extends string>(option: string, valid: readonly T[], extra = ''): (v: string) => T {
  return (v: string) => {
    if ((valid as readonly string[]).includes(v)) return v as T;
    throw new UsageError(`${option}: unknown value '${v}' (valid: ${valid.join(', ')}${extra})`);
  };
}

export const parseOptimizer = choice('--optimizer', OPTIMIZERS);
export const parseNormalization = choice('--normalization', NORMALIZATIONS);
export const parseDType = choice('--dtype', DTYPES);
export const parseAugment = choice('--augment', AUGMENTATIONS);
export const parseSchedule = choice('--lr-schedule', SCHEDULES);

export function parseModel(v: string): ModelSpec {
  if ((MODELS as readonly string[]).includes(v)) return { kind: 'builtin', name: v as ModelName };
  if (v.endsWith('.json')) {
    if (!existsSync(v)) throw new UsageError(`--model: no such file '${v}'`);
    return { kind: 'file', path: v };
  }
  throw new UsageError(`--model: unknown model '${v}' (valid: ${MODELS.join(', ')}, or a layers .json file)`);
}

export function parseData(v: string): DataSpec {
  const names: readonly string[] = [...DATASET_NAMES, ...CAPTION_DATASET_NAMES];
  if (names.includes(v)) return { kind: 'builtin', name: v as (typeof DATASET_NAMES)[number] };
  if (existsSync(v)) return { kind: 'path', path: v };
  throw new UsageError(
    `--data: unknown data set '${v}' (valid: ${names.join(', ')}, or a folder or .tar.gz of split/class/images, or of the course's COCO captioning files)`,
  );
}

/** A number, finite. */
export function parseNumber(option: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${option}: '${v}' is not a number`);
    return x;
  };
}

/** A number > 0. */
export function parsePositive(option: string): (v: string) => number {
  return (v: string) => {
    const x = parseNumber(option)(v);
    if (x <= 0) throw new UsageError(`${option}: must be > 0, got ${v}`);
    return x;
  };
}

/** A number >= 0. */
export function parseNonNegative(option: string): (v: string) => number {
  return (v: string) => {
    const x = parseNumber(option)(v);
    if (x < 0) throw new UsageError(`${option}: must be >= 0, got ${v}`);
    return x;
  };
}

/** A whole number in [min, max]; beyond 2^53 - 1 a double no longer holds every whole number (1e30 was taken). */
export function parseInteger(option: string, min = 1, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    const x = parseNumber(option)(v);
    if (!Number.isInteger(x) || x < min || x > max) {
      const range = max === Number.MAX_SAFE_INTEGER && x <= max ? `>= ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`${option}: must be a whole number ${range}, got ${v}`);
    }
    return x;
  };
}

/** A fraction in [lo, hi) (or with the ends included or not as asked). */
export function parseFraction(
  option: string,
  lo = 0,
  hi = 1,
  hiInclusive = false,
  loInclusive = true,
): (v: string) => number {
  return (v: string) => {
    const x = parseNumber(option)(v);
    if (x < lo || x > hi || (!hiInclusive && x === hi) || (!loInclusive && x === lo)) {
      throw new UsageError(
        `${option}: must be in ${loInclusive ? '[' : '('}${lo}, ${hi}${hiInclusive ? ']' : ')'}, got ${v}`,
      );
    }
    return x;
  };
}

/** Comma-separated hidden sizes, e.g. "100,100". */
export function parseHidden(v: string): number[] {
  const dims = v.split(',').map((s) => Number(s.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new UsageError(`--hidden: expected comma-separated sizes like 100 or 256,128; got '${v}'`);
  }
  return dims;
}

/** A value or a log-space range for a sweep: "1e-3" (fixed) or "1e-4:1e-2" (sampled log-uniformly). */
export interface LogRange {
  lo: number;
  hi: number;
}

export function parseLogRange(option: string): (v: string) => LogRange {
  return (v: string) => {
    const parts = v.split(':');
    const nums = parts.map((p) => Number(p));
    if (parts.length > 2 || nums.some((x, i) => parts[i].trim() === '' || !Number.isFinite(x) || x <= 0)) {
      throw new UsageError(`${option}: expected a positive number or a range like 1e-4:1e-2; got '${v}'`);
    }
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    return { lo, hi };
  };
}
