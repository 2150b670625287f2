/** im2col / col2im for the wasm backend (asm/im2col.ts); operands outside the wasm memory are copied. */
import type { Im2colArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runtime } from './runtime.js';

function run(g: Im2colArgs, kernel: 'im2col' | 'col2im'): void {
  const { C, H, W, HH, WW, stride, pad, Ho, Wo } = g;
  const x: Operand = { data: g.x, offset: g.xOffset, len: C * H * W, read: true };
  // im2col writes every element of cols; col2im reads cols and adds into x.
  const cols: Operand = {
    data: g.cols,
    offset: g.colsOffset,
    len: C * HH * WW * Ho * Wo,
    read: kernel === 'col2im',
  };
  const { placed } = place(0, [x, cols]);
  const S = g.x.BYTES_PER_ELEMENT;
  runtime().kernels[kernel](S, placed[0].ptr, C, H, W, HH, WW, stride, pad, Ho, Wo, placed[1].ptr);
  if (kernel === 'im2col') copyBack(cols, placed[1]);
  else copyBack(x, placed[0]);
}

export function im2col(g: Im2colArgs): void {
  if (g.x.constructor !== g.cols.constructor) return jsBackend.im2col(g);
  run(g, 'im2col');
}

export function col2im(g: Im2colArgs): void {
  if (g.x.constructor !== g.cols.constructor) return jsBackend.col2im(g);
  run(g, 'col2im');
}
