/**
 * The peer-comparison workloads (issue 7) and the data generator every peer shares.
 *
 * `workloads.json` beside this file is a committed copy of the team's shared spec (../shared/bench/workloads.json)
 * so the comparison runs on any machine. Every peer builds its inputs, labels and initial weights from
 * {@link u32} below, so all of them train on bit-identical float32 data and start from the same weights: the
 * first-batch loss printed by the bench must agree between peers, which is how we know they run the same net.
 *
 * Canonical layouts (CS231n's): data x (N, C, H, W) row-major; affine W (in, out); conv W (F, C, HH, WW).
 * Peers that want NHWC or per-example volumes permute these with {@link toNHWC} / {@link nchwRowsToNHWC}.
 */
import { readFileSync } from 'node:fs';

/** fmix32, MurmurHash3's 32-bit finaliser: h -> avalanche(h), all arithmetic mod 2^32. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** u32(i, seed) = fmix32((i + seed * 0x9E3779B9) mod 2^32): the i-th draw of the stream named `seed`. */
export function u32(i: number, seed: number): number {
  return fmix32((i + Math.imul(seed, 0x9e3779b9)) >>> 0);
}

/** uniform(i, seed) = u32 / 2^32, in [0, 1), as a double. */
export function uniform(i: number, seed: number): number {
  return u32(i, seed) / 4294967296;
}

/** n data values 2*uniform-1 in U[-1, 1), rounded once to float32. */
export function dataTensor(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * uniform(i, seed) - 1;
  return out;
}

/** n labels u32 mod numClasses. */
export function labelTensor(n: number, seed: number, numClasses: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = u32(i, seed) % numClasses;
  return out;
}

/** He-uniform weights (2*uniform-1) * sqrt(6/fanIn), computed in double and rounded once to float32. */
export function weightTensor(n: number, fanIn: number, seed: number): Float32Array {
  const scale = Math.sqrt(6 / fanIn);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * uniform(i, seed) - 1) * scale;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The spec file

export type LayerSpec =
  | { type: 'affine'; in: number; out: number }
  | { type: 'relu' }
  | { type: 'batchnorm'; dim: number }
  | { type: 'softmax_loss' }
  | {
      type: 'conv';
      in_ch: number;
      out_ch: number;
      k: number;
      stride: number;
      pad: number;
      in_hw: [number, number];
      out_hw: [number, number];
    }
  | { type: 'maxpool'; k: number; stride: number; out_hw: [number, number] };

