import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getCifar10Data,
  loadCifar10,
  loadCifar10Any,
  resolveCifar10Source,
  writeImage,
  CIFAR10_CLASSES,
} from '../../src/data/index.js';
import { patternImage, rmTemp, tempDir } from './helpers.js';

let tmp: string;
let savedEnv: string | undefined;

/** Record r of a fixture batch: label (r * 3 + batch) % 10, pixel (channel c, flat p) = (r + 7c + 3p + batch) % 256. */
function makeBatch(file: string, n: number, batch: number): void {
  const buf = Buffer.alloc(n * 3073);
  for (let r = 0; r < n; r++) {
    buf[r * 3073] = (r * 3 + batch) % 10;
    for (let c = 0; c < 3; c++)
      for (let p = 0; p < 1024; p++) buf[r * 3073 + 1 + c * 1024 + p] = (r + 7 * c + 3 * p + batch) % 256;
  }
  fs.writeFileSync(file, buf);
}

function makeBinaryDir(dir: string, perBatch = 4): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) makeBatch(path.join(dir, `data_batch_${b}.bin`), perBatch, b);
  makeBatch(path.join(dir, 'test_batch.bin'), 3, 0);
}

beforeAll(() => {
  tmp = tempDir();
  savedEnv = process.env.NABLA_DATA;
  process.env.NABLA_DATA = path.join(tmp, 'cache');
});
afterAll(() => {
  if (savedEnv === undefined) delete process.env.NABLA_DATA;
  else process.env.NABLA_DATA = savedEnv;
  rmTemp(tmp);
});

describe('loadCifar10', () => {
  it('reads the binary batches into (N, 32, 32, 3) HWC uint8 and int32 labels', () => {
    const dir = path.join(tmp, 'bin', 'cifar-10-batches-bin');
    makeBinaryDir(dir);
    // The parent folder works too (where the official tar.gz extracts).
    const d = loadCifar10(path.dirname(dir));
    expect(d.XTrain.shape).toEqual([20, 32, 32, 3]);
    expect(d.XTrain.dtype).toBe('uint8');
    expect(d.yTrain.dtype).toBe('int32');
    expect(d.XTest.shape).toEqual([3, 32, 32, 3]);
    // Record 1 of batch 2 is image 5: label (1*3 + 2) % 10 = 5; pixel (row 2, col 5, channel 1) is flat p = 69.
    expect(d.yTrain.item(5)).toBe(5);
    expect(d.XTrain.item(5, 2, 5, 1)).toBe((1 + 7 + 3 * 69 + 2) % 256);
    expect(d.XTest.item(2, 31, 31, 2)).toBe((2 + 14 + 3 * 1023) % 256);
    expect(Array.from(d.yTest.toTypedArray())).toEqual([0, 3, 6]);
  });

  it('rejects truncated batches and out-of-range labels, naming the file', () => {
    const dir = path.join(tmp, 'badbin');
    makeBinaryDir(dir, 2);
    const f3 = path.join(dir, 'data_batch_3.bin');
    fs.writeFileSync(f3, fs.readFileSync(f3).subarray(0, 3073 + 100));
    expect(() => loadCifar10(dir)).toThrow(
      /data_batch_3\.bin is 3173 bytes, not a whole number of 3073-byte records/,
    );
    makeBatch(f3, 2, 3);
    const buf = fs.readFileSync(f3);
    buf[3073] = 12;
    fs.writeFileSync(f3, buf);
    expect(() => loadCifar10(dir)).toThrow(/data_batch_3\.bin record 1 has label 12, out of range 0\.\.9/);
    expect(() => loadCifar10(path.join(tmp, 'nowhere'))).toThrow(/no data_batch_1\.bin/);
  });
});

