/** Max pooling for the wasm backend (asm/pool.ts); operands outside the wasm memory are copied. */
import type { MaxPoolArgs, MaxPoolBackwardArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runtime } from './runtime.js';

export function maxPoolForward(g: MaxPoolArgs): void {
  if (g.x.constructor !== g.out.constructor) return jsBackend.maxPoolForward(g);
  const n = g.planes * g.Ho * g.Wo;
  const x: Operand = { data: g.x, offset: g.xOffset, len: g.planes * g.H * g.W, read: true };
  const out: Operand = { data: g.out, offset: g.outOffset, len: n, read: false };
  const argmax: Operand = { data: g.argmax, offset: 0, len: n, read: false };
  const { placed } = place(0, [x, out, argmax]);
  const [xp, op, ap] = placed.map((p) => p.ptr);
  const S = g.x.BYTES_PER_ELEMENT;
  runtime().kernels.maxPoolForward(
    S,
    xp,
    g.planes,
    g.H,
    g.W,
    g.poolHeight,
    g.poolWidth,
    g.stride,
    g.Ho,
    g.Wo,
    op,
    ap,
  );
  copyBack(out, placed[1]);
  copyBack(argmax, placed[2]);
}

export function maxPoolBackward(g: MaxPoolBackwardArgs): void {
  if (g.dout.constructor !== g.dx.constructor) return jsBackend.maxPoolBackward(g);
  const n = g.planes * g.HoWo;
  const dout: Operand = { data: g.dout, offset: g.doutOffset, len: n, read: true };
  const argmax: Operand = { data: g.argmax, offset: 0, len: n, read: true };
  const dx: Operand = { data: g.dx, offset: g.dxOffset, len: g.planes * g.HW, read: true };
  const { placed } = place(0, [dout, argmax, dx]);
  const [dp, ap, xp] = placed.map((p) => p.ptr);
  runtime().kernels.maxPoolBackward(g.dout.BYTES_PER_ELEMENT, dp, ap, g.planes, g.HW, g.HoWo, xp);
  copyBack(dx, placed[2]);
}
