/** The sandwich layers (layer_utils): backward passes against numeric gradients. */
import { describe, expect, it } from 'vitest';
import { Generator, type NDArray } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { expectGrad } from './helpers.js';

const g = new Generator(5);
// Chains of layers: each layer alone is checked at 1e-8 or tighter in its own file. Through a chain, the
// centred differences keep an absolute round-off of ~1e-10, which the course's elementwise relative
// error magnifies on the few entries of dx that come out near zero; so chains get a looser bar (the absolute errors stay ~1e-10).
const TOL = 1e-6;

describe('sandwiches', () => {
  it('affineRelu', () => {
    const [x, w, b] = [g.randn(2, 2, 3), g.randn(6, 4), g.randn(4)];
    const [out, cache] = nn.affineReluForward(x, w, b);
    const dout = g.randn(out.shape);
    const [dx, dw, db] = nn.affineReluBackward(dout, cache);
    expectGrad((t) => nn.affineReluForward(t, w, b)[0], x, dout, dx, TOL);
    expectGrad((t) => nn.affineReluForward(x, t, b)[0], w, dout, dw, TOL);
    expectGrad((t) => nn.affineReluForward(x, w, t)[0], b, dout, db, TOL);
  });

  for (const normalization of [null, 'batchnorm', 'layernorm'] as const) {
    for (const dropout of [false, true]) {
      it(`affineNormReluDropout with ${normalization ?? 'no norm'}, ${dropout ? '' : 'no '}dropout`, () => {
        const [x, w, b, gamma, beta] = [g.randn(4, 6), g.randn(6, 5), g.randn(5), g.randn(5), g.randn(5)];
        const param = (): nn.BnParam | nn.LnParam => (normalization === 'batchnorm' ? { mode: 'train' } : {});
        const dp: nn.DropoutParam | null = dropout ? { p: 0.7, mode: 'train', seed: 3 } : null;
        const f = (xx: NDArray, ww: NDArray, bb: NDArray, gg: NDArray, be: NDArray) =>
          nn.affineNormReluDropoutForward(xx, ww, bb, gg, be, param(), normalization, dp)[0];
        const [out, cache] = nn.affineNormReluDropoutForward(
          x,
          w,
          b,
          gamma,
          beta,
          param(),
          normalization,
          dp,
        );
        const dout = g.randn(out.shape);
        const [dx, dw, db, dgamma, dbeta] = nn.affineNormReluDropoutBackward(dout, cache);
        expectGrad((t) => f(t, w, b, gamma, beta), x, dout, dx, TOL);
        expectGrad((t) => f(x, t, b, gamma, beta), w, dout, dw, TOL);
        if (normalization === null) {
          expect(dgamma).toBeNull();
          expect(dbeta).toBeNull();
          expectGrad((t) => f(x, w, t, gamma, beta), b, dout, db, TOL);
        } else {
          expectGrad((t) => f(x, w, b, t, beta), gamma, dout, dgamma!, TOL);
          expectGrad((t) => f(x, w, b, gamma, t), beta, dout, dbeta!, TOL);
        }
      });
    }
  }

  it('convRelu and convReluPool', () => {
    const [x, w, b] = [g.randn(2, 3, 6, 6), g.randn(3, 3, 3, 3), g.randn(3)];
    const cp = { stride: 1, pad: 1 };
    const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const [o1, c1] = nn.convReluForward(x, w, b, cp);
    const d1 = g.randn(o1.shape);
    const [dx1, dw1] = nn.convReluBackward(d1, c1);
    expectGrad((t) => nn.convReluForward(t, w, b, cp)[0], x, d1, dx1, TOL);
    expectGrad((t) => nn.convReluForward(x, t, b, cp)[0], w, d1, dw1, TOL);
    const [o2, c2] = nn.convReluPoolForward(x, w, b, cp, pp);
    expect(o2.shape).toEqual([2, 3, 3, 3]);
    const d2 = g.randn(o2.shape);
    const [dx2, dw2, db2] = nn.convReluPoolBackward(d2, c2);
    expectGrad((t) => nn.convReluPoolForward(t, w, b, cp, pp)[0], x, d2, dx2, TOL);
    expectGrad((t) => nn.convReluPoolForward(x, t, b, cp, pp)[0], w, d2, dw2, TOL);
    expectGrad((t) => nn.convReluPoolForward(x, w, t, cp, pp)[0], b, d2, db2, TOL);
  });

  it('convBnRelu', () => {
    const [x, w, b] = [g.randn(2, 2, 4, 4), g.randn(3, 2, 3, 3), g.randn(3)];
    const [gamma, beta] = [g.randn(3), g.randn(3)];
    const cp = { stride: 1, pad: 1 };
    const f = (xx: NDArray, ww: NDArray, gg: NDArray, be: NDArray) =>
      nn.convBnReluForward(xx, ww, b, gg, be, cp, { mode: 'train' })[0];
    const [out, cache] = nn.convBnReluForward(x, w, b, gamma, beta, cp, { mode: 'train' });
    const dout = g.randn(out.shape);
    const [dx, dw, , dgamma, dbeta] = nn.convBnReluBackward(dout, cache);
    expectGrad((t) => f(t, w, gamma, beta), x, dout, dx, TOL);
    expectGrad((t) => f(x, t, gamma, beta), w, dout, dw, TOL);
    expectGrad((t) => f(x, w, t, beta), gamma, dout, dgamma, TOL);
    expectGrad((t) => f(x, w, gamma, t), beta, dout, dbeta, TOL);
  });
});
