/** Forward values of every layer against numpy (scripts/golden_layers.py → test/golden/layers.json). */
import { describe, expect, it } from 'vitest';
import { array, isnan } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { arr, expectClose, golden as G } from './helpers.js';

describe('layers match numpy', () => {
  it('affine', () => {
    const [out] = nn.affineForward(arr(G.affine.x), arr(G.affine.w), arr(G.affine.b));
    expectClose(out, G.affine.out);
  });

  it('activations', () => {
    expectClose(nn.reluForward(arr(G.relu.x))[0], G.relu.out);
    expectClose(nn.leakyReluForward(arr(G.leakyRelu.x), G.leakyRelu.alpha)[0], G.leakyRelu.out);
    expectClose(nn.sigmoidForward(arr(G.sigmoid.x))[0], G.sigmoid.out);
    expectClose(nn.tanhForward(arr(G.tanh.x))[0], G.tanh.out);
  });

  it('svm and softmax losses', () => {
    const x = arr(G.losses.x);
    const y = array(G.losses.y, 'int32');
    expect(nn.svmLoss(x, y)[0]).toBeCloseTo(G.losses.svm, 12);
    const [loss, dx] = nn.softmaxLoss(x, y);
    expect(loss).toBeCloseTo(G.losses.softmax, 12);
    expectClose(dx, G.losses.dsoftmax);
  });

  it('softmax loss stays finite for scores of ±1e4', () => {
    const [loss, dx] = nn.softmaxLoss(arr(G.softmaxBig.x), array(G.softmaxBig.y, 'int32'));
    expect(loss).toBeCloseTo(G.softmaxBig.loss, 10);
    expect(isnan(dx).any().item()).toBeFalsy();
    // float32 too: the shift by the row max is what keeps exp from overflowing
    const [l32] = nn.softmaxLoss(arr(G.softmaxBig.x).astype('float32'), array(G.softmaxBig.y, 'int32'));
    expect(l32).toBeCloseTo(G.softmaxBig.loss, 2);
  });

  it('batchnorm train, running statistics and test mode', () => {
    const b = G.batchnorm;
    const bnParam: nn.BnParam = { mode: 'train' };
    const [out] = nn.batchnormForward(arr(b.x), arr(b.gamma), arr(b.beta), bnParam);
    expectClose(out, b.out);
    expectClose(bnParam.runningMean!, b.runningMean);
    expectClose(bnParam.runningVar!, b.runningVar);
    bnParam.mode = 'test';
    const [outTest] = nn.batchnormForward(arr(b.xTest), arr(b.gamma), arr(b.beta), bnParam);
    expectClose(outTest, b.outTest);
  });

  it('layernorm, spatial groupnorm and spatial batchnorm', () => {
    const b = G.batchnorm;
    expectClose(nn.layernormForward(arr(b.x), arr(b.gamma), arr(b.beta))[0], G.layernorm.out);
    const g = G.groupnorm;
    expectClose(nn.spatialGroupnormForward(arr(g.x), arr(g.gamma), arr(g.beta), g.G)[0], g.out);
    const [sbn] = nn.spatialBatchnormForward(arr(g.x), arr(g.gamma).reshape(-1), arr(g.beta).reshape(-1), {
      mode: 'train',
    });
    expectClose(sbn, g.spatialBatchnorm);
  });

  for (const name of ['conv', 'conv2']) {
    it(`${name}: naive and fast convolution`, () => {
      const c = G[name];
      const convParam = { stride: c.stride, pad: c.pad };
      expectClose(nn.convForwardNaive(arr(c.x), arr(c.w), arr(c.b), convParam)[0], c.out);
      expectClose(nn.convForwardFast(arr(c.x), arr(c.w), arr(c.b), convParam)[0], c.out);
    });
  }

  for (const name of ['pool', 'pool2']) {
    it(`${name}: naive and fast max pool`, () => {
      const p = G[name];
      const poolParam = { poolHeight: p.poolHeight, poolWidth: p.poolWidth, stride: p.stride };
      expectClose(nn.maxPoolForwardNaive(arr(p.x), poolParam)[0], p.out, 1e-15);
      expectClose(nn.maxPoolForwardFast(arr(p.x), poolParam)[0], p.out, 1e-15);
    });
  }
});
