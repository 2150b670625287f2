/**
 * nabla's public API under Node: everything the browser entry has (browser.ts: NDArray, backends, layers,
 * modules, models, update rules, the Solver), plus the parts that need Node.js built-ins: the data loaders,
 * the data-set registry and the decoded-data cache, the image features, loading a `nabla train` run (loadRun)
 * and ONNX export (exportOnnx).
 */
export * from './browser.js';
export * from './data/index.js';
export * from './features/index.js';
export { mnistDigitCnn, type DigitCnn } from './solver/pretrained.js';
export { exportOnnx } from './models/onnx.js';
export {
  loadRun,
  loadRunCheckpoint,
  readRunMeta,
  resolveCheckpoint,
  RUN_CHECKPOINT_FILES,
  type LoadedRun,
  type RunCheckpoint,
  type RunInfo,
  type RunMeta,
  type RunPaths,
} from './solver/run.js';
