/**
 * A seeded random generator whose streams are identical on every platform: xoshiro128** on 32-bit
 * integer arithmetic (Math.imul, >>>), seeded through splitmix32, so no engine-specific behaviour enters.
 * One `Generator` is meant to be threaded through everything (init, dropout, shuffling, sampling);
 * the module-level functions use a default generator that `seed()` resets.
 */
import type { DType } from './dtype.js';
import { NDArray, allocArray } from './ndarray.js';
import { checkShape, type Shape } from './shape.js';
import type { ShapeArg } from './creation.js';

function splitmix32(s: number): () => number {
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const toShape = (s: ShapeArg | undefined, op: string): number[] =>
  s === undefined ? [] : checkShape(typeof s === 'number' ? [s] : s, op);

/** A seeded random generator (xoshiro128**), numpy's `np.random.Generator` for nabla: the same seed gives the same numbers on every backend and platform. */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number = Date.now()) {
    this.seed(seed);
  }

  /** Resets the stream: the same seed always gives the same numbers. */
  seed(seed: number): void {
    // Any other number would share a stream with a whole seed (-1 and 0.5 with 0), as numpy refuses them.
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(
        `seed: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (2^53 - 1), got ${seed}`,
      );
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296);
    const a = splitmix32(lo);
    // Seeds below 2^32 keep their streams; above, the high word seeds a second splitmix interleaved with
    // the first, so no two seeds share a state (folding hi onto lo made 2^32 + 1 the stream of 0).
    const b = hi === 0 ? a : splitmix32(hi);
    this.s0 = a();
    this.s1 = b();
    this.s2 = a();
    this.s3 = b();
    this.spare = null;
  }

  /** The generator's full state, for checkpoints. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spare ?? NaN];
  }

  /** Restores a state taken with getState (checkpoints resume the same stream). */
  setState(state: readonly number[]): void {
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4];
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A standard normal sample (Box–Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.nextDouble();
    const v = this.nextDouble();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An unbiased integer in [0, n) (rejection sampling, n ≤ 2^32). */
  nextInt(n: number): number {
    if (n <= 0) throw new RangeError(`randint: high must be greater than low (range ${n})`);
    if (n > 4294967296) return Math.floor(this.nextDouble() * n);
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }

  private fill(shape: ShapeArg | undefined, dtype: DType, op: string, f: () => number): NDArray {
    const a = allocArray(toShape(shape, op), dtype, op);
    const d = a.data;
    for (let i = 0; i < d.length; i++) d[i] = f();
    return a;
  }

  /** Uniform samples in [0, 1) of the given shape (rand(2, 3) or rand([2, 3])). */
  rand(...shape: (number | Shape)[]): NDArray {
    return this.fill(flatShape(shape), 'float64', 'rand', () => this.nextDouble());
  }

  /** Standard normal samples of the given shape. */
  randn(...shape: (number | Shape)[]): NDArray {
    return this.fill(flatShape(shape), 'float64', 'randn', () => this.nextGaussian());
  }

  /** Integers in [low, high) (or [0, low) when high is omitted), int32. */
  randint(low: number, high?: number, shape?: ShapeArg): NDArray {
    if (high === undefined) [low, high] = [0, low];
    if (!Number.isInteger(low) || !Number.isInteger(high))
      throw new TypeError('randint: bounds must be integers');
    if (high <= low) throw new RangeError(`randint: low >= high (${low} >= ${high})`);
    const n = high - low;
    return this.fill(shape, 'int32', 'randint', () => low + this.nextInt(n));
  }

  /** Gaussian samples N(loc, scale²) of `shape` (np.random.normal). */
  normal(loc = 0, scale = 1, shape?: ShapeArg, dtype: DType = 'float64'): NDArray {
    if (scale < 0) throw new RangeError(`normal: scale must be non-negative, got ${scale}`);
    return this.fill(shape, dtype, 'normal', () => loc + scale * this.nextGaussian());
  }

  /** Uniform samples in [low, high) of `shape` (np.random.uniform). */
  uniform(low = 0, high = 1, shape?: ShapeArg, dtype: DType = 'float64'): NDArray {
    return this.fill(shape, dtype, 'uniform', () => low + (high - low) * this.nextDouble());
  }

  /** A random permutation of arange(n), or a shuffled copy of `x` along axis 0. */
  permutation(x: number | NDArray): NDArray {
    if (typeof x === 'number') {
      if (!Number.isInteger(x) || x < 0)
        throw new RangeError(`permutation: expected a non-negative integer, got ${x}`);
      const a = allocArray([x], 'int32', 'permutation');
      const d = a.data;
      for (let i = 0; i < x; i++) d[i] = i;
      this.shuffleBuffer(d as Int32Array);
      return a;
    }
    const c = x.copy();
    this.shuffle(c);
    return c;
  }

  /** Shuffles `x` in place along its first axis (Fisher–Yates). */
  shuffle(x: NDArray): void {
    if (x.ndim === 0) throw new RangeError('shuffle: cannot shuffle a 0-d array');
    const n = x.shape[0];
    if (x.ndim === 1) {
      for (let i = n - 1; i > 0; i--) {
        const j = this.nextInt(i + 1);
        const oi = x.offset + i * x.strides[0];
        const oj = x.offset + j * x.strides[0];
        const t = x.data[oi];
        x.data[oi] = x.data[oj];
        x.data[oj] = t;
      }
      return;
    }
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      if (i === j) continue;
      const a = x.slice(i);
      const b = x.slice(j);
      const t = a.copy();
      a.set('...', b);
      b.set('...', t);
    }
  }

  private shuffleBuffer(d: Int32Array): void {
    for (let i = d.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = d[i];
      d[i] = d[j];
      d[j] = t;
    }
  }

  /**
   * Samples from arange(a) (or from the 1-D array a): with replacement by default, optionally with
   * probabilities p; without replacement draws distinct elements (size ≤ the population).
   */
  choice(
    a: number | NDArray,
    size?: ShapeArg,
    { replace = true, p }: { replace?: boolean; p?: NDArray | number[] } = {},
  ): NDArray {
    const pop = typeof a === 'number' ? a : a.shape[0];
    if (typeof a !== 'number' && a.ndim !== 1) throw new RangeError('choice: a must be 1-dimensional');
    if (!Number.isInteger(pop) || pop <= 0)
      throw new RangeError('choice: a must be a positive integer or a non-empty array');
    const shape = toShape(size, 'choice');
    const count = shape.reduce((x, y) => x * y, 1);
    let probs: Float64Array | null = null;
    if (p) {
      probs = Float64Array.from(p instanceof NDArray ? p.toTypedArray() : p);
      if (probs.length !== pop)
        throw new RangeError(`choice: a and p must have the same size (${pop} vs ${probs.length})`);
      const total = probs.reduce((x, y) => x + y, 0);
      if (probs.some((v) => v < 0) || Math.abs(total - 1) > 1e-8)
        throw new RangeError('choice: probabilities must be non-negative and sum to 1');
    }
    const idx = new Int32Array(count);
    if (replace) {
      for (let i = 0; i < count; i++) idx[i] = probs ? this.sampleCdf(probs) : this.nextInt(pop);
    } else {
      if (count > pop)
        throw new RangeError(
          `choice: cannot take a larger sample (${count}) than population (${pop}) when replace is false`,
        );
      if (probs) {
        const w = Float64Array.from(probs);
        for (let i = 0; i < count; i++) {
          const s = w.reduce((x, y) => x + y, 0);
          if (s <= 0) throw new RangeError('choice: fewer non-zero entries in p than size');
          for (let k = 0; k < w.length; k++) w[k] /= s;
          const j = this.sampleCdf(w);
          idx[i] = j;
          w[j] = 0;
        }
      } else {
        // A partial Fisher–Yates over the population.
        const perm = new Int32Array(pop);
        for (let i = 0; i < pop; i++) perm[i] = i;
        for (let i = 0; i < count; i++) {
          const j = i + this.nextInt(pop - i);
          const t = perm[i];
          perm[i] = perm[j];
          perm[j] = t;
          idx[i] = perm[i];
        }
      }
    }
    const out = new NDArray(idx, shape, 'int32');
    return typeof a === 'number' ? out : a.get(out);
  }

  private sampleCdf(p: Float64Array): number {
    const u = this.nextDouble();
    let acc = 0;
    for (let i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function flatShape(args: (number | Shape)[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as Shape)] : (args as number[]);
}

/** The module-level generator behind the free functions below. */
export const defaultRng = new Generator(0);

/** Seeds the default generator (np.random.seed). */
export function seed(s: number): void {
  defaultRng.seed(s);
}

/** Creates a new independent generator (np.random.default_rng). */
export function rng(s: number): Generator {
  return new Generator(s);
}

/** Uniform [0, 1) samples of the given shape from the default generator (np.random.rand). */
export const rand = (...shape: (number | Shape)[]) => defaultRng.rand(...shape);
/** Standard normal samples of the given shape from the default generator (np.random.randn). */
export const randn = (...shape: (number | Shape)[]) => defaultRng.randn(...shape);
/** Integers in [low, high) (or [0, low)) of `shape` from the default generator (np.random.randint). */
export const randint = (low: number, high?: number, shape?: ShapeArg) => defaultRng.randint(low, high, shape);
/** Gaussian samples from the default generator (np.random.normal). */
export const normal = (loc?: number, scale?: number, shape?: ShapeArg, dtype?: DType) =>
  defaultRng.normal(loc, scale, shape, dtype);
/** Uniform [low, high) samples from the default generator (np.random.uniform). */
export const uniform = (low?: number, high?: number, shape?: ShapeArg, dtype?: DType) =>
  defaultRng.uniform(low, high, shape, dtype);
/** Samples from `a` (or range(a)) with or without replacement, from the default generator (np.random.choice). */
export const choice = (
  a: number | NDArray,
  size?: ShapeArg,
  opts?: { replace?: boolean; p?: NDArray | number[] },
) => defaultRng.choice(a, size, opts);
/** A shuffled copy of x (or of range(x)) from the default generator (np.random.permutation). */
export const permutation = (x: number | NDArray) => defaultRng.permutation(x);
/** Shuffles x along its first axis in place, from the default generator (np.random.shuffle). */
export const shuffle = (x: NDArray) => defaultRng.shuffle(x);
