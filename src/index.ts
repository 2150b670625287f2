/**
 * nabla's public API under Node: everything the browser entry has (browser.ts: NDArray, backends, layers,
 * modules, models, update rules, the Solver), plus the parts that need Node.js built-ins: the data loaders,
 * the data-set registry and the decoded-data cache, and the image features.
 */
export * from './browser.js';
export * from './data/index.js';
export * from './features/index.js';
export { mnistDigitCnn, type DigitCnn } from './solver/pretrained.js';