export interface OptimizerSpec {
  type: 'sgd' | 'adam' | 'sgd_momentum';
  lr: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface NetWorkload {
  title: string;
  input: number[];
  layers: LayerSpec[];
  batch: number;
  inference_batch?: number;
  optimizer: OptimizerSpec;
}

export interface GemmShape {
  M: number;
  K: number;
  N: number;
}

export interface Spec {
  generator: { seeds: { data: number; labels: number; weights_base: number } };
  timing: {
    warmup_s: number;
    warmup_min_steps: number;
    min_time_s: number;
    min_steps: number;
    repeats: number;
    batches_in_pool: number;
  };
  num_classes: number;
  workloads: {
    fc2: NetWorkload;
    fc5bn: NetWorkload & { batchnorm: { eps: number; momentum: number } };
    cnn3: NetWorkload;
    'mnist-cnn': NetWorkload;
    gemm: { title: string; shapes: Record<string, GemmShape> };
    'caption-lstm': CaptionWorkload & { params: { name: string; shape: number[]; fan_in: number }[] };
    'caption-transformer': CaptionWorkload & {
      num_heads: number;
      num_layers: number;
      dim_feedforward: number;
      dropout: number;
    };
    dcgan: { title: string; batch: number; noise_dim: number; image: number[]; optimizer: OptimizerSpec };
    'simclr-augment': { title: string; batch: number; image: number[] };
  };
}

/** The captioning workloads' sizes: N captions of T + 1 words, vocabulary V, features D, word vectors W. */
export interface CaptionWorkload {
  title: string;
  batch: number;
  T: number;
  vocab: number;
  input_dim: number;
  wordvec_dim: number;
  hidden_dim?: number;
  optimizer: OptimizerSpec;
}

export const spec: Spec = JSON.parse(
  readFileSync(new URL('./workloads.json', import.meta.url), 'utf8'),
) as Spec;

export type NetName = 'fc2' | 'fc5bn' | 'cnn3' | 'mnist-cnn';
export const netNames: NetName[] = ['fc2', 'fc5bn', 'cnn3', 'mnist-cnn'];

/**
 * One measured cell of the table. `train` tasks time one optimizer step on a batch; `infer` one forward pass in
 * test mode on `inference_batch` images; `gemm` one float32 C = A @ B (`gemm-f64` the same in float64).
 */
export type CaptionModel = 'caption-lstm' | 'caption-transformer';

export type Task =
  | { id: string; kind: 'train'; net: NetName }
  | { id: string; kind: 'caption'; model: CaptionModel }
  | { id: string; kind: 'autograd'; net: 'fc2' | 'cnn3' }
  | { id: string; kind: 'gan' }
  | { id: string; kind: 'augment' }
  | { id: string; kind: 'infer'; net: NetName }
  | { id: string; kind: 'gemm'; shape: string; dims: GemmShape; dtype: 'float32' | 'float64' };

export const tasks: Task[] = [
  { id: 'fc2', kind: 'train', net: 'fc2' },
  { id: 'fc5bn', kind: 'train', net: 'fc5bn' },
  { id: 'cnn3', kind: 'train', net: 'cnn3' },
  { id: 'cnn3-infer', kind: 'infer', net: 'cnn3' },
  { id: 'mnist-cnn', kind: 'train', net: 'mnist-cnn' },
  ...Object.entries(spec.workloads.gemm.shapes).map(([shape, dims]): Task => ({
    id: `gemm-${shape}`,
    kind: 'gemm',
    shape,
    dims,
    dtype: 'float32',
  })),
  {
    id: 'gemm-sq1024-f64',
    kind: 'gemm',
    shape: 'sq1024',
    dims: spec.workloads.gemm.shapes.sq1024,
    dtype: 'float64',
  },
  { id: 'caption-lstm', kind: 'caption', model: 'caption-lstm' },
  { id: 'caption-transformer', kind: 'caption', model: 'caption-transformer' },
  // Issue 15's autograd overhead: the fc2 and cnn3 steps with gradients from autograd (nabla only; its
  // explicit-backward figure is the plain fc2 / cnn3 cell).
  { id: 'fc2-autograd', kind: 'autograd', net: 'fc2' },
  { id: 'cnn3-autograd', kind: 'autograd', net: 'cnn3' },
  // Issue 16: one DCGAN iteration (a D and a G update) and SimCLR's augmentation of a 512-image batch.
  { id: 'dcgan', kind: 'gan' },
  { id: 'simclr-augment', kind: 'augment' },
];

export function taskById(id: string): Task {
  const t = tasks.find((x) => x.id === id);
  if (!t) throw new Error(`compare: unknown task '${id}' (known: ${tasks.map((x) => x.id).join(', ')})`);
  return t;
}

// ---------------------------------------------------------------------------------------------------------
// Parameters and batches

/** A parameter tensor in canonical layout. */
export interface Param {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The initial parameters of a net, named as CS231n's models name them (W1, b1, gamma1, beta1, ...).
 * Weights of the k-th weighted (affine or conv) layer use seed weights_base + k; biases 0, gamma 1, beta 0.
 */
export function initParams(net: NetName): Param[] {
  const base = spec.generator.seeds.weights_base;
  const params: Param[] = [];
  let k = 0;
  let bn = 0;
  for (const layer of spec.workloads[net].layers) {
    if (layer.type === 'affine') {
      k++;
      params.push({
        name: `W${k}`,
        shape: [layer.in, layer.out],
        data: weightTensor(layer.in * layer.out, layer.in, base + k - 1),
      });
      params.push({ name: `b${k}`, shape: [layer.out], data: new Float32Array(layer.out) });
    } else if (layer.type === 'conv') {
      k++;
      const fanIn = layer.in_ch * layer.k * layer.k;
      params.push({
        name: `W${k}`,
        shape: [layer.out_ch, layer.in_ch, layer.k, layer.k],
        data: weightTensor(layer.out_ch * fanIn, fanIn, base + k - 1),
      });
      params.push({ name: `b${k}`, shape: [layer.out_ch], data: new Float32Array(layer.out_ch) });
    } else if (layer.type === 'batchnorm') {
      bn++;
      params.push({ name: `gamma${bn}`, shape: [layer.dim], data: new Float32Array(layer.dim).fill(1) });
      params.push({ name: `beta${bn}`, shape: [layer.dim], data: new Float32Array(layer.dim) });
    }
  }
  return params;
}

export function paramMap(net: NetName): Record<string, Param> {
  return Object.fromEntries(initParams(net).map((p) => [p.name, p]));
}

/** One batch: x (N, ...input) row-major, y (N,). */
export interface Batch {
  n: number;
  x: Float32Array;
  y: Int32Array;
}

/**
 * The pool of `batches_in_pool` distinct batches each peer cycles through: batch b uses data seed data + 1000 b
 * and label seed labels + 1000 b. Generated before timing starts.
 */
export function batchPool(net: NetName, n: number): Batch[] {
  const { data, labels } = spec.generator.seeds;
  const per = spec.workloads[net].input.reduce((a, b) => a * b, 1);
  return Array.from({ length: spec.timing.batches_in_pool }, (_, b) => ({
    n,
    x: dataTensor(n * per, data + b * 1000),
    y: labelTensor(n, labels + b * 1000, spec.num_classes),
  }));
}

/** The GEMM operands: A (M, K) from the data seed, B (K, N) from the data seed + 1000, both U[-1, 1). */
export function gemmOperands(d: GemmShape): { a: Float32Array; b: Float32Array } {
  const seed = spec.generator.seeds.data;
  return { a: dataTensor(d.M * d.K, seed), b: dataTensor(d.K * d.N, seed + 1000) };
}

// ---------------------------------------------------------------------------------------------------------
// Layout helpers and FLOP counts

/** x (N, C, H, W) -> (N, H, W, C). */
export function toNHWC(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++)
      for (let r = 0; r < h; r++)
        for (let col = 0; col < w; col++)
          out[((i * h + r) * w + col) * c + ch] = x[((i * c + ch) * h + r) * w + col];
  return out;
}

/** conv W (F, C, HH, WW) -> (HH, WW, C, F), TensorFlow's filter layout. */
export function convWeightToHWCF(w: Float32Array, f: number, c: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < f; o++)
    for (let ch = 0; ch < c; ch++)
      for (let r = 0; r < k; r++)
        for (let col = 0; col < k; col++)
          out[((r * k + col) * c + ch) * f + o] = w[((o * c + ch) * k + r) * k + col];
  return out;
}

