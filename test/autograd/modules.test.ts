/**
 * One module system: every layer gives the same output and gradients on NDArrays (explicit backward) and on
 * Tensors (autograd); Module.call bridges a tensor module into explicit nets and an explicit-only module into
 * graphs; stateDict is PyTorch's (names, layouts) and loadStateDict lists what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { Tensor, noGrad, tensor } from '../../src/autograd/index.js';
import { Generator, array, zeros, type NDArray } from '../../src/ndarray/index.js';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  Embedding,
  Flatten,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
  TensorModule,
  Unflatten,
} from '../../src/nn/modules/index.js';
import { relError } from '../models/numeric.js';
import { evalNumericalGradientArray } from '../../src/nn/gradientCheck.js';

const f64 = { dtype: 'float64' as const };
const g = new Generator(7);

/** Random non-zero biases, so their gradients are exercised. */
function withBias<M extends Module>(m: M): M {
  for (const [n, p] of m.namedParameters()) if (n.endsWith('bias')) p.set('...', g.randn(p.shape).mul(0.1));
  return m;
}

/**
 * Runs m on x explicitly (forward, backward) and through autograd (call on a Tensor, backward): the outputs,
 * the input's gradient and every parameter's gradient must agree to 1e-12.
 */
function expectBothPaths(m: Module, x: NDArray, seed = 0): void {
  const out = m.forward(x) as NDArray;
  const dout = new Generator(seed).randn(out.shape);
  const dx = m.backward(dout);
  const explicit = Object.fromEntries(m.namedGrads());
  m.zeroGrad();
  const xt = tensor(x, { requiresGrad: true });
  const y = m.call(xt);
  expect(y).toBeInstanceOf(Tensor);
  expect(relError(y.data, out)).toBeLessThan(1e-12);
  y.backward(dout);
  expect(relError(xt.grad!, dx), 'dx').toBeLessThan(1e-12);
  for (const [name, t] of m.namedParameterTensors())
    expect(relError(t.grad!, explicit[name]), name).toBeLessThan(1e-12);
}

describe('the layers on both paths', () => {
  const rng = new Generator(3);
  it('Linear (2-D, last axis of 3-D, flattened images, no bias), Conv2d, ConvTranspose2d', () => {
    const lin = withBias(new Linear(6, 4, { rng, ...f64 }));
    expectBothPaths(lin, g.randn(3, 6));
    expectBothPaths(lin, g.randn(2, 5, 6));
    expectBothPaths(lin, g.randn(3, 2, 3));
    expectBothPaths(new Linear(6, 4, { rng, ...f64, bias: false }), g.randn(3, 6));
    expectBothPaths(
      withBias(new Conv2d(2, 3, 3, { stride: 2, padding: 1, rng, ...f64 })),
      g.randn(2, 2, 5, 5),
    );
    expectBothPaths(
      withBias(new ConvTranspose2d(3, 2, 4, { stride: 2, padding: 1, rng, ...f64 })),
      g.randn(2, 3, 3, 3),
    );
  });

  it('activations, pooling, flatten, unflatten, dropout with a fixed mask', () => {
    for (const m of [new ReLU(), new LeakyReLU(0.1), new Tanh(), new Sigmoid()])
      expectBothPaths(m, g.randn(4, 5));
    expectBothPaths(new MaxPool2d(2), g.randn(2, 3, 4, 6));
    expectBothPaths(new AvgPool2d(2), g.randn(2, 3, 4, 6));
    expectBothPaths(new Flatten(), g.randn(2, 3, 4));
    expectBothPaths(new Unflatten(1, [3, 4]), g.randn(2, 12));
    const d = new Dropout(0.7);
    d.dropoutParam.seed = 4;
    expectBothPaths(d, g.randn(6, 5));
  });

  it('BatchNorm1d/2d (train and eval), LayerNorm on (N, T, D)', () => {
    for (const bn of [new BatchNorm1d(5, f64), new BatchNorm2d(3, f64)]) {
      bn.params.weight.set('...', g.randn(bn.numFeatures));
      withBias(bn);
      const x = bn instanceof BatchNorm1d ? g.randn(8, 5) : g.randn(4, 3, 2, 2);
      expectBothPaths(bn, x);
      bn.eval();
      expectBothPaths(bn, x);
    }
    const ln = withBias(new LayerNorm(4, f64));
    ln.params.weight.set('...', g.randn(4));
    expectBothPaths(ln, g.randn(2, 3, 4));
  });

  it('Embedding: explicit and tensor paths, paddingIdx', () => {
    const e = new Embedding(5, 3, { rng, ...f64, paddingIdx: 0 });
    expect(e.params.weight.slice(0).abs().sum().item()).toBe(0);
    const idx = array(
      [
        [1, 0, 4],
        [4, 4, 2],
      ],
      'int32',
    );
    const out = e.forward(idx);
    const dout = g.randn(out.shape);
    e.backward(dout);
    const y = e.call(tensor(idx));
    expect(relError(y.data, out)).toBe(0);
    y.backward(dout);
    expect(relError(e.param('weight').grad!, e.grads.weight)).toBe(0);
    expect(e.grads.weight.slice(0).abs().sum().item()).toBe(0);
    expect(
      e.grads.weight
        .slice(4)
        .sub(dout.get(0, 2).add(dout.get(1, 0)).add(dout.get(1, 1)))
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-15);
  });

  it('Sequential with a fused Conv2d → ReLU → MaxPool2d, batchnorm and dropout', () => {
    const d = new Dropout(0.8);
    d.dropoutParam.seed = 1;
    const net = withBias(
      new Sequential(
        new Conv2d(2, 3, 3, { padding: 1, rng, ...f64 }),
        new ReLU(),
        new MaxPool2d(2),
        new BatchNorm2d(3, f64),
        new Flatten(),
        d,
        new Linear(12, 4, { rng, ...f64 }),
      ),
    );
    expectBothPaths(net, g.randn(3, 2, 4, 4));
  });
});

