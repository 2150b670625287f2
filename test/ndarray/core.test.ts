/** Core NDArray behaviour numpy users rely on: promotion, views writing through, 0-d, errors naming shapes. */
import { describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { NDArray, arange, array, ones, zeros } from '../../src/index.js';
import { golden } from './helpers.js';

const f64 = (n: number) => arange(0, n, 1, 'float64');

describe('dtype promotion', () => {
  it('array with array follows numpy.result_type for every pair', () => {
    for (const a of nd.DTYPES)
      for (const b of nd.DTYPES) {
        expect(nd.promoteTypes(a, b), `${a}+${b}`).toBe(golden.promotion[a][b]);
        expect(ones(2, a).add(ones(2, b)).dtype, `${a}+${b}`).toBe(golden.promotion[a][b]);
      }
  });

  it('JS numbers are weak scalars (NEP 50), out-of-range integers throw as in numpy 2', () => {
    for (const d of nd.DTYPES)
      for (const [s, want] of Object.entries(golden.weak[d])) {
        const f = () => ones(2, d).add(Number(s));
        if (want.startsWith('error')) expect(f, `${d}+${s}`).toThrow(/out of bounds for uint8/);
        else expect(f().dtype, `${d}+${s}`).toBe(want);
      }
    expect(() => ones(2, 'uint8').mul(300)).toThrow('multiply: Python integer 300 out of bounds for uint8');
    expect(() => ones(2, 'int32').pow(-1)).toThrow(/negative integer powers/);
    expect(() => ones(2, 'int32').pow(array([1, -2], 'int32'))).toThrow(/negative integer powers/);
    expect(ones(2, 'int32').pow(array([1, -2])).dtype).toBe('float64'); // a float exponent is fine
    expect(ones(2, 'uint8').lt(300).dtype).toBe('bool'); // comparisons accept any number
  });

  it('division and float functions of integers give float64; comparisons give bool', () => {
    expect(arange(3).div(arange(1, 4)).dtype).toBe('float64');
    expect(arange(3).exp().dtype).toBe('float64');
    expect(arange(3).astype('float32').sqrt().dtype).toBe('float32');
    expect(arange(3).gt(1).dtype).toBe('bool');
  });
});

describe('views write through', () => {
  it('reshape, transpose, slice, squeeze, expandDims and ravel share the buffer', () => {
    const a = f64(12).reshape(3, 4);
    a.reshape(2, 6).setItem(-1, 0, 1);
    expect(a.item(0, 1)).toBe(-1);
    a.T.slice('::-1').setItem(-2, 0, 0); // a.T[::-1][0, 0] is a[0, 3]
    expect(a.item(0, 3)).toBe(-2);
    a.slice(null, '1:2').squeeze().expandDims(0).fill(7);
    expect(a.get(1).toArray()).toEqual([7, 7, 7, 7]);
    expect(a.ravel().data).toBe(a.data);
    a.slice(2).addInPlace(100);
    expect(a.item(2, 0)).toBe(108);
  });

  it('reshape copies only when strides cannot express it, and the copy is independent', () => {
    const a = f64(12).reshape(3, 4);
    const t = a.T.reshape(-1);
    expect(t.data).not.toBe(a.data);
    t.fill(0);
    expect(a.sum().item()).toBe(66);
    const s = a.slice(':', '1:3'); // rows are not contiguous with each other
    expect(s.reshape(6).toArray()).toEqual([1, 2, 5, 6, 9, 10]);
    expect(s.reshape(3, 2, 1).data).toBe(a.data); // splitting an axis stays a view
    expect(a.slice('::2').reshape(2, 2, 2).data).toBe(a.data);
  });

  it('set with slices, masks and integer arrays writes into the original through a view', () => {
    const a = zeros([3, 4]);
    const v = a.slice('1:');
    v.set([':', [0, 3]], 5);
    v.set(v.eq(0), -1);
    expect(a.toArray()).toEqual([
      [0, 0, 0, 0],
      [5, -1, -1, 5],
      [5, -1, -1, 5],
    ]);
  });

  it('in-place ops with overlapping operands behave as if the input were copied first (numpy)', () => {
    const a = f64(9).reshape(3, 3);
    const want = a.add(a.T).toArray();
    a.addInPlace(a.T);
    expect(a.toArray()).toEqual(want);
    const b = f64(5);
    nd.add(b.slice('1:'), b.slice(':-1'), b.slice('1:'));
    expect(b.toArray()).toEqual([0, 1, 3, 5, 7]);
  });
});

describe('0-d arrays and empty arrays', () => {
  it('0-d arrays broadcast, reduce and index like numpy scalars', () => {
    const s = nd.scalar(2);
    expect(s.shape).toEqual([]);
    expect(s.add(s).item()).toBe(4);
    expect(f64(3).mul(s).toArray()).toEqual([0, 2, 4]);
    expect(s.sum().shape).toEqual([]);
    expect(s.sum(null, true).shape).toEqual([]);
    expect(s.get().item()).toBe(2);
    expect(nd.where(s.gt(1), 1, 0).item()).toBe(1);
    expect(s.toArray()).toBe(2);
    expect(() => s.sum(0)).toThrow('sum: axis 0 is out of bounds for array of dimension 0');
  });

  it('empty arrays reduce to identities and refuse max', () => {
    const e = zeros([0, 3]);
    expect(e.sum(0).toArray()).toEqual([0, 0, 0]);
    expect(e.prod().item()).toBe(1);
    expect(Number.isNaN(e.mean().item())).toBe(true);
    expect(() => e.max(0)).toThrow(/zero-size array to reduction operation max/);
    expect(() => e.argmax()).toThrow(/argmax of an empty sequence/);
    expect(nd.concatenate([e, e]).shape).toEqual([0, 3]);
    expect(nd.sort(e).shape).toEqual([0, 3]);
    expect(nd.unique(e).shape).toEqual([0]);
    expect(e.reshape(3, 0, 5).shape).toEqual([3, 0, 5]);
  });
});

describe('errors name the operation and the shapes', () => {
  it('broadcasting uses numpy message', () => {
    const msg = golden.errors.broadcast.trim();
    expect(() => ones([2, 3]).add(ones(4))).toThrow(`add: ${msg}`);
    expect(() => nd.where(ones(2).gt(0), ones(3), 0)).toThrow('where: operands could not be broadcast');
    expect(() => ones([2, 3]).addInPlace(ones([2, 1, 3]))).toThrow(/add: non-broadcastable output operand/);
  });

  it('matmul, dot, reshape, indexing and concatenate', () => {
    expect(() => ones([2, 3]).matmul(ones([4, 2]))).toThrow('matmul: shapes (2, 3) and (4, 2) not aligned');
    expect(() => ones([2, 3]).dot(ones(2))).toThrow('dot: shapes (2, 3) and (2,) not aligned');
    expect(() => ones(6).reshape(4, -1)).toThrow(
      'reshape: cannot reshape array of size 6 into shape (4, -1)',
    );
    expect(() => ones([2, 3]).get(2)).toThrow('get: index 2 is out of bounds for axis 0 with size 2');
    expect(() => ones([2, 3]).get(':', [0, 3])).toThrow(
      'get: index 3 is out of bounds for axis 1 with size 3',
    );
    expect(() => ones([2, 3]).get(ones(2).gt(0), 0, 0)).toThrow(/too many indices/);
    expect(() => nd.take(ones(3), [5])).toThrow('take: index 5 is out of bounds');
    expect(() => nd.concatenate([ones([2, 3]), ones([2, 2])])).toThrow(
      /concatenate: .* along dimension 1, the array at index 0 has size 3 and the array at index 1 has size 2/,
    );
    expect(() => nd.split(ones(7), 3)).toThrow(/does not result in an equal division/);
    expect(() => ones(3).sum(1)).toThrow('sum: axis 1 is out of bounds for array of dimension 1');
  });

  it('dtype misuse', () => {
    expect(() => ones(2, 'bool').sub(ones(2, 'bool'))).toThrow(TypeError);
    expect(() => ones(2, 'bool').neg()).toThrow(/negative: not supported for boolean/);
    expect(() => ones(3).get(array([0.5]))).toThrow(/must be of integer \(or boolean\) type, got float64/);
    expect(() => zeros(2, 'complex' as nd.DType)).toThrow("zeros: unknown dtype 'complex'");
    expect(() => nd.bincount(array([1.5]))).toThrow(/bincount: cannot cast array data from dtype float64/);
  });
});

describe('copy', () => {
  it('of a contiguous view with an offset: its own buffer, the same values, dtype and shape', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'bool'] as const) {
      const a = nd.arange(24).reshape(4, 6).astype(dtype);
      const v = a.slice('1:3'); // contiguous, offset 6
      const c = v.copy();
      expect([c.dtype, c.shape, c.offset, c.isContiguous]).toEqual([dtype, [2, 6], 0, true]);
      expect(c.toArray()).toEqual(v.toArray());
      expect(c.data.length).toBe(12);
      const before = c.toArray();
      a.data[7] = 0; // writing the original leaves the copy alone, and the other way round
      expect(c.toArray()).toEqual(before);
      c.data[0] = 0;
      expect(a.data[6]).toBe(dtype === 'bool' ? 1 : 6);
    }
  });
});