/**
 * Affine W (C*H*W, out) whose rows follow an NCHW flatten -> rows in NHWC-flatten order, for a peer that
 * flattens channels-last feature maps: same function, permuted inputs.
 */
export function nchwRowsToNHWC(w: Float32Array, c: number, h: number, wd: number, out: number): Float32Array {
  const res = new Float32Array(w.length);
  for (let ch = 0; ch < c; ch++)
    for (let r = 0; r < h; r++)
      for (let col = 0; col < wd; col++) {
        const src = ((ch * h + r) * wd + col) * out;
        const dst = ((r * wd + col) * c + ch) * out;
        for (let o = 0; o < out; o++) res[dst + o] = w[src + o];
      }
  return res;
}

/** Forward FLOPs per image (multiply-add = 2; affine and conv only), per the spec's convention. */
export function forwardFlopsPerImage(net: NetName): number {
  let flops = 0;
  for (const l of spec.workloads[net].layers) {
    if (l.type === 'affine') flops += 2 * l.in * l.out;
    else if (l.type === 'conv') flops += 2 * l.out_ch * l.out_hw[0] * l.out_hw[1] * l.in_ch * l.k * l.k;
  }
  return flops;
}

/** Mean softmax cross-entropy of scores (N, C) against y, in double: the number every peer should agree on. */
export function softmaxLossOf(scores: ArrayLike<number>, y: Int32Array, numClasses: number): number {
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    let max = -Infinity;
    for (let j = 0; j < numClasses; j++) max = Math.max(max, scores[i * numClasses + j]);
    let sum = 0;
    for (let j = 0; j < numClasses; j++) sum += Math.exp(scores[i * numClasses + j] - max);
    loss += Math.log(sum) - (scores[i * numClasses + y[i]] - max);
  }
  return loss / y.length;
}

