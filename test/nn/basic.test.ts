/** Affine, activations, losses and L2: backward passes against numeric gradients, and shape errors. */
import { describe, expect, it } from 'vitest';
import { Generator, array, type NDArray } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { expectGrad } from './helpers.js';

const g = new Generator(231);

describe('affine', () => {
  for (const xShape of [
    [3, 4],
    [2, 3, 5],
    [5, 2, 3, 1],
  ]) {
    it(`backward matches numeric gradients for x of shape (${xShape})`, () => {
      const D = xShape.slice(1).reduce((p, d) => p * d, 1);
      const x = g.randn(xShape);
      const w = g.randn(D, 3);
      const b = g.randn(3);
      const [out, cache] = nn.affineForward(x, w, b);
      expect(out.shape).toEqual([xShape[0], 3]);
      const dout = g.randn(out.shape);
      const [dx, dw, db] = nn.affineBackward(dout, cache);
      expectGrad((t) => nn.affineForward(t, w, b)[0], x, dout, dx, 1e-9);
      expectGrad((t) => nn.affineForward(x, t, b)[0], w, dout, dw, 1e-9);
      expectGrad((t) => nn.affineForward(x, w, t)[0], b, dout, db, 1e-9);
      // Without dx (a first layer): the same dw and db.
      const [noDx, dw2, db2] = nn.affineBackward(dout, cache, false);
      expect(noDx).toBeNull();
      expect(dw2.toArray()).toEqual(dw.toArray());
      expect(db2.toArray()).toEqual(db.toArray());
    });
  }

  it('keeps float32 as float32 and reads non-contiguous x', () => {
    const x = g.randn(4, 6).astype('float32');
    const w = g.randn(6, 2).astype('float32');
    const b = g.randn(2).astype('float32');
    const [out, cache] = nn.affineForward(x, w, b);
    expect(out.dtype).toBe('float32');
    const grads = nn.affineBackward(out, cache);
    expect(grads.map((a) => a.dtype)).toEqual(['float32', 'float32', 'float32']);
    const xt = g.randn(6, 4).T; // a transposed view
    const [o2] = nn.affineForward(xt, w.astype('float64'), b.astype('float64'));
    const [o3] = nn.affineForward(xt.copy(), w.astype('float64'), b.astype('float64'));
    expect(o2.toArray()).toEqual(o3.toArray());
  });

  it('names the layer and shapes when w does not match x', () => {
    expect(() => nn.affineForward(g.randn(2, 3, 4), g.randn(10, 5), g.randn(5))).toThrow(
      'affineForward: x of shape (2, 3, 4) (D = 12) does not match w of shape (10, 5)',
    );
    expect(() => nn.affineForward(g.randn(2, 4), g.randn(4, 5), g.randn(4))).toThrow(
      'affineForward: b of shape (4,) does not match w of shape (4, 5)',
    );
  });
});

