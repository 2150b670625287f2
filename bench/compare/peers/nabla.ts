/**
 * nabla's side of the comparison, written as a nabla user writes it: the course's models (TwoLayerNet,
 * FullyConnectedNet with batchnorm, ThreeLayerConvNet) and, for the LeNet-like mnist-cnn, a Sequential of
 * modules wrapped in the Classifier the Solver trains; the optimizers from src/optim with one config per
 * parameter, as the Solver keeps them; the shared initial weights loaded into their params. float32 throughout.
 * The backend is whatever nabla picks (NABLA_BACKEND overrides), threads per NABLA_THREADS.
 */
import os from 'node:os';
import type { Outcome, Peer } from '../peer.js';
import {
  batchPool,
  gemmOperands,
  initParams,
  softmaxLossOf,
  spec,
  type NetName,
  type Task,
} from '../workloads.js';
import {
  Classifier,
  Conv2d,
  Flatten,
  FullyConnectedNet,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  ThreeLayerConvNet,
  TwoLayerNet,
  adam,
  array,
  backend,
  listBackends,
  matmul,
  setBackend,
  sgd,
  sgdMomentum,
  type NDArray,
  type OptimConfig,
  type UpdateRule,
} from '../../../src/index.js';

type Params = Record<string, NDArray>;

/** A trainable thing: scores in test mode, [loss, grads] in train mode (CS231n's model.loss). */
interface Lossy {
  params: Params;
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Params];
}

/** The shared initial parameters as float32 NDArrays, CS231n layouts (conv W (F, C, HH, WW), affine W (in, out)). */
function sharedParams(net: NetName): Params {
  return Object.fromEntries(initParams(net).map((p) => [p.name, array(p.data, p.shape, 'float32')]));
}

/** mnist-cnn as a user builds it: a Sequential LeNet in the Classifier wrapper, with the shared weights. */
function lenet(): Lossy {
  const p = sharedParams('mnist-cnn');
  const [conv1, conv2, fc] = [
    new Conv2d(1, 8, 5, { padding: 2 }),
    new Conv2d(8, 16, 5, { padding: 2 }),
    new Linear(784, 10),
  ];
  for (const [m, k] of [
    [conv1, 1],
    [conv2, 2],
    [fc, 3],
  ] as const) {
    m.params.weight = p[`W${k}`];
    m.params.bias = p[`b${k}`];
  }
  const net = new Sequential(
    conv1,
    new ReLU(),
    new MaxPool2d(2),
    conv2,
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    fc,
  );
  return new Classifier(net);
}

function model(net: NetName): { model: Lossy; how: string } {
  const withShared = <M extends Lossy>(m: M): M => {
    m.params = sharedParams(net);
    return m;
  };
  switch (net) {
    case 'fc2':
      return {
        model: withShared(new TwoLayerNet({ inputDim: 3072, hiddenDim: 100, numClasses: 10 })),
        how: 'TwoLayerNet',
      };
    case 'fc5bn':
      return {
        model: withShared(
          new FullyConnectedNet({ hiddenDims: [100, 100, 100, 100], normalization: 'batchnorm' }),
        ),
        how: "FullyConnectedNet, normalization 'batchnorm'",
      };
    case 'cnn3':
      return { model: withShared(new ThreeLayerConvNet()), how: 'ThreeLayerConvNet' };
    case 'mnist-cnn':
      return {
        model: lenet(),
        how: 'Sequential(Conv2d, ReLU, MaxPool2d, Conv2d, ReLU, MaxPool2d, Flatten, Linear) in a Classifier',
      };
  }
}

function updateRule(net: NetName): { rule: UpdateRule; config: () => OptimConfig } {
  const o = spec.workloads[net].optimizer;
  if (o.type === 'sgd') return { rule: sgd, config: () => ({ learningRate: o.lr }) };
  if (o.type === 'sgd_momentum')
    return { rule: sgdMomentum, config: () => ({ learningRate: o.lr, momentum: o.momentum }) };
  return {
    rule: adam,
    config: () => ({ learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.eps }),
  };
}

function pool(net: NetName, n: number): { xs: NDArray[]; ys: NDArray[]; labels: Int32Array[] } {
  const input = spec.workloads[net].input;
  const batches = batchPool(net, n);
  return {
    xs: batches.map((b) => array(b.x, [n, ...input], 'float32')),
    ys: batches.map((b) => array(b.y, [n], 'int32')),
    labels: batches.map((b) => b.y),
  };
}

const peer: Peer = {
  label: 'nabla',
  async setup() {
    const wanted = process.env.NABLA_BACKEND;
    if (wanted && listBackends().includes(wanted)) setBackend(wanted);
    const threads = process.env.NABLA_THREADS ?? `default (${os.cpus().length} cores)`;
    return `nabla backend '${backend().name}' (registered: ${listBackends().join(', ')}), NABLA_THREADS=${threads}`;
  },
  async prepare(task: Task): Promise<Outcome> {
    if (task.kind === 'gemm') {
      const { M, K, N } = task.dims;
      const { a, b } = gemmOperands(task.dims);
      const A = array(a, [M, K], 'float32').astype(task.dtype);
      const B = array(b, [K, N], 'float32').astype(task.dtype);
      return { unitsPerStep: (2 * M * N * K) / 1e9, step: () => void matmul(A, B) };
    }
    const { model: m, how } = model(task.net);
    if (task.kind === 'infer') {
      const n = spec.workloads[task.net].inference_batch!;
      const { xs, labels } = pool(task.net, n);
      let i = 0;
      return {
        unitsPerStep: n,
        note: how,
        step: (want) => {
          const b = i++ % xs.length;
          const scores = m.loss(xs[b]);
          return want ? softmaxLossOf(scores.toTypedArray(), labels[b], spec.num_classes) : undefined;
        },
      };
    }
    const n = spec.workloads[task.net].batch;
    const { xs, ys } = pool(task.net, n);
    const { rule, config } = updateRule(task.net);
    const configs: Record<string, OptimConfig> = Object.fromEntries(
      Object.keys(m.params).map((k) => [k, config()]),
    );
    let i = 0;
    return {
      unitsPerStep: n,
      note: how,
      step: () => {
        const b = i++ % xs.length;
        const [loss, grads] = m.loss(xs[b], ys[b]);
        for (const k of Object.keys(m.params)) {
          const [next, cfg] = rule(m.params[k], grads[k], configs[k]);
          m.params[k] = next;
          configs[k] = cfg;
        }
        return loss;
      },
    };
  },
};

export default peer;
