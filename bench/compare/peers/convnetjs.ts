/**
 * ConvNetJS 0.3.0 peer: nets declared as layer definitions, trained one example volume at a time by its Trainer,
 * which accumulates gradients and updates every `batch_size` examples (so a step = the workload's batch).
 * Volumes are float64 and channels-last ((sx * y) + x) * depth + d; weights come from the shared generator,
 * permuted into that order. No batchnorm layer and no matrix-multiply API; its npm release has no Adam
 * (sgd / adagrad / adadelta / windowgrad), so Adam workloads run SGD + momentum 0.9 at the same learning rate.
 */
import { createRequire } from 'node:module';
import type { Outcome, Peer } from '../peer.js';
import {
  batchPool,
  initParams,
  nchwRowsToNHWC,
  spec,
  toNHWC,
  type NetName,
  type Task,
} from '../workloads.js';

interface Vol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array;
}
interface Layer {
  layer_type: string;
  filters?: Vol[];
  biases?: Vol;
}
interface Net {
  layers: Layer[];
  makeLayers(defs: object[]): void;
  forward(v: Vol, isTraining?: boolean): Vol;
}
interface Trainer {
  train(x: Vol, y: number): { cost_loss: number };
}
interface ConvNetJS {
  Net: new () => Net;
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  Trainer: new (net: Net, options: object) => Trainer;
}

const require = createRequire(import.meta.url);
const convnetjs = require('convnetjs') as ConvNetJS;

/** The layer definitions of a workload, or why ConvNetJS cannot express it. */
function layerDefs(net: NetName): object[] | string {
  const w = spec.workloads[net];
  const [c, h, wd] = w.input.length === 3 ? w.input : [w.input[0], 1, 1];
  const defs: object[] = [{ type: 'input', out_sx: wd, out_sy: h, out_depth: c }];
  const layers = w.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const relu = layers[i + 1]?.type === 'relu' ? { activation: 'relu' } : {};
    if (l.type === 'batchnorm') return 'cannot express (no batchnorm layer)';
    if (l.type === 'conv')
      defs.push({ type: 'conv', sx: l.k, filters: l.out_ch, stride: l.stride, pad: l.pad, ...relu });
    else if (l.type === 'maxpool') defs.push({ type: 'pool', sx: l.k, stride: l.stride });
    else if (l.type === 'affine' && layers[i + 1]?.type !== 'softmax_loss')
      defs.push({ type: 'fc', num_neurons: l.out, ...relu });
    // The last affine is the fc layer ConvNetJS inserts in front of its softmax layer.
    else if (l.type === 'softmax_loss') defs.push({ type: 'softmax', num_classes: spec.num_classes });
  }
  return defs;
}

/** Copies the shared initial weights into the net's conv and fc layers, in ConvNetJS's channels-last order. */
function loadWeights(net: Net, name: NetName): void {
  const params = new Map(initParams(name).map((p) => [p.name, p]));
  let k = 0;
  net.layers.forEach((layer, idx) => {
    if (layer.layer_type !== 'conv' && layer.layer_type !== 'fc') return;
    k++;
    const W = params.get(`W${k}`)!;
    if (layer.layer_type === 'conv') {
      const [, c, kh, kw] = W.shape;
      layer.filters!.forEach((vol, o) => {
        for (let ch = 0; ch < c; ch++)
          for (let y = 0; y < kh; y++)
            for (let x = 0; x < kw; x++)
              vol.w[(kw * y + x) * c + ch] = W.data[((o * c + ch) * kh + y) * kw + x];
      });
    } else {
      const [din, dout] = W.shape;
      // An fc layer reads its input volume channels-last; the canonical rows follow an NCHW flatten.
      const prev = net.layers[idx - 1] as unknown as { out_sx: number; out_sy: number; out_depth: number };
      const rows =
        prev.out_sx > 1 ? nchwRowsToNHWC(W.data, prev.out_depth, prev.out_sy, prev.out_sx, dout) : W.data;
      layer.filters!.forEach((vol, o) => {
        for (let i = 0; i < din; i++) vol.w[i] = rows[i * dout + o];
      });
    }
    layer.biases!.w.set(params.get(`b${k}`)!.data);
  });
}

/** The pool's images as ConvNetJS volumes (channels-last), one per example. */
function volumes(name: NetName, n: number): { vols: Vol[][]; labels: Int32Array[] } {
  const input = spec.workloads[name].input;
  const [c, h, w] = input.length === 3 ? input : [input[0], 1, 1];
  const per = c * h * w;
  const pool = batchPool(name, n);
  const vols = pool.map((b) => {
    const hwc = toNHWC(b.x, n, c, h, w);
    return Array.from({ length: n }, (_, i) => {
      const v = new convnetjs.Vol(w, h, c, 0);
      v.w.set(hwc.subarray(i * per, (i + 1) * per));
      return v;
    });
  });
  return { vols, labels: pool.map((b) => b.y) };
}

const peer: Peer = {
  label: 'ConvNetJS',
  async setup() {
    return 'convnetjs 0.3.0, float64 volumes, one example at a time';
  },
  async prepare(task: Task): Promise<Outcome> {
    if (task.kind === 'gemm') return { cannot: 'no matmul API' };
    if (task.kind === 'caption') return { cannot: 'cannot express (no recurrent or attention layers)' };
    if (task.kind === 'autograd') return { cannot: 'nabla only (autograd overhead)' };
    if (task.kind === 'gan') return { cannot: 'cannot express (no transposed convolution, no batchnorm)' };
    if (task.kind === 'augment') return { cannot: 'no image augmentation' };
    const defs = layerDefs(task.net);
    if (typeof defs === 'string') return { cannot: defs };
    const net = new convnetjs.Net();
    net.makeLayers(defs);
    loadWeights(net, task.net);
    const w = spec.workloads[task.net];
    if (task.kind === 'infer') {
      const n = w.inference_batch!;
      const { vols, labels } = volumes(task.net, n);
      let b = 0;
      return {
        unitsPerStep: n,
        step: (want) => {
          const batch = vols[b % vols.length];
          const y = labels[b++ % vols.length];
          let loss = 0;
          for (let i = 0; i < n; i++) {
            const p = net.forward(batch[i], false);
            if (want) loss -= Math.log(p.w[y[i]]);
          }
          return want ? loss / n : undefined;
        },
      };
    }
    const o = w.optimizer;
    const substituted = o.type === 'adam';
    const trainer = new convnetjs.Trainer(net, {
      method: 'sgd',
      learning_rate: o.lr,
      momentum: o.type === 'sgd' ? 0 : (o.momentum ?? 0.9),
      batch_size: w.batch,
      l2_decay: 0,
    });
    const { vols, labels } = volumes(task.net, w.batch);
    let b = 0;
    return {
      unitsPerStep: w.batch,
      note: substituted ? 'SGD+momentum 0.9 (no Adam in ConvNetJS 0.3.0)' : undefined,
      step: (want) => {
        const batch = vols[b % vols.length];
        const y = labels[b++ % vols.length];
        let loss = 0;
        for (let i = 0; i < batch.length; i++) loss += trainer.train(batch[i], y[i]).cost_loss;
        return want ? loss / batch.length : undefined;
      },
    };
  },
};

export default peer;
