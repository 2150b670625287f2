/**
 * The course's extract_features, and the feature normalisation and bias dimension of its features notebook.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import { colorHistogramHsv } from './colorHistogram.js';
import { hogFeature } from './hog.js';

/** A feature function: one image -> a 1-D feature vector. */
export type FeatureFn = (img: NDArray) => NDArray;

/** extractFeatures' options. */
export interface ExtractFeaturesOptions {
  /** Called every 1000 images and at the end (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Applies every feature function to every image and concatenates the results: imgs (N, ...) -> (N, F)
 * float64, F the sum of the features' lengths (taken from the first image, as the course does).
 */
export function extractFeatures(
  imgs: NDArray,
  featureFns: FeatureFn[],
  options: ExtractFeaturesOptions = {},
): NDArray {
  if (imgs.ndim < 2)
    throw new Error(`extractFeatures: expected images of shape (N, ...), got ${fmtShape(imgs.shape)}`);
  const N = imgs.shape[0];
  if (N === 0) return new NDArray(new Float64Array(0), [0, 0], 'float64');
  const first = featureFns.map((fn) => fn(imgs.get(0)));
  first.forEach((f, k) => {
    if (f.ndim !== 1)
      throw new Error(
        `extractFeatures: feature function ${k} returned shape ${fmtShape(f.shape)}, expected 1-D`,
      );
  });
  const dims = first.map((f) => f.size);
  const F = dims.reduce((a, b) => a + b, 0);
  const out = new Float64Array(N * F);
  const put = (i: number, feats: NDArray[]) => {
    let o = i * F;
    feats.forEach((f, k) => {
      if (f.size !== dims[k]) {
        throw new Error(
          `extractFeatures: feature function ${k} gave ${f.size} values for image ${i} but ${dims[k]} for image 0`,
        );
      }
      const d = f.toTypedArray();
      for (let j = 0; j < d.length; j++) out[o + j] = d[j];
      o += d.length;
    });
  };
  put(0, first);
  for (let i = 1; i < N; i++) {
    const img = imgs.get(i);
    put(
      i,
      featureFns.map((fn) => fn(img)),
    );
    if (i % 1000 === 999) options.onProgress?.(i + 1, N);
  }
  options.onProgress?.(N, N);
  return new NDArray(out, [N, F], 'float64');
}

/**
 * The notebook's feature normalisation: subtract the training mean (axis 0), divide by the training std
 * (axis 0) — both fitted on `train`, applied to every array. A feature with std 0 is divided by 1 instead
 * (numpy would give NaN).
 */
export function normalizeFeatures(
  train: NDArray,
  ...others: NDArray[]
): { mean: NDArray; std: NDArray; arrays: NDArray[] } {
  if (train.ndim !== 2)
    throw new Error(`normalizeFeatures: expected features of shape (N, F), got ${fmtShape(train.shape)}`);
  const mean = train.mean(0, true);
  const centred = train.sub(mean);
  const std = centred.std(0, true);
  const safe = new NDArray(
    Float64Array.from(std.toTypedArray(), (s) => (s === 0 ? 1 : s)),
    std.shape,
    'float64',
  );
  const arrays = [centred.div(safe)];
  for (const X of others) {
    if (X.ndim !== 2 || X.shape[1] !== train.shape[1]) {
      throw new Error(
        `normalizeFeatures: features of shape ${fmtShape(X.shape)} do not match the training features ${fmtShape(train.shape)}`,
      );
    }
    arrays.push(X.sub(mean).div(safe));
  }
  return { mean, std, arrays };
}

/**
 * The features notebook's pair: HOG and a `nbin`-bin hue histogram (154 values for a 32x32 image). The
 * images must hold raw pixels in 0..255, (H, W, 3): use getCifar10Data({ subtractMean: false,
 * channelsFirst: false }).
 */
export function courseFeatureFns(nbin = 10): FeatureFn[] {
  return [hogFeature, (img) => colorHistogramHsv(img, { nbin })];
}
