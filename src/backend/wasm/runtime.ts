/**
 * The WebAssembly runtime: one module, one memory, one instance on the calling thread.
 *
 * Two builds of the kernels (scripts/build-wasm.ts): `relaxed` (relaxed SIMD: fused multiply-adds in the GEMM
 * and convolution micro-kernels) where the engine validates it, else `simd` (IEEE-defined operations only,
 * the same bits on every engine). NABLA_WASM_BUILD=simd|relaxed forces one; deterministic mode
 * (NABLA_DETERMINISTIC=1 or setDeterministic(true)) takes `simd`. Node 20 has relaxed SIMD behind a V8 flag,
 * which is set (through node:v8, imported only under Node) before the module is compiled. Both builds import
 * the same memory and have no data segments or globals, so switching build instantiates the other module on
 * the same memory: resident arrays stay where they are.
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
import { wasmBinaries } from './binary.js';

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

/** A build of the kernels (see scripts/build-wasm.ts). */
export type WasmBuild = keyof typeof wasmBinaries;
export const wasmBuilds = Object.keys(wasmBinaries) as WasmBuild[];

export interface Runtime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  kernels: Kernels;
  build: WasmBuild;
}

/** Smallest SIMD module (i8x16.splat + i8x16.popcnt); validate() says whether this engine runs wasm SIMD. */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

/** Smallest relaxed-SIMD module (three i32x4.splat, f32x4.relaxed_madd): validates where relaxed SIMD runs. */
export const relaxedProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0, 65, 0, 253, 17, 65, 0,
  253, 17, 65, 0, 253, 17, 253, 133, 2, 11,
]);

function validates(probe: Uint8Array): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(probe as BufferSource);
  } catch {
    return false;
  }
}

export function simdSupported(): boolean {
  return validates(simdProbe);
}

// Node's v8 module, to enable relaxed SIMD in Node 20 (browsers have none), by process.getBuiltinModule: no
// import for a bundler to resolve (see nodeFiles.ts).
const nodeV8: { setFlagsFromString(flag: string): void } | null =
  typeof process !== 'undefined' && process.versions?.node ? process.getBuiltinModule('node:v8') : null;

let relaxedChecked: boolean | null = null;

/**
 * Whether this engine runs relaxed SIMD. Under Node it first sets V8's --experimental-wasm-relaxed-simd
 * (Node 20; on by default from Node 22), which affects only modules compiled afterwards.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxedChecked !== null) return relaxedChecked;
  if (!validates(relaxedProbe) && nodeV8) {
    try {
      nodeV8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // an engine without the flag: the probe below says no
    }
  }
  return (relaxedChecked = validates(relaxedProbe));
}

function env(name: string): string | undefined {
  const v = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return v === '' ? undefined : v;
}

let deterministic = ((): boolean => {
  const v = env('NABLA_DETERMINISTIC');
  if (v === undefined || v === '0') return false;
  if (v === '1') return true;
  throw new Error(`NABLA_DETERMINISTIC: expected 1 or 0, got '${v}'`);
})();

/** The build NABLA_WASM_BUILD forces, if any (checked when the runtime starts). */
function forcedBuild(): WasmBuild | undefined {
  const v = env('NABLA_WASM_BUILD');
  if (v === undefined) return undefined;
  if (!(wasmBuilds as string[]).includes(v))
    throw new Error(`NABLA_WASM_BUILD: unknown build '${v}' (builds: ${wasmBuilds.join(', ')})`);
  return v as WasmBuild;
}

/**
 * The build to run: NABLA_WASM_BUILD when set; `simd` in deterministic mode; else `relaxed` where the
 * engine runs it. Throws when the forced build cannot run here or contradicts deterministic mode.
 */
export function selectBuild(): WasmBuild {
  const forced = forcedBuild();
  if (forced === 'relaxed' && deterministic)
    throw new Error(
      "NABLA_WASM_BUILD=relaxed contradicts deterministic mode (NABLA_DETERMINISTIC=1 or setDeterministic(true)), which runs the 'simd' build",
    );
  if (forced === 'relaxed' && !relaxedSimdSupported())
    throw new Error('NABLA_WASM_BUILD=relaxed: this engine does not run WebAssembly relaxed SIMD');
  if (forced) return forced;
  return !deterministic && relaxedSimdSupported() ? 'relaxed' : 'simd';
}

/** Whether deterministic mode is on (see setDeterministic). */
export function isDeterministic(): boolean {
  return deterministic;
}

/**
 * Deterministic mode: the `simd` build, whose every operation is IEEE-defined, so results are the same bits
 * on every run, thread count and engine. Off (the default), the `relaxed` build may round differently (fused
 * multiply-adds) and differently on a CPU without FMA. Switching takes effect at once (the next kernel call).
 */
export function setDeterministic(on: boolean): void {
  deterministic = on;
  if (rt) switchBuild(selectBuild());
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

const compiled = new Map<string, WebAssembly.Module>();

/**
 * The module of `build` for a shared or plain memory, compiled once: switching build and back reuses it, so
 * browser workers that instantiated every build at start (pool.ts) recognise the runtime's module.
 */
function compile(build: WasmBuild, shared: boolean): WebAssembly.Module {
  const key = `${build}/${shared}`;
  let m = compiled.get(key);
  if (!m) {
    const b = wasmBinaries[build];
    m = new WebAssembly.Module(decodeBase64(shared ? b.shared : b.plain) as BufferSource);
    compiled.set(key, m);
  }
  return m;
}

/** The module of each build this engine runs, for the runtime's memory (what browser workers instantiate). */
export function runnableModules(): { build: WasmBuild; module: WebAssembly.Module }[] {
  const r = runtime();
  return wasmBuilds
    .filter((b) => b !== 'relaxed' || relaxedSimdSupported())
    .map((build) => ({ build, module: compile(build, r.shared) }));
}

/** The runtime, created on first use; throws when WebAssembly SIMD is unavailable. */
export function runtime(): Runtime {
  if (rt) return rt;
  if (!simdSupported()) throw new Error('wasm backend: WebAssembly SIMD is not available on this platform');
  const build = selectBuild();
  const shared = sharedMemoryUsable();
  const module = compile(build, shared);
  const memory = new WebAssembly.Memory({
    initial: Math.ceil((HEAP + PAGE) / PAGE),
    maximum: MAX_PAGES,
    shared,
  } as WebAssembly.MemoryDescriptor);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  rt = { module, memory, shared, kernels: instance.exports as unknown as Kernels, build };
  return rt;
}

/**
 * Runs `build` from the next kernel call on, on the same memory (the thread pool restarts its workers on
 * the new module: see pool.ts). Throws when the engine cannot run it.
 */
export function switchBuild(build: WasmBuild): void {
  const r = runtime();
  if (r.build === build) return;
  if (build === 'relaxed' && !relaxedSimdSupported())
    throw new Error(
      "wasm backend: the 'relaxed' build needs WebAssembly relaxed SIMD, which this engine lacks",
    );
  const module = compile(build, r.shared);
  const instance = new WebAssembly.Instance(module, { env: { memory: r.memory } });
  rt = { ...r, module, build, kernels: instance.exports as unknown as Kernels };
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
