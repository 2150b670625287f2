/** Entry point of the WebAssembly kernels (compiled by scripts/build-wasm.ts into src/backend/wasm/binary.ts). */
export { sgemm, dgemm, gemmWorkBytes } from './gemm';
export { im2col32, im2col64, col2im32, col2im64 } from './im2col';
export { maxPoolForward32, maxPoolForward64, maxPoolBackward32, maxPoolBackward64 } from './pool';
export {
  binary32,
  binary64,
  scalar32,
  scalar32d,
  scalar64,
  unary32,
  unary64,
  reluBackward32,
  reluBackward64,
} from './elementwise';
export { convWorkBytes, convForward32, convForward64, convBackward32, convBackward64 } from './conv';
export { optimizerStep32, optimizerStep64 } from './optim';
export {
  channelMoments32,
  channelMoments64,
  channelDot32,
  channelDot64,
  channelLinear32,
  channelLinear64,
} from './norm';
