/** Convolution and max pooling: naive backwards vs numeric gradients, fast == naive, shape errors. */
import { describe, expect, it } from 'vitest';
import { Generator } from '../../src/ndarray/index.js';
import * as nn from '../../src/nn/index.js';
import { expectGrad } from './helpers.js';

const g = new Generator(11);

const convCases: { x: number[]; w: number[]; stride: number; pad: number }[] = [
  { x: [2, 3, 5, 5], w: [3, 3, 3, 3], stride: 1, pad: 1 },
  { x: [2, 2, 7, 5], w: [4, 2, 3, 3], stride: 2, pad: 1 },
  { x: [1, 3, 6, 6], w: [2, 3, 2, 2], stride: 2, pad: 0 },
  { x: [3, 1, 5, 4], w: [2, 1, 1, 2], stride: 1, pad: 0 },
  { x: [2, 2, 4, 4], w: [3, 2, 5, 5], stride: 3, pad: 2 },
];

describe('convolution', () => {
  for (const { x: xs, w: ws, stride, pad } of convCases) {
    it(`naive backward matches numeric gradients: x (${xs}), w (${ws}), stride ${stride}, pad ${pad}`, () => {
      const x = g.randn(xs);
      const w = g.randn(ws);
      const b = g.randn(ws[0]);
      const cp = { stride, pad };
      const [out, cache] = nn.convForwardNaive(x, w, b, cp);
      expect(out.shape).toEqual([
        xs[0],
        ws[0],
        1 + (xs[2] + 2 * pad - ws[2]) / stride,
        1 + (xs[3] + 2 * pad - ws[3]) / stride,
      ]);
      const dout = g.randn(out.shape);
      const [dx, dw, db] = nn.convBackwardNaive(dout, cache);
      expectGrad((t) => nn.convForwardNaive(t, w, b, cp)[0], x, dout, dx, 1e-8);
      expectGrad((t) => nn.convForwardNaive(x, t, b, cp)[0], w, dout, dw, 1e-8);
      expectGrad((t) => nn.convForwardNaive(x, w, t, cp)[0], b, dout, db, 1e-8);
    });

    it(`fast equals naive: x (${xs}), w (${ws}), stride ${stride}, pad ${pad}`, () => {
      const x = g.randn(xs);
      const w = g.randn(ws);
      const b = g.randn(ws[0]);
      const cp = { stride, pad };
      const [outN, cacheN] = nn.convForwardNaive(x, w, b, cp);
      const [outF, cacheF] = nn.convForwardFast(x, w, b, cp);
      expect(nn.relError(outN, outF)).toBeLessThan(1e-10);
      const dout = g.randn(outN.shape);
      const naive = nn.convBackwardNaive(dout, cacheN);
      const fast = nn.convBackwardFast(dout, cacheF);
      naive.forEach((d, i) => expect(nn.relError(d, fast[i])).toBeLessThan(1e-10));
      // a first layer can skip dx; dw and db are unchanged
      const [noDx, dw, db] = nn.convBackwardFast(dout, cacheF, false);
      expect(noDx).toBeNull();
      expect(nn.relError(dw, naive[1])).toBeLessThan(1e-10);
      expect(nn.relError(db, naive[2])).toBeLessThan(1e-10);
    });
  }

  it('fast conv reads strided views and keeps float32', () => {
    const x = g.randn(2, 5, 3, 6).transpose(0, 2, 1, 3); // (2, 3, 5, 6), not contiguous
    const w = g.randn(2, 3, 3, 3);
    const b = g.randn(2);
    const cp = { stride: 1, pad: 1 };
    expect(
      nn.relError(nn.convForwardFast(x, w, b, cp)[0], nn.convForwardNaive(x.copy(), w, b, cp)[0]),
    ).toBeLessThan(1e-10);
    const [o32, c32] = nn.convForwardFast(x.astype('float32'), w.astype('float32'), b.astype('float32'), cp);
    expect(o32.dtype).toBe('float32');
    expect(nn.convBackwardFast(o32, c32).map((a) => a.dtype)).toEqual(['float32', 'float32', 'float32']);
    expect(nn.relError(o32, nn.convForwardNaive(x, w, b, cp)[0].astype('float32'))).toBeLessThan(1e-4);
  });

  it('names the layer and the shapes on bad input', () => {
    const x = g.randn(2, 3, 5, 5);
    expect(() => nn.convForwardFast(x, g.randn(4, 2, 3, 3), g.randn(4), { stride: 1, pad: 1 })).toThrow(
      'convForwardFast: w of shape (4, 2, 3, 3) does not match x of shape (2, 3, 5, 5) (channels)',
    );
    expect(() =>
      nn.convForwardNaive(x, g.randn(4, 3, 3, 3), g.randn(4), { stride: 2, pad: 0 }),
    ).not.toThrow();
    expect(() => nn.convForwardNaive(x, g.randn(4, 3, 2, 2), g.randn(4), { stride: 2, pad: 0 })).toThrow(
      'convForwardNaive: stride 2 does not divide (H + 2·pad − HH, W + 2·pad − WW) = (3, 3)',
    );
    expect(() => nn.convForwardFast(x, g.randn(4, 3, 3, 3), g.randn(3), { stride: 1, pad: 1 })).toThrow(
      'convForwardFast: b of shape (3,) does not match w of shape (4, 3, 3, 3)',
    );
  });
});

