/**
 * Drawings of what the net holds: an input digit, filters (signed: red +, blue −) and feature maps (ReLU
 * outputs: dark = strong), each laid out as a grid of small pictures and scaled up without smoothing.
 */
import type { FeatureMaps } from './protocol.js';

/** Scratch canvas holding one pixel per value before scaling up. */
const scratch = document.createElement('canvas');

/** Draws `img` (w × h RGBA) scaled to fit `canvas`, centred, pixels kept sharp. */
function blit(canvas: HTMLCanvasElement, img: ImageData): void {
  scratch.width = img.width;
  scratch.height = img.height;
  scratch.getContext('2d')!.putImageData(img, 0, 0);
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  const s = Math.min(canvas.width / img.width, canvas.height / img.height);
  const w = img.width * s;
  const h = img.height * s;
  g.imageSmoothingEnabled = false;
  g.drawImage(scratch, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
}

/** A 28×28 digit (784 values in [0, 1], ink 1) as MNIST shows it: white ink on black. */
export function drawDigit(canvas: HTMLCanvasElement, image: Float32Array): void {
  const img = new ImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = Math.round(Math.min(1, Math.max(0, image[p])) * 255);
    img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = v;
    img.data[4 * p + 3] = 255;
  }
  blit(canvas, img);
}

/**
 * The channels of `fm` in a grid of `cols` columns with 1-pixel white gaps. `signed`: each picture scaled by
 * its own largest |value|, red for positive and blue for negative (filters); otherwise all pictures share
 * one scale, white for 0 and dark blue for the largest (ReLU feature maps: which channel fires most shows).
 */
export function drawGrid(canvas: HTMLCanvasElement, fm: FeatureMaps, cols: number, signed: boolean): void {
  const { channels, height: h, width: w, data } = fm;
  const rows = Math.ceil(channels / cols);
  const W = cols * (w + 1) - 1;
  const H = rows * (h + 1) - 1;
  const img = new ImageData(W, H);
  img.data.fill(255);
  let shared = 0;
  if (!signed) for (let i = 0; i < data.length; i++) shared = Math.max(shared, data[i]);
  for (let c = 0; c < channels; c++) {
    const off = c * h * w;
    let scale = shared;
    if (signed) for (let i = 0; i < h * w; i++) scale = Math.max(scale, Math.abs(data[off + i]));
    const x0 = (c % cols) * (w + 1);
    const y0 = Math.floor(c / cols) * (h + 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = scale > 0 ? data[off + y * w + x] / scale : 0;
        const k = 4 * ((y0 + y) * W + x0 + x);
        if (signed) {
          // White at 0, towards red (+) or blue (−).
          const a = Math.min(1, Math.abs(v));
          const [r, g, b] = v >= 0 ? [198, 40, 40] : [21, 101, 192];
          img.data[k] = Math.round(255 + (r - 255) * a);
          img.data[k + 1] = Math.round(255 + (g - 255) * a);
          img.data[k + 2] = Math.round(255 + (b - 255) * a);
        } else {
          const a = Math.min(1, Math.max(0, v));
          img.data[k] = Math.round(255 - 242 * a);
          img.data[k + 1] = Math.round(255 - 184 * a);
          img.data[k + 2] = Math.round(255 - 94 * a);
        }
        img.data[k + 3] = 255;
      }
    }
  }
  blit(canvas, img);
}

/** Clears a canvas to white (no picture to show). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
}
