import { describe, expect, it } from 'vitest';
import {
  appendBias,
  colorHistogramHsv,
  courseFeatureFns,
  extractFeatures,
  hogFeature,
  normalizeFeatures,
  rgb2gray,
  rgbToHsv,
} from '../../src/features/index.js';
import { array, zeros } from '../../src/ndarray/index.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import golden from '../golden/data_features.json' with { type: 'json' };
import { expectClose, fromGolden } from '../data/helpers.js';

const images = golden.images.map((g) => fromGolden(g));

describe('hogFeature', () => {
  it("matches the course's hog_feature (numpy + scipy uniform_filter) on colour and gray images", () => {
    images.forEach((im, k) => expectClose(hogFeature(im), golden.hog[k], 1e-9, 1e-12));
    expectClose(hogFeature(fromGolden(golden.gray)), golden.hogGray, 1e-9, 1e-12);
    // uint8 input gives the same result as float.
    expectClose(hogFeature(images[0].astype('uint8')), golden.hog[0], 1e-9, 1e-12);
  });

  it('hand-checked: a vertical edge fills bin 4 of the cells it crosses', () => {
    // Gray 16x16: columns 0..7 are 0, columns 8..15 are 10. gx = 10 at column 7 only, gy = 0, so
    // ori = atan2(0, 10) * 180/pi + 90 = 90 degrees: bin 4 (80..100). Cells (row r, col 0) each hold eight
    // pixels of magnitude 10, mean 80/64 = 1.25. The course's .T puts cell (row b, col a) at [a, b].
    const img = zeros([16, 16]);
    img.set([':', '8:'], 10);
    const h = hogFeature(img).reshape(2, 2, 9);
    expect(h.get(0, 0).toArray()).toEqual([0, 0, 0, 0, 1.25, 0, 0, 0, 0]);
    expect(h.get(0, 1).toArray()).toEqual([0, 0, 0, 0, 1.25, 0, 0, 0, 0]);
    expect(h.get(1).sum().item()).toBe(0);
    // A course quirk, kept: purely vertical gradients (gx = 0) count nowhere. Going down, atan2(10, 1e-15)
    // rounds to pi/2 and ori to exactly 180 (excluded); going up, ori is exactly 0 (fails ori > 0).
    // numpy's hog_feature gives all zeros for both images too.
    const down = zeros([16, 16]);
    down.set(['8:'], 10);
    expect(hogFeature(down).sum().item()).toBe(0);
    const up = zeros([16, 16]);
    up.set(['0:8'], 10);
    expect(hogFeature(up).sum().item()).toBe(0);
    expect(hogFeature(zeros([8, 8])).toArray()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("rgb2gray uses the course's weights", () => {
    const g = rgb2gray(array([[[100, 10, 50]]]));
    expect(g.item(0, 0)).toBeCloseTo(100 * 0.299 + 10 * 0.587 + 50 * 0.144, 12);
    expect(() => hogFeature(zeros([2, 2, 2, 2]))).toThrow(/expected an image of shape/);
  });
});

describe('colorHistogramHsv', () => {
  it("matches the course's color_histogram_hsv (matplotlib rgb_to_hsv + np.histogram)", () => {
    images.forEach((im, k) => {
      expectClose(colorHistogramHsv(im), golden.hist[k], 1e-12, 1e-15);
      expectClose(colorHistogramHsv(im, { normalized: false }), golden.histCounts[k], 1e-12, 1e-12);
      expectClose(colorHistogramHsv(im, { nbin: 7, xmin: 10, xmax: 255 }), golden.hist7[k], 1e-12, 1e-15);
    });
    expectClose(rgbToHsv(images[2].div(255)), golden.hsv, 1e-12, 1e-15);
  });

  it('hand-checked on a 2x2 image: red, green, blue and gray pixels', () => {
    // Hues: red 0 -> bin 0, green 1/3 -> 85 -> bin 3, blue 2/3 -> 170 -> bin 6, gray 0 -> bin 0.
    const img = array([
      [
        [255, 0, 0],
        [0, 255, 0],
      ],
      [
        [0, 0, 255],
        [128, 128, 128],
      ],
    ]);
    const h = colorHistogramHsv(img).toTypedArray();
    expect(Array.from(h).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([
      0.5, 0, 0, 0.25, 0, 0, 0.25, 0, 0, 0,
    ]);
    expect(() => colorHistogramHsv(img.mul(2))).toThrow(/above xmax/);
  });
});

describe('extractFeatures and normalisation', () => {
  it('concatenates every feature function per image, with progress', () => {
    const imgs = new NDArray(
      Float64Array.from(images[0].toTypedArray().slice(0, 2 * 16 * 16 * 3)),
      [2, 16, 16, 3],
      'float64',
    );
    const calls: number[] = [];
    const F = extractFeatures(imgs, [hogFeature, (im) => colorHistogramHsv(im, { nbin: 5 })], {
      onProgress: (done) => calls.push(done),
    });
    expect(F.shape).toEqual([2, 4 * 9 + 5]);
    expect(F.dtype).toBe('float64');
    expect(F.get(1, '0:36').toArray()).toEqual(hogFeature(imgs.get(1)).toArray());
    expect(F.get(1, '36:').toArray()).toEqual(colorHistogramHsv(imgs.get(1), { nbin: 5 }).toArray());
    expect(calls).toEqual([2]);
    const course = extractFeatures(imgs, courseFeatureFns(5));
    expect(course.toArray()).toEqual(F.toArray());
  });

  it("normalizes with training mean/std and appends the bias column, as the course's notebook", () => {
    const { arrays } = normalizeFeatures(fromGolden(golden.F), fromGolden(golden.Fval));
    expectClose(appendBias(arrays[0]), golden.Fnorm, 1e-12, 1e-12);
    expectClose(arrays[1], golden.FvalNorm, 1e-12, 1e-12);
    // A constant feature is centred, not turned into NaN.
    const c = normalizeFeatures(
      array([
        [1, 5],
        [2, 5],
      ]),
    ).arrays[0];
    expect(c.toArray()).toEqual([
      [-1, 0],
      [1, 0],
    ]);
  });
});
