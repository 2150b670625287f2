/**
 * The course's GAN functions against PyTorch (scripts/golden_gan.py → test/golden/gan.npz): the losses and
 * their gradients, the four networks' parameter counts, outputs and gradients with weights both sides set
 * by one formula; numeric gradient checks of the losses in float64; seeded noise; the alternating step.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../src/autograd/index.js';
import { Generator, loadNpz, type NDArray } from '../../src/ndarray/index.js';
import { array, eye } from '../../src/ndarray/creation.js';
import { classifierScore, frechetDistance } from '../../src/solver/generativeMetrics.js';
import {
  bceLoss,
  buildDcClassifier,
  buildDcGenerator,
  discriminator,
  discriminatorLoss,
  ganStep,
  generator,
  generatorLoss,
  getOptimizer,
  lsDiscriminatorLoss,
  lsGeneratorLoss,
  runAGan,
  sampleNoise,
} from '../../src/models/gan.js';
import type { Module } from '../../src/nn/modules/module.js';
import { expectGrads } from '../autograd/helpers.js';
import { relError } from './numeric.js';

const golden = loadNpz(fileURLToPath(new URL('../golden/gan.npz', import.meta.url)));
const g = (k: string): NDArray => {
  const a = golden[k];
  if (!a) throw new Error(`gan.npz has no '${k}'`);
  return a;
};

describe('GAN losses (PyTorch goldens, float64)', () => {
  const cases: [string, (...t: Tensor[]) => Tensor, NDArray[]][] = [
    ['bce', (a) => bceLoss(a, g('loss/target')), [g('loss/real')]],
    ['d', discriminatorLoss, [g('loss/real'), g('loss/fake')]],
    ['g', generatorLoss, [g('loss/fake')]],
    ['lsd', lsDiscriminatorLoss, [g('loss/real'), g('loss/fake')]],
    ['lsg', lsGeneratorLoss, [g('loss/fake')]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(`${name}: value and gradients as PyTorch's, and numeric gradients`, () => {
      const ts = inputs.map((x) => tensor(x.copy(), { requiresGrad: true }));
      const v = fn(...ts);
      expect(Math.abs(v.item() - g(`loss/${name}`).item())).toBeLessThan(1e-12);
      v.backward();
      ts.forEach((t, i) => expect(relError(t.grad!, g(`loss/${name}/grad${i}`))).toBeLessThan(1e-10));
      expectGrads(
        fn,
        inputs.map((x) => x.copy()),
      );
    });
  }

  it('bceLoss refuses targets of another size, naming both shapes', () => {
    expect(() => bceLoss(tensor(g('loss/real')), g('loss/target').slice('0:3'))).toThrow(
      /bceLoss: target of shape \(3,\) does not match logits of shape \(7, 1\)/,
    );
  });
});

/** Sets every float entry of the module's state dict by the script's formula, as PyTorch's side did. */
function setWeights(m: Module): void {
  const sd = m.stateDict();
  const next: Record<string, NDArray> = {};
  Object.entries(sd).forEach(([name, t], k) => {
    if (name.endsWith('num_batches_tracked')) next[name] = t;
    else if (name.endsWith('running_mean')) next[name] = t.mul(0);
    else if (name.endsWith('running_var')) next[name] = t.mul(0).add(1);
    else {
      const n = t.size;
      const vals = Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + k) / Math.sqrt(n / t.shape[0]));
      next[name] = array(Float64Array.from(vals), [...t.shape], 'float64');
    }
  });
  m.loadStateDict(next);
}

