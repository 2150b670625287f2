/**
 * numpy's .npy format (version 1.0), for the decoded-data cache: a 10-byte preamble, a Python-dict header
 * padded to a multiple of 64 bytes, then the raw little-endian C-order data. numpy reads these files with
 * np.load, and we read them back without parsing pixels, so a warm load is a file read.
 */
import { NDArray } from '../ndarray/ndarray.js';
import type { DType, TypedArray } from '../ndarray/dtype.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<DType, string> = {
  float64: '<f8',
  float32: '<f4',
  int32: '<i4',
  uint8: '|u1',
  bool: '|b1',
};
const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, uint8: 1, bool: 1 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // Typed arrays use the platform's byte order; .npy here is always little-endian.
  throw new Error('npy: big-endian platforms are not supported');
}

/** The .npy bytes of `arr` (made contiguous first): header, then the raw data. */
export function encodeNpy(arr: NDArray): Uint8Array {
  const [head, data] = npyParts(arr);
  const out = new Uint8Array(head.length + data.length);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/** The .npy header and the raw data bytes (a view, no copy when `arr` is contiguous), for writev. */
export function npyParts(arr: NDArray): [Uint8Array, Uint8Array] {
  const c = arr.contiguous();
  const data = c.data.subarray(c.offset, c.offset + c.size);
  const shape = c.shape.length === 1 ? `(${c.shape[0]},)` : `(${c.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[c.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that the data starts at a multiple of 64 bytes (numpy's alignment rule).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const head = new Uint8Array(total);
  head.set(MAGIC, 0);
  head[6] = 1;
  head[7] = 0;
  head[8] = header.length & 0xff;
  head[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) head[10 + i] = header.charCodeAt(i);
  return [head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/**
 * Parses .npy bytes into an NDArray. The data is viewed in place when aligned (no copy), else copied.
 * `name` is used in error messages. Sizes from the header are checked against the byte count before any
 * allocation.
 */
export function decodeNpy(bytes: Uint8Array, name = 'npy'): NDArray {
  const fail = (why: string) => new Error(`decodeNpy: ${name}: ${why}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a .npy file (bad magic)');
  const major = bytes[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw fail('truncated header');
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
    start = 12;
  } else throw fail(`unsupported .npy version ${major}`);
  if (start + headerLen > bytes.length) throw fail('truncated header');
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw fail('malformed header');
  if (fortran === 'True') throw fail('Fortran-ordered arrays are not supported');
  const dtype = (Object.keys(DESCR) as DType[]).find(
    (d) => DESCR[d] === descr || DESCR[d] === '=' + descr.slice(1),
  );
  if (!dtype) throw fail(`unsupported dtype '${descr}'`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`bad shape (${shapeText})`);
  const size = shape.reduce((p, d) => p * d, 1);
  const offset = start + headerLen;
  const nbytes = size * BYTES[dtype];
  if (offset + nbytes > bytes.length) {
    throw fail(`header promises ${nbytes} data bytes but the file holds ${bytes.length - offset}`);
  }
  return new NDArray(viewAs(dtype, bytes, offset, size), shape, dtype);
}

function viewAs(dtype: DType, bytes: Uint8Array, offset: number, size: number): TypedArray {
  const abs = bytes.byteOffset + offset;
  const item = BYTES[dtype];
  if (abs % item !== 0) {
    // Typed-array views need aligned offsets: copy into a fresh buffer.
    const copy = bytes.slice(offset, offset + size * item);
    return viewAs(dtype, copy, 0, size);
  }
  switch (dtype) {
    case 'float64':
      return new Float64Array(bytes.buffer, abs, size);
    case 'float32':
      return new Float32Array(bytes.buffer, abs, size);
    case 'int32':
      return new Int32Array(bytes.buffer, abs, size);
    default:
      return new Uint8Array(bytes.buffer, abs, size);
  }
}
