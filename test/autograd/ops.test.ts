/**
 * Every differentiable op's gradient against float64 centred differences (relative error < 1e-8), with
 * broadcasting, non-contiguous (transposed, sliced) inputs and tensors used more than once in one graph.
 */
import { describe, expect, it } from 'vitest';
import { F, tensor, type Tensor } from '../../src/autograd/index.js';
import { Generator, array } from '../../src/ndarray/index.js';
import { expectGrads } from './helpers.js';

const g = new Generator(42);
const randn = (...shape: number[]) => g.randn(shape);
/** Values kept at least 0.1 from zero (the kinks of relu and abs, and log's domain after abs). */
const awayFromZero = (...shape: number[]) => {
  const x = g.randn(shape);
  return x.add(x.sign().mul(0.1));
};
const positive = (...shape: number[]) => g.rand(shape).add(0.5);

describe('elementwise arithmetic with broadcasting', () => {
  it('add, sub, mul, div between broadcast shapes', () => {
    const a = randn(3, 4);
    const b = randn(4);
    expectGrads((x, y) => F.add(x, y), [a, b]);
    expectGrads((x, y) => F.sub(x, y), [randn(2, 1, 3), randn(4, 1)]);
    expectGrads((x, y) => F.mul(x, y), [randn(2, 1, 3), randn(4, 1)]);
    expectGrads((x, y) => F.div(x, y), [randn(3, 4), positive(3, 1)]);
  });

  it('numbers and constant arrays as operands', () => {
    const c = randn(4);
    expectGrads((x) => x.mul(2.5).add(1).sub(c).div(3), [randn(3, 4)]);
    expectGrads((x) => F.sub(1, x).mul(c), [randn(3, 4)]);
  });

  it('non-contiguous inputs: a transposed view and a strided slice', () => {
    const big = randn(6, 5);
    expectGrads((x, y) => F.mul(x, y).add(x), [big.T, randn(5, 6).slice('::1', ':')]);
    expectGrads((x) => x.exp(), [randn(8, 6).slice('::2', '1:5')]);
  });

  it('a tensor used several times in one graph', () => {
    expectGrads((x) => x.mul(x).add(x.exp().mul(x)).sub(x.tanh()), [randn(3, 4)]);
    expectGrads((x, y) => F.add(x.mul(y), y.mul(y).mul(x)).div(y.exp()), [randn(2, 3), randn(3)]);
  });

  it('pow by a number and by a tensor, neg', () => {
    expectGrads((x) => x.pow(2.5), [positive(3, 4)]);
    expectGrads((x) => x.pow(3), [randn(3, 4)]);
    expectGrads((x, y) => F.pow(x, y), [positive(3, 4), randn(4)]);
    expectGrads((x) => x.neg(), [randn(5)]);
  });
});

describe('unary functions and nonlinearities', () => {
  it('exp, log, sqrt, tanh, sigmoid', () => {
    expectGrads((x) => x.exp(), [randn(3, 4)]);
    expectGrads((x) => x.log(), [positive(3, 4)]);
    expectGrads((x) => x.sqrt(), [positive(3, 4)]);
    expectGrads((x) => x.tanh(), [randn(3, 4)]);
    expectGrads((x) => x.sigmoid(), [randn(3, 4)]);
  });

  it('relu and leakyRelu away from the kink', () => {
    expectGrads((x) => x.relu(), [awayFromZero(4, 5)]);
    expectGrads((x) => F.leakyRelu(x, 0.2), [awayFromZero(4, 5)]);
  });
});

describe('reductions', () => {
  it('sum and mean over all, one and several axes, with and without keepdims', () => {
    const x = randn(2, 3, 4);
    expectGrads((t) => t.sum(), [x]);
    expectGrads((t) => t.sum(1), [x]);
    expectGrads((t) => t.sum([0, 2], true), [x]);
    expectGrads((t) => t.mean(), [x]);
    expectGrads((t) => t.mean(-1, true), [x]);
    expectGrads((t) => t.mean([0, 1]), [x]);
  });

  it('max over axes (distinct values)', () => {
    const x = randn(3, 4, 5);
    expectGrads((t) => t.max(), [x]);
    expectGrads((t) => t.max(1), [x]);
    expectGrads((t) => t.max([0, 2], true), [x]);
  });

  it('max shares the gradient among ties', () => {
    const leaf = tensor(
      array([
        [1, 3, 3],
        [2, 0, 2],
      ]),
      { requiresGrad: true },
    );
    F.max(leaf, 1).sum().backward();
    expect(leaf.grad!.toArray()).toEqual([
      [0, 0.5, 0.5],
      [0.5, 0, 0.5],
    ]);
  });
});

