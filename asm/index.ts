/**
 * Entry point of the WebAssembly kernels (compiled by scripts/build-wasm.ts into src/backend/wasm/binary.ts).
 * Each kernel is written once, generic over f32 | f64, and exported once: its first argument is the element
 * size in bytes (4 or 8), which picks the specialisation.
 */
export { gemm, gemmWorkBytes } from './gemm';
export { im2col, col2im } from './im2col';
export { maxPoolForward, maxPoolBackward } from './pool';
export { binary, scalar, scalar32d, unary, reluBackward } from './elementwise';
export { convWorkBytes } from './conv/layout';
export { convForward } from './conv/forward';
export { convBackward } from './conv/backward';
export { optimizerStep } from './optim';
export { channelMoments, channelDot, channelLinear } from './norm';
