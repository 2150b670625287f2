/** The storage kernels work on: the typed arrays behind NDArrays (ndarray/dtype.ts re-exports them). */
export type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
/** The typed arrays of floating-point data (float64 and float32 arrays). */
export type FloatArray = Float64Array | Float32Array;
