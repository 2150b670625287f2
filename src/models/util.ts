/** Small helpers the models share. */
import { NDArray, allocArray } from '../ndarray/ndarray.js';
import { allocate, isFloat, type DType } from '../ndarray/dtype.js';
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

/**
 * X[idx] along axis 0 (numpy's X[idx] for a 1-D integer idx), copying whole rows with typed-array set:
 * the minibatch gather of every training step, several times faster than generic fancy indexing.
 */
export function gatherRows(X: NDArray, idx: NDArray): NDArray {
  const rows = idx.toTypedArray();
  const N = X.shape[0];
  const src = X.contiguous();
  const data = src.toTypedArray();
  const row = N === 0 ? 0 : src.size / N;
  const out = allocate(X.dtype, rows.length * row);
  for (let i = 0; i < rows.length; i++) {
    let r = rows[i];
    if (r < 0) r += N;
    if (!(r >= 0 && r < N))
      throw new RangeError(`gatherRows: index ${rows[i]} is out of bounds for axis 0 with size ${N}`);
    if (row === 1) out[i] = data[r];
    else out.set(data.subarray(r * row, (r + 1) * row), i * row);
  }
  return new NDArray(out, [rows.length, ...X.shape.slice(1)], X.dtype);
}
