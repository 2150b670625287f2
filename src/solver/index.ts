/** Training: the Solver, its metrics, state and checkpoints (solver.py). */
export * from './solver.js';
export { accuracyMetric, metricBatch, type Metric, type MetricOptions } from './metrics.js';
export { LossGuard, nonFiniteParam, type Divergence } from './guard.js';
export {
  group,
  prefixed,
  loadModelArrays,
  splitOptimConfigs,
  encodeRngState,
  decodeRngState,
  type SolverState,
  type SolverStateMeta,
} from './state.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpointMeta,
  checkpointPaths,
  removeStaleTemps,
  CheckpointError,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointMeta,
  type CheckpointPaths,
  type LoadCheckpointOptions,
} from './checkpoint.js';
export {
  classifierScore,
  frechetDistance,
  scoreGeneratedDigits,
  type GeneratorScores,
} from './generativeMetrics.js';
