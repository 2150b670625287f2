/**
 * Networks declared as a list of plain layer definitions, ConvNetJS-style, in a .json file:
 *
 *   [{ "type": "conv", "filters": 8, "size": 5, "pad": 2 }, { "type": "relu" }, { "type": "pool", "size": 2 },
 *    { "type": "linear", "out": 100 }, { "type": "relu" }, { "type": "linear", "out": "classes" }]
 *
 * Input sizes are inferred layer by layer from the data (so only output sizes are written), a flatten is
 * implied before the first linear layer after conv layers, and the last layer must produce one score per
 * class ("classes" stands for the data set's class count; softmax is the loss, not a layer). Each layer is
 * built from the modules of src/nn/modules. The library and the command read the same files; a bad file is
 * a SpecError whose one line names the file, the layer and what is wrong.
 */
import type { DType } from '../../ndarray/dtype.js';
import { Generator } from '../../ndarray/random.js';
import { nodeFs } from '../../nodeFiles.js';
import { AvgPool2d, Conv2d, Dropout, Flatten, LeakyReLU, Linear, MaxPool2d, ReLU } from './layers.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm } from './norm.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

/** A layer file or definition that cannot be built. */
export class SpecError extends Error {
  override name = 'SpecError';
}

/** One layer of a layers .json model: its type ('conv', 'linear', 'relu', ...) and that layer's keys. */
export type LayerDef = Record<string, unknown> & { type: string };

/** Each layer type and the keys it accepts (aliases from ConvNetJS included). */
const LAYER_KEYS: Record<string, string[]> = {
  conv: ['filters', 'size', 'sx', 'stride', 'pad'],
  pool: ['size', 'sx', 'stride'],
  avgpool: ['size', 'sx', 'stride'],
  relu: [],
  'leaky-relu': ['alpha'],
  linear: ['out', 'neurons', 'num_neurons'],
  batchnorm: [],
  layernorm: [],
  groupnorm: ['groups'],
  dropout: ['keep', 'drop_prob'],
  flatten: [],
};
const ALIASES: Record<string, string> = {
  fc: 'linear',
  affine: 'linear',
  maxpool: 'pool',
  leakyrelu: 'leaky-relu',
};

/** A layer with its sizes resolved against the input shape. */
export interface ResolvedLayer {
  type: string;
  def: LayerDef;
  inShape: number[];
  outShape: number[];
}

function num(def: LayerDef, where: string, key: string, fallback?: number): number {
  const v = def[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new SpecError(
      `${where}: "${key}" must be a number${fallback === undefined ? ' (required)' : ''}, got ${JSON.stringify(def[key])}`,
    );
  }
  return v;
}

/** Reads and checks a layers file: a JSON array of objects with a known "type" and known keys. */
export function readLayerSpec(path: string): LayerDef[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(nodeFs('readLayerSpec').readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SpecError(`${path}: not a JSON file of layers (${(e as Error).message})`);
  }
  return parseLayerSpec(parsed, path);
}

/** Checks parsed layer definitions (`source` names them in errors): known types, known keys. */
export function parseLayerSpec(parsed: unknown, source = 'layers'): LayerDef[] {
  const path = source;
  // Also accept { "layers": [...] }, the shape of a ConvNetJS net definition object.
  const list = Array.isArray(parsed) ? parsed : (parsed as { layers?: unknown })?.layers;
  if (!Array.isArray(list) || list.length === 0) {
    throw new SpecError(
      `${path}: expected a JSON array of layer definitions like [{"type": "conv", "filters": 8, "size": 5}]`,
    );
  }
  const defs: LayerDef[] = [];
  list.forEach((raw, i) => {
    const where = `${path}: layer ${i + 1}`;
    if (!raw || typeof raw !== 'object' || typeof (raw as LayerDef).type !== 'string') {
      throw new SpecError(`${where}: expected an object with a "type"`);
    }
    const def = { ...(raw as LayerDef) };
    const type = ALIASES[def.type] ?? def.type;
    // ConvNetJS nets start with an input layer and end with a softmax: both are implied here.
    if (type === 'input' || type === 'softmax' || type === 'svm') return;
    const keys = LAYER_KEYS[type];
    if (!keys) {
      throw new SpecError(
        `${where}: unknown type '${def.type}' (valid: ${Object.keys(LAYER_KEYS).join(', ')})`,
      );
    }
    for (const k of Object.keys(def)) {
      if (k !== 'type' && !keys.includes(k) && k !== 'activation') {
        throw new SpecError(`${where} (${type}): unknown key '${k}' (valid: ${keys.join(', ') || 'none'})`);
      }
    }
    defs.push({ ...def, type });
    // ConvNetJS's "activation": "relu" on a conv or fc layer adds the activation after it.
    if (def.activation === 'relu') defs.push({ type: 'relu' });
    else if (def.activation !== undefined)
      throw new SpecError(`${where}: unsupported activation '${String(def.activation)}' (valid: relu)`);
  });
  return defs;
}

