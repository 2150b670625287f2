/**
 * Data augmentation for CNN training on (N, C, H, W) batches: random crops of the zero-padded image and
 * horizontal flips, drawn from a seeded Generator. Each function returns a new array of the input's dtype.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { allocate } from '../ndarray/dtype.js';
import { fmtShape } from '../ndarray/shape.js';
import type { Generator } from '../ndarray/random.js';

function check4d(x: NDArray, op: string): [number, number, number, number] {
  if (x.ndim !== 4) throw new Error(`${op}: expected x of shape (N, C, H, W), got ${fmtShape(x.shape)}`);
  return x.shape as unknown as [number, number, number, number];
}

/**
 * Random crop with zero padding: each image is padded by `padding` zeros on every side and an H x W window
 * is cut at offsets (dy, dx), each uniform in 0..2*padding, drawn per image in order (dy, then dx).
 * x: (N, C, H, W) -> (N, C, H, W).
 */
export function randomCrop(x: NDArray, { padding = 4, rng }: { padding?: number; rng: Generator }): NDArray {
  const [N, C, H, W] = check4d(x, 'randomCrop');
  if (!Number.isInteger(padding) || padding < 0)
    throw new Error(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  const src = x.contiguous().toTypedArray();
  const out = allocate(x.dtype, N * C * H * W);
  for (let n = 0; n < N; n++) {
    // Shift of the window relative to the unpadded image: -padding..padding.
    const dy = rng.nextInt(2 * padding + 1) - padding;
    const dx = rng.nextInt(2 * padding + 1) - padding;
    const j0 = Math.max(0, -dx);
    const j1 = Math.min(W, W - dx);
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let i = 0; i < H; i++) {
        const si = i + dy;
        if (si < 0 || si >= H || j1 <= j0) continue;
        const o = plane + i * W;
        const s = plane + si * W + dx;
        out.set(src.subarray(s + j0, s + j1), o + j0);
      }
    }
  }
  return new NDArray(out, [N, C, H, W], x.dtype);
}

/** Horizontal flip of each image with probability p (one draw per image, flipped when nextDouble() < p). */
export function randomFlip(x: NDArray, { p = 0.5, rng }: { p?: number; rng: Generator }): NDArray {
  const [N, C, H, W] = check4d(x, 'randomFlip');
  const src = x.contiguous().toTypedArray();
  const out = allocate(x.dtype, N * C * H * W);
  for (let n = 0; n < N; n++) {
    const flip = rng.nextDouble() < p;
    const base = n * C * H * W;
    if (!flip) {
      out.set(src.subarray(base, base + C * H * W), base);
      continue;
    }
    for (let r = 0; r < C * H; r++) {
      const o = base + r * W;
      for (let j = 0; j < W; j++) out[o + j] = src[o + W - 1 - j];
    }
  }
  return new NDArray(out, [N, C, H, W], x.dtype);
}

/** Options of the training-time augmentation: random crops with zero padding, horizontal flips. */
export interface AugmentOptions {
  rng: Generator;
  /** Zero padding of the random crop (default 4, as for CIFAR-10); 0 disables cropping. */
  padding?: number;
  /** Random horizontal flips (default true). */
  flip?: boolean;
}

/** The usual CIFAR-10 augmentation: random crop with padding, then random horizontal flip. */
export function augmentBatch(x: NDArray, { rng, padding = 4, flip = true }: AugmentOptions): NDArray {
  let out = padding > 0 ? randomCrop(x, { padding, rng }) : x;
  if (flip) out = randomFlip(out, { rng });
  return out;
}

/**
 * augmentBatch as the Solver's `augment` hook, `(XBatch, rng) => XBatch`:
 * `new Solver(model, data, { augment: makeAugment({ padding: 4 }) })`.
 */
export function makeAugment(
  options: Omit<AugmentOptions, 'rng'> = {},
): (X: NDArray, rng: Generator) => NDArray {
  return (X, rng) => augmentBatch(X, { ...options, rng });
}
