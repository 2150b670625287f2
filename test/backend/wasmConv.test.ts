/**
 * The wasm backend's whole-batch convolution (convForward / convBackward, with ReLU and max pool fused or
 * not) against the TypeScript backend's, float32 and float64, including batches large enough to split
 * over threads, strides, padding, edge tiles (F and H'·W' not multiples of the micro-tile) and operands at
 * offsets, a reduction longer than one micro-kernel run, stride 1 (read from the padded image) and
 * other strides (im2col), the same bits on one thread as on two; and the fused conv → ReLU → pool against the unfused chain of layers.
 */
import { describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import type { ConvBackwardArgs, ConvForwardArgs, ConvPool } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { setThreadCount, threadCount, wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';
import { array, type NDArray } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function random(ctor: Ctor, n: number, rng: Generator): Float32Array | Float64Array {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextDouble() * 2 - 1;
  return a;
}

/**
 * The first index where a and e differ by tol or more (tol·(1 + |e|) when `relative`; NaN counts as a
 * difference), or -1. One expect per array instead of one per element, which cost most of this file's time.
 */
function firstOff(a: ArrayLike<number>, e: ArrayLike<number>, tol: number, relative: boolean): number {
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i] - e[i]) < (relative ? tol * (1 + Math.abs(e[i])) : tol))) return i;
  }
  return -1;
}

/** Expects `a` to equal `e` within tol, naming the first element that does not. */
function expectWithin(
  a: ArrayLike<number>,
  e: ArrayLike<number>,
  tol: number,
  relative: boolean,
  what: string,
) {
  expect(a.length, what).toBe(e.length);
  const i = firstOff(a, e, tol, relative);
  expect(i, i < 0 ? what : `${what}[${i}]: ${a[i]}, js ${e[i]}`).toBe(-1);
}

const cases = [
  // N, C, H, W, F, HH, WW, stride, pad, pool (poolHeight, poolWidth, stride) or null
  { N: 2, C: 3, H: 8, W: 8, F: 5, HH: 3, WW: 3, stride: 1, pad: 1, pool: [2, 2, 2] },
  { N: 3, C: 2, H: 7, W: 8, F: 4, HH: 3, WW: 2, stride: 2, pad: 1, pool: null },
  // threaded (past conv.ts's THREAD_MIN_MACS, 2^23 multiply-adds)
  { N: 64, C: 3, H: 16, W: 16, F: 9, HH: 5, WW: 5, stride: 1, pad: 2, pool: [2, 2, 2] },
  { N: 48, C: 8, H: 20, W: 18, F: 8, HH: 3, WW: 3, stride: 1, pad: 1, pool: [3, 3, 1] },
  { N: 9, C: 2, H: 11, W: 11, F: 3, HH: 3, WW: 3, stride: 2, pad: 0, pool: null },
  { N: 3, C: 12, H: 6, W: 5, F: 6, HH: 7, WW: 7, stride: 1, pad: 3, pool: [2, 1, 1] }, // K = 588: two K runs
  // Wo = 12: a part-filled column block of the stride-1 path; pooled width 6: four windows at once, then two
  { N: 4, C: 2, H: 12, W: 12, F: 6, HH: 3, WW: 3, stride: 1, pad: 1, pool: [2, 2, 2] },
  // stride 1 without padding: dx is dout padded by HH − 1 convolved with the flipped weights
  { N: 2, C: 3, H: 9, W: 9, F: 4, HH: 3, WW: 3, stride: 1, pad: 0, pool: null },
  // stride 1, non-square window: dx through GEMM + col2im
  { N: 2, C: 2, H: 7, W: 9, F: 3, HH: 3, WW: 2, stride: 1, pad: 1, pool: null },
];

