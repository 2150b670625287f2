/** .npy/.npz: byte-exact with numpy.save, reading files numpy wrote, round trips, and named faults. */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nd from '../../src/index.js';
import { array, fromNpy, fromNpz, npyParts, toNpy, toNpz } from '../../src/index.js';
import { goldenDir } from './helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(path.join(goldenDir, `ndarray_${name}.npy`)));

const f8 = array([
  [1.5, -2.0, 3.25],
  [0.0, Infinity, -0.5],
]);
const expected: Record<string, nd.NDArray> = {
  f8,
  f4: array([0.1, -1.5, 2.0], 'float32'),
  i4: array(
    [
      [1, -2],
      [3, 2 ** 31 - 1],
    ],
    'int32',
  ),
  u1: array([0, 200, 255], 'uint8'),
  b1: array([true, false, true]),
  scalar: nd.scalar(2.5),
  empty: nd.zeros([0, 4], 'float32'),
};

function same(a: nd.NDArray, b: nd.NDArray): void {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.toTypedArray())).toEqual(Array.from(b.toTypedArray()));
}

describe('toNpy / fromNpy', () => {
  for (const [name, a] of Object.entries(expected)) {
    it(`writes ${name} byte for byte as numpy.save`, () => {
      expect(Buffer.from(toNpy(a)).equals(Buffer.from(fixture(name)))).toBe(true);
    });
    it(`reads numpy's ${name}`, () => same(fromNpy(fixture(name)), a));
  }

  it('aligns the data to 64 bytes with the header ending in a newline', () => {
    for (const shape of [[], [3], [123456789, 0], [2, 3, 4, 5, 6, 7, 8]]) {
      const b = toNpy(nd.zeros(shape));
      const hlen = b[8] | (b[9] << 8);
      expect((10 + hlen) % 64).toBe(0);
      expect(b[10 + hlen - 1]).toBe(0x0a);
    }
  });

  it('converts int64 that fits to int32, and refuses values that do not', () => {
    same(fromNpy(fixture('i8')), array([-3, 0, 7], 'int32'));
    expect(() => fromNpy(fixture('i8big'))).toThrow(/1099511627776 .*does not fit int32/);
  });

  it('reads big-endian float64 and Fortran-order data', () => {
    same(fromNpy(fixture('f8be')), array([1.5, -2.25, 1e300]));
    same(fromNpy(fixture('fortran')), nd.arange(0, 6, 1, 'float64').reshape(2, 3));
  });

  it('round-trips non-contiguous views and every dtype', () => {
    const v = nd.arange(0, 24, 1, 'float64').reshape(2, 3, 4).transpose(2, 0, 1).slice('::-1');
    same(fromNpy(toNpy(v)), v.copy());
    for (const d of nd.DTYPES) {
      const a = nd.arange(6).reshape(2, 3).astype(d);
      same(fromNpy(toNpy(a)), a);
    }
  });

  it('names the fault in malformed files', () => {
    const good = fixture('f8');
    const bad = good.slice();
    bad[1] = 0x58;
    expect(() => fromNpy(bad)).toThrow(/bad magic/);
    expect(() => fromNpy(good.slice(0, good.length - 8))).toThrow(
      /header promises 6 '<f8' values of shape \(2, 3\) \(48 bytes\) but only 40 bytes/,
    );
    expect(() => fromNpy(good.slice(0, 50))).toThrow(/truncated header/);
    expect(() => fromNpy(fixture('f2'))).toThrow(/unsupported dtype '<f2'/);
    const text = new TextEncoder().encode("{'descr': '<f8', 'shape': (2,), }\n");
    const noOrder = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0, ...text]);
    expect(() => fromNpy(noOrder)).toThrow(/malformed header/);
  });
});

