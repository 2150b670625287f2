/**
 * Image I/O, the course's SciPy/imageio module: read and write PNG and JPEG as (H, W, C) uint8 NDArrays,
 * and bilinear resizing.
 *
 * imresize uses the half-pixel-centre convention (align_corners=False) of OpenCV's INTER_LINEAR and
 * PyTorch's interpolate(mode='bilinear', align_corners=False, antialias=False): output pixel i samples the
 * input at (i + 0.5) * in/out - 0.5, clamped at 0, between its two neighbours. There is no antialiasing
 * filter, so large downscales alias (PIL's BILINEAR would blur first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NDArray } from '../ndarray/ndarray.js';
import type { TypedArray } from '../ndarray/dtype.js';
import { fmtShape } from '../ndarray/shape.js';
import { writeFileAtomic } from '../nodeFiles.js';
import { decodeImage, jpegJs, pngJs } from './decode.js';

/** readImage's options: the channels wanted. */
export interface ReadImageOptions {
  /** 'RGB' (default): (H, W, 3); 'RGBA': (H, W, 4); 'L': grayscale (H, W). */
  mode?: 'RGB' | 'RGBA' | 'L';
}

/** Reads a PNG or JPEG (detected from its magic bytes, not its name) as uint8 (H, W, 3) by default. */
export function readImage(file: string, options: ReadImageOptions = {}): NDArray {
  const mode = options.mode ?? 'RGB';
  if (!fs.existsSync(file)) throw new Error(`readImage: ${file} does not exist`);
  const channels = mode === 'L' ? 1 : mode === 'RGBA' ? 4 : 3;
  const img = decodeImage(fs.readFileSync(file), file, channels);
  const data =
    img.data.byteOffset === 0 && img.data.length === img.data.buffer.byteLength ? img.data : img.data.slice();
  const shape = mode === 'L' ? [img.height, img.width] : [img.height, img.width, channels];
  return new NDArray(data, shape, 'uint8');
}

/** writeImage's options (JPEG quality). */
export interface WriteImageOptions {
  /** JPEG quality 1..100 (default 90). */
  quality?: number;
}

