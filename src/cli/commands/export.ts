/**
 * `nabla export <run> --format onnx [-o file]`: a trained classifier's test-mode forward as an ONNX model
 * (the library's exportOnnx), with what a user of another runtime needs to feed it — class names, input
 * shape and layout, pixel normalisation — in the file's metadata_props and in the line printed.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exportOnnx } from '../../models/onnx.js';
import { writeFileAtomic } from '../../nodeFiles.js';
import { UsageError } from '../errors.js';
import { restoreModel } from '../restore.js';

export interface ExportFlags {
  /** The one format so far (the option's choices, checked by the parser). */
  format: 'onnx';
  out?: string;
}

export function exportCommand(run: string, flags: ExportFlags): void {
  const r = restoreModel(run);
  const { meta } = r.ck;
  if (!r.model) {
    const kind = r.knn ? 'a kNN run (no weights: it keeps the training images)' : `a ${meta.task} run`;
    throw new UsageError(
      `export: '${run}' is ${kind}; ONNX export takes the trained classifiers (softmax, svm, two-layer, fc, cnn3, cnn, layers)`,
    );
  }
  const file = flags.out ?? join(r.ck.paths.dir, 'model.onnx');
  if (existsSync(file) && statSync(file).isDirectory())
    throw new UsageError(`export: -o '${file}' is a folder; give the .onnx file's path`);
  let bytes: Uint8Array;
  try {
    bytes = exportOnnx(r.model, meta.inputShape, {
      name: `nabla-${meta.model.name}`,
      metadata: {
        model: meta.model.name,
        classNames: JSON.stringify(meta.classNames),
        imageShape: JSON.stringify(meta.imageShape),
        inputLayout: r.layout,
        normalization: JSON.stringify(meta.normalization),
      },
    });
  } catch (e) {
    // A layers model with a layer ONNX export does not cover: the user's model, named in the message.
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  writeFileAtomic(file, bytes);
  const { scale, mean, std } = meta.normalization;
  const fmt = (a: number[]) => `[${a.map((v) => +v.toPrecision(4)).join(', ')}]`;
  console.log(
    `wrote ${file} (${(bytes.length / 1024).toFixed(1)} KiB, ONNX opset 13): input "input" float32 (N, ${meta.inputShape.join(', ')}) ` +
      `= (pixel * ${+scale.toPrecision(6)} - mean) / std per channel, mean ${fmt(mean)}, std ${fmt(std)}` +
      `${r.layout === 'chw' ? ', channels first' : ', pixels flattened (H, W, C)'}; output "scores" (N, ${meta.classNames.length})`,
  );
}
