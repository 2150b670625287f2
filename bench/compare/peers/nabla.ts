/**
 * nabla's side of the comparison, written as a nabla user writes it: the course's models where they exist
 * (TwoLayerNet, FullyConnectedNet with batchnorm), otherwise the layer functions composed the way the course's
 * ThreeLayerConvNet composes them (convReluPool -> affineRelu -> affine -> softmaxLoss, then the backwards);
 * the optimizers from src/optim with one config per parameter, as the Solver keeps them. float32 throughout.
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
  affineBackward,
  affineForward,
  affineReluBackward,
  affineReluForward,
  array,
  backend,
  convReluPoolBackward,
  convReluPoolForward,
  listBackends,
  matmul,
  setBackend,
  softmaxLoss,
  type NDArray,
} from '../../../src/index.js';
import { FullyConnectedNet } from '../../../src/models/fullyConnectedNet.js';
import { TwoLayerNet } from '../../../src/models/twoLayerNet.js';
import { adam, sgd, sgdMomentum, type OptimConfig, type UpdateRule } from '../../../src/optim/optim.js';

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

/**
 * A conv net as a list of conv-relu-pool blocks, then affine-relu layers, then the last affine, written with the
 * layer sandwiches. Covers cnn3 (one conv block, one hidden affine) and mnist-cnn (two conv blocks, none).
 */
function convNet(net: NetName): Lossy {
  const params = sharedParams(net);
  const layers = spec.workloads[net].layers;
  const convs = layers.flatMap((l) => (l.type === 'conv' ? [{ stride: l.stride, pad: l.pad }] : []));
  const pools = layers.flatMap((l) =>
    l.type === 'maxpool' ? [{ poolHeight: l.k, poolWidth: l.k, stride: l.stride }] : [],
  );
  const numAffine = layers.filter((l) => l.type === 'affine').length;
  function loss(X: NDArray): NDArray;
  function loss(X: NDArray, y: NDArray): [number, Params];
  function loss(X: NDArray, y?: NDArray): NDArray | [number, Params] {
    let h = X;
    const convCaches: ReturnType<typeof convReluPoolForward>[1][] = [];
    convs.forEach((cp, i) => {
      const [out, cache] = convReluPoolForward(h, params[`W${i + 1}`], params[`b${i + 1}`], cp, pools[i]);
      h = out;
      convCaches.push(cache);
    });
    const k0 = convs.length;
    const fcCaches: ReturnType<typeof affineReluForward>[1][] = [];
    for (let j = 1; j < numAffine; j++) {
      const [out, cache] = affineReluForward(h, params[`W${k0 + j}`], params[`b${k0 + j}`]);
      h = out;
      fcCaches.push(cache);
    }
    const last = k0 + numAffine;
    const [scores, lastCache] = affineForward(h, params[`W${last}`], params[`b${last}`]);
    if (y === undefined) return scores;
    const [dataLoss, dscores] = softmaxLoss(scores, y);
    const grads: Params = {};
    let dh: NDArray;
    [dh, grads[`W${last}`], grads[`b${last}`]] = affineBackward(dscores, lastCache);
    for (let j = numAffine - 1; j >= 1; j--)
      [dh, grads[`W${k0 + j}`], grads[`b${k0 + j}`]] = affineReluBackward(dh, fcCaches[j - 1]);
    for (let i = convs.length - 1; i >= 0; i--)
      [dh, grads[`W${i + 1}`], grads[`b${i + 1}`]] = convReluPoolBackward(dh, convCaches[i]);
    return [dataLoss, grads];
  }
  return { params, loss };
}

function model(net: NetName): { model: Lossy; how: string } {
  if (net === 'fc2') {
    const m = new TwoLayerNet({ inputDim: 3072, hiddenDim: 100, numClasses: 10, dtype: 'float32' });
    m.params = sharedParams(net);
    return { model: m, how: 'TwoLayerNet' };
  }
  if (net === 'fc5bn') {
    const m = new FullyConnectedNet({
      hiddenDims: [100, 100, 100, 100],
      normalization: 'batchnorm',
      dtype: 'float32',
    });
    m.params = sharedParams(net);
    return { model: m, how: "FullyConnectedNet, normalization 'batchnorm'" };
  }
  return { model: convNet(net), how: 'convReluPool/affineRelu/affine sandwiches + softmaxLoss' };
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
