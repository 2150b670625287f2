import { describe, expect, it } from 'vitest';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import { evalNumericalGradientArray } from '../../src/nn/gradientCheck.js';
import {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  Flatten,
  GroupNorm,
  LayerNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  kaimingNormal,
  xavierUniform,
} from '../../src/nn/modules/index.js';
import { Classifier } from '../../src/models/classifier.js';
import { relError } from '../models/numeric.js';

const f64 = { dtype: 'float64' as const };

/** Checks dx and every parameter gradient of module m at input x against numeric gradients. */
function checkModule(m: Module, x: NDArray, seed = 0): Record<string, number> {
  const g = new Generator(seed);
  const out = m.forward(x);
  const dout = g.randn(out.shape);
  const dx = m.backward(dout);
  const errors: Record<string, number> = {};
  // copy(): Flatten returns a view of x, which the perturbation would change under the check's feet.
  const f = () => m.forward(x).copy();
  errors.x = relError(dx, evalNumericalGradientArray(f, x, dout));
  const grads = Object.fromEntries(m.namedGrads());
  for (const [name, p] of m.namedParameters()) {
    errors[name] = relError(grads[name], evalNumericalGradientArray(f, p, dout));
  }
  return errors;
}

function expectSmall(errors: Record<string, number>, tol = 1e-8, skip: string[] = []) {
  for (const [k, e] of Object.entries(errors)) if (!skip.includes(k)) expect(e, k).toBeLessThan(tol);
}

