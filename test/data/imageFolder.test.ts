import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create as tarCreate } from 'tar';
import { loadImageFolder, writeImage, CIFAR10_CLASSES, type LoadProgress } from '../../src/data/index.js';
import { patternImage, rmTemp, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const jpeg = require('jpeg-js') as {
  decode(b: Uint8Array, o: { useTArray: true; formatAsRGBA: boolean }): { data: Uint8Array };
};

let tmp: string;
let savedEnv: string | undefined;

/** train/{dog,cat}/ and test/{cat,dog}/ of 4x5 PNGs; `seeds[split][cls]` lists the images' seeds. */
const seeds: Record<string, Record<string, number[]>> = {
  train: { dog: [1, 2, 3], cat: [4, 5] },
  test: { cat: [6], dog: [7, 8] },
};

function makeFolder(root: string, h = 4, w = 5) {
  for (const [split, byCls] of Object.entries(seeds)) {
    for (const [cls, ss] of Object.entries(byCls)) {
      ss.forEach((s, i) =>
        writeImage(path.join(root, split, cls, `${String(i).padStart(4, '0')}.png`), patternImage(h, w, s)),
      );
    }
  }
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

describe('loadImageFolder', () => {
  it('loads split/class/image folders with sorted class labels and exact PNG pixels', async () => {
    const root = path.join(tmp, 'folder');
    makeFolder(root);
    const d = await loadImageFolder(root, { cache: false });
    expect(d.classes).toEqual(['cat', 'dog']);
    expect(Object.keys(d.splits).sort()).toEqual(['test', 'train']);
    const tr = d.splits.train;
    expect(tr.X.shape).toEqual([5, 4, 5, 3]);
    expect(tr.X.dtype).toBe('uint8');
    expect(tr.y.dtype).toBe('int32');
    expect(Array.from(tr.y.toTypedArray())).toEqual([0, 0, 1, 1, 1]);
    expect(tr.files).toEqual([
      'train/cat/0000.png',
      'train/cat/0001.png',
      'train/dog/0000.png',
      'train/dog/0001.png',
      'train/dog/0002.png',
    ]);
    // Image 2 of train is dog/0000.png, made from seed 1.
    expect(Array.from(tr.X.get(2).toTypedArray())).toEqual(Array.from(patternImage(4, 5, 1).toTypedArray()));
    expect(Array.from(d.splits.test.y.toTypedArray())).toEqual([0, 1, 1]);
  });

  it('loads the same data from a .tar.gz and a .tar (with a top-level folder) as from the folder', async () => {
    const root = path.join(tmp, 'forTar');
    makeFolder(path.join(root, 'ds'));
    const tgz = path.join(tmp, 'ds.tar.gz');
    const plain = path.join(tmp, 'ds.tar');
    await tarCreate({ gzip: true, file: tgz, cwd: path.join(root, 'ds') }, ['train', 'test']);
    await tarCreate({ file: plain, cwd: root }, ['ds']);
    const ref = await loadImageFolder(path.join(root, 'ds'), { cache: false });
    for (const src of [tgz, plain]) {
      const d = await loadImageFolder(src, { cache: false });
      expect(d.classes).toEqual(ref.classes);
      for (const s of ['train', 'test']) {
        expect(Array.from(d.splits[s].X.toTypedArray())).toEqual(Array.from(ref.splits[s].X.toTypedArray()));
        expect(Array.from(d.splits[s].y.toTypedArray())).toEqual(Array.from(ref.splits[s].y.toTypedArray()));
      }
    }
  });

  it('decodes JPEGs exactly as jpeg-js does, in worker threads and in this thread alike', async () => {
    const root = path.join(tmp, 'jpegs');
    for (let i = 0; i < 3; i++)
      writeImage(path.join(root, 'train', 'a', `${i}.jpg`), patternImage(8, 8, i + 10));
    const inWorker = await loadImageFolder(root, { cache: false, workers: 1 });
    const inThread = await loadImageFolder(root, { cache: false, workers: 0 });
    const want = jpeg.decode(fs.readFileSync(path.join(root, 'train', 'a', '1.jpg')), {
      useTArray: true,
      formatAsRGBA: false,
    }).data;
    expect(Array.from(inWorker.splits.train.X.get(1).toTypedArray())).toEqual(Array.from(want));
    expect(Array.from(inThread.splits.train.X.toTypedArray())).toEqual(
      Array.from(inWorker.splits.train.X.toTypedArray()),
    );
  });

  it('uses CIFAR-10 label order when the classes are CIFAR-10s, and honours classes/splits options', async () => {
    const root = path.join(tmp, 'cifarNames');
    [...CIFAR10_CLASSES]
      .reverse()
      .forEach((c, i) => writeImage(path.join(root, 'train', c, 'x.png'), patternImage(2, 2, i)));
    writeImage(path.join(root, 'test', 'cat', 'x.png'), patternImage(2, 2, 0));
    const d = await loadImageFolder(root, { cache: false });
    expect(d.classes).toEqual([...CIFAR10_CLASSES]);
    expect(d.splits.train.files[0]).toBe('train/airplane/x.png');
    const sub = await loadImageFolder(root, { cache: false, classes: ['truck', 'cat'], splits: ['train'] });
    expect(sub.classes).toEqual(['truck', 'cat']);
    expect(Object.keys(sub.splits)).toEqual(['train']);
    expect(sub.splits.train.files).toEqual(['train/truck/x.png', 'train/cat/x.png']);
    expect(Array.from(sub.splits.train.y.toTypedArray())).toEqual([0, 1]);
    await expect(loadImageFolder(root, { cache: false, classes: ['unicorn'] })).rejects.toThrow(
      /has no images of class unicorn/,
    );
    await expect(loadImageFolder(root, { cache: false, splits: ['val'] })).rejects.toThrow(
      /has no split 'val'/,
    );
  });

  it('caches decoded pixels: the second load does not decode, and a changed source is decoded again', async () => {
    const root = path.join(tmp, 'cached');
    makeFolder(root);
    const phases = (events: LoadProgress[]) => [...new Set(events.map((e) => e.phase))];
    const ev1: LoadProgress[] = [];
    const a = await loadImageFolder(root, { onProgress: (p) => ev1.push(p) });
    expect(a.fromCache).toBe(false);
    expect(phases(ev1)).toContain('decode');
    const ev2: LoadProgress[] = [];
    const b = await loadImageFolder(root, { onProgress: (p) => ev2.push(p) });
    expect(b.fromCache).toBe(true);
    expect(phases(ev2)).toEqual(['cache']);
    expect(b.classes).toEqual(a.classes);
    expect(b.splits.train.files).toEqual(a.splits.train.files);
    expect(Array.from(b.splits.train.X.toTypedArray())).toEqual(Array.from(a.splits.train.X.toTypedArray()));
    expect(Array.from(b.splits.test.y.toTypedArray())).toEqual(Array.from(a.splits.test.y.toTypedArray()));
    // The cache is outside the source, under NABLA_DATA, as .npy files.
    const entries = fs.readdirSync(process.env.NABLA_DATA!).filter((f) => f.startsWith('imagefolder-'));
    expect(entries.length).toBe(1);
    expect(fs.readdirSync(path.join(process.env.NABLA_DATA!, entries[0])).sort()).toEqual([
      'meta.json',
      'test_X.npy',
      'test_y.npy',
      'train_X.npy',
      'train_y.npy',
    ]);
    expect(fs.readdirSync(process.env.NABLA_DATA!).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A damaged entry (a truncated .npy) is a miss: decoded again and rewritten.
    const npy = path.join(process.env.NABLA_DATA!, entries[0], 'train_X.npy');
    fs.writeFileSync(npy, fs.readFileSync(npy).subarray(0, 200));
    const again = await loadImageFolder(root);
    expect(again.fromCache).toBe(false);
    expect(Array.from(again.splits.train.X.toTypedArray())).toEqual(
      Array.from(a.splits.train.X.toTypedArray()),
    );
    expect((await loadImageFolder(root)).fromCache).toBe(true);
    // A new image changes the folder's checksum: decoded again, with the new image.
    writeImage(path.join(root, 'train', 'cat', '0009.png'), patternImage(4, 5, 99));
    const ev3: LoadProgress[] = [];
    const c = await loadImageFolder(root, { onProgress: (p) => ev3.push(p) });
    expect(c.fromCache).toBe(false);
    expect(c.splits.train.X.shape).toEqual([6, 4, 5, 3]);
  });

  it('caches archives by their sha256 and reuses the memoised checksum', async () => {
    const root = path.join(tmp, 'cachedTar');
    makeFolder(root);
    const tgz = path.join(tmp, 'cached.tar.gz');
    await tarCreate({ gzip: true, file: tgz, cwd: root }, ['train', 'test']);
    expect((await loadImageFolder(tgz)).fromCache).toBe(false);
    expect((await loadImageFolder(tgz)).fromCache).toBe(true);
    const memo = JSON.parse(fs.readFileSync(path.join(process.env.NABLA_DATA!, 'checksums.json'), 'utf8'));
    expect(memo[path.resolve(tgz)].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resizes to a common size with { size }, else rejects images of differing sizes', async () => {
    const root = path.join(tmp, 'sizes');
    writeImage(path.join(root, 'train', 'a', '0.png'), patternImage(4, 4, 1));
    writeImage(path.join(root, 'train', 'a', '1.png'), patternImage(6, 8, 2));
    await expect(loadImageFolder(root, { cache: false })).rejects.toThrow(
      /images of differing sizes .*train\/a\/0\.png is 4x4 but train\/a\/1\.png is 6x8/,
    );
    const d = await loadImageFolder(root, { cache: false, size: [3, 3] });
    expect(d.splits.train.X.shape).toEqual([2, 3, 3, 3]);
    // Resized as they arrive from a worker thread: the same pixels.
    const w = await loadImageFolder(root, { cache: false, size: [3, 3], workers: 1 });
    expect(Array.from(w.splits.train.X.toTypedArray())).toEqual(Array.from(d.splits.train.X.toTypedArray()));
  });

  it('names the file and the fault for bad sources', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(path.join(empty, 'train', 'cat'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'train', 'cat', 'notes.txt'), 'hello');
    await expect(loadImageFolder(empty, { cache: false })).rejects.toThrow(/empty.* holds no images/);
    await expect(loadImageFolder(path.join(tmp, 'missing'), { cache: false })).rejects.toThrow(
      /does not exist/,
    );

    const bad = path.join(tmp, 'bad');
    writeImage(path.join(bad, 'train', 'a', '0.png'), patternImage(4, 4, 1));
    writeImage(path.join(bad, 'train', 'a', '1.jpg'), patternImage(4, 4, 2));
    const jpgFile = path.join(bad, 'train', 'a', '1.jpg');
    const bytes = fs.readFileSync(jpgFile);
    fs.writeFileSync(jpgFile, bytes.subarray(0, bytes.length >> 1));
    for (const workers of [0, 1]) {
      await expect(loadImageFolder(bad, { cache: false, workers })).rejects.toThrow(
        /cannot decode train\/a\/1\.jpg .*truncated or corrupt JPEG/,
      );
    }
    fs.writeFileSync(jpgFile, 'GIF89a not really');
    await expect(loadImageFolder(bad, { cache: false })).rejects.toThrow(/1\.jpg.*bad magic bytes/);

    const notTar = path.join(tmp, 'not.tar.gz');
    fs.writeFileSync(notTar, 'definitely not an archive');
    await expect(loadImageFolder(notTar, { cache: false })).rejects.toThrow(/neither a folder nor a .tar/);

    const root = path.join(tmp, 'forTrunc');
    makeFolder(root);
    const tgz = path.join(tmp, 'trunc.tar.gz');
    await tarCreate({ gzip: true, file: tgz, cwd: root }, ['train', 'test']);
    const full = fs.readFileSync(tgz);
    fs.writeFileSync(tgz, full.subarray(0, Math.floor(full.length * 0.6)));
    await expect(loadImageFolder(tgz, { cache: false })).rejects.toThrow(
      /trunc\.tar\.gz is not a readable tar archive/,
    );
    const plain = path.join(tmp, 'trunc.tar');
    await tarCreate({ file: plain, cwd: root }, ['train', 'test']);
    const whole = fs.readFileSync(plain);
    // Cut inside the third file's data: either the tar reader or our size check must object.
    fs.writeFileSync(plain, whole.subarray(0, 512 * 7 + 100));
    await expect(loadImageFolder(plain, { cache: false })).rejects.toThrow(
      /trunc\.tar (is truncated|is not a readable)/,
    );
  });
});
