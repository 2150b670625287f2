/**
 * TensorFlow.js peer (shared by tfjs-cpu and tfjs-wasm): the workloads written as a tfjs-core user writes them —
 * variables, a forward function of ops, `optimizer.minimize` (variableGrads under the hood, tidy'd), and the
 * fused conv2d/matMul + bias + ReLU ops that tfjs-layers itself uses for Dense and Conv2D layers, so tfjs gets
 * its best ordinary path. Channels-last (NHWC), the only layout every tfjs backend supports.
 *
 * `explicitTransposes`: tfjs-wasm runs XNNPACK only for matMul(a, b) without transposes; matMul with
 * transposeA/transposeB goes to a naive loop (slow_batch_matmul in tfjs-backend-wasm's batch_mat_mul_impl.cc,
 * 0.4-1.2 GFLOP/s here), and autodiff's affine gradients dW = x^T dy, dx = dy W^T are exactly those calls. With
 * this option the affine layers are a tf.customGrad op whose gradient transposes explicitly (tf.transpose, then a
 * plain matMul), which a user who profiled would write: 5-7x faster fc training on tfjs-wasm. It is slower on
 * tfjs-cpu, whose transpose is slow, so tfjs-cpu keeps plain autodiff.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { Outcome, Peer } from '../peer.js';
import {
  batchPool,
  convWeightToHWCF,
  gemmOperands,
  initParams,
  nchwRowsToNHWC,
  softmaxLossOf,
  spec,
  toNHWC,
  type LayerSpec,
  type NetName,
  type Task,
} from '../workloads.js';
import { tfjsCaptioning } from './tfjsCaption.js';
import { tfjsDcgan } from './tfjsGan.js';
import { loadTfjs, type Tfjs } from './tfjsBundle.js';

type Tensor = TF.Tensor;

interface Net {
  vars: TF.Variable[];
  forward(x: Tensor, training: boolean): Tensor;
}

/** Builds the net of a workload: parameters from the shared generator, permuted to tfjs layouts. */
function buildNet(tf: Tfjs, net: NetName, explicitTransposes: boolean): Net {
  const layers = spec.workloads[net].layers;
  const params = new Map(initParams(net).map((p) => [p.name, p]));
  const vars: TF.Variable[] = [];
  interface Bound {
    layer: LayerSpec;
    w?: TF.Variable;
    b?: TF.Variable;
    gamma?: TF.Variable;
    beta?: TF.Variable;
    runningMean?: TF.Variable;
    runningVar?: TF.Variable;
  }
  const bound: Bound[] = [];
  // The feature map (C, H, W) feeding the next layer, while still spatial: an affine after it needs its rows
  // permuted from the canonical NCHW flatten to tfjs's NHWC flatten.
  let fmap: [number, number, number] | null =
    spec.workloads[net].input.length === 3 ? (spec.workloads[net].input as [number, number, number]) : null;
  let k = 0;
  let bn = 0;
  for (const layer of layers) {
    const entry: Bound = { layer };
    if (layer.type === 'affine' || layer.type === 'conv') {
      k++;
      const W = params.get(`W${k}`)!;
      let data = W.data;
      let shape = W.shape;
      if (layer.type === 'conv') {
        data = convWeightToHWCF(W.data, layer.out_ch, layer.in_ch, layer.k);
        shape = [layer.k, layer.k, layer.in_ch, layer.out_ch];
        fmap = [layer.out_ch, layer.out_hw[0], layer.out_hw[1]];
      } else if (fmap) {
        data = nchwRowsToNHWC(W.data, fmap[0], fmap[1], fmap[2], layer.out);
        fmap = null;
      }
      entry.w = tf.variable(tf.tensor(data, shape), true, `W${k}`);
      entry.b = tf.variable(tf.tensor(params.get(`b${k}`)!.data), true, `b${k}`);
      vars.push(entry.w, entry.b);
    } else if (layer.type === 'maxpool') {
      if (fmap) fmap = [fmap[0], layer.out_hw[0], layer.out_hw[1]];
    } else if (layer.type === 'batchnorm') {
      bn++;
      entry.gamma = tf.variable(tf.tensor(params.get(`gamma${bn}`)!.data), true, `gamma${bn}`);
      entry.beta = tf.variable(tf.tensor(params.get(`beta${bn}`)!.data), true, `beta${bn}`);
      entry.runningMean = tf.variable(tf.zeros([layer.dim]), false);
      entry.runningVar = tf.variable(tf.zeros([layer.dim]), false);
      vars.push(entry.gamma, entry.beta);
    }
    bound.push(entry);
  }
  const bnSpec = spec.workloads.fc5bn.batchnorm;

  // x (N, D) @ w (D, M) + b, ReLU'd when `relu`, with a gradient made of untransposed matMuls only.
  const denseOps = [false, true].map((relu) =>
    tf.customGrad((...args: (Tensor | TF.GradSaveFunc)[]) => {
      const [x, w, b, save] = args as [TF.Tensor2D, TF.Tensor2D, Tensor, TF.GradSaveFunc];
      const out = tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
      save(relu ? [x, w, out] : [x, w]);
      return {
        value: out as Tensor,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const g = (relu ? tf.mul(dy, tf.step(saved[2])) : dy) as TF.Tensor2D;
          return [
            tf.matMul(g, tf.transpose(saved[1]) as TF.Tensor2D),
            tf.matMul(tf.transpose(saved[0]) as TF.Tensor2D, g),
            tf.sum(g, 0),
          ];
        },
      };
    }),
  );

  function forward(x: Tensor, training: boolean): Tensor {
    let h = x;
    for (let i = 0; i < bound.length; i++) {
      const { layer } = bound[i];
      const fuseRelu = bound[i + 1]?.layer.type === 'relu';
      if (layer.type === 'affine') {
        if (h.rank > 2) h = tf.reshape(h, [h.shape[0], -1]);
        h = explicitTransposes
          ? denseOps[fuseRelu ? 1 : 0](h, bound[i].w!, bound[i].b!)
          : tf.fused.matMul({
              a: h as TF.Tensor2D,
              b: bound[i].w as TF.Tensor2D,
              bias: bound[i].b,
              activation: fuseRelu ? 'relu' : 'linear',
            });
        if (fuseRelu) i++;
      } else if (layer.type === 'conv') {
        h = tf.fused.conv2d({
          x: h as TF.Tensor4D,
          filter: bound[i].w as TF.Tensor4D,
          strides: layer.stride,
          pad: layer.pad,
          bias: bound[i].b,
          activation: fuseRelu ? 'relu' : 'linear',
        });
        if (fuseRelu) i++;
      } else if (layer.type === 'relu') {
        h = tf.relu(h);
      } else if (layer.type === 'maxpool') {
        h = tf.maxPool(h as TF.Tensor4D, layer.k, layer.stride, 'valid');
      } else if (layer.type === 'batchnorm') {
        const e = bound[i];
        if (training) {
          const { mean, variance } = tf.moments(h, 0);
          // Running statistics as CS231n keeps them (tfjs-layers updates them the same way, inside the step).
          const m = bnSpec.momentum;
          e.runningMean!.assign(tf.add(tf.mul(e.runningMean!, m), tf.mul(mean, 1 - m)));
          e.runningVar!.assign(tf.add(tf.mul(e.runningVar!, m), tf.mul(variance, 1 - m)));
          h = tf.batchNorm(h, mean, variance, e.beta, e.gamma, bnSpec.eps);
        } else {
          h = tf.batchNorm(h, e.runningMean!, e.runningVar!, e.beta, e.gamma, bnSpec.eps);
        }
      }
    }
    return h;
  }
  return { vars, forward };
}

