/** Training: the Solver and its checkpoints (solver.py). */
export * from './solver.js';
export { loadCheckpoint, type CheckpointMeta, type CheckpointData } from './checkpoint.js';
