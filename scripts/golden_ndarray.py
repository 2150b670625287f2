#!/usr/bin/env python3
"""Golden values for the NDArray tests, computed with numpy (run by hand; tests never run Python).

    python3 scripts/golden_ndarray.py

writes test/golden/ndarray.json (inputs, expected results of named cases, promotion tables, reprs,
error messages) and small .npy/.npz fixtures test/golden/ndarray_*.np[yz] written by numpy itself.
Each case name here has a twin in test/ndarray/golden.test.ts that computes the same thing with nabla.
numpy's int64 (its default integer) is recorded as int32, nabla's only wide integer type.
"""
import json
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'golden')

DT = {
    'float64': 'float64',
    'float32': 'float32',
    'int32': 'int32',
    'int64': 'int32',
    'uint64': 'int32',
    'uint8': 'uint8',
    'bool': 'bool',
}
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
    if a.dtype in (np.int64, np.uint64):
        assert np.all(np.abs(a) < 2**31), 'int64 result does not fit int32'
    return {'dtype': DT[str(a.dtype)], 'shape': list(a.shape), 'data': [num(v) for v in a.ravel().tolist()]}


rs = np.random.RandomState(231)
inputs = {
    'A': (np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 7.5) / 2,  # float64 (2, 3, 4)
    'F': ((np.arange(12, dtype=np.float32).reshape(3, 4) - 5) / 3).astype(np.float32),  # float32 (3, 4)
    'I': (np.arange(12, dtype=np.int32).reshape(3, 4) - 4).astype(np.int32),  # int32 (3, 4)
    'U': np.array([0, 5, 250, 255, 7, 9], dtype=np.uint8),
    'B': np.array([[True, False, True], [False, False, True]]),
    'R': np.round(rs.randn(4, 5), 6),  # float64 (4, 5)
    'P': np.round(rs.rand(3, 4) * 4 + 0.1, 6),  # positive float64 (3, 4)
    'V': np.array([3.0, -1.0, 2.0, 2.0, np.nan, 0.5, -1.0]),
    'E': np.zeros((0, 3)),
    'S': np.array(3.5),
    'row': np.array([1.0, -2.0, 0.5, 4.0]),  # (4,)
    'col': np.array([[1.0], [2.0], [-3.0]]),  # (3, 1)
    'M': np.round(rs.randn(3, 4), 6),  # (3, 4)
    'N': np.round(rs.randn(4, 2), 6),  # (4, 2)
    'T3': np.round(rs.randn(2, 3, 4), 6),  # (2, 3, 4)
    'T4': np.round(rs.randn(2, 4, 5), 6),  # (2, 4, 5)
    'labels': np.array([0, 2, 1, 2, 0, 3], dtype=np.int32),
}
g = {k: v.copy() for k, v in inputs.items()}
A, F, I, U, B, R, P, V, E, S = (g[k] for k in 'AFIUBRPVES')
row, col, M, N, T3, T4, labels = (g[k] for k in ['row', 'col', 'M', 'N', 'T3', 'T4', 'labels'])

cases = {}


def case(name, value):
    if isinstance(value, (list, tuple)):
        cases[name] = [enc(v) for v in value]
    else:
        cases[name] = enc(value)


def after(a, f):
    """The array after an in-place mutation f(a) of a copy."""
    c = a.copy()
    f(c)
    return c


# ---- creation ------------------------------------------------------------------------------------
case('arange5', np.arange(5))
case('arange_2_10_3', np.arange(2, 10, 3))
case('arange_neg_step', np.arange(5, -3, -2))
case('arange_float', np.arange(0, 1, 0.1))
case('linspace', np.linspace(0, 1, 5))
case('linspace_noend', np.linspace(2, 3, 4, endpoint=False))
case('linspace_step', np.array(np.linspace(-1, 1, 9, retstep=True)[1]))
case('eye_3_4_1', np.eye(3, 4, 1))
case('eye_3_3_m1', np.eye(3, k=-1))
case('full_int', np.full((2, 2), 7, dtype=np.int32))

