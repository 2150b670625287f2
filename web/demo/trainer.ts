/**
 * The demo's training run, free of DOM and Worker APIs so that it runs (and is tested) in Node as well as
 * in the Worker: the data, the model, and a step() that trains one minibatch.
 *
 * Everything random — the spiral's noise, the weights, the minibatch order — comes from `seed`, so the same
 * config gives the same loss curve on every run.
 */
import {
  Classifier,
  Conv2d,
  Flatten,
  Generator,
  Linear,
  MaxPool2d,
  NDArray,
  ReLU,
  Sequential,
  TwoLayerNet,
  argmax,
  updateRules,
  type Model,
  Solver,
  arrayDataset,
} from '../../src/browser.js';
import type { FeatureMaps, Inspection, RunConfig } from './protocol.js';

export interface Dataset {
  XTrain: NDArray;
  yTrain: NDArray;
  XVal: NDArray;
  yVal: NDArray;
  numClasses: number;
}

/**
 * CS231n's spiral: `numClasses` arms of `numPerClass` points each, radius 0 → 1, angle noise 0.2.
 * X: (numClasses·numPerClass, 2) float32 in [-1, 1]², y: int32 class of each point. The validation set is
 * the training set (the demo shows how well the net fits it).
 */
export function spiralData(seed: number, numPerClass = 100, numClasses = 3): Dataset {
  const rng = new Generator(seed);
  const n = numPerClass * numClasses;
  const X = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let j = 0; j < numClasses; j++) {
    for (let i = 0; i < numPerClass; i++) {
      const k = j * numPerClass + i;
      const r = i / (numPerClass - 1);
      const t = (j + r) * 4 + rng.nextGaussian() * 0.2;
      X[2 * k] = r * Math.sin(t);
      X[2 * k + 1] = r * Math.cos(t);
      y[k] = j;
    }
  }
  const XTrain = new NDArray(X, [n, 2], 'float32');
  const yTrain = new NDArray(y, [n], 'int32');
  return { XTrain, yTrain, XVal: XTrain, yVal: yTrain, numClasses };
}

/**
 * MNIST from the bytes of web/dist/demo/mnist.bin (see web/plugins.ts): images scaled to [0, 1] as
 * (N, 1, 28, 28) float32, labels int32.
 */
export function mnistData(bytes: Uint8Array, numTrain: number, numTest: number): Dataset {
  const px = 28 * 28;
  if (bytes.length !== (numTrain + numTest) * (px + 1))
    throw new Error(
      `mnistData: ${bytes.length} bytes do not hold ${numTrain} + ${numTest} images and labels`,
    );
  const images = (off: number, n: number) => {
    const f = new Float32Array(n * px);
    for (let i = 0; i < f.length; i++) f[i] = bytes[off + i] / 255;
    return new NDArray(f, [n, 1, 28, 28], 'float32');
  };
  const labels = (off: number, n: number) =>
    new NDArray(Int32Array.from(bytes.subarray(off, off + n)), [n], 'int32');
  const testOff = numTrain * (px + 1);
  return {
    XTrain: images(0, numTrain),
    yTrain: labels(numTrain * px, numTrain),
    XVal: images(testOff, numTest),
    yVal: labels(testOff + numTest * px, numTest),
    numClasses: 10,
  };
}

/**
 * The demo's CNN for (N, C, H, W) images, small enough to learn MNIST in seconds in a browser:
 *
 *   conv 5×5, 8 filters → ReLU → 2×2 max pool → conv 5×5, 16 filters → ReLU → 2×2 max pool → linear → softmax
 *
 * Same padding, so 28×28 digits give feature maps of 8×28×28 and 16×14×14 and 16·7·7 = 784 features.
 */
