/**
 * Eigendecomposition of a symmetric matrix, for PCA: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm with Wilkinson-style shifts (EISPACK's tred2 and tql2, as in JAMA). O(D^3) with a
 * small constant (D = 400 in ~1-2 s, D = 1024 in 49 s on a heavily shared 2-core machine; whole
 * CIFAR-10 images, D = 3072, cost 27 times that): reduce D first (e.g. PCA on features or patches).
 *
 * The transformations are accumulated in W = V^T (row r of W is eigenvector r), so every inner loop walks
 * memory contiguously.
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';

/**
 * Eigenvalues S (D,) in descending order and eigenvectors U (D, D) as columns of the symmetric A (D, D),
 * A = U diag(S) U^T. For a covariance matrix this is its SVD (U, S, U^T), what the course's
 * np.linalg.svd(cov) computes. Each column's sign is fixed so that its largest-magnitude entry is positive
 * (eigenvectors are only defined up to sign).
 */
export function symmetricEigen(A: NDArray): { S: NDArray; U: NDArray } {
  if (A.ndim !== 2 || A.shape[0] !== A.shape[1]) {
    throw new Error(`symmetricEigen: expected a square matrix, got ${fmtShape(A.shape)}`);
  }
  const n = A.shape[0];
  const a = A.astype('float64').toTypedArray();
  // W[j * n + k] stands for V[k][j]; V starts as A, symmetrised against rounding in X^T X.
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(W, d, e, n);
    tql2(W, d, e, n);
  }
  const order = [...Array(n).keys()].sort((i, j) => d[j] - d[i]);
  const S = new Float64Array(n);
  const U = new Float64Array(n * n);
  order.forEach((src, col) => {
    S[col] = d[src];
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(W[src * n + k]) > Math.abs(big)) big = W[src * n + k];
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) U[k * n + col] = sign * W[src * n + k];
  });
  return { S: new NDArray(S, [n], 'float64'), U: new NDArray(U, [n, n], 'float64') };
}

/** Householder reduction of V (stored transposed in W) to tridiagonal form: diagonal d, subdiagonal e. */
function tred2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  // V[r][c] is W[c * n + r].
  for (let j = 0; j < n; j++) d[j] = W[j * n + (n - 1)];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + (i - 1)];
        W[j * n + i] = 0;
        W[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i * n + j] = f; // V[j][i]
        g = e[j] + W[j * n + j] * f;
        const row = j * n;
        for (let k = j + 1; k <= i - 1; k++) {
          g += W[row + k] * d[k]; // V[k][j]
          e[k] += W[row + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const row = j * n;
        for (let k = j; k <= i - 1; k++) W[row + k] -= f * e[k] + g * d[k]; // V[k][j]
        d[j] = W[row + (i - 1)]; // V[i-1][j]
        W[row + i] = 0; // V[i][j]
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + (n - 1)] = W[i * n + i]; // V[n-1][i] = V[i][i]
    W[i * n + i] = 1;
    const h = d[i + 1];
    const next = (i + 1) * n; // column i+1 of V
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[next + k] / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += W[next + k] * W[row + k];
        for (let k = 0; k <= i; k++) W[row + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) W[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + (n - 1)];
    W[j * n + (n - 1)] = 0;
  }
  W[(n - 1) * n + (n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e), rotating the eigenvectors (rows of W). d ends as the eigenvalues. */
function tql2(W: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 1000) throw new Error('symmetricEigen: the QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n;
          const rj = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = W[rj + k];
            W[rj + k] = s * W[ri + k] + c * hk;
            W[ri + k] = c * W[ri + k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