describe('the four networks, as the course builds them', () => {
  const nets: [string, () => [Module, Module]][] = [
    ['mlp', () => [discriminator({ dtype: 'float64' }), generator(96, { dtype: 'float64' })]],
    ['dc', () => [buildDcClassifier({ dtype: 'float64' }), buildDcGenerator(96, { dtype: 'float64' })]],
  ];
  for (const [tag, build] of nets) {
    it(`${tag}: parameter counts, outputs and gradients equal PyTorch's`, () => {
      const [D, G] = build();
      const count = (m: Module): number => m.parameters().reduce((a, p) => a + p.size, 0);
      expect(count(D)).toBe(g(`${tag}/D/numParams`).item());
      expect(count(G)).toBe(g(`${tag}/G/numParams`).item());
      setWeights(D);
      setWeights(G);
      const dx = D.call(tensor(g('x')));
      expect(dx.shape).toEqual([4, 1]);
      expect(relError(dx.data, g(`${tag}/D(x)`))).toBeLessThan(1e-10);
      const gz = G.call(tensor(g('z')));
      expect(gz.shape).toEqual([4, 784]);
      expect(relError(gz.data, g(`${tag}/G(z)`))).toBeLessThan(1e-10);
      const loss = generatorLoss(D.call(gz));
      expect(Math.abs(loss.item() - g(`${tag}/gLoss`).item())).toBeLessThan(1e-12);
      loss.backward();
      const grads: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(D.gradStateDict())) grads[`D.${k}`] = v;
      for (const [k, v] of Object.entries(G.gradStateDict())) grads[`G.${k}`] = v;
      const names = Object.keys(golden).filter((k) => k.startsWith(`${tag}/grad/`));
      expect(names.length).toBeGreaterThan(3);
      for (const k of names) {
        const name = k.slice(`${tag}/grad/`.length);
        expect(relError(grads[name], g(k)), name).toBeLessThan(1e-9);
      }
    });

    it(`${tag}: initial parameters drawn as the course's PyTorch code draws them (bound and spread)`, () => {
      const draws = [1, 2, 3, 4, 5].map((seed) => {
        const rng = new Generator(seed);
        const [D, G] =
          tag === 'mlp'
            ? [discriminator({ rng }), generator(96, { rng })]
            : [buildDcClassifier({ rng }), buildDcGenerator(96, { rng })];
        return { D: D.stateDict(), G: G.stateDict() };
      });
      const keys = Object.keys(golden).filter((k) => k.startsWith(`init/${tag}/`) && k.endsWith('/bound'));
      expect(keys.length).toBeGreaterThanOrEqual(tag === 'mlp' ? 12 : 16);
      for (const k of keys) {
        const [, , part, name] = k.split('/') as [string, string, 'D' | 'G', string];
        const arrays = draws.map((d) => d[part][name]);
        expect(arrays[0], k).toBeDefined();
        const bound = Math.max(...arrays.map((a) => a.abs().max().item()));
        const std = arrays.reduce((s, a) => s + a.std().item(), 0) / arrays.length;
        // The goldens are maxima and spreads of 20 draws: close to the exact values only for larger tensors.
        const tol = arrays[0].size >= 32 ? 0.05 : 0.35;
        const [tb, ts] = [g(k).item(), g(k.replace(/bound$/, 'std')).item()];
        expect(Math.abs(bound - tb), `${k}: ${bound} vs PyTorch's ${tb}`).toBeLessThanOrEqual(tol * tb);
        if (arrays[0].size >= 32)
          expect(Math.abs(std - ts), `${k} std: ${std} vs PyTorch's ${ts}`).toBeLessThanOrEqual(tol * ts);
      }
    });
  }
});

describe('sampleNoise', () => {
  it('is uniform in [-1, 1), (N, dim), and the same for the same seed', () => {
    const a = sampleNoise(500, 20, { seed: 3 });
    expect(a.shape).toEqual([500, 20]);
    expect(a.min().item()).toBeGreaterThanOrEqual(-1);
    expect(a.max().item()).toBeLessThan(1);
    expect(Math.abs(a.mean().item())).toBeLessThan(0.03);
    expect(a.min().item()).toBeLessThan(-0.99);
    expect(sampleNoise(500, 20, { seed: 3 }).toArray()).toEqual(a.toArray());
    expect(sampleNoise(500, 20, { seed: 4 }).toArray()).not.toEqual(a.toArray());
  });

  it('refuses a noise dimension of 0', () => {
    expect(() => sampleNoise(4, 0)).toThrow(
      /sampleNoise: the noise dimension must be a whole number >= 1, got 0/,
    );
    expect(() => generator(0)).toThrow(/generator: the noise dimension/);
  });
});

