/** LU factorisation with partial pivoting and the triangular solves that use it (LAPACK's getrf / getrs). */
import type { LuArgs, LuSolveArgs } from '../backend.js';

/** Factors each n×n matrix of args.a in place (see LuArgs). */
export function luFactor({ a, n, count, piv }: LuArgs): void {
  const nn = n * n;
  for (let m = 0; m < count; m++) {
    const base = m * nn;
    for (let k = 0; k < n; k++) {
      // The pivot: the first largest |a[i, k]| for i >= k (LAPACK's idamax).
      let p = k;
      let best = Math.abs(a[base + k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(a[base + i * n + k]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      piv[m * n + k] = p;
      if (p !== k) {
        for (let j = 0, r = base + k * n, s = base + p * n; j < n; j++) {
          const t = a[r + j];
          a[r + j] = a[s + j];
          a[s + j] = t;
        }
      }
      const pivot = a[base + k * n + k];
      if (pivot === 0) continue; // singular: U keeps its zero, as getrf (which reports it and goes on)
      for (let i = k + 1; i < n; i++) {
        const r = base + i * n;
        const l = a[r + k] / pivot;
        a[r + k] = l;
        if (l === 0) continue;
        for (let j = k + 1, u = base + k * n; j < n; j++) a[r + j] -= l * a[u + j];
      }
    }
  }
}

/** Overwrites each n×k block of args.b with the solution X of A·X = B (see LuSolveArgs). */
export function luSolve({ lu, piv, n, count, b, k }: LuSolveArgs): void {
  const nn = n * n;
  const nk = n * k;
  for (let m = 0; m < count; m++) {
    const L = m * nn;
    const B = m * nk;
    for (let i = 0; i < n; i++) {
      const p = piv[m * n + i];
      if (p === i) continue;
      for (let j = 0; j < k; j++) {
        const t = b[B + i * k + j];
        b[B + i * k + j] = b[B + p * k + j];
        b[B + p * k + j] = t;
      }
    }
    // Forward: L·Y = P·B (unit diagonal), row by row.
    for (let i = 1; i < n; i++) {
      for (let q = 0; q < i; q++) {
        const l = lu[L + i * n + q];
        if (l === 0) continue;
        for (let j = 0; j < k; j++) b[B + i * k + j] -= l * b[B + q * k + j];
      }
    }
    // Backward: U·X = Y.
    for (let i = n - 1; i >= 0; i--) {
      for (let q = i + 1; q < n; q++) {
        const u = lu[L + i * n + q];
        if (u === 0) continue;
        for (let j = 0; j < k; j++) b[B + i * k + j] -= u * b[B + q * k + j];
      }
      const d = lu[L + i * n + i];
      for (let j = 0; j < k; j++) b[B + i * k + j] /= d;
    }
  }
}
