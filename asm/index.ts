/** Entry point of the WebAssembly kernels (compiled by scripts/build-wasm.ts into wasm/nabla.wasm). */
export { sgemm, dgemm, gemmWorkBytes } from './gemm';
