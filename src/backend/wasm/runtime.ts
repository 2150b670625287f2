/**
 * The WebAssembly runtime: one module, one memory, one instance on the calling thread.
 *
 * The memory is shared (a SharedArrayBuffer) wherever the platform allows it, so worker threads can
 * instantiate the same module on it and split kernels (see pool.ts); otherwise the plain variant runs on one
 * thread. Everything here is synchronous: the module is small and compiled with `new WebAssembly.Module`, so
 * `backend()` works without an await.
 *
 * Memory layout (byte addresses):
 *   [CTRL, CTRL+256)        Int32 control words of the thread pool
 *   [JOBS, JOBS+64·256)     one 256-byte job slot (Float64 arguments) per thread
 *   [HEAP, ...)             regions handed out by reserve(): the per-call arena (copies of operands and
 *                           packing buffers, one kernel call at a time: kernels are not re-entrant) and
 *                           long-lived resident arrays (see residentArray in heap.ts), recycled there;
 *                           the heap itself never shrinks
 */
import { wasmPlain, wasmShared } from './binary.js';

export const CTRL = 1024;
export const JOBS = 2048;
export const JOB_SLOT_BYTES = 256;
export const MAX_THREADS = 64;
export const HEAP = JOBS + MAX_THREADS * JOB_SLOT_BYTES;
const PAGE = 65536;
const MAX_PAGES = 65536;

/** The kernels' exports; pointers are byte addresses, see asm/*.ts for each signature. */
export interface Kernels {
  gemmWorkBytes(): number;
  [name: string]: (...args: number[]) => number | void;
}

export interface Runtime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  kernels: Kernels;
}

/** Smallest SIMD module (i8x16.splat + i8x16.popcnt); validate() says whether this engine runs wasm SIMD. */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(simdProbe);
  } catch {
    return false;
  }
}

function decodeBase64(s: string): Uint8Array {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(s, 'base64'));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false; // undefined in Node, where SharedArrayBuffer always works
}

let rt: Runtime | null = null;

/** The runtime, created on first use; throws when WebAssembly SIMD is unavailable. */
export function runtime(): Runtime {
  if (rt) return rt;
  if (!simdSupported()) throw new Error('wasm backend: WebAssembly SIMD is not available on this platform');
  const shared = sharedMemoryUsable();
  const module = new WebAssembly.Module(decodeBase64(shared ? wasmShared : wasmPlain) as BufferSource);
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((HEAP + PAGE) / PAGE),
    maximum: MAX_PAGES,
    shared,
  } as WebAssembly.MemoryDescriptor);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  rt = { module, memory, shared, kernels: instance.exports as unknown as Kernels };
  return rt;
}

/** Ensures the memory holds at least `bytes` bytes. */
function ensureMemory(bytes: number): void {
  const { memory } = runtime();
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil((bytes - have) / PAGE);
  if (have / PAGE + pages > MAX_PAGES) {
    throw new RangeError(`wasm backend: needs ${bytes} bytes, more than the 4 GiB of wasm32 memory`);
  }
  memory.grow(pages);
}

let heapTop = HEAP;

/** A new region of `bytes` (64-byte aligned) that stays reserved for the life of the process. */
export function reserve(bytes: number): number {
  const p = heapTop;
  ensureMemory(p + bytes);
  heapTop = align64(p + bytes);
  return p;
}

let arenaBase = 0;
let arenaBytes = 0;

/**
 * The per-call arena: at least `bytes` of scratch valid until the next arena() call. Grows by doubling
 * (the outgrown region is abandoned: at most as much again as the largest call needed).
 */
export function arena(bytes: number): number {
  if (bytes > arenaBytes) {
    arenaBytes = Math.max(align64(bytes), 2 * arenaBytes);
    arenaBase = reserve(arenaBytes);
  }
  return arenaBase;
}

/** Rounds a byte address up to a multiple of 64 (a cache line, and v128-aligned). */
export function align64(n: number): number {
  return Math.ceil(n / 64) * 64;
}
