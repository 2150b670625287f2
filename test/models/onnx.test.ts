/**
 * ONNX export, checked by an independent runtime: each exported model runs in onnxruntime (onnxruntime-web's
 * WebAssembly build, under Node) on the same inputs as nabla, and the scores must agree to 1e-4. The models
 * are trained a few steps first, so batchnorm running statistics and weights are not their initial values.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/models/onnx.js';
import { buildModel } from '../../src/models/registry.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';
import { ThreeLayerConvNet } from '../../src/models/cnn.js';
import { LinearModel } from '../../src/models/linearModel.js';
import type { Model } from '../../src/models/model.js';
import { Generator } from '../../src/ndarray/random.js';
import type { NDArray } from '../../src/ndarray/ndarray.js';
import { Sequential } from '../../src/nn/modules/sequential.js';
import { GroupNorm } from '../../src/nn/modules/norm.js';
import { Linear } from '../../src/nn/modules/layers.js';
import { expectClose, ortScores } from './onnxRuntime.js';

/** A few plain SGD steps on random data, in train mode (moves batchnorm's running statistics). */
function trainSteps(model: Model, X: NDArray, y: NDArray, steps = 3, lr = 1e-2): void {
  for (let s = 0; s < steps; s++) {
    const [, grads] = model.loss(X, y);
    for (const [k, g] of Object.entries(grads)) model.params[k].subInPlace(g.mul(lr));
  }
}

/** nabla's scores and onnxruntime's for X, on the model exported with `inputShape`. */
async function both(
  model: Model,
  X: NDArray,
): Promise<{ ours: Float64Array; theirs: Float32Array; dims: readonly number[] }> {
  const { scores, dims } = await ortScores(exportOnnx(model, X.shape.slice(1)), X);
  const ours = Float64Array.from(model.loss(X.astype('float32')).toTypedArray() as ArrayLike<number>);
  return { ours, theirs: scores, dims };
}

const rng = new Generator(0);
const labels = (n: number, c: number) => rng.randint(0, c, [n]);

describe('exportOnnx: onnxruntime gives the scores nabla gives', () => {
  it("the command's default CNN (a Classifier over a Sequential: conv, relu, pool, batchnorm, dropout, linear)", async () => {
    const model = buildModel(
      {
        name: 'layers',
        options: {},
        layers: [
          { type: 'conv', filters: 4, size: 3, pad: 1 },
          { type: 'batchnorm' },
          { type: 'relu' },
          { type: 'pool', size: 2 },
          { type: 'conv', filters: 6, size: 2, stride: 2 },
          { type: 'leaky-relu' },
          { type: 'avgpool', size: 3 },
          { type: 'flatten' },
          { type: 'dropout', drop_prob: 0.3 },
          { type: 'linear', out: 12 },
          { type: 'batchnorm' },
          { type: 'relu' },
          { type: 'linear' },
        ],
      },
      { inputShape: [2, 12, 12], numClasses: 5, dtype: 'float32', seed: 0 },
    );
    const X = rng.randn(8, 2, 12, 12).astype('float32');
    trainSteps(model, X, labels(8, 5));
    const { ours, theirs, dims } = await both(model, rng.randn(6, 2, 12, 12));
    expect(dims).toEqual([6, 5]);
    expectClose(ours, theirs);
  });

  it('the default `nabla train` cnn', async () => {
    const model = buildModel(
      { name: 'cnn', options: {} },
      { inputShape: [1, 28, 28], numClasses: 10, dtype: 'float32', seed: 0 },
    );
    const X = rng.randn(4, 1, 28, 28).astype('float32');
    trainSteps(model, X, labels(4, 10), 2);
    const { ours, theirs } = await both(model, rng.randn(3, 1, 28, 28));
    expectClose(ours, theirs);
  });

  it('TwoLayerNet (inputs of any shape, flattened)', async () => {
    const model = new TwoLayerNet({ inputDim: 12, hiddenDim: 7, numClasses: 3, seed: 0, weightScale: 0.3 });
    const { ours, theirs } = await both(model, rng.randn(5, 3, 4));
    expectClose(ours, theirs);
  });

  it('FullyConnectedNet with batchnorm and dropout', async () => {
    const model = new FullyConnectedNet({
      inputDim: 10,
      hiddenDims: [8, 6],
      numClasses: 4,
      normalization: 'batchnorm',
      dropoutKeepRatio: 0.8,
      weightScale: 0.3,
      dtype: 'float64',
      seed: 1,
    });
    const X = rng.randn(16, 10);
    trainSteps(model, X, labels(16, 4));
    const { ours, theirs } = await both(model, rng.randn(5, 10));
    expectClose(ours, theirs);
  });

  it('ThreeLayerConvNet', async () => {
    const model = new ThreeLayerConvNet({
      inputDim: [3, 8, 8],
      numFilters: 4,
      filterSize: 3,
      hiddenDim: 10,
      numClasses: 3,
      weightScale: 0.1,
      dtype: 'float32',
      seed: 0,
    });
    const { ours, theirs } = await both(model, rng.randn(4, 3, 8, 8));
    expectClose(ours, theirs);
  });

  it('a linear classifier (the bias trick undone: W[:D], b = W[D])', async () => {
    const model = new LinearModel({
      loss: 'softmax',
      inputDim: 6,
      numClasses: 3,
      reg: 0,
      dtype: 'float32',
      seed: 0,
    });
    const { ours, theirs } = await both(model, rng.randn(4, 6));
    expectClose(ours, theirs);
  });

  it('stores the metadata given in the model (metadata_props), with the graph name', () => {
    const model = new TwoLayerNet({ inputDim: 4, hiddenDim: 3, numClasses: 2, seed: 0 });
    const bytes = exportOnnx(model, [4], { name: 'digits', metadata: { classNames: '["a","b"]' } });
    const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');
    const decoded = onnx.ModelProto.decode(bytes);
    expect(decoded.graph?.name).toBe('digits');
    expect(decoded.metadataProps.map((p) => [p.key, p.value])).toEqual([['classNames', '["a","b"]']]);
  });

  it('refuses a layer it cannot export, naming it', () => {
    const net = new Sequential(new Linear(4, 4), new GroupNorm(2, 4));
    expect(() => exportOnnx(net, [4])).toThrow(/layer 1 \(GroupNorm\)/);
  });
});
