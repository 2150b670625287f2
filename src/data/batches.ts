/**
 * Minibatches: a seeded shuffling iterator over whole epochs, and the Solver's sampling with replacement
 * (np.random.choice(num_train, batch_size)).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import { Generator } from '../ndarray/random.js';

/** One minibatch: X[indices], y[indices] and the indices (int32) into the full arrays. */
export interface Minibatch {
  X: NDArray;
  y: NDArray;
  indices: NDArray;
}

export interface MinibatchOptions {
  batchSize: number;
  /** Shuffle the order each epoch (default true); false walks the data in order. */
  shuffle?: boolean;
  /** Seed of the shuffling Generator (default 0), unless `rng` is given. */
  seed?: number;
  rng?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

function checkXY(X: NDArray, y: NDArray, op: string): number {
  if (X.ndim < 1 || y.ndim < 1 || X.shape[0] !== y.shape[0]) {
    throw new Error(
      `${op}: X of shape ${fmtShape(X.shape)} and y of shape ${fmtShape(y.shape)} differ in length`,
    );
  }
  return X.shape[0];
}

/**
 * One epoch of minibatches over (X, y): every example exactly once, in a random order drawn from the
 * seeded Generator (so the same seed gives the same batches). Call again for the next epoch; with the same
 * `rng` object each epoch gets a new order.
 */
export function* minibatches(X: NDArray, y: NDArray, options: MinibatchOptions): IterableIterator<Minibatch> {
  const N = checkXY(X, y, 'minibatches');
  const { batchSize, shuffle = true, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`minibatches: batchSize must be a positive integer, got ${batchSize}`);
  const order = shuffle
    ? (options.rng ?? new Generator(options.seed ?? 0)).permutation(N)
    : new NDArray(
        Int32Array.from({ length: N }, (_, i) => i),
        [N],
        'int32',
      );
  for (let s = 0; s < N; s += batchSize) {
    const e = Math.min(N, s + batchSize);
    if (dropLast && e - s < batchSize) break;
    const indices = order.slice(`${s}:${e}`).copy();
    yield { X: X.get(indices), y: y.get(indices), indices };
  }
}

/** The course's Solver step: batchSize indices drawn uniformly with replacement, and those examples. */
export function sampleMinibatch(X: NDArray, y: NDArray, batchSize: number, rng: Generator): Minibatch {
  const N = checkXY(X, y, 'sampleMinibatch');
  if (N === 0) throw new Error('sampleMinibatch: no examples to sample from');
  const indices = rng.randint(0, N, [batchSize]);
  return { X: X.get(indices), y: y.get(indices), indices };
}
