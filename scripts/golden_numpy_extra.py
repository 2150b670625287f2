#!/usr/bin/env python3
"""Golden values for the numpy functions of issue 20 item 13, computed with numpy (run by hand; tests never run
Python):

    python3 scripts/golden_numpy_extra.py   -> writes test/golden/numpy_extra.json

Trigonometric, hyperbolic and log functions, isfinite/isinf/isnan, sign (of -0.0), arctan2, isclose/allclose,
flip/fliplr/flipud/roll, diag/diagonal/trace/triu/tril, cumprod, median/quantile/percentile, meshgrid, einsum
and linalg.inv/solve/det. Each case name has a twin in test/ndarray/numpyExtra.test.ts computing the same with
nabla. Arrays are encoded as scripts/golden_ndarray.py encodes them (numpy's int64 recorded as int32).
"""
import json
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'golden', 'numpy_extra.json')

DT = {'float64': 'float64', 'float32': 'float32', 'int32': 'int32', 'int64': 'int32', 'uint8': 'uint8',
      'bool': 'bool'}
np.seterr(all='ignore')


def num(v):
    v = float(v)
    if np.isnan(v):
        return 'nan'
    if np.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


def enc(a):
    a = np.asarray(a)
    if a.dtype == np.int64:
        assert np.all(np.abs(a) < 2**31), 'int64 result does not fit int32'
    return {'dtype': DT[str(a.dtype)], 'shape': list(a.shape), 'data': [num(v) for v in a.ravel().tolist()]}


rs = np.random.RandomState(20)
inputs = {
    'X': np.round(rs.uniform(-0.95, 0.95, (3, 4)), 6),  # inside arcsin's domain
    'W': np.array([-1e3, -2.5, -1.0, -0.0, 0.0, 1e-10, 0.5, 1.0, 3.0, 700.0, np.inf, -np.inf, np.nan]),
    'P': np.round(rs.uniform(0.05, 20, (3, 4)), 6),
    'F32': np.round(rs.uniform(-2, 2, (3, 4)), 4).astype(np.float32),
    'I': (np.arange(12, dtype=np.int32).reshape(3, 4) - 5).astype(np.int32),
    'A': np.round(rs.randn(2, 3, 4), 6),
    'M': np.round(rs.randn(3, 4), 6),
    'N': np.round(rs.randn(4, 2), 6),
    'T3': np.round(rs.randn(2, 3, 4), 6),
    'T4': np.round(rs.randn(2, 4, 5), 6),
    'C3': np.round(rs.randn(3, 3, 2), 6),
    'v': np.array([1.0, -2.0, 3.0]),
    'Q': np.array([[3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0, 3.0], [5.0, 8.0, 9.0, 7.0, 9.0]]),
    'QN': np.array([[3.0, np.nan, 4.0, 1.0], [2.0, 7.0, 1.0, 8.0]]),
    'Sq': np.round(rs.randn(4, 4), 6) + 4 * np.eye(4),
    'Bst': np.round(rs.randn(2, 3, 3), 6),
    'b': np.array([1.0, -2.0, 0.5, 3.0]),
    'B2': np.round(rs.randn(4, 2), 6),
    'Bb': np.round(rs.randn(2, 3, 1), 6),
    'Ai': np.array([[2, 1, 0], [1, 3, 1], [0, 1, 4]], dtype=np.int32),
    'Sing': np.array([[1.0, 2.0], [2.0, 4.0]]),
    'Piv': np.array([[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]]),
    'x3': np.array([1.0, 2.0, 3.0]),
    'y2': np.array([10.0, 20.0]),
    'z2': np.array([-1.0, 1.0]),
}
g = {k: v.copy() for k, v in inputs.items()}
X, W, P, F32, I, A, M, N, T3, T4, C3, v = (g[k] for k in 'X W P F32 I A M N T3 T4 C3 v'.split())
Q, QN, Sq, Bst, b, B2, Bb, Ai, Sing, Piv, x3, y2, z2 = (
    g[k] for k in 'Q QN Sq Bst b B2 Bb Ai Sing Piv x3 y2 z2'.split())

cases = {}


def case(name, value):
    if isinstance(value, (list, tuple)):
        cases[name] = [enc(x) for x in value]
    else:
        cases[name] = enc(value)


# ---- unary math ------------------------------------------------------------------------------------
for f in ['sin', 'cos', 'tan', 'arctan', 'sinh', 'cosh', 'expm1', 'log1p', 'log2', 'log10']:
    fn = getattr(np, f)
    case(f'{f}_W', fn(W))
    case(f'{f}_int', fn(I))
    case(f'{f}_f32', fn(F32))
