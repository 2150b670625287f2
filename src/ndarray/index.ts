/** The NDArray module: the array type and every op on it, numpy-style. */
export {
  NDArray,
  allocArray,
  type IndexSpec,
  type SliceSpec,
  type Operand,
  type NestedArray,
} from './ndarray.js';
export * from './dtype.js';
export { broadcastShapes, fmtShape, type Shape } from './shape.js';
export * from './creation.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './linalg.js';
export {
  addAt,
  nonzeroOf as nonzero,
  sliceIndices,
  take,
  put,
  takeAlongAxis,
  putAlongAxis,
  where,
  compress,
  gatherRows,
  type Indices,
  type SliceParts,
} from './indexing.js';
export * from './manipulation.js';
export * from './diagonal.js';
export * from './statistics.js';
export * from './einsum.js';
export * from './npy.js';
export * from './npyfile.js';
export * from './random.js';
