/**
 * The wasm backend's per-channel normalization loops (channelMoments, channelDot, channelLinear) against the
 * TypeScript backend's: float32 and float64, odd run lengths (the scalar tail after the two-lane loop), offsets,
 * with and without the b term, and out written over a. The sums run in another order (f64 partial sums), so
 * moments and dots agree to rounding; channelLinear does the same f64 operations per element, so its output
 * is the same bits.
 */
import { describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function random(ctor: Ctor, n: number, rng: Generator, scale = 1, shift = 0): Float32Array | Float64Array {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = (rng.nextDouble() * 2 - 1) * scale + shift;
  return a;
}

function f64(n: number, rng: Generator): Float64Array {
  return random(Float64Array, n, rng) as Float64Array;
}

/** The first index where a and e are not the same value (NaN equal to NaN), or -1: failures print one index. */
function firstDifference(a: ArrayLike<number>, e: ArrayLike<number>): number {
  if (a.length !== e.length) return Math.min(a.length, e.length);
  for (let i = 0; i < e.length; i++) if (!Object.is(a[i], e[i])) return i;
  return -1;
}

function close(a: ArrayLike<number>, e: ArrayLike<number>, rel: number): void {
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (1 + Math.abs(e[i])));
  expect(worst).toBeLessThanOrEqual(rel);
}

describe.skipIf(skipFor(import.meta.url, wasmMissing()))('wasm per-channel normalization loops', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    for (const [N, C, S] of [
      [32, 16, 784], // spatial batchnorm (N, C, H·W)
      [200, 100, 1], // batchnorm on (N, D): runs of one value
      [3, 7, 4099], // odd runs: the scalar tail
    ]) {
      it(`${ctor.name} (N ${N}, C ${C}, S ${S}) agrees with the TypeScript loops`, () => {
        const rng = new Generator(5);
        const n = N * C * S;
        // Values far from zero with a small spread: the two-pass variance must not cancel.
        const x = random(ctor, n + 3, rng, 0.5, 100);
        const moments = () => ({
          x,
          xOffset: 3,
          N,
          C,
          S,
          mean: new Float64Array(C),
          variance: new Float64Array(C),
        });
        const [mw, mj] = [moments(), moments()];
        wasmBackend.channelMoments(mw);
        jsBackend.channelMoments(mj);
        close(mw.mean, mj.mean, 1e-12);
        close(mw.variance, mj.variance, 1e-9);
        expect(mj.variance[0]).toBeGreaterThan(0.05); // the data's spread, not cancellation noise

        const b = random(ctor, n + 1, rng);
        const shift = f64(C, rng);
        const dot = () => ({
          a: x,
          aOffset: 3,
          b,
          bOffset: 1,
          N,
          C,
          S,
          bShift: shift,
          sumA: new Float64Array(C),
          sumAB: new Float64Array(C),
        });
        const [dw, dj] = [dot(), dot()];
        wasmBackend.channelDot(dw);
        jsBackend.channelDot(dj);
        close(dw.sumA, dj.sumA, 1e-12);
        close(dw.sumAB, dj.sumAB, 1e-10);

        const [alpha, beta, delta] = [f64(C, rng), f64(C, rng), f64(C, rng)];
        for (const withB of [true, false]) {
          const lin = (out: Float32Array | Float64Array, a = x, aOffset = 3, outOffset = 2) => ({
            a,
            aOffset,
            aShift: shift,
            alpha,
            b: withB ? b : null,
            bOffset: 1,
            beta,
            delta,
            out,
            outOffset,
            N,
            C,
            S,
          });
          const [ow, oj] = [new ctor(n + 2).fill(NaN), new ctor(n + 2).fill(NaN)];
          wasmBackend.channelLinear(lin(ow));
          jsBackend.channelLinear(lin(oj));
          expect(firstDifference(ow.subarray(2), oj.subarray(2))).toBe(-1);
          // In place (out is a), as the layers' backward passes do.
          const aw = new ctor(x);
          wasmBackend.channelLinear(lin(aw, aw, 3, 3));
          expect(firstDifference(aw.subarray(3), oj.subarray(2))).toBe(-1);
        }
      });
    }
  }
});