# ---- views ---------------------------------------------------------------------------------------
case('reshape_neg', A.reshape(4, -1))
case('reshape_T', A.T.reshape(-1, 6))  # non-contiguous: needs a copy
case('reshape_slice', A[:, 1:, ::2].reshape(2, -1))
case('transpose_axes', A.transpose(1, 0, 2))
case('slice_mixed', A[1, ::-1, 1:3])
case('slice_neg', A[-1, -2:, -3::-2])
case('slice_step', A[:, ::2, ::3])
case('slice_newaxis', A[None, 0, ..., None])
case('slice_ellipsis', A[..., 1])
case('slice_empty', A[:, 2:1])
case('moveaxis', np.moveaxis(A, 0, -1))
case('moveaxis_multi', np.moveaxis(A, [0, 1], [-1, 0]))
case('swapaxes', np.swapaxes(A, 0, 2))
case('squeeze', A[:, :1, None, 2:3].squeeze())
case('squeeze_axis', A[:, :1].squeeze(1))
case('expand_dims', np.expand_dims(row, 0))
case('broadcast_to', np.broadcast_to(col, (2, 3, 4)))
case('ravel_T', F.T.ravel())
case('astype_f2i', np.array([-2.7, -0.5, 0.5, 2.7]).astype(np.int32))
case('astype_f2u8', np.array([0.0, 1.9, 255.0, 100.5]).astype(np.uint8))
case('astype_bool', np.array([0.0, -0.0, np.nan, 2.0, -1e-300]).astype(bool))
case('write_through', after(A, lambda c: c[:, 1, ::2].__setitem__(Ellipsis, -1)))
case('write_through_T', after(F, lambda c: np.copyto(c.T[1:3], 9)))

# ---- elementwise --------------------------------------------------------------------------------
case('add_row', A + row)
case('sub_col', F - col)
case('mul_bcast', col * row)
case('div_int', I / 3)
case('div_zero', np.array([1.0, -1.0, 0.0]) / 0.0)
case('pow_f', P ** 1.5)
case('pow_int', I ** 2)
case('maximum_nan', np.maximum(V, 1.0))
case('minimum_arr', np.minimum(A, row))
case('mod_neg', np.mod(I, -3))
case('mod_float', np.mod(np.array([-7.5, 7.5, -1.0]), 2.0))
case('floor_divide', np.floor_divide(I, 3))
case('add_scalar0d', A + S)
case('add_0d_0d', S + S)
case('add_empty', E + np.arange(3.0))
case('neg', -A)
case('abs_int', np.abs(I))
case('exp', np.exp(R))
case('log', np.log(P))
case('sqrt', np.sqrt(P))
case('tanh', np.tanh(R))
case('sigmoid', 1 / (1 + np.exp(-R)))
case('sign', np.sign(np.array([-2.0, 0.0, 3.0, np.nan])))
case('square_int', np.square(I))
case('clip', np.clip(R, -0.5, 0.5))
case('clip_int_lo', np.clip(I, 0, None))
case('clip_int_float', np.clip(I, -1.5, 2.5))
case('clip_uint8_wide', np.clip(U, 3, 300))
case('clip_bool', np.clip(B, 0, 1))
case('exp_f32', np.exp(F))
case('gt', A > 0)
case('eq_bcast', I == np.array([-4, 0, 6, 7]))
case('le_scalar', F <= 0.25)
case('ne_nan', V != V)
case('bool_add', B + B)
case('bool_mul', B * B[::-1])
case('uint8_add', U + np.array([10], dtype=np.uint8))
case('uint8_scalar', U + 1)
case('uint8_float', U * 0.5)
case('int32_float32', I + F)
case('int32_scalar_float', I * 0.5)
case('bool_scalar', B + 1)
case('f32_scalar', F * 2.5)
case('f32_f64', F + M)
case('add_inplace_bcast', after(M, lambda c: c.__iadd__(row)))
case('mul_inplace_int', after(I, lambda c: c.__imul__(3)))
case('logical_not', np.logical_not(B))

# ---- reductions ----------------------------------------------------------------------------------
for ax, tag in [(None, 'all'), (0, '0'), (-1, 'm1'), ((0, 2), '02')]:
    case(f'sum_{tag}', A.sum(axis=ax))
    case(f'mean_{tag}', A.mean(axis=ax))
    case(f'var_{tag}', A.var(axis=ax))
    case(f'max_{tag}', A.max(axis=ax))
    case(f'prod_{tag}', A.prod(axis=ax))
