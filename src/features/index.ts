/** Hand-made image features of the course (assignment 1): HOG, colour histograms, extraction and normalisation. */
export * from './hog.js';
export * from './colorHistogram.js';
export * from './extract.js';
export { appendBias } from '../models/linearModel.js';
