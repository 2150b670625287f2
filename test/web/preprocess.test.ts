/**
 * The demo's MNIST preprocessing (web/demo/preprocess.ts): ink from RGBA, and a drawing made into a 28×28
 * digit the MNIST way (fit in 20×20, centre of mass at the centre).
 */
import { describe, expect, it } from 'vitest';
import { inkFromRgba, toMnist } from '../../web/demo/preprocess.js';

/** A width × height image with ink 1 in the rectangle [x, x + w) × [y, y + h). */
function rect(width: number, height: number, x: number, y: number, w: number, h: number): Float32Array {
  const img = new Float32Array(width * height);
  for (let r = y; r < y + h; r++) img.fill(1, r * width + x, r * width + x + w);
  return img;
}

/** Bounding box [x0, y0, x1, y1] of values > 0 in a 28×28 image, and the centre of mass. */
function box(img: Float32Array) {
  let [x0, y0, x1, y1, m, cx, cy] = [28, 28, -1, -1, 0, 0, 0];
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      if (v > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      m += v;
      cx += v * x;
      cy += v * y;
    }
  return { x0, y0, x1, y1, cx: cx / m, cy: cy / m };
}

describe('toMnist', () => {
  it('fits the ink into 20×20 keeping its aspect, centre of mass at the centre, brightest pixel 1', () => {
    // A tall bar, 40 wide and 200 high, in a corner of a 280×280 drawing.
    const out = toMnist(rect(280, 280, 10, 30, 40, 200), 280, 280)!;
    expect(out.length).toBe(784);
    const b = box(out);
    expect(b.y1 - b.y0 + 1).toBe(20);
    expect(b.x1 - b.x0 + 1).toBe(4);
    expect(Math.abs(b.cx - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(b.cy - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out)).toBe(1);
    expect(Math.min(...out)).toBe(0);
  });

  it('gives the same digit wherever and however large it was drawn', () => {
    const a = toMnist(rect(280, 280, 0, 0, 100, 50), 280, 280)!;
    const b = toMnist(rect(280, 280, 150, 200, 100, 50), 280, 280)!;
    const c = toMnist(rect(56, 56, 10, 10, 20, 10), 56, 56)!; // enlarged from 20×10
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    const bb = box(a);
    expect([bb.x1 - bb.x0 + 1, bb.y1 - bb.y0 + 1]).toEqual([20, 10]);
  });

  it('averages when shrinking: a one-pixel line of a 280-wide drawing turns grey, then scales to 1', () => {
    const img = rect(280, 280, 0, 100, 280, 1); // 280×1 line → 20 wide, 1 high
    img.set(rect(280, 280, 0, 0, 280, 1).subarray(0, 280), 0); // a second line at the top: box 280×101
    const out = toMnist(img, 280, 280)!;
    const b = box(out);
    expect(b.x1 - b.x0 + 1).toBe(20);
    expect(Math.max(...out)).toBe(1);
    // Each line lands in a row of its own, averaged over ~14 source rows: equally grey, scaled to 1.
    const rows = [...Array(28)].map((_, y) => out.slice(y * 28, y * 28 + 28).reduce((s, v) => s + v, 0));
    expect(rows.filter((r) => r > 0).length).toBe(2);
  });

  it('is null without ink, and names a size mismatch', () => {
    expect(toMnist(new Float32Array(100), 10, 10)).toBeNull();
    expect(toMnist(new Float32Array(100).fill(0.05), 10, 10)).toBeNull(); // below the ink threshold
    expect(() => toMnist(new Float32Array(10), 4, 4)).toThrow('toMnist: 10 values are not a 4×4 image');
  });
});

describe('inkFromRgba', () => {
  const px = (...rgba: number[][]) => Uint8ClampedArray.from(rgba.flat());

  it('reads dark ink on white paper, and transparent pixels as paper', () => {
    const ink = inkFromRgba(
      px([0, 0, 0, 255], [255, 255, 255, 255], [0, 0, 0, 0], [255, 255, 255, 255]),
      2,
      2,
    );
    expect(Array.from(ink)).toEqual([1, 0, 0, 0]);
  });

  it('reads light ink on dark ground (MNIST style) when most of the picture is dark', () => {
    const ink = inkFromRgba(
      px([255, 255, 255, 255], [0, 0, 0, 255], [0, 0, 0, 255], [51, 51, 51, 255]),
      2,
      2,
    );
    expect(Array.from(ink).map((v) => +v.toFixed(3))).toEqual([1, 0, 0, 0.2]);
  });

  it('follows an explicit polarity, and names a size mismatch', () => {
    const ink = inkFromRgba(px([255, 255, 255, 255], [0, 0, 0, 255]), 2, 1, 'dark');
    expect(Array.from(ink)).toEqual([0, 1]);
    expect(() => inkFromRgba(new Uint8ClampedArray(8), 3, 1)).toThrow(
      'inkFromRgba: 8 bytes are not 3×1 RGBA pixels',
    );
  });
});
