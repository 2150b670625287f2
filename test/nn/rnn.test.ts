/**
 * The recurrent layers (issue 14): forward values against the course notebooks' checks and numpy
 * (scripts/golden_rnn.py → test/golden/rnn.json), float64 numeric gradients over several N, T, D, H, the
 * sequence forms against a loop of steps, and shape errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Generator, array, zeros, type NDArray } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { relError } from '../models/numeric.js';
import { arr, expectClose, type Golden } from './helpers.js';

const G: Golden = JSON.parse(readFileSync(new URL('../golden/rnn.json', import.meta.url), 'utf8')) as Golden;

const g = new Generator(231);
/** Gradients must match centred differences to this relative error (float64). */
const TOL = 1e-8;

/**
 * Expects the analytic gradient to match evalNumericalGradientArray of f at x: max |num − analytic| over the
 * arrays' scale (test/models/numeric.ts's relError, as the module tests use). The course's elementwise form
 * measures round-off rather than the gradient on the LSTM's entries near 0: there centred differences have
 * an absolute error of ~1e-11 (measured), which is 1e-8 relative to an entry of 1e-3.
 */
function expectGrad(f: (x: NDArray) => NDArray, x: NDArray, dout: NDArray, analytic: NDArray, tol: number) {
  expect(analytic.shape).toEqual(x.shape);
  expect(relError(nn.evalNumericalGradientArray(f, x, dout), analytic)).toBeLessThan(tol);
}
const SIZES = [
  { N: 2, T: 3, D: 4, H: 5 },
  { N: 3, T: 5, D: 2, H: 3 },
  { N: 1, T: 1, D: 3, H: 4 },
  { N: 4, T: 2, D: 6, H: 2 },
];

describe('golden values (the course notebooks and numpy)', () => {
  it('rnnStepForward / rnnStepBackward', () => {
    const r = G.rnnStep;
    const [nextH, cache] = nn.rnnStepForward(arr(r.x), arr(r.prevH), arr(r.Wx), arr(r.Wh), arr(r.b));
    expectClose(nextH, r.nextH);
    const grads = nn.rnnStepBackward(arr(r.dnextH), cache);
    ['dx', 'dprevH', 'dWx', 'dWh', 'db'].forEach((k, i) => expectClose(grads[i], r[k]));
  });

  it('rnnForward / rnnBackward', () => {
    const r = G.rnn;
    const [h, cache] = nn.rnnForward(arr(r.x), arr(r.h0), arr(r.Wx), arr(r.Wh), arr(r.b));
    expectClose(h, r.h);
    const grads = nn.rnnBackward(arr(r.dh), cache);
    ['dx', 'dh0', 'dWx', 'dWh', 'db'].forEach((k, i) => expectClose(grads[i], r[k]));
  });

  it('wordEmbeddingForward / wordEmbeddingBackward (repeated words accumulate)', () => {
    const r = G.wordEmbedding;
    const [out, cache] = nn.wordEmbeddingForward(array(r.x, 'int32'), arr(r.W));
    expectClose(out, r.out);
    expectClose(nn.wordEmbeddingBackward(arr(r.dout), cache), r.dW);
  });

  it('temporalAffineForward / temporalAffineBackward', () => {
    const r = G.temporalAffine;
    const [out, cache] = nn.temporalAffineForward(arr(r.x), arr(r.w), arr(r.b));
    expectClose(out, r.out);
    const grads = nn.temporalAffineBackward(arr(r.dout), cache);
    ['dx', 'dw', 'db'].forEach((k, i) => expectClose(grads[i], r[k]));
  });

  it('temporalSoftmaxLoss with a mask', () => {
    const r = G.temporalSoftmax;
    const [loss, dx] = nn.temporalSoftmaxLoss(arr(r.x), array(r.y, 'int32'), array(r.mask, 'bool'));
    expect(loss).toBeCloseTo(r.loss, 12);
    expectClose(dx, r.dx);
  });

  it('lstmStepForward / lstmStepBackward', () => {
    const r = G.lstmStep;
    const [nextH, nextC, cache] = nn.lstmStepForward(
      arr(r.x),
      arr(r.prevH),
      arr(r.prevC),
      arr(r.Wx),
      arr(r.Wh),
      arr(r.b),
    );
    expectClose(nextH, r.nextH);
    expectClose(nextC, r.nextC);
    const grads = nn.lstmStepBackward(arr(r.dnextH), arr(r.dnextC), cache);
    ['dx', 'dprevH', 'dprevC', 'dWx', 'dWh', 'db'].forEach((k, i) => expectClose(grads[i], r[k]));
  });

  it('lstmForward / lstmBackward', () => {
    const r = G.lstm;
    const [h, cache] = nn.lstmForward(arr(r.x), arr(r.h0), arr(r.Wx), arr(r.Wh), arr(r.b));
    expectClose(h, r.h);
    const grads = nn.lstmBackward(arr(r.dh), cache);
    ['dx', 'dh0', 'dWx', 'dWh', 'db'].forEach((k, i) => expectClose(grads[i], r[k]));
  });
});

