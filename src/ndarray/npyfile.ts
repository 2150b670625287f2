/**
 * Saving and loading .npy/.npz files in Node. Writes are atomic (writeFileAtomic, nodeFiles.ts): a crash
 * never leaves a half-written file.
 */
import { nodeFs, writeFileAtomic } from '../nodeFiles.js';
import type { NDArray } from './ndarray.js';
import { fromNpy, fromNpz, npyParts, toNpz, type NpzOptions } from './npy.js';

// Part of the public API since the npy files came first; it lives with the other Node-only file helpers.
export { writeFileAtomic };

function read(file: string, op: string): Uint8Array {
  const fs = nodeFs(op);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`${op}: cannot read '${file}': ${(e as Error).message}`, { cause: e });
  }
}

/** numpy.save: writes `a` to `file` (conventionally ending in .npy). */
export function saveNpy(file: string, a: NDArray): void {
  writeFileAtomic(file, npyParts(a)); // header and data written without joining them
}

/** numpy.load of a .npy file. */
export function loadNpy(file: string): NDArray {
  const bytes = read(file, 'loadNpy');
  try {
    return fromNpy(bytes);
  } catch (e) {
    throw new RangeError(`loadNpy: '${file}': ${(e as Error).message}`, { cause: e });
  }
}

/** numpy.savez (or savez_compressed with { compress: true }): named arrays in one .npz file. */
export function saveNpz(file: string, arrays: Record<string, NDArray>, opts?: NpzOptions): void {
  writeFileAtomic(file, toNpz(arrays, opts));
}

/** numpy.load of a .npz file: its arrays by name. */
export function loadNpz(file: string): Record<string, NDArray> {
  const bytes = read(file, 'loadNpz');
  try {
    return fromNpz(bytes);
  } catch (e) {
    throw new RangeError(`loadNpz: '${file}': ${(e as Error).message}`, { cause: e });
  }
}
