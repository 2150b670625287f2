/**
 * Saving and loading .npy/.npz files in Node. Writes are atomic: the bytes go to a temporary file in the
 * same directory, which is then renamed over the target, so a crash never leaves a half-written file.
 */
import { nodeFs, nodePath } from '../nodeFiles.js';
import type { NDArray } from './ndarray.js';
import { fromNpy, fromNpz, toNpy, toNpz, type NpzOptions } from './npy.js';

/** Writes `bytes` to `file` atomically (temp file in the same directory + rename). */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const { writeFileSync, renameSync, rmSync } = nodeFs('writeFileAtomic');
  const path = nodePath('writeFileAtomic');
  const dir = path.dirname(file);
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
  );
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

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
  writeFileAtomic(file, toNpy(a));
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