const poolCases = [
  { x: [2, 3, 4, 4], pool: { poolHeight: 2, poolWidth: 2, stride: 2 } },
  { x: [1, 2, 7, 5], pool: { poolHeight: 3, poolWidth: 3, stride: 2 } },
  { x: [2, 2, 5, 6], pool: { poolHeight: 2, poolWidth: 3, stride: 1 } },
  { x: [3, 1, 6, 9], pool: { poolHeight: 3, poolWidth: 3, stride: 3 } },
];

describe('max pooling', () => {
  for (const { x: xs, pool } of poolCases) {
    const label = `x (${xs}), ${pool.poolHeight}×${pool.poolWidth} stride ${pool.stride}`;
    it(`naive backward matches numeric gradients and fast equals naive: ${label}`, () => {
      const x = g.randn(xs);
      const [out, cache] = nn.maxPoolForwardNaive(x, pool);
      const dout = g.randn(out.shape);
      const [dx] = nn.maxPoolBackwardNaive(dout, cache);
      expectGrad((t) => nn.maxPoolForwardNaive(t, pool)[0], x, dout, dx, 1e-8);
      const [outF, cacheF] = nn.maxPoolForwardFast(x, pool);
      expect(nn.relError(out, outF)).toBeLessThan(1e-10);
      expect(nn.relError(dx, nn.maxPoolBackwardFast(dout, cacheF)[0])).toBeLessThan(1e-10);
    });
  }

  it('keeps float32 and reads strided views', () => {
    const x = g.randn(2, 4, 3, 4).transpose(0, 2, 1, 3);
    const pool = { poolHeight: 2, poolWidth: 2, stride: 2 };
    const [o] = nn.maxPoolForwardFast(x, pool);
    expect(o.toArray()).toEqual(nn.maxPoolForwardNaive(x.copy(), pool)[0].toArray());
    const [o32, c32] = nn.maxPoolForwardFast(x.astype('float32'), pool);
    expect(o32.dtype).toBe('float32');
    expect(nn.maxPoolBackwardFast(o32, c32)[0].dtype).toBe('float32');
  });

  it('names the layer and the shapes when the stride does not fit', () => {
    expect(() =>
      nn.maxPoolForwardFast(g.randn(1, 1, 5, 5), { poolHeight: 2, poolWidth: 2, stride: 2 }),
    ).toThrow(
      'maxPoolForwardFast: stride 2 does not divide (H − poolHeight, W − poolWidth) = (3, 3) for x of shape (1, 1, 5, 5)',
    );
    expect(() =>
      nn.maxPoolForwardNaive(g.randn(1, 1, 2, 2), { poolHeight: 3, poolWidth: 2, stride: 1 }),
    ).toThrow('maxPoolForwardNaive: a 3×2 window does not fit in x of shape (1, 1, 2, 2)');
  });
});
