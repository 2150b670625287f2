/**
 * summary(model, inputShape): what torchinfo's summary and Keras' model.summary() print — each layer, the
 * shape of its output and its parameter count — for a Sequential (or a Classifier over one), found by
 * running one zero input through the layers in eval mode; and for the course's nets (TwoLayerNet,
 * FullyConnectedNet, ThreeLayerConvNet, linear models), which have no layer objects, each parameter array
 * and the scores' shape.
 */
import type { DType } from '../ndarray/dtype.js';
import { zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Module } from '../nn/modules/module.js';
import { Sequential } from '../nn/modules/sequential.js';
import { Classifier } from './classifier.js';
import type { LossModel, Model } from './model.js';

/** One row: a layer (or, for the course's nets, a parameter array). Shapes have -1 for the batch axis. */
export interface SummaryRow {
  /** Where the layer sits ('0', '3.1') or the parameter's name ('W1'). */
  name: string;
  /** The layer as it prints ('Conv2d(1, 8, 5, ...)'), or the parameter's shape. */
  layer: string;
  /** The layer's output shape, batch axis as -1; null for parameter rows. */
  outputShape: number[] | null;
  /** Number of trainable values the row owns. */
  params: number;
}

/** summary's result: one row per layer, the output shape, parameter totals, and the table as text. */
export interface ModelSummary {
  rows: SummaryRow[];
  /** Shape of the model's output (the class scores) for a batch, batch axis as -1. */
  outputShape: number[];
  totalParams: number;
  /** Bytes of the parameters at their dtype. */
  paramBytes: number;
  /** The table, as torchinfo prints it. */
  toString(): string;
}

const count = (a: NDArray): number => a.size;
const batchShape = (a: NDArray): number[] => [-1, ...a.shape.slice(1)];

/** Leaves of nested Sequentials, with their path names. */
function leaves(m: Module, prefix: string): [string, Module][] {
  if (!(m instanceof Sequential)) return [[prefix || '(root)', m]];
  return m.layers.flatMap((c, i) => leaves(c, prefix ? `${prefix}.${i}` : String(i)));
}

function dtypeOf(model: LossModel | Module): DType {
  const first = Object.values(
    model instanceof Module ? Object.fromEntries(model.namedParameters()) : model.params,
  )[0];
  return first?.dtype ?? 'float32';
}

/**
 * The layers of `model`, their output shapes and parameter counts, for inputs of shape
 * (N, ...inputShape). Runs one forward pass of a zero input (batch 2, eval mode; the mode is restored).
 */
export function summary(model: LossModel | Module, inputShape: readonly number[]): ModelSummary {
  const dtype = dtypeOf(model);
  const x0 = zeros([2, ...inputShape], dtype);
  const net = model instanceof Classifier ? model.net : model instanceof Module ? model : null;
  const rows: SummaryRow[] = [];
  let outputShape: number[];
  if (net) {
    const wasTraining = net.training;
    net.train(false);
    try {
      let x = x0;
      for (const [name, layer] of leaves(net, '')) {
        x = layer.forward(x) as NDArray;
        // namedParameters, not params: a block that is not a Sequential owns its children's parameters.
        const own = layer.namedParameters().reduce((s, [, a]) => s + count(a), 0);
        rows.push({ name, layer: String(layer), outputShape: batchShape(x), params: own });
      }
      outputShape = batchShape(x);
    } finally {
      net.train(wasTraining);
    }
  } else {
    for (const [name, a] of Object.entries((model as LossModel).params))
      rows.push({ name, layer: `(${a.shape.join(', ')})`, outputShape: null, params: count(a) });
    outputShape = batchShape((model as Model).loss(x0));
  }
  const params = net ? net.namedParameters().map(([, a]) => a) : Object.values((model as LossModel).params);
  const totalParams = params.reduce((s, a) => s + count(a), 0);
  const paramBytes = params.reduce(
    (s, a) => s + a.size * (a.dtype === 'float64' ? 8 : a.dtype === 'float32' || a.dtype === 'int32' ? 4 : 1),
    0,
  );
  return {
    rows,
    outputShape,
    totalParams,
    paramBytes,
    toString: () => format(rows, totalParams, paramBytes),
  };
}

function format(rows: SummaryRow[], total: number, bytes: number): string {
  const head = ['Layer', 'Output shape', 'Param #'];
  const cells = rows.map((r) => [
    `${r.name}: ${r.layer}`,
    r.outputShape ? `[${r.outputShape.join(', ')}]` : '',
    r.params.toLocaleString('en-US'),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `${c[0].padEnd(w[0])}  ${c[1].padEnd(w[1])}  ${c[2].padStart(w[2])}`;
  const rule = '='.repeat(w[0] + w[1] + w[2] + 4);
  return [
    rule,
    line(head),
    rule,
    ...cells.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Params size (MB): ${(bytes / 2 ** 20).toFixed(2)}`,
    rule,
  ].join('\n');
}