describe('shape ops', () => {
  it('reshape, transpose, permute, unsqueeze, squeeze, flatten, expand', () => {
    const x = randn(2, 3, 4);
    const [w1, w2, w3, w4, w5, w6] = [
      [6, 4],
      [4, 3, 2],
      [4, 2, 3],
      [2, 5, 3, 4],
      [2, 4],
      [2, 12],
    ].map((s) => randn(...s));
    expectGrads((t) => t.reshape(6, 4).mul(w1), [x]);
    expectGrads((t) => t.transpose(0, 2).mul(w2), [x]);
    expectGrads((t) => t.permute(2, 0, 1).mul(w3), [x]);
    expectGrads((t) => t.unsqueeze(1).mul(w4), [x]);
    expectGrads((t) => t.squeeze(1).mul(w5), [randn(2, 1, 4)]);
    expectGrads((t) => t.flatten(1).mul(w6), [x]);
    expectGrads((t) => F.expand(t, [2, 3, 4]).mul(x), [randn(3, 1)]);
  });

  it('slice, index with repeated integer indices and a mask, gather', () => {
    const x = randn(4, 5);
    const [w1, w2] = [randn(2, 3), randn(4, 5)];
    expectGrads((t) => t.slice('1:3', '::2').mul(w1), [x]);
    const rows = array([0, 2, 2, 3], 'int32');
    expectGrads((t) => t.index(rows).mul(w2), [x]);
    expectGrads((t) => t.index(':', array([1, 1, 4], 'int32')), [x]);
    expectGrads((t) => t.index(x.gt(0)), [x]);
    const idx = array(
      [
        [0, 0, 3],
        [1, 4, 4],
        [2, 2, 2],
        [0, 1, 2],
      ],
      'int32',
    );
    expectGrads((t) => F.gather(t, 1, idx), [x]);
    expectGrads((t) => F.gather(t, 0, array([[0, 3, 3, 1, 2]], 'int32')), [x]);
  });

  it('concat and stack', () => {
    expectGrads((a, b) => F.concat([a, b, a], 1), [randn(2, 3), randn(2, 4)]);
    expectGrads((a, b) => F.stack([a, b], 1), [randn(2, 3), randn(2, 3)]);
  });
});

describe('matmul', () => {
  it('2-D, batched, broadcast batch axes and 1-D operands', () => {
    expectGrads((a, b) => a.matmul(b), [randn(3, 4), randn(4, 5)]);
    expectGrads((a, b) => a.matmul(b), [randn(2, 3, 4, 5), randn(5, 6)]);
    expectGrads((a, b) => a.matmul(b), [randn(4, 5), randn(2, 5, 3)]);
    expectGrads((a, b) => a.matmul(b), [randn(2, 1, 3, 4), randn(1, 5, 4, 2)]);
    expectGrads((a, b) => a.matmul(b), [randn(4), randn(2, 4, 3)]);
    expectGrads((a, b) => a.matmul(b), [randn(3, 4), randn(4)]);
    expectGrads((a, b) => a.matmul(b), [randn(4), randn(4)]);
  });

  it('on transposed views (attention: q · kᵀ), the same tensor on both sides', () => {
    expectGrads((q, k) => q.matmul(k.transpose(-1, -2)), [randn(2, 3, 5, 4), randn(2, 3, 6, 4)]);
    expectGrads((a) => a.matmul(a.transpose()), [randn(3, 4)]);
    expectGrads((a, b) => a.transpose(1, 2).matmul(b), [randn(2, 4, 3), randn(2, 4, 5)]);
  });

  it('linear: 2-D, on the last axis of 3-D, flattened images, no bias', () => {
    expectGrads((x, w, b) => F.linear(x, w, b), [randn(3, 4), randn(4, 5), randn(5)]);
    expectGrads((x, w, b) => F.linear(x, w, b), [randn(2, 3, 4), randn(4, 5), randn(5)]);
    expectGrads((x, w, b) => F.linear(x, w, b), [randn(2, 2, 3), randn(6, 5), randn(5)]);
    expectGrads((x, w) => F.linear(x, w), [randn(3, 4), randn(4, 2)]);
  });
});

describe('softmax family, maskedFill, where', () => {
  it('softmax and logSoftmax along the last and a middle axis', () => {
    const x = randn(2, 3, 4);
    expectGrads((t) => t.softmax(), [x]);
    expectGrads((t) => t.softmax(1), [x]);
    expectGrads((t) => t.logSoftmax(), [x]);
    expectGrads((t) => t.logSoftmax(0), [x]);
  });

  it('masked softmax with a causal (S, T) mask over (N, heads, S, T), and a full-shape mask', () => {
    const causal = array([
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
    ]).astype('bool');
    expectGrads((t) => F.maskedSoftmax(t, causal), [randn(2, 2, 3, 3)]);
    const full = g.rand(2, 3, 4).gt(0.3);
    full.set([':', ':', 0], 1); // no row fully masked
    expectGrads((t) => F.maskedSoftmax(t, full), [randn(2, 3, 4)]);
  });

  it('maskedFill then softmax equals maskedSoftmax, with the same gradient', () => {
    const causal = array([
      [1, 0],
      [1, 1],
    ]).astype('bool');
    expectGrads((t) => t.maskedFill(causal.eq(0), -Infinity).softmax(), [randn(3, 2, 2)]);
    expectGrads((t) => t.maskedFill(causal, 0.5).mul(t), [randn(3, 2, 2)]);
  });

  it('where with broadcasting', () => {
    const c = g.rand(3, 4).gt(0.5);
    expectGrads((a, b) => F.where(c, a, b), [randn(3, 4), randn(4)]);
    expectGrads((a) => F.where(c, a, 0), [randn(3, 1)]);
  });
});

