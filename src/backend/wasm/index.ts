/**
 * The WebAssembly backend: SIMD kernels compiled from asm/*.ts, split over threads on a shared memory.
 * Kernels it does not accelerate yet are the TypeScript backend's (softmax and its backward among them).
 */
import type { Backend } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { binary, binaryScalar, reluBackward, unary } from './elementwise.js';
import { convBackward, convForward } from './conv.js';
import { gemm, gemmBatched } from './gemm.js';
import { col2im, im2col } from './im2col.js';
import { maxPoolBackward, maxPoolForward } from './maxPool.js';
import { optimizerStep } from './optim.js';
import { residentArray } from './heap.js';
import { channelDot, channelLinear, channelMoments } from './norm.js';
import { runtime, selectBuild, simdSupported, type WasmBuild } from './runtime.js';

export { initThreads, setThreadCount, threadCount } from './pool.js';
export {
  simdSupported,
  relaxedSimdSupported,
  setDeterministic,
  isDeterministic,
  switchBuild,
  wasmBuilds,
  type WasmBuild,
} from './runtime.js';
export { residentArray } from './heap.js';

export const wasmBackend: Backend = {
  ...jsBackend,
  name: 'wasm',
  binary,
  binaryScalar,
  unary,
  reluBackward,
  optimizerStep,
  gemm,
  gemmBatched,
  im2col,
  col2im,
  maxPoolForward,
  maxPoolBackward,
  convForward,
  convBackward,
  channelMoments,
  channelDot,
  channelLinear,
  residentArray,
};

/** True when the wasm backend can run here (SIMD validates and the module instantiates). */
export function wasmAvailable(): boolean {
  if (!simdSupported()) return false;
  selectBuild(); // a bad NABLA_WASM_BUILD is the user's to see, not a reason to fall back to js
  try {
    runtime();
    return true;
  } catch {
    return false;
  }
}

/** The build of the kernels that runs (see runtime.ts), starting the runtime if needed. */
export function wasmBuild(): WasmBuild {
  return runtime().build;
}
