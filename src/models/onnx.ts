/**
 * ONNX export of trained classifiers: the net's test-mode forward as an ONNX graph (opset 13) that other
 * runtimes (onnxruntime, PyTorch's onnx2torch, TensorRT, ...) load. Input "input" (N, ...inputShape) with a
 * free batch size, output "scores" (N, C): the class scores `model.loss(X)` returns. Weights are stored as
 * float32 (what every ONNX runtime runs), whatever the model's dtype.
 *
 * What it exports: a Classifier or a Sequential of Linear, Conv2d, ReLU, LeakyReLU, Tanh, Sigmoid,
 * MaxPool2d, AvgPool2d, BatchNorm1d/2d, Flatten and Dropout (the identity at test time); and the course's
 * TwoLayerNet, FullyConnectedNet (no normalization, or batchnorm), ThreeLayerConvNet and the linear
 * classifiers (LinearModel). Anything else is refused, naming the layer.
 *
 * The protobuf encoding is onnx-proto's (the ONNX schema compiled by protobufjs), an optional package:
 * `npm install onnx-proto`.
 */
import { createRequire } from 'node:module';
import type { NDArray } from '../ndarray/ndarray.js';
import { Sequential } from '../nn/modules/sequential.js';
import type { Module } from '../nn/modules/module.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/modules/norm.js';
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  LeakyReLU,
  Linear,
  MaxPool2d,
  ReLU,
  Sigmoid,
  Tanh,
} from '../nn/modules/layers.js';
import { optionalPackageError } from '../optionalPackage.js';
import { Classifier } from './classifier.js';
import { FullyConnectedNet } from './fullyConnectedNet.js';
import { LinearModel } from './linearModel.js';
import { ThreeLayerConvNet } from './cnn.js';
import { TwoLayerNet } from './twoLayerNet.js';
import type { LossModel } from './model.js';

type OnnxNamespace = typeof import('onnx-proto').onnx;

