/** Modules for arbitrary nets: Sequential and layers as objects, and the layer files that declare them. */
export * from './module.js';
export * from './layers.js';
export * from './sequential.js';
export * from './norm.js';
export * from './init.js';
export * from './spec.js';
export * from './recurrent.js';
export * from './embedding.js';
export * from './convTranspose.js';
export * from './attention.js';
export * from './transformer.js';
