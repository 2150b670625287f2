/**
 * numpy's .npy and .npz formats on bytes (no file system here, so this also runs in a browser; see
 * npyfile.ts for saving and loading files in Node). The one .npy codec: numpy files, Solver and CLI
 * checkpoints and the decoded-data cache (src/data/cache.ts) all go through it.
 *
 * .npy is a 10-byte preamble (magic "\x93NUMPY", version 1.0, little-endian uint16 header length), an
 * ASCII Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } padded with spaces
 * and a newline so the data starts at a multiple of 64 bytes, then the raw C-order data. We write exactly
 * the bytes numpy writes. We read versions 1.0, 2.0 and 3.0, C or Fortran order, our five dtypes in either
 * byte order, plus other integer types converted to int32 when every value fits.
 * .npz is a zip of `<name>.npy` members (stored, or deflated as savez_compressed does).
 */
import { unzipSync, zipSync } from 'fflate';
import type { DType, TypedArray } from './dtype.js';
import { NDArray } from './ndarray.js';
import { fmtShape, sizeOf } from './shape.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** numpy leaves room to grow the first axis in place: its repr may take up to 21 digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;

const descrOf: Record<DType, string> = {
  float64: '<f8',
  float32: '<f4',
  int32: '<i4',
  uint8: '|u1',
  bool: '|b1',
};

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Python's repr of a shape tuple: (), (3,), (2, 3). */
function pyShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The complete .npy header (preamble included) numpy's format.write_array writes for `a`. */
function npyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${descrOf[dtype]}', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = dict.length + 1;
  const padlen = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
  const header = dict + ' '.repeat(padlen) + '\n';
  if (header.length > 65535)
    throw new RangeError(`toNpy: header of ${header.length} bytes is too long for format 1.0`);
  const out = new Uint8Array(10 + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 255;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/**
 * The .npy header and data of `a` as two parts, for a vectored write (writeFileAtomic takes a list): the
 * data part is a view of `a`'s memory, not a copy, when `a` is contiguous (on a little-endian machine).
 */
export function npyParts(a: NDArray): [Uint8Array, Uint8Array] {
  const header = npyHeader(a.dtype, a.shape);
  const c = a.contiguous();
  const data = c.data.subarray(c.offset, c.offset + c.size);
  if (littleEndian || data.BYTES_PER_ELEMENT === 1)
    return [header, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (a.dtype === 'float64') dv.setFloat64(i * 8, data[i], true);
    else if (a.dtype === 'float32') dv.setFloat32(i * 4, data[i], true);
    else dv.setInt32(i * 4, data[i], true);
  }
  return [header, out];
}

/** Serialises `a` as a .npy file (format 1.0, C order, little-endian), byte for byte as numpy.save. */
export function toNpy(a: NDArray): Uint8Array {
  const [header, data] = npyParts(a);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

function parseHeader(bytes: Uint8Array, op: string): Header {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new RangeError(`${op}: bad magic: not a .npy file (expected the bytes \\x93NUMPY at the start)`);
  }
  const major = bytes[6];
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new RangeError(`${op}: truncated header`);
    hlen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
    start = 12;
  } else throw new RangeError(`${op}: unsupported .npy format version ${major}.${bytes[7]}`);
  if (start + hlen > bytes.length)
    throw new RangeError(
      `${op}: truncated header: ${hlen} header bytes promised, ${bytes.length - start} present`,
    );
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape)
    throw new RangeError(
      `${op}: malformed header (need 'descr', 'fortran_order' and 'shape'): ${text.trim()}`,
    );
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const d = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(d) || d < 0)
        throw new RangeError(`${op}: malformed shape (${shape[1]}) in header`);
      return d;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims, dataOffset: start + hlen };
}

interface Reader {
  dtype: DType;
  itemsize: number;
  read(dv: DataView, i: number): number;
  /** True when values must be checked to fit int32. */
  narrowing?: boolean;
}

function readerFor(descr: string, op: string): Reader {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new RangeError(`${op}: unsupported dtype '${descr}' (not a plain numeric dtype)`);
  const le = m[1] !== '>';
  const kind = m[2];
  const size = Number(m[3]);
  const unsupported = () =>
    new RangeError(`${op}: unsupported dtype '${descr}' (supported: float32/64, int8-64, uint8-64, bool)`);
  if (kind === 'f') {
    if (size === 8) return { dtype: 'float64', itemsize: 8, read: (dv, i) => dv.getFloat64(i * 8, le) };
    if (size === 4) return { dtype: 'float32', itemsize: 4, read: (dv, i) => dv.getFloat32(i * 4, le) };
    throw unsupported();
  }
  if (kind === 'b') {
    if (size !== 1) throw unsupported();
    return { dtype: 'bool', itemsize: 1, read: (dv, i) => (dv.getUint8(i) !== 0 ? 1 : 0) };
  }
  const signed = kind === 'i';
  switch (size) {
    case 1:
      return signed
        ? { dtype: 'int32', itemsize: 1, read: (dv, i) => dv.getInt8(i) }
        : { dtype: 'uint8', itemsize: 1, read: (dv, i) => dv.getUint8(i) };
    case 2:
      return {
        dtype: 'int32',
        itemsize: 2,
        read: (dv, i) => (signed ? dv.getInt16(i * 2, le) : dv.getUint16(i * 2, le)),
      };
    case 4:
      return signed
        ? { dtype: 'int32', itemsize: 4, read: (dv, i) => dv.getInt32(i * 4, le) }
        : { dtype: 'int32', itemsize: 4, read: (dv, i) => dv.getUint32(i * 4, le), narrowing: true };
    case 8:
      return {
        dtype: 'int32',
        itemsize: 8,
        read: (dv, i) => Number(signed ? dv.getBigInt64(i * 8, le) : dv.getBigUint64(i * 8, le)),
        narrowing: true,
      };
    default:
      throw unsupported();
  }
}

