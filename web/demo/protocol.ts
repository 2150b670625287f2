/**
 * What the demo page (main.ts) and its training Worker (worker.ts) share: the run settings and the messages.
 * Nothing here imports the library, so the page's script stays small.
 */

export type DatasetName = 'spiral' | 'mnist';
export type ModelName = 'twoLayerNet' | 'cnn';

export interface RunConfig {
  dataset: DatasetName;
  model: ModelName;
  seed: number;
  updateRule: 'sgd' | 'sgdMomentum' | 'rmsprop' | 'adam';
  learningRate: number;
  /** Minibatch size; the whole training set when larger. */
  batchSize: number;
  hiddenDim: number;
  reg: number;
}

/**
 * Good settings per data set (the spiral: full batches, as in CS231n's spiral notes; MNIST: the small CNN
 * on minibatches of 32, which passes 90% on the held-out digits after about 100 iterations).
 */
export const DEFAULTS: Record<DatasetName, RunConfig> = {
  spiral: {
    dataset: 'spiral',
    model: 'twoLayerNet',
    seed: 0,
    updateRule: 'adam',
    learningRate: 0.02,
    batchSize: 300,
    hiddenDim: 100,
    reg: 1e-3,
  },
  mnist: {
    dataset: 'mnist',
    model: 'cnn',
    seed: 0,
    updateRule: 'adam',
    learningRate: 2e-3,
    batchSize: 32,
    hiddenDim: 100,
    reg: 1e-4,
  },
};

/**
 * A learning rate that trains smoothly with each update rule, per data set (the page shows it when a rule
 * is picked). Found by trying: e.g. the spiral with sgdMomentum at 0.5 spikes, at 0.3 it does not.
 */
export const LEARNING_RATES: Record<DatasetName, Record<RunConfig['updateRule'], number>> = {
  spiral: { sgd: 1, sgdMomentum: 0.3, rmsprop: 0.01, adam: 0.02 },
  mnist: { sgd: 0.1, sgdMomentum: 0.02, rmsprop: 1e-3, adam: 2e-3 },
};

/** Images in web/dist/demo/mnist.bin (written by web/plugins.ts): the first of MNIST's training and test sets. */
export const MNIST_SIZES = { train: 5000, test: 1000 };

/**
 * Page → Worker. 'init' starts a fresh run, numbered by the page; every answer carries that runId, so the
 * page can drop messages of a run it has replaced. `backend`: 'js', 'wasm', or '' for nabla's default;
 * `mnistUrl`: where the MNIST subset is (the page knows; the Worker's own URL is in assets/).
 */
export type ToWorker =
  | { type: 'init'; runId: number; config: RunConfig; backend: string; mnistUrl: string }
  | { type: 'start' }
  | { type: 'stop' }
  | Sample;

/**
 * Page → Worker: the image to inspect from now on (MNIST: 784 values in [0, 1], ink 1) — a test digit the
 * user clicked, a drawing, a dropped picture. The Worker answers with an Inspect at once, and again each
 * time it measures.
 */
export interface Sample {
  type: 'sample';
  /** Chosen by the page; the Inspect about this image carries it. */
  sampleId: number;
  image: Float32Array;
}

/** Feature maps or filters: `channels` pictures of height × width, one after another in `data`. */
export interface FeatureMaps {
  name: string;
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** What the net makes of the sample: class probabilities, feature maps per conv layer, first-layer filters. */
export interface Inspection {
  probs: Float32Array;
  maps: FeatureMaps[];
  filters: FeatureMaps | null;
}

export interface Inspect extends Inspection {
  type: 'inspect';
  runId: number;
  sampleId: number;
  /** The iteration the weights are from. */
  iteration: number;
}

export interface Ready {
  type: 'ready';
  runId: number;
  backends: string[];
  backend: string;
  /** Threads the wasm kernels use (initThreads: more than 1 where the page is cross-origin isolated). */
  threads: number;
  /** The spiral's points: xy (N·2) and their classes (N), to draw under the boundary. */
  points: { xy: Float32Array; labels: Int32Array } | null;
  /** MNIST: the first test images (n·784, in [0, 1]) whose predictions each progress message carries. */
  digits: Float32Array | null;
  /** Their true labels. */
  digitLabels: Int32Array | null;
}

export interface Progress {
  type: 'progress';
  runId: number;
  /** Whether the Worker goes on training after this message (false in its answer to 'stop'). */
  running: boolean;
  /** Iterations done so far. */
  iteration: number;
  /** The loss of every iteration since the previous message. */
  losses: number[];
  /** Accuracy on the validation set (the spiral: its training points), as last measured. */
  accuracy: number;
  /** Training examples per second in this slice (forward + backward + update); 0 when none trained. */
  imagesPerSec: number;
  /** The spiral: predicted class per cell of a square grid (row 0 at the top), when measured anew. */
  boundary: Uint8Array | null;
  /** MNIST: predicted digit of each image in Ready.digits, when measured anew. */
  predictions: Int32Array | null;
}

export type FromWorker = Ready | Progress | Inspect | { type: 'error'; runId: number; message: string };
