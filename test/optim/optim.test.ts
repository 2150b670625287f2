import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { array, type NDArray } from '../../src/ndarray/index.js';
import { adam, rmsprop, sgd, sgdMomentum, type OptimConfig } from '../../src/optim/index.js';

const golden = JSON.parse(readFileSync(new URL('../golden/optim.json', import.meta.url), 'utf8'));
const g = (x: number[][]) => array(x);

function maxRelError(a: NDArray, b: NDArray): number {
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let e = 0;
  for (let i = 0; i < x.length; i++)
    e = Math.max(e, Math.abs(x[i] - y[i]) / Math.max(1e-8, Math.abs(x[i]) + Math.abs(y[i])));
  return e;
}

describe('optimizers (CS231n optim.py contract)', () => {
  it('sgd: w - lr*dw, in place, default lr 1e-2', () => {
    const w = array([1, 2, 3]);
    const [nw, config] = sgd(w, array([10, -20, 0.5]));
    expect(nw).toBe(w);
    expect(config.learningRate).toBe(1e-2);
    expect(nw.toArray()).toEqual([1 - 0.1, 2 + 0.2, 3 - 0.005]);
  });

  it('sgdMomentum matches the golden update and velocity', () => {
    const config: OptimConfig = { learningRate: 1e-3, velocity: g(golden.a) };
    const [nw, c] = sgdMomentum(g(golden.w), g(golden.dw), config);
    expect(c.momentum).toBe(0.9);
    expect(maxRelError(nw, g(golden.sgdMomentum.nextW))).toBeLessThan(1e-12);
    expect(maxRelError(c.velocity!, g(golden.sgdMomentum.velocity))).toBeLessThan(1e-12);
  });

  it('sgdMomentum by hand: two steps from zero velocity', () => {
    const w = array([1.0]);
    const c: OptimConfig = { learningRate: 0.1, momentum: 0.5 };
    sgdMomentum(w, array([2.0]), c); // v = -0.2, w = 0.8
    sgdMomentum(w, array([2.0]), c); // v = -0.1 - 0.2 = -0.3, w = 0.5
    expect(c.velocity!.item()).toBeCloseTo(-0.3, 15);
    expect(w.item()).toBeCloseTo(0.5, 15);
  });

  it('rmsprop matches the golden update and cache', () => {
    const config: OptimConfig = { learningRate: 1e-2, cache: g(golden.a) };
    const [nw, c] = rmsprop(g(golden.w), g(golden.dw), config);
    expect(c.decayRate).toBe(0.99);
    expect(c.epsilon).toBe(1e-8);
    expect(maxRelError(nw, g(golden.rmsprop.nextW))).toBeLessThan(1e-12);
    expect(maxRelError(c.cache!, g(golden.rmsprop.cache))).toBeLessThan(1e-12);
  });

  it('adam matches the golden update; t is incremented before use', () => {
    const config: OptimConfig = { learningRate: 1e-2, m: g(golden.b), v: g(golden.a), t: 5 };
    const [nw, c] = adam(g(golden.w), g(golden.dw), config);
    expect(c.t).toBe(6);
    expect(maxRelError(nw, g(golden.adam.nextW))).toBeLessThan(1e-12);
    expect(maxRelError(c.m!, g(golden.adam.m))).toBeLessThan(1e-12);
    expect(maxRelError(c.v!, g(golden.adam.v))).toBeLessThan(1e-12);
  });

  it('adam from a fresh config: defaults and bias correction over three steps', () => {
    const w = g(golden.w);
    const c: OptimConfig = { learningRate: 1e-1 };
    for (let i = 0; i < 3; i++) adam(w, w.mul(2), c);
    expect(c.beta1).toBe(0.9);
    expect(c.beta2).toBe(0.999);
    expect(c.t).toBe(3);
    expect(maxRelError(w, g(golden.adamQuadratic3))).toBeLessThan(1e-12);
    // The first Adam step moves every weight by about lr, whatever the gradient's scale.
    const w1 = array([5.0, -3.0]);
    adam(w1, array([1e-3, -1e4]), { learningRate: 0.1 });
    expect(w1.toArray()).toEqual([expect.closeTo(4.9, 5), expect.closeTo(-2.9, 5)]);
  });

  it('keeps float32 weights float32 and rejects mismatched shapes', () => {
    const w = array([1, 2], 'float32');
    const [nw] = adam(w, array([1, 1], 'float32'));
    expect(nw.dtype).toBe('float32');
    expect(() => sgd(array([1, 2]), array([1, 2, 3]))).toThrow(
      /sgd: dw of shape \(3,\) does not match w of shape \(2,\)/,
    );
  });
});
