/**
 * The course's colour histogram (features.py: color_histogram_hsv): the image scaled by 1/xmax, converted
 * to HSV with matplotlib's rgb_to_hsv, and the hue (times xmax) binned by np.histogram over
 * linspace(xmin, xmax, nbin + 1), with density=normalized and then multiplied by the bin widths.
 * So normalized=true gives the fraction of pixels per bin (summing to 1), and normalized=false gives the
 * counts times the bin width (the course's code does exactly this).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/** matplotlib's hue in [0, 1) of one pixel (r, g, b in [0, 1]) whose largest channel is max and range delta. */
function hue(r: number, g: number, b: number, max: number, delta: number): number {
  let h = 0;
  if (delta > 0) {
    if (b === max) h = 4 + (r - g) / delta;
    else if (g === max) h = 2 + (b - r) / delta;
    else h = (g - b) / delta;
  }
  // (h / 6) % 1.0 with numpy's floor-modulo (the result takes the divisor's sign); -0 becomes 0.
  const hue = (h / 6) % 1;
  if (hue === 0) return 0;
  return hue < 0 ? hue + 1 : hue;
}

/**
 * matplotlib.colors.rgb_to_hsv on values in [0, 1]: rgb (..., 3) -> hsv (..., 3) float64. Where several
 * channels share the maximum, blue wins over green over red (matplotlib's order of assignment).
 */
export function rgbToHsv(rgb: NDArray): NDArray {
  if (rgb.ndim < 1 || rgb.shape[rgb.ndim - 1] !== 3)
    throw new Error(`rgbToHsv: expected (..., 3), got ${fmtShape(rgb.shape)}`);
  const src = rgb.contiguous().toTypedArray();
  const out = new Float64Array(src.length);
  for (let p = 0; p < src.length; p += 3) {
    const r = src[p];
    const g = src[p + 1];
    const b = src[p + 2];
    const max = Math.max(r, g, b);
    if (max > 1) throw new Error('rgbToHsv: values must be in the 0..1 range (matplotlib raises here too)');
    const delta = max - Math.min(r, g, b);
    out[p] = hue(r, g, b, max, delta);
    out[p + 1] = max > 0 ? delta / max : 0;
    out[p + 2] = max;
  }
  return new NDArray(out, rgb.shape, 'float64');
}

/** colorHistogramHsv's options: number of bins and the hue range (the course's nbin, xmin, xmax). */
export interface ColorHistogramOptions {
  nbin?: number;
  xmin?: number;
  xmax?: number;
  normalized?: boolean;
}

/** Colour histogram over hue: img (H, W, 3) with values in 0..xmax -> (nbin,) float64. */
export function colorHistogramHsv(img: NDArray, options: ColorHistogramOptions = {}): NDArray {
  const { nbin = 10, xmin = 0, xmax = 255, normalized = true } = options;
  if (img.ndim !== 3 || img.shape[2] !== 3)
    throw new Error(`colorHistogramHsv: expected an image of shape (H, W, 3), got ${fmtShape(img.shape)}`);
  if (!Number.isInteger(nbin) || nbin < 1)
    throw new Error(`colorHistogramHsv: nbin must be a positive integer, got ${nbin}`);
  if (!(xmax > xmin)) throw new Error(`colorHistogramHsv: need xmin < xmax, got ${xmin} and ${xmax}`);
  const src = img.contiguous().toTypedArray();
  const n = src.length / 3;
  // np.linspace(xmin, xmax, nbin + 1): start + i * step, the last edge exactly xmax.
  const step = (xmax - xmin) / nbin;
  const edges = Float64Array.from({ length: nbin + 1 }, (_, i) => (i === nbin ? xmax : xmin + i * step));
  const counts = new Float64Array(nbin);
  const norm = nbin / (xmax - xmin);
  for (let p = 0; p < n; p++) {
    const r = src[3 * p] / xmax;
    const g = src[3 * p + 1] / xmax;
    const b = src[3 * p + 2] / xmax;
    const max = Math.max(r, g, b);
    if (max > 1) throw new Error(`colorHistogramHsv: pixel value above xmax = ${xmax}`);
    const v = hue(r, g, b, max, max - Math.min(r, g, b)) * xmax;
    // np.histogram's uniform-bin search, including its corrections at the edges.
    if (!(v >= edges[0] && v <= edges[nbin])) continue;
    let k = Math.floor((v - edges[0]) * norm);
    if (k === nbin) k--;
    if (v < edges[k]) k--;
    else if (k !== nbin - 1 && v >= edges[k + 1]) k++;
    counts[k]++;
  }
  const out = new Float64Array(nbin);
  let total = 0;
  for (let k = 0; k < nbin; k++) total += counts[k];
  for (let k = 0; k < nbin; k++) {
    const db = edges[k + 1] - edges[k];
    out[k] = normalized ? (counts[k] / db / total) * db : counts[k] * db;
  }
  return new NDArray(out, [nbin], 'float64');
}
