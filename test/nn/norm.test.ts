/** Batch, layer and group normalization: gradients, running statistics, test mode and shape errors. */
import { describe, expect, it } from 'vitest';
import { Generator, zeros } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { expectClose, expectGrad } from './helpers.js';

const g = new Generator(3);

describe('batchnorm', () => {
  for (const [N, D] of [
    [4, 5],
    [7, 3],
    [3, 2],
  ]) {
    it(`both backwards match numeric gradients and each other for (${N}, ${D})`, () => {
      const x = g.randn(N, D).mul(4).add(3);
      const gamma = g.randn(D);
      const beta = g.randn(D);
      const f = (a: typeof x, gm: typeof x, bt: typeof x) =>
        nn.batchnormForward(a, gm, bt, { mode: 'train' })[0];
      const [out, cache] = nn.batchnormForward(x, gamma, beta, { mode: 'train' });
      const dout = g.randn(out.shape);
      const [dx, dgamma, dbeta] = nn.batchnormBackward(dout, cache);
      const [dx2, dgamma2, dbeta2] = nn.batchnormBackwardAlt(dout, cache);
      expectGrad((t) => f(t, gamma, beta), x, dout, dx, 1e-8);
      expectGrad((t) => f(x, t, beta), gamma, dout, dgamma, 1e-8);
      expectGrad((t) => f(x, gamma, t), beta, dout, dbeta, 1e-8);
      expect(nn.relError(dx, dx2)).toBeLessThan(1e-9);
      expect(nn.relError(dgamma, dgamma2)).toBeLessThan(1e-9);
      expect(nn.relError(dbeta, dbeta2)).toBeLessThan(1e-9);
    });
  }

  it('train mode gives zero mean, unit variance per feature and updates the running stats', () => {
    const x = g.randn(200, 3).mul(5).add(11);
    const bnParam: nn.BnParam = { mode: 'train', momentum: 0.5 };
    const [out] = nn.batchnormForward(x, zeros([3]).add(1), zeros([3]), bnParam);
    expectClose(out.mean(0), [0, 0, 0], 1e-12);
    expectClose(out.std(0), [1, 1, 1], 1e-5);
    expectClose(bnParam.runningMean!, x.mean(0).mul(0.5));
    expectClose(bnParam.runningVar!, x.var(0).mul(0.5));
    // many steps on the same batch converge on its statistics
    for (let i = 0; i < 60; i++) nn.batchnormForward(x, zeros([3]).add(1), zeros([3]), bnParam);
    expectClose(bnParam.runningMean!, x.mean(0), 1e-10);
    // test mode then uses them: the output again has about zero mean and unit variance
    bnParam.mode = 'test';
    const [outTest] = nn.batchnormForward(x, zeros([3]).add(1), zeros([3]), bnParam);
    expectClose(outTest.mean(0), [0, 0, 0], 1e-6);
    expectClose(outTest.std(0), [1, 1, 1], 1e-5);
  });

  it('test-mode backward is the affine map through the running stats', () => {
    const x = g.randn(5, 4);
    const gamma = g.randn(4);
    const beta = g.randn(4);
    const bnParam: nn.BnParam = { mode: 'test', runningMean: g.randn(4), runningVar: g.rand(4).add(0.5) };
    const [out, cache] = nn.batchnormForward(x, gamma, beta, bnParam);
    const dout = g.randn(out.shape);
    for (const back of [nn.batchnormBackward, nn.batchnormBackwardAlt]) {
      const [dx, dgamma] = back(dout, cache);
      expectGrad((t) => nn.batchnormForward(t, gamma, beta, bnParam)[0], x, dout, dx, 1e-8);
      expectGrad((t) => nn.batchnormForward(x, t, beta, bnParam)[0], gamma, dout, dgamma, 1e-8);
    }
  });

  it('keeps float32', () => {
    const x = g.randn(6, 3).astype('float32');
    const bnParam: nn.BnParam = { mode: 'train' };
    const [out, cache] = nn.batchnormForward(x, zeros([3], 'float32').add(1), zeros([3], 'float32'), bnParam);
    expect(out.dtype).toBe('float32');
    expect(bnParam.runningMean!.dtype).toBe('float32');
    expect(nn.batchnormBackwardAlt(out, cache).map((a) => a.dtype)).toEqual([
      'float32',
      'float32',
      'float32',
    ]);
  });

  it('names the layer and the shapes when gamma has the wrong length', () => {
    expect(() => nn.batchnormForward(g.randn(4, 5), g.randn(4), g.randn(5), { mode: 'train' })).toThrow(
      'batchnormForward: gamma of shape (4,) does not match x of shape (4, 5)',
    );
    expect(() =>
      nn.spatialBatchnormForward(g.randn(2, 3, 2, 2), g.randn(3), g.randn(2), { mode: 'train' }),
    ).toThrow('spatialBatchnormForward: beta of shape (2,) does not match x of shape (2, 3, 2, 2)');
  });
});