export function demoCnn(dims: [number, number, number], numClasses: number, seed: number): Classifier {
  const [C, H, W] = dims;
  if (H % 4 !== 0 || W % 4 !== 0)
    throw new Error(`demoCnn: two 2×2 pools need H and W divisible by 4, got ${C}×${H}×${W}`);
  const rng = new Generator(seed);
  return new Classifier(
    new Sequential(
      new Conv2d(C, 8, 5, { padding: 2, rng }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(8, 16, 5, { padding: 2, rng }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(16 * (H / 4) * (W / 4), numClasses, { rng }),
    ),
  );
}

export function makeModel(config: RunConfig, data: Dataset): Model {
  const [, ...dims] = data.XTrain.shape;
  const inputDim = dims.reduce((a, b) => a * b, 1);
  if (config.model === 'cnn') {
    if (dims.length !== 3)
      throw new Error(`makeModel: the CNN needs images (N, C, H, W), got ${config.dataset}`);
    return demoCnn(dims as [number, number, number], data.numClasses, config.seed);
  }
  return new TwoLayerNet({
    inputDim,
    hiddenDim: config.hiddenDim,
    numClasses: data.numClasses,
    weightScale: 1e-2,
    reg: config.reg,
    seed: config.seed,
    // The page trains in float32 (twice as fast as the course's float64 default, and its data is float32).
    dtype: 'float32',
  });
}

/** Softmax of one row of scores, computed stably (max subtracted). */
export function softmaxRow(scores: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const p = new Float32Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += p[i] = Math.exp(scores[i] - max);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

const maps = (name: string, a: NDArray): FeatureMaps => {
  const [channels, height, width] = a.shape.slice(-3);
  return { name, channels, height, width, data: Float32Array.from(a.toTypedArray() as Float32Array) };
};

/**
 * One training run: the library's Solver, stepped by the worker (seeded epoch order, one optimizer config per
 * parameter), with no metric of its own: the page measures held-out accuracy itself.
 */
export class TrainingRun {
  readonly model: Model;
  private readonly solver: Solver;

  constructor(
    readonly config: RunConfig,
    readonly data: Dataset,
  ) {
    if (!(config.updateRule in updateRules))
      throw new Error(`TrainingRun: unknown update rule '${config.updateRule}'`);
    this.model = makeModel(config, data);
    this.solver = new Solver(
      this.model,
      { train: arrayDataset(data.XTrain, data.yTrain) },
      {
        updateRule: config.updateRule,
        optimConfig: { learningRate: config.learningRate },
        batchSize: Math.min(config.batchSize, data.XTrain.shape[0]),
        // The page trains until it is paused or reset.
        numEpochs: 1e9,
        metric: null,
        verbose: false,
        seed: config.seed + 1,
      },
    );
  }

  get iteration(): number {
    return this.solver.iteration;
  }

  get batchSize(): number {
    return this.solver.batchSize;
  }

  /** Trains on one minibatch; returns its loss. */
  step(): number {
    return this.solver.step();
  }

  /** Predicted classes of X (N, ...) → (N,) int32, 500 at a time. */
  predict(X: NDArray): Int32Array {
    const N = X.shape[0];
    const out = new Int32Array(N);
    for (let i = 0; i < N; i += 500) {
      const scores = this.model.loss(X.slice(`${i}:${Math.min(N, i + 500)}`));
      out.set(argmax(scores, 1).toTypedArray() as Int32Array, i);
    }
    return out;
  }

  /** Fraction of X classified as y. */
  accuracy(X: NDArray, y: NDArray): number {
    const pred = this.predict(X);
    const labels = y.toTypedArray();
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) right++;
    return right / pred.length;
  }

  /**
   * What the net makes of one image (C·H·W values, as a row of XTrain): its class probabilities, the
   * feature maps after each conv layer's ReLU (the CNN), and the first layer's filters (the CNN's conv
   * filters; the two-layer net's first 16 hidden units, each a template the size of the image).
   */
  inspect(image: Float32Array): Inspection {
    const [, ...dims] = this.data.XTrain.shape;
    const x = new NDArray(image, [1, ...dims], 'float32');
    const m = this.model;
    const found: FeatureMaps[] = [];
    let scores: NDArray;
    let filters: FeatureMaps | null = null;
    if (m instanceof Classifier && m.net instanceof Sequential) {
      const layers = m.net.layers;
      m.net.eval();
      let h = x;
      for (let i = 0; i < layers.length; i++) {
        h = layers[i].forward(h);
        if (layers[i] instanceof ReLU && layers[i - 1] instanceof Conv2d)
          found.push(maps(`conv${found.length + 1}`, h));
      }
      scores = h;
      const first = layers.find((l) => l instanceof Conv2d);
      if (first) {
        // (F, C, k, k): the first input channel of each filter (MNIST has one).
        const w = first.params.weight;
        const [F, C, k] = w.shape;
        const all = w.toTypedArray();
        const data = new Float32Array(F * k * k);
        for (let f = 0; f < F; f++) data.set(all.subarray(f * C * k * k, (f * C + 1) * k * k), f * k * k);
        filters = { name: 'filters', channels: F, height: k, width: k, data };
      }
    } else {
      scores = m.loss(x);
      const W1 = this.model.params.W1;
      if (W1 && W1.shape.length === 2 && dims.length === 3) {
        const k = Math.min(16, W1.shape[1]);
        const t = W1.slice(':', `:${k}`).transpose().reshape([k, dims[1], dims[2]]);
        filters = maps('templates', t);
      }
    }
    return { probs: softmaxRow(scores.toTypedArray() as Float32Array), maps: found, filters };
  }

  /**
   * The spiral's decision boundary: the predicted class at each cell of a size × size grid over
   * [-extent, extent]², row 0 at the top (y = +extent).
   */
  boundary(size: number, extent = 1.1): Uint8Array {
    const grid = new Float32Array(size * size * 2);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const k = r * size + c;
        grid[2 * k] = ((c + 0.5) / size) * 2 * extent - extent;
        grid[2 * k + 1] = extent - ((r + 0.5) / size) * 2 * extent;
      }
    }
    return Uint8Array.from(this.predict(new NDArray(grid, [size * size, 2], 'float32')));
  }
}