case('sum_keep', A.sum(axis=1, keepdims=True))
case('sum_keep_all', A.sum(keepdims=True))
case('mean_keep_02', A.mean(axis=(0, 2), keepdims=True))
case('std_ddof1', R.std(axis=0, ddof=1))
case('std_all', R.std())
case('min_1', R.min(axis=1))
case('sum_int', I.sum(axis=0))
case('sum_bool', B.sum(axis=1))
case('sum_uint8', U.sum())
case('mean_int', I.mean(axis=1))
case('var_int', I.var())
case('max_int', I.max(axis=0))
case('max_nan', V.max())
case('sum_f32', F.sum(axis=1))
case('mean_f32', F.mean())
case('sum_empty_0', E.sum(axis=0))
case('sum_empty_all', E.sum())
case('max_empty_1', E.max(axis=1))
case('prod_empty', E.prod(axis=0))
case('any_0', B.any(axis=0))
case('all_1', B.all(axis=1))
case('any_float', R.any())
case('all_keep', B.all(axis=0, keepdims=True))
case('argmax_all', R.argmax())
case('argmax_0', R.argmax(axis=0))
case('argmin_m1', R.argmin(axis=-1))
case('argmax_keep', R.argmax(axis=1, keepdims=True))
case('argmax_nan', V.argmax())
case('argmax_T', R.T.argmax(axis=1))
case('cumsum_all', A.cumsum())
case('cumsum_1', A.cumsum(axis=1))
case('cumsum_int', I.cumsum(axis=-1))
case('cumsum_bool', B.cumsum())
case('sum_T', R.T.sum(axis=0))
case('sum_noncontig', A[:, ::-1, ::2].sum(axis=(0, 1)))
case('sum_0d', S.sum())

# ---- linear algebra -----------------------------------------------------------------------------
case('dot_11', np.dot(row, row))
case('dot_21', np.dot(M, row))
case('dot_12', np.dot(row, N))
case('dot_22', np.dot(M, N))
case('dot_32', np.dot(T3, N))
case('dot_33', np.dot(T3, T4))
case('dot_0d', np.dot(S, M))
case('dot_T', np.dot(M.T, M))
case('dot_int', np.dot(I, I.T))
case('matmul_batch', np.matmul(T3, T4))
case('matmul_bcast', np.matmul(T3, N))
case('matmul_1d', np.matmul(row, T4))
case('matmul_f32', np.matmul(F, F.T))
case('matmul_slice', np.matmul(M[:, ::2], N[::2]))
case('outer', np.outer(row, col))
case('norm', np.linalg.norm(M))
case('norm_1_axis', np.linalg.norm(M, 1, axis=1))
case('norm_2_axis0', np.linalg.norm(M, axis=0))
case('norm_inf', np.linalg.norm(row, np.inf))
case('norm_fro_keep', np.linalg.norm(T3, 'fro', axis=(1, 2), keepdims=True))
case('norm_mat1', np.linalg.norm(M, 1))
case('norm_matinf', np.linalg.norm(M, np.inf))
case('norm_p3', np.linalg.norm(row, 3))
case('norm_0', np.linalg.norm(np.array([0.0, 2.0, 0.0, -1.0]), 0))