describe('npyParts / fromNpy({ view })', () => {
  it('gives the header and a view of a contiguous array, the same bytes as toNpy', () => {
    const a = nd.arange(0, 24, 1, 'float32').reshape(2, 3, 4);
    const [head, data] = npyParts(a);
    expect(data.buffer).toBe(a.data.buffer); // no copy
    expect(Buffer.concat([head, data]).equals(Buffer.from(toNpy(a)))).toBe(true);
    const v = a.transpose(2, 0, 1); // not contiguous: copied, still C order
    expect(Buffer.concat(npyParts(v)).equals(Buffer.from(toNpy(v.copy())))).toBe(true);
  });

  it('shares the bytes when aligned and native, copies otherwise', () => {
    for (const d of ['float64', 'float32', 'int32', 'uint8'] as const) {
      const a = nd.arange(6).reshape(2, 3).astype(d);
      const bytes = toNpy(a);
      const shared = fromNpy(bytes, { view: true });
      same(shared, a);
      expect(shared.data.buffer).toBe(bytes.buffer);
      expect(fromNpy(bytes).data.buffer).not.toBe(bytes.buffer);
      // Misaligned for multi-byte types: copied into fresh memory, same values.
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      same(fromNpy(shifted, { view: true }), a);
      if (a.data.BYTES_PER_ELEMENT > 1)
        expect(fromNpy(shifted, { view: true }).data.buffer).not.toBe(shifted.buffer);
    }
    // Byte-swapped and Fortran-order data always get converted.
    same(fromNpy(fixture('f8be'), { view: true }), array([1.5, -2.25, 1e300]));
    same(fromNpy(fixture('fortran'), { view: true }), nd.arange(0, 6, 1, 'float64').reshape(2, 3));
  });

  it('names the file in errors and checks sizes before allocating', () => {
    const bytes = toNpy(array([1, 2, 3], 'float64'));
    expect(() => fromNpy(bytes.subarray(0, bytes.length - 1), { name: 'x.npy' })).toThrow(
      /fromNpy: x\.npy: header promises 3 '<f8' values of shape \(3,\) \(24 bytes\) but only 23 bytes/,
    );
    expect(() => fromNpy(new Uint8Array(20), { name: 'y.npy' })).toThrow(/fromNpy: y\.npy: bad magic/);
    const huge = new TextEncoder().encode(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }".padEnd(117, ' ') + '\n',
    );
    const file = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, huge.length, 0, ...huge]);
    expect(() => fromNpy(file)).toThrow(/header promises 100000000000 '<f8' values/);
  });
});

describe('toNpz / fromNpz', () => {
  it("reads numpy's savez and savez_compressed", () => {
    const s = fromNpz(new Uint8Array(readFileSync(path.join(goldenDir, 'ndarray_stored.npz'))));
    expect(Object.keys(s).sort()).toEqual(['W1', 'b1', 'y']);
    same(s.W1, f8);
    same(s.b1, expected.f4);
    same(s.y, expected.u1);
    const c = fromNpz(new Uint8Array(readFileSync(path.join(goldenDir, 'ndarray_deflated.npz'))));
    same(c.W1, f8);
    same(c.mask, expected.b1);
  });

  it('round-trips stored and compressed archives', () => {
    const arrays = { W1: f8, mask: expected.b1, labels: expected.i4 };
    for (const compress of [false, true]) {
      const back = fromNpz(toNpz(arrays, { compress }));
      for (const [k, v] of Object.entries(arrays)) same(back[k], v);
    }
  });

  it('names the fault in malformed archives', () => {
    expect(() => fromNpz(fixture('f8'))).toThrow(/fromNpz: bad magic/);
    const z = toNpz({ a: f8 });
    expect(() => fromNpz(z.slice(0, z.length - 30))).toThrow(/fromNpz: corrupt zip/);
  });
});

describe('saveNpy / loadNpy / saveNpz / loadNpz', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-npy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('write atomically and read back', () => {
    const f = path.join(dir, 'w.npy');
    nd.saveNpy(f, f8);
    nd.saveNpy(f, f8.mul(2)); // overwrite in place
    same(nd.loadNpy(f), f8.mul(2));
    const z = path.join(dir, 'm.npz');
    nd.saveNpz(z, { a: f8, b: expected.u1 }, { compress: true });
    same(nd.loadNpz(z).b, expected.u1);
    expect(
      readdirSync(dir)
        .filter((f) => f !== 'sub')
        .sort(),
    ).toEqual(['m.npz', 'w.npy']); // no temp files left
  });

  it('writeFileAtomic writes text, bytes and lists of parts, creating the folder, and cleans up on failure', () => {
    const f = path.join(dir, 'sub', 'deeper', 'a.bin');
    nd.writeFileAtomic(f, [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
    expect([...readFileSync(f)]).toEqual([1, 2, 3]);
    nd.writeFileAtomic(f, 'héllo');
    expect(readFileSync(f, 'utf8')).toBe('héllo');
    nd.writeFileAtomic(f, new Uint8Array([9]));
    expect([...readFileSync(f)]).toEqual([9]);
    expect(readdirSync(path.dirname(f))).toEqual(['a.bin']);
    // Renaming over a non-empty folder fails: the error comes through and no temp file is left.
    const blocked = path.join(dir, 'sub', 'blocked');
    nd.writeFileAtomic(path.join(blocked, 'x'), 'x');
    expect(() => nd.writeFileAtomic(blocked, 'y')).toThrow();
    expect(readdirSync(path.join(dir, 'sub')).sort()).toEqual(['blocked', 'deeper']);
  });

  it('names the file in errors', () => {
    expect(() => nd.loadNpy(path.join(dir, 'missing.npy'))).toThrow(/loadNpy: cannot read '.*missing\.npy'/);
  });
});
