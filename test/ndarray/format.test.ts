/** toString() against numpy's repr, string for string (golden reprs from scripts/golden_ndarray.py). */
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { array as A, type NDArray } from '../../src/index.js';
import { golden } from './helpers.js';

const f64 = (n: number) => nd.arange(0, n, 1, 'float64');

const make: Record<string, () => NDArray> = {
  float64: () =>
    A([
      [1.0, 2.5],
      [-3.0, 4.0],
    ]),
  float64_int_values: () => A([1, 2, 3]),
  float32: () => A([0.1, 1.25, -2.0], 'float32'),
  int32: () =>
    A(
      [
        [1, -20],
        [300, 4],
      ],
      'int32',
    ),
  uint8: () => A([0, 255, 7], 'uint8'),
  bool: () =>
    A([
      [true, false],
      [false, true],
    ]),
  negative: () => A([-1.5, 0.0, 2.25]),
  sci_small: () => A([1e-5, 1.0, 2.0]),
  sci_large: () => A([1e8, 1.0]),
  sci_ratio: () => A([0.001, 10.0]),
  long_fraction: () => A([1 / 3, 2 / 3, 1.0]),
  nan_inf: () => A([NaN, Infinity, -Infinity, 1.5]),
  zero_d: () => nd.scalar(3.5),
  zero_d_int: () => nd.scalar(7, 'int32'),
  empty: () => nd.zeros([0, 3]),
  empty_1d: () => nd.zeros(0),
  empty_int: () => nd.zeros([2, 0], 'int32'),
  summarised_1d: () => f64(2000),
  summarised_2d: () => nd.arange(1200).reshape(40, 30),
  wrapped_row: () => f64(30).div(7),
  three_d: () => f64(12).reshape(2, 2, 3),
  zeros_f32: () => nd.zeros([2, 2], 'float32'),
  all_zero: () => nd.zeros(3),
  neg_zero: () => A([-0, 1]),
  big_int_vals: () => A([1e15, 2]),
  tiny_uniform: () => A([1e-10, 2e-10]),
  f32_shortest: () => A([1.1, 2.25, -0.3], 'float32'),
  f32_sci: () => A([1e-5, 1.1], 'float32'),
  only_special: () => A([NaN, Infinity]),
  mixed_decimals: () =>
    A([
      [1.5, 2.25],
      [100.125, -7.0],
    ]),
  summarised_3d: () => f64(3000).reshape(10, 10, 30).div(4),
  bool_big: () => nd.mod(nd.arange(1500), 3).eq(0),
  int_negative_col: () =>
    A(
      [
        [-1, 2],
        [3, -400],
      ],
      'int32',
    ),
  f32_0d: () => nd.scalar(0.1, 'float32'),
};

describe('toString matches numpy repr', () => {
  it('covers every golden repr', () => {
    expect(Object.keys(golden.repr).filter((k) => !(k in make))).toEqual([]);
  });
  for (const [name, want] of Object.entries(golden.repr)) {
    it(name, () => expect(make[name]().toString()).toBe(want));
  }
  it('prints a non-contiguous view like its copy', () => {
    const a = f64(12).reshape(3, 4).T.slice('::-1');
    expect(a.toString()).toBe(a.copy().toString());
  });
});
