/**
 * im2col and col2im for the TypeScript backend (see Im2colArgs in ../backend.ts).
 *
 * Row (c, i, j) of cols walks the output positions (y, x) in order, so for each output row y it is a
 * strided read of input row y·stride + i − pad. We compute once per row the range of x whose input
 * column falls inside the image, write zeros outside it and copy (or, for stride 1, slide) inside it:
 * no per-element bounds test in the inner loop.
 */
import type { Im2colArgs } from '../backend.js';

/** The first and one-past-last output column x whose input column x·stride + j − pad lies in [0, W). */
function validRange(j: number, pad: number, stride: number, W: number, Wo: number): [number, number] {
  const lo = Math.max(0, Math.ceil((pad - j) / stride));
  const hi = Math.min(Wo, Math.floor((W - 1 + pad - j) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * Visits every row of the column matrix in order: row r (Wo long) of patch offset (c, i, j) and output row y,
 * which reads input row y·stride + i − pad starting at `src` (the input index of output column 0; it may be
 * negative, only columns [lo, hi) are inside the image), or lies wholly in the padding (`inside` false). One
 * traversal for both directions; the callback runs once per row, not per element.
 */
function forEachColsRow(
  g: Im2colArgs,
  visit: (r: number, inside: boolean, src: number, lo: number, hi: number) => void,
): void {
  const { xOffset, C, H, W, HH, WW, stride, pad, Ho, Wo, colsOffset } = g;
  let r = colsOffset;
  for (let c = 0; c < C; c++) {
    const plane = xOffset + c * H * W;
    for (let i = 0; i < HH; i++) {
      for (let j = 0; j < WW; j++) {
        const [lo, hi] = validRange(j, pad, stride, W, Wo);
        for (let y = 0; y < Ho; y++, r += Wo) {
          const iy = y * stride + i - pad;
          visit(r, iy >= 0 && iy < H, plane + iy * W + j - pad, lo, hi);
        }
      }
    }
  }
}

export function im2col(g: Im2colArgs): void {
  const { x, stride, Wo, cols } = g;
  forEachColsRow(g, (r, inside, src, lo, hi) => {
    if (!inside) {
      cols.fill(0, r, r + Wo);
      return;
    }
    for (let xo = 0; xo < lo; xo++) cols[r + xo] = 0;
    if (stride === 1) for (let xo = lo; xo < hi; xo++) cols[r + xo] = x[src + xo];
    else for (let xo = lo; xo < hi; xo++) cols[r + xo] = x[src + xo * stride];
    for (let xo = hi; xo < Wo; xo++) cols[r + xo] = 0;
  });
}

export function col2im(g: Im2colArgs): void {
  const { x, stride, cols } = g;
  forEachColsRow(g, (r, inside, dst, lo, hi) => {
    if (!inside) return;
    if (stride === 1) for (let xo = lo; xo < hi; xo++) x[dst + xo] += cols[r + xo];
    else for (let xo = lo; xo < hi; xo++) x[dst + xo * stride] += cols[r + xo];
  });
}
