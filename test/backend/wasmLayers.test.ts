/**
 * The wasm im2col/col2im and max-pool kernels against the TypeScript backend's (themselves checked against
 * the naive layers in test/nn), float32 and float64, with offsets, padding, strides and ties/NaN; and with
 * resident (wasm-memory) buffers as well as copied ones.
 */
import { describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import type { Im2colArgs, MaxPoolArgs } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { residentArray, wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function random(ctor: Ctor, n: number, rng: Generator, levels = 0): Float32Array | Float64Array {
  const a = new ctor(n);
  // With `levels`, values repeat (ties in pooling windows).
  for (let i = 0; i < n; i++)
    a[i] = levels ? Math.floor(rng.nextDouble() * levels) : rng.nextDouble() * 2 - 1;
  return a;
}

const geometries = [
  { C: 3, H: 8, W: 8, HH: 3, WW: 3, stride: 1, pad: 1 },
  { C: 2, H: 7, W: 9, HH: 3, WW: 2, stride: 2, pad: 1 },
  { C: 1, H: 5, W: 5, HH: 5, WW: 5, stride: 1, pad: 0 },
  { C: 4, H: 6, W: 10, HH: 7, WW: 7, stride: 1, pad: 3 },
  { C: 2, H: 9, W: 9, HH: 2, WW: 3, stride: 3, pad: 2 },
];

describe.skipIf(skipFor(import.meta.url, wasmMissing()))('wasm im2col / col2im / max pool', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    const dtype = ctor === Float32Array ? 'float32' : 'float64';
    for (const resident of [false, true]) {
      const alloc = (n: number) => (resident ? residentArray(dtype, n)! : new ctor(n));
      it(`${dtype} im2col and col2im equal the js kernels${resident ? ' (resident buffers)' : ''}`, () => {
        const rng = new Generator(5);
        for (const geo of geometries) {
          const { C, H, W, HH, WW, stride, pad } = geo;
          const Ho = Math.floor((H + 2 * pad - HH) / stride) + 1;
          const Wo = Math.floor((W + 2 * pad - WW) / stride) + 1;
          const xOffset = 2 * C * H * W + 3; // the second image of a batch, past some padding
          const x = alloc(xOffset + C * H * W);
          x.set(random(ctor, x.length, rng));
          const n = C * HH * WW * Ho * Wo;
          const args = (cols: Float32Array | Float64Array, img = x): Im2colArgs => ({
            x: img,
            xOffset,
            ...geo,
            Ho,
            Wo,
            cols,
            colsOffset: 5,
          });
          const colsW = alloc(n + 5).fill(NaN); // every element is written
          const colsJ = new ctor(n + 5).fill(NaN);
          wasmBackend.im2col(args(colsW));
          jsBackend.im2col(args(colsJ));
          expect(Array.from(colsW.subarray(5))).toEqual(Array.from(colsJ.subarray(5)));

          const dcols = random(ctor, n + 5, rng);
          const dxW = alloc(x.length);
          dxW.set(random(ctor, x.length, new Generator(9)));
          const dxJ = new ctor(x.length);
          dxJ.set(dxW);
          const cw = alloc(n + 5);
          cw.set(dcols);
          wasmBackend.col2im(args(cw, dxW));
          jsBackend.col2im(args(dcols, dxJ));
          const tol = ctor === Float32Array ? 1e-5 : 1e-12;
          for (let i = 0; i < dxJ.length; i++) expect(Math.abs(dxW[i] - dxJ[i])).toBeLessThan(tol);
        }
      });

      it(`${dtype} max pool forward/backward equal the js kernels, ties and NaN included${resident ? ' (resident)' : ''}`, () => {
        const rng = new Generator(11);
        for (const [H, W, ph, pw, stride] of [
          [8, 8, 2, 2, 2],
          [12, 10, 2, 2, 2], // the 2×2 kernel's four-window SIMD path, then a scalar tail of one window
          [7, 9, 3, 2, 2],
          [6, 6, 3, 3, 1],
        ]) {
          const planes = 5;
          const Ho = Math.floor((H - ph) / stride) + 1;
          const Wo = Math.floor((W - pw) / stride) + 1;
          const x = alloc(planes * H * W + 4);
          x.set(random(ctor, x.length, rng, 4));
          x[10] = NaN;
          x[4 + W + 1] = NaN; // second row of the first window: a NaN that wins from the last candidate
          const make = (out: Float32Array | Float64Array, argmax: Int32Array): MaxPoolArgs => ({
            x,
            xOffset: 4,
            planes,
            H,
            W,
            poolHeight: ph,
            poolWidth: pw,
            stride,
            Ho,
            Wo,
            out,
            outOffset: 1,
            argmax,
          });
          const n = planes * Ho * Wo;
          const [outW, outJ] = [alloc(n + 1), new ctor(n + 1)];
          const [amW, amJ] = [new Int32Array(n), new Int32Array(n)];
          wasmBackend.maxPoolForward(make(outW, amW));
          jsBackend.maxPoolForward(make(outJ, amJ));
          expect(Array.from(outW)).toEqual(Array.from(outJ));
          expect(Array.from(amW)).toEqual(Array.from(amJ));

          const dout = random(ctor, n + 2, rng);
          const [dxW, dxJ] = [alloc(planes * H * W + 3), new ctor(planes * H * W + 3)];
          const back = (dx: Float32Array | Float64Array) => ({
            dout,
            doutOffset: 2,
            argmax: amJ,
            planes,
            HW: H * W,
            HoWo: Ho * Wo,
            dx,
            dxOffset: 3,
          });
          wasmBackend.maxPoolBackward(back(dxW));
          jsBackend.maxPoolBackward(back(dxJ));
          expect(Array.from(dxW)).toEqual(Array.from(dxJ));
        }
      });
    }
  }
});