describe('numeric gradients (float64, relative error < 1e-8)', () => {
  for (const { N, T, D, H } of SIZES) {
    const size = `N=${N} T=${T} D=${D} H=${H}`;

    it(`rnnStepBackward, ${size}`, () => {
      const [x, h, Wx, Wh, b] = [g.randn(N, D), g.randn(N, H), g.randn(D, H), g.randn(H, H), g.randn(H)];
      const [out, cache] = nn.rnnStepForward(x, h, Wx, Wh, b);
      const dout = g.randn(...out.shape);
      const grads = nn.rnnStepBackward(dout, cache);
      const inputs = [x, h, Wx, Wh, b];
      inputs.forEach((p, k) =>
        expectGrad(() => nn.rnnStepForward(x, h, Wx, Wh, b)[0], p, dout, grads[k], TOL),
      );
    });

    it(`rnnBackward, ${size}`, () => {
      const [x, h0, Wx, Wh, b] = [g.randn(N, T, D), g.randn(N, H), g.randn(D, H), g.randn(H, H), g.randn(H)];
      const [out, cache] = nn.rnnForward(x, h0, Wx, Wh, b);
      const dout = g.randn(...out.shape);
      const before = dout.copy();
      const grads = nn.rnnBackward(dout, cache);
      expect(dout.toArray()).toEqual(before.toArray()); // the upstream gradient is not overwritten
      [x, h0, Wx, Wh, b].forEach((p, k) =>
        expectGrad(() => nn.rnnForward(x, h0, Wx, Wh, b)[0], p, dout, grads[k], TOL),
      );
    });

    it(`lstmStepBackward, ${size}`, () => {
      const [x, h, c] = [g.randn(N, D), g.randn(N, H), g.randn(N, H)];
      const [Wx, Wh, b] = [g.randn(D, 4 * H), g.randn(H, 4 * H), g.randn(4 * H)];
      const [, , cache] = nn.lstmStepForward(x, h, c, Wx, Wh, b);
      const [dnh, dnc] = [g.randn(N, H), g.randn(N, H)];
      const grads = nn.lstmStepBackward(dnh, dnc, cache);
      // Both outputs feed the loss: the numeric gradient of Σ nextH·dnextH + Σ nextC·dnextC.
      const both = () => {
        const [nh, nc] = nn.lstmStepForward(x, h, c, Wx, Wh, b);
        return nh.mul(dnh).add(nc.mul(dnc));
      };
      const ones = zeros([N, H]).add(1);
      [x, h, c, Wx, Wh, b].forEach((p, k) => expectGrad(both, p, ones, grads[k], TOL));
    });

    it(`lstmBackward, ${size}`, () => {
      const [x, h0] = [g.randn(N, T, D), g.randn(N, H)];
      const [Wx, Wh, b] = [g.randn(D, 4 * H), g.randn(H, 4 * H), g.randn(4 * H)];
      const [out, cache] = nn.lstmForward(x, h0, Wx, Wh, b);
      const dout = g.randn(...out.shape);
      const grads = nn.lstmBackward(dout, cache);
      [x, h0, Wx, Wh, b].forEach((p, k) =>
        expectGrad(() => nn.lstmForward(x, h0, Wx, Wh, b)[0], p, dout, grads[k], TOL),
      );
    });

    it(`wordEmbedding, temporalAffine and temporalSoftmaxLoss, ${size}`, () => {
      const V = D + 2;
      const idx = g.randint(0, V, [N, T]);
      const W = g.randn(V, H);
      const [emb, ce] = nn.wordEmbeddingForward(idx, W);
      const de = g.randn(...emb.shape);
      expectGrad(() => nn.wordEmbeddingForward(idx, W)[0], W, de, nn.wordEmbeddingBackward(de, ce), TOL);

      const [x, w, bb] = [g.randn(N, T, D), g.randn(D, V), g.randn(V)];
      const [out, ca] = nn.temporalAffineForward(x, w, bb);
      const dout = g.randn(...out.shape);
      const grads = nn.temporalAffineBackward(dout, ca);
      [x, w, bb].forEach((p, k) =>
        expectGrad(() => nn.temporalAffineForward(x, w, bb)[0], p, dout, grads[k], TOL),
      );

      const scores = g.randn(N, T, V);
      const mask = g.rand(N, T).gt(0.3);
      const [, dx] = nn.temporalSoftmaxLoss(scores, idx, mask);
      const one = zeros([]).add(1);
      expectGrad(() => array(nn.temporalSoftmaxLoss(scores, idx, mask)[0]), scores, one, dx, TOL);
    });
  }
});