/**
 * Resolves every layer's input and output shape from the input shape of one image ([C, H, W] or [D]),
 * inserting a flatten before a linear layer that follows 3-D feature maps, and appending the final linear
 * layer to `numClasses` scores when the list does not end with one.
 */
export function resolveLayers(defs: LayerDef[], inputShape: number[], numClasses: number): ResolvedLayer[] {
  let shape = [...inputShape];
  const out: ResolvedLayer[] = [];
  const push = (type: string, def: LayerDef, next: number[]): void => {
    out.push({ type, def, inShape: shape, outShape: next });
    shape = next;
  };
  const all = [...defs];
  const last = all[all.length - 1];
  if (!last || last.type !== 'linear') all.push({ type: 'linear', out: 'classes' });
  all.forEach((def, i) => {
    const where = `layer ${i + 1} (${def.type})`;
    switch (def.type) {
      case 'conv': {
        if (shape.length !== 3)
          throw new SpecError(`${where}: needs images (C, H, W), gets (${shape.join(', ')})`);
        const [, h, w] = shape;
        const f = num(def, where, 'filters');
        const k = num(def, where, def.size !== undefined ? 'size' : 'sx');
        const stride = num(def, where, 'stride', 1);
        const pad = num(def, where, 'pad', 0);
        const ho = (h + 2 * pad - k) / stride + 1;
        const wo = (w + 2 * pad - k) / stride + 1;
        if (!Number.isInteger(ho) || !Number.isInteger(wo) || ho < 1 || wo < 1) {
          throw new SpecError(
            `${where}: a ${k}x${k} filter with stride ${stride} and pad ${pad} does not tile ${h}x${w}`,
          );
        }
        push('conv', { ...def, filters: f, size: k, stride, pad }, [f, ho, wo]);
        break;
      }
      case 'pool':
      case 'avgpool': {
        if (shape.length !== 3)
          throw new SpecError(`${where}: needs images (C, H, W), gets (${shape.join(', ')})`);
        const [c, h, w] = shape;
        const k = num(def, where, def.size !== undefined ? 'size' : 'sx', 2);
        const stride = num(def, where, 'stride', k);
        const ho = (h - k) / stride + 1;
        const wo = (w - k) / stride + 1;
        if (!Number.isInteger(ho) || !Number.isInteger(wo) || ho < 1) {
          throw new SpecError(`${where}: a ${k}x${k} pool with stride ${stride} does not tile ${h}x${w}`);
        }
        push(def.type, { ...def, size: k, stride }, [c, ho, wo]);
        break;
      }
      case 'linear': {
        if (shape.length > 1) push('flatten', { type: 'flatten' }, [shape.reduce((a, b) => a * b, 1)]);
        const raw = def.out ?? def.neurons ?? def.num_neurons;
        const n = raw === 'classes' || (raw === undefined && i === all.length - 1) ? numClasses : raw;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
          throw new SpecError(
            `${where}: "out" must be a whole number or "classes", got ${JSON.stringify(raw)}`,
          );
        }
        push('linear', { ...def, out: n }, [n]);
        break;
      }
      case 'flatten':
        push('flatten', def, [shape.reduce((a, b) => a * b, 1)]);
        break;
      case 'groupnorm': {
        const g = num(def, where, 'groups', 1);
        if (shape.length !== 3 || shape[0] % g !== 0) {
          throw new SpecError(
            `${where}: ${g} groups do not divide the ${shape[0]} channels of (${shape.join(', ')})`,
          );
        }
        push('groupnorm', { ...def, groups: g }, shape);
        break;
      }
      case 'dropout': {
        const keep = def.keep !== undefined ? num(def, where, 'keep') : 1 - num(def, where, 'drop_prob', 0.5);
        if (keep <= 0 || keep > 1)
          throw new SpecError(`${where}: keep probability must be in (0, 1], got ${keep}`);
        push('dropout', { ...def, keep }, shape);
        break;
      }
      default:
        push(def.type, def, shape);
    }
  });
  if (shape.length !== 1 || shape[0] !== numClasses) {
    throw new SpecError(`the last layer gives (${shape.join(', ')}), but the data has ${numClasses} classes`);
  }
  return out;
}