describe('modules: backward matches numeric gradients (float64)', () => {
  const g = new Generator(1);
  const rng = new Generator(2);
  const bias = (m: Module) => {
    for (const [n, p] of m.namedParameters()) if (n.endsWith('bias')) p.set('...', g.randn(p.shape).mul(0.1));
    return m;
  };

  it('Linear (with and without bias)', () => {
    const lin = bias(new Linear(6, 4, { rng, ...f64 }));
    expect(lin.params.weight.shape).toEqual([6, 4]);
    expectSmall(checkModule(lin, g.randn(3, 2, 3)));
    const nob = new Linear(6, 4, { rng, ...f64, bias: false });
    expect(Object.keys(nob.params)).toEqual(['weight']);
    expectSmall(checkModule(nob, g.randn(3, 6)));
  });

  it('Conv2d with stride and padding', () => {
    const conv = bias(new Conv2d(2, 3, 3, { stride: 2, padding: 1, rng, ...f64 }));
    expect(conv.params.weight.shape).toEqual([3, 2, 3, 3]);
    const x = g.randn(2, 2, 5, 5);
    expect(conv.forward(x).shape).toEqual([2, 3, 3, 3]);
    expectSmall(checkModule(conv, x));
  });

  it('ReLU, LeakyReLU, Flatten', () => {
    expectSmall(checkModule(new ReLU(), g.randn(4, 5)));
    expectSmall(checkModule(new LeakyReLU(0.1), g.randn(4, 5)));
    const fl = new Flatten();
    expect(fl.forward(g.randn(2, 3, 4)).shape).toEqual([2, 12]);
    expectSmall(checkModule(fl, g.randn(2, 3, 4)));
  });

  it('MaxPool2d and AvgPool2d', () => {
    const x = g.randn(2, 3, 4, 6);
    expectSmall(checkModule(new MaxPool2d(2), x));
    const avg = new AvgPool2d(2);
    const out = avg.forward(x);
    expect(out.shape).toEqual([2, 3, 2, 3]);
    expect(out.item(1, 2, 1, 2)).toBeCloseTo(
      (x.item(1, 2, 2, 4) + x.item(1, 2, 2, 5) + x.item(1, 2, 3, 4) + x.item(1, 2, 3, 5)) / 4,
      14,
    );
    expectSmall(checkModule(avg, x));
    expect(() => new AvgPool2d(4).forward(x)).toThrow(
      /AvgPool2d: a 4×4 tiling does not divide x of shape \(2, 3, 4, 6\)/,
    );
  });

  it('Dropout: fixed mask checks, eval is the identity, p keeps', () => {
    const d = new Dropout(0.6, { rng });
    d.dropoutParam.seed = 5;
    expectSmall(checkModule(d, g.randn(10, 10)));
    const x = g.randn(10, 10);
    expect(d.eval().forward(x)).toBe(x);
    const big = new Dropout(0.3, { rng: new Generator(3) });
    const kept = big.forward(g.rand(200, 200).add(1)).gt(0).astype('float64').mean().item();
    expect(kept).toBeGreaterThan(0.28);
    expect(kept).toBeLessThan(0.32);
  });

  it('BatchNorm1d / BatchNorm2d (train and eval), LayerNorm, GroupNorm', () => {
    const bn1 = new BatchNorm1d(5, f64);
    bn1.params.weight.set('...', g.randn(5));
    bn1.params.bias.set('...', g.randn(5));
    expectSmall(checkModule(bn1, g.randn(8, 5).mul(3).add(1)), 1e-7);
    expect(bn1.bnParam.runningMean.abs().sum().item()).toBeGreaterThan(0);
    expect(Object.keys(Object.fromEntries(bn1.namedBuffers()))).toEqual(['runningMean', 'runningVar']);
    bn1.eval();
    expectSmall(checkModule(bn1, g.randn(8, 5)));
    const bn2 = new BatchNorm2d(3, f64);
    bn2.params.weight.set('...', g.randn(3));
    expectSmall(checkModule(bn2, g.randn(4, 3, 3, 2)), 1e-7);
    const ln = new LayerNorm(6, f64);
    ln.params.weight.set('...', g.randn(6));
    expectSmall(checkModule(ln, g.randn(4, 6)), 1e-7);
    const gn = new GroupNorm(2, 4, f64);
    gn.params.weight.set('...', g.randn(1, 4, 1, 1));
    expectSmall(checkModule(gn, g.randn(3, 4, 2, 3)), 1e-7);
    expect(() => new GroupNorm(3, 4)).toThrow(/3 groups do not divide 4 channels/);
  });

  it('Sequential: dotted names, train/eval propagate, whole-net gradient', () => {
    const net = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1, rng, ...f64 }),
      new BatchNorm2d(4, f64),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(16, 3, { rng, ...f64 }),
    );
    bias(net);
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '5.weight',
      '5.bias',
    ]);
    expect(net.parameters().length).toBe(6);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['1.runningMean', '1.runningVar']);
    net.eval();
    expect(net.layers[1].training).toBe(false);
    net.train();
    expect(net.layers[1].training).toBe(true);
    // The conv bias feeds batchnorm, which removes it: its gradient is ~0 and only round-off is left.
    const x = g.randn(3, 2, 4, 4);
    expectSmall(checkModule(net, x), 1e-7, ['0.bias']);
    expect(Object.fromEntries(net.namedGrads())['0.bias'].abs().max().item()).toBeLessThan(1e-12);
    expect(net.toString()).toContain('(0): Conv2d(2, 4, kernelSize=3, stride=1, padding=1)');
  });

  it('Sequential fuses Conv2d, ReLU, MaxPool2d: numeric gradients, and the layers one by one agree', () => {
    const net = new Sequential(
      new Conv2d(2, 3, 3, { padding: 1, rng, ...f64 }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(3, 4, 3, { padding: 1, rng, ...f64 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(4, 3, { rng, ...f64 }),
    );
    bias(net);
    const x = g.randn(3, 2, 4, 4);
    expectSmall(checkModule(net, x));
    // The same net run layer by layer (no fusion): the same output, dx and gradients.
    const out = net.forward(x);
    const dout = g.randn(out.shape);
    const dx = net.backward(dout);
    const grads = Object.fromEntries(net.namedGrads());
    let h = x;
    for (const m of net.layers) h = m.forward(h);
    expect(relError(h, out)).toBeLessThan(1e-15);
    let d = dout;
    for (let i = net.layers.length - 1; i >= 0; i--) d = net.layers[i].backward(d);
    expect(relError(d, dx)).toBeLessThan(1e-15);
    for (const [name, gr] of net.namedGrads()) expect(relError(gr, grads[name]), name).toBeLessThan(1e-15);
    // backwardParams: the same gradients without the input's gradient (the first conv skips dx).
    for (const m of [net, net.layers[0], net.layers[7]]) {
      const input = m === net.layers[7] ? g.randn(5, 4) : x;
      const o = m.forward(input);
      const dy = g.randn(o.shape);
      m.backward(dy);
      const full = Object.fromEntries(m.namedGrads());
      m.backwardParams(dy);
      for (const [name, gr] of m.namedGrads()) expect(relError(gr, full[name]), name).toBeLessThan(1e-15);
    }
  });

  it('after a fused Sequential forward, the fused ReLU and MaxPool2d refuse a backward by hand', () => {
    const net = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1, rng, ...f64 }),
      new ReLU(),
      new MaxPool2d(2),
    );
    const x = g.randn(1, 1, 4, 4);
    // Run unfused first, so that both layers hold a cache that the fused forward then makes stale.
    let h = x;
    for (const m of net.layers) h = m.forward(h);
    net.forward(g.randn(1, 1, 4, 4));
    expect(() => net.layers[1].backward(g.randn(1, 2, 4, 4))).toThrow(/ReLU.backward: call forward/);
    expect(() => net.layers[2].backward(g.randn(1, 2, 2, 2))).toThrow(/MaxPool2d.backward: call forward/);
  });

  it('backward before forward names the module', () => {
    expect(() => new ReLU().backward(g.randn(2))).toThrow(/ReLU.backward: call forward/);
  });
});

