/** `nabla info`: what is running — version, Node, backend, threads, SIMD, the wasm build and its mode. */
import os from 'node:os';
import { backend } from '../../backend/index.js';
import * as backends from '../../backend/index.js';
import { packageVersion } from '../version.js';

export interface Info {
  version: string;
  node: string;
  platform: string;
  cpus: number;
  backend: string;
  threads: number;
  simd: boolean;
  /** The build of the wasm kernels that runs ('relaxed' or 'simd'), null on the js backend. */
  build: string | null;
  deterministic: boolean;
  wasmSimdAvailable: boolean;
  relaxedSimdAvailable: boolean;
  backends: string[];
}

export function collectInfo(): Info {
  // The wasm backend adds backendInfo() with its thread count and SIMD use; the js backend runs on one thread.
  const extra = (backends as Record<string, unknown>).backendInfo;
  const reported =
    typeof extra === 'function'
      ? ((
          extra as () => Partial<{
            threads: number;
            simd: boolean;
            name: string;
            build: string | null;
            deterministic: boolean;
          }>
        )() ?? {})
      : {};
  return {
    version: packageVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    backend: reported.name ?? backend().name,
    threads: reported.threads ?? 1,
    simd: reported.simd ?? false,
    build: reported.build ?? null,
    deterministic: reported.deterministic ?? false,
    wasmSimdAvailable: backends.simdSupported(),
    relaxedSimdAvailable: backends.relaxedSimdSupported(),
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
  console.log(`wasm build ${buildLine(info)}`);
}

/** Which build of the wasm kernels runs and why (see src/backend/wasm/runtime.ts). */
function buildLine(info: Info): string {
  const relaxed = `relaxed SIMD ${info.relaxedSimdAvailable ? 'available' : 'unavailable'}`;
  const how = process.env.NABLA_WASM_BUILD
    ? `NABLA_WASM_BUILD=${process.env.NABLA_WASM_BUILD}`
    : info.deterministic
      ? 'deterministic mode'
      : `${relaxed}; NABLA_WASM_BUILD=simd|relaxed forces one, NABLA_DETERMINISTIC=1 runs simd`;
  if (info.build === 'relaxed') return `relaxed (fused multiply-add kernels; ${how})`;
  if (info.build === 'simd')
    return `simd (IEEE-exact: the same bits on every engine and thread count; ${how})`;
  return `none (the ${info.backend} backend runs; ${relaxed})`;
}