describe('ganStep and runAGan', () => {
  it("the generator's step sees the discriminator after its update (the course's alternation)", () => {
    const rng = new Generator(0);
    const D = discriminator({ rng, dtype: 'float64' });
    const G = generator(8, { rng, dtype: 'float64' });
    const x = rng.uniform(-1, 1, [6, 784]);
    const optD = getOptimizer(D);
    expect(optD.betas).toEqual([0.5, 0.999]);
    expect(optD.lr).toBe(1e-3);
    let dAfter: NDArray | null = null;
    let gLossSeen = NaN;
    const noise = new Generator(5);
    const r = ganStep(D, G, x, {
      discriminatorLoss,
      generatorLoss,
      noiseDim: 8,
      rng: noise,
      stepD: () => {
        optD.step();
        dAfter = D.namedParameters()[0][1].copy();
      },
      stepG: () => {
        // Recompute the generator's loss by hand with the updated D and the second noise draw.
        const z = new Generator(5);
        z.uniform(-1, 1, [6, 8]); // the first draw: the discriminator's fakes
        const fake = G.call(tensor(z.uniform(-1, 1, [6, 8])));
        gLossSeen = generatorLoss(D.call(fake)).item();
      },
    });
    expect(dAfter).not.toBeNull();
    expect(Math.abs(r.gLoss - gLossSeen)).toBeLessThan(1e-12);
    expect(r.fake.shape).toEqual([6, 784]);
  });

  it('runAGan trains both nets (losses move) and keeps 16 samples every showEvery iterations', () => {
    const rng = new Generator(1);
    const D = discriminator({ rng });
    const G = generator(16, { rng });
    const data = rng.uniform(-1, 1, [40, 784]).astype('float32');
    const before = G.parameters()[0].copy();
    const lines: string[] = [];
    const images = runAGan(
      D,
      G,
      getOptimizer(D),
      getOptimizer(G),
      lsDiscriminatorLoss,
      lsGeneratorLoss,
      function* () {
        for (let s = 0; s < 40; s += 16) yield data.slice(`${s}:${Math.min(40, s + 16)}`);
      },
      { batchSize: 16, noiseSize: 16, numEpochs: 2, showEvery: 2, log: (l) => lines.push(l) },
    );
    // 2 full batches per epoch (the last of 8 is skipped) → iterations 0..3, shown at 0 and 2.
    expect(images.length).toBe(2);
    expect(images[0].shape).toEqual([16, 784]);
    expect(lines[0]).toMatch(/^Iter: 0, D: [\d.]+, G:[\d.]+$/);
    expect(relError(G.parameters()[0], before)).toBeGreaterThan(1e-6);
  });
});

describe('the quality numbers (numpy goldens)', () => {
  it('classifierScore is the Inception Score formula: exp(mean KL(p(y|x) || p(y)))', () => {
    expect(Math.abs(classifierScore(g('score/probs')) - g('score/value').item())).toBeLessThan(1e-12);
    // One sure class per sample, ten classes equally often: 10; every sample the same: 1.
    const onehot = eye(10).astype('float64');
    expect(classifierScore(onehot)).toBeCloseTo(10, 12);
    expect(classifierScore(onehot.slice('3:4').repeat(5, 0))).toBeCloseTo(1, 12);
  });

  it('frechetDistance matches numpy (eigenvalues of S1·S2) and is 0 between identical sets', () => {
    const d = frechetDistance(g('fid/a'), g('fid/b'));
    expect(Math.abs(d - g('fid/value').item()) / g('fid/value').item()).toBeLessThan(1e-9);
    expect(Math.abs(frechetDistance(g('fid/a'), g('fid/a')))).toBeLessThan(1e-9);
    expect(() => frechetDistance(g('fid/a'), g('fid/b').slice(':', '0:3'))).toThrow(
      /frechetDistance: features of shapes \(40, 6\) and \(30, 3\)/,
    );
  });
});