# ---- indexing -----------------------------------------------------------------------------------
ar = np.arange(4)
case('fancy_pairs', R[ar, labels[:4]])
case('fancy_rows', A[[1, 0, 1]])
case('fancy_cols', A[:, [2, 0]])
case('fancy_neg', R[[-1, 0], [-2, 1]])
case('fancy_2d_index', R[np.array([[0, 1], [2, 3]])])
case('fancy_int_sep', A[0, :, [1, 2]])
case('fancy_int_adj', A[:, 0, [1, 2]])
case('fancy_sep', A[[0, 1], :, [1, 2]])
case('fancy_bcast', A[np.array([[0], [1]]), :, np.array([0, 3])])
case('mask_1d', V[V > 0])
case('mask_2d', A[A[:, :, 0] > -3])
case('mask_full', A[A > 2])
case('mask_and_slice', R[R[:, 0] > 0, 1:3])
case('fancy_ellipsis', A[..., [0, -1]])
case('mask_and_fancy', R[np.array([True, False, True, False]), [1, 3]])
case('fancy_newaxis_between', A[[0, 1], None, [1, 2]])
case('fancy_slice_int_fancy', A[[1, 0], 1:, 2])
case('set_fancy_sep', after(A, lambda c: c.__setitem__((0, slice(None), [1, 2]), np.arange(6.0).reshape(2, 3))))
case('set_fancy', after(R, lambda c: c.__setitem__((ar, labels[:4]), 0)))
case('set_mask', after(R, lambda c: c.__setitem__(c < 0, 0)))
case('set_mask_values', after(V, lambda c: c.__setitem__(c > 1, np.array([10.0, 20.0, 30.0]))))
case('set_slice_bcast', after(A, lambda c: c.__setitem__((slice(None), 1), row)))
case('set_fancy_rows', after(M, lambda c: c.__setitem__([2, 0], np.array([[1.0, 2, 3, 4]]))))
case('set_int_cast', after(I, lambda c: c.__setitem__((0, slice(None)), np.array([1.7, -1.7, 2.5, 3.9]))))
case('add_at', after(np.zeros(4), lambda c: np.add.at(c, [0, 1, 1, 3, 1], 1.0)))
case('add_at_2d', after(np.zeros((3, 4)), lambda c: np.add.at(c, (labels[:5] % 3, [0, 1, 1, 1, 0]), [1.0, 2, 3, 4, 5])))
case('add_at_rows', after(np.zeros((3, 2)), lambda c: np.add.at(c, [0, 2, 0], np.array([[1.0, 2], [3, 4], [5, 6]]))))
case('nonzero', np.nonzero(I))
case('nonzero_bool', np.nonzero(B))
case('take_flat', np.take(A, [0, 5, -1]))
case('take_axis1', np.take(A, [2, 0, 2], axis=1))
case('take_2d_idx', np.take(R, np.array([[0, 1], [3, 3]]), axis=0))
case('take_scalar', np.take(A, 1, axis=-1))
case('put_flat', after(M, lambda c: np.put(c, [0, 5, -1], [7.0, 8.0])))
case('put_T', after(F, lambda c: np.put(c.T, [0, 1], [-9.0])))
case('take_along', np.take_along_axis(R, labels[:4].reshape(4, 1), axis=1))
case('take_along_argsort', np.take_along_axis(R, np.argsort(R, axis=0, kind='stable'), axis=0))
case('put_along', after(R, lambda c: np.put_along_axis(c, labels[:4].reshape(4, 1), -5.0, axis=1)))
case('where3', np.where(R > 0, R, 0))
case('where3_bcast', np.where(col > 0, row, -row))
case('where3_int_float', np.where(I > 0, I, 0.5))
case('where3_scalars', np.where(B, 1, 0))
case('where3_f32', np.where(F > 0, F, 2.5))
case('where1', np.where(B))
case('compress_axis0', np.compress([True, False, True], M, axis=0))
case('compress_short', np.compress([False, True], M, axis=1))
case('compress_flat', np.compress(M.ravel() > 0, M))

