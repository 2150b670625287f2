/** SimCLR's contrastive loss against the course's PyTorch code (scripts/golden_simclr.py), naive against vectorized, numeric gradients. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '../../src/autograd/index.js';
import { Generator, loadNpz } from '../../src/ndarray/index.js';
import {
  computeSimMatrix,
  normalizeRows,
  sim,
  simclrLossNaive,
  simclrLossVectorized,
  simPositivePairs,
} from '../../src/models/simclr.js';
import { expectGrads } from '../autograd/helpers.js';
import { relError } from './numeric.js';

const golden = loadNpz(fileURLToPath(new URL('../golden/simclr.npz', import.meta.url)));
const left = golden.left;
const right = golden.right;

describe('SimCLR contrastive loss', () => {
  it('sim is the cosine similarity, as PyTorch computes it', () => {
    const v = sim(tensor(left.get(0)), tensor(right.get(2))).item();
    expect(Math.abs(v - golden.sim.item())).toBeLessThan(1e-14);
  });

  for (const tau of [0.5, 2.0]) {
    for (const [name, fn] of [
      ['naive', simclrLossNaive],
      ['vectorized', simclrLossVectorized],
    ] as const) {
      it(`${name}, tau ${tau}: loss and gradients equal PyTorch's`, () => {
        const l = tensor(left.copy(), { requiresGrad: true });
        const r = tensor(right.copy(), { requiresGrad: true });
        const loss = fn(l, r, tau);
        expect(Math.abs(loss.item() - golden[`${name}/${tau}`].item())).toBeLessThan(1e-12);
        loss.backward();
        expect(relError(l.grad!, golden[`${name}/${tau}/dleft`])).toBeLessThan(1e-10);
        expect(relError(r.grad!, golden[`${name}/${tau}/dright`])).toBeLessThan(1e-10);
      });
    }
  }

  it('naive and vectorized agree to 1e-10 in float64, and both pass numeric gradient checks', () => {
    const rng = new Generator(3);
    const a = rng.randn(4, 6);
    const b = rng.randn(4, 6);
    const naive = simclrLossNaive(tensor(a), tensor(b), 0.3).item();
    const vec = simclrLossVectorized(tensor(a), tensor(b), 0.3).item();
    expect(Math.abs(naive - vec)).toBeLessThan(1e-10);
    expectGrads((x: Tensor, y: Tensor) => simclrLossNaive(x, y, 0.3), [a.copy(), b.copy()]);
    expectGrads((x: Tensor, y: Tensor) => simclrLossVectorized(x, y, 0.3), [a.copy(), b.copy()]);
  });

  it('simPositivePairs and computeSimMatrix on normalised rows', () => {
    const l = normalizeRows(tensor(left));
    const r = normalizeRows(tensor(right));
    const pos = simPositivePairs(l, r);
    expect(pos.shape).toEqual([5, 1]);
    expect(
      Math.abs(pos.data.get(0, 0).item() - sim(tensor(left.get(0)), tensor(right.get(0))).item()),
    ).toBeLessThan(1e-14);
    const m = computeSimMatrix(l);
    expect(m.shape).toEqual([5, 5]);
    for (let i = 0; i < 5; i++) expect(m.data.get(i, i).item()).toBeCloseTo(1, 14);
  });

  it('refuses a temperature <= 0 and mismatched projections', () => {
    expect(() => simclrLossVectorized(tensor(left), tensor(right), 0)).toThrow(
      /simclrLossVectorized: the temperature tau must be a number > 0, got 0/,
    );
    expect(() => simclrLossNaive(tensor(left), tensor(right.slice('0:3')), 0.5)).toThrow(
      /outLeft of shape \(5, 7\) and outRight of shape \(3, 7\) must both be \(N, D\)/,
    );
  });
});
