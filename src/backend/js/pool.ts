/**
 * Max pooling kernels for the TypeScript backend (see MaxPoolArgs in ../backend.ts).
 *
 * The forward keeps the argmax of every window so the backward is a plain scatter. General
 * windows take the generic loop; the common 2×2 stride-2 case (the course's reshape fast path: every
 * pixel in exactly one tile) reads two input rows at a time with no inner window loop.
 */
import type { MaxPoolArgs, MaxPoolBackwardArgs } from '../backend.js';

export function maxPoolForward(g: MaxPoolArgs): void {
  // Separate functions so each loop gets its own optimized code and type feedback.
  if (g.poolHeight === 2 && g.poolWidth === 2 && g.stride === 2) maxPool2x2(g);
  else maxPoolGeneric(g);
}

/** 2×2 windows every 2 pixels: the four pixels of each tile, unrolled. */
function maxPool2x2(g: MaxPoolArgs): void {
  const { x, xOffset, planes, H, W, Ho, Wo, out, outOffset, argmax } = g;
  const HW = H * W;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = xOffset + p * HW;
    for (let y = 0; y < Ho; y++) {
      const r0 = 2 * y * W;
      const r1 = r0 + W;
      for (let xo = 0; xo < Wo; xo++, o++) {
        // The four pixels of the tile, in row-major order so ties go to the first (as the naive loop).
        const k = 2 * xo;
        let best = r0 + k;
        let m = x[base + best];
        let idx = r0 + k + 1;
        let v = x[base + idx];
        // NaN propagates as in numpy's max: the first NaN wins.
        if (v > m || (v !== v && m === m)) {
          m = v;
          best = idx;
        }
        idx = r1 + k;
        v = x[base + idx];
        if (v > m || (v !== v && m === m)) {
          m = v;
          best = idx;
        }
        idx = r1 + k + 1;
        v = x[base + idx];
        if (v > m || (v !== v && m === m)) {
          m = v;
          best = idx;
        }
        out[outOffset + o] = m;
        argmax[o] = best;
      }
    }
  }
}

function maxPoolGeneric(g: MaxPoolArgs): void {
  const {
    x,
    xOffset,
    planes,
    H,
    W,
    poolHeight: ph,
    poolWidth: pw,
    stride,
    Ho,
    Wo,
    out,
    outOffset,
    argmax,
  } = g;
  const HW = H * W;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = xOffset + p * HW;
    for (let y = 0; y < Ho; y++) {
      for (let xo = 0; xo < Wo; xo++, o++) {
        const y0 = y * stride;
        const x0 = xo * stride;
        let best = y0 * W + x0;
        let m = x[base + best];
        for (let i = 0; i < ph; i++) {
          const row = (y0 + i) * W + x0;
          for (let j = 0; j < pw; j++) {
            const v = x[base + row + j];
            // NaN propagates as in numpy's max: the first NaN wins.
            if (v > m || (v !== v && m === m)) {
              m = v;
              best = row + j;
            }
          }
        }
        out[outOffset + o] = m;
        argmax[o] = best;
      }
    }
  }
}

export function maxPoolBackward(g: MaxPoolBackwardArgs): void {
  const { dout, doutOffset, argmax, planes, HW, HoWo, dx, dxOffset } = g;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = dxOffset + p * HW;
    for (let k = 0; k < HoWo; k++, o++) dx[base + argmax[o]] += dout[doutOffset + o];
  }
}
