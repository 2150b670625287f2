/**
 * Reference models trained once and cached, as the course uses a pretrained CNN: the digit CNN — the default
 * `nabla train` model (DEFAULT_CNN_LAYERS, one epoch of Adam on MNIST with a cosine schedule, seed 0) —
 * whose last hidden layer (128 ReLU units) describes a digit for the offline captioning set, and whose
 * scores judge generated digits. Trained on first use (about a minute on two cores), then read from
 * `<data cache>/models/` in milliseconds. Node only (it reads MNIST and writes the cache).
 */
import { loadDataset, prepareData } from '../data/registry.js';
import { dataCacheDir } from '../data/cache.js';
import { normalizeImages, type ImageNormalization } from '../data/preprocess.js';
import { Classifier } from '../models/classifier.js';
import { buildModel, DEFAULT_CNN_LAYERS, TRAIN_DEFAULTS } from '../models/registry.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { concatenate } from '../ndarray/manipulation.js';
import { fmtShape } from '../ndarray/shape.js';
import { Sequential } from '../nn/modules/sequential.js';
import { nodeFs, nodePath, sha256Hex } from '../nodeFiles.js';
import { cosineLr } from '../optim/schedules.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { Solver, predictLabels } from './solver.js';
import { group, loadModelArrays } from './state.js';

/** The bundled pretrained MNIST CNN: the model, its input normalisation, cache key, test accuracy. */
export interface DigitCnn {
  model: Classifier;
  normalization: ImageNormalization;
  /** Names these weights (a checksum): features computed with them can be cached under it. */
  key: string;
  /** Test accuracy on MNIST's 10,000 test digits, measured when it was trained. */
  testAccuracy: number;
  /** digits (M, 28, 28) uint8 → the last hidden layer's activations (M, 128) float32, in eval mode. */
  features(digits: NDArray): NDArray;
  /** digits (M, 28, 28) uint8 → class scores (M, 10). */
  scores(digits: NDArray): NDArray;
}

const VERSION = 1;

/** The cached digit CNN, trained (and cached) first if it is not there yet; `log` hears about training. */
export async function mnistDigitCnn({
  log = () => {},
}: { log?: (line: string) => void } = {}): Promise<DigitCnn> {
  const fs = nodeFs('mnistDigitCnn');
  const file = nodePath('mnistDigitCnn').join(dataCacheDir(), 'models', `mnist-cnn-v${VERSION}.npz`);
  const config = { name: 'cnn', options: { reg: 0 } };
  const model = buildModel(config, {
    inputShape: [1, 28, 28],
    numClasses: 10,
    dtype: 'float32',
    seed: 0,
  }) as Classifier;
  if (!fs.existsSync(file)) {
    log('training the digit CNN once (the default `nabla train` model on MNIST) and caching it...');
    const { normalization, testAccuracy } = await trainDigitCnn(model);
    saveCheckpoint(
      file,
      { normalization, testAccuracy, layers: DEFAULT_CNN_LAYERS },
      {
        ...Object.fromEntries(Object.entries(model.params).map(([k, v]) => [`params/${k}`, v])),
        ...Object.fromEntries(Object.entries(model.buffers()).map(([k, v]) => [`buffers/${k}`, v])),
      },
    );
    log(`digit CNN: ${(100 * testAccuracy).toFixed(2)}% on MNIST's test digits, cached in ${file}`);
  }
  const ck = loadCheckpoint(file);
  loadModelArrays(model, group(ck.arrays, 'params'), group(ck.arrays, 'buffers'), `digit CNN '${file}'`);
  const normalization = ck.meta.normalization as ImageNormalization;
  const hidden = new Sequential(...(model.net as Sequential).layers.slice(0, -1)).eval();
  const run = (net: { forward(x: NDArray): NDArray }, digits: NDArray, op: string): NDArray => {
    if (digits.ndim !== 3 || digits.shape[1] !== 28 || digits.shape[2] !== 28)
      throw new RangeError(`${op}: digits of shape ${fmtShape(digits.shape)} are not (M, 28, 28)`);
    const M = digits.shape[0];
    const parts: NDArray[] = [];
    for (let s = 0; s < M; s += 500) {
      const raw = digits.slice(`${s}:${Math.min(M, s + 500)}`);
      parts.push(
        net.forward(normalizeImages(raw.reshape(raw.shape[0], 28, 28, 1), normalization, 'chw', 'float32')),
      );
    }
    return concatenate(parts, 0).astype('float32');
  };
  return {
    model,
    normalization,
    key: sha256Hex(fs.readFileSync(file)).slice(0, 16),
    testAccuracy: Number(ck.meta.testAccuracy),
    features: (digits) => run(hidden, digits, 'DigitCnn.features'),
    scores: (digits) => run({ forward: (x) => model.loss(x) }, digits, 'DigitCnn.scores'),
  };
}

/** One epoch as `nabla train` does it by default; returns the normalisation and the test accuracy. */
async function trainDigitCnn(
  model: Classifier,
): Promise<{ normalization: ImageNormalization; testAccuracy: number }> {
  const ds = await loadDataset({ kind: 'builtin', name: 'mnist' });
  const data = prepareData(ds, { valCount: 1000, layout: 'chw', dtype: 'float32' });
  const d = TRAIN_DEFAULTS.cnn;
  const solver = new Solver(model, data, {
    updateRule: 'adam',
    optimConfig: { learningRate: d.lr },
    lrSchedule: cosineLr(),
    batchSize: d.batchSize,
    numEpochs: d.epochs,
    verbose: false,
    seed: 0,
  });
  await solver.run();
  const pred = predictLabels(model, data.XTest, 500).toTypedArray();
  const y = data.yTest.toTypedArray();
  let right = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) right++;
  return { normalization: data.normalization, testAccuracy: right / y.length };
}
