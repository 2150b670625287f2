/**
 * MultiHeadAttention, PositionalEncoding, TransformerDecoderLayer and CaptioningTransformer against the
 * course's PyTorch code (scripts/golden_attention.py, float64): the same weights loaded through
 * loadStateDict give PyTorch's outputs and every gradient to 1e-10; the optimizers on tensors take PyTorch's
 * steps. The attention modules also pass numeric gradient checks through their explicit face.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Tensor, noGrad, tensor } from '../../src/autograd/index.js';
import { Generator, loadNpz, type NDArray } from '../../src/ndarray/index.js';
import { evalNumericalGradientArray } from '../../src/nn/gradientCheck.js';
import {
  MultiHeadAttention,
  PositionalEncoding,
  TransformerDecoderLayer,
  type Module,
} from '../../src/nn/modules/index.js';
import { CaptioningTransformer } from '../../src/models/captioningTransformer.js';
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  RMSprop,
  SGD,
  StepLR,
  type Optimizer,
} from '../../src/optim/optimizers.js';
import { relError } from '../models/numeric.js';

const golden = loadNpz(fileURLToPath(new URL('../golden/attention.npz', import.meta.url)));
const f64 = { dtype: 'float64' as const, dropout: 0 };

/** The arrays saved under `prefix.` (prefix removed). */
function under(prefix: string): Record<string, NDArray> {
  const p = `${prefix}.`;
  return Object.fromEntries(
    Object.entries(golden)
      .filter(([k]) => k.startsWith(p))
      .map(([k, v]) => [k.slice(p.length), v]),
  );
}

/**
 * a ≈ b relative to their scale. A gradient that is zero in exact arithmetic (the key projection's bias: it
 * shifts every score of a row alike, which the softmax cancels) is round-off on both sides: both must be ~0.
 */
function expectClose(a: NDArray, b: NDArray, what: string, tol = 1e-10): void {
  expect(a.shape, what).toEqual(b.shape);
  if (b.abs().max().item() < 1e-12) expect(a.abs().max().item(), what).toBeLessThan(1e-12);
  else expect(relError(a, b), what).toBeLessThan(tol);
}

/** Loads the case's state, runs `run` on leaf tensors of its inputs, backward with its dout, compares all. */
function checkCase(
  name: string,
  m: Module,
  inputs: string[],
  run: (...xs: (Tensor | NDArray)[]) => Tensor,
): void {
  const c = under(name);
  m.loadStateDict(under(`${name}.state`));
  const leaves = new Map<string, Tensor>();
  const args = inputs.map((k) => {
    if (k === 'mask') return c.mask;
    // One tensor for inputs PyTorch passed as one (self-attention's key and value).
    const key = name === 'mha' && k === 'value' ? 'key' : k;
    if (!leaves.has(key)) leaves.set(key, tensor(c[key], { requiresGrad: true }));
    return leaves.get(key)!;
  });
  const out = run(...args);
  expectClose(out.data, c.out, `${name} output`);
  out.backward(c.dout);
  for (const [k, t] of leaves) expectClose(t.grad!, c[`grad.${k}`], `${name} d${k}`);
  const grads = m.gradStateDict();
  const torchGrads = under(`${name}.grad`);
  for (const k of Object.keys(m.stateDict())) {
    if (!(k in torchGrads)) continue; // a buffer
    expectClose(grads[k], torchGrads[k], `${name} d${k}`);
  }
  expect(Object.keys(grads).sort()).toEqual(
    Object.keys(torchGrads)
      .filter((k) => !inputs.includes(k))
      .sort(),
  );
}