# ---- manipulation --------------------------------------------------------------------------------
case('concat_0', np.concatenate([M, M[:1]], axis=0))
case('concat_1', np.concatenate([M, N.T[:, :3].T.reshape(3, 2)], axis=1))
case('concat_m1_mixed', np.concatenate([I, F], axis=-1))
case('concat_none', np.concatenate([row, M], axis=None))
case('concat_empty', np.concatenate([E, np.ones((2, 3))]))
case('concat_bool_int', np.concatenate([B, np.array([[2, 3, 4]], dtype=np.int32)]))
case('stack_0', np.stack([row, row * 2]))
case('stack_m1', np.stack([M, M * 2, M * 3], axis=-1))
case('vstack_1d', np.vstack([row, row]))
case('vstack_2d', np.vstack([M, row]))
case('hstack_1d', np.hstack([row, np.arange(2.0)]))
case('hstack_2d', np.hstack([M, M[:, :1]]))
case('split_sections', np.split(np.arange(12.0).reshape(6, 2), 3))
case('split_indices', np.split(np.arange(10.0), [3, 5, 20]))
case('split_axis1', np.split(A, [1, -1], axis=2))
case('array_split', np.array_split(np.arange(7.0), 3))
case('pad_const', np.pad(M, 1))
case('pad_const_val', np.pad(row, (2, 1), constant_values=-1))
case('pad_nchw', np.pad(T3[None], ((0, 0), (0, 0), (1, 2), (2, 1))))
case('pad_edge', np.pad(M, ((1, 0), (2, 3)), mode='edge'))
case('pad_reflect', np.pad(row, (3, 5), mode='reflect'))
case('pad_reflect_2d', np.pad(M, 2, mode='reflect'))
case('pad_symmetric', np.pad(row, (5, 6), mode='symmetric'))
case('pad_wrap', np.pad(row, (6, 2), mode='wrap'))
case('pad_int', np.pad(I, ((0, 1), (1, 0))))
case('tile_1d', np.tile(row, 2))
case('tile_2d', np.tile(row, (2, 2)))
case('tile_M', np.tile(M, (2, 1, 2)))
case('tile_short', np.tile(A, 2))
case('repeat_flat', np.repeat(M, 2))
case('repeat_axis', np.repeat(M, 3, axis=1))
case('repeat_counts', np.repeat(M, [1, 0, 2], axis=0))
case('sort_m1', np.sort(R))
case('sort_0', np.sort(R, axis=0))
case('sort_none', np.sort(M, axis=None))
case('sort_nan', np.sort(V))
case('sort_int', np.sort(I[::-1], axis=0))
case('argsort_m1', np.argsort(R, kind='stable'))
case('argsort_0', np.argsort(R, axis=0, kind='stable'))
case('argsort_ties', np.argsort(V, kind='stable'))
case('argsort_int', np.argsort(labels, kind='stable'))
case('unique', np.unique(V))
case('unique_int', np.unique(labels))
case('unique_all', list(np.unique_all(labels)))
case('unique_all_2d', list(np.unique_all(I % 3)))
case('bincount', np.bincount(labels))
case('bincount_minlength', np.bincount(labels, minlength=7))
case('bincount_weights', np.bincount(labels, weights=np.arange(6.0) / 2))
case('bincount_bool', np.bincount(np.array([True, False, True])))

# ---- dtype promotion -----------------------------------------------------------------------------
dts = ['bool', 'uint8', 'int32', 'float32', 'float64']
promotion = {a: {b: DT[str(np.result_type(np.dtype(a), np.dtype(b)))] for b in dts} for a in dts}
scalars = {'1': 1, '-1': -1, '2.5': 2.5}
weak = {}
for d in dts:
    weak[d] = {}
    for k, s in scalars.items():
        try:
            weak[d][k] = DT[str((np.ones(2, dtype=d) + s).dtype)]
        except (OverflowError, TypeError) as e:
            weak[d][k] = 'error: ' + type(e).__name__

# ---- repr ---------------------------------------------------------------------------------------
reprs = {
    'float64': repr(np.array([[1.0, 2.5], [-3.0, 4.0]])),
    'float64_int_values': repr(np.array([1.0, 2.0, 3.0])),
    'float32': repr(np.array([0.1, 1.25, -2.0], dtype=np.float32)),
    'int32': repr(np.array([[1, -20], [300, 4]], dtype=np.int32)),
    'uint8': repr(np.array([0, 255, 7], dtype=np.uint8)),
    'bool': repr(np.array([[True, False], [False, True]])),
    'negative': repr(np.array([-1.5, 0.0, 2.25])),
    'sci_small': repr(np.array([1e-5, 1.0, 2.0])),
    'sci_large': repr(np.array([1e8, 1.0])),
    'sci_ratio': repr(np.array([0.001, 10.0])),
    'long_fraction': repr(np.array([1 / 3, 2 / 3, 1.0])),
    'nan_inf': repr(np.array([np.nan, np.inf, -np.inf, 1.5])),
    'zero_d': repr(np.array(3.5)),
    'zero_d_int': repr(np.array(7, dtype=np.int32)),
    'empty': repr(np.zeros((0, 3))),
    'empty_1d': repr(np.zeros(0)),
    'empty_int': repr(np.zeros((2, 0), dtype=np.int32)),
    'summarised_1d': repr(np.arange(2000.0)),
    'summarised_2d': repr(np.arange(1200, dtype=np.int32).reshape(40, 30)),
    'wrapped_row': repr(np.arange(30.0) / 7),
    'three_d': repr(np.arange(12.0).reshape(2, 2, 3)),
    'zeros_f32': repr(np.zeros((2, 2), dtype=np.float32)),
    'all_zero': repr(np.zeros(3)),
    'neg_zero': repr(np.array([-0.0, 1.0])),
    'big_int_vals': repr(np.array([1e15, 2.0])),
    'tiny_uniform': repr(np.array([1e-10, 2e-10])),
    'f32_shortest': repr(np.array([1.1, 2.25, -0.3], dtype=np.float32)),
    'f32_sci': repr(np.array([1e-5, 1.1], dtype=np.float32)),
    'only_special': repr(np.array([np.nan, np.inf])),
    'mixed_decimals': repr(np.array([[1.5, 2.25], [100.125, -7.0]])),
    'summarised_3d': repr(np.arange(3000.0).reshape(10, 10, 30) / 4),
    'bool_big': repr(np.arange(1500) % 3 == 0),
    'int_negative_col': repr(np.array([[-1, 2], [3, -400]], dtype=np.int32)),
    'f32_0d': repr(np.array(0.1, dtype=np.float32)),
}

