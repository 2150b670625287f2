/**
 * Row-wise softmax and log-softmax with an optional mask, and their backward, for the TypeScript backend
 * (see SoftmaxArgs and SoftmaxBackwardArgs in ../backend.ts). Sums run in float64.
 */
import type { SoftmaxArgs, SoftmaxBackwardArgs } from '../backend.js';

export function softmax(g: SoftmaxArgs): void {
  const { rows, n, x, out, mask, log } = g;
  for (let r = 0; r < rows; r++) {
    const xi = g.xOffset + r * n;
    const oi = g.outOffset + r * n;
    const mi = mask ? g.maskOffset + (r % g.maskRows) * n : -1;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if ((mi < 0 || mask![mi + j] !== 0) && x[xi + j] > max) max = x[xi + j];
    let sum = 0;
    if (log) {
      for (let j = 0; j < n; j++) {
        const v = mi < 0 || mask![mi + j] !== 0 ? x[xi + j] - max : -Infinity;
        out[oi + j] = v;
        sum += Math.exp(v);
      }
      const lse = Math.log(sum);
      for (let j = 0; j < n; j++) out[oi + j] -= lse;
    } else {
      for (let j = 0; j < n; j++) {
        const e = mi < 0 || mask![mi + j] !== 0 ? Math.exp(x[xi + j] - max) : 0;
        out[oi + j] = e;
        sum += e;
      }
      // A row masked everywhere: 0 · ∞ = NaN, as PyTorch's softmax of all −∞.
      const inv = 1 / sum;
      for (let j = 0; j < n; j++) out[oi + j] *= inv;
    }
  }
}

export function softmaxBackward(g: SoftmaxBackwardArgs): void {
  const { rows, n, y, dy, dx, log } = g;
  for (let r = 0; r < rows; r++) {
    const yi = g.yOffset + r * n;
    const di = g.dyOffset + r * n;
    const xi = g.dxOffset + r * n;
    let s = 0;
    if (log) {
      for (let j = 0; j < n; j++) if (y[yi + j] !== -Infinity) s += dy[di + j];
      for (let j = 0; j < n; j++) {
        const v = y[yi + j];
        dx[xi + j] = v === -Infinity ? 0 : dy[di + j] - Math.exp(v) * s;
      }
    } else {
      for (let j = 0; j < n; j++) s += dy[di + j] * y[yi + j];
      for (let j = 0; j < n; j++) dx[xi + j] = y[yi + j] * (dy[di + j] - s);
    }
  }
}
