/** Inverted dropout: kept fraction, mean preserved, seeds, test mode, and its backward. */
import { describe, expect, it } from 'vitest';
import { Generator, ones } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { expectGrad } from './helpers.js';

const g = new Generator(7);

describe('dropout', () => {
  for (const p of [0.25, 0.4, 0.7]) {
    it(`keeps a fraction p = ${p} of units scaled by 1/p, preserving the mean`, () => {
      const x = g.randn(500, 200).add(10);
      const [out, [param, mask]] = nn.dropoutForward(x, { p, mode: 'train', seed: 123 });
      expect(param.p).toBe(p);
      const kept = out.ne(0).astype('float64').mean().item();
      // 100,000 Bernoulli(p) draws: the standard deviation of the fraction is below 0.0016
      expect(Math.abs(kept - p)).toBeLessThan(0.006);
      expect(Math.abs(out.mean().item() - x.mean().item())).toBeLessThan(0.1);
      // every kept unit is x / p exactly, every dropped one 0
      const m = mask!;
      expect(new Set(m.toTypedArray())).toEqual(new Set([0, 1 / p]));
      expect(out.sub(x.mul(m)).abs().max().item()).toBe(0);
    });
  }

  it('is reproducible with a seed and differs without', () => {
    const x = ones([20, 30]);
    const [a] = nn.dropoutForward(x, { p: 0.5, mode: 'train', seed: 42 });
    const [b] = nn.dropoutForward(x, { p: 0.5, mode: 'train', seed: 42 });
    const [c] = nn.dropoutForward(x, { p: 0.5, mode: 'train', seed: 43 });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.toArray()).not.toEqual(c.toArray());
    // an explicit generator drives the mask when there is no seed
    const [d] = nn.dropoutForward(x, { p: 0.5, mode: 'train', rng: new Generator(5) });
    const [e] = nn.dropoutForward(x, { p: 0.5, mode: 'train', rng: new Generator(5) });
    expect(d.toArray()).toEqual(e.toArray());
  });

  it('is the identity in test mode', () => {
    const x = g.randn(4, 5);
    const [out, [, mask]] = nn.dropoutForward(x, { p: 0.3, mode: 'test' });
    expect(out.toArray()).toEqual(x.toArray());
    expect(mask).toBeNull();
    const dout = g.randn(4, 5);
    expect(nn.dropoutBackward(dout, [{ p: 0.3, mode: 'test' }, null])[0].toArray()).toEqual(dout.toArray());
  });

  it('backward matches numeric gradients (fixed seed) and keeps float32', () => {
    const x = g.randn(6, 7);
    const param: nn.DropoutParam = { p: 0.6, mode: 'train', seed: 9 };
    const [out, cache] = nn.dropoutForward(x, param);
    const dout = g.randn(out.shape);
    const [dx] = nn.dropoutBackward(dout, cache);
    expectGrad((t) => nn.dropoutForward(t, param)[0], x, dout, dx, 1e-9);
    const [o32] = nn.dropoutForward(x.astype('float32'), param);
    expect(o32.dtype).toBe('float32');
  });

  it('rejects a keep probability outside (0, 1]', () => {
    expect(() => nn.dropoutForward(g.randn(2), { p: 0, mode: 'train' })).toThrow(
      'dropoutForward: p (the keep probability) must be in (0, 1], got 0',
    );
  });
});
