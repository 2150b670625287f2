/**
 * The tape itself: gradients accumulate and the graph is freed after backward; noGrad, detach, retainGrad;
 * in-place writes the tape still needs are refused (version counters shared by views); and misuse gets one
 * clear error naming the op and the shapes.
 */
import { describe, expect, it } from 'vitest';
import { F, Tensor, isGradEnabled, noGrad, tensor } from '../../src/autograd/index.js';
import { array, ones, zeros } from '../../src/ndarray/index.js';
import { MultiHeadAttention } from '../../src/nn/modules/index.js';
import { SGD } from '../../src/optim/optimizers.js';

const leaf = (v: number[][] | number[]) => tensor(array(v), { requiresGrad: true });

describe('backward', () => {
  it('accumulates into leaves across calls, and a tensor used twice gets both contributions', () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).sum().backward(); // d/dx Σx² = 2x
    expect(x.grad!.toArray()).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([5, 7, 9]);
  });

  it('frees the graph: a second backward is an error unless the first retained it', () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/graph through sum was freed by an earlier backward.*retainGraph/);
    const z = x.mul(2).sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    // exp's gradient from the first backward, then 2 + 2 from the two through z.
    expect(x.grad!.sub(x.data.exp()).sub(4).abs().max().item()).toBeLessThan(1e-14);
  });

  it('retainGrad keeps a non-leaf gradient; detach and noGrad record nothing', () => {
    const x = leaf([1, 2]);
    const h = x.mul(2).retainGrad();
    h.mul(h).sum().backward();
    expect(h.grad!.toArray()).toEqual([4, 8]);
    expect(h.isLeaf).toBe(false);
    expect(x.detach().requiresGrad).toBe(false);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('needs a gradient for a non-scalar output, of the output’s shape', () => {
    const y = leaf([[1, 2, 3]]).mul(2);
    expect(() => y.backward()).toThrow(
      /backward: the gradient can be left out only for a one-element output; this one has shape \(1, 3\)/,
    );
    expect(() => y.backward(ones([3, 1]))).toThrow(
      /backward: gradient of shape \(3, 1\) does not match the output's shape \(1, 3\)/,
    );
    expect(() =>
      tensor(array([1, 2]))
        .sum()
        .backward(),
    ).toThrow(/does not require grad/);
    expect(() => new Tensor(array([1, 2], 'int32'), { requiresGrad: true })).toThrow(
      /only float tensors can require grad, got int32/,
    );
  });
});

describe('in-place writes', () => {
  it('a write to a tensor an op saved makes backward refuse, through any view of its buffer', () => {
    const w = leaf([1, 2, 3]);
    const x = tensor(array([4, 5, 6]));
    const y = w.mul(x).sum();
    x.reshape(3, 1).addInPlace(1); // a view: same buffer, same counter
    expect(x.version).toBe(1);
    expect(() => y.backward()).toThrow(
      /a tensor of shape \(3,\) that mul saved for its backward was modified in place after mul used it \(version 0, now 1\)/,
    );
  });

  it('writes that the tape does not need are fine; the output of exp is saved too', () => {
    const w = leaf([1, 2]);
    const x = tensor(array([3, 4]));
    const y = w.add(x).sum(); // add saves nothing
    x.fill(0);
    y.backward();
    expect(w.grad!.toArray()).toEqual([1, 1]);
    const e = w.exp();
    const s = e.sum();
    noGrad(() => e.mulInPlace(2));
    expect(() => s.backward()).toThrow(/that exp saved/);
  });

  it('a leaf that requires grad changes only under noGrad; an optimizer step outdates older graphs', () => {
    const w = leaf([1, 2]);
    expect(() => w.subInPlace(1)).toThrow(
      /subInPlace: a leaf tensor that requires grad \(shape \(2,\)\) cannot be changed in place while gradients are recorded; do it inside noGrad/,
    );
    expect(() => w.mul(2).addInPlace(1)).toThrow(/in-place ops are not recorded on the tape/);
    noGrad(() => w.subInPlace(1));
    expect(w.data.toArray()).toEqual([0, 1]);
    const x = tensor(array([1, 1]));
    const opt = new SGD([w], { lr: 0.5 });
    const loss = w.mul(w).mul(x).sum();
    w.grad = array([1, 1]);
    opt.step();
    expect(() => loss.backward()).toThrow(/that mul saved for its backward was modified in place/);
  });
});

describe('clear errors naming the op and the shapes', () => {
  const a = leaf([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  it('elementwise, matmul, linear, conv2d, losses', () => {
    expect(() => F.add(a, leaf([1, 2, 3, 4]))).toThrow(
      /add: operands could not be broadcast together with shapes \(2,3\) \(4,\)/,
    );
    expect(() => a.matmul(a)).toThrow(/matmul: shapes \(2, 3\) and \(2, 3\) not aligned/);
    expect(() => F.linear(a, tensor(zeros([4, 2])))).toThrow(
      /linear: affineForward: x of shape \(2, 3\).*w of shape \(4, 2\)/,
    );
    expect(() => F.conv2d(tensor(zeros([1, 2, 4, 4])), tensor(zeros([3, 1, 3, 3])))).toThrow(
      /conv2d: convForwardFast: w of shape \(3, 1, 3, 3\) does not match x of shape \(1, 2, 4, 4\)/,
    );
    expect(() => F.crossEntropy(a, array([0, 1, 2], 'int32'))).toThrow(
      /crossEntropy: target of shape \(3,\) does not match scores of shape \(2, 3\)/,
    );
    expect(() => F.crossEntropy(a, array([0, 3], 'int32'))).toThrow(/crossEntropy: .*\[0, 3\)/);
    expect(() => F.maskedFill(a, ones([3, 3]), 0)).toThrow(/maskedFill: operands could not be broadcast/);
    expect(() => F.mse(a, zeros([3, 2]))).toThrow(
      /mse: target of shape \(3, 2\) does not match input of shape \(2, 3\)/,
    );
  });

  it('attention and optimizers', () => {
    const mha = new MultiHeadAttention(4, 2, { dropout: 0, dtype: 'float64' });
    const q = tensor(zeros([2, 3, 4]));
    expect(() => mha.call(q, tensor(zeros([2, 5, 6])), tensor(zeros([2, 5, 6])))).toThrow(
      /MultiHeadAttention: key must be \(N, T, embedDim\) \(query \(2, 3, 4\), key \(2, 5, 6\), value \(2, 5, 6\); embedDim 4\)/,
    );
    expect(() => mha.call(q, q, q, ones([3, 2]))).toThrow(/attnMask must be \(S, T\)/);
    expect(() => new MultiHeadAttention(6, 4)).toThrow(/4 heads do not divide embedDim 6/);
    expect(() => new SGD([a.mul(2)])).toThrow(/SGD: parameter 0 is not a leaf/);
    expect(() => new SGD([a], { momentum: 0, nesterov: true })).toThrow(
      /Nesterov momentum needs a momentum > 0/,
    );
  });
});
