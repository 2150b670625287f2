/**
 * Inverted dropout: in train mode each unit is kept with probability p and scaled by 1/p, so the
 * expected activation is unchanged and test mode is the identity.
 */
import { Generator, defaultRng } from '../ndarray/random.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { checkFloat, fail, fmtShape } from './util.js';

/** The course's dropout_param: keep probability p, mode, and an optional seed. */
export interface DropoutParam {
  /** The probability of KEEPING each unit, in (0, 1]. */
  p: number;
  mode: 'train' | 'test';
  /** When set, the mask comes from `new Generator(seed)`: the same seed gives the same mask. */
  seed?: number;
  /** Without a seed, the generator to draw from (else the default generator). */
  rng?: Generator;
}

/** The cache, as in the course: the param object and the mask (null in test mode). */
export type DropoutCache = [dropoutParam: DropoutParam, mask: NDArray | null];

/**
 * Dropout forward.
 * - x: any shape; dropoutParam: { p, mode, seed?, rng? }
 * Returns [out (shape of x), cache = [dropoutParam, mask]], mask holding 0 or 1/p per unit.
 */
export function dropoutForward(x: NDArray, dropoutParam: DropoutParam): [NDArray, DropoutCache] {
  checkFloat('dropoutForward', 'x', x);
  const { p, mode } = dropoutParam;
  if (!(p > 0 && p <= 1)) fail('dropoutForward', `p (the keep probability) must be in (0, 1], got ${p}`);
  if (mode === 'test') return [x, [dropoutParam, null]];
  if (mode !== 'train') fail('dropoutForward', `dropoutParam.mode must be 'train' or 'test', got '${mode}'`);
  const rng =
    dropoutParam.seed !== undefined ? new Generator(dropoutParam.seed) : (dropoutParam.rng ?? defaultRng);
  const mask = rng
    .rand(x.shape)
    .lt(p)
    .astype(x.dtype)
    .mulInPlace(1 / p);
  return [x.mul(mask), [dropoutParam, mask]];
}

/** Dropout backward: dx = dout·mask in train mode, dout in test mode. Returns [dx]. */
export function dropoutBackward(dout: NDArray, cache: DropoutCache): [NDArray] {
  const [, mask] = cache;
  if (mask === null) return [dout];
  if (dout.ndim !== mask.ndim || dout.shape.some((d, i) => d !== mask.shape[i]))
    fail(
      'dropoutBackward',
      `dout of shape ${fmtShape(dout.shape)} does not match x of shape ${fmtShape(mask.shape)}`,
    );
  return [dout.mul(mask)];
}