describe('the sequence forms are their steps in a loop', () => {
  const { N, T, D, H } = { N: 3, T: 4, D: 5, H: 6 };

  it('rnnForward / rnnBackward', () => {
    const [x, h0, Wx, Wh, b] = [g.randn(N, T, D), g.randn(N, H), g.randn(D, H), g.randn(H, H), g.randn(H)];
    const [h, cache] = nn.rnnForward(x, h0, Wx, Wh, b);
    const dh = g.randn(N, T, H);
    const [dx, dh0, dWx, dWh, db] = nn.rnnBackward(dh, cache);
    // The course's rnn_forward and rnn_backward, written with the step functions.
    let prev = h0;
    const caches: nn.RnnCache[] = [];
    for (let t = 0; t < T; t++) {
      const [next, c] = nn.rnnStepForward(x.slice(':', t), prev, Wx, Wh, b);
      expectClose(h.slice(':', t).copy(), next, 1e-12);
      caches.push(c);
      prev = next;
    }
    let dprev = zeros([N, H]);
    const sums = [zeros([D, H]), zeros([H, H]), zeros([H])];
    for (let t = T - 1; t >= 0; t--) {
      const [dxt, dp, ...dw] = nn.rnnStepBackward(dh.slice(':', t).add(dprev), caches[t]);
      expectClose(dx.slice(':', t).copy(), dxt, 1e-10);
      dw.forEach((d, k) => sums[k].addInPlace(d));
      dprev = dp;
    }
    expectClose(dh0, dprev, 1e-10);
    [dWx, dWh, db].forEach((d, k) => expectClose(d, sums[k], 1e-10));
  });

  it('lstmForward / lstmBackward', () => {
    const [x, h0] = [g.randn(N, T, D), g.randn(N, H)];
    const [Wx, Wh, b] = [g.randn(D, 4 * H), g.randn(H, 4 * H), g.randn(4 * H)];
    const [h, cache] = nn.lstmForward(x, h0, Wx, Wh, b);
    const dh = g.randn(N, T, H);
    const [dx, dh0, dWx, dWh, db] = nn.lstmBackward(dh, cache);
    let [prevH, prevC] = [h0, zeros([N, H])];
    const caches: nn.LstmCache[] = [];
    for (let t = 0; t < T; t++) {
      const [nh, nc, c] = nn.lstmStepForward(x.slice(':', t), prevH, prevC, Wx, Wh, b);
      expectClose(h.slice(':', t).copy(), nh, 1e-12);
      caches.push(c);
      [prevH, prevC] = [nh, nc];
    }
    let [dph, dpc] = [zeros([N, H]), zeros([N, H])];
    const sums = [zeros([D, 4 * H]), zeros([H, 4 * H]), zeros([4 * H])];
    for (let t = T - 1; t >= 0; t--) {
      const [dxt, dh1, dc1, ...dw] = nn.lstmStepBackward(dh.slice(':', t).add(dph), dpc, caches[t]);
      expectClose(dx.slice(':', t).copy(), dxt, 1e-10);
      dw.forEach((d, k) => sums[k].addInPlace(d));
      [dph, dpc] = [dh1, dc1];
    }
    expectClose(dh0, dph, 1e-10);
    [dWx, dWh, db].forEach((d, k) => expectClose(d, sums[k], 1e-10));
  });
});

