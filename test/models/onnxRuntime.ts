/**
 * The independent runtime for ONNX tests: onnxruntime-web's WebAssembly build (under Node, one thread) runs
 * an exported model, and its scores are compared with nabla's.
 */
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import type { NDArray } from '../../src/ndarray/ndarray.js';

ort.env.wasm.numThreads = 1;

/** onnxruntime's output "scores" for the .onnx bytes `model` on input X (fed as float32 "input"). */
export async function ortScores(
  model: Uint8Array,
  X: NDArray,
): Promise<{ scores: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({
    input: new ort.Tensor('float32', X.astype('float32').toTypedArray() as Float32Array, [...X.shape]),
  });
  return { scores: out.scores.data as Float32Array, dims: out.scores.dims };
}

/** Every score within 1e-4, relative to the larger of 1 and nabla's score. */
export function expectClose(ours: ArrayLike<number>, theirs: Float32Array): void {
  expect(theirs.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++)
    worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(ours[i])));
  expect(worst).toBeLessThan(1e-4);
}
