/**
 * The attention kernels on the backend in use: gemmBatched against one gemm per matrix (offsets in any
 * pattern, a broadcast operand, gaps in C left untouched, threads when the batch is large), and the masked
 * row softmax and its backward against their definitions (a mask repeated over rows, a fully masked row
 * giving NaN, log-softmax).
 */
import { describe, expect, it } from 'vitest';
import { backend } from '../../src/backend/index.js';
import type { GemmArgs } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { Generator } from '../../src/ndarray/random.js';

function random(ctor: Float32ArrayConstructor | Float64ArrayConstructor, n: number, rng: Generator) {
  const a = new ctor(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextDouble() * 2 - 1;
  return a;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

describe('gemmBatched', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    it(`${ctor.name}: equals one gemm per matrix, with a broadcast A, transposed B and a gap in C`, () => {
      for (const [batch, M, N, K] of [
        [5, 3, 4, 6],
        [3, 17, 9, 33],
        [64, 40, 40, 32], // enough work to be threaded on the wasm backend
      ]) {
        const rng = new Generator(batch + M);
        const A = random(ctor, 2 + M * K, rng); // one A for every product (offset 2, broadcast)
        const ldb = K + 1; // B stored (N, K) per product, transposed, padded
        const B = random(ctor, batch * N * ldb, rng);
        const ldc = N + 2; // C rows padded: the padding must stay as it was
        const C = random(ctor, batch * M * ldc + 5, rng);
        const base: Omit<GemmArgs, 'aOffset' | 'bOffset' | 'cOffset' | 'C'> = {
          transA: false,
          transB: true,
          M,
          N,
          K,
          alpha: 1.5,
          A,
          lda: K,
          B,
          ldb,
          beta: 0.5,
          ldc,
        };
        const expected = C.slice();
        for (let i = 0; i < batch; i++)
          jsBackend.gemm({
            ...base,
            C: expected,
            aOffset: 2,
            bOffset: i * N * ldb,
            cOffset: 5 + i * M * ldc,
          });
        const got = C.slice();
        backend().gemmBatched({
          ...base,
          C: got,
          batch,
          aOffsets: new Int32Array(batch).fill(2),
          bOffsets: Int32Array.from({ length: batch }, (_, i) => i * N * ldb),
          cOffsets: Int32Array.from({ length: batch }, (_, i) => 5 + i * M * ldc),
        });
        const tol = ctor === Float32Array ? 1e-4 : 1e-12;
        expect(maxError(got, expected), `${batch}×${M}×${N}×${K}`).toBeLessThan(tol);
      }
    });
  }
});

/** softmax of each row of x (rows × n), positions with mask 0 at −∞, by the definition in float64. */
function softmaxRef(x: Float64Array, rows: number, n: number, mask: Uint8Array | null, maskRows: number) {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const keep = (j: number) => !mask || mask[(r % maskRows) * n + j] !== 0;
    let z = 0;
    for (let j = 0; j < n; j++) if (keep(j)) z += Math.exp(x[r * n + j]);
    for (let j = 0; j < n; j++) out[r * n + j] = keep(j) ? Math.exp(x[r * n + j]) / z : 0;
  }
  return out;
}

describe('masked row softmax', () => {
  const rng = new Generator(3);
  const [rows, n, maskRows] = [6, 5, 3];
  const x = (random(Float64Array, rows * n, rng) as Float64Array).map((v) => v * 4);
  const mask = Uint8Array.from({ length: maskRows * n }, (_, i) => (i % n <= Math.floor(i / n) + 1 ? 1 : 0));

  it('forward: the definition, the mask repeated every maskRows rows; log-softmax is its log', () => {
    const out = new Float64Array(rows * n);
    const args = { rows, n, x, xOffset: 0, mask, maskOffset: 0, maskRows, out, outOffset: 0 };
    backend().softmax({ ...args, log: false });
    expect(maxError(out, softmaxRef(x, rows, n, mask, maskRows))).toBeLessThan(1e-15);
    const logOut = new Float64Array(rows * n);
    backend().softmax({ ...args, out: logOut, log: true });
    expect(maxError(logOut.map(Math.exp), out)).toBeLessThan(1e-15);
    expect(logOut.filter((v) => v === -Infinity).length).toBe(rows * n - 2 * mask.reduce((s, v) => s + v, 0));
  });

  it('large scores stay finite; a fully masked row is NaN, as PyTorch', () => {
    const big = Float64Array.of(1000, 999, -1000, 5, 6, 7);
    const out = new Float64Array(6);
    const none = Uint8Array.of(1, 1, 1, 0, 0, 0);
    backend().softmax({
      rows: 2,
      n: 3,
      x: big,
      xOffset: 0,
      mask: none,
      maskOffset: 0,
      maskRows: 2,
      log: false,
      out,
      outOffset: 0,
    });
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 14);
    expect([...out.slice(3)].every(Number.isNaN)).toBe(true);
  });

  it('backward: y·(dy − Σ dy·y), and for log-softmax dy − e^y·Σ dy with masked positions 0', () => {
    const y = softmaxRef(x, rows, n, mask, maskRows);
    const dy = random(Float64Array, rows * n, rng) as Float64Array;
    const dx = new Float64Array(rows * n);
    backend().softmaxBackward({ rows, n, y, yOffset: 0, dy, dyOffset: 0, log: false, dx, dxOffset: 0 });
    const ref = new Float64Array(rows * n);
    const refLog = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      let sKept = 0;
      for (let j = 0; j < n; j++) {
        s += dy[r * n + j] * y[r * n + j];
        if (mask[(r % maskRows) * n + j]) sKept += dy[r * n + j];
      }
      for (let j = 0; j < n; j++) {
        const i = r * n + j;
        ref[i] = y[i] * (dy[i] - s);
        refLog[i] = mask[(r % maskRows) * n + j] ? dy[i] - y[i] * sKept : 0;
      }
    }
    expect(maxError(dx, ref)).toBeLessThan(1e-15);
    const logY = y.map(Math.log);
    backend().softmaxBackward({ rows, n, y: logY, yOffset: 0, dy, dyOffset: 0, log: true, dx, dxOffset: 0 });
    expect(maxError(dx, refLog)).toBeLessThan(1e-15);
  });
});
