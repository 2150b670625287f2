/**
 * The peer-comparison generator (bench/compare/workloads.ts) must reproduce workloads.json's fmix32-counter
 * stream bit for bit, or the peers would not train on the same data as numpy/PyTorch did.
 *
 * Goldens produced independently with Python integers and numpy (not with this code):
 *   M = 0xFFFFFFFF
 *   def fmix32(h): h ^= h >> 16; h = (h * 0x85EBCA6B) & M; h ^= h >> 13; h = (h * 0xC2B2AE35) & M; h ^= h >> 16; return h
 *   def u32(i, seed): return fmix32((i + seed * 0x9E3779B9) & M)
 *   data:    np.float32(2 * (u32(i, 1) / 2**32) - 1), printed as float32 bit patterns
 *   labels:  u32(i, 2) % 10
 *   weights: np.float32((2 * (u32(i, 100) / 2**32) - 1) * np.sqrt(6 / 3072))
 */
import { describe, expect, it } from 'vitest';
import {
  batchPool,
  convWeightToHWCF,
  dataTensor,
  initParams,
  labelTensor,
  nchwRowsToNHWC,
  toNHWC,
  u32,
  weightTensor,
} from '../../bench/compare/workloads.js';

describe('fmix32-counter generator', () => {
  it('u32 matches the Python reference, including wrap-around of i + seed * 0x9E3779B9', () => {
    const pairs: [number, number, number][] = [
      [0, 0, 0],
      [1, 0, 1364076727],
      [0, 1, 2462723854],
      [7, 1, 588686121],
      [12345, 2, 818072533],
      [3071, 100, 165639708],
      [4294967295, 1, 920564995],
      [0, 3001, 2559444453],
    ];
    for (const [i, seed, want] of pairs) expect(u32(i, seed)).toBe(want);
  });

  it('data are U[-1, 1) rounded once to float32 (bit-identical)', () => {
    const bits = new Uint32Array(dataTensor(5, 1).buffer);
    expect([...bits]).toEqual([0x3e165178, 0x3e3507cb, 0x3ed1086f, 0x3f5b03be, 0xbe9d80a3]);
  });

  it('labels are u32 mod 10 and weights He-uniform', () => {
    expect([...labelTensor(10, 2, 10)]).toEqual([9, 6, 9, 4, 4, 6, 3, 2, 9, 5]);
    const w = weightTensor(4, 3072, 100);
    const want = [-0.020260926336050034, -0.001955250510945916, 0.017841504886746407, -0.03610917180776596];
    want.forEach((v, i) => expect(w[i]).toBe(v));
  });

  it('the pool and the parameters follow the spec: batch b uses seeds + 1000 b, W_k uses 100 + k', () => {
    const pool = batchPool('fc2', 2);
    expect(pool).toHaveLength(4);
    expect(pool[1].x[0]).toBe(dataTensor(1, 1001)[0]);
    expect(pool[3].y[1]).toBe(labelTensor(2, 3002, 10)[1]);
    const params = initParams('cnn3');
    expect(params.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'W1:32x3x7x7',
      'b1:32',
      'W2:8192x100',
      'b2:100',
      'W3:100x10',
      'b3:10',
    ]);
    expect(params[2].data[5]).toBe(weightTensor(6, 8192, 101)[5]);
  });
});

describe('layout permutations used by the channels-last peers', () => {
  it('toNHWC, convWeightToHWCF and nchwRowsToNHWC move each element where its indices say', () => {
    // x (1, 2, 2, 3): value = 100 c + 10 h + w
    const x = Float32Array.from(
      { length: 12 },
      (_, i) => 100 * Math.floor(i / 6) + 10 * Math.floor((i % 6) / 3) + (i % 3),
    );
    expect([...toNHWC(x, 1, 2, 2, 3)]).toEqual([0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
    // w (F=2, C=1, 2, 2): value = 10 f + (2 r + c)  ->  (r, c, C, F)
    const w = Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]);
    expect([...convWeightToHWCF(w, 2, 1, 2)]).toEqual([0, 10, 1, 11, 2, 12, 3, 13]);
    // rows of an NCHW flatten of (C=2, H=1, W=2) -> NHWC order (h, w, c); one output column
    expect([...nchwRowsToNHWC(Float32Array.from([0, 1, 10, 11]), 2, 1, 2, 1)]).toEqual([0, 10, 1, 11]);
  });
});
