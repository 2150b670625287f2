/** The gradient-checking utilities themselves, on functions with known derivatives. */
import { describe, expect, it } from 'vitest';
import { Generator, array } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';

const g = new Generator(1);

/** loss = Σ (X·W)² (+ nothing of c): grads 2·Xᵀ(X·W) for W, zero for c; `scale` plants a wrong W gradient. */
function quadraticModel(scale = 1) {
  const params = { W: g.randn(3, 2), c: g.randn(2) };
  return {
    params,
    loss(X: ReturnType<typeof g.randn>): [number, Record<string, ReturnType<typeof g.randn>>] {
      const Z = X.matmul(params.W);
      return [Z.mul(Z).sum().item(), { W: X.T.matmul(Z).mul(2 * scale), c: params.c.mul(0) }];
    },
  };
}

describe('gradient checking', () => {
  it('checkModelGradients checks each parameter of a model, marks those the loss ignores, restores them', () => {
    const X = g.randn(4, 3);
    const model = quadraticModel();
    const before = model.params.W.toArray();
    const r = nn.checkModelGradients(model, [X]);
    expect(r.loss).toBeCloseTo(X.matmul(model.params.W).pow(2).sum().item(), 12);
    expect(r.params.map((p) => [p.name, p.shape, p.independent])).toEqual([
      ['W', [3, 2], false],
      ['c', [2], true],
    ]);
    expect(r.params[0].relError).toBeLessThan(1e-8);
    expect(r.worst).toBe(r.params[0].relError);
    expect(model.params.W.toArray()).toEqual(before);
    const wrong = nn.checkModelGradients(quadraticModel(1.01), [X]);
    expect(wrong.worst).toBeGreaterThan(1e-3);
    expect(() => nn.checkModelGradients({ params: {}, loss: () => X }, [X])).toThrow(
      /checkModelGradients: model.loss\(...batch\) returned no \[loss, grads\]/,
    );
  });

  it('evalNumericalGradient of Σx³ is 3x², restoring x (also for a strided view)', () => {
    const base = g.rand(4, 3).add(1);
    const x = base.T; // a view: offsets must follow the strides
    const before = base.toArray();
    const grad = nn.evalNumericalGradient((t) => t.mul(t).mul(t).sum().item(), x);
    expect(grad.shape).toEqual([3, 4]);
    expect(nn.relError(grad, x.mul(x).mul(3))).toBeLessThan(1e-8);
    expect(base.toArray()).toEqual(before);
  });

  it('evalNumericalGradientArray contracts with dout', () => {
    const x = g.randn(5);
    const dout = g.randn(5);
    const grad = nn.evalNumericalGradientArray((t) => t.exp(), x, dout);
    expect(nn.relError(grad, x.exp().mul(dout))).toBeLessThan(1e-8);
  });

  it('gradCheckSparse returns small errors for a right gradient and large for a wrong one', () => {
    const x = g.randn(6, 6);
    const f = (t: typeof x) => t.mul(t).sum().item();
    const good = nn.gradCheckSparse(f, x, x.mul(2), 8, 1e-5, { verbose: false, rng: new Generator(2) });
    expect(good).toHaveLength(8);
    expect(Math.max(...good)).toBeLessThan(1e-8);
    const bad = nn.gradCheckSparse(f, x, x.mul(3), 5, 1e-5, { verbose: false });
    expect(Math.min(...bad)).toBeGreaterThan(0.1);
  });

  it("relError is the course's max |x − y| / max(1e-8, |x| + |y|)", () => {
    expect(nn.relError(array([1, 2]), array([1, 2.2]))).toBeCloseTo(0.2 / 4.2, 15);
    expect(nn.relError(array([0, 0]), array([0, 1e-12]))).toBeCloseTo(1e-4, 15);
    expect(nn.relError(3, 3)).toBe(0);
  });
});
