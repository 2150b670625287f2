/** The TypeScript backend: plain loops on typed arrays, available everywhere. */
import type { Backend } from '../backend.js';
import { binary, binaryScalar, clip, reluBackward, unary } from './elementwise.js';
import { convBackward, convForward } from './conv.js';
import { gemm } from './gemm.js';
import { col2im, im2col } from './im2col.js';
import { channelDot, channelLinear, channelMoments } from './norm.js';
import { optimizerStep } from './optim.js';
import { maxPoolBackward, maxPoolForward } from './pool.js';
import { argReduce, reduce } from './reduce.js';
import { luFactor, luSolve } from './lu.js';

export const jsBackend: Backend = {
  name: 'js',
  binary,
  binaryScalar,
  unary,
  reluBackward,
  optimizerStep,
  clip,
  reduce,
  argReduce,
  gemm,
  im2col,
  col2im,
  maxPoolForward,
  maxPoolBackward,
  convForward,
  convBackward,
  channelMoments,
  channelDot,
  channelLinear,
  luFactor,
  luSolve,
};