/** buildSequential's options: one input's shape, number of classes, dtype, seed. */
export interface SequentialBuildOptions {
  inputShape: number[];
  numClasses: number;
  dtype: DType;
  seed: number;
}

/**
 * Builds the network as a Sequential of src/nn/modules. Initial weights draw from Generator(seed); dropout
 * masks from `dropoutRng` (Generator(seed + 1)), which the caller saves in checkpoints so a resumed run draws
 * the same masks.
 */
export function buildSequential(
  defs: LayerDef[],
  opts: SequentialBuildOptions,
): { net: Sequential; dropoutRng: Generator } {
  const layers = resolveLayers(defs, opts.inputShape, opts.numClasses);
  // One generator for the initial weights and another for dropout masks: the latter's state is saved in
  // checkpoints (Classifier.rng), so a resumed run draws the same masks.
  const initRng = new Generator(opts.seed);
  const dropRng = new Generator(opts.seed + 1);
  const w = { rng: initRng, dtype: opts.dtype };
  const modules: Module[] = layers.map((l, i) => {
    const d = l.def;
    switch (l.type) {
      case 'conv':
        return new Conv2d(l.inShape[0], d.filters as number, d.size as number, {
          ...w,
          stride: d.stride as number,
          padding: d.pad as number,
        });
      case 'pool':
        return new MaxPool2d(d.size as number, d.stride as number);
      case 'avgpool':
        if (d.stride !== d.size) throw new SpecError(`layer ${i + 1} (avgpool): stride must equal size`);
        return new AvgPool2d(d.size as number);
      case 'relu':
        return new ReLU();
      case 'leaky-relu':
        return new LeakyReLU(d.alpha === undefined ? 0.01 : Number(d.alpha));
      case 'linear':
        return new Linear(l.inShape[0], l.outShape[0], w);
      case 'flatten':
        return new Flatten();
      case 'batchnorm':
        return l.inShape.length === 3
          ? new BatchNorm2d(l.inShape[0], { dtype: opts.dtype })
          : new BatchNorm1d(l.inShape[0], { dtype: opts.dtype });
      case 'layernorm':
        if (l.inShape.length !== 1) {
          throw new SpecError(
            `layer ${i + 1} (layernorm): needs flat features; use groupnorm on conv feature maps`,
          );
        }
        return new LayerNorm(l.inShape[0], { dtype: opts.dtype });
      case 'groupnorm':
        return new GroupNorm(d.groups as number, l.inShape[0], { dtype: opts.dtype });
      case 'dropout':
        return new Dropout(d.keep as number, { rng: dropRng });
      default:
        throw new SpecError(`layer ${i + 1}: unknown type '${l.type}'`);
    }
  });
  return { net: new Sequential(...modules), dropoutRng: dropRng };
}

/** One line per layer with its output shape, for the start of a run. */
export function describeLayers(defs: LayerDef[], inputShape: number[], numClasses: number): string {
  return resolveLayers(defs, inputShape, numClasses)
    .map((l) => `${l.type}(${l.outShape.join('x')})`)
    .join(' → ');
}
