/** The seeded generator: streams fixed by the seed (checked against a Python re-implementation), and sane samples. */
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { Generator, rng } from '../../src/index.js';
import { golden } from './helpers.js';

const take = (g: Generator, n: number) => Array.from({ length: n }, () => g.nextUint32());

describe('Generator streams', () => {
  it('match the independent Python xoshiro128** for several seeds', () => {
    expect(take(rng(42), 8)).toEqual(golden.random.seed42_uint32);
    expect(take(rng(0), 4)).toEqual(golden.random.seed0_uint32);
    expect(take(rng(2 ** 40 + 5), 4)).toEqual(golden.random.seed_big_uint32);
    expect(take(rng(Number.MAX_SAFE_INTEGER), 4)).toEqual(golden.random.seed_max_uint32);
    expect(Array.from(rng(42).rand(5).toTypedArray())).toEqual(golden.random.seed42_rand);
  });

  it('are fixed for a seed: first values of each sampler', () => {
    expect(Array.from(rng(42).randn(4).toTypedArray())).toEqual([
      0.6953712153418404, 0.5878986391985577, 2.242263762064122, 0.2149308925848208,
    ]);
    expect(Array.from(rng(42).randint(0, 10, 8).toTypedArray())).toEqual([4, 7, 2, 2, 0, 0, 6, 8]);
    expect(Array.from(rng(7).permutation(8).toTypedArray())).toEqual([2, 1, 7, 4, 3, 5, 6, 0]);
    expect(Array.from(rng(7).choice(10, 5, { replace: false }).toTypedArray())).toEqual([0, 9, 3, 5, 2]);
  });

  it('reseeding and setState replay the stream; the module-level seed() resets the default generator', () => {
    const g = rng(3);
    g.randn(3); // leaves a spare Gaussian in the state
    const st = g.getState();
    const a = g.randn(5).toArray();
    g.setState(st);
    expect(g.randn(5).toArray()).toEqual(a);
    nd.seed(11);
    const x = nd.rand(4).toArray();
    nd.seed(11);
    expect(nd.rand(4).toArray()).toEqual(x);
    expect(rng(1).rand(4).toArray()).not.toEqual(rng(2).rand(4).toArray());
  });
});

describe('seeds', () => {
  it('every whole seed up to 2^53 - 1 has its own stream: none collide through the high bits', () => {
    // Folding the high 32 bits onto the low ones made 2^32 + 1 the stream of 0 and 2^32 that of 1.
    const first = (s: number) => take(rng(s), 4).join(',');
    const seeds = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 33, 2 ** 33 + 2, Date.UTC(2026, 0, 1)];
    seeds.push(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 40 + 5, 5 * 2 ** 32 + 2 ** 40);
    expect(new Set(seeds.map(first)).size).toBe(seeds.length);
  });

  it('a seed that is negative, fractional or beyond 2^53 - 1 is refused, naming the seed', () => {
    // -1 and 0.5 gave the stream of 0; 2^53 + 1 cannot be told from 2^53 in a double.
    for (const bad of [-1, 0.5, 2 ** 53, 1e30, Number.NaN, Infinity])
      expect(() => rng(bad), String(bad)).toThrow(
        /seed: expected a whole number from 0 to 9007199254740991 \(2\^53 - 1\), got /,
      );
    expect(() => nd.seed(-3)).toThrow(/seed: .* got -3/);
  });
});

describe('samplers', () => {
  it('randn has mean 0 and std 1; normal and uniform are shifted and scaled', () => {
    const x = rng(5).randn(200000);
    expect(Math.abs(x.mean().item())).toBeLessThan(0.01); // 4.5 standard errors
    expect(Math.abs(x.std().item() - 1)).toBeLessThan(0.01);
    const n = rng(6).normal(3, 2, [100000]);
    expect(Math.abs(n.mean().item() - 3)).toBeLessThan(0.03);
    expect(Math.abs(n.std().item() - 2)).toBeLessThan(0.03);
    const u = rng(7).uniform(-1, 3, [100000]);
    expect(u.min().item()).toBeGreaterThanOrEqual(-1);
    expect(u.max().item()).toBeLessThan(3);
    expect(Math.abs(u.mean().item() - 1)).toBeLessThan(0.02);
    const f = rng(7).normal(0, 1, [4], 'float32');
    expect(f.dtype).toBe('float32');
  });

  it('rand is in [0, 1) and randint in [low, high), covering every value', () => {
    const r = rng(8).rand(50000);
    expect(r.min().item()).toBeGreaterThanOrEqual(0);
    expect(r.max().item()).toBeLessThan(1);
    const k = rng(9).randint(-3, 4, [7000]);
    expect(k.dtype).toBe('int32');
    expect(nd.unique(k).toArray()).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const counts = nd.bincount(k.add(3)).toArray() as number[];
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(rng(1).rand(2, 3).shape).toEqual([2, 3]);
    expect(rng(1).randn([4, 1]).shape).toEqual([4, 1]);
  });

  it('choice without replacement draws distinct elements; with p it never draws zero-probability ones', () => {
    const g = rng(10);
    for (let t = 0; t < 20; t++) {
      const c = g.choice(50, 50, { replace: false });
      expect(nd.unique(c).size).toBe(50);
    }
    const p = [0.5, 0, 0.25, 0.25];
    const s = g.choice(4, 4000, { p });
    expect((nd.bincount(s, null, 4).toArray() as number[])[1]).toBe(0);
    const w = g.choice(4, 3, { replace: false, p });
    expect(nd.unique(w).toArray()).toEqual([0, 2, 3]);
    const from = g.choice(nd.array([10, 20, 30]), [2, 2]);
    expect(from.shape).toEqual([2, 2]);
    for (const v of from.toTypedArray()) expect([10, 20, 30]).toContain(v);
    expect(() => g.choice(3, 4, { replace: false })).toThrow(/larger sample \(4\) than population \(3\)/);
    expect(() => g.choice(3, 1, { p: [0.5, 0.5, 0.5] })).toThrow(/sum to 1/);
  });

  it('permutation is a permutation; shuffle keeps rows intact', () => {
    const p = rng(11).permutation(1000);
    expect(nd.sort(p).toArray()).toEqual(nd.arange(1000).toArray());
    const x = nd.arange(0, 20, 1, 'float64').reshape(10, 2);
    rng(12).shuffle(x);
    const rows = x.toArray() as number[][];
    for (const [a, b] of rows) expect(b).toBe(a + 1);
    expect(nd.sort(x.get(':', 0)).toArray()).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const col = nd.arange(10).reshape(5, 2).slice(':', 0); // a strided 1-D view shuffles in place
    rng(13).shuffle(col);
    expect(nd.sort(col).toArray()).toEqual([0, 2, 4, 6, 8]);
  });
});
