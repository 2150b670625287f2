/** Small helpers the models share. */
import { zeros } from '../ndarray/creation.js';
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import type { Generator } from '../ndarray/random.js';
import { isFloat, type DType } from '../ndarray/dtype.js';
import { fmtShape } from '../ndarray/shape.js';

/** Stacks arrays along axis 0 (np.concatenate(parts, axis=0)); all parts share their trailing shape and dtype. */
export function concatenateRows(parts: NDArray[]): NDArray {
  if (parts.length === 0) throw new RangeError('concatenateRows: need at least one array');
  const tail = parts[0].shape.slice(1);
  for (const p of parts) {
    if (p.ndim !== tail.length + 1 || p.shape.slice(1).some((d, i) => d !== tail[i])) {
      throw new RangeError(
        `concatenateRows: shape ${fmtShape(p.shape)} does not match ${fmtShape(parts[0].shape)} beyond axis 0`,
      );
    }
  }
  const n = parts.reduce((s, p) => s + p.shape[0], 0);
  const out = allocArray([n, ...tail], parts[0].dtype, 'concatenateRows');
  let row = 0;
  for (const p of parts) {
    if (p.shape[0] > 0) out.set([`${row}:${row + p.shape[0]}`], p);
    row += p.shape[0];
  }
  return out;
}

/**
 * The input X as a model computes on it: integer or bool data (uint8 images) in the model's dtype, a float X
 * as given. A float X is never rounded down: float64 X with float32 parameters computes in float64, as numpy
 * promotes, and the scores come back in the dtype the arithmetic ran in.
 */
export function modelInput(X: NDArray, dtype: DType): NDArray {
  return isFloat(X.dtype) ? X : X.astype(dtype);
}

/** The fraction of equal entries of two label vectors (N,). */
export function accuracy(pred: NDArray, y: NDArray): number {
  const a = pred.toTypedArray();
  const b = y.toTypedArray();
  if (a.length !== b.length) throw new RangeError(`accuracy: ${a.length} predictions for ${b.length} labels`);
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) c++;
  return a.length === 0 ? 0 : c / a.length;
}

/** The course's affine layer k: W{k} (din, dout) drawn from N(0, weightScale²), then b{k} (dout,) zeros. */
export function affineParams(
  k: number,
  din: number,
  dout: number,
  rng: Generator,
  weightScale: number,
  dtype: DType,
): Record<string, NDArray> {
  return { [`W${k}`]: rng.normal(0, weightScale, [din, dout], dtype), [`b${k}`]: zeros([dout], dtype) };
}

/** The options the course's fixed-depth nets share (TwoLayerNet, ThreeLayerConvNet). */
export interface NetOptions {
  hiddenDim?: number;
  numClasses?: number;
  /** Standard deviation of the Gaussian initial weights (biases start at zero). */
  weightScale?: number;
  reg?: number;
  /** The dtype of the parameters and of the computation (inputs are cast to it). Default 'float32'. */
  dtype?: DType;
  /** Seeds the initialisation (default 0). */
  seed?: number;
}
