/** Backend selection: every op asks `backend()` for the kernels; nothing else knows which one runs. */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

export type { Backend, BinaryOp, GemmArgs, ReduceOp, Strided, UnaryOp } from './backend.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
let current: Backend = jsBackend;

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

export function listBackends(): string[] {
  return [...registry.keys()];
}