function optimizerOf(tf: Tfjs, net: NetName): TF.Optimizer {
  const o = spec.workloads[net].optimizer;
  if (o.type === 'sgd') return tf.train.sgd(o.lr);
  if (o.type === 'sgd_momentum') return tf.train.momentum(o.lr, o.momentum!);
  return tf.train.adam(o.lr, o.beta1, o.beta2, o.eps);
}

/** The pool's inputs as tfjs tensors (NHWC for images) and one-hot float labels. */
function poolTensors(
  tf: Tfjs,
  net: NetName,
  n: number,
): { xs: Tensor[]; ys: Tensor[]; labels: Int32Array[] } {
  const input = spec.workloads[net].input;
  const pool = batchPool(net, n);
  const xs = pool.map((b) =>
    input.length === 3
      ? tf.tensor4d(toNHWC(b.x, n, input[0], input[1], input[2]), [n, input[1], input[2], input[0]])
      : tf.tensor2d(b.x, [n, input[0]]),
  );
  const ys = pool.map((b) =>
    tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(b.y, 'int32'), spec.num_classes), 'float32')),
  );
  return { xs, ys, labels: pool.map((b) => b.y) };
}

export interface TfjsOptions {
  explicitTransposes: boolean;
  /** Runs after loading, before setBackend; returns a line for the setup description. */
  beforeSetBackend?: (tf: Tfjs) => string;
}

