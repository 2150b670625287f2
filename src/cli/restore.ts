/**
 * A model back from its run checkpoint: rebuilt from the saved config, then filled with the saved arrays.
 * Used by eval and predict (training resumes through the Solver's state, train/run.ts).
 */
import { KNearestNeighbor } from '../models/kNearestNeighbor.js';
import type { Model } from '../models/model.js';
import { buildCaptionModel, buildModel, layoutOf, type Layout } from '../models/registry.js';
import type { CaptionModel } from '../solver/metrics.js';
import { group, loadModelArrays } from '../solver/state.js';
import { loadRunCheckpoint, type RunCheckpoint } from './checkpoint.js';
import type { GanModel } from '../models/ganModel.js';
import { ganFromConfig } from './train/gan.js';
import type { FloatDType } from './choices.js';

export interface Restored {
  ck: RunCheckpoint;
  layout: Layout;
  dtype: FloatDType;
  /** The trained net or linear classifier (null for kNN and captioning). */
  model: Model | null;
  /** A captioning run's model. */
  captioner: CaptionModel | null;
  /** A GAN run's discriminator and generator. */
  gan?: GanModel;
  knn: { model: KNearestNeighbor; k: number } | null;
}

const floatOf = (dtype: string | undefined): FloatDType => (dtype === 'float64' ? 'float64' : 'float32');

export function restoreModel(arg: string, opts: { allowNonFinite?: boolean } = {}): Restored {
  const ck = loadRunCheckpoint(arg, opts);
  const { meta, arrays } = ck;
  const config = meta.model.config;
  const layout = layoutOf(meta.model.name);
  if (meta.model.name === 'knn') {
    const knn = new KNearestNeighbor();
    knn.train(arrays['data/XTrain'], arrays['data/yTrain']);
    const k = Number(config.options?.k ?? 1);
    return {
      ck,
      layout,
      dtype: floatOf(arrays['data/XTrain'].dtype),
      model: null,
      knn: { model: knn, k },
      captioner: null,
    };
  }
  if (meta.task === 'gan') {
    const params = group(arrays, 'params');
    const dtype = floatOf(Object.values(params)[0]?.dtype);
    const gan = ganFromConfig({ model: config, seed: 0, dtype });
    loadModelArrays(gan, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
    return { ck, layout, dtype, model: null, knn: null, captioner: null, gan };
  }
  if (meta.task === 'captioning') {
    const params = group(arrays, 'params');
    const dtype = floatOf(Object.values(params)[0]?.dtype);
    const captioner = buildCaptionModel(config, { inputDim: meta.inputShape[0], dtype, seed: 0 });
    loadModelArrays(captioner, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
    return { ck, layout, dtype, model: null, knn: null, captioner };
  }
  const params = group(arrays, 'params');
  const dtype = floatOf(Object.values(params)[0]?.dtype);
  const model = buildModel(config, {
    inputShape: meta.inputShape,
    numClasses: meta.classNames.length,
    dtype,
    seed: 0,
  });
  loadModelArrays(model, params, group(arrays, 'buffers'), `checkpoint '${ck.paths.npz}'`);
  return { ck, layout, dtype, model, knn: null, captioner: null };
}
