/**
 * Both halves of the course agree: the course's nets re-expressed with tensor ops, and Sequential nets
 * trained through autograd (Classifier({ autograd: true })), give the explicit backward's losses (float64,
 * 1e-10) over several Solver steps; TensorModel trains any loss the Solver's way.
 */
import { describe, expect, it } from 'vitest';
import { F, tensor, type Tensor } from '../../src/autograd/index.js';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { ThreeLayerConvNet } from '../../src/models/cnn.js';
import { Classifier } from '../../src/models/classifier.js';
import { TensorModel } from '../../src/models/tensorModel.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import type { Grads, Model } from '../../src/models/model.js';
import {
  BatchNorm1d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
} from '../../src/nn/modules/index.js';
import { Solver } from '../../src/solver/index.js';

/** A small classification set: N images (C, H, W) (or vectors), labels in [0, classes). */
function data(shape: number[], classes: number, seed: number) {
  const g = new Generator(seed);
  const make = (n: number) => ({ X: g.randn([n, ...shape]), y: g.randint(0, classes, [n]) });
  const [tr, va] = [make(40), make(20)];
  return { XTrain: tr.X, yTrain: tr.y, XVal: va.X, yVal: va.y };
}

/** The loss history of `model` over two epochs of sgdMomentum. */
function lossHistory(model: Model, d: ReturnType<typeof data>): number[] {
  const solver = new Solver(model, d, {
    updateRule: 'sgdMomentum',
    optimConfig: { learningRate: 5e-2 },
    batchSize: 10,
    numEpochs: 2,
    verbose: false,
    seed: 1,
  });
  solver.train();
  return solver.lossHistory;
}

function expectSameHistory(a: number[], b: number[], tol = 1e-10): void {
  expect(a.length).toBe(b.length);
  expect(a.length).toBeGreaterThan(5);
  a.forEach((v, i) => expect(Math.abs(v - b[i]) / Math.max(1, Math.abs(v)), `step ${i}`).toBeLessThan(tol));
}

/** The model contract around a function of the parameters as tensors: forward on tensors, then backward. */
abstract class TensorNet implements Model {
  constructor(public params: Record<string, NDArray>) {}
  protected abstract scores(X: NDArray, p: Record<string, Tensor>): Tensor;
  protected abstract regularized: string[];
  abstract reg: number;

  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const p = Object.fromEntries(
      Object.entries(this.params).map(([k, v]) => [k, tensor(v, { requiresGrad: y !== undefined })]),
    );
    const scores = this.scores(X, p);
    if (y === undefined) return scores.data;
    let loss = F.crossEntropy(scores, y);
    for (const k of this.regularized)
      loss = loss.add(
        p[k]
          .mul(p[k])
          .sum()
          .mul(0.5 * this.reg),
      );
    loss.backward();
    return [loss.item(), Object.fromEntries(Object.entries(p).map(([k, t]) => [k, t.grad!]))];
  }
}

/** TwoLayerNet's loss written with tensor ops: linear → relu → linear → crossEntropy + L2. */
class TwoLayerNetOnTensors extends TensorNet {
  protected regularized = ['W1', 'W2'];
  constructor(
    params: Record<string, NDArray>,
    public reg: number,
  ) {
    super(params);
  }
  protected scores(X: NDArray, p: Record<string, Tensor>): Tensor {
    return F.linear(F.linear(tensor(X), p.W1, p.b1).relu(), p.W2, p.b2);
  }
}

/** ThreeLayerConvNet's with separate ops: conv2d → relu → maxPool2d → linear → relu → linear. */
class ConvNetOnTensors extends TensorNet {
  protected regularized = ['W1', 'W2', 'W3'];
  constructor(
    params: Record<string, NDArray>,
    public reg: number,
    private readonly pad: number,
  ) {
    super(params);
  }
  protected scores(X: NDArray, p: Record<string, Tensor>): Tensor {
    const h1 = F.maxPool2d(F.conv2d(tensor(X), p.W1, p.b1, { padding: this.pad }).relu(), 2);
    const h2 = F.linear(h1, p.W2, p.b2).relu();
    return F.linear(h2, p.W3, p.b3);
  }
}

