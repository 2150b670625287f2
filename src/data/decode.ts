/**
 * Image decoding with pure-JS codecs (jpeg-js, pngjs), chosen by the file's magic bytes, never its name.
 * `decodeImage` decodes one image in this thread; `decodeImages` spreads many over worker threads.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** The parts of jpeg-js and pngjs we use (pngjs ships no types). */
interface JpegModule {
  decode(
    data: Uint8Array,
    opts: { useTArray: true; formatAsRGBA: boolean; maxMemoryUsageInMB?: number },
  ): { width: number; height: number; data: Uint8Array };
  encode(img: { width: number; height: number; data: Uint8Array }, quality: number): { data: Uint8Array };
}
interface PngImage {
  width: number;
  height: number;
  data: Uint8Array;
}
interface PngModule {
  PNG: {
    new (opts: { width: number; height: number }): PngImage;
    sync: { read(buf: Uint8Array): PngImage; write(png: PngImage): Uint8Array };
  };
}

export const jpegJs = (): JpegModule => require('jpeg-js') as JpegModule;
export const pngJs = (): PngModule => require('pngjs') as PngModule;

/** The image file formats nabla decodes. */
export type ImageFormat = 'png' | 'jpeg';

/** The format from the magic bytes (PNG: 89 50 4E 47; JPEG: FF D8 FF), or null. */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Largest image we decode, as jpeg-js's own default (maxResolutionInMP = 100). */
const MAX_PIXELS = 100e6;

/**
 * pngjs sizes its buffers from the IHDR header before reading any pixel data: reject absurd sizes first,
 * so a 16-byte header cannot make us allocate gigabytes.
 */
function checkPngSize(bytes: Uint8Array, format: ImageFormat, name: string): void {
  if (format !== 'png' || bytes.length < 24) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16, false);
  const height = view.getUint32(20, false);
  if (width * height > MAX_PIXELS) {
    throw new Error(
      `decodeImage: ${name} claims ${width}x${height} pixels, more than ${MAX_PIXELS / 1e6} megapixels`,
    );
  }
}

/** A decoded image: `data` is (height, width, channels) uint8, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/**
 * Decodes a PNG or JPEG to `channels` = 3 (RGB, alpha dropped as PIL's convert('RGB')), 4 (RGBA, opaque
 * alpha added for JPEG) or 1 (luma, ITU-R 601-2 as PIL's convert('L')). `name` is used in errors.
 */
export function decodeImage(bytes: Uint8Array, name: string, channels: 1 | 3 | 4 = 3): DecodedImage {
  const format = imageFormat(bytes);
  if (!format) throw new Error(`decodeImage: ${name} is neither a PNG nor a JPEG (bad magic bytes)`);
  checkPngSize(bytes, format, name);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  try {
    if (format === 'jpeg') {
      const img = jpegJs().decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      ({ width, height } = img);
      rgba = img.data;
    } else {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const img = pngJs().PNG.sync.read(buf);
      ({ width, height } = img);
      rgba = img.data;
    }
  } catch (e) {
    throw new Error(
      `decodeImage: cannot decode ${name}: truncated or corrupt ${format.toUpperCase()} (${(e as Error).message})`,
      { cause: e },
    );
  }
  const n = width * height;
  if (rgba.length < n * 4) throw new Error(`decodeImage: cannot decode ${name}: truncated image data`);
  if (channels === 4) return { width, height, channels, data: rgba.subarray(0, n * 4) };
  const out = new Uint8Array(n * channels);
  if (channels === 3) {
    for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
      out[j] = rgba[i];
      out[j + 1] = rgba[i + 1];
      out[j + 2] = rgba[i + 2];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = rgba[4 * i];
      const g = rgba[4 * i + 1];
      const b = rgba[4 * i + 2];
      // PIL's integer luma: (r*299 + g*587 + b*114) / 1000, rounded.
      out[i] = Math.floor((r * 19595 + g * 38470 + b * 7471 + 0x8000) / 65536);
    }
  }
  return { width, height, channels, data: out };
}

/**
 * The worker's source, plain CommonJS run with `eval: true` so it works the same from TypeScript sources
 * (tsx, vitest) and from dist/. It decodes packed chunks of images to RGB and packs the pixels back.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jpeg = require(workerData.jpegPath);
const { PNG } = require(workerData.pngPath);
function decode(buf) {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    return jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048 });
  }
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47) {
    if (buf.length >= 24) {
      const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (v.getUint32(16, false) * v.getUint32(20, false) > 100e6) throw new Error('PNG header claims more than 100 megapixels');
    }
    const img = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.length));
    const n = img.width * img.height;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) { rgb[j] = img.data[i]; rgb[j + 1] = img.data[i + 1]; rgb[j + 2] = img.data[i + 2]; }
    return { width: img.width, height: img.height, data: rgb };
  }
  throw new Error('BADMAGIC');
}
parentPort.on('message', (msg) => {
  const bytes = new Uint8Array(msg.packed);
  const count = msg.offsets.length - 1;
  const dims = new Int32Array(count * 2);
  const outs = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    let img;
    try {
      img = decode(bytes.subarray(msg.offsets[i], msg.offsets[i + 1]));
    } catch (e) {
      parentPort.postMessage({ id: msg.id, error: { index: i, message: String(e && e.message) } });
      return;
    }
    dims[2 * i] = img.height;
    dims[2 * i + 1] = img.width;
    outs.push(img.data);
    total += img.data.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const d of outs) { out.set(d, o); o += d.length; }
  parentPort.postMessage({ id: msg.id, packed: out.buffer, dims }, [out.buffer]);
});
`;

/** One encoded image to decode: its bytes, or a file read when its turn comes. `name` is used in errors. */
export interface EncodedImage {
  name: string;
  bytes?: Uint8Array;
  file?: string;
}