describe('spatial batchnorm', () => {
  it('normalizes each channel over (N, H, W) and its backward matches numeric gradients', () => {
    const x = g.randn(2, 4, 2, 3).mul(2).add(1);
    const gamma = g.randn(4);
    const beta = g.randn(4);
    const f = (a: typeof x, gm: typeof x, bt: typeof x) =>
      nn.spatialBatchnormForward(a, gm, bt, { mode: 'train' })[0];
    const [out, cache] = nn.spatialBatchnormForward(x, zeros([4]).add(1), zeros([4]), { mode: 'train' });
    expectClose(out.mean([0, 2, 3]), [0, 0, 0, 0], 1e-12);
    const [o2, c2] = nn.spatialBatchnormForward(x, gamma, beta, { mode: 'train' });
    expect(cache.count).toBe(12);
    const dout = g.randn(o2.shape);
    const [dx, dgamma, dbeta] = nn.spatialBatchnormBackward(dout, c2);
    expectGrad((t) => f(t, gamma, beta), x, dout, dx, 1e-8);
    expectGrad((t) => f(x, t, beta), gamma, dout, dgamma, 1e-8);
    expectGrad((t) => f(x, gamma, t), beta, dout, dbeta, 1e-8);
  });
});

describe('layernorm', () => {
  for (const [N, D] of [
    [4, 5],
    [3, 8],
  ]) {
    it(`backward matches numeric gradients for (${N}, ${D})`, () => {
      const x = g.randn(N, D).mul(3).add(2);
      const gamma = g.randn(D);
      const beta = g.randn(D);
      const [out, cache] = nn.layernormForward(x, gamma, beta, { eps: 1e-5 });
      expectClose(nn.layernormForward(x, zeros([D]).add(1), zeros([D]))[0].mean(1), new Array(N).fill(0));
      const dout = g.randn(out.shape);
      const [dx, dgamma, dbeta] = nn.layernormBackward(dout, cache);
      expectGrad((t) => nn.layernormForward(t, gamma, beta)[0], x, dout, dx, 1e-8);
      expectGrad((t) => nn.layernormForward(x, t, beta)[0], gamma, dout, dgamma, 1e-8);
      expectGrad((t) => nn.layernormForward(x, gamma, t)[0], beta, dout, dbeta, 1e-8);
    });
  }

  it('names the layer and the shapes when gamma has the wrong length', () => {
    expect(() => nn.layernormForward(g.randn(4, 5), g.randn(5), g.randn(3))).toThrow(
      'layernormForward: beta of shape (3,) does not match x of shape (4, 5)',
    );
  });
});

describe('spatial groupnorm', () => {
  for (const [shape, G] of [
    [[2, 6, 3, 2], 3],
    [[3, 4, 2, 3], 1],
    [[2, 4, 1, 3], 4],
  ] as const) {
    it(`backward matches numeric gradients for x (${shape}), G = ${G}`, () => {
      const C = shape[1];
      const x = g.randn(shape).mul(2).add(1);
      const gamma = g.randn(1, C, 1, 1);
      const beta = g.randn(1, C, 1, 1);
      const f = (a: typeof x, gm: typeof x, bt: typeof x) => nn.spatialGroupnormForward(a, gm, bt, G, {})[0];
      const [out, cache] = nn.spatialGroupnormForward(x, gamma, beta, G, { eps: 1e-5 });
      const dout = g.randn(out.shape);
      const [dx, dgamma, dbeta] = nn.spatialGroupnormBackward(dout, cache);
      expect(dgamma.shape).toEqual([1, C, 1, 1]);
      expectGrad((t) => f(t, gamma, beta), x, dout, dx, 1e-8);
      expectGrad((t) => f(x, t, beta), gamma, dout, dgamma, 1e-8);
      expectGrad((t) => f(x, gamma, t), beta, dout, dbeta, 1e-8);
    });
  }

  it('rejects a G that does not divide C, and a gamma of the wrong shape', () => {
    const x = g.randn(2, 6, 2, 2);
    expect(() => nn.spatialGroupnormForward(x, g.randn(1, 6, 1, 1), g.randn(1, 6, 1, 1), 4)).toThrow(
      'spatialGroupnormForward: G = 4 groups does not divide the C = 6 channels of x of shape (2, 6, 2, 2)',
    );
    expect(() => nn.spatialGroupnormForward(x, g.randn(6), g.randn(1, 6, 1, 1), 3)).toThrow(
      'spatialGroupnormForward: gamma of shape (6,) should have shape (1, 6, 1, 1)',
    );
  });
});
