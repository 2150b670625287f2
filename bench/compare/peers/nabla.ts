/**
 * nabla's side of the comparison, written as a nabla user writes it: the course's models (TwoLayerNet,
 * FullyConnectedNet with batchnorm, ThreeLayerConvNet) and, for the LeNet-like mnist-cnn, a Sequential of
 * modules wrapped in the Classifier the Solver trains; the optimizers from src/optim with one config per
 * parameter, as the Solver keeps them; the shared initial weights loaded into their params. float32 throughout.
 * The backend is whatever nabla picks (NABLA_BACKEND overrides), threads per NABLA_THREADS.
 */
import os from 'node:os';
import type { Outcome, Peer, Prepared } from '../peer.js';
import {
  augmentPool,
  batchPool,
  captionLstmParams,
  ganPool,
  captionPool,
  captionVocabulary,
  gemmOperands,
  initParams,
  softmaxLossOf,
  spec,
  type CaptionModel,
  type NetName,
  type Task,
} from '../workloads.js';
import {
  Adam,
  CaptioningRNN,
  CaptioningTransformer,
  Classifier,
  Conv2d,
  Flatten,
  FullyConnectedNet,
  Linear,
  MaxPool2d,
  ReLU,
  SGD,
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
  F,
  Generator,
  buildDcClassifier,
  buildDcGenerator,
  computeTrainTransform,
  discriminatorLoss,
  ganStep,
  generatorLoss,
  getOptimizer,
  tensor,
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

/**
 * A captioning model as a user trains it: the model's loss → grads, then the course's adam rule per parameter
 * (as the Solver keeps one config per parameter). caption-lstm starts from the shared weights.
 */
function captioning(which: CaptionModel): Outcome {
  const w = spec.workloads[which];
  const wordToIdx = captionVocabulary(w.vocab);
  const common = { wordToIdx, inputDim: w.input_dim, wordvecDim: w.wordvec_dim, dtype: 'float32' as const };
  let m: { params: Params; loss(f: NDArray, c: NDArray): [number, Params] };
  let how: string;
  if (which === 'caption-lstm') {
    const rnn = new CaptioningRNN({ ...common, hiddenDim: w.hidden_dim, cellType: 'lstm' });
    for (const p of captionLstmParams()) rnn.params[p.name] = array(p.data, p.shape, 'float32');
    m = rnn;
    how = "CaptioningRNN cellType 'lstm' (explicit forward/backward), adam per parameter";
  } else {
    const t = spec.workloads['caption-transformer'];
    m = new CaptioningTransformer({
      ...common,
      numHeads: t.num_heads,
      numLayers: t.num_layers,
      dimFeedforward: t.dim_feedforward,
      dropout: t.dropout,
    });
    how = 'CaptioningTransformer (autograd), adam per parameter';
  }
  const L = w.T + 1;
  const batches = captionPool(which).map((b) => ({
    f: array(b.features, [w.batch, w.input_dim], 'float32'),
    c: array(b.captions, [w.batch, L], 'int32'),
  }));
  const o = w.optimizer;
  const configs: Record<string, OptimConfig> = Object.fromEntries(
    Object.keys(m.params).map((k) => [
      k,
      { learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.eps } as OptimConfig,
    ]),
  );
  let i = 0;
  return {
    unitsPerStep: w.batch,
    note: how,
    step: () => {
      const b = batches[i++ % batches.length];
      const [loss, grads] = m.loss(b.f, b.c);
      for (const k of Object.keys(m.params)) {
        const [next, cfg] = adam(m.params[k], grads[k], configs[k]);
        m.params[k] = next;
        configs[k] = cfg;
      }
      return loss;
    },
  };
}

/**
 * fc2 and cnn3 as the PyTorch half of the course writes them: a Sequential of modules called on tensors,
 * F.crossEntropy, loss.backward(), and a tensor optimizer (SGD / Adam) stepping net.parameterTensors(); the
 * shared initial weights. The companion is the same workload through the course's model with its explicit
 * backward (the plain fc2 / cnn3 cell), timed alternately in the same process.
 */
function autograd(net: 'fc2' | 'cnn3'): Outcome {
  const p = sharedParams(net);
  const lin = (k: number, i: number, o: number) => {
    const l = new Linear(i, o);
    l.params.weight = p[`W${k}`];
    l.params.bias = p[`b${k}`];
    return l;
  };
  let seq: Sequential;
  if (net === 'fc2') seq = new Sequential(lin(1, 3072, 100), new ReLU(), lin(2, 100, 10));
  else {
    const conv = new Conv2d(3, 32, 7, { padding: 3 });
    conv.params.weight = p.W1;
    conv.params.bias = p.b1;
    seq = new Sequential(
      conv,
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      lin(2, 8192, 100),
      new ReLU(),
      lin(3, 100, 10),
    );
  }
  const o = spec.workloads[net].optimizer;
  const opt =
    o.type === 'sgd'
      ? new SGD(seq, { lr: o.lr })
      : new Adam(seq, { lr: o.lr, betas: [o.beta1!, o.beta2!], eps: o.eps });
  const n = spec.workloads[net].batch;
  const { xs, ys } = pool(net, n);
  let i = 0;
  seq.train();
  const explicit = train(net);
  return {
    unitsPerStep: n,
    note: `Sequential on tensors, F.crossEntropy, backward(), ${o.type === 'sgd' ? 'SGD' : 'Adam'} on parameterTensors()`,
    step: () => {
      const b = i++ % xs.length;
      opt.zeroGrad();
      const loss = F.crossEntropy(seq.call(tensor(xs[b])), ys[b]);
      loss.backward();
      opt.step();
      return loss.item();
    },
    companion: explicit.step,
  };
}

/**
 * One DCGAN iteration as the course's run_a_gan does it (nabla's ganStep): buildDcClassifier and
 * buildDcGenerator with their own initialisation, getOptimizer's Adam for each, the course's BCE losses.
 */
function dcgan(): Outcome {
  const w = spec.workloads.dcgan;
  const rng = new Generator(0);
  const [D, G] = [buildDcClassifier({ rng }), buildDcGenerator(w.noise_dim, { rng })];
  const [optD, optG] = [getOptimizer(D), getOptimizer(G)];
  const xs = ganPool().map((x) => array(x, [w.batch, 784], 'float32'));
  let i = 0;
  return {
    unitsPerStep: w.batch,
    note: 'buildDcClassifier / buildDcGenerator, ganStep (D update, then G update), getOptimizer (Adam)',
    step: () => {
      const r = ganStep(D, G, xs[i++ % xs.length], {
        discriminatorLoss,
        generatorLoss,
        noiseDim: w.noise_dim,
        rng,
        stepD: () => optD.step(),
        stepG: () => optG.step(),
      });
      return r.dLoss;
    },
  };
}

/** SimCLR's computeTrainTransform on the 512-image batch, with a seeded Generator. */
function augment(): Outcome {
  const w = spec.workloads['simclr-augment'];
  const rng = new Generator(0);
  const xs = augmentPool().map((x) => array(x, [w.batch, ...w.image], 'float32'));
  let i = 0;
  return {
    unitsPerStep: w.batch,
    note: 'computeTrainTransform (src/data/simclrAugment.ts), one thread',
    step: () => void computeTrainTransform(xs[i++ % xs.length], { rng }),
  };
}

/** A train task: the course's model, its loss → grads, the workload's update rule per parameter. */
function train(net: NetName): Prepared {
  const { model: m, how } = model(net);
  const n = spec.workloads[net].batch;
  const { xs, ys } = pool(net, n);
  const { rule, config } = updateRule(net);
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
    if (task.kind === 'caption') return captioning(task.model);
    if (task.kind === 'autograd') return autograd(task.net);
    if (task.kind === 'gan') return dcgan();
    if (task.kind === 'augment') return augment();
    if (task.kind === 'train') return train(task.net);
    const { model: m, how } = model(task.net);
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
  },
};

export default peer;
