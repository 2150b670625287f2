/** Modules for arbitrary nets: Sequential and layers as objects, and a Classifier the Solver can train. */
export * from './module.js';
export * from './layers.js';
export * from './sequential.js';
export * from './norm.js';
export * from './init.js';
export * from './classifier.js';
export * from './recurrent.js';
