/**
 * The wasm elementwise kernels give exactly the TypeScript backend's results (bit for bit, NaN and ±0
 * included) on contiguous arrays, row and column broadcasts, offsets and padded rows, scalars (float32
 * values or not), and the ReLU's backward.
 */
import { describe, expect, it } from 'vitest';
import { skipFor, wasmMissing } from '../requirements.js';
import type { BinaryOp, Strided, UnaryOp } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { residentArray, wasmBackend } from '../../src/backend/wasm/index.js';
import { Generator } from '../../src/ndarray/random.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Random values with NaN, ±0 and ties sprinkled in. */
function values(ctor: Ctor, n: number, rng: Generator): Float32Array | Float64Array {
  const a = new ctor(n);
  const special = [NaN, 0, -0, 1, -1, Infinity];
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble();
    a[i] = u < 0.05 ? special[Math.floor(u * 120)] : rng.nextDouble() * 4 - 2;
  }
  return a;
}

/** The first index where a and b differ as values (-0 ≠ 0, NaN = NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const N = 37;
const D = 129; // N·D ≥ the kernels' minimum size, D odd so every row has a scalar tail

describe.skipIf(skipFor(import.meta.url, wasmMissing()))('wasm elementwise', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    const dtype = ctor === Float32Array ? 'float32' : 'float64';
    it(`${dtype} binary ops: contiguous, row broadcast, column broadcast, offsets, padded output rows`, () => {
      const rng = new Generator(3);
      const a = values(ctor, 5 + N * D, rng);
      const row = values(ctor, 2 + D, rng);
      const col = values(ctor, 1 + N, rng);
      const full = values(ctor, N * D, rng);
      const cases: [string, Strided, Strided][] = [
        ['contiguous', { data: a, offset: 5, strides: [D, 1] }, { data: full, offset: 0, strides: [D, 1] }],
        ['row', { data: a, offset: 5, strides: [D, 1] }, { data: row, offset: 2, strides: [0, 1] }],
        ['column', { data: a, offset: 5, strides: [D, 1] }, { data: col, offset: 1, strides: [1, 0] }],
        ['row first', { data: row, offset: 2, strides: [0, 1] }, { data: a, offset: 5, strides: [D, 1] }],
      ];
      for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as BinaryOp[]) {
        for (const [name, x, y] of cases) {
          for (const pad of [0, 3]) {
            const outW = new ctor(N * (D + pad)).fill(7);
            const outJ = new ctor(N * (D + pad)).fill(7);
            wasmBackend.binary(op, [N, D], x, y, { data: outW, offset: 0, strides: [D + pad, 1] });
            jsBackend.binary(op, [N, D], x, y, { data: outJ, offset: 0, strides: [D + pad, 1] });
            expect(firstDifference(outW, outJ), `${op} ${name} pad ${pad}`).toBe(-1);
          }
        }
      }
    });

    it(`${dtype} scalar and unary ops, in place and in wasm memory`, () => {
      const rng = new Generator(4);
      for (const resident of [false, true]) {
        const a = resident ? residentArray(dtype, N * D)! : new ctor(N * D);
        a.set(values(ctor, N * D, rng));
        const x: Strided = { data: a, offset: 0, strides: [D, 1] };
        for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as BinaryOp[]) {
          // 0.1, 1e-3 and 0.9: not float32 values (the widening kernel); 1e300 overflows float32.
          for (const s of [0.5, -3, 0, 0.1, 1e-3, 0.9, 1e300]) {
            for (const first of [false, true]) {
              const outW = new ctor(N * D);
              const outJ = new ctor(N * D);
              wasmBackend.binaryScalar(op, [N, D], x, s, { data: outW, offset: 0, strides: [D, 1] }, first);
              jsBackend.binaryScalar(op, [N, D], x, s, { data: outJ, offset: 0, strides: [D, 1] }, first);
              expect(firstDifference(outW, outJ), `${op} ${s} ${first}`).toBe(-1);
            }
          }
        }
        // A scalar that float32 cannot hold exactly (0.1) must still match the float64-scalar semantics.
        const outW = new ctor(N * D);
        const outJ = new ctor(N * D);
        wasmBackend.binaryScalar('mul', [N, D], x, 0.1, { data: outW, offset: 0, strides: [D, 1] }, false);
        jsBackend.binaryScalar('mul', [N, D], x, 0.1, { data: outJ, offset: 0, strides: [D, 1] }, false);
        expect(firstDifference(outW, outJ)).toBe(-1);
        for (const op of ['copy', 'neg', 'abs', 'sqrt', 'square', 'relu'] as UnaryOp[]) {
          const outW = new ctor(N * D);
          const outJ = new ctor(N * D);
          wasmBackend.unary(op, [N, D], x, { data: outW, offset: 0, strides: [D, 1] });
          jsBackend.unary(op, [N, D], x, { data: outJ, offset: 0, strides: [D, 1] });
          expect(firstDifference(outW, outJ), op).toBe(-1);
        }
        // The ReLU's backward: dx = x > 0 ? dout : 0.
        const dout = values(ctor, N * D, rng);
        const dxW = new ctor(N * D + 2);
        const dxJ = new ctor(N * D + 2);
        const args = (dx: Float32Array | Float64Array) => ({
          n: N * D - 1,
          dout,
          doutOffset: 1,
          x: a,
          xOffset: 0,
          dx,
          dxOffset: 2,
        });
        wasmBackend.reluBackward(args(dxW));
        jsBackend.reluBackward(args(dxJ));
        expect(firstDifference(dxW, dxJ), 'reluBackward').toBe(-1);
        // With a slope (the leaky ReLU's backward, and its forward when dout is x): slope·dout where x <= 0.
        for (const slope of [0.01, 0.2, -0.5]) {
          const [sW, sJ] = [new ctor(N * D + 2), new ctor(N * D + 2)];
          wasmBackend.reluBackward({ ...args(sW), slope });
          jsBackend.reluBackward({ ...args(sJ), slope });
          expect(firstDifference(sW, sJ), `reluBackward slope ${slope}`).toBe(-1);
        }
        // In place: out is a.
        const before = a.slice();
        wasmBackend.binaryScalar('mul', [N, D], x, 2, x, false);
        expect(
          firstDifference(
            a,
            before.map((v) => 2 * v),
          ),
        ).toBe(-1);
      }
    });
  }
});
