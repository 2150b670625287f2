/**
 * Reading the JSON files a run or sweep folder keeps (config.json, plan.json) as a user may have left them:
 * not JSON, or a field missing or of the wrong type, is one UsageError naming the file, never a TypeError
 * further on.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** A check of one field's value. */
export type FieldCheck = (v: unknown) => boolean;

export const isObject: FieldCheck = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isString: FieldCheck = (v) => typeof v === 'string';
export const optionalNumber: FieldCheck = (v) =>
  v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** The parsed content of `file`; `what` names what it should be (`'a sweep plan'`) in the error. */
export function readJsonFile(file: string, what: string, prefix = ''): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new UsageError(`${prefix}'${file}' is not ${what} (not JSON)`);
  }
}

/** The first field of `obj` whose value fails its check, or null. */
export function malformedField(
  obj: Record<string, unknown>,
  checks: Record<string, FieldCheck>,
): string | null {
  return Object.entries(checks).find(([k, ok]) => !ok(obj[k]))?.[0] ?? null;
}
