/**
 * brain.js 1.6.1 peer: its NeuralNetwork is a fully connected net trained one example at a time (batch 1) on
 * mean squared error, with the same activation on every layer. So only fc2 fits, approximately: 3072-100-10 with
 * ReLU, MSE against one-hot targets instead of softmax, SGD (momentum 0) at the workload's learning rate.
 * A step is one pass of brain.js's own per-iteration routine (trainPatterns) over a 200-example batch, on data
 * formatted once by its formatData; train() would redo that formatting on every call.
 */
import { createRequire } from 'node:module';
import type { Outcome, Peer } from '../peer.js';
import { batchPool, captionPool, initParams, spec, type Task } from '../workloads.js';

interface Pattern {
  input: Float32Array;
  output: Float32Array;
}
interface NeuralNetwork {
  sizes: number[];
  weights: Float32Array[][];
  biases: Float32Array[];
  initialize(): void;
  updateTrainingOptions(o: object): void;
  formatData(data: { input: number[]; output: number[] }[]): Pattern[];
  trainPatterns(data: Pattern[]): void;
}

const require = createRequire(import.meta.url);
const brain = require('brain.js') as {
  NeuralNetwork: new (o: object) => NeuralNetwork;
  recurrent: { LSTM: new (o: object) => { initialize(): void; trainPattern(input: number[]): void } };
};

/**
 * caption-lstm cannot be expressed: brain.js's recurrent.LSTM is a language model of one integer sequence at a
 * time (batch 1), starting from a zero state — no image features, no initial hidden state, no minibatch. The
 * closest thing: the same LSTM without the image, an embedding of the vocabulary (inputRange V) into inputSize
 * = wordvec 256, hidden 512, a softmax over V + 1 outputs, trained with its trainPattern (forward, backward,
 * its RMSprop step) on each of the minibatch's N captions (their T words, its start token in front): T steps
 * and N weight updates per minibatch.
 */
function captionLanguageModel(): Outcome {
  const w = spec.workloads['caption-lstm'];
  const net = new brain.recurrent.LSTM({
    inputSize: w.wordvec_dim,
    inputRange: w.vocab,
    hiddenLayers: [w.hidden_dim],
    outputSize: w.vocab,
    learningRate: w.optimizer.lr,
  });
  net.initialize();
  const L = w.T + 1;
  const pool = captionPool('caption-lstm').map((b) =>
    Array.from({ length: w.batch }, (_, n) => Array.from(b.captions.subarray(n * L + 1, (n + 1) * L - 1))),
  );
  let b = 0;
  return {
    unitsPerStep: w.batch,
    note: 'cannot express this workload (no image conditioning, batch 1); measured: the LSTM language model over the same captions, one trainPattern per caption',
    step: () => {
      for (const seq of pool[b++ % pool.length]) net.trainPattern(seq);
    },
  };
}

const peer: Peer = {
  label: 'brain.js',
  async setup() {
    return 'brain.js 1.6.1 NeuralNetwork (CPU), batch 1, MSE';
  },
  async prepare(task: Task): Promise<Outcome> {
    if (task.kind === 'gemm') return { cannot: 'no matmul API' };
    if (task.id === 'caption-lstm') return captionLanguageModel();
    if (task.id !== 'fc2') return { cannot: 'cannot express (fully connected, same activation everywhere)' };
    const w = spec.workloads.fc2;
    const p = new Map(initParams('fc2').map((x) => [x.name, x]));
    const [din, dh] = p.get('W1')!.shape;
    const dout = p.get('W2')!.shape[1];
    const net = new brain.NeuralNetwork({ hiddenLayers: [dh], activation: 'relu' });
    net.sizes = [din, dh, dout];
    net.initialize();
    net.updateTrainingOptions({ learningRate: w.optimizer.lr });
    // Plain SGD: brain.js's option check rejects momentum 0, so set it past the check (same arithmetic either way).
    (net as unknown as { trainOpts: { momentum: number } }).trainOpts.momentum = 0;
    // weights[layer][node][k]: incoming weight k of node, i.e. W[k, node].
    for (const [layer, name] of [
      [1, 'W1'],
      [2, 'W2'],
    ] as const) {
      const W = p.get(name)!;
      const [rows, cols] = W.shape;
      for (let node = 0; node < cols; node++)
        for (let k = 0; k < rows; k++) net.weights[layer][node][k] = W.data[k * cols + node];
      net.biases[layer].fill(0);
    }
    const pool = batchPool('fc2', w.batch).map((b) =>
      net.formatData(
        Array.from({ length: b.n }, (_, i) => ({
          input: Array.from(b.x.subarray(i * din, (i + 1) * din)),
          output: Array.from({ length: dout }, (_, c) => (c === b.y[i] ? 1 : 0)),
        })),
      ),
    );
    let b = 0;
    return {
      unitsPerStep: w.batch,
      note: 'batch 1, MSE on one-hot targets',
      step: () => {
        net.trainPatterns(pool[b++ % pool.length]);
      },
    };
  },
};

export default peer;
