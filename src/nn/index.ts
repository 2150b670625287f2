/** The layer library: forward/backward pairs, losses, sandwiches and gradient checking (CS231n's layers). */
export * from './affine.js';
export * from './activations.js';
export * from './losses.js';
export * from './batchnorm.js';
export { layernormForward, layernormBackward, type LnParam, type LayernormCache } from './layernorm.js';
export * from './groupnorm.js';
export * from './dropout.js';
export { convForwardNaive, convBackwardNaive, type ConvParam, type ConvCache } from './convNaive.js';
export * from './conv.js';
export * from './pool.js';
export * from './sandwiches.js';
export * from './gradientCheck.js';
export * from './rnn.js';
export * from './lstm.js';
export * from './softmax.js';
export * from './convTranspose.js';