describe('activations', () => {
  // Keep inputs away from ReLU's kink so centred differences never straddle it.
  const awayFromZero = (a: NDArray) => a.add(a.sign().mul(0.01));
  it('relu backward matches numeric gradients', () => {
    for (const shape of [[4, 5], [2, 3, 3, 2], [7]]) {
      const x = awayFromZero(g.randn(shape));
      const [out, cache] = nn.reluForward(x);
      const dout = g.randn(out.shape);
      const [dx] = nn.reluBackward(dout, cache);
      expectGrad((t) => nn.reluForward(t)[0], x, dout, dx, 1e-9);
    }
  });

  it('leaky relu, sigmoid and tanh backwards match numeric gradients', () => {
    const x = awayFromZero(g.randn(3, 7));
    const dout = g.randn(3, 7);
    const [, lc] = nn.leakyReluForward(x, 0.2);
    expectGrad((t) => nn.leakyReluForward(t, 0.2)[0], x, dout, nn.leakyReluBackward(dout, lc)[0], 1e-8);
    const [, sc] = nn.sigmoidForward(x);
    expectGrad((t) => nn.sigmoidForward(t)[0], x, dout, nn.sigmoidBackward(dout, sc)[0], 1e-8);
    const [, tc] = nn.tanhForward(x);
    expectGrad((t) => nn.tanhForward(t)[0], x, dout, nn.tanhBackward(dout, tc)[0], 1e-8);
  });

  it('leaky relu forward and backward give the bits of x·(alpha + (1 − alpha)·[x > 0]) and its product', () => {
    // The one-pass kernel replaced that chain of five array ops: the numbers must not move.
    const chain = (x: NDArray, alpha: number) =>
      x
        .gt(0)
        .astype(x.dtype)
        .mul(1 - alpha)
        .add(alpha);
    const bits = (a: NDArray) =>
      Array.from(a.toTypedArray() as Float64Array).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    for (const dtype of ['float32', 'float64'] as const)
      for (const alpha of [0.01, 0.2]) {
        const r = new Generator(5); // its own: the tests below keep their draws from g
        const x = r.randn(61, 49).astype(dtype); // above the wasm kernels' minimum size, odd for a scalar tail
        x.data[0] = NaN;
        x.data[1] = -Infinity;
        x.data[2] = -0;
        x.data[3] = Infinity;
        const dout = r.randn(61, 49).astype(dtype);
        const [out, cache] = nn.leakyReluForward(x, alpha);
        expect(out.dtype).toBe(dtype);
        expect(bits(out), `${dtype} forward`).toEqual(bits(x.mul(chain(x, alpha))));
        const [dx] = nn.leakyReluBackward(dout, cache);
        expect(bits(dx), `${dtype} backward`).toEqual(bits(dout.mul(chain(x, alpha))));
        // A strided x takes the same values.
        const xt = x.T;
        expect(bits(nn.leakyReluForward(xt, alpha)[0]), 'strided').toEqual(bits(xt.mul(chain(xt, alpha))));
      }
  });

  it('reluBackward names the shapes when dout does not match', () => {
    const [, cache] = nn.reluForward(g.randn(2, 3));
    expect(() => nn.reluBackward(g.randn(3, 2), cache)).toThrow(
      'reluBackward: dout of shape (3, 2) does not match x of shape (2, 3)',
    );
  });
});

describe('losses', () => {
  for (const [N, C] of [
    [5, 4],
    [3, 10],
    [1, 3],
  ]) {
    it(`svm and softmax gradients match numeric ones for (${N}, ${C})`, () => {
      const x = g.randn(N, C).mul(0.5);
      const y = g.randint(0, C, [N]);
      const one = array([1]).reshape([]);
      const [, dsvm] = nn.svmLoss(x, y);
      expectGrad((t) => one.mul(nn.svmLoss(t, y)[0]), x, one, dsvm, 1e-8);
      const [loss, dsoft] = nn.softmaxLoss(x, y);
      expect(loss).toBeGreaterThan(0);
      expectGrad((t) => one.mul(nn.softmaxLoss(t, y)[0]), x, one, dsoft, 1e-9);
    });
  }

  it('softmax loss with tiny scores is about ln(C)', () => {
    const x = g.randn(50, 10).mul(1e-4);
    expect(nn.softmaxLoss(x, g.randint(0, 10, [50]))[0]).toBeCloseTo(Math.log(10), 3);
  });

  it('l2Regularization', () => {
    const W = g.randn(4, 3);
    const [loss, dW] = nn.l2Regularization(W, 0.3);
    expect(loss).toBeCloseTo(0.15 * W.mul(W).sum().item(), 12);
    const one = array([1]).reshape([]);
    expectGrad((t) => one.mul(nn.l2Regularization(t, 0.3)[0]), W, one, dW, 1e-9);
  });

  it('checks labels and shapes', () => {
    const x = g.randn(3, 4);
    expect(() => nn.softmaxLoss(x, array([0, 1], 'int32'))).toThrow(
      'softmaxLoss: y of shape (2,) does not match x of shape (3, 4)',
    );
    expect(() => nn.svmLoss(x, array([0, 1, 4], 'int32'))).toThrow('svmLoss: labels must lie in [0, 4)');
    expect(() => nn.svmLoss(x, array([0, 1, 2]))).toThrow('svmLoss: y must hold integer labels');
  });
});
