/**
 * A gzip bomb in IDX clothing (issue 20, item 8): a 9.6 MB .gz of zeros used to make loadIdx decompress 2.2 GB
 * before failing. fflate's Gunzip is wrapped to count the bytes it hands out, so the test bounds the work done
 * in bytes, not in wall time.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { FlateStreamHandler } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadIdx } from '../../src/data/index.js';
import { rmTemp, tempDir } from './helpers.js';

const inflated = vi.hoisted(() => ({ bytes: 0 }));

vi.mock('fflate', async (importOriginal) => {
  const fflate = await importOriginal<typeof import('fflate')>();
  class CountingGunzip extends fflate.Gunzip {
    constructor(cb: FlateStreamHandler) {
      super((chunk, final) => {
        inflated.bytes += chunk.length;
        cb(chunk, final);
      });
    }
  }
  return { ...fflate, Gunzip: CountingGunzip };
});

let tmp: string;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => rmTemp(tmp));
beforeEach(() => {
  inflated.bytes = 0;
});

/** 9,400 gzip members of 1 MiB of zeros each (~9.6 MB on disk, 9.4 GiB inflated), after `head`. */
function bomb(file: string, head: Buffer): number {
  const member = zlib.gzipSync(Buffer.alloc(2 ** 20), { level: 9 });
  const parts = [zlib.gzipSync(head), ...Array.from({ length: 9400 }, () => member)];
  const gz = Buffer.concat(parts);
  fs.writeFileSync(file, gz);
  return gz.length;
}

/** An IDX header: magic, type byte, dimension count, dims big-endian. */
function header(type: number, dims: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return head;
}

describe('loadIdx on a gzip bomb', () => {
  it('stops a .gz of zeros at the header (type 0x00) after inflating at most one small chunk', () => {
    const f = path.join(tmp, 'zeros.idx.gz');
    expect(bomb(f, Buffer.alloc(0))).toBeGreaterThan(9_000_000);
    expect(() => loadIdx(f)).toThrow(/zeros\.idx\.gz: unknown IDX data type 0x00/);
    expect(inflated.bytes).toBeGreaterThan(0); // the counter sees the inflation
    expect(inflated.bytes).toBeLessThan(20 * 2 ** 20);
  });

  it('stops a valid header followed by gigabytes of zeros once the data outgrows the header', () => {
    const f = path.join(tmp, 'train-images-idx3-ubyte.gz');
    bomb(f, header(0x08, [10, 28, 28]));
    expect(() => loadIdx(f)).toThrow(
      /train-images-idx3-ubyte\.gz: holds more data than its header promises: 10 x 28 x 28 uint8 values \(7840 bytes\)/,
    );
    expect(inflated.bytes).toBeLessThan(20 * 2 ** 20);
  });

  it('refuses a header promising more than the compressed file can hold, before inflating the data', () => {
    const f = path.join(tmp, 'huge.idx.gz');
    fs.writeFileSync(f, zlib.gzipSync(Buffer.concat([header(0x08, [60000, 65536]), Buffer.alloc(1000)])));
    expect(() => loadIdx(f)).toThrow(
      /huge\.idx\.gz: header promises 60000 x 65536 uint8 values \(3932160000 bytes\) but a gzip file of \d+ bytes inflates to at most \d+/,
    );
    expect(inflated.bytes).toBeLessThan(2 ** 20);
  });

  it('still reads a gzipped file whose data arrives in many members and chunks', () => {
    const f = path.join(tmp, 'ok.idx.gz');
    const data = Uint8Array.from({ length: 3 * 200_000 }, (_, i) => (i * 7) % 256);
    const raw = Buffer.concat([header(0x08, [3, 200_000]), data]);
    fs.writeFileSync(
      f,
      Buffer.concat([
        zlib.gzipSync(raw.subarray(0, 5)),
        zlib.gzipSync(raw.subarray(5, 400_000)),
        zlib.gzipSync(raw.subarray(400_000)),
      ]),
    );
    const a = loadIdx(f);
    expect(a.shape).toEqual([3, 200_000]);
    expect(Buffer.from(a.toTypedArray() as Uint8Array).equals(Buffer.from(data))).toBe(true);
  });
});
