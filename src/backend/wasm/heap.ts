/**
 * Where kernel operands live in the wasm memory.
 *
 * An array is resident when its buffer is the wasm memory's: kernels then read and write it in place.
 * A shared memory's buffer never detaches when the memory grows (every SharedArrayBuffer it handed out
 * stays a valid window on the same bytes), so resident arrays stay valid for the life of the process.
 * Other operands are copied into the per-call arena and, for outputs, back out.
 */
import type { TypedArray } from '../types.js';
import { align64, arena, reserve, runtime } from './runtime.js';

const residentBuffers = new WeakSet<ArrayBufferLike>();

/** Byte address of element `offset` of `a` when `a` lives in the wasm memory, else -1. */
export function residentAddress(a: TypedArray, offset: number): number {
  const b = a.buffer;
  if (b !== runtime().memory.buffer && !residentBuffers.has(b)) return -1;
  return a.byteOffset + offset * a.BYTES_PER_ELEMENT;
}

/** Bytes of wasm memory residentArray may hold at once; past it, callers get null (a plain array). */
export const RESIDENT_CAP_BYTES = 1 << 30;
let residentBytes = 0;
/** Blocks whose array was garbage-collected, by size in bytes, for the next residentArray of that size. */
const freeBlocks = new Map<number, number[]>();
const reclaim = new FinalizationRegistry<[number, number]>(([bytes, ptr]) => {
  let list = freeBlocks.get(bytes);
  if (!list) freeBlocks.set(bytes, (list = []));
  list.push(ptr);
});

/**
 * A zero-filled array of n elements in the wasm memory, which kernels then use in place (no copies in or
 * out): for arrays kept across many kernel calls (parameters, optimizer state). Its block goes back to a
 * free list when the array is garbage-collected, so nothing needs disposing; a view made with
 * `subarray` does not keep the block alive. Only with a shared memory (a plain memory's buffer detaches
 * when it grows), and null past RESIDENT_CAP_BYTES of live blocks.
 */
export function residentArray(dtype: 'float32' | 'float64', n: number): Float32Array | Float64Array | null {
  const rt = runtime();
  if (!rt.shared) return null;
  const bytes = align64(Math.max(64, n * (dtype === 'float32' ? 4 : 8)));
  let p = freeBlocks.get(bytes)?.pop();
  if (p === undefined) {
    if (residentBytes + bytes > RESIDENT_CAP_BYTES) return null;
    p = reserve(bytes);
    residentBytes += bytes;
  }
  const buf = rt.memory.buffer;
  residentBuffers.add(buf);
  const a = dtype === 'float32' ? new Float32Array(buf, p, n) : new Float64Array(buf, p, n);
  a.fill(0); // a recycled block, or an abandoned arena
  reclaim.register(a, [bytes, p]);
  return a;
}

/** One operand of a kernel call: `len` elements of `data` from `offset`. */
export interface Operand {
  data: TypedArray;
  offset: number;
  len: number;
  /** Whether the kernel reads it (copy in when not resident). */
  read: boolean;
}

/** An operand's address in the wasm memory and whether it is a copy that must be written back. */
export interface Placed {
  ptr: number;
  copied: boolean;
}

/**
 * Places operands for one kernel call: resident ones in place, the others copied into the arena after
 * `scratchBytes` of kernel scratch (at the arena's start, returned as `scratch`).
 */
export function place(scratchBytes: number, ops: Operand[]): { scratch: number; placed: Placed[] } {
  const addrs = ops.map((o) => residentAddress(o.data, o.offset));
  let bytes = align64(scratchBytes);
  for (let i = 0; i < ops.length; i++) {
    if (addrs[i] < 0) bytes += align64(ops[i].len * ops[i].data.BYTES_PER_ELEMENT);
  }
  const base = arena(bytes);
  const buf = runtime().memory.buffer;
  let top = base + align64(scratchBytes);
  const placed = ops.map((o, i): Placed => {
    if (addrs[i] >= 0) return { ptr: addrs[i], copied: false };
    const ptr = top;
    top += align64(o.len * o.data.BYTES_PER_ELEMENT);
    if (o.read && o.len > 0) viewOf(o.data, buf, ptr, o.len).set(o.data.subarray(o.offset, o.offset + o.len));
    return { ptr, copied: true };
  });
  return { scratch: base, placed };
}

/** Copies a placed operand back out to its array (a no-op when it was resident). */
export function copyBack(o: Operand, p: Placed): void {
  if (!p.copied || o.len === 0) return;
  o.data.set(viewOf(o.data, runtime().memory.buffer, p.ptr, o.len), o.offset);
}

/** A view of `len` elements at byte address `ptr`, of the same kind as `like`. */
export function viewOf(like: TypedArray, buf: ArrayBufferLike, ptr: number, len: number): TypedArray {
  const Ctor = like.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray;
  return new Ctor(buf, ptr, len);
}
