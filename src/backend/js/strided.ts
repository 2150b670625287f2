/**
 * Walking several strided operands of one shape in lockstep, with the innermost axis as a tight row loop.
 * Adjacent axes that are contiguous in every operand are merged first, so a contiguous array is one row.
 */

export interface Walk {
  /** Coalesced shape (at least one axis). */
  shape: number[];
  /** strides[k][axis] for operand k. */
  strides: number[][];
}

export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): Walk {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let ax = 0; ax < shape.length; ax++) {
    const d = shape[ax];
    if (d === 1) continue; // size-1 axes never move the offset
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[ax] * d)) {
      outShape[last] *= d;
      for (let k = 0; k < strides.length; k++) outStrides[k][last] = strides[k][ax];
    } else {
      outShape.push(d);
      for (let k = 0; k < strides.length; k++) outStrides[k].push(strides[k][ax]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(offsets, n)` once per innermost row of the coalesced walk; `offsets[k]` is operand k's
 * starting element. The array passed is reused between calls.
 */
export function walkRows(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (offs: number[], n: number, inner: number[]) => void,
): void {
  for (const d of shape) if (d === 0) return;
  const w = coalesce(shape, strides);
  const nd = w.shape.length;
  const k = strides.length;
  const n = w.shape[nd - 1];
  const inner = w.strides.map((s) => s[nd - 1]);
  const offs = [...offsets];
  if (nd === 1) {
    row(offs, n, inner);
    return;
  }
  const idx = new Array<number>(nd - 1).fill(0);
  const cur = [...offsets];
  for (;;) {
    for (let j = 0; j < k; j++) offs[j] = cur[j];
    row(offs, n, inner);
    let ax = nd - 2;
    for (; ax >= 0; ax--) {
      idx[ax]++;
      for (let j = 0; j < k; j++) cur[j] += w.strides[j][ax];
      if (idx[ax] < w.shape[ax]) break;
      for (let j = 0; j < k; j++) cur[j] -= w.strides[j][ax] * w.shape[ax];
      idx[ax] = 0;
    }
    if (ax < 0) return;
  }
}