describe('float32, the course loss checks, errors', () => {
  it('keeps float32 as float32 and agrees with float64', () => {
    const [x, h0] = [g.randn(2, 3, 4), g.randn(2, 5)];
    const [Wx, Wh, b] = [g.randn(4, 20).mul(0.3), g.randn(5, 20).mul(0.3), g.randn(20)];
    const f32 = (a: NDArray) => a.astype('float32');
    const [h32, c32] = nn.lstmForward(f32(x), f32(h0), f32(Wx), f32(Wh), f32(b));
    const [h64, c64] = nn.lstmForward(x, h0, Wx, Wh, b);
    expect(h32.dtype).toBe('float32');
    expectClose(h32, h64, 1e-5);
    const dh = g.randn(2, 3, 5);
    const g32 = nn.lstmBackward(f32(dh), c32);
    const g64 = nn.lstmBackward(dh, c64);
    g32.forEach((d, k) => {
      expect(d.dtype).toBe('float32');
      expectClose(d, g64[k], 1e-4);
    });
  });

  it('temporalSoftmaxLoss is about ln(V) per unmasked step at random scores (the course: 2.3, 23, 2.3)', () => {
    const check = (N: number, T: number, V: number, p: number) => {
      const x = g.randn(N, T, V).mul(0.001);
      const y = g.randint(0, V, [N, T]);
      const mask = g.rand(N, T).le(p);
      return nn.temporalSoftmaxLoss(x, y, mask)[0];
    };
    expect(check(100, 1, 10, 1.0)).toBeCloseTo(Math.log(10), 2);
    expect(check(100, 10, 10, 1.0)).toBeCloseTo(10 * Math.log(10), 1);
    expect(Math.abs(check(5000, 10, 10, 0.1) - Math.log(10))).toBeLessThan(0.1);
  });

  it('names the function and the shapes', () => {
    const [x, h0, Wx, Wh, b] = [g.randn(2, 3, 4), g.randn(2, 5), g.randn(4, 5), g.randn(5, 5), g.randn(5)];
    expect(() => nn.rnnForward(x, h0, g.randn(6, 5), Wh, b)).toThrow(
      'rnnForward: x of shape (2, 3, 4) (D = 4) does not match Wx of shape (6, 5)',
    );
    expect(() => nn.rnnForward(x, g.randn(3, 5), Wx, Wh, b)).toThrow(
      'rnnForward: h0 of shape (3, 5) does not match x of shape (2, 3, 4) (N = 2)',
    );
    expect(() => nn.lstmForward(x, h0, Wx, g.randn(5, 20), g.randn(20))).toThrow(
      'lstmForward: Wx of shape (4, 5) should have 4H = 20 columns (H = 5 from h0)',
    );
    expect(() => nn.rnnStepForward(x, h0, Wx, Wh, b)).toThrow(
      'rnnStepForward: x must be 2-D, got shape (2, 3, 4)',
    );
    const [, cache] = nn.rnnForward(x, h0, Wx, Wh, b);
    expect(() => nn.rnnBackward(g.randn(2, 4, 5), cache)).toThrow(
      'rnnBackward: dh of shape (2, 4, 5) should have shape (2, 3, 5)',
    );
    const [, lcache] = nn.lstmForward(x, h0, g.randn(4, 20), g.randn(5, 20), g.randn(20));
    expect(() => nn.lstmBackward(g.randn(2, 2, 5), lcache)).toThrow(
      'lstmBackward: dh of shape (2, 2, 5) should have shape (2, 3, 5)',
    );
    const W = g.randn(5, 3);
    expect(() => nn.wordEmbeddingForward(array([[0, 5]], 'int32'), W)).toThrow(
      'wordEmbeddingForward: x (vocabulary of W (5, 3)) of shape (1, 2) holds indices from 0 to 5, outside [0, 5)',
    );
    expect(() => nn.wordEmbeddingForward(array([[0, 1]]), W)).toThrow(
      'wordEmbeddingForward: x (vocabulary of W (5, 3)) must hold integer indices (int32), got float64',
    );
    const scores = g.randn(2, 3, 4);
    expect(() => nn.temporalSoftmaxLoss(scores, g.randint(0, 4, [2, 2]), zeros([2, 3], 'bool'))).toThrow(
      'temporalSoftmaxLoss: y of shape (2, 2) should have shape (2, 3)',
    );
    expect(() =>
      nn.temporalSoftmaxLoss(
        scores,
        array(
          [
            [0, 1, 4],
            [0, 0, 0],
          ],
          'int32',
        ),
        zeros([2, 3], 'bool'),
      ),
    ).toThrow(
      'temporalSoftmaxLoss: y (V = 4 from x (2, 3, 4)) of shape (2, 3) holds indices from 0 to 4, outside [0, 4)',
    );
    expect(() => nn.temporalAffineForward(scores, g.randn(5, 2), g.randn(2))).toThrow(
      'temporalAffineForward: x of shape (2, 3, 4) (D = 4) does not match w of shape (5, 2)',
    );
  });
});