export function makeTfjsPeer(backendName: 'cpu' | 'wasm', label: string, options: TfjsOptions): Peer {
  const { explicitTransposes, beforeSetBackend } = options;
  let tf: Tfjs;
  return {
    label,
    async setup() {
      tf = loadTfjs();
      const extra = beforeSetBackend ? beforeSetBackend(tf) : '';
      if (!(await tf.setBackend(backendName)))
        throw new Error(`tfjs: backend '${backendName}' failed to initialise`);
      await tf.ready();
      // PROD mode skips debug checks; a user who cares about speed sets it.
      tf.enableProdMode();
      const grads = explicitTransposes
        ? 'affine layers: customGrad with explicit transposes'
        : 'plain autodiff';
      return `tfjs-core ${tf.version_core}, backend ${tf.getBackend()}, ${grads}${extra ? `; ${extra}` : ''}`;
    },
    async prepare(task: Task): Promise<Outcome> {
      if (task.kind === 'gemm') {
        if (task.dtype !== 'float32') return { cannot: 'no float64 dtype' };
        const { M, K, N } = task.dims;
        const { a, b } = gemmOperands(task.dims);
        const ta = tf.tensor2d(a, [M, K]);
        const tb = tf.tensor2d(b, [K, N]);
        return {
          unitsPerStep: (2 * M * N * K) / 1e9,
          step: () => tf.matMul(ta, tb).dispose(),
        };
      }
      if (task.kind === 'caption') return tfjsCaptioning(tf, task.model);
      if (task.kind === 'autograd') return { cannot: 'nabla only (autograd overhead)' };
      if (task.kind === 'gan') return tfjsDcgan(tf);
      if (task.kind === 'augment') return { cannot: 'no SimCLR augmentation pipeline in tfjs' };
      const net = buildNet(tf, task.net, explicitTransposes);
      if (task.kind === 'infer') {
        const n = spec.workloads[task.net].inference_batch!;
        const { xs, labels } = poolTensors(tf, task.net, n);
        let i = 0;
        return {
          unitsPerStep: n,
          step: (want) => {
            const b = i++ % xs.length;
            const scores = tf.tidy(() => net.forward(xs[b], false));
            const loss = want ? softmaxLossOf(scores.dataSync(), labels[b], spec.num_classes) : undefined;
            scores.dispose();
            return loss;
          },
        };
      }
      const n = spec.workloads[task.net].batch;
      const { xs, ys } = poolTensors(tf, task.net, n);
      const opt = optimizerOf(tf, task.net);
      let i = 0;
      const optType = spec.workloads[task.net].optimizer.type;
      return {
        unitsPerStep: n,
        note:
          optType === 'sgd_momentum' ? 'tf.train.momentum (v = m v + g; w -= lr v: same update)' : undefined,
        step: (want) => {
          const b = i++ % xs.length;
          const cost = opt.minimize(
            () => tf.losses.softmaxCrossEntropy(ys[b], net.forward(xs[b], true)) as TF.Scalar,
            want,
            net.vars,
          );
          if (!cost) return undefined;
          const v = cost.dataSync()[0];
          cost.dispose();
          return v;
        },
      };
    },
  };
}
