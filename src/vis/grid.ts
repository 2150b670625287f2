/**
 * Image grids, as the course's vis_utils.visualize_grid: a batch of images laid out in a square grid,
 * each image rescaled to [0, 255] on its own (so filters and class templates with any range show their
 * structure), separated by padding, encoded as PNG with pngjs.
 */
import { createRequire } from 'node:module';
import type { NDArray } from '../ndarray/index.js';

/** The part of pngjs used here (pngjs ships no types). */
interface PngModule {
  PNG: {
    new (opts: { width: number; height: number }): { width: number; height: number; data: Uint8Array };
    sync: { write(png: { width: number; height: number; data: Uint8Array }): Uint8Array };
  };
}
const { PNG } = createRequire(import.meta.url)('pngjs') as PngModule;

/** An RGB image in a plain buffer: `data` is (height, width, 3) uint8 in row-major order. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Where one image of a grid landed, in pixels of the final PNG (for captions and CSS sprites). */
export interface GridCell {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridOptions {
  /** Images per row (default: ceil(sqrt(N)), a square grid as in the course). */
  columns?: number;
  /** Pixels between images, in source pixels before `scale` (default 1). */
  padding?: number;
  /** Nearest-neighbour upscaling factor so 5x5 filters stay visible (default 1). */
  scale?: number;
  /** 'each' rescales every image to [0, 255] on its own (the course's choice); 'none' clips the values as bytes. */
  normalize?: 'each' | 'none';
  /** Grey level of the padding (default 255, white). */
  background?: number;
}

/**
 * Lays out `images` as a grid.
 * images: (N, H, W, C) with C = 1 or 3 (channels last, as vis_utils), or (N, H, W) for grey images.
 * Returns the RGB image and the cell of each input image.
 */
export function visualizeGrid(
  images: NDArray,
  opts: GridOptions = {},
): { image: RgbImage; cells: GridCell[] } {
  if (images.ndim === 3) images = images.reshape(images.shape[0], images.shape[1], images.shape[2], 1);
  if (images.ndim !== 4 || (images.shape[3] !== 1 && images.shape[3] !== 3)) {
    throw new Error(
      `visualizeGrid: images must be (N, H, W, C) with C = 1 or 3, or (N, H, W); got (${images.shape.join(', ')})`,
    );
  }
  const [n, h, w, c] = images.shape;
  const scale = Math.max(1, Math.round(opts.scale ?? 1));
  const pad = Math.max(0, Math.round(opts.padding ?? 1));
  const cols = Math.max(1, Math.min(n, opts.columns ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.max(1, Math.ceil(n / cols));
  const cellW = w * scale;
  const cellH = h * scale;
  const padPx = pad * scale;
  const width = cols * cellW + (cols - 1) * padPx;
  const height = rows * cellH + (rows - 1) * padPx;
  const out = new Uint8Array(width * height * 3).fill(opts.background ?? 255);
  const src = images.astype('float64').toTypedArray() as Float64Array;
  const per = h * w * c;
  const cells: GridCell[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * per;
    let lo = 0;
    let span = 255;
    if ((opts.normalize ?? 'each') === 'each') {
      lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < per; k++) {
        const v = src[base + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      span = hi - lo;
    }
    const x0 = (i % cols) * (cellW + padPx);
    const y0 = Math.floor(i / cols) * (cellH + padPx);
    cells.push({ x: x0, y: y0, width: cellW, height: cellH });
    for (let yy = 0; yy < cellH; yy++) {
      const sy = Math.floor(yy / scale);
      for (let xx = 0; xx < cellW; xx++) {
        const sx = Math.floor(xx / scale);
        const o = ((y0 + yy) * width + x0 + xx) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const v = src[base + (sy * w + sx) * c + (c === 1 ? 0 : ch)];
          // A constant image (span 0) shows mid-grey rather than dividing by zero.
          const byte = span > 0 ? ((v - lo) / span) * 255 : span === 0 ? 128 : v;
          out[o + ch] = Math.max(0, Math.min(255, Math.round(byte)));
        }
      }
    }
  }
  return { image: { width, height, data: out }, cells };
}

/** Encodes an RGB image as a PNG file's bytes. */
export function encodePng(img: RgbImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0, j = 0; i < img.width * img.height; i++, j += 3) {
    png.data[i * 4] = img.data[j];
    png.data[i * 4 + 1] = img.data[j + 1];
    png.data[i * 4 + 2] = img.data[j + 2];
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/**
 * The learned weights of a linear classifier as one image per class, as in the course's SVM and
 * Softmax notebooks. W: (D, K) with D = H*W*C (channels last) or D = H*W*C + 1 (a bias row at the end, dropped).
 * imageShape: [H, W, C] of the flattened inputs. Returns (K, H, W, C).
 */
export function classTemplates(W: NDArray, imageShape: readonly [number, number, number]): NDArray {
  const [h, w, c] = imageShape;
  const d = h * w * c;
  if (W.ndim !== 2 || (W.shape[0] !== d && W.shape[0] !== d + 1)) {
    throw new Error(
      `classTemplates: W of shape (${W.shape.join(', ')}) does not hold images of shape (${h}, ${w}, ${c})`,
    );
  }
  return W.slice(`0:${d}`, ':').T.reshape(W.shape[1], h, w, c);
}

/**
 * Convolution filters as images. w: (F, C, HH, WW), channels first as the conv layers store them.
 * Filters with 3 input channels show in colour; any other count shows the first channel in grey.
 * Returns (F, HH, WW, 1 or 3).
 */
export function convFilterImages(w: NDArray): NDArray {
  if (w.ndim !== 4)
    throw new Error(`convFilterImages: w must be (F, C, HH, WW); got (${w.shape.join(', ')})`);
  if (w.shape[1] === 3) return w.transpose(0, 2, 3, 1);
  return w.slice(':', '0:1').transpose(0, 2, 3, 1);
}