/** Converts any-dtype image values to uint8 RGBA (clipped, rounded), as imageio does for uint8 input. */
function toRgba(arr: NDArray, op: string): { width: number; height: number; rgba: Uint8Array } {
  const shape = arr.shape;
  const ok = (shape.length === 2 || (shape.length === 3 && [1, 3, 4].includes(shape[2]))) && arr.size > 0;
  if (!ok)
    throw new Error(
      `${op}: expected an image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got ${fmtShape(shape)}`,
    );
  const [height, width] = shape;
  const c = shape.length === 2 ? 1 : shape[2];
  const src = arr.contiguous().toTypedArray();
  const rgba = new Uint8Array(width * height * 4);
  const u8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let p = 0; p < width * height; p++) {
    if (c >= 3) {
      rgba[4 * p] = u8(src[c * p]);
      rgba[4 * p + 1] = u8(src[c * p + 1]);
      rgba[4 * p + 2] = u8(src[c * p + 2]);
      rgba[4 * p + 3] = c === 4 ? u8(src[c * p + 3]) : 255;
    } else {
      const v = u8(src[p]);
      rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = v;
      rgba[4 * p + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/**
 * Writes `arr` ((H, W), (H, W, 1), (H, W, 3) or (H, W, 4); values clipped to 0..255 and rounded) as PNG or
 * JPEG, chosen by the file's extension. The write is atomic (temporary file, then rename).
 */
export function writeImage(file: string, arr: NDArray, options: WriteImageOptions = {}): void {
  const ext = path.extname(file).toLowerCase();
  const { width, height, rgba } = toRgba(arr, 'writeImage');
  let bytes: Uint8Array;
  if (ext === '.png') {
    const { PNG } = pngJs();
    const png = new PNG({ width, height });
    png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    bytes = PNG.sync.write(png);
  } else if (ext === '.jpg' || ext === '.jpeg') {
    const q = options.quality ?? 90;
    if (!(q >= 1 && q <= 100)) throw new Error(`writeImage: JPEG quality must be in 1..100, got ${q}`);
    bytes = jpegJs().encode({ width, height, data: rgba }, q).data;
  } else {
    throw new Error(`writeImage: cannot tell the format of ${file} (use a .png, .jpg or .jpeg extension)`);
  }
  writeFileAtomic(file, bytes);
}

/** resizeBilinear's sizes after the buffer: source (h, w, c) and output (oh, ow). */
/** resizeBilinear's size arguments: source height, width, channels, then output height and width. */
export type ResizeSize = [h: number, w: number, c: number, oh: number, ow: number];

/**
 * The bilinear kernel on a raw (h, w, c) buffer: returns (oh, ow, c) values, rounded and clipped to
 * 0..255 when the source is a Uint8Array (so uint8 in, uint8 out), else float64.
 */
export function resizeBilinear(src: Uint8Array, ...size: ResizeSize): Uint8Array;
export function resizeBilinear(src: TypedArray, ...size: ResizeSize): Uint8Array | Float64Array;
export function resizeBilinear(src: TypedArray, ...[h, w, c, oh, ow]: ResizeSize): Uint8Array | Float64Array {
  const isU8 = src instanceof Uint8Array;
  const out = isU8 ? new Uint8Array(oh * ow * c) : new Float64Array(oh * ow * c);
  // Source coordinates and weights per output column, computed once.
  const x0 = new Int32Array(ow);
  const x1 = new Int32Array(ow);
  const fx = new Float64Array(ow);
  const sx = w / ow;
  for (let j = 0; j < ow; j++) {
    const s = Math.max(0, (j + 0.5) * sx - 0.5);
    x0[j] = Math.min(Math.floor(s), w - 1);
    x1[j] = Math.min(x0[j] + 1, w - 1);
    fx[j] = s - x0[j];
  }
  const sy = h / oh;
  for (let i = 0; i < oh; i++) {
    const s = Math.max(0, (i + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(s), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = s - y0;
    for (let j = 0; j < ow; j++) {
      const a = (y0 * w + x0[j]) * c;
      const b = (y0 * w + x1[j]) * c;
      const d = (y1 * w + x0[j]) * c;
      const e = (y1 * w + x1[j]) * c;
      const o = (i * ow + j) * c;
      for (let k = 0; k < c; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * fx[j];
        const bot = src[d + k] + (src[e + k] - src[d + k]) * fx[j];
        const v = top + (bot - top) * fy;
        out[o + k] = isU8 ? (v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5)) : v;
      }
    }
  }
  return out;
}

/**
 * Bilinear resize of an image `img` of shape (H, W) or (H, W, C) to `[h, w]` (half-pixel centres, see the
 * top of this file). uint8 input gives uint8 output (rounded half up); other dtypes give float64.
 */
export function imresize(img: NDArray, size: readonly [number, number]): NDArray {
  const [oh, ow] = size;
  if (img.ndim !== 2 && img.ndim !== 3) {
    throw new Error(`imresize: expected an image of shape (H, W) or (H, W, C), got ${fmtShape(img.shape)}`);
  }
  if (!(Number.isInteger(oh) && Number.isInteger(ow) && oh > 0 && ow > 0)) {
    throw new Error(`imresize: size must be two positive integers, got [${size.join(', ')}]`);
  }
  const [h, w] = img.shape;
  const c = img.ndim === 3 ? img.shape[2] : 1;
  if (h === 0 || w === 0)
    throw new Error(`imresize: cannot resize an empty image of shape ${fmtShape(img.shape)}`);
  const src = img.dtype === 'bool' ? img.astype('uint8').toTypedArray() : img.toTypedArray();
  const data = resizeBilinear(src, h, w, c, oh, ow);
  const shape = img.ndim === 3 ? [oh, ow, c] : [oh, ow];
  return new NDArray(data, shape, data instanceof Uint8Array ? 'uint8' : 'float64');
}