describe('negative axes, keepdims and non-contiguous inputs', () => {
  it('agree with the positive-axis and contiguous results', () => {
    const a = nd.rng(1).randn(3, 4, 5);
    const t = a.transpose(2, 0, 1).slice('::-1'); // non-contiguous
    const c = t.copy();
    for (const ax of [0, 1, 2, -1, -2, -3]) {
      expect(t.sum(ax).toArray()).toEqual(c.sum(ax).toArray());
      expect(t.max(ax, true).shape).toEqual(c.shape.map((d, i) => (i === (ax + 3) % 3 ? 1 : d)));
      expect(t.argmax(ax).toArray()).toEqual(c.argmax(ax).toArray());
      expect(nd.sort(t, ax).toArray()).toEqual(nd.sort(c, ax).toArray());
      expect(t.cumsum(ax).toArray()).toEqual(c.cumsum(ax).toArray());
    }
    expect(t.exp().toArray()).toEqual(c.exp().toArray());
    expect(t.add(t.slice(0)).toArray()).toEqual(c.add(c.slice(0)).toArray());
    expect(nd.matmul(t, t.swapaxes(-1, -2)).toArray()).toEqual(nd.matmul(c, c.swapaxes(-1, -2)).toArray());
  });
});

describe('creation', () => {
  it('array from nested lists, typed arrays and booleans', () => {
    expect(
      array([
        [1, 2],
        [3, 4],
      ]).dtype,
    ).toBe('float64');
    expect(array([true, false]).dtype).toBe('bool');
    const buf = new Float32Array(6);
    const a = array(buf, [2, 3]);
    a.setItem(5, 1, 2);
    expect(buf[5]).toBe(5); // uses the buffer as-is
    expect(() => array([[1, 2], [3]])).toThrow(/inhomogeneous/);
    expect(() => array(new Float64Array(5), [2, 3])).toThrow(
      'array: a buffer of 5 elements cannot have shape (2, 3)',
    );
  });

  it('linspace, arange, eye and the *Like family', () => {
    const [x, step] = nd.linspace(0, 1, 5, { retstep: true });
    expect(step).toBe(0.25);
    expect(x.toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(nd.linspace(0, 1, 1).toArray()).toEqual([0]);
    expect(arange(0).shape).toEqual([0]);
    expect(nd.zerosLike(ones([2, 2], 'int32')).dtype).toBe('int32');
    expect(nd.fullLike(ones(2), 3).toArray()).toEqual([3, 3]);
    expect(nd.onesLike(zeros(3), 'uint8').toArray()).toEqual([1, 1, 1]);
    expect(nd.eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe('conversion', () => {
  it('toArray, toTypedArray, item and astype', () => {
    const b = array([1, 0, 2]).astype('bool');
    expect(b.toArray()).toEqual([true, false, true]);
    const v = f64(6).reshape(2, 3).T;
    expect(Array.from(v.toTypedArray())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => v.item()).toThrow(/can only convert an array of size 1/);
    expect(array([[7]]).item()).toBe(7);
    expect(array([300.7, -1]).astype('uint8').toArray()).toEqual([44, 255]);
  });

  it('NDArray instances print as numpy in util.inspect', () => {
    expect(String(array([1, 2]))).toBe('array([1., 2.])');
    expect(ones(2) instanceof NDArray).toBe(true);
  });
});

describe('set specs', () => {
  it('an all-number list is one fancy index; with "..." it is a tuple of integers', () => {
    const a = zeros([3, 3]);
    a.set([0, 1], 1);
    expect(a.sum().item()).toBe(6);
    const b = zeros([3, 3]);
    b.set([0, 1, '...'], 5);
    expect(b.item(0, 1)).toBe(5);
    expect(b.sum().item()).toBe(5);
  });
});

describe('method forms', () => {
  it('take, repeat, argsort and nonzero as methods equal the functions', () => {
    const a = array([3, 1, 2]);
    expect(a.take([2, 0]).toArray()).toEqual([2, 3]);
    expect(a.repeat(2).toArray()).toEqual([3, 3, 1, 1, 2, 2]);
    expect(a.argsort().toArray()).toEqual([1, 2, 0]);
    expect(a.gt(1).nonzero()[0].toArray()).toEqual([0, 2]);
  });
});