for f in ['arcsin', 'arccos']:
    fn = getattr(np, f)
    case(f'{f}_X', fn(X))
    case(f'{f}_W', fn(W))
    case(f'{f}_f32', fn(np.clip(F32, -1, 1)))
case('log1p_P', np.log1p(P))
case('log2_P', np.log2(P))
case('log10_P', np.log10(P))
case('sin_A_T', np.sin(A.transpose(2, 0, 1)))
for f in ['isfinite', 'isinf', 'isnan']:
    fn = getattr(np, f)
    case(f'{f}_W', fn(W))
    case(f'{f}_int', fn(I))
    case(f'{f}_f32', fn(np.array([1.0, np.inf, -np.inf, np.nan], dtype=np.float32)))
case('sign_W', np.sign(W))
case('sign_int', np.sign(I))
case('arctan2', np.arctan2(X, P))
case('arctan2_bcast', np.arctan2(W[:, None], np.array([-1.0, -0.0, 0.0, 1.0])))
case('arctan2_int', np.arctan2(I, 3))
case('arctan2_f32', np.arctan2(F32, np.float32(0.5)))

# ---- isclose / allclose -----------------------------------------------------------------------------
ca = np.array([1.0, 1e10, 1e-8, np.inf, -np.inf, np.nan, np.inf, 0.0, 1.0])
cb = np.array([1.0 + 1e-6, 1.00001e10, 2e-8, np.inf, np.inf, np.nan, 1e308, 1e-9, 1.1])
case('isclose', np.isclose(ca, cb))
case('isclose_nan', np.isclose(ca, cb, equal_nan=True))
case('isclose_tol', np.isclose(ca, cb, rtol=0.2, atol=0.0))
case('isclose_bcast', np.isclose(M, M[0] + 1e-9))
case('isclose_int', np.isclose(I, 2))
case('allclose_true', np.array(np.allclose(M, M + 1e-9)))
case('allclose_false', np.array(np.allclose(M, M + 1e-3)))
case('allclose_nan', np.array(np.allclose(QN, QN, equal_nan=True)))

# ---- flip / roll ------------------------------------------------------------------------------------
case('flip_all', np.flip(A))
case('flip_1', np.flip(A, 1))
case('flip_02', np.flip(A, (0, 2)))
case('fliplr', np.fliplr(M))
case('flipud', np.flipud(M))
case('flip_1d', np.flip(v))
case('roll_flat', np.roll(A, 2))
case('roll_axis', np.roll(A, -1, 1))
case('roll_multi', np.roll(A, (1, 2), (0, 2)))
case('roll_big', np.roll(I, 5, 0))
case('roll_neg_flat', np.roll(I, -7))

# ---- diagonals and triangles ------------------------------------------------------------------------
case('diag_v', np.diag(v))
case('diag_v_1', np.diag(v, 1))
case('diag_v_m2', np.diag(v, -2))
case('diag_M', np.diag(M))
case('diag_M_1', np.diag(M, 1))
case('diag_M_m2', np.diag(M, -2))
case('diag_M_10', np.diag(M, 10))
case('diagonal_A', np.diagonal(A))
case('diagonal_A_1_12', np.diagonal(A, 1, 1, 2))
case('diagonal_A_m1_02', np.diagonal(A, -1, 0, 2))
case('trace_M', np.trace(M))
case('trace_M_1', np.trace(M, 1))
case('trace_A', np.trace(A))
case('trace_int', np.trace(I))
case('triu', np.triu(M))
case('triu_1', np.triu(M, 1))
case('triu_m1', np.triu(M, -1))
case('tril', np.tril(M))
case('tril_m1', np.tril(M, -1))
case('tril_A_1', np.tril(A, 1))
case('triu_int', np.triu(I))
case('tril_1d', np.tril(v))

# ---- cumprod ----------------------------------------------------------------------------------------
case('cumprod_1', np.cumprod(A, 1))
case('cumprod_flat', np.cumprod(A))
case('cumprod_int', np.cumprod(I, 0))
case('cumprod_f32', np.cumprod(F32, 1))
case('cumprod_bool', np.cumprod(np.array([[True, False], [True, True]]), 1))

# ---- median / quantile / percentile -----------------------------------------------------------------
case('median', np.median(Q))
case('median_0', np.median(Q, 0))
case('median_1_keep', np.median(Q, 1, keepdims=True))
case('median_nan', np.median(QN, 1))
case('median_A_02', np.median(A, (0, 2)))
case('median_int', np.median(I))
case('median_f32', np.median(F32, 1))
case('quantile', np.quantile(Q, 0.3))
case('quantile_list', np.quantile(Q, [0.1, 0.5, 0.9], axis=1))
for m in ['linear', 'lower', 'higher', 'nearest', 'midpoint']:
    case(f'quantile_{m}', np.quantile(Q, [0.0, 0.25, 0.3, 0.5, 0.625, 1.0], axis=0, method=m))
