/** nabla's public API. */
export * from './ndarray/index.js';
export {
  backend,
  backendInfo,
  setBackend,
  registerBackend,
  listBackends,
  type Backend,
} from './backend/index.js';
export { setDeterministic, isDeterministic } from './backend/index.js';
export * from './nn/index.js';
export * from './nn/modules/index.js';
export * from './models/index.js';
export * from './optim/index.js';
export * from './solver/index.js';
export * from './data/index.js';
export * from './features/index.js';
