/** `nabla info`: what is running — version, Node, backend, threads, SIMD. */
import os from 'node:os';
import { backend } from '../../backend/index.js';
import * as backends from '../../backend/index.js';
import { packageVersion } from '../version.js';

/** A module using one SIMD instruction (i32x4.splat): validates only where WebAssembly SIMD is supported. */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 17, 253, 98,
  11,
]);

export interface Info {
  version: string;
  node: string;
  platform: string;
  cpus: number;
  backend: string;
  threads: number;
  simd: boolean;
  wasmSimdAvailable: boolean;
  backends: string[];
}

export function collectInfo(): Info {
  // The wasm backend adds backendInfo() with its thread count and SIMD use; the js backend runs on one thread.
  const extra = (backends as Record<string, unknown>).backendInfo;
  const reported =
    typeof extra === 'function'
      ? ((extra as () => Partial<{ threads: number; simd: boolean; name: string }>)() ?? {})
      : {};
  let wasmSimdAvailable: boolean;
  try {
    wasmSimdAvailable = WebAssembly.validate(simdProbe);
  } catch {
    wasmSimdAvailable = false;
  }
  return {
    version: packageVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    backend: reported.name ?? backend().name,
    threads: reported.threads ?? 1,
    simd: reported.simd ?? false,
    wasmSimdAvailable,
    backends: backends.listBackends(),
  };
}

export function infoCommand(opts: { json?: boolean }): void {
  const info = collectInfo();
  if (opts.json) {
    console.log(JSON.stringify(info, null, 2));
    return;
  }
  console.log(`nabla ${info.version}`);
  console.log(`node       ${info.node} (${info.platform}, ${info.cpus} cores)`);
  console.log(
    `backend    ${info.backend} (registered: ${info.backends.join(', ')}; choose with NABLA_BACKEND)`,
  );
  console.log(
    `threads    ${info.threads}${process.env.NABLA_THREADS ? ` (NABLA_THREADS=${process.env.NABLA_THREADS})` : ''}`,
  );
  console.log(
    `SIMD       ${info.simd ? 'in use' : 'not in use'} (WebAssembly SIMD ${info.wasmSimdAvailable ? 'available' : 'unavailable'} in this runtime)`,
  );
}
