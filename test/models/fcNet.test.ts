import { describe, expect, it } from 'vitest';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { TwoLayerNet } from '../../src/models/twoLayerNet.js';
import { FullyConnectedNet } from '../../src/models/fullyConnectedNet.js';
import type { Normalization } from '../../src/nn/sandwiches.js';
import type { Model } from '../../src/models/model.js';
import { numericGrad, relError } from './numeric.js';

/** The worst relative error over every parameter of model's loss. */
function worstGradError(model: Model, X: NDArray, y: NDArray): Record<string, number> {
  const [, grads] = model.loss(X, y);
  const out: Record<string, number> = {};
  for (const [name, p] of Object.entries(model.params)) {
    const num = numericGrad(() => model.loss(X, y)[0], p);
    out[name] = relError(grads[name], num);
  }
  return out;
}

describe('TwoLayerNet', () => {
  const g = new Generator(0);
  const [N, D, H, C] = [3, 5, 10, 7];
  const X = g.randn(N, D);
  const y = g.randint(0, C, [N]);

  it('has the documented params and initialisation', () => {
    const net = new TwoLayerNet({
      inputDim: D,
      hiddenDim: H,
      numClasses: C,
      weightScale: 1e-3,
      dtype: 'float64',
    });
    expect(Object.keys(net.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(net.params.W1.shape).toEqual([D, H]);
    expect(net.params.b2.toArray()).toEqual(new Array(C).fill(0));
    const std = net.params.W1.std().item();
    expect(std).toBeGreaterThan(0.7e-3);
    expect(std).toBeLessThan(1.3e-3);
    expect(new TwoLayerNet().params.W1.dtype).toBe('float64'); // numpy's, as the course's net
  });

  it('returns scores in test mode and ≈ ln(C) initial loss', () => {
    const net = new TwoLayerNet({ inputDim: D, hiddenDim: H, numClasses: C, dtype: 'float64' });
    const scores = net.loss(X);
    expect(scores.shape).toEqual([N, C]);
    const [loss] = net.loss(X, y);
    expect(loss).toBeCloseTo(Math.log(C), 4);
  });

  it('matches hand-set weights (the course fc_net check, reproduced by construction)', () => {
    const net = new TwoLayerNet({ inputDim: 2, hiddenDim: 2, numClasses: 2, dtype: 'float64' });
    const { W1, W2, b1 } = net.params;
    W1.fill(0).setItem(1, 0, 0);
    W1.setItem(-1, 1, 1); // W1 = [[1, 0], [0, -1]]
    W2.fill(0).setItem(2, 0, 0);
    W2.setItem(3, 1, 1); // W2 = [[2, 0], [0, 3]]
    b1.fill(0.5);
    // x = [1, -2]: a1 = [1.5, 2.5]; h1 = the same; scores = [3, 7.5].
    const x = g.randn(1, 2);
    x.setItem(1, 0, 0);
    x.setItem(-2, 0, 1);
    expect(net.loss(x).toArray()).toEqual([[3, 7.5]]);
    net.reg = 0.1;
    const yy = g.randint(0, 1, [1]);
    const [loss] = net.loss(x, yy);
    expect(loss).toBeCloseTo(
      -Math.log(Math.exp(3) / (Math.exp(3) + Math.exp(7.5))) + 0.05 * (1 + 1 + 4 + 9),
      12,
    );
  });

  it.each([0, 0.7])('gradients match numeric ones (reg = %s)', (reg) => {
    const net = new TwoLayerNet({
      inputDim: D,
      hiddenDim: H,
      numClasses: C,
      weightScale: 1e-1,
      reg,
      dtype: 'float64',
    });
    for (const [name, e] of Object.entries(worstGradError(net, X, y))) expect(e, name).toBeLessThan(1e-7);
  });
});

describe('FullyConnectedNet', () => {
  const g = new Generator(1);
  const [N, D, C] = [4, 6, 5];
  const X = g.randn(N, D);
  const y = g.randint(0, C, [N]);

  it('has W, b, gamma, beta per layer and bnParams per hidden layer', () => {
    const net = new FullyConnectedNet({
      hiddenDims: [20, 30],
      inputDim: D,
      numClasses: C,
      normalization: 'batchnorm',
    });
    expect(Object.keys(net.params).sort()).toEqual(
      ['W1', 'W2', 'W3', 'b1', 'b2', 'b3', 'beta1', 'beta2', 'gamma1', 'gamma2'].sort(),
    );
    expect(net.params.W2.shape).toEqual([20, 30]);
    expect(net.params.gamma2.toArray()).toEqual(new Array(30).fill(1));
    expect(net.params.W1.dtype).toBe('float32');
    expect(net.bnParams.length).toBe(2);
    expect(Object.keys(net.buffers())).toEqual([
      'bn1.runningMean',
      'bn1.runningVar',
      'bn2.runningMean',
      'bn2.runningVar',
    ]);
  });

  it('is reproducible from its seed, and different seeds differ', () => {
    const a = new FullyConnectedNet({ hiddenDims: [8], inputDim: D, seed: 5 });
    const b = new FullyConnectedNet({ hiddenDims: [8], inputDim: D, seed: 5 });
    const c = new FullyConnectedNet({ hiddenDims: [8], inputDim: D, seed: 6 });
    expect(a.params.W1.toArray()).toEqual(b.params.W1.toArray());
    expect(a.params.W1.toArray()).not.toEqual(c.params.W1.toArray());
  });

  it('initial loss with small weights is about ln(10)', () => {
    const net = new FullyConnectedNet({
      hiddenDims: [20, 30],
      inputDim: D,
      weightScale: 1e-3,
      dtype: 'float64',
    });
    expect(net.loss(X, y)[0]).toBeCloseTo(Math.log(10), 3);
  });

  const cases: [string, Normalization, number, number][] = [
    ['plain', null, 1, 0],
    ['plain, reg', null, 1, 3.14],
    ['batchnorm', 'batchnorm', 1, 0],
    ['batchnorm, reg', 'batchnorm', 1, 0.7],
    ['layernorm, reg', 'layernorm', 1, 0.7],
    ['dropout', null, 0.5, 0],
    ['batchnorm, dropout, reg', 'batchnorm', 0.75, 0.1],
  ];
  it.each(cases)('gradients match numeric ones: %s', (_n, normalization, keep, reg) => {
    const net = new FullyConnectedNet({
      hiddenDims: [6, 7],
      inputDim: D,
      numClasses: C,
      normalization,
      dropoutKeepRatio: keep,
      reg,
      weightScale: 5e-2,
      dtype: 'float64',
      seed: 2,
    });
    // A fixed dropout mask for every call, as the course's gradient check does.
    if (net.dropoutParam) net.dropoutParam.seed = 123;
    // Non-zero biases: with zero biases a unit whose inputs are all dropped sits exactly on ReLU's kink.
    const gb = new Generator(9);
    for (const [name, p] of Object.entries(net.params))
      if (name.startsWith('b')) p.set('...', gb.randn(p.shape).mul(0.1));
    const errors = worstGradError(net, X, y);
    for (const [name, e] of Object.entries(errors)) {
      // A bias followed by batchnorm has no effect on the loss: both gradients are ~0 and only round-off
      // is left to compare, so it is checked separately below.
      if (normalization === 'batchnorm' && /^b[12]$/.test(name)) continue;
      expect(e, name).toBeLessThan(1e-7);
    }
    if (normalization === 'batchnorm') {
      const [, grads] = net.loss(X, y);
      expect(grads.b1.abs().max().item()).toBeLessThan(1e-12);
      expect(
        numericGrad(() => net.loss(X, y)[0], net.params.b2)
          .abs()
          .max()
          .item(),
      ).toBeLessThan(1e-9);
    }
  });

  it('test mode: no dropout, batchnorm uses the running statistics', () => {
    const net = new FullyConnectedNet({
      hiddenDims: [6],
      inputDim: D,
      normalization: 'batchnorm',
      dropoutKeepRatio: 0.5,
      dtype: 'float64',
    });
    const s1 = net.loss(X);
    expect(net.loss(X).toArray()).toEqual(s1.toArray());
    net.loss(X, y);
    expect((net.bnParams[0] as { runningMean: NDArray }).runningMean.abs().sum().item()).toBeGreaterThan(0);
    expect(net.dropoutParam!.mode).toBe('train');
    net.loss(X);
    expect(net.dropoutParam!.mode).toBe('test');
  });

  it('float32 input to a float64 net is cast', () => {
    const net = new FullyConnectedNet({ hiddenDims: [6], inputDim: D, dtype: 'float64' });
    expect(net.loss(X.astype('float32')).dtype).toBe('float64');
  });
});
