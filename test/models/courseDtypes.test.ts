/**
 * Course-exact dtypes (issue 20, item 12): TwoLayerNet computes in float64 by default, as the course's numpy
 * nets do, and no model rounds the input it is given down to a lower precision; the scores' dtype is the
 * dtype the arithmetic ran in. The toy check is the course's own (assignment 1, two_layer_net.ipynb): its
 * arrays and printed constants come from scripts/golden_two_layer_net.py.
 */
import { describe, expect, it } from 'vitest';
import golden from '../golden/two_layer_net.json' with { type: 'json' };
import { array, Generator, type NDArray } from '../../src/ndarray/index.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';
import { ThreeLayerConvNet } from '../../src/models/cnn.js';
import type { Model } from '../../src/models/model.js';

const fromGolden = (g: { shape: number[]; data: number[] }): NDArray =>
  array(Float64Array.from(g.data), g.shape);
const maxAbsDiff = (a: NDArray, b: NDArray): number => a.sub(b).abs().max().item();

describe("TwoLayerNet: the course's toy check", () => {
  const X = fromGolden(golden.X);
  const y = array(golden.y, 'int32');
  /** The notebook's toy model; neural_net.py's reg·ΣW² is nabla's 0.5·reg·ΣW², hence reg doubled. */
  const toyNet = () => {
    const net = new TwoLayerNet({ inputDim: 4, hiddenDim: 10, numClasses: 3, reg: 2 * golden.courseReg });
    net.params = Object.fromEntries(Object.entries(golden.params).map(([k, v]) => [k, fromGolden(v)]));
    return net;
  };

  it('gives the scores and the loss the notebook prints, in float64 by default', () => {
    const net = toyNet();
    const scores = net.loss(X);
    expect(scores.dtype).toBe('float64');
    // The notebook's checks: Σ|scores − correct| < 1e-7 and |loss − 1.30378789133| < 1e-10.
    expect(scores.sub(array(golden.correctScores)).abs().sum().item()).toBeLessThan(1e-7);
    expect(maxAbsDiff(scores, fromGolden(golden.scores))).toBeLessThan(1e-15);
    const [loss, grads] = net.loss(X, y);
    expect(Math.abs(loss - golden.correctLoss)).toBeLessThan(1e-10);
    expect(Math.abs(loss - golden.loss)).toBeLessThan(1e-14);
    for (const [name, g] of Object.entries(golden.grads)) {
      expect(grads[name].dtype, name).toBe('float64');
      expect(maxAbsDiff(grads[name], fromGolden(g)), name).toBeLessThan(1e-14);
    }
  });

  it('defaults to float64 parameters, like numpy', () => {
    expect(new TwoLayerNet({ inputDim: 4, hiddenDim: 3, numClasses: 2 }).params.W1.dtype).toBe('float64');
  });
});

/** The same model in float64: its parameters upcast from `model`'s (exactly). */
function upcast<M extends Model>(model: M, make: () => M): M {
  const m = make();
  m.params = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, v.astype('float64')]));
  return m;
}

describe('models never round their input down', () => {
  const g = new Generator(3);
  const cases: [string, () => Model, NDArray][] = [
    [
      'TwoLayerNet',
      () => new TwoLayerNet({ inputDim: 6, hiddenDim: 5, numClasses: 3, weightScale: 0.5, dtype: 'float32' }),
      g.randn(4, 6),
    ],
    [
      'FullyConnectedNet',
      () =>
        new FullyConnectedNet({
          hiddenDims: [5, 4],
          inputDim: 6,
          numClasses: 3,
          weightScale: 0.5,
          normalization: 'layernorm',
        }),
      g.randn(4, 6),
    ],
    [
      'ThreeLayerConvNet',
      () =>
        new ThreeLayerConvNet({
          inputDim: [2, 4, 4],
          numFilters: 3,
          filterSize: 3,
          hiddenDim: 5,
          numClasses: 3,
          weightScale: 0.5,
        }),
      g.randn(2, 2, 4, 4),
    ],
  ];

  it.each(cases)('%s (float32) given float64 X computes in float64', (_, make, X) => {
    const model = make();
    expect(model.params.W1.dtype).toBe('float32');
    const scores = model.loss(X);
    expect(scores.dtype).toBe('float64');
    // Exactly what the float64 model with the same (upcast) parameters gives: X was not rounded to float32.
    expect(scores.toArray()).toEqual(upcast(model, make).loss(X).toArray());
    // A float32 X stays float32 arithmetic; uint8 data take the model's dtype.
    expect(model.loss(X.astype('float32')).dtype).toBe('float32');
    expect(model.loss(X.abs().mul(10).astype('uint8')).dtype).toBe('float32');
  });
});
