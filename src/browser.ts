/**
 * nabla for browsers and Web Workers: everything that needs no Node.js built-in — NDArray and its ops, the
 * backends, the layers (functions, and modules: Sequential, Conv2d, ...), the classifiers and nets, the
 * update rules and the Solver. Data loaders, features on image files, charts and the CLI stay in the Node
 * entry (index.ts). Functions that read or write files
 * (saveNpy, loadNpz, Solver checkpoints) are exported but throw here; in-memory .npy/.npz bytes (toNpy,
 * fromNpz, ...) work.
 */
export * from './ndarray/index.js';
export {
  backend,
  backendInfo,
  setBackend,
  registerBackend,
  listBackends,
  type Backend,
} from './backend/index.js';
export {
  setDeterministic,
  isDeterministic,
  initThreads,
  threadCount,
  setThreadCount,
} from './backend/index.js';
export * from './nn/index.js';
export * from './nn/modules/index.js';
export * from './models/index.js';
export * from './optim/index.js';
export * from './solver/index.js';
export * from './data/batches.js';
export * from './data/simclrAugment.js';
export * from './autograd/index.js';
export { summary, type ModelSummary, type SummaryRow } from './models/summary.js';
export type {
  BinaryOp,
  ChannelDotArgs,
  ChannelLinearArgs,
  ChannelMomentsArgs,
  ChannelShape,
  ConvBackwardArgs,
  ConvForwardArgs,
  ConvPool,
  GemmArgs,
  GemmBatchedArgs,
  Im2colArgs,
  LuArgs,
  LuSolveArgs,
  MaxPoolArgs,
  MaxPoolBackwardArgs,
  OptimizerStepArgs,
  ReduceOp,
  ReluBackwardArgs,
  SoftmaxArgs,
  SoftmaxBackwardArgs,
  Strided,
  UnaryOp,
} from './backend/backend.js';
export type { CaptionModel } from './solver/metrics.js';