case('quantile_int', np.quantile(I, 0.5))
case('quantile_nan', np.quantile(QN, 0.5, axis=1))
case('quantile_f32', np.quantile(F32, 0.3, axis=1))
case('quantile_keep', np.quantile(A, [0.2, 0.7], axis=(0, 2), keepdims=True))
case('percentile', np.percentile(Q, 37.5, 1))
case('percentile_ends', np.percentile(Q, [0, 100]))

# ---- meshgrid ---------------------------------------------------------------------------------------
case('meshgrid_xy', np.meshgrid(x3, y2))
case('meshgrid_ij', np.meshgrid(x3, y2, indexing='ij'))
case('meshgrid_3', np.meshgrid(x3, y2, z2))
case('meshgrid_sparse', np.meshgrid(x3, y2, sparse=True))

# ---- einsum -----------------------------------------------------------------------------------------
Iv = np.arange(4.0)
case('einsum_matmul', np.einsum('ij,jk->ik', M, N))
case('einsum_matmul_implicit', np.einsum('ij,jk', M, N))
case('einsum_trace', np.einsum('ii', Sq))
case('einsum_diag', np.einsum('ii->i', Sq))
case('einsum_transpose', np.einsum('ij->ji', M))
case('einsum_implicit_transpose', np.einsum('ji', M))
case('einsum_inner', np.einsum('i,i', b, Iv))
case('einsum_outer', np.einsum('i,j->ij', b, v))
case('einsum_batch', np.einsum('bij,bjk->bik', T3, T4))
case('einsum_ellipsis', np.einsum('...ij,...jk', T3, T4))
case('einsum_sum_all', np.einsum('ijk->', A))
case('einsum_sum_k', np.einsum('ijk->k', A))
case('einsum_rowdot', np.einsum('ij,ij->i', M, M))
case('einsum_elementwise', np.einsum('i,i->i', b, Iv))
case('einsum_matvec', np.einsum('ij,j->i', M, Iv))
case('einsum_iij', np.einsum('iij->j', C3))
case('einsum_three', np.einsum('abc,cd,de->abe', T3, N, N.T))
case('einsum_ellipsis_bcast', np.einsum('...i,...i->...', A, Iv))
case('einsum_upper', np.einsum('Ba,b', M[:, :3], v))
case('einsum_int', np.einsum('ij,jk', I, I.T))
case('einsum_broadcast1', np.einsum('ij,jk', M[:, :1], N[:1]))
case('einsum_scalar', np.einsum(',ij->ij', np.array(2.0), M))
case('einsum_ellipsis_only', np.einsum('...', A))
case('einsum_ellipsis_sum', np.einsum('i...->...', A))

# ---- linalg -----------------------------------------------------------------------------------------
case('inv', np.linalg.inv(Sq))
case('inv_batch', np.linalg.inv(Bst))
case('inv_int', np.linalg.inv(Ai))
case('inv_f32', np.linalg.inv(Sq.astype(np.float32)))
case('inv_pivot', np.linalg.inv(Piv))
case('solve_vec', np.linalg.solve(Sq, b))
case('solve_mat', np.linalg.solve(Sq, B2))
case('solve_batch', np.linalg.solve(Bst, Bb))
case('solve_bcast', np.linalg.solve(Bst, Bb[0]))
case('det', np.linalg.det(Sq))
case('det_batch', np.linalg.det(Bst))
case('det_singular', np.linalg.det(Sing))
case('det_int', np.linalg.det(Ai))
case('det_pivot', np.linalg.det(Piv))
case('det_f32', np.linalg.det(Sq.astype(np.float32)))

errors = {}
for name, f in [
    ('inv_singular', lambda: np.linalg.inv(Sing)),
    ('solve_singular', lambda: np.linalg.solve(Sing, np.ones(2))),
    ('inv_nonsquare', lambda: np.linalg.inv(M)),
    ('inv_1d', lambda: np.linalg.inv(v)),
]:
    try:
        f()
        raise AssertionError(name + ' did not raise')
    except np.linalg.LinAlgError as e:
        errors[name] = str(e)

json.dump({'inputs': {k: enc(a) for k, a in inputs.items()}, 'cases': cases, 'errors': errors},
          open(OUT, 'w'), indent=None, separators=(',', ':'))
print(f'wrote {OUT}: {len(cases)} cases, errors {errors}')