/** A module written on tensors, PyTorch-style: children found from its properties. */
class TwoLayer extends TensorModule {
  fc1: Linear;
  act = new Tanh();
  fc2: Linear;
  constructor(rng: Generator) {
    super();
    this.fc1 = withBias(new Linear(4, 5, { rng, ...f64 }));
    this.fc2 = withBias(new Linear(5, 3, { rng, ...f64 }));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x)));
  }
}

describe('Module.call bridges the missing face', () => {
  it('children are found from properties, in order, with dotted names', () => {
    const m = new TwoLayer(new Generator(1));
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    class Stack extends TensorModule {
      layers = [new Linear(2, 2), new Linear(2, 2)];
      forward(x: Tensor): Tensor {
        return this.layers.reduce((h, l) => l.call(h), x);
      }
    }
    expect(Object.keys(new Stack().stateDict())).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
    ]);
  });

  it('a tensor module on NDArrays: forward records a tape, backward fills grads and dx (numeric check)', () => {
    const m = new TwoLayer(new Generator(2));
    const x = g.randn(3, 4);
    const out = m.call(x);
    expect(out).not.toBeInstanceOf(Tensor);
    const dout = g.randn(out.shape);
    const dx = m.backward(dout);
    const f = () => noGrad(() => m.call(x).copy());
    expect(relError(dx, evalNumericalGradientArray(f, x, dout))).toBeLessThan(1e-8);
    const grads = Object.fromEntries(m.namedGrads());
    for (const [name, p] of m.namedParameters())
      expect(relError(grads[name], evalNumericalGradientArray(f, p, dout)), name).toBeLessThan(1e-8);
    expect(() => m.backward(dout)).toThrow(/TwoLayer.backward: call forward/);
  });

  it('a tensor module inside an explicit Sequential trains by backward', () => {
    const net = new Sequential(
      new Linear(6, 4, { rng: new Generator(4), ...f64 }),
      new ReLU(),
      new TwoLayer(new Generator(5)),
    );
    expectBothPaths(net, g.randn(5, 6));
  });

  it('an explicit-only module (GroupNorm) on tensors is one op whose backward is its backward', () => {
    const gn = new GroupNorm(2, 4, f64);
    gn.params.weight.set('...', g.randn(1, 4, 1, 1));
    expectBothPaths(gn, g.randn(3, 4, 2, 2));
    const x = tensor(g.randn(2, 4, 1, 1), { requiresGrad: true });
    const twice = gn.call(gn.call(x));
    expect(() => twice.sum().backward()).toThrow(
      /GroupNorm: backward through an earlier call of this module/,
    );
  });
});

describe('stateDict is PyTorch’s state_dict', () => {
  const rng = new Generator(9);
  const net = new Sequential(
    new Conv2d(1, 2, 3, { rng, ...f64 }),
    new BatchNorm2d(2, f64),
    new ReLU(),
    new Flatten(),
    new Linear(8, 3, { rng, ...f64 }),
    new GroupNorm(1, 3, f64),
  );

  it('names, layouts, live views', () => {
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias',
      '5.weight',
      '5.bias',
    ]);
    expect(sd['4.weight'].shape).toEqual([3, 8]);
    expect(sd['5.weight'].shape).toEqual([3]);
    const lin = net.layers[4] as Linear;
    expect(sd['4.weight'].item(2, 5)).toBe(lin.params.weight.item(5, 2));
    sd['4.weight'].setItem(7, 2, 5); // a live view: writing it writes the module
    expect(lin.params.weight.item(5, 2)).toBe(7);
    (net.layers[1] as BatchNorm2d).train().forward(g.randn(2, 2, 2, 2));
    expect(net.stateDict()['1.num_batches_tracked'].item()).toBe(1);
  });

  it('loadStateDict round-trips, transposing the Linear weight back', () => {
    const other = new Sequential(
      new Conv2d(1, 2, 3, { rng: new Generator(1), ...f64 }),
      new BatchNorm2d(2, f64),
      new ReLU(),
      new Flatten(),
      new Linear(8, 3, { rng: new Generator(1), ...f64 }),
      new GroupNorm(1, 3, f64),
    );
    const copies = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.copy()]));
    other.loadStateDict(copies);
    for (const [k, v] of net.namedParameters())
      expect(relError(v, Object.fromEntries(other.namedParameters())[k]), k).toBe(0);
  });

  it('missing, unexpected and wrongly shaped keys are listed', () => {
    const sd = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.copy()]));
    delete sd['0.bias'];
    sd['9.weight'] = zeros([1]);
    expect(() => net.loadStateDict(sd)).toThrow(
      /Sequential.loadStateDict: missing keys: 0.bias; unexpected keys: 9.weight/,
    );
    const bad = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.copy()]));
    bad['4.weight'] = zeros([8, 3]);
    expect(() => net.loadStateDict(bad)).toThrow(/'4.weight' is \(8, 3\), the module wants \(3, 8\)/);
  });
});