describe('attention equals the course’s PyTorch code (float64, 1e-10)', () => {
  it('MultiHeadAttention: causal self-attention (key and value one tensor), and cross-attention', () => {
    const mha = new MultiHeadAttention(8, 2, f64);
    expect(Object.keys(mha.stateDict())).toEqual(Object.keys(under('mha.state')));
    checkCase('mha', mha, ['query', 'key', 'value', 'mask'], (q, k, v, m) => mha.call(q, k, v, m));
    const cross = new MultiHeadAttention(8, 2, f64);
    checkCase('cross', cross, ['query', 'key', 'value'], (q, k, v) => cross.call(q, k, v));
  });

  it('PositionalEncoding: the buffer and the output', () => {
    const pe = new PositionalEncoding(8, { ...f64, maxLen: 7 });
    expectClose(pe.buffers.pe, golden['pe.state.pe'], 'pe buffer', 1e-15);
    checkCase('pe', pe, ['x'], (x) => pe.call(x));
  });

  it('TransformerDecoderLayer with a causal mask', () => {
    const dec = new TransformerDecoderLayer(8, 2, { ...f64, dimFeedforward: 12 });
    checkCase('dec', dec, ['tgt', 'memory', 'mask'], (t, m, mask) => dec.call(t, m, mask));
  });

  it('CaptioningTransformer: scores, the course’s Transformer loss and every gradient', () => {
    const words = ['<NULL>', '<START>', '<END>', 'a', 'cat', 'dog', 'sat'];
    const model = new CaptioningTransformer({
      wordToIdx: Object.fromEntries(words.map((w, i) => [w, i])),
      inputDim: 6,
      wordvecDim: 8,
      numHeads: 2,
      numLayers: 2,
      maxLength: 10,
      dimFeedforward: 12,
      dropout: 0,
      dtype: 'float64',
    });
    model.loadStateDict(under('cap.state'));
    const c = under('cap');
    const T = c.captions.shape[1] - 1;
    const scores = noGrad(() => model.net.call(tensor(c.features), tensor(c.captions.slice(':', `:${T}`))));
    expectClose(scores.data, c.scores, 'scores');
    const [loss] = model.loss(c.features, c.captions);
    expect(Math.abs(loss - c.loss.item())).toBeLessThan(1e-12);
    const grads = model.net.gradStateDict();
    const torchGrads = under('cap.grad');
    expect(Object.keys(grads).sort()).toEqual(Object.keys(torchGrads).sort());
    for (const [k, g] of Object.entries(torchGrads)) expectClose(grads[k], g, k);
  });
});

describe('the explicit face of the attention modules: numeric gradients', () => {
  it('MultiHeadAttention on NDArrays (call records the tape, backward runs it)', () => {
    const g = new Generator(5);
    const mha = new MultiHeadAttention(6, 3, { ...f64, rng: g });
    const [q, k, v] = [g.randn(2, 3, 6), g.randn(2, 4, 6), g.randn(2, 4, 6)];
    const mask = g.rand(3, 4).gt(0.3);
    mask.set([':', 0], 1);
    const out = mha.call(q, k, v, mask);
    const dout = g.randn(out.shape);
    const dq = mha.backward(dout);
    const [dk, dv] = mha.inputGrads;
    const f = () => noGrad(() => mha.call(q, k, v, mask).copy());
    for (const [x, d, name] of [
      [q, dq, 'q'],
      [k, dk, 'k'],
      [v, dv, 'v'],
    ] as const)
      expect(relError(d, evalNumericalGradientArray(f, x, dout)), name).toBeLessThan(1e-8);
    const grads = Object.fromEntries(mha.namedGrads());
    for (const [name, p] of mha.namedParameters()) {
      if (name === 'key.bias')
        expect(grads[name].abs().max().item()).toBeLessThan(1e-12); // zero: see expectClose
      else expect(relError(grads[name], evalNumericalGradientArray(f, p, dout)), name).toBeLessThan(1e-8);
    }
  });
});

describe('optimizers on tensors take PyTorch’s steps', () => {
  const o = under('optim');
  const make: Record<string, (p: Tensor[]) => Optimizer> = {
    sgd: (p) => new SGD(p, { lr: 0.1 }),
    momentum: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
    nesterov: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
    adam: (p) => new Adam(p, { lr: 0.01, betas: [0.8, 0.99], weightDecay: 0.1 }),
    adamw: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }),
    rmsprop: (p) => new RMSprop(p, { lr: 0.01, alpha: 0.9 }),
  };
  it.each(Object.keys(make))('%s', (name) => {
    const p = tensor(o.w0.copy(), { requiresGrad: true });
    const opt = make[name]([p]);
    for (let i = 0; i < 3; i++) {
      p.grad = o[`grad${i}`].copy();
      const v = p.version;
      opt.step();
      expect(p.version).toBe(v + 1);
      expectClose(p.data, o[`${name}.${i}`], `${name} step ${i}`, 1e-12);
    }
  });

  it('StepLR and CosineAnnealingLR', () => {
    for (const [name, sched] of [
      ['step', (opt: Optimizer) => new StepLR(opt, { stepSize: 2, gamma: 0.5 })],
      ['cosine', (opt: Optimizer) => new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 })],
    ] as const) {
      const opt = new SGD([tensor(o.w0, { requiresGrad: true })], { lr: 0.1 });
      const s = sched(opt);
      const rates = golden[`lr.${name}`].toArray() as number[];
      for (const r of rates) {
        s.step();
        expect(Math.abs(opt.lr - r), name).toBeLessThan(1e-15);
      }
    }
  });
});
