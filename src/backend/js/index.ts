/** The TypeScript backend: plain loops on typed arrays, available everywhere. */
import type { Backend } from '../backend.js';
import { binary, binaryScalar, clip, reluBackward, unary } from './elementwise.js';
import { convBackward, convForward } from './conv.js';
import { gemm, gemmBatched } from './gemm.js';
import { softmax, softmaxBackward } from './softmax.js';
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
  gemmBatched,
  softmax,
  softmaxBackward,
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
