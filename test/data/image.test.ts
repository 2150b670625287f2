import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFormat, imresize, readImage, writeImage } from '../../src/data/index.js';
import { array } from '../../src/ndarray/index.js';
import golden from '../golden/data_image.json' with { type: 'json' };
import { expectClose, fromGolden, patternImage, rmTemp, tempDir } from './helpers.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => rmTemp(tmp));

describe('readImage / writeImage', () => {
  it('round-trips PNG exactly (RGB, RGBA, grayscale) and detects the format from magic bytes', () => {
    const img = patternImage(6, 9, 3);
    const f = path.join(tmp, 'a.png');
    writeImage(f, img);
    expect(imageFormat(fs.readFileSync(f))).toBe('png');
    const back = readImage(f);
    expect(back.shape).toEqual([6, 9, 3]);
    expect(back.dtype).toBe('uint8');
    expect(back.toArray()).toEqual(img.toArray());
    // The name does not matter: a PNG saved as .jpg-named bytes still reads as PNG.
    const renamed = path.join(tmp, 'actually-png.jpg');
    fs.copyFileSync(f, renamed);
    expect(readImage(renamed).toArray()).toEqual(img.toArray());
    const rgba = readImage(f, { mode: 'RGBA' });
    expect(rgba.shape).toEqual([6, 9, 4]);
    expect(rgba.get(':', ':', 3).min().item()).toBe(255);
    const gray = array(
      [
        [0, 100],
        [200, 255],
      ],
      'uint8',
    );
    const gf = path.join(tmp, 'g.png');
    writeImage(gf, gray);
    expect(readImage(gf, { mode: 'L' }).toArray()).toEqual(gray.toArray());
    expect(readImage(gf).get(1, 0).toArray()).toEqual([200, 200, 200]);
    // Float images are clipped and rounded to uint8.
    writeImage(gf, array([[[-5, 0.6, 300]]]));
    expect(readImage(gf).toArray()).toEqual([[[0, 1, 255]]]);
  });

  it('writes JPEG by extension (lossy, close to the original) atomically', () => {
    const img = patternImage(16, 16, 1).astype('float64').mul(0).add(120).astype('uint8');
    const f = path.join(tmp, 'b.jpeg');
    writeImage(f, img, { quality: 95 });
    expect(imageFormat(fs.readFileSync(f))).toBe('jpeg');
    const back = readImage(f);
    expect(back.shape).toEqual([16, 16, 3]);
    expect(back.astype('float64').sub(120).abs().max().item()).toBeLessThanOrEqual(2);
    expect(fs.readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('names the file and the fault', () => {
    expect(() => writeImage(path.join(tmp, 'x.gif'), patternImage(2, 2, 0))).toThrow(
      /cannot tell the format of .*x\.gif/,
    );
    expect(() => writeImage(path.join(tmp, 'x.png'), array([1, 2, 3]))).toThrow(
      /expected an image of shape \(H, W\)/,
    );
    const bad = path.join(tmp, 'bad.png');
    fs.writeFileSync(bad, 'hello world, not an image');
    expect(() => readImage(bad)).toThrow(/bad\.png is neither a PNG nor a JPEG \(bad magic bytes\)/);
    const good = fs.readFileSync(path.join(tmp, 'a.png'));
    fs.writeFileSync(bad, good.subarray(0, 40));
    expect(() => readImage(bad)).toThrow(/cannot decode .*bad\.png: truncated or corrupt PNG/);
    expect(() => readImage(path.join(tmp, 'none.png'))).toThrow(/none\.png does not exist/);
    // A header claiming 40000 x 40000 pixels is refused before pngjs allocates 6.4 GB.
    const huge = Buffer.from(good);
    huge.writeUInt32BE(40000, 16);
    huge.writeUInt32BE(40000, 20);
    fs.writeFileSync(bad, huge);
    expect(() => readImage(bad)).toThrow(/bad\.png claims 40000x40000 pixels, more than 100 megapixels/);
  });
});

describe('imresize (half-pixel centres) against numpy', () => {
  const img = fromGolden(golden.img, 'uint8');
  it('downscales and upscales uint8 colour images', () => {
    const down = imresize(img, [3, 4]);
    expect(down.dtype).toBe('uint8');
    expectClose(down, golden.down, 0, 0);
    expectClose(imresize(img, [8, 11]), golden.up, 0, 0);
    expect(imresize(img, [5, 7]).toArray()).toEqual(img.toArray());
  });

  it('resizes float grayscale images without rounding', () => {
    const r = imresize(fromGolden(golden.gray), [7, 3]);
    expect(r.dtype).toBe('float64');
    expectClose(r, golden.grayResized, 1e-12, 1e-12);
    expect(() => imresize(img, [0, 3])).toThrow(/size must be two positive integers/);
  });

  it("tints by broadcasting, as the course's img * [1, 0.95, 0.9]", () => {
    const tinted = img.mul(array([1, 0.95, 0.9]));
    expect(tinted.shape).toEqual([5, 7, 3]);
    expectClose(tinted, golden.tint, 1e-15, 0);
    // Saved as uint8 the way the course displays it.
    const f = path.join(tmp, 'tint.png');
    writeImage(f, tinted);
    const back = readImage(f);
    expect(back.item(1, 2, 2)).toBe(Math.round(img.item(1, 2, 2) * 0.9));
  });
});
