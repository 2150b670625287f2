/**
 * The course's HOG feature (assignment 1, features.py: hog_feature), reproduced step by step:
 * grayscale with rgb2gray's weights [0.299, 0.587, 0.144] (sic: the course's third weight, not 0.114);
 * gradients as np.diff (forward differences, 0 in the last column/row); orientation
 * arctan2(gy, gx + 1e-15) in degrees + 90; 9 unsigned bins of 20 degrees over [0, 180), a pixel counting in
 * bin i when 20i <= ori < 20(i+1) and ori > 0 (the course's `temp_ori > 0` test); per cell of 8x8 pixels,
 * the mean gradient magnitude of the pixels in each bin (the course's uniform_filter sampled at the cell
 * centres [4::8, 4::8]).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/** Grayscale as the course's rgb2gray: rgb[..., :3] . [0.299, 0.587, 0.144]. img: (H, W, C>=3) -> (H, W) float64. */
export function rgb2gray(img: NDArray): NDArray {
  if (img.ndim !== 3 || img.shape[2] < 3)
    throw new Error(`rgb2gray: expected an image of shape (H, W, 3), got ${fmtShape(img.shape)}`);
  const [H, W, C] = img.shape;
  const src = img.contiguous().toTypedArray();
  const out = new Float64Array(H * W);
  for (let p = 0; p < H * W; p++)
    out[p] = src[C * p] * 0.299 + src[C * p + 1] * 0.587 + src[C * p + 2] * 0.144;
  return new NDArray(out, [H, W], 'float64');
}

const ORIENTATIONS = 9;
const CELL = 8;

/**
 * HOG feature of one image: img (H, W, 3) colour or (H, W) grayscale -> (nCells * 9,) float64, laid out as
 * the course's orientation_histogram (n_cells, n_cells, 9).ravel(). Note the course's `.T`: entry
 * [a, b, :] is the cell at row b, column a. For a non-square image (where the course's code fails) the
 * same layout is kept: shape (floor(W/8), floor(H/8), 9).
 */
export function hogFeature(img: NDArray): NDArray {
  let gray: NDArray;
  if (img.ndim === 3) gray = rgb2gray(img);
  else if (img.ndim === 2) gray = img.astype('float64');
  else
    throw new Error(`hogFeature: expected an image of shape (H, W, 3) or (H, W), got ${fmtShape(img.shape)}`);
  const [H, W] = gray.shape;
  const g = gray.toTypedArray();
  const rowCells = Math.floor(H / CELL);
  const colCells = Math.floor(W / CELL);
  // sums[(rowCell * colCells + colCell) * 9 + bin]: the sum of magnitudes in the cell and bin.
  const sums = new Float64Array(rowCells * colCells * ORIENTATIONS);
  const toDeg = 180 / Math.PI;
  const binWidth = 180 / ORIENTATIONS;
  for (let r = 0; r < rowCells * CELL; r++) {
    for (let c = 0; c < colCells * CELL; c++) {
      const p = r * W + c;
      const gx = c < W - 1 ? g[p + 1] - g[p] : 0;
      const gy = r < H - 1 ? g[p + W] - g[p] : 0;
      const mag = Math.sqrt(gx * gx + gy * gy);
      if (mag === 0) continue;
      const ori = Math.atan2(gy, gx + 1e-15) * toDeg + 90;
      if (!(ori > 0) || ori >= 180) continue;
      // The bin i with 20i <= ori < 20(i+1), tested with the course's exact comparisons.
      let bin = Math.min(ORIENTATIONS - 1, Math.floor(ori / binWidth));
      while (bin > 0 && !(ori >= binWidth * bin)) bin--;
      while (bin < ORIENTATIONS - 1 && !(ori < binWidth * (bin + 1))) bin++;
      const cell = Math.floor(r / CELL) * colCells + Math.floor(c / CELL);
      sums[cell * ORIENTATIONS + bin] += mag;
    }
  }
  const out = new Float64Array(rowCells * colCells * ORIENTATIONS);
  for (let a = 0; a < colCells; a++) {
    for (let b = 0; b < rowCells; b++) {
      const src = (b * colCells + a) * ORIENTATIONS;
      const dst = (a * rowCells + b) * ORIENTATIONS;
      for (let i = 0; i < ORIENTATIONS; i++) out[dst + i] = sums[src + i] / (CELL * CELL);
    }
  }
  return new NDArray(out, [out.length], 'float64');
}