describe.skipIf(skipFor(import.meta.url, wasmMissing()))('wasm whole-batch convolution', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    const dtype = ctor === Float32Array ? 'float32' : 'float64';
    const tol = ctor === Float32Array ? 2e-4 : 1e-10;
    for (const relu of [false, true]) {
      it(`${dtype} forward and backward equal the js backend's${relu ? ' (ReLU, pool fused where given)' : ''}`, () => {
        const rng = new Generator(3);
        const saved = threadCount();
        setThreadCount(2);
        try {
          for (const c of cases) {
            const { N, C, H, W, F, HH, WW, stride, pad } = c;
            const Ho = (H + 2 * pad - HH) / stride + 1;
            const Wo = (W + 2 * pad - WW) / stride + 1;
            const pool: ConvPool | null =
              relu && c.pool
                ? {
                    poolHeight: c.pool[0],
                    poolWidth: c.pool[1],
                    stride: c.pool[2],
                    Ho: (Ho - c.pool[0]) / c.pool[2] + 1,
                    Wo: (Wo - c.pool[1]) / c.pool[2] + 1,
                  }
                : null;
            const outLen = N * F * (pool ? pool.Ho * pool.Wo : Ho * Wo);
            const geo = {
              N,
              C,
              H,
              W,
              F,
              HH,
              WW,
              stride,
              pad,
              Ho,
              Wo,
              x: random(ctor, 7 + N * C * H * W, rng),
              xOffset: 7,
              w: random(ctor, 3 + F * C * HH * WW, rng),
              wOffset: 3,
            };
            const b = random(ctor, F + 1, rng);
            const fwd = (): ConvForwardArgs => ({
              ...geo,
              b,
              bOffset: 1,
              relu,
              pool,
              out: new ctor(outLen).fill(NaN),
              argmax: pool ? new Int32Array(outLen) : null,
            });
            const fw = fwd();
            const fj = fwd();
            wasmBackend.convForward(fw);
            jsBackend.convForward(fj);
            expectWithin(fw.out, fj.out, tol, false, 'out');
            if (pool) expect(Array.from(fw.argmax!)).toEqual(Array.from(fj.argmax!));

            const dout = random(ctor, 5 + outLen, rng);
            for (const withDx of [true, false]) {
              const bwd = (): ConvBackwardArgs => ({
                ...geo,
                dout,
                doutOffset: 5,
                pool,
                pooled: pool ? fj.out : null,
                argmax: pool ? fj.argmax : null,
                dx: withDx ? new ctor(N * C * H * W).fill(NaN) : null,
                dw: new ctor(F * C * HH * WW).fill(NaN),
                db: new ctor(F).fill(NaN),
              });
              const bw = bwd();
              const bj = bwd();
              const b1 = bwd();
              wasmBackend.convBackward(bw);
              jsBackend.convBackward(bj);
              // The same bits on one thread: the sums do not depend on how threads shared the work.
              setThreadCount(1);
              wasmBackend.convBackward(b1);
              setThreadCount(2);
              expect(Array.from(b1.dw)).toEqual(Array.from(bw.dw));
              expect(Array.from(b1.db)).toEqual(Array.from(bw.db));
              expectWithin(bw.dw, bj.dw, tol, true, 'dw');
              expectWithin(bw.db, bj.db, tol, true, 'db');
              if (withDx) expectWithin(bw.dx!, bj.dx!, tol, true, 'dx');
            }
          }
        } finally {
          setThreadCount(saved);
        }
      });
    }
  }
});

describe('fused conv → ReLU → max pool', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype} equals the unfused chain of layers, forward and backward`, () => {
      const g = new Generator(8);
      const x = nn_randn(g, [6, 3, 10, 10], dtype);
      const w = nn_randn(g, [5, 3, 3, 3], dtype);
      const b = nn_randn(g, [5], dtype);
      const cp = { stride: 1, pad: 1 };
      const pp = { poolHeight: 2, poolWidth: 2, stride: 2 };
      const [out, cache] = nn.convReluPoolForward(x, w, b, cp, pp);
      const [a, convCache] = nn.convForwardFast(x, w, b, cp);
      const [s, reluCache] = nn.reluForward(a);
      const [ref, poolCache] = nn.maxPoolForwardFast(s, pp);
      expect(Array.from(out.toTypedArray())).toEqual(Array.from(ref.toTypedArray()));
      const dout = nn_randn(g, out.shape, dtype);
      const [dx, dw, db] = nn.convReluPoolBackward(dout, cache);
      const [ds] = nn.maxPoolBackwardFast(dout, poolCache);
      const [da] = nn.reluBackward(ds, reluCache);
      const [rdx, rdw, rdb] = nn.convBackwardFast(da, convCache);
      const tol = dtype === 'float32' ? 1e-5 : 1e-13;
      expect(nn.relError(dx, rdx)).toBeLessThan(tol);
      expect(nn.relError(dw, rdw)).toBeLessThan(tol);
      expect(nn.relError(db, rdb)).toBeLessThan(tol);
    });
  }
});

function nn_randn(g: Generator, shape: readonly number[], dtype: 'float32' | 'float64'): NDArray {
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = g.nextDouble() * 2 - 1;
  return array(data, [...shape], 'float64').astype(dtype);
}