// ---------------------------------------------------------------------------------------------------------
// Captioning

/** The captioning workloads' vocabulary: <NULL> 0, <START> 1, <END> 2, then w3 .. w{V-1}. */
export function captionVocabulary(V: number): Record<string, number> {
  const w: Record<string, number> = { '<NULL>': 0, '<START>': 1, '<END>': 2 };
  for (let i = 3; i < V; i++) w[`w${i}`] = i;
  return w;
}

/** One captioning batch: features (N, D) and captions (N, T + 1) int32 as workloads.json defines them. */
export interface CaptionBatch {
  features: Float32Array;
  captions: Int32Array;
}

export function captionPool(model: CaptionModel): CaptionBatch[] {
  const w = spec.workloads[model];
  const { data, labels } = spec.generator.seeds;
  const [N, L] = [w.batch, w.T + 1];
  return Array.from({ length: spec.timing.batches_in_pool }, (_, b) => {
    const captions = new Int32Array(N * L);
    for (let i = 0; i < N * L; i++) captions[i] = i % L === 0 ? 1 : u32(i, labels + b * 1000) % w.vocab;
    return { features: dataTensor(N * w.input_dim, data + b * 1000), captions };
  });
}

/** caption-lstm's initial parameters, named as the course's CaptioningRNN (biases zero). */
export function captionLstmParams(): Param[] {
  const w = spec.workloads['caption-lstm'];
  const base = spec.generator.seeds.weights_base;
  const H = w.hidden_dim!;
  const params: Param[] = w.params.map((p, k) => ({
    name: p.name,
    shape: p.shape,
    data: weightTensor(p.shape[0] * p.shape[1], p.fan_in, base + k),
  }));
  for (const [name, n] of [
    ['bProj', H],
    ['b', 4 * H],
    ['bVocab', w.vocab],
  ] as const)
    params.push({ name, shape: [n], data: new Float32Array(n) });
  return params;
}

// ---------------------------------------------------------------------------------------------------------
// DCGAN and SimCLR augmentation

/** The pool of real DCGAN batches: (batch, 784) values U[-1, 1), as the course scales MNIST to [-1, 1]. */
export function ganPool(): Float32Array[] {
  const w = spec.workloads.dcgan;
  const per = w.image.reduce((a, b) => a * b, 1);
  return Array.from({ length: spec.timing.batches_in_pool }, (_, b) =>
    dataTensor(w.batch * per, spec.generator.seeds.data + b * 1000),
  );
}

/** The pool of augmentation batches: (batch, 3, 32, 32) values uniform in [0, 1), as CIFAR pixels / 255. */
export function augmentPool(): Float32Array[] {
  const w = spec.workloads['simclr-augment'];
  const n = w.batch * w.image.reduce((a, b) => a * b, 1);
  return Array.from({ length: spec.timing.batches_in_pool }, (_, b) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = uniform(i, spec.generator.seeds.data + b * 1000);
    return out;
  });
}