describe('layers as ops', () => {
  it('embedding with repeated indices, and paddingIdx (no gradient to that row)', () => {
    const idx = array(
      [
        [0, 2, 2],
        [3, 0, 1],
      ],
      'int32',
    );
    expectGrads((w) => F.embedding(idx, w), [randn(4, 5)]);
    const w = tensor(randn(4, 5), { requiresGrad: true });
    F.embedding(idx, w, { paddingIdx: 2 }).sum().backward();
    expect(w.grad!.sum(1).toArray()).toEqual([10, 5, 0, 5]);
  });

  it('dropout (a seeded mask), in training and not', () => {
    expectGrads((x) => F.dropout(x, 0.6, { rng: new Generator(3) }), [randn(4, 5)]);
    expectGrads((x) => F.dropout(x, 0.6, { training: false }).mul(2), [randn(4, 5)]);
  });

  it('conv2d with stride and padding, with and without bias', () => {
    expectGrads(
      (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }),
      [randn(2, 3, 5, 5), randn(4, 3, 3, 3), randn(4)],
    );
    expectGrads((x, w) => F.conv2d(x, w), [randn(1, 2, 4, 4), randn(3, 2, 2, 2)]);
  });

  it('convTranspose2d (its backward is the conv forward and weight gradient)', () => {
    expectGrads(
      (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }),
      [randn(2, 3, 3, 3), randn(3, 4, 4, 4), randn(4)],
    );
    expectGrads((x, w) => F.convTranspose2d(x, w), [randn(1, 2, 3, 4), randn(2, 3, 2, 3)]);
  });

  it('maxPool2d, avgPool2d, and the fused convReluPool2d', () => {
    expectGrads((x) => F.maxPool2d(x, 2), [randn(2, 3, 4, 6)]);
    expectGrads((x) => F.maxPool2d(x, 3, 1), [randn(1, 2, 5, 5)]);
    expectGrads((x) => F.avgPool2d(x, 2), [randn(2, 3, 4, 6)]);
    expectGrads(
      (x, w, b) => F.convReluPool2d(x, w, b, { padding: 1 }, { kernelSize: 2 }),
      [randn(2, 2, 4, 4), randn(3, 2, 3, 3), randn(3)],
    );
  });

  it('batchNorm on (N, D) and (N, C, H, W) in train and test mode; layerNorm on (N, T, D)', () => {
    const [mu, v] = [randn(3).mul(0.1), positive(3)];
    // Fresh running statistics for each call: train mode updates them.
    const bn = (mode: 'train' | 'test') => (x: Tensor, gm: Tensor, bt: Tensor) =>
      F.batchNorm(x, gm, bt, { mode, runningMean: mu.copy(), runningVar: v.copy() });
    expectGrads(bn('train'), [randn(5, 3), randn(3), randn(3)]);
    expectGrads(bn('test'), [randn(5, 3), randn(3), randn(3)]);
    expectGrads(bn('train'), [randn(2, 3, 2, 2), randn(3), randn(3)]);
    expectGrads((x, gm, bt) => F.layerNorm(x, gm, bt), [randn(2, 3, 4), randn(4), randn(4)]);
  });
});

describe('losses', () => {
  const y = array([0, 3, 1, 3, 2], 'int32');
  it('crossEntropy: mean, sum, none, and ignoreIndex', () => {
    expectGrads((s) => F.crossEntropy(s, y), [randn(5, 4)]);
    expectGrads((s) => F.crossEntropy(s, y, { reduction: 'sum' }), [randn(5, 4)]);
    expectGrads((s) => F.crossEntropy(s, y, { reduction: 'none' }), [randn(5, 4)]);
    expectGrads((s) => F.crossEntropy(s, y, { ignoreIndex: 3 }), [randn(5, 4)]);
    expectGrads(
      (s) => F.crossEntropy(s, array([0, -100, 2, -100, 1], 'int32'), { ignoreIndex: -100 }),
      [randn(5, 4)],
    );
  });

  it('crossEntropy with ignoreIndex matches the mean over the kept rows', () => {
    const s = randn(5, 4);
    const kept = array([0, 2, 4], 'int32');
    const a = F.crossEntropy(tensor(s), y, { ignoreIndex: 3 }).item();
    const b = F.crossEntropy(tensor(s.get(kept)), y.get(kept)).item();
    expect(Math.abs(a - b)).toBeLessThan(1e-14);
  });

  it('bceWithLogits and mse', () => {
    const t = g.rand(3, 4);
    expectGrads((x) => F.bceWithLogits(x, t), [randn(3, 4)]);
    expectGrads((x) => F.bceWithLogits(x, t, { reduction: 'sum' }), [randn(3, 4)]);
    expectGrads((x) => F.mse(x, t), [randn(3, 4)]);
    expectGrads((x, z) => F.mse(x, z, { reduction: 'none' }), [randn(3, 4), randn(3, 4)]);
  });
});
