/**
 * Turning a drawing or a picture into an MNIST digit, as MNIST's own were made: the ink's bounding box is
 * scaled to fit a 20×20 box (aspect kept, anti-aliased by averaging), then placed in a 28×28 field so that
 * its centre of mass is at the centre. No DOM here, so it is tested in Node.
 */

/** Pixels at or above this much ink count towards the bounding box (ignores faint noise). */
const INK_THRESHOLD = 0.1;

/**
 * Ink per pixel (0 = background, 1 = full ink) from RGBA bytes (a canvas's ImageData). Transparent pixels
 * count as white paper. `polarity`: 'dark' for dark ink on light paper (a pen drawing), 'light' for light on
 * dark (MNIST's own look), 'auto' to pick by the mean brightness (most of a picture is background).
 */
export function inkFromRgba(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  polarity: 'dark' | 'light' | 'auto' = 'auto',
): Float32Array {
  const n = width * height;
  if (rgba.length !== 4 * n)
    throw new Error(`inkFromRgba: ${rgba.length} bytes are not ${width}×${height} RGBA pixels`);
  const lum = new Float32Array(n);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3] / 255;
    const y = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    lum[i] = a * y + (1 - a); // over white
    mean += lum[i] / n;
  }
  const dark = polarity === 'dark' || (polarity === 'auto' && mean > 0.5);
  if (dark) for (let i = 0; i < n; i++) lum[i] = 1 - lum[i];
  return lum;
}

/**
 * An MNIST-like 28×28 image (784 values in [0, 1], row-major) from `ink` (width × height, 0..1), or null
 * when there is no ink. The brightest pixel becomes 1.
 */
export function toMnist(ink: Float32Array, width: number, height: number): Float32Array | null {
  if (ink.length !== width * height)
    throw new Error(`toMnist: ${ink.length} values are not a ${width}×${height} image`);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] >= INK_THRESHOLD) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale));
  const h = Math.max(1, Math.round(bh * scale));

  // Resample the box to w × h: each target pixel is the mean of the source area it covers (sampled on a
  // grid fine enough for both shrinking and enlarging).
  const small = new Float32Array(w * h);
  const sub = Math.max(2, Math.ceil(1 / scale) * 2);
  for (let ty = 0; ty < h; ty++) {
    for (let tx = 0; tx < w; tx++) {
      let sum = 0;
      for (let j = 0; j < sub; j++) {
        const sy = Math.min(y1, y0 + Math.floor(((ty + (j + 0.5) / sub) / h) * bh));
        for (let i = 0; i < sub; i++) {
          const sx = Math.min(x1, x0 + Math.floor(((tx + (i + 0.5) / sub) / w) * bw));
          sum += ink[sy * width + sx];
        }
      }
      small[ty * w + tx] = sum / (sub * sub);
    }
  }

  // Centre of mass of the resampled digit, then placed so that it falls at the field's centre (13.5).
  let mass = 0;
  let cx = 0;
  let cy = 0;
  let max = 0;
  for (let ty = 0; ty < h; ty++) {
    for (let tx = 0; tx < w; tx++) {
      const v = small[ty * w + tx];
      mass += v;
      cx += v * tx;
      cy += v * ty;
      max = Math.max(max, v);
    }
  }
  if (mass === 0 || max === 0) return null;
  const ox = Math.round(13.5 - cx / mass);
  const oy = Math.round(13.5 - cy / mass);
  const out = new Float32Array(28 * 28);
  for (let ty = 0; ty < h; ty++) {
    for (let tx = 0; tx < w; tx++) {
      const X = tx + ox;
      const Y = ty + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = small[ty * w + tx] / max;
    }
  }
  return out;
}
