/**
 * Minibatches, the one path every training loop takes: a `Dataset` (a map from example indices to a batch,
 * as PyTorch's map-style datasets), the sampler that picks each step's indices (a fresh permutation per
 * epoch, or the course's sampling with replacement), and `minibatches`, an epoch of batches for hand-written
 * loops. A batch is a tuple of arrays that a model's `loss(...batch)` takes: `[X, y]` for classification,
 * `[features, captions]` for captioning, `[X]` for unlabelled images.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { arange } from '../ndarray/creation.js';
import { fmtShape } from '../ndarray/shape.js';
import { gatherRows } from '../ndarray/indexing.js';
import { Generator } from '../ndarray/random.js';

/** Examples addressed by index: `batch(indices)` returns the examples at those indices as arrays. */
export interface Dataset {
  /** The number of examples. */
  readonly length: number;
  /** The examples at `indices` (K,) int: a tuple of arrays, each with K rows. */
  batch(indices: NDArray): NDArray[];
}

/**
 * A dataset over arrays that share their first axis (PyTorch's TensorDataset): batch(idx) is
 * [a[idx] for a in arrays]. Throws when the arrays differ in length.
 */
export class ArrayDataset implements Dataset {
  readonly arrays: NDArray[];
  readonly length: number;

  constructor(...arrays: NDArray[]) {
    if (arrays.length === 0) throw new RangeError('ArrayDataset: give at least one array');
    const n = arrays[0]?.shape?.[0];
    for (const a of arrays) {
      if (!(a instanceof NDArray) || a.ndim < 1 || a.shape[0] !== n) {
        const shapes = arrays.map((x) => (x instanceof NDArray ? fmtShape(x.shape) : String(x)));
        throw new RangeError(
          `ArrayDataset: arrays of shapes ${shapes.join(', ')} differ in length (want the same first axis)`,
        );
      }
    }
    this.arrays = arrays;
    this.length = n;
  }

  batch(indices: NDArray): NDArray[] {
    return this.arrays.map((a) => gatherRows(a, indices));
  }
}

/** `new ArrayDataset(...arrays)`. */
export const arrayDataset = (...arrays: NDArray[]): ArrayDataset => new ArrayDataset(...arrays);

/** How an epoch's example indices are drawn. */
export interface SamplerOptions {
  /** A fresh permutation each epoch (true, default), or indices drawn with replacement as the course's solver.py. */
  shuffle?: boolean;
}

/**
 * Picks the indices of every step. With shuffle, step t of an epoch takes rows [k·B, (k+1)·B) of that epoch's
 * permutation (k = t mod steps per epoch), drawn from `rng` when the epoch starts; without, B indices drawn
 * uniformly with replacement. `order` (this epoch's permutation) is part of a mid-epoch checkpoint.
 */
export class BatchSampler {
  /** This epoch's permutation (null before the first step or without shuffle). */
  order: NDArray | null = null;

  constructor(
    readonly length: number,
    readonly batchSize: number,
    readonly rng: Generator,
    readonly shuffle = true,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`BatchSampler: batchSize must be a whole number >= 1, got ${batchSize}`);
    if (length < 1) throw new RangeError('BatchSampler: no examples to sample from');
  }

  /** Steps in one pass over the data (at least 1; the last partial batch is dropped, as solver.py does). */
  get stepsPerEpoch(): number {
    return Math.max(Math.floor(this.length / this.batchSize), 1);
  }

  /** The indices of step t (0-based, counted from the start of training). */
  indices(t: number): NDArray {
    if (!this.shuffle) return this.rng.randint(0, this.length, [this.batchSize]);
    const k = t % this.stepsPerEpoch;
    if (k === 0 || this.order === null) this.order = this.rng.permutation(this.length);
    const size = Math.min(this.batchSize, this.length);
    return this.order.slice(`${k * size}:${(k + 1) * size}`);
  }
}

/** How minibatches are drawn: size, order, seed. */
export interface MinibatchOptions {
  batchSize: number;
  /** Shuffle the order (default true); false walks the data in order. */
  shuffle?: boolean;
  /** Seed of the shuffling Generator (default 0), unless `rng` is given. */
  seed?: number;
  rng?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * One epoch of minibatches: every example exactly once, in a random order drawn from the seeded Generator
 * (the same seed gives the same batches), each as `{ batch, indices }`. Call again for the next epoch; with
 * the same `rng` object each epoch gets a new order.
 */
export function* minibatches(
  data: Dataset,
  options: MinibatchOptions,
): IterableIterator<{ batch: NDArray[]; indices: NDArray }> {
  const N = data.length;
  const { batchSize, shuffle = true, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`minibatches: batchSize must be a whole number >= 1, got ${batchSize}`);
  const order = shuffle
    ? (options.rng ?? new Generator(options.seed ?? 0)).permutation(N)
    : arange(N, undefined, 1, 'int32');
  for (let s = 0; s < N; s += batchSize) {
    const e = Math.min(N, s + batchSize);
    if (dropLast && e - s < batchSize) break;
    const indices = order.slice(`${s}:${e}`).copy();
    yield { batch: data.batch(indices), indices };
  }
}
