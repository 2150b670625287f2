/** SimCLR's augmentation: each transform against torchvision (scripts/golden_simclr_augment.py), and the seeded pipeline. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  CIFAR_MEAN,
  CIFAR_STD,
  computeTrainTransform,
  randomResizedCropParams,
  resizedCrop,
  toGrayscale,
} from '../../src/data/simclrAugment.js';
import { Generator, loadNpz } from '../../src/ndarray/index.js';

const golden = loadNpz(fileURLToPath(new URL('../golden/simclr_augment.npz', import.meta.url)));
const img = (): Float64Array => Float64Array.from(golden.img.toTypedArray());
const HW = 13 * 11;
const maxDiff = (a: ArrayLike<number>, key: string): number => {
  const b = golden[key].toTypedArray();
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe("SimCLR's transforms equal torchvision's", () => {
  it('brightness, contrast, saturation, grayscale (float64: to 1e-12)', () => {
    const cases: [string, (p: Float64Array) => void][] = [
      ['brightness', (p) => adjustBrightness(p, 1.3)],
      ['contrast', (p) => adjustContrast(p, HW, 0.7)],
      ['saturation', (p) => adjustSaturation(p, HW, 1.4)],
      ['grayscale', (p) => toGrayscale(p, HW)],
    ];
    for (const [key, f] of cases) {
      const p = img();
      f(p);
      expect(maxDiff(p, key), key).toBeLessThan(1e-12);
    }
  });

  it('hue, both ways (torchvision rounds to float32 inside adjust_hue: to 1e-6)', () => {
    for (const [key, h] of [
      ['hue+', 0.08],
      ['hue-', -0.05],
    ] as const) {
      const p = img();
      adjustHue(p, HW, h);
      expect(maxDiff(p, key), key).toBeLessThan(1e-6);
      expect(maxDiff(p, key), key).toBeGreaterThan(0); // the image did change: not a no-op passing by luck
    }
    const p = img();
    adjustHue(p, HW, 0);
    expect(maxDiff(p, 'img')).toBeLessThan(1e-12);
  });

  it('resized crop, downscaling and upscaling, bilinear without antialiasing', () => {
    expect(maxDiff(resizedCrop(img(), 13, 11, [2, 3, 9, 7], 4, 5), 'crop/down')).toBeLessThan(1e-12);
    expect(maxDiff(resizedCrop(img(), 13, 11, [1, 2, 10, 8], 32, 32), 'crop/up')).toBeLessThan(1e-12);
    expect(() => resizedCrop(img(), 13, 11, [5, 0, 9, 7], 4, 4)).toThrow(/does not fit a 13x11 image/);
  });
});

describe('computeTrainTransform', () => {
  const batch = new Generator(0).uniform(0, 1, [6, 3, 32, 32], 'float32');

  it('is seeded: the same generator state gives the same batch, another seed another', () => {
    const a = computeTrainTransform(batch, { rng: new Generator(1) });
    const b = computeTrainTransform(batch, { rng: new Generator(1) });
    const c = computeTrainTransform(batch, { rng: new Generator(2) });
    expect(a.shape).toEqual([6, 3, 32, 32]);
    expect(a.dtype).toBe('float32');
    expect(b.toArray()).toEqual(a.toArray());
    expect(c.toArray()).not.toEqual(a.toArray());
  });

  it('with every random step off, it is the normalisation of the image', () => {
    // A window of the whole image (scale 1, ratio 1) resized to its own size changes nothing.
    const rng = new Generator(0);
    expect(randomResizedCropParams(32, 32, rng, [1, 1], [1, 1])).toEqual([0, 0, 32, 32]);
    const x = computeTrainTransform(batch, {
      rng: {
        ...rng,
        nextDouble: () => 0.99999,
        nextInt: () => 0,
        permutation: rng.permutation.bind(rng),
      } as never,
      pJitter: 0,
      pGray: 0,
      pFlip: 0,
    });
    const v = x.get(2, 1, 5, 7).item();
    expect(v).toBeCloseTo((batch.get(2, 1, 5, 7).item() - CIFAR_MEAN[1]) / CIFAR_STD[1], 5);
  });

  it('crops stay inside the image, with areas between 8% and 100%', () => {
    const rng = new Generator(5);
    for (let i = 0; i < 200; i++) {
      const [t, l, h, w] = randomResizedCropParams(32, 32, rng);
      expect(t >= 0 && l >= 0 && t + h <= 32 && l + w <= 32).toBe(true);
      expect((h * w) / 1024).toBeGreaterThan(0.06);
    }
  });

  it('grayscale with probability 1 makes the three channels equal before normalising', () => {
    const x = computeTrainTransform(batch, { rng: new Generator(3), pGray: 1, normalize: false });
    const r = x.get(0, 0).toTypedArray();
    const g = x.get(0, 1).toTypedArray();
    for (let i = 0; i < r.length; i++) expect(g[i]).toBe(r[i]);
  });

  it('refuses images that are not (N, 3, H, W)', () => {
    expect(() => computeTrainTransform(batch.reshape(6, 96, 32), { rng: new Generator(0) })).toThrow(
      /computeTrainTransform: images of shape \(6, 96, 32\) are not \(N, 3, H, W\)/,
    );
  });
});