describe('getCifar10Data', () => {
  it('splits, subtracts the training mean and transposes to channels-first as the course does', async () => {
    const dir = path.join(tmp, 'bin2');
    makeBinaryDir(dir, 4);
    const raw = loadCifar10(dir);
    const d = await getCifar10Data({ source: dir, numTraining: 15, numValidation: 3, numTest: 2 });
    expect(d.XTrain.shape).toEqual([15, 3, 32, 32]);
    expect(d.XVal.shape).toEqual([3, 3, 32, 32]);
    expect(d.XTest.shape).toEqual([2, 3, 32, 32]);
    expect(d.XTrain.dtype).toBe('float32');
    expect(d.meanImage.shape).toEqual([3, 32, 32]);
    // Reference: numpy's recipe written with NDArray ops.
    const Xtr = raw.XTrain.astype('float64');
    const mean = Xtr.slice('0:15').mean(0);
    const ref = (X: typeof Xtr) => X.sub(mean).transpose(0, 3, 1, 2).astype('float32').toTypedArray();
    expect(Array.from(d.XTrain.toTypedArray())).toEqual(Array.from(ref(Xtr.slice('0:15'))));
    expect(Array.from(d.XVal.toTypedArray())).toEqual(Array.from(ref(Xtr.slice('15:18'))));
    expect(Array.from(d.XTest.toTypedArray())).toEqual(
      Array.from(ref(raw.XTest.astype('float64').slice('0:2'))),
    );
    expect(Array.from(d.meanImage.toTypedArray())).toEqual(
      Array.from(mean.transpose(2, 0, 1).astype('float32').toTypedArray()),
    );
    expect(Array.from(d.yVal.toTypedArray())).toEqual(Array.from(raw.yTrain.slice('15:18').toTypedArray()));

    const hwc = await getCifar10Data({
      cifar10Dir: dir,
      numTraining: 10,
      numValidation: 0,
      numTest: 1,
      subtractMean: false,
      channelsFirst: false,
      dtype: 'float64',
    });
    expect(hwc.XTrain.shape).toEqual([10, 32, 32, 3]);
    expect(hwc.XTrain.dtype).toBe('float64');
    expect(Array.from(hwc.XTrain.toTypedArray())).toEqual(
      Array.from(raw.XTrain.slice('0:10').toTypedArray()),
    );
    await expect(getCifar10Data({ source: dir, numTraining: 19, numValidation: 2 })).rejects.toThrow(
      /numTraining \+ numValidation = 21 exceeds the 20 training images/,
    );
  });

  it('loads the JPEG/PNG folder layout with CIFAR-10 labels, shuffled with a fixed seed', async () => {
    const root = path.join(tmp, 'cifarFolder');
    CIFAR10_CLASSES.forEach((c, k) => {
      for (let i = 0; i < 2; i++)
        writeImage(path.join(root, 'train', c, `${i}.png`), patternImage(32, 32, k * 2 + i));
      writeImage(path.join(root, 'test', c, '0.png'), patternImage(32, 32, 50 + k));
    });
    const a = await getCifar10Data({
      source: root,
      numTraining: 16,
      numValidation: 4,
      numTest: 10,
      subtractMean: false,
    });
    const b = await getCifar10Data({
      source: root,
      numTraining: 16,
      numValidation: 4,
      numTest: 10,
      subtractMean: false,
    });
    const labels = [...a.yTrain.toTypedArray(), ...a.yVal.toTypedArray()].sort((x, y) => x - y);
    expect(labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    // Shuffled (not class by class), and the same on every call.
    expect(Array.from(a.yTrain.toTypedArray())).not.toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]);
    expect(Array.from(b.yTrain.toTypedArray())).toEqual(Array.from(a.yTrain.toTypedArray()));
    // Each image still carries its own label: image of class k, index i was made from seed 2k + i.
    const k = a.yVal.item(0);
    const x = a.XVal.get(0).transpose(1, 2, 0).astype('uint8').toTypedArray();
    const candidates = [0, 1].map((i) => Array.from(patternImage(32, 32, 2 * k + i).toTypedArray()));
    expect(candidates).toContainEqual(Array.from(x));
    // getCifar10Data reads through the same fixed shuffle as loadCifar10Any.
    const any = await loadCifar10Any(root);
    const hwc = await getCifar10Data({
      source: root,
      numTraining: 20,
      numValidation: 0,
      numTest: 10,
      subtractMean: false,
      channelsFirst: false,
    });
    expect(Array.from(hwc.XTrain.toTypedArray())).toEqual(Array.from(any.XTrain.toTypedArray()));
    expect(Array.from(hwc.yTest.toTypedArray())).toEqual(Array.from(any.yTest.toTypedArray()));
  });

  it('says where to get CIFAR-10 when the source is missing', () => {
    expect(() => resolveCifar10Source(path.join(tmp, 'none'))).toThrow(/CIFAR-10 source .* does not exist/);
  });
});