/** A typed array over `buffer` for data stored as our dtype in native byte order ('f8', 'f4', 'i4', 'u1'), else null. */
function nativeView(code: string | null, buffer: ArrayBufferLike, at: number, n: number): TypedArray | null {
  if (code === 'f8') return new Float64Array(buffer, at, n);
  if (code === 'f4') return new Float32Array(buffer, at, n);
  if (code === 'i4') return new Int32Array(buffer, at, n);
  if (code === 'u1') return new Uint8Array(buffer, at, n);
  return null;
}

/** fromNpy's options: a name for errors, and whether to view the bytes without copying. */
export interface FromNpyOptions {
  /** The file's name, for error messages ("fromNpy: <name>: ..."). */
  name?: string;
  /**
   * Share `bytes`' memory instead of copying when the data is float64/float32/int32/uint8 in native byte
   * order, C order and aligned (a warm cache read is then a file read, no parse). The caller must not
   * reuse `bytes`. Default false: the array owns fresh memory.
   */
  view?: boolean;
}

/**
 * Parses a .npy file. Throws naming the fault on a bad magic string, a malformed or truncated header,
 * fewer data bytes than the header promises (checked before any allocation), or an unsupported dtype;
 * int64 data (numpy's default int) becomes int32 when every value fits, else it throws.
 */
export function fromNpy(bytes: Uint8Array, { name, view = false }: FromNpyOptions = {}): NDArray {
  const op = name === undefined ? 'fromNpy' : `fromNpy: ${name}`;
  const h = parseHeader(bytes, op);
  const r = readerFor(h.descr, op);
  const n = sizeOf(h.shape);
  const need = n * r.itemsize;
  const have = bytes.length - h.dataOffset;
  if (have < need) {
    throw new RangeError(
      `${op}: header promises ${n} '${h.descr}' values of shape ${fmtShape(h.shape)} (${need} bytes) but only ${have} bytes of data follow`,
    );
  }
  const native =
    (littleEndian ? h.descr[0] !== '>' : h.descr[0] === '>') || r.itemsize === 1 ? h.descr.slice(1) : null;
  const at = bytes.byteOffset + h.dataOffset;
  if (view && !h.fortranOrder && at % r.itemsize === 0) {
    const shared = nativeView(native, bytes.buffer, at, n);
    if (shared) return new NDArray(shared, h.shape, r.dtype);
  }
  // A fresh, aligned buffer (not bytes.slice: on a Node Buffer that is a view into a shared pool).
  const raw = new Uint8Array(need);
  raw.set(bytes.subarray(h.dataOffset, h.dataOffset + need));
  let data: TypedArray | null =
    native === 'b1' ? raw.map((v) => (v !== 0 ? 1 : 0)) : nativeView(native, raw.buffer, 0, n);
  if (!data) {
    const dv = new DataView(raw.buffer);
    data =
      r.dtype === 'float64'
        ? new Float64Array(n)
        : r.dtype === 'float32'
          ? new Float32Array(n)
          : r.dtype === 'int32'
            ? new Int32Array(n)
            : new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = r.read(dv, i);
      if (r.narrowing && (v > 2147483647 || v < -2147483648)) {
        throw new RangeError(
          `${op}: '${h.descr}' value ${v} at flat index ${i} does not fit int32 (nabla has no int64)`,
        );
      }
      data[i] = v;
    }
  }
  if (!h.fortranOrder) return new NDArray(data, h.shape, r.dtype);
  // Fortran order: the data is the C-order transpose; read it so and copy into C order.
  return new NDArray(data, [...h.shape].reverse(), r.dtype).transpose().copy();
}

/** toNpz's options: deflate compression. */
export interface NpzOptions {
  /** Deflate the members, as numpy.savez_compressed (default false: stored, as numpy.savez). */
  compress?: boolean;
}

/** Serialises named arrays as a .npz (a zip of `<name>.npy`), readable by numpy.load. */
export function toNpz(arrays: Record<string, NDArray>, { compress = false }: NpzOptions = {}): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, a] of Object.entries(arrays)) files[`${name}.npy`] = toNpy(a);
  return zipSync(files, { level: compress ? 6 : 0 });
}

/** Parses a .npz into its named arrays (the `.npy` suffix dropped from member names). */
export function fromNpz(bytes: Uint8Array): Record<string, NDArray> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new RangeError('fromNpz: bad magic: not a .npz (zip) file (expected PK at the start)');
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new RangeError(`fromNpz: corrupt zip archive: ${(e as Error).message}`, { cause: e });
  }
  const out: Record<string, NDArray> = {};
  for (const [name, data] of Object.entries(files)) {
    const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
    try {
      out[key] = fromNpy(data);
    } catch (e) {
      throw new RangeError(`fromNpz: member '${name}': ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}
