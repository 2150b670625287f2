/**
 * Every case numpy computed in scripts/golden_ndarray.py, recomputed with nabla: same dtype (numpy's
 * int64 recorded as int32), same shape, same values.
 */
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { NDArray, arange, array } from '../../src/index.js';
import { decode, expectMatches, golden } from './helpers.js';

type Inputs = Record<string, NDArray>;
type Case = (x: Inputs) => NDArray | NDArray[];

const f64 = (n: number) => arange(0, n, 1, 'float64');

const reductionCases: Record<string, Case> = {};
for (const [tag, axis] of [
  ['all', null],
  ['0', 0],
  ['m1', -1],
  ['02', [0, 2]],
] as [string, nd.Axis][]) {
  reductionCases[`sum_${tag}`] = (x) => x.A.sum(axis);
  reductionCases[`mean_${tag}`] = (x) => x.A.mean(axis);
  reductionCases[`var_${tag}`] = (x) => x.A.var(axis);
  reductionCases[`max_${tag}`] = (x) => x.A.max(axis);
  reductionCases[`prod_${tag}`] = (x) => x.A.prod(axis);
}

const cases: Record<string, Case> = {
  // creation
  arange5: () => arange(5),
  arange_2_10_3: () => arange(2, 10, 3),
  arange_neg_step: () => arange(5, -3, -2),
  arange_float: () => arange(0, 1, 0.1),
  linspace: () => nd.linspace(0, 1, 5),
  linspace_noend: () => nd.linspace(2, 3, 4, { endpoint: false }),
  linspace_step: () => nd.scalar(nd.linspace(-1, 1, 9, { retstep: true })[1]),
  eye_3_4_1: () => nd.eye(3, 4, 1),
  eye_3_3_m1: () => nd.eye(3, 3, -1),
  full_int: () => nd.full([2, 2], 7, 'int32'),
  // views
  reshape_neg: (x) => x.A.reshape(4, -1),
  reshape_T: (x) => x.A.T.reshape(-1, 6),
  reshape_slice: (x) => x.A.slice(':', '1:', '::2').reshape(2, -1),
  transpose_axes: (x) => x.A.transpose(1, 0, 2),
  slice_mixed: (x) => x.A.slice(1, '::-1', '1:3'),
  slice_neg: (x) => x.A.slice(-1, '-2:', '-3::-2'),
  slice_step: (x) => x.A.slice(':', '::2', '::3'),
  slice_newaxis: (x) => x.A.slice(null, 0, '...', null),
  slice_ellipsis: (x) => x.A.slice('...', 1),
  slice_empty: (x) => x.A.slice(':', '2:1'),
  moveaxis: (x) => x.A.moveaxis(0, -1),
  moveaxis_multi: (x) => x.A.moveaxis([0, 1], [-1, 0]),
  swapaxes: (x) => x.A.swapaxes(0, 2),
  squeeze: (x) => x.A.slice(':', ':1', null, '2:3').squeeze(),
  squeeze_axis: (x) => x.A.slice(':', ':1').squeeze(1),
  expand_dims: (x) => x.row.expandDims(0),
  broadcast_to: (x) => x.col.broadcastTo([2, 3, 4]),
  ravel_T: (x) => x.F.T.ravel(),
  astype_f2i: () => array([-2.7, -0.5, 0.5, 2.7]).astype('int32'),
  astype_f2u8: () => array([0, 1.9, 255, 100.5]).astype('uint8'),
  astype_bool: () => array([0, -0, NaN, 2, -1e-300]).astype('bool'),
  write_through: (x) => {
    x.A.slice(':', 1, '::2').fill(-1);
    return x.A;
  },
  write_through_T: (x) => {
    x.F.T.slice('1:3').fill(9);
    return x.F;
  },
  // elementwise
  add_row: (x) => x.A.add(x.row),
  sub_col: (x) => x.F.sub(x.col),
  mul_bcast: (x) => x.col.mul(x.row),
  div_int: (x) => x.I.div(3),
  div_zero: () => array([1, -1, 0]).div(0),
  pow_f: (x) => x.P.pow(1.5),
  pow_int: (x) => x.I.pow(2),
  maximum_nan: (x) => x.V.maximum(1),
  minimum_arr: (x) => x.A.minimum(x.row),
  mod_neg: (x) => nd.mod(x.I, -3),
  mod_float: () => nd.mod(array([-7.5, 7.5, -1]), 2),
  floor_divide: (x) => nd.floorDivide(x.I, 3),
  add_scalar0d: (x) => x.A.add(x.S),
  add_0d_0d: (x) => x.S.add(x.S),
  add_empty: (x) => x.E.add(f64(3)),
  neg: (x) => x.A.neg(),
  abs_int: (x) => x.I.abs(),
  exp: (x) => x.R.exp(),
  log: (x) => x.P.log(),
  sqrt: (x) => x.P.sqrt(),
  tanh: (x) => x.R.tanh(),
  sigmoid: (x) => x.R.sigmoid(),
  sign: () => array([-2, 0, 3, NaN]).sign(),
  square_int: (x) => x.I.square(),
  clip: (x) => x.R.clip(-0.5, 0.5),
  clip_int_lo: (x) => x.I.clip(0, null),
  clip_int_float: (x) => x.I.clip(-1.5, 2.5),
  clip_uint8_wide: (x) => x.U.clip(3, 300),
  clip_bool: (x) => x.B.clip(0, 1),
  exp_f32: (x) => x.F.exp(),
  gt: (x) => x.A.gt(0),
  eq_bcast: (x) => x.I.eq(array([-4, 0, 6, 7], 'int32')),
  le_scalar: (x) => x.F.le(0.25),
  ne_nan: (x) => x.V.ne(x.V),
  bool_add: (x) => x.B.add(x.B),
  bool_mul: (x) => x.B.mul(x.B.slice('::-1')),
  uint8_add: (x) => x.U.add(array([10], 'uint8')),
  uint8_scalar: (x) => x.U.add(1),
  uint8_float: (x) => x.U.mul(0.5),
  int32_float32: (x) => x.I.add(x.F),
  int32_scalar_float: (x) => x.I.mul(0.5),
  bool_scalar: (x) => x.B.add(1),
  f32_scalar: (x) => x.F.mul(2.5),
  f32_f64: (x) => x.F.add(x.M),
  add_inplace_bcast: (x) => x.M.addInPlace(x.row),
  mul_inplace_int: (x) => x.I.mulInPlace(3),
  logical_not: (x) => nd.logicalNot(x.B),
  // reductions
  ...reductionCases,
  sum_keep: (x) => x.A.sum(1, true),
  sum_keep_all: (x) => x.A.sum(null, true),
  mean_keep_02: (x) => x.A.mean([0, 2], true),
  std_ddof1: (x) => x.R.std(0, false, 1),
  std_all: (x) => x.R.std(),
  min_1: (x) => x.R.min(1),
  sum_int: (x) => x.I.sum(0),
  sum_bool: (x) => x.B.sum(1),
  sum_uint8: (x) => x.U.sum(),
  mean_int: (x) => x.I.mean(1),
  var_int: (x) => x.I.var(),
  max_int: (x) => x.I.max(0),
  max_nan: (x) => x.V.max(),
  sum_f32: (x) => x.F.sum(1),
  mean_f32: (x) => x.F.mean(),
  sum_empty_0: (x) => x.E.sum(0),
  sum_empty_all: (x) => x.E.sum(),
  max_empty_1: (x) => x.E.max(1),
  prod_empty: (x) => x.E.prod(0),
  any_0: (x) => x.B.any(0),
  all_1: (x) => x.B.all(1),
  any_float: (x) => x.R.any(),
  all_keep: (x) => x.B.all(0, true),
  argmax_all: (x) => x.R.argmax(),
  argmax_0: (x) => x.R.argmax(0),
  argmin_m1: (x) => x.R.argmin(-1),
  argmax_keep: (x) => x.R.argmax(1, true),
  argmax_nan: (x) => x.V.argmax(),
  argmax_T: (x) => x.R.T.argmax(1),
  cumsum_all: (x) => x.A.cumsum(),
  cumsum_1: (x) => x.A.cumsum(1),
  cumsum_int: (x) => x.I.cumsum(-1),
  cumsum_bool: (x) => x.B.cumsum(),
  sum_T: (x) => x.R.T.sum(0),
  sum_noncontig: (x) => x.A.slice(':', '::-1', '::2').sum([0, 1]),
  sum_0d: (x) => x.S.sum(),
  // linear algebra
  dot_11: (x) => nd.dot(x.row, x.row),
  dot_21: (x) => nd.dot(x.M, x.row),
  dot_12: (x) => nd.dot(x.row, x.N),
  dot_22: (x) => nd.dot(x.M, x.N),
  dot_32: (x) => nd.dot(x.T3, x.N),
  dot_33: (x) => nd.dot(x.T3, x.T4),
  dot_0d: (x) => nd.dot(x.S, x.M),
  dot_T: (x) => nd.dot(x.M.T, x.M),
  dot_int: (x) => nd.dot(x.I, x.I.T),
  matmul_batch: (x) => nd.matmul(x.T3, x.T4),
  matmul_bcast: (x) => nd.matmul(x.T3, x.N),
  matmul_1d: (x) => nd.matmul(x.row, x.T4),
  matmul_f32: (x) => nd.matmul(x.F, x.F.T),
  matmul_slice: (x) => nd.matmul(x.M.slice(':', '::2'), x.N.slice('::2')),
  outer: (x) => nd.outer(x.row, x.col),
  norm: (x) => nd.norm(x.M),
  norm_1_axis: (x) => nd.norm(x.M, 1, 1),
  norm_2_axis0: (x) => nd.norm(x.M, null, 0),
  norm_inf: (x) => nd.norm(x.row, Infinity),
  norm_fro_keep: (x) => nd.norm(x.T3, 'fro', [1, 2], true),
  norm_mat1: (x) => nd.norm(x.M, 1),
  norm_matinf: (x) => nd.norm(x.M, Infinity),
  norm_p3: (x) => nd.norm(x.row, 3),
  norm_0: () => nd.norm(array([0, 2, 0, -1]), 0),
  // indexing
  fancy_pairs: (x) => x.R.get(arange(4), x.labels.slice(':4')),
  fancy_rows: (x) => x.A.get([1, 0, 1]),
  fancy_cols: (x) => x.A.get(':', [2, 0]),
  fancy_neg: (x) => x.R.get([-1, 0], [-2, 1]),
  fancy_2d_index: (x) =>
    x.R.get(
      array(
        [
          [0, 1],
          [2, 3],
        ],
        'int32',
      ),
    ),
  fancy_int_sep: (x) => x.A.get(0, ':', [1, 2]),
  fancy_int_adj: (x) => x.A.get(':', 0, [1, 2]),
  fancy_sep: (x) => x.A.get([0, 1], ':', [1, 2]),
  fancy_bcast: (x) => x.A.get(array([[0], [1]], 'int32'), ':', array([0, 3], 'int32')),
  mask_1d: (x) => x.V.get(x.V.gt(0)),
  mask_2d: (x) => x.A.get(x.A.get(':', ':', 0).gt(-3)),
  mask_full: (x) => x.A.get(x.A.gt(2)),
  mask_and_slice: (x) => x.R.get(x.R.get(':', 0).gt(0), '1:3'),
  fancy_ellipsis: (x) => x.A.get('...', [0, -1]),
  mask_and_fancy: (x) => x.R.get(array([true, false, true, false]), [1, 3]),
  fancy_newaxis_between: (x) => x.A.get([0, 1], null, [1, 2]),
  fancy_slice_int_fancy: (x) => x.A.get([1, 0], '1:', 2),
  set_fancy_sep: (x) => x.A.set([0, ':', [1, 2]], f64(6).reshape(2, 3)),
  set_fancy: (x) => x.R.set([arange(4), x.labels.slice(':4')], 0),
  set_mask: (x) => x.R.set(x.R.lt(0), 0),
  set_mask_values: (x) => x.V.set(x.V.gt(1), array([10, 20, 30])),
  set_slice_bcast: (x) => x.A.set([':', 1], x.row),
  set_fancy_rows: (x) => x.M.set([[2, 0]], array([[1, 2, 3, 4]])),
  set_int_cast: (x) => x.I.set([0, ':'], array([1.7, -1.7, 2.5, 3.9])),
  add_at: () => {
    const z = nd.zeros(4);
    nd.addAt(z, [0, 1, 1, 3, 1], 1);
    return z;
  },
  add_at_2d: (x) => {
    const z = nd.zeros([3, 4]);
    nd.addAt(z, [nd.mod(x.labels.slice(':5'), 3), [0, 1, 1, 1, 0]], array([1, 2, 3, 4, 5]));
    return z;
  },
  add_at_rows: () => {
    const z = nd.zeros([3, 2]);
    nd.addAt(
      z,
      [0, 2, 0],
      array([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    return z;
  },
  nonzero: (x) => nd.nonzero(x.I),
  nonzero_bool: (x) => nd.nonzero(x.B),
  take_flat: (x) => nd.take(x.A, [0, 5, -1]),
  take_axis1: (x) => nd.take(x.A, [2, 0, 2], 1),
  take_2d_idx: (x) =>
    nd.take(
      x.R,
      array(
        [
          [0, 1],
          [3, 3],
        ],
        'int32',
      ),
      0,
    ),
  take_scalar: (x) => nd.take(x.A, 1, -1),
  put_flat: (x) => {
    nd.put(x.M, [0, 5, -1], [7, 8]);
    return x.M;
  },
  put_T: (x) => {
    nd.put(x.F.T, [0, 1], [-9]);
    return x.F;
  },
  take_along: (x) => nd.takeAlongAxis(x.R, x.labels.slice(':4').reshape(4, 1), 1),
  take_along_argsort: (x) => nd.takeAlongAxis(x.R, nd.argsort(x.R, 0), 0),
  put_along: (x) => {
    nd.putAlongAxis(x.R, x.labels.slice(':4').reshape(4, 1), -5, 1);
    return x.R;
  },
  where3: (x) => nd.where(x.R.gt(0), x.R, 0),
  where3_bcast: (x) => nd.where(x.col.gt(0), x.row, x.row.neg()),
  where3_int_float: (x) => nd.where(x.I.gt(0), x.I, 0.5),
  where3_scalars: (x) => nd.where(x.B, 1, 0),
  where3_f32: (x) => nd.where(x.F.gt(0), x.F, 2.5),
  where1: (x) => nd.where(x.B),
  compress_axis0: (x) => nd.compress([true, false, true], x.M, 0),
  compress_short: (x) => nd.compress([false, true], x.M, 1),
  compress_flat: (x) => nd.compress(x.M.ravel().gt(0), x.M),
  // manipulation
  concat_0: (x) => nd.concatenate([x.M, x.M.slice(':1')], 0),
  concat_1: (x) => nd.concatenate([x.M, x.N.T.slice(':', ':3').T.reshape(3, 2)], 1),
  concat_m1_mixed: (x) => nd.concatenate([x.I, x.F], -1),
  concat_none: (x) => nd.concatenate([x.row, x.M], null),
  concat_empty: (x) => nd.concatenate([x.E, nd.ones([2, 3])]),
  concat_bool_int: (x) => nd.concatenate([x.B, array([[2, 3, 4]], 'int32')]),
  stack_0: (x) => nd.stack([x.row, x.row.mul(2)]),
  stack_m1: (x) => nd.stack([x.M, x.M.mul(2), x.M.mul(3)], -1),
  vstack_1d: (x) => nd.vstack([x.row, x.row]),
  vstack_2d: (x) => nd.vstack([x.M, x.row]),
  hstack_1d: (x) => nd.hstack([x.row, f64(2)]),
  hstack_2d: (x) => nd.hstack([x.M, x.M.slice(':', ':1')]),
  split_sections: () => nd.split(f64(12).reshape(6, 2), 3),
  split_indices: () => nd.split(f64(10), [3, 5, 20]),
  split_axis1: (x) => nd.split(x.A, [1, -1], 2),
  array_split: () => nd.arraySplit(f64(7), 3),
  pad_const: (x) => nd.pad(x.M, 1),
  pad_const_val: (x) => nd.pad(x.row, [2, 1], 'constant', -1),
  pad_nchw: (x) =>
    nd.pad(x.T3.expandDims(0), [
      [0, 0],
      [0, 0],
      [1, 2],
      [2, 1],
    ]),
  pad_edge: (x) =>
    nd.pad(
      x.M,
      [
        [1, 0],
        [2, 3],
      ],
      'edge',
    ),
  pad_reflect: (x) => nd.pad(x.row, [3, 5], 'reflect'),
  pad_reflect_2d: (x) => nd.pad(x.M, 2, 'reflect'),
  pad_symmetric: (x) => nd.pad(x.row, [5, 6], 'symmetric'),
  pad_wrap: (x) => nd.pad(x.row, [6, 2], 'wrap'),
  pad_int: (x) =>
    nd.pad(x.I, [
      [0, 1],
      [1, 0],
    ]),
  tile_1d: (x) => nd.tile(x.row, 2),
  tile_2d: (x) => nd.tile(x.row, [2, 2]),
  tile_M: (x) => nd.tile(x.M, [2, 1, 2]),
  tile_short: (x) => nd.tile(x.A, 2),
  repeat_flat: (x) => nd.repeat(x.M, 2),
  repeat_axis: (x) => nd.repeat(x.M, 3, 1),
  repeat_counts: (x) => nd.repeat(x.M, [1, 0, 2], 0),
  sort_m1: (x) => nd.sort(x.R),
  sort_0: (x) => nd.sort(x.R, 0),
  sort_none: (x) => nd.sort(x.M, null),
  sort_nan: (x) => nd.sort(x.V),
  sort_int: (x) => nd.sort(x.I.slice('::-1'), 0),
  argsort_m1: (x) => nd.argsort(x.R),
  argsort_0: (x) => nd.argsort(x.R, 0),
  argsort_ties: (x) => nd.argsort(x.V),
  argsort_int: (x) => nd.argsort(x.labels),
  unique: (x) => nd.unique(x.V),
  unique_int: (x) => nd.unique(x.labels),
  unique_all: (x) => {
    const u = nd.uniqueAll(x.labels);
    return [u.values, u.indices, u.inverseIndices, u.counts];
  },
  unique_all_2d: (x) => {
    const u = nd.uniqueAll(nd.mod(x.I, 3));
    return [u.values, u.indices, u.inverseIndices, u.counts];
  },
  bincount: (x) => nd.bincount(x.labels),
  bincount_minlength: (x) => nd.bincount(x.labels, null, 7),
  bincount_weights: (x) => nd.bincount(x.labels, f64(6).div(2)),
  bincount_bool: () => nd.bincount(array([true, false, true])),
};

function freshInputs(): Inputs {
  return Object.fromEntries(Object.entries(golden.inputs).map(([k, v]) => [k, decode(v)]));
}

describe('numpy golden cases', () => {
  it('has a nabla twin for every numpy case', () => {
    expect(Object.keys(golden.cases).filter((k) => !(k in cases))).toEqual([]);
  });
  for (const [name, want] of Object.entries(golden.cases)) {
    it(name, () => {
      const f = cases[name];
      if (!f) throw new Error(`no nabla twin for ${name}`);
      const got = f(freshInputs());
      if (Array.isArray(want)) {
        expect(Array.isArray(got), 'returns a list').toBe(true);
        const list = got as NDArray[];
        expect(list.length).toBe(want.length);
        want.forEach((w, i) => expectMatches(list[i], w, `${name}[${i}]`));
      } else expectMatches(got as NDArray, want, name);
    });
  }
});
