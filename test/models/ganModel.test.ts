/** GanModel under the Solver: both nets learn in stages, and a restored state continues with the same losses. */
import { describe, expect, it } from 'vitest';
import { ArrayDataset } from '../../src/data/batches.js';
import { noGrad, tensor } from '../../src/autograd/tensor.js';
import { sampleNoise } from '../../src/models/gan.js';
import { GanModel, ganSolverConfig } from '../../src/models/ganModel.js';
import { Generator } from '../../src/ndarray/random.js';
import { Solver, type SolverOptions } from '../../src/solver/solver.js';
import type { SolverState } from '../../src/solver/state.js';
import { relError } from './numeric.js';

const X = new Generator(7).uniform(-1, 1, [16, 784], 'float32');
const opts = (numEpochs: number): SolverOptions => ({
  ...ganSolverConfig(),
  batchSize: 8,
  numEpochs,
  metric: null,
  verbose: false,
  seed: 3,
});

describe('GanModel with the Solver', () => {
  it('records both losses, updates D then G with their own Adam state, and resumes exactly', () => {
    const full = new GanModel({ kind: 'lsgan', noiseDim: 8, seed: 1 });
    const s1 = new Solver(full, { train: new ArrayDataset(X) }, opts(2));
    s1.train();
    expect(s1.partsHistory.dLoss).toHaveLength(4);
    expect(s1.partsHistory.gLoss).toHaveLength(4);
    expect(s1.lossHistory).toEqual(s1.partsHistory.dLoss);
    // Each parameter has its own Adam moments and step count (the course's two optimizers).
    expect(s1.optimConfigs['D.1.weight'].t).toBe(4);
    expect(s1.optimConfigs['G.0.weight'].t).toBe(4);
    expect(s1.optimConfigs['G.0.weight'].beta1).toBe(0.5);

    const half = new GanModel({ kind: 'lsgan', noiseDim: 8, seed: 1 });
    const s2 = new Solver(half, { train: new ArrayDataset(X) }, opts(2));
    for (let i = 0; i < 3; i++) s2.step(); // mid-epoch
    const saved: SolverState = JSON.parse(JSON.stringify({ meta: s2.state().meta, arrays: {} }));
    saved.arrays = Object.fromEntries(Object.entries(s2.state().arrays).map(([k, v]) => [k, v.copy()]));
    // The state holds the noise generator and the batchnorm statistics.
    expect(saved.meta.rng.model).not.toBeNull();
    expect(Object.keys(saved.arrays).some((k) => k.startsWith('best/'))).toBe(false);

    const fresh = new GanModel({ kind: 'lsgan', noiseDim: 8, seed: 99 });
    const s3 = Solver.restore(fresh, { train: new ArrayDataset(X) }, saved, opts(2));
    s3.train();
    expect(s3.partsHistory.gLoss).toEqual(s1.partsHistory.gLoss);
    expect(s3.partsHistory.dLoss).toEqual(s1.partsHistory.dLoss);
    for (const [k, p] of Object.entries(full.params)) expect(relError(fresh.params[k], p), k).toBe(0);
  });

  it("a DCGAN's state holds its generator's batchnorm statistics", () => {
    const gan = new GanModel({ kind: 'dcgan' });
    expect(Object.keys(gan.buffers())).toEqual(
      expect.arrayContaining(['G.2.runningMean', 'G.5.runningVar', 'G.9.runningMean']),
    );
  });

  it('generate gives (n, 784) in [-1, 1], the same for the same seed', () => {
    const gan = new GanModel({ kind: 'gan', noiseDim: 8 });
    const a = gan.generate(5, new Generator(2));
    expect(a.shape).toEqual([5, 784]);
    expect(a.abs().max().item()).toBeLessThanOrEqual(1);
    expect(gan.generate(5, new Generator(2)).toArray()).toEqual(a.toArray());
  });

  it("generate with batchStatistics normalises by each chunk's own statistics and keeps the running averages", () => {
    const gan = new GanModel({ kind: 'dcgan', noiseDim: 8, seed: 4 });
    // Running averages unlike any one batch's statistics, so eval mode and batch statistics differ.
    for (const [k, v] of Object.entries(gan.buffers())) v.set('...', k.endsWith('runningVar') ? 4 : 0.5);
    const before = Object.fromEntries(Object.entries(gan.G.stateDict()).map(([k, v]) => [k, v.copy()]));
    const a = gan.generate(6, new Generator(2), { batchStatistics: true });
    for (const [k, v] of Object.entries(gan.G.stateDict()))
      expect(v.toArray(), k).toEqual(before[k].toArray());
    expect(gan.G.training).toBe(true);
    // The oracle: the same noise through the generator in training mode.
    const z = sampleNoise(6, 8, { rng: new Generator(2) });
    const oracle = noGrad(() => gan.G.call(tensor(z))).data;
    expect(relError(a, oracle)).toBeLessThan(1e-6);
    expect(relError(gan.generate(6, new Generator(2)), a)).toBeGreaterThan(1e-2);
  });

  it('refuses a noise dimension of 0 and an unknown kind', () => {
    expect(() => new GanModel({ kind: 'gan', noiseDim: 0 })).toThrow(
      /noise dimension must be a whole number >= 1, got 0/,
    );
    expect(() => new GanModel({ kind: 'wgan' as never })).toThrow(
      /unknown kind 'wgan' \(valid: gan, lsgan, dcgan\)/,
    );
  });
});
