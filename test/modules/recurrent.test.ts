/** The recurrent modules agree with the layer functions, and their gradients with numeric ones (float64). */
import { describe, expect, it } from 'vitest';
import { Generator, zeros, type NDArray } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { Embedding, LSTM, RNN, Sequential, TemporalLinear, type Module } from '../../src/nn/modules/index.js';
import { relError } from '../models/numeric.js';

const g = new Generator(5);
const f64 = { dtype: 'float64' as const, rng: new Generator(6) };
const [N, T, D, H, V] = [3, 4, 5, 6, 7];

/** Exactly the same numbers. */
const same = (a: NDArray, b: NDArray) => expect(a.toArray()).toEqual(b.toArray());

/** Every parameter gradient (and dx when the input is float) of m at x against numeric gradients. */
function expectModuleGrads(m: Module, x: NDArray): void {
  const out = m.forward(x);
  const dout = g.randn(...out.shape);
  const dx = m.backward(dout);
  const f = () => m.forward(x).copy();
  if (x.dtype === 'float64')
    expect(relError(dx, nn.evalNumericalGradientArray(f, x, dout))).toBeLessThan(1e-8);
  const grads = Object.fromEntries(m.namedGrads());
  for (const [name, p] of m.namedParameters()) {
    expect(relError(grads[name], nn.evalNumericalGradientArray(f, p, dout)), name).toBeLessThan(1e-8);
  }
}

describe('recurrent modules', () => {
  it('RNN and LSTM are rnnForward/lstmForward from h0 = 0, or from a given h0', () => {
    for (const [M, fwd, bwd] of [
      [RNN, nn.rnnForward, nn.rnnBackward],
      [LSTM, nn.lstmForward, nn.lstmBackward],
    ] as const) {
      const m = new M(D, H, f64);
      const { Wx, Wh, b } = m.params;
      expect(Wx.shape).toEqual([D, (M === LSTM ? 4 : 1) * H]);
      const x = g.randn(N, T, D);
      const dout = g.randn(N, T, H);
      const [h, cache] = fwd(x, zeros([N, H]), Wx, Wh, b);
      same(m.forward(x), h);
      const [dx, , dWx, dWh, db] = bwd(dout, cache as never);
      same(m.backward(dout), dx);
      [dWx, dWh, db].forEach((d, k) => same(m.grads[['Wx', 'Wh', 'b'][k]], d));
      expect(m.dh0).toBeNull();
      const h0 = g.randn(N, H);
      const [h2, cache2] = fwd(x, h0, Wx, Wh, b);
      same(m.forward(x, h0), h2);
      m.backward(dout);
      same(m.dh0!, bwd(dout, cache2 as never)[1]);
    }
  });

  it('Embedding and TemporalLinear are wordEmbeddingForward and temporalAffineForward', () => {
    const emb = new Embedding(V, D, f64);
    const idx = g.randint(0, V, [N, T]);
    const [e, ce] = nn.wordEmbeddingForward(idx, emb.params.weight);
    same(emb.forward(idx), e);
    const de = g.randn(N, T, D);
    const dIdx = emb.backward(de);
    expect(dIdx.shape).toEqual([N, T]);
    expect(dIdx.abs().max().item()).toBe(0);
    same(emb.grads.weight, nn.wordEmbeddingBackward(de, ce));

    const lin = new TemporalLinear(H, V, f64);
    lin.params.bias.set('...', g.randn(V));
    const x = g.randn(N, T, H);
    const [out, ca] = nn.temporalAffineForward(x, lin.params.weight, lin.params.bias);
    same(lin.forward(x), out);
    const dout = g.randn(N, T, V);
    const [dx, dw, db] = nn.temporalAffineBackward(dout, ca);
    same(lin.backward(dout), dx);
    same(lin.grads.weight, dw);
    same(lin.grads.bias, db);
  });

  it('backward matches numeric gradients (float64)', () => {
    for (const m of [new RNN(D, H, f64), new LSTM(D, H, f64), new TemporalLinear(D, H, f64)]) {
      expectModuleGrads(m, g.randn(N, T, D));
    }
    expectModuleGrads(new Embedding(V, D, f64), g.randint(0, V, [N, T]));
  });

  it('a Sequential of Embedding, LSTM and TemporalLinear trains as one module', () => {
    const net = new Sequential(new Embedding(V, D, f64), new LSTM(D, H, f64), new TemporalLinear(H, V, f64));
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      '0.weight',
      '1.Wx',
      '1.Wh',
      '1.b',
      '2.weight',
      '2.bias',
    ]);
    const idx = g.randint(0, V, [N, T]);
    const scores = net.forward(idx);
    expect(scores.shape).toEqual([N, T, V]);
    const mask = zeros([N, T]).eq(0);
    const [, dscores] = nn.temporalSoftmaxLoss(scores, idx, mask);
    net.backwardParams(dscores);
    expect(net.namedGrads().map(([k, d]) => [k, d.shape])).toEqual(
      net.namedParameters().map(([k, p]) => [k, p.shape]),
    );
    expect(String(net.layers[1])).toBe(`LSTM(${D}, ${H})`);
  });

  it('says when x is not a sequence', () => {
    expect(() => new RNN(D, H).forward(g.randn(N, D))).toThrow('RNN: x must be (N, T, D), got shape (3, 5)');
    expect(() => new LSTM(D, H).backward(g.randn(N, T, H))).toThrow(
      'LSTM.backward: call forward (in train mode) first',
    );
  });
});