describe('initialisation', () => {
  it('Kaiming has variance 2/fanIn; Xavier uniform 2/(fanIn + fanOut)', () => {
    const rng = new Generator(0);
    const k = kaimingNormal(rng, [400, 300], 400, 'float64');
    expect(k.var().item()).toBeCloseTo(2 / 400, 4);
    const x = xavierUniform(rng, [400, 300], 400, 300, 'float64');
    expect(x.var().item()).toBeCloseTo(2 / 700, 4);
    expect(x.abs().max().item()).toBeLessThanOrEqual(Math.sqrt(6 / 700));
    const conv = new Conv2d(3, 64, 3, { rng });
    expect(conv.params.weight.std().item()).toBeCloseTo(Math.sqrt(2 / 27), 2);
    expect(conv.params.weight.dtype).toBe('float32');
  });

  it("torchDefault: PyTorch's U(±1/√fanIn) for weight and bias, with ConvTranspose2d's fan from its output channels", () => {
    const rng = new Generator(1);
    const opts = {
      rng,
      dtype: 'float64' as const,
      init: 'torchDefault' as const,
      biasInit: 'torchDefault' as const,
    };
    const cases: [Module & { params: Record<string, NDArray> }, number][] = [
      [new Linear(300, 200, opts), 300],
      [new Conv2d(8, 64, 3, opts), 8 * 9],
      [new ConvTranspose2d(16, 200, 2, opts), 200 * 4],
    ];
    for (const [m, fanIn] of cases) {
      for (const p of [m.params.weight, m.params.bias]) {
        expect(p.abs().max().item()).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
        expect(p.abs().max().item()).toBeGreaterThan(0.95 / Math.sqrt(fanIn));
      }
      expect(m.params.weight.var().item() * 3 * fanIn).toBeCloseTo(1, 1);
    }
    expect(new Linear(3, 2, { rng }).params.bias.abs().max().item()).toBe(0);
    expect(() => new Linear(3, 2, { biasInit: 'ones' as 'zeros' })).toThrow(
      /Linear: unknown biasInit 'ones'/,
    );
  });
});

describe('Classifier', () => {
  it('exposes the module arrays as params, returns scores or [loss, grads], L2 on weights only', () => {
    const rng = new Generator(4);
    const net = new Sequential(
      new Linear(5, 7, { rng, ...f64 }),
      new BatchNorm1d(7, f64),
      new ReLU(),
      new Linear(7, 3, { rng, ...f64 }),
    );
    const model = new Classifier(net, { reg: 0.3 });
    expect(Object.keys(model.params)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '3.weight',
      '3.bias',
    ]);
    expect(model.params['0.weight']).toBe((net.layers[0] as Linear).params.weight);
    const g = new Generator(5);
    const X = g.randn(6, 5);
    const y = g.randint(0, 3, [6]);
    expect(model.loss(X).shape).toEqual([6, 3]);
    const [loss, grads] = model.loss(X, y);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(model.params).sort());
    for (const [name, p] of Object.entries(model.params)) {
      const num = evalNumericalGradientArray(
        () => g.randn(1).mul(0).add(model.loss(X, y)[0]),
        p,
        g.randn(1).mul(0).add(1),
      );
      expect(relError(grads[name], num), name).toBeLessThan(1e-7);
    }
    // Without reg the loss drops by exactly 0.5·reg·Σ‖W‖² of the two Linear weights.
    model.reg = 0;
    const [plain] = model.loss(X, y);
    const w2 =
      model.params['0.weight'].square().sum().item() + model.params['3.weight'].square().sum().item();
    expect(loss - plain).toBeCloseTo(0.15 * w2, 10);
  });
});