# ---- error messages (numpy's wording we follow) --------------------------------------------------
errors = {}
try:
    np.ones((2, 3)) + np.ones(4)
except ValueError as e:
    errors['broadcast'] = str(e)

# ---- the random stream, recomputed independently ------------------------------------------------
# nabla's Generator is xoshiro128** seeded through splitmix32 (not numpy's PCG64); this re-implements it in
# Python integers so the TypeScript stream is checked against a second implementation, not against itself.
M32 = 0xFFFFFFFF


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def splitmix32(seed):
    s = seed & M32
    while True:
        s = (s + 0x9E3779B9) & M32
        z = s
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        yield (z ^ (z >> 16)) & M32


def xoshiro128ss(seed):
    # Below 2**32 one splitmix stream gives the four words; above, the high word seeds a second one,
    # interleaved with the first (words 0 and 2 from the low word, 1 and 3 from the high one).
    a = splitmix32(seed & M32)
    b = a if seed >> 32 == 0 else splitmix32(seed >> 32)
    s = [next(a), next(b), next(a), next(b)]
    while True:
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        yield result


def stream(seed, n):
    g = xoshiro128ss(seed)
    return [next(g) for _ in range(n)]


def doubles(seed, n):
    g = xoshiro128ss(seed)
    return [((next(g) >> 5) * 67108864 + (next(g) >> 6)) / 9007199254740992 for _ in range(n)]


random_golden = {
    'seed42_uint32': stream(42, 8),
    'seed0_uint32': stream(0, 4),
    'seed_big_uint32': stream(2**40 + 5, 4),
    'seed_max_uint32': stream(2**53 - 1, 4),
    'seed42_rand': doubles(42, 5),
}

golden = {
    'random': random_golden,
    'inputs': {k: enc(v) for k, v in inputs.items()},
    'cases': cases,
    'promotion': promotion,
    'weak': weak,
    'repr': reprs,
    'errors': errors,
}
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, 'ndarray.json'), 'w') as f:
    json.dump(golden, f, separators=(',', ':'))
    f.write('\n')

# ---- .npy / .npz fixtures written by numpy ------------------------------------------------------
fixtures = {
    'f8': np.array([[1.5, -2.0, 3.25], [0.0, np.inf, -0.5]]),
    'f4': np.array([0.1, -1.5, 2.0], dtype=np.float32),
    'i4': np.array([[1, -2], [3, 2**31 - 1]], dtype=np.int32),
    'u1': np.array([0, 200, 255], dtype=np.uint8),
    'b1': np.array([True, False, True]),
    'i8': np.array([-3, 0, 7], dtype=np.int64),
    'i8big': np.array([2**40], dtype=np.int64),
    'f8be': np.array([1.5, -2.25, 1e300], dtype='>f8'),
    'fortran': np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    'scalar': np.array(2.5),
    'empty': np.zeros((0, 4), dtype=np.float32),
    'f2': np.array([1.0], dtype=np.float16),
}
for k, v in fixtures.items():
    np.save(os.path.join(OUT, f'ndarray_{k}.npy'), v)
np.savez(os.path.join(OUT, 'ndarray_stored.npz'), W1=fixtures['f8'], b1=fixtures['f4'], y=fixtures['u1'])
np.savez_compressed(os.path.join(OUT, 'ndarray_deflated.npz'), W1=fixtures['f8'], mask=fixtures['b1'])
print(f'wrote {len(cases)} cases, {len(reprs)} reprs, {len(fixtures)} .npy and 2 .npz fixtures to {OUT}')
