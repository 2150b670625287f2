/**
 * Elementwise kernels for the wasm backend (asm/elementwise.ts): float32/float64 arithmetic, maximum,
 * minimum and the cheap unary ops on walks that coalesce to at most 2 axes with a contiguous output row
 * (contiguous arrays, row broadcasts such as (N, D) + (D,), column broadcasts such as (N, D) − (N, 1)).
 * Everything else, and small arrays where a call's fixed cost dominates, is the TypeScript backend's.
 * Results are bit-identical to the TypeScript backend's (see asm/elementwise.ts).
 */
import type { TypedArray } from '../types.js';
import type { BinaryOp, ReluBackwardArgs, Strided, UnaryOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { coalesce } from '../js/strided.js';
import { copyBack, place, type Operand } from './heap.js';
import { runtime } from './runtime.js';

/** Below this many elements the TypeScript loop is as fast as staging a kernel call. */
const MIN_ELEMENTS = 2048;

const binaryCodes: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};
const unaryCodes: Partial<Record<UnaryOp, number>> = { copy: 0, neg: 1, abs: 2, sqrt: 3, square: 4, relu: 5 };

/** A 2-D walk: R rows of L, per operand an outer stride and an inner stride (in elements). */
interface Walk2 {
  R: number;
  L: number;
  outer: number[];
  inner: number[];
}

function walk2(shape: readonly number[], strides: (readonly number[])[]): Walk2 | null {
  const w = coalesce(shape, strides);
  const nd = w.shape.length;
  if (nd > 2) return null;
  const L = w.shape[nd - 1];
  const R = nd === 2 ? w.shape[0] : 1;
  const outer = w.strides.map((s) => (nd === 2 ? s[0] : 0));
  const inner = w.strides.map((s) => s[nd - 1]);
  if (outer.some((s) => s < 0) || inner.some((s) => s !== 0 && s !== 1)) return null;
  return { R, L, outer, inner };
}

/** Elements from an operand's first to its last in the walk. */
function spanOf(w: Walk2, k: number): number {
  return (w.R - 1) * w.outer[k] + (w.L - 1) * w.inner[k] + 1;
}

function sameFloat(...arrays: TypedArray[]): boolean {
  const c = arrays[0].constructor;
  return (c === Float32Array || c === Float64Array) && arrays.every((a) => a.constructor === c);
}

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The output operand: read (copied in) only when its rows leave gaps that must survive. */
function outOperand(out: Strided, w: Walk2, k: number): Operand {
  const len = spanOf(w, k);
  return { data: out.data, offset: out.offset, len, read: len !== w.R * w.L };
}

export function binary(op: BinaryOp, shape: readonly number[], a: Strided, b: Strided, out: Strided): void {
  const code = binaryCodes[op];
  const w =
    code !== undefined && size(shape) >= MIN_ELEMENTS && sameFloat(a.data, b.data, out.data)
      ? walk2(shape, [a.strides, b.strides, out.strides])
      : null;
  if (!w || w.inner[2] !== 1) return jsBackend.binary(op, shape, a, b, out);
  const ops: Operand[] = [
    { data: a.data, offset: a.offset, len: spanOf(w, 0), read: true },
    { data: b.data, offset: b.offset, len: spanOf(w, 1), read: true },
    outOperand(out, w, 2),
  ];
  const { placed } = place(0, ops);
  const [ap, bp, op2] = placed.map((p) => p.ptr);
  runtime().kernels.binary(
    out.data.BYTES_PER_ELEMENT,
    code!,
    w.R,
    w.L,
    ap,
    w.outer[0],
    w.inner[0],
    bp,
    w.outer[1],
    w.inner[1],
    op2,
    w.outer[2],
  );
  copyBack(ops[2], placed[2]);
}

export function binaryScalar(
  op: BinaryOp,
  shape: readonly number[],
  a: Strided,
  b: number,
  out: Strided,
  scalarFirst: boolean,
): void {
  const code = binaryCodes[op];
  const f32 = out.data instanceof Float32Array;
  // The TypeScript backend computes with the scalar in float64 and rounds the result; the float32 kernel
  // rounds the scalar first, which agrees only when the scalar is a float32 value: other scalars take
  // scalar32d, which widens each element and rounds once, as the TypeScript backend does.
  const w =
    code !== undefined && size(shape) >= MIN_ELEMENTS && sameFloat(a.data, out.data)
      ? walk2(shape, [a.strides, out.strides])
      : null;
  if (!w || w.inner[0] !== 1 || w.inner[1] !== 1)
    return jsBackend.binaryScalar(op, shape, a, b, out, scalarFirst);
  const ops: Operand[] = [
    { data: a.data, offset: a.offset, len: spanOf(w, 0), read: true },
    outOperand(out, w, 1),
  ];
  const { placed } = place(0, ops);
  const wide = f32 && Math.fround(b) !== b;
  const args = [
    code!,
    w.R,
    w.L,
    placed[0].ptr,
    w.outer[0],
    b,
    scalarFirst ? 1 : 0,
    placed[1].ptr,
    w.outer[1],
  ];
  if (wide) runtime().kernels.scalar32d(...args);
  else runtime().kernels.scalar(out.data.BYTES_PER_ELEMENT, ...args);
  copyBack(ops[1], placed[1]);
}

export function unary(op: UnaryOp, shape: readonly number[], a: Strided, out: Strided): void {
  const code = unaryCodes[op];
  const w =
    code !== undefined && size(shape) >= MIN_ELEMENTS && sameFloat(a.data, out.data)
      ? walk2(shape, [a.strides, out.strides])
      : null;
  if (!w || w.inner[0] !== 1 || w.inner[1] !== 1) return jsBackend.unary(op, shape, a, out);
  const ops: Operand[] = [
    { data: a.data, offset: a.offset, len: spanOf(w, 0), read: true },
    outOperand(out, w, 1),
  ];
  const { placed } = place(0, ops);
  runtime().kernels.unary(
    out.data.BYTES_PER_ELEMENT,
    code!,
    w.R,
    w.L,
    placed[0].ptr,
    w.outer[0],
    placed[1].ptr,
    w.outer[1],
  );
  copyBack(ops[1], placed[1]);
}

/** dx = x > 0 ? dout : slope·dout over n contiguous elements (see Backend.reluBackward). */
export function reluBackward(g: ReluBackwardArgs): void {
  if (g.n < MIN_ELEMENTS || !sameFloat(g.dout, g.x, g.dx)) return jsBackend.reluBackward(g);
  const ops: Operand[] = [
    { data: g.dout, offset: g.doutOffset, len: g.n, read: true },
    { data: g.x, offset: g.xOffset, len: g.n, read: true },
    { data: g.dx, offset: g.dxOffset, len: g.n, read: false },
  ];
  const { placed } = place(0, ops);
  runtime().kernels.reluBackward(
    g.dx.BYTES_PER_ELEMENT,
    g.n,
    placed[0].ptr,
    placed[1].ptr,
    placed[2].ptr,
    g.slope ?? 0,
  );
  copyBack(ops[2], placed[2]);
}
