/**
 * The normalization layers' per-channel loops for the wasm backend (asm/norm.ts): the same f64 sums and
 * scalars as the TypeScript kernels, two values per SIMD lane pair; operands outside the wasm memory are
 * copied. Small arrays stay in TypeScript, where staging a call costs more than the loop.
 */
import type { ChannelDotArgs, ChannelLinearArgs, ChannelMomentsArgs } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { copyBack, place, type Operand } from './heap.js';
import { runtime } from './runtime.js';

const MIN_ELEMENTS = 4096;

const f64 = (data: Float64Array, len: number, read: boolean): Operand => ({ data, offset: 0, len, read });

export function channelMoments(g: ChannelMomentsArgs): void {
  const { N, C, S } = g;
  if (N * C * S < MIN_ELEMENTS) return jsBackend.channelMoments(g);
  const ops = [
    { data: g.x, offset: g.xOffset, len: N * C * S, read: true },
    f64(g.mean, C, false),
    f64(g.variance, C, false),
  ];
  const { placed } = place(0, ops);
  const [xp, mp, vp] = placed.map((p) => p.ptr);
  runtime().kernels.channelMoments(g.x.BYTES_PER_ELEMENT, xp, N, C, S, mp, vp);
  copyBack(ops[1], placed[1]);
  copyBack(ops[2], placed[2]);
}

export function channelDot(g: ChannelDotArgs): void {
  const { N, C, S } = g;
  if (N * C * S < MIN_ELEMENTS || g.a.constructor !== g.b.constructor) return jsBackend.channelDot(g);
  const ops = [
    { data: g.a, offset: g.aOffset, len: N * C * S, read: true },
    { data: g.b, offset: g.bOffset, len: N * C * S, read: true },
    f64(g.bShift, C, true),
    f64(g.sumA, C, false),
    f64(g.sumAB, C, false),
  ];
  const { placed } = place(0, ops);
  const [ap, bp, sp, s1, s2] = placed.map((p) => p.ptr);
  runtime().kernels.channelDot(g.a.BYTES_PER_ELEMENT, ap, bp, N, C, S, sp, s1, s2);
  copyBack(ops[3], placed[3]);
  copyBack(ops[4], placed[4]);
}

export function channelLinear(g: ChannelLinearArgs): void {
  const { N, C, S } = g;
  const n = N * C * S;
  if (
    n < MIN_ELEMENTS ||
    g.a.constructor !== g.out.constructor ||
    (g.b !== null && g.b.constructor !== g.out.constructor)
  )
    return jsBackend.channelLinear(g);
  const ops: Operand[] = [
    { data: g.a, offset: g.aOffset, len: n, read: true },
    f64(g.aShift, C, true),
    f64(g.alpha, C, true),
    f64(g.beta, C, true),
    f64(g.delta, C, true),
    { data: g.out, offset: g.outOffset, len: n, read: false },
  ];
  if (g.b) ops.push({ data: g.b, offset: g.bOffset, len: n, read: true });
  const { placed } = place(0, ops);
  const [ap, shp, alp, bep, dep, op] = placed.map((p) => p.ptr);
  const bp = g.b ? placed[6].ptr : 0;
  runtime().kernels.channelLinear(g.out.BYTES_PER_ELEMENT, ap, shp, alp, bp, bep, dep, op, N, C, S);
  copyBack(ops[5], placed[5]);
}