export interface DecodeImagesOptions {
  /** Worker threads (default: min(2, cores), or 0 (this thread) under 1024 images). */
  workers?: number;
  /** Called as images finish decoding. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Applied to each image as soon as it is decoded (e.g. a resize); what it returns is kept. With it, a
   * folder of large photos never holds more than one chunk of full-size pixels at a time.
   */
  transform?: (img: DecodedImage, index: number) => DecodedImage;
}

/** A chunk sent to a worker: at most this many images or encoded bytes (keeps both workers busy and memory bounded). */
const CHUNK_IMAGES = 512;
const CHUNK_BYTES = 16 * 2 ** 20;

const bytesOf = (it: EncodedImage): Uint8Array => {
  if (it.bytes) return it.bytes;
  if (it.file) return fs.readFileSync(it.file);
  throw new Error(`decodeImages: ${it.name} has neither bytes nor a file`);
};

/**
 * Decodes many PNG/JPEG images to RGB, in order, spread over worker threads. Rejects with an Error naming
 * the first file that fails to decode.
 */
export async function decodeImages(
  items: EncodedImage[],
  options: DecodeImagesOptions = {},
): Promise<DecodedImage[]> {
  const total = items.length;
  const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  // Starting a worker costs more than decoding a few hundred small images: small jobs stay in this thread.
  const auto = total < 1024 ? 0 : Math.min(2, cores);
  const workers = Math.min(options.workers ?? auto, Math.ceil(total / CHUNK_IMAGES));
  const keep = options.transform ?? ((img: DecodedImage) => img);
  const out = new Array<DecodedImage>(total);
  let done = 0;
  if (workers <= 0 || total === 0) {
    items.forEach((it, i) => {
      out[i] = keep(decodeImage(bytesOf(it), it.name, 3), i);
      if (++done % 256 === 0 || done === total) options.onProgress?.(done, total);
    });
    return out;
  }
  const pool = Array.from(
    { length: workers },
    () =>
      new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { jpegPath: require.resolve('jpeg-js'), pngPath: require.resolve('pngjs') },
      }),
  );
  let next = 0;
  let id = 0;
  try {
    await Promise.all(
      pool.map(async (worker) => {
        while (next < total) {
          // Take the next images up to the chunk limits (synchronously, so workers never share an image).
          const s = next;
          const chunk: Uint8Array[] = [];
          let size = 0;
          while (next < total && chunk.length < CHUNK_IMAGES && size < CHUNK_BYTES) {
            const b = bytesOf(items[next++]);
            chunk.push(b);
            size += b.length;
          }
          const e = next;
          const offsets = new Int32Array(e - s + 1);
          chunk.forEach((b, k) => (offsets[k + 1] = offsets[k] + b.length));
          const packed = new Uint8Array(size);
          chunk.forEach((b, k) => packed.set(b, offsets[k]));
          const reply = await new Promise<{
            packed?: ArrayBuffer;
            dims?: Int32Array;
            error?: { index: number; message: string };
          }>((resolve, reject) => {
            const onError = (err: Error) => reject(err);
            // A worker that dies without answering (e.g. out of memory) must not leave us waiting forever.
            const onExit = (code: number) =>
              reject(new Error(`decodeImages: a decoding worker exited with code ${code}`));
            worker.once('error', onError);
            worker.once('exit', onExit);
            worker.once('message', (m) => {
              worker.off('error', onError);
              worker.off('exit', onExit);
              resolve(m);
            });
            worker.postMessage({ id: id++, packed: packed.buffer, offsets }, [packed.buffer]);
          });
          if (reply.error) {
            const it = items[s + reply.error.index];
            // Re-decode in this thread for the precise, uniform error message.
            decodeImage(chunk[reply.error.index], it.name, 3);
            throw new Error(`decodeImages: cannot decode ${it.name}: ${reply.error.message}`);
          }
          const pixels = new Uint8Array(reply.packed!);
          let o = 0;
          for (let i = s; i < e; i++) {
            const height = reply.dims![2 * (i - s)];
            const width = reply.dims![2 * (i - s) + 1];
            const n = height * width * 3;
            out[i] = keep({ width, height, channels: 3, data: pixels.subarray(o, o + n) }, i);
            o += n;
          }
          done += e - s;
          options.onProgress?.(done, total);
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}
