/**
 * Backend selection: every op asks `backend()` for the kernels; nothing else knows which one runs.
 * `wasm` is the default wherever WebAssembly SIMD runs; NABLA_BACKEND=js|wasm overrides.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import {
  isDeterministic,
  relaxedSimdSupported,
  setDeterministic,
  simdSupported,
  threadCount,
  wasmAvailable,
  wasmBackend,
  wasmBuild,
  type WasmBuild,
} from './wasm/index.js';

export { setDeterministic, isDeterministic, simdSupported, relaxedSimdSupported };
export { initThreads, setThreadCount, threadCount } from './wasm/index.js';

export type { Backend, BinaryOp, GemmArgs, ReduceOp, Strided, UnaryOp } from './backend.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
if (wasmAvailable()) registry.set('wasm', wasmBackend);

/** The backend NABLA_BACKEND names (throwing when it is unknown or unavailable here), else the fastest one. */
export function defaultBackend(env: string | undefined): Backend {
  if (env === undefined || env === '') return registry.get('wasm') ?? jsBackend;
  const b = registry.get(env);
  if (!b) {
    const why = env === 'wasm' ? ' (WebAssembly SIMD is not available here)' : '';
    throw new Error(
      `NABLA_BACKEND: unknown backend '${env}'${why} (available: ${[...registry.keys()].join(', ')})`,
    );
  }
  return b;
}

let current: Backend = defaultBackend(
  typeof process !== 'undefined' ? process.env?.NABLA_BACKEND : undefined,
);

/** Adds a backend (or replaces the one of the same name) so setBackend(name) can select it. */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/** The backend in use. */
export function backend(): Backend {
  return current;
}

/** Switches backend by name ('js' or 'wasm'); throws listing the registered ones when unknown. */
export function setBackend(name: string): void {
  const b = registry.get(name);
  if (!b)
    throw new Error(`setBackend: unknown backend '${name}' (available: ${[...registry.keys()].join(', ')})`);
  current = b;
}

/** The names of the registered backends ('js', 'wasm', ...). */
export function listBackends(): string[] {
  return [...registry.keys()];
}

/**
 * What `nabla info` reports: the backend in use, the threads its kernels use, whether they use SIMD, which
 * build of the wasm kernels runs (null on other backends) and whether deterministic mode is on.
 */
export function backendInfo(): {
  name: string;
  threads: number;
  simd: boolean;
  build: WasmBuild | null;
  deterministic: boolean;
} {
  const wasm = current.name === 'wasm';
  return {
    name: current.name,
    threads: wasm ? threadCount() : 1,
    simd: wasm && simdSupported(),
    build: wasm ? wasmBuild() : null,
    deterministic: isDeterministic(),
  };
}
