/**
 * Which typed arrays already live in the wasm memory (so kernels read them in place, without a copy).
 *
 * A shared memory's buffer never detaches when the memory grows: every SharedArrayBuffer it ever handed
 * out stays a valid window on the same bytes, so an array is resident when its buffer is one of them.
 */
import type { TypedArray } from '../../ndarray/dtype.js';
import { runtime } from './runtime.js';

const residentBuffers = new WeakSet<ArrayBufferLike>();

/** Records the memory's current buffer (call after creating views on it). */
export function noteBuffer(b: ArrayBufferLike): void {
  residentBuffers.add(b);
}

/** Byte address of element `offset` of `a` when `a` lives in the wasm memory, else -1. */
export function residentAddress(a: TypedArray, offset: number): number {
  const b = a.buffer;
  if (b !== runtime().memory.buffer && !residentBuffers.has(b)) return -1;
  return a.byteOffset + offset * a.BYTES_PER_ELEMENT;
}
