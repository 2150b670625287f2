/**
 * brain.js 1.6.1 peer: its NeuralNetwork is a fully connected net trained one example at a time (batch 1) on
 * mean squared error, with the same activation on every layer. So only fc2 fits, approximately: 3072-100-10 with
 * ReLU, MSE against one-hot targets instead of softmax, SGD (momentum 0) at the workload's learning rate.
 * A step is one pass of brain.js's own per-iteration routine (trainPatterns) over a 200-example batch, on data
 * formatted once by its formatData; train() would redo that formatting on every call.
 */
import { createRequire } from 'node:module';
import type { Outcome, Peer } from '../peer.js';
import { batchPool, initParams, spec, type Task } from '../workloads.js';

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
const brain = require('brain.js') as { NeuralNetwork: new (o: object) => NeuralNetwork };

const peer: Peer = {
  label: 'brain.js',
  async setup() {
    return 'brain.js 1.6.1 NeuralNetwork (CPU), batch 1, MSE';
  },
  async prepare(task: Task): Promise<Outcome> {
    if (task.kind === 'gemm') return { cannot: 'no matmul API' };
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
