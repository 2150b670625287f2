/**
 * The numpy functions of issue 20 item 13, each case recomputed with nabla and compared with numpy's values
 * from scripts/golden_numpy_extra.py (test/golden/numpy_extra.json): same dtype (numpy's int64 recorded as
 * int32), shape and values.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { array, type NDArray } from '../../src/index.js';
import { decode, expectMatches, goldenDir, type Encoded } from './helpers.js';

interface Extra {
  inputs: Record<string, Encoded>;
  cases: Record<string, Encoded | Encoded[]>;
  errors: Record<string, string>;
}
const golden = JSON.parse(readFileSync(goldenDir + 'numpy_extra.json', 'utf8')) as Extra;
const x = Object.fromEntries(Object.entries(golden.inputs).map(([k, e]) => [k, decode(e)]));
const { X, W, P, F32, I, A, M, N, T3, T4, C3, v, Q, QN, Sq, Bst, b, B2, Bb, Ai, Sing, Piv } = x;
const { x3, y2, z2 } = x;

type Case = () => NDArray | NDArray[];
const cases: Record<string, Case> = {};

type Unary = (a: NDArray) => NDArray;
const unary: Record<string, Unary> = {
  sin: nd.sin,
  cos: nd.cos,
  tan: nd.tan,
  arctan: nd.arctan,
  sinh: nd.sinh,
  cosh: nd.cosh,
  expm1: nd.expm1,
  log1p: nd.log1p,
  log2: nd.log2,
  log10: nd.log10,
};
for (const [name, f] of Object.entries(unary)) {
  cases[`${name}_W`] = () => f(W);
  cases[`${name}_int`] = () => f(I);
  cases[`${name}_f32`] = () => f(F32);
}
for (const [name, f] of Object.entries({ arcsin: nd.arcsin, arccos: nd.arccos })) {
  cases[`${name}_X`] = () => f(X);
  cases[`${name}_W`] = () => f(W);
  cases[`${name}_f32`] = () => f(F32.clip(-1, 1));
}
for (const [name, f] of Object.entries({ isfinite: nd.isfinite, isinf: nd.isinf, isnan: nd.isnan })) {
  cases[`${name}_W`] = () => f(W);
  cases[`${name}_int`] = () => f(I);
  cases[`${name}_f32`] = () => f(array([1, Infinity, -Infinity, NaN], 'float32'));
}
const ca = array([1, 1e10, 1e-8, Infinity, -Infinity, NaN, Infinity, 0, 1]);
const cb = array([1 + 1e-6, 1.00001e10, 2e-8, Infinity, Infinity, NaN, 1e308, 1e-9, 1.1]);
const Iv = nd.arange(0, 4, 1, 'float64');

Object.assign(cases, {
  log1p_P: () => nd.log1p(P),
  log2_P: () => nd.log2(P),
  log10_P: () => nd.log10(P),
  sin_A_T: () => nd.sin(A.transpose(2, 0, 1)),
  sign_W: () => nd.sign(W),
  sign_int: () => nd.sign(I),
  arctan2: () => nd.arctan2(X, P),
  arctan2_bcast: () => nd.arctan2(W.reshape(-1, 1), array([-1, -0, 0, 1])),
  arctan2_int: () => nd.arctan2(I, 3),
  arctan2_f32: () => nd.arctan2(F32, 0.5),
  isclose: () => nd.isclose(ca, cb),
  isclose_nan: () => nd.isclose(ca, cb, { equalNan: true }),
  isclose_tol: () => nd.isclose(ca, cb, { rtol: 0.2, atol: 0 }),
  isclose_bcast: () => nd.isclose(M, M.get(0).add(1e-9)),
  isclose_int: () => nd.isclose(I, 2),
  allclose_true: () => array(nd.allclose(M, M.add(1e-9))),
  allclose_false: () => array(nd.allclose(M, M.add(1e-3))),
  allclose_nan: () => array(nd.allclose(QN, QN, { equalNan: true })),
  flip_all: () => nd.flip(A),
  flip_1: () => nd.flip(A, 1),
  flip_02: () => nd.flip(A, [0, 2]),
  fliplr: () => nd.fliplr(M),
  flipud: () => nd.flipud(M),
  flip_1d: () => nd.flip(v),
  roll_flat: () => nd.roll(A, 2),
  roll_axis: () => nd.roll(A, -1, 1),
  roll_multi: () => nd.roll(A, [1, 2], [0, 2]),
  roll_big: () => nd.roll(I, 5, 0),
  roll_neg_flat: () => nd.roll(I, -7),
  diag_v: () => nd.diag(v),
  diag_v_1: () => nd.diag(v, 1),
  diag_v_m2: () => nd.diag(v, -2),
  diag_M: () => nd.diag(M),
  diag_M_1: () => nd.diag(M, 1),
  diag_M_m2: () => nd.diag(M, -2),
  diag_M_10: () => nd.diag(M, 10),
  diagonal_A: () => A.diagonal(),
  diagonal_A_1_12: () => nd.diagonal(A, 1, 1, 2),
  diagonal_A_m1_02: () => A.diagonal(-1, 0, 2),
  trace_M: () => M.trace(),
  trace_M_1: () => nd.trace(M, 1),
  trace_A: () => nd.trace(A),
  trace_int: () => I.trace(),
  triu: () => nd.triu(M),
  triu_1: () => nd.triu(M, 1),
  triu_m1: () => nd.triu(M, -1),
  tril: () => nd.tril(M),
  tril_m1: () => nd.tril(M, -1),
  tril_A_1: () => nd.tril(A, 1),
  triu_int: () => nd.triu(I),
  tril_1d: () => nd.tril(v),
  cumprod_1: () => A.cumprod(1),
  cumprod_flat: () => nd.cumprod(A),
  cumprod_int: () => nd.cumprod(I, 0),
  cumprod_f32: () => F32.cumprod(1),
  cumprod_bool: () =>
    nd.cumprod(
      array([
        [true, false],
        [true, true],
      ]),
      1,
    ),
  median: () => nd.median(Q),
  median_0: () => nd.median(Q, 0),
  median_1_keep: () => nd.median(Q, 1, true),
  median_nan: () => nd.median(QN, 1),
  median_A_02: () => nd.median(A, [0, 2]),
  median_int: () => nd.median(I),
  median_f32: () => nd.median(F32, 1),
  quantile: () => nd.quantile(Q, 0.3),
  quantile_list: () => nd.quantile(Q, [0.1, 0.5, 0.9], 1),
  quantile_int: () => nd.quantile(I, 0.5),
  quantile_nan: () => nd.quantile(QN, 0.5, 1),
  quantile_f32: () => nd.quantile(F32, 0.3, 1),
  quantile_keep: () => nd.quantile(A, [0.2, 0.7], [0, 2], { keepdims: true }),
  percentile: () => nd.percentile(Q, 37.5, 1),
  percentile_ends: () => nd.percentile(Q, [0, 100]),
  meshgrid_xy: () => nd.meshgrid(x3, y2),
  meshgrid_ij: () => nd.meshgrid(x3, y2, { indexing: 'ij' }),
  meshgrid_3: () => nd.meshgrid(x3, y2, z2),
  meshgrid_sparse: () => nd.meshgrid(x3, y2, { sparse: true }),
  einsum_matmul: () => nd.einsum('ij,jk->ik', M, N),
  einsum_matmul_implicit: () => nd.einsum('ij,jk', M, N),
  einsum_trace: () => nd.einsum('ii', Sq),
  einsum_diag: () => nd.einsum('ii->i', Sq),
  einsum_transpose: () => nd.einsum('ij->ji', M),
  einsum_implicit_transpose: () => nd.einsum('ji', M),
  einsum_inner: () => nd.einsum('i,i', b, Iv),
  einsum_outer: () => nd.einsum('i,j->ij', b, v),
  einsum_batch: () => nd.einsum('bij,bjk->bik', T3, T4),
  einsum_ellipsis: () => nd.einsum('...ij,...jk', T3, T4),
  einsum_sum_all: () => nd.einsum('ijk->', A),
  einsum_sum_k: () => nd.einsum('ijk->k', A),
  einsum_rowdot: () => nd.einsum('ij,ij->i', M, M),
  einsum_elementwise: () => nd.einsum('i,i->i', b, Iv),
  einsum_matvec: () => nd.einsum('ij,j->i', M, Iv),
  einsum_iij: () => nd.einsum('iij->j', C3),
  einsum_three: () => nd.einsum('abc,cd,de->abe', T3, N, N.T),
  einsum_ellipsis_bcast: () => nd.einsum('...i,...i->...', A, Iv),
  einsum_upper: () => nd.einsum('Ba,b', M.slice(':', ':3'), v),
  einsum_int: () => nd.einsum('ij,jk', I, I.T),
  einsum_broadcast1: () => nd.einsum('ij,jk', M.slice(':', ':1'), N.slice(':1')),
  einsum_scalar: () => nd.einsum(',ij->ij', nd.scalar(2), M),
  einsum_ellipsis_only: () => nd.einsum('...', A),
  einsum_ellipsis_sum: () => nd.einsum('i...->...', A),
  inv: () => nd.linalg.inv(Sq),
  inv_batch: () => nd.linalg.inv(Bst),
  inv_int: () => nd.linalg.inv(Ai),
  inv_f32: () => nd.inv(Sq.astype('float32')),
  inv_pivot: () => nd.inv(Piv),
  solve_vec: () => nd.linalg.solve(Sq, b),
  solve_mat: () => nd.solve(Sq, B2),
  solve_batch: () => nd.solve(Bst, Bb),
  solve_bcast: () => nd.solve(Bst, Bb.get(0)),
  det: () => nd.linalg.det(Sq),
  det_batch: () => nd.det(Bst),
  det_singular: () => nd.det(Sing),
  det_int: () => nd.det(Ai),
  det_pivot: () => nd.det(Piv),
  det_f32: () => nd.det(Sq.astype('float32')),
} satisfies Record<string, Case>);

for (const m of ['linear', 'lower', 'higher', 'nearest', 'midpoint'] as const) {
  cases[`quantile_${m}`] = () => nd.quantile(Q, [0, 0.25, 0.3, 0.5, 0.625, 1], 0, { method: m });
}

describe('numpy functions against numpy (scripts/golden_numpy_extra.py)', () => {
  it('has a twin for every numpy case, and no case numpy lacks', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(golden.cases).sort());
  });

  it.each(Object.keys(golden.cases))('%s', (name) => {
    const want = golden.cases[name];
    const got = cases[name]();
    if (Array.isArray(want)) {
      expect(Array.isArray(got), name).toBe(true);
      const g = got as NDArray[];
      expect(g.length).toBe(want.length);
      want.forEach((w, i) => expectMatches(g[i], w, `${name}[${i}]`));
    } else expectMatches(got as NDArray, want, name);
  });
});

describe('numpy semantics beyond the values', () => {
  it('sign(-0.0) is +0, as numpy', () => {
    expect(Object.is(nd.sign(array([-0])).item(), 0)).toBe(true);
  });

  it('flip and diagonal are views; trace, triu and roll copies', () => {
    const a = nd.arange(0, 6, 1, 'float64').reshape(2, 3);
    nd.flip(a, 1).setItem(99, 0, 0);
    expect(a.item(0, 2)).toBe(99);
    a.diagonal().setItem(-1, 1);
    expect(a.item(1, 1)).toBe(-1);
  });

  it('linalg errors are LinAlgErrors with numpy’s messages', () => {
    expect(() => nd.inv(Sing)).toThrow(nd.LinAlgError);
    expect(() => nd.inv(Sing)).toThrow(`inv: ${golden.errors.inv_singular}`);
    expect(() => nd.solve(Sing, nd.ones(2))).toThrow(`solve: ${golden.errors.solve_singular}`);
    expect(() => nd.inv(M)).toThrow(`inv: ${golden.errors.inv_nonsquare}`);
    expect(() => nd.det(v)).toThrow(`det: ${golden.errors.inv_1d}`);
    expect(() => nd.solve(Sq, nd.ones(3))).toThrow(/solve: .*\(4, 4\).*\(3,\)/);
  });

  it('einsum names what is wrong with the subscripts', () => {
    expect(() => nd.einsum('ij,jk', M)).toThrow(
      "einsum: 'ij,jk' has 2 operand terms but 1 operand was given",
    );
    expect(() => nd.einsum('ijk', M)).toThrow(
      "einsum: operand 0 has shape (3, 4) but its subscripts 'ijk' name 3 axes",
    );
    expect(() => nd.einsum('ij,jk', M, M)).toThrow(
      "einsum: label 'j' has size 4 in operand 0 and 3 in operand 1",
    );
    expect(() => nd.einsum('ij->z', M)).toThrow("einsum: output label 'z' is not in any input");
    expect(() => nd.einsum('ij->ii', M)).toThrow("einsum: output label 'i' appears more than once");
    expect(() => nd.einsum('i$', M)).toThrow("einsum: invalid character '$' in subscripts 'i$'");
    expect(() => nd.einsum('ii', M)).toThrow("einsum: label 'i' has size 3 and 4 on the axes of operand 0");
  });

  it('quantile and percentile refuse q outside their range, and unknown methods', () => {
    expect(() => nd.quantile(Q, 1.5)).toThrow('quantile: Quantiles must be in the range [0, 1]');
    expect(() => nd.percentile(Q, -1)).toThrow('percentile: Percentiles must be in the range [0, 100]');
    expect(() => nd.quantile(Q, 0.5, null, { method: 'weibull' as 'linear' })).toThrow(
      /quantile: 'weibull' is not a valid method/,
    );
  });
});
