/**
 * A model back from its checkpoint: rebuilt from the saved config, then filled with the saved arrays.
 * Used by eval and predict (training resumes through trainJob, which also restores the optimizer).
 */
import { KNearestNeighbor } from '../models/kNearestNeighbor.js';
import type { Model } from '../models/model.js';
import { group, loadCheckpoint, type Checkpoint } from './checkpoint.js';
import type { FloatDType } from './choices.js';
import { buildModel, layoutOf, loadModelArrays, type ModelConfig } from './models.js';
import type { ImageLayout as Layout } from '../data/preprocess.js';

export interface Restored {
  ck: Checkpoint;
  layout: Layout;
  dtype: FloatDType;
  /** The trained net or linear classifier (null for kNN). */
  model: Model | null;
  knn: { model: KNearestNeighbor; k: number } | null;
}

export function restoreModel(arg: string): Restored {
  const ck = loadCheckpoint(arg);
  const { meta, arrays } = ck;
  const config = meta.model.config as unknown as ModelConfig;
  const layout = layoutOf(meta.model.name);
  const params = group(arrays, 'params');
  const dtype: FloatDType = Object.values(params)[0]?.dtype === 'float64' ? 'float64' : 'float32';
  if (meta.model.name === 'knn') {
    const knn = new KNearestNeighbor();
    knn.train(arrays['data/XTrain'], arrays['data/yTrain']);
    const k = Number(config.options?.k ?? 1);
    return {
      ck,
      layout,
      dtype: arrays['data/XTrain'].dtype === 'float64' ? 'float64' : 'float32',
      model: null,
      knn: { model: knn, k },
    };
  }
  const model = buildModel(config, {
    inputShape: meta.inputShape,
    numClasses: meta.classNames.length,
    dtype,
    seed: 0,
  });
  loadModelArrays(model, params, group(arrays, 'buffers'));
  return { ck, layout, dtype, model, knn: null };
}