const copyParams = (p: Record<string, NDArray>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.copy()]));

describe('the course’s nets through autograd give the explicit losses', () => {
  it('TwoLayerNet', () => {
    const d = data([12], 4, 0);
    const opts = {
      inputDim: 12,
      hiddenDim: 9,
      numClasses: 4,
      weightScale: 0.3,
      reg: 0.1,
      dtype: 'float64' as const,
    };
    const explicit = new TwoLayerNet({ ...opts, seed: 2 });
    const auto = new TwoLayerNetOnTensors(copyParams(new TwoLayerNet({ ...opts, seed: 2 }).params), 0.1);
    expectSameHistory(lossHistory(explicit, d), lossHistory(auto, d));
  });

  it('ThreeLayerConvNet', () => {
    const d = data([2, 6, 6], 3, 1);
    const opts = {
      inputDim: [2, 6, 6] as [number, number, number],
      numFilters: 3,
      filterSize: 3,
      hiddenDim: 8,
      numClasses: 3,
      weightScale: 0.3,
      reg: 0.05,
      dtype: 'float64' as const,
    };
    const explicit = new ThreeLayerConvNet({ ...opts, seed: 3 });
    const auto = new ConvNetOnTensors(
      copyParams(new ThreeLayerConvNet({ ...opts, seed: 3 }).params),
      0.05,
      1,
    );
    expectSameHistory(lossHistory(explicit, d), lossHistory(auto, d));
  });
});

describe('Sequential nets: Classifier with explicit backward and with autograd', () => {
  /** A conv net with the fused conv → relu → pool, batchnorm and dropout (masks from the classifier's rng). */
  function convNet(seed: number, autograd: boolean): Classifier {
    const rng = new Generator(seed);
    const drop = new Generator(seed + 1);
    const f64 = { rng, dtype: 'float64' as const };
    const net = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1, ...f64 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(36, 10, f64),
      new BatchNorm1d(10, { dtype: 'float64' }),
      new ReLU(),
      new Dropout(0.8, { rng: drop }),
      new Linear(10, 3, f64),
    );
    return new Classifier(net, { reg: 1e-3, rng: drop, autograd });
  }

  it('the same losses step by step (float64, 1e-10), and the same parameters after', () => {
    const d = data([2, 6, 6], 3, 4);
    const [a, b] = [convNet(5, false), convNet(5, true)];
    expectSameHistory(lossHistory(a, d), lossHistory(b, d));
    for (const [k, v] of Object.entries(a.params))
      expect(v.sub(b.params[k]).abs().max().item(), k).toBeLessThan(1e-10);
  });
});

describe('TensorModel', () => {
  it('trains an autoencoder-style loss (mse) with the Solver and reports every gradient', () => {
    const g = new Generator(8);
    const net = new Sequential(
      new Linear(6, 3, { rng: g, dtype: 'float64' }),
      new ReLU(),
      new Linear(3, 6, { rng: g, dtype: 'float64' }),
    );
    const unused = new Linear(2, 2, { dtype: 'float64' });
    const holder = new Sequential(net, unused);
    const model = new TensorModel(holder, (X) => F.mse(net.call(tensor(X)), X));
    const [loss0, grads] = model.loss(g.randn(5, 6));
    expect(Object.keys(grads)).toEqual(Object.keys(model.params));
    expect(grads['1.weight'].abs().max().item()).toBe(0);
    const X = g.randn(50, 6);
    const solver = new Solver(
      model,
      { train: { length: 50, batch: (idx: NDArray) => [X.get(idx)] } },
      {
        updateRule: 'adam',
        optimConfig: { learningRate: 1e-2 },
        batchSize: 10,
        numEpochs: 20,
        metric: null,
        verbose: false,
      },
    );
    solver.train();
    expect(solver.lossHistory[solver.lossHistory.length - 1]).toBeLessThan(loss0 * 0.7);
  });
});