function onnxProto(): OnnxNamespace {
  try {
    // createRequire, not import: onnx-proto is CommonJS, and exportOnnx stays synchronous.
    return (createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto')).onnx;
  } catch (err) {
    throw optionalPackageError('exportOnnx', 'onnx-proto', err);
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

interface Node {
  opType: string;
  inputs: string[];
  attributes?: Record<string, number | number[] | { f: number }>;
}

/** Builds the graph: nodes in order, each taking the previous output; initializers are the weights. */
class GraphBuilder {
  readonly nodes: { opType: string; input: string[]; output: string[]; name: string; attribute: object[] }[] =
    [];
  readonly initializers: { name: string; dims: number[]; dataType: number; rawData: Uint8Array }[] = [];
  current = 'input';

  weight(name: string, a: NDArray): string {
    const f = Float32Array.from(a.toTypedArray() as ArrayLike<number>);
    this.initializers.push({
      name,
      dims: [...a.shape],
      dataType: FLOAT,
      rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength),
    });
    return name;
  }

  node({ opType, inputs, attributes = {} }: Node): void {
    const output = `${opType.toLowerCase()}_${this.nodes.length}`;
    const attribute = Object.entries(attributes).map(([name, v]) =>
      Array.isArray(v)
        ? { name, type: ATTR.INTS, ints: v }
        : typeof v === 'object'
          ? { name, type: ATTR.FLOAT, f: v.f }
          : { name, type: ATTR.INT, i: v },
    );
    this.nodes.push({ opType, input: [this.current, ...inputs], output: [output], name: output, attribute });
    this.current = output;
  }
}

/** Adds the nodes of one module (recursing into a Sequential). */
function addModule(g: GraphBuilder, m: Module, prefix: string): void {
  const p = (n: string) => g.weight(`${prefix}${n}`, m.params[n]);
  if (m instanceof Sequential) m.layers.forEach((c, i) => addModule(g, c, `${prefix}${i}.`));
  else if (m instanceof Linear) {
    // Our Linear keeps the course's layout, weight (in, out): Gemm without transposing B.
    const inputs = [p('weight')];
    if (m.params.bias) inputs.push(p('bias'));
    g.node({ opType: 'Gemm', inputs });
  } else if (m instanceof Conv2d) {
    const inputs = [p('weight')];
    if (m.params.bias) inputs.push(p('bias'));
    const k = m.kernelSize;
    const s = m.stride;
    const q = m.padding;
    g.node({
      opType: 'Conv',
      inputs,
      attributes: { kernel_shape: [k, k], strides: [s, s], pads: [q, q, q, q] },
    });
  } else if (m instanceof ReLU) g.node({ opType: 'Relu', inputs: [] });
  else if (m instanceof LeakyReLU)
    g.node({ opType: 'LeakyRelu', inputs: [], attributes: { alpha: { f: m.alpha } } });
  else if (m instanceof Tanh) g.node({ opType: 'Tanh', inputs: [] });
  else if (m instanceof Sigmoid) g.node({ opType: 'Sigmoid', inputs: [] });
  else if (m instanceof MaxPool2d)
    g.node({
      opType: 'MaxPool',
      inputs: [],
      attributes: { kernel_shape: [m.kernelSize, m.kernelSize], strides: [m.stride, m.stride] },
    });
  else if (m instanceof AvgPool2d)
    g.node({
      opType: 'AveragePool',
      inputs: [],
      attributes: { kernel_shape: [m.kernelSize, m.kernelSize], strides: [m.kernelSize, m.kernelSize] },
    });
  else if (m instanceof BatchNorm1d || m instanceof BatchNorm2d)
    addBatchNorm(
      g,
      prefix,
      m.params.weight,
      m.params.bias,
      m.bnParam.runningMean,
      m.bnParam.runningVar,
      m.bnParam.eps ?? 1e-5,
    );
  else if (m instanceof Flatten) g.node({ opType: 'Flatten', inputs: [], attributes: { axis: 1 } });
  else if (m instanceof Dropout)
    return; // the identity at test time
  else
    throw new RangeError(
      `exportOnnx: no ONNX export for layer ${prefix.slice(0, -1) || '(root)'} (${m.constructor.name})`,
    );
}

function addBatchNorm(
  g: GraphBuilder,
  prefix: string,
  gamma: NDArray,
  beta: NDArray,
  mean: NDArray,
  variance: NDArray,
  eps: number,
): void {
  const inputs = [
    g.weight(`${prefix}weight`, gamma),
    g.weight(`${prefix}bias`, beta),
    g.weight(`${prefix}running_mean`, mean),
    g.weight(`${prefix}running_var`, variance),
  ];
  g.node({ opType: 'BatchNormalization', inputs, attributes: { epsilon: { f: eps } } });
}

/** The course's nets, written as the layers they are. */
function addCourseModel(g: GraphBuilder, model: LossModel): void {
  const w = (n: string) => g.weight(n, model.params[n]);
  if (model instanceof LinearModel) {
    // The bias trick: W is (D + 1, C), its last row the bias.
    const W = model.params.W;
    const D = W.shape[0] - 1;
    g.node({ opType: 'Flatten', inputs: [], attributes: { axis: 1 } });
    g.node({ opType: 'Gemm', inputs: [g.weight('W', W.get(`:${D}`)), g.weight('b', W.get(D))] });
  } else if (model instanceof TwoLayerNet) {
    g.node({ opType: 'Flatten', inputs: [], attributes: { axis: 1 } });
    g.node({ opType: 'Gemm', inputs: [w('W1'), w('b1')] });
    g.node({ opType: 'Relu', inputs: [] });
    g.node({ opType: 'Gemm', inputs: [w('W2'), w('b2')] });
  } else if (model instanceof FullyConnectedNet) {
    if (model.normalization === 'layernorm')
      throw new RangeError('exportOnnx: FullyConnectedNet with layernorm has no ONNX export yet');
    g.node({ opType: 'Flatten', inputs: [], attributes: { axis: 1 } });
    for (let i = 1; i <= model.numLayers; i++) {
      g.node({ opType: 'Gemm', inputs: [w(`W${i}`), w(`b${i}`)] });
      if (i === model.numLayers) break;
      if (model.normalization === 'batchnorm') {
        const bp = model.bnParams[i - 1] as { runningMean: NDArray; runningVar: NDArray; eps?: number };
        addBatchNorm(
          g,
          `bn${i}.`,
          model.params[`gamma${i}`],
          model.params[`beta${i}`],
          bp.runningMean,
          bp.runningVar,
          bp.eps ?? 1e-5,
        );
      }
      g.node({ opType: 'Relu', inputs: [] });
    }
  } else if (model instanceof ThreeLayerConvNet) {
    const k = model.filterSize;
    const q = (k - 1) / 2;
    g.node({
      opType: 'Conv',
      inputs: [w('W1'), w('b1')],
      attributes: { kernel_shape: [k, k], strides: [1, 1], pads: [q, q, q, q] },
    });
    g.node({ opType: 'Relu', inputs: [] });
    g.node({ opType: 'MaxPool', inputs: [], attributes: { kernel_shape: [2, 2], strides: [2, 2] } });
    g.node({ opType: 'Flatten', inputs: [], attributes: { axis: 1 } });
    g.node({ opType: 'Gemm', inputs: [w('W2'), w('b2')] });
    g.node({ opType: 'Relu', inputs: [] });
    g.node({ opType: 'Gemm', inputs: [w('W3'), w('b3')] });
  } else throw new RangeError(`exportOnnx: no ONNX export for ${model.constructor.name}`);
}

/**
 * The ONNX model (bytes of a .onnx file) of a trained classifier's test-mode forward.
 * model: a Classifier, Sequential, TwoLayerNet, FullyConnectedNet, ThreeLayerConvNet or LinearModel.
 * inputShape: one input's shape without the batch axis, e.g. [1, 28, 28] or [784].
 * The graph's input "input" is (N, ...inputShape) float32 (N free); its output "scores" is (N, C).
 * name: the graph's name; metadata: key–value strings stored in the model's metadata_props (onnxruntime's
 * `InferenceSession` metadata, onnx.load(...).metadata_props), e.g. the class names and input normalisation.
 */
export function exportOnnx(
  model: LossModel | Module,
  inputShape: readonly number[],
  { name = 'nabla', metadata = {} }: { name?: string; metadata?: Record<string, string> } = {},
): Uint8Array {
  const onnx = onnxProto();
  const g = new GraphBuilder();
  if (model instanceof Classifier) addModule(g, model.net, '');
  else if (model instanceof Sequential) addModule(g, model, '');
  else addCourseModel(g, model as LossModel);
  if (g.nodes.length === 0) throw new RangeError('exportOnnx: the model has no layer to export');
  g.nodes.at(-1)!.output = ['scores'];
  const dims = (d: (number | string)[]) => ({
    dim: d.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })),
  });
  const valueInfo = (n: string, d: (number | string)[]) => ({
    name: n,
    type: { tensorType: { elemType: FLOAT, shape: dims(d) } },
  });
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'nabla',
    opsetImport: [{ domain: '', version: 13 }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', ['N', ...inputShape])],
      output: [valueInfo('scores', ['N', 'C'])],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
