/**
 * The course's captioning data (coco_utils.py): COCO 2014 captions as word indices, image features from a
 * pretrained VGG-16 (fc7, 4096 wide, or reduced to 512 by PCA), the vocabulary and the images' URLs, in the
 * files the course's get_datasets.sh downloads (see docs/data.md):
 *
 *   coco2014_captions.h5         train_captions (M, 17) int, train_image_idxs (M,) int, val_captions, val_image_idxs
 *   train2014_vgg16_fc7_pca.h5   features (82783, 512) float  (train2014_vgg16_fc7.h5: 4096 wide)
 *   val2014_vgg16_fc7_pca.h5     features (40504, 512) float  (val2014_vgg16_fc7.h5)
 *   coco2014_vocab.json          { "idx_to_word": [...], "word_to_idx": {...} }
 *   train2014_urls.txt, val2014_urls.txt   one image URL per line, in features' row order
 *
 * HDF5 is read and written with the npm package h5wasm (the HDF5 C library compiled to WebAssembly).
 * CaptionData is also the shape of the offline MNIST captions (mnistCaptions.ts), so everything that
 * takes one takes the other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importOptional } from '../optionalPackage.js';
import { NDArray } from '../ndarray/ndarray.js';
import { Generator, defaultRng } from '../ndarray/random.js';
import { fmtShape } from '../ndarray/shape.js';
import { gatherRows } from '../ndarray/indexing.js';

/** One split: captions with the feature row of each caption's image. */
export interface CaptionSplit {
  /** (M, T) int32 word indices: <START> ... <END> then <NULL> padding. */
  captions: NDArray;
  /** (M,) int32: the row of `features` (and `urls`) of each caption's image. */
  imageIdxs: NDArray;
  /** (numImages, D) float32 image features. */
  features: NDArray;
  /** Each image's URL (COCO), or [] when the images are here (the offline set's `images`). */
  urls: string[];
  /** The images themselves, (numImages, H, W) uint8, when the data set has them (the offline set). */
  images?: NDArray;
}

/** A captioning data set: the vocabulary and its splits (the course's data dict, in camelCase). */
export interface CaptionData {
  wordToIdx: Record<string, number>;
  idxToWord: string[];
  train: CaptionSplit;
  val: CaptionSplit;
  test?: CaptionSplit;
}

/** The splits of a captioning data set. */
export type CaptionSplitName = 'train' | 'val' | 'test';

/** loadCocoData's options: which features, how many training captions. */
export interface CocoOptions {
  /** The 512-wide PCA features (default true) rather than the 4096-wide fc7 ones. */
  pcaFeatures?: boolean;
  /** Keep a random maxTrain training captions (drawn with replacement, as the course's). */
  maxTrain?: number;
  /** Seeds that draw (default 0). */
  seed?: number;
}

const FILES = {
  captions: 'coco2014_captions.h5',
  vocab: 'coco2014_vocab.json',
  features: (split: string, pca: boolean) => `${split}2014_vgg16_fc7${pca ? '_pca' : ''}.h5`,
  urls: (split: string) => `${split}2014_urls.txt`,
};

type H5 = typeof import('h5wasm/node');
let h5: Promise<H5['default']> | null = null;

/** h5wasm, loaded on first use (4 MB of WebAssembly that nothing else needs). */
function h5wasm(): Promise<H5['default']> {
  h5 ??= importOptional('loadCocoCaptions', 'h5wasm', () => import('h5wasm/node')).then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Throws `op: file ...` unless `file` exists and starts like an HDF5 file (checked before h5wasm sees it). */
function checkHdf5(op: string, file: string): void {
  if (!fs.existsSync(file))
    throw new Error(`${op}: ${file} does not exist (see docs/data.md for the course's files)`);
  const head = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!HDF5_SIGNATURE.every((b, i) => head[i] === b)) throw new Error(`${op}: ${file} is not an HDF5 file`);
}

/** Reads datasets of an HDF5 file as NDArrays: integer ones as int32, float ones as float32. */
async function readH5(op: string, file: string, names: string[]): Promise<Record<string, NDArray>> {
  checkHdf5(op, file);
  const lib = await h5wasm();
  let f: InstanceType<typeof lib.File>;
  try {
    f = new lib.File(path.resolve(file), 'r');
  } catch (e) {
    throw new Error(`${op}: ${file} could not be opened as HDF5 (${(e as Error).message})`, { cause: e });
  }
  try {
    const out: Record<string, NDArray> = {};
    for (const name of names) {
      const ds = f.get(name);
      if (!(ds instanceof lib.Dataset))
        throw new Error(
          `${op}: ${file} has no dataset '${name}' (it has: ${f.keys().join(', ') || 'nothing'})`,
        );
      out[name] = toNDArray(op, file, name, ds.value, ds.shape ?? []);
    }
    return out;
  } finally {
    f.close();
  }
}

function toNDArray(op: string, file: string, name: string, value: unknown, shape: number[]): NDArray {
  if (value instanceof Float32Array) return new NDArray(value, shape, 'float32');
  if (value instanceof Float64Array) return new NDArray(Float32Array.from(value), shape, 'float32');
  if (value instanceof Int32Array) return new NDArray(value, shape, 'int32');
  const ints = [Int8Array, Uint8Array, Int16Array, Uint16Array, Uint32Array];
  if (ints.some((C) => value instanceof C))
    return new NDArray(Int32Array.from(value as ArrayLike<number>), shape, 'int32');
  if (value instanceof BigInt64Array || value instanceof BigUint64Array)
    return new NDArray(Int32Array.from(value, Number), shape, 'int32');
  throw new Error(`${op}: ${file}: dataset '${name}' is not a numeric array`);
}

function readText(op: string, file: string): string {
  if (!fs.existsSync(file))
    throw new Error(`${op}: ${file} does not exist (see docs/data.md for the course's files)`);
  return fs.readFileSync(file, 'utf8');
}

/** The vocabulary file: idx_to_word (a list) and word_to_idx (its inverse). */
function readVocab(op: string, file: string): Pick<CaptionData, 'wordToIdx' | 'idxToWord'> {
  let json: { idx_to_word?: unknown; word_to_idx?: unknown };
  try {
    json = JSON.parse(readText(op, file)) as typeof json;
  } catch (e) {
    if ((e as Error).message.startsWith(op)) throw e;
    throw new Error(`${op}: ${file} is not JSON (${(e as Error).message})`, { cause: e });
  }
  const { idx_to_word: idxToWord, word_to_idx: wordToIdx } = json;
  const ok =
    Array.isArray(idxToWord) &&
    wordToIdx !== null &&
    typeof wordToIdx === 'object' &&
    idxToWord.every((w, i) => (wordToIdx as Record<string, unknown>)[w as string] === i);
  if (!ok) throw new Error(`${op}: ${file} should hold idx_to_word (a list) and word_to_idx (its inverse)`);
  return { idxToWord: idxToWord as string[], wordToIdx: wordToIdx as Record<string, number> };
}

/** Checks one split's arrays against each other (names the files in errors). */
function checkSplit(op: string, split: string, s: CaptionSplit, files: string): void {
  const { captions, imageIdxs, features, urls } = s;
  const bad = (what: string) => {
    throw new Error(`${op}: ${files}: ${split} ${what}`);
  };
  if (captions.ndim !== 2) bad(`captions of shape ${fmtShape(captions.shape)} should be (M, T)`);
  if (imageIdxs.ndim !== 1 || imageIdxs.shape[0] !== captions.shape[0])
    bad(
      `image_idxs of shape ${fmtShape(imageIdxs.shape)} should be (${captions.shape[0]},), one per caption`,
    );
  if (features.ndim !== 2) bad(`features of shape ${fmtShape(features.shape)} should be (images, D)`);
  if (urls.length > 0 && urls.length !== features.shape[0])
    bad(`has ${urls.length} URLs for ${features.shape[0]} feature rows`);
  if (imageIdxs.size > 0 && (imageIdxs.min().item() < 0 || imageIdxs.max().item() >= features.shape[0]))
    bad(`image_idxs go outside the ${features.shape[0]} feature rows`);
}

/**
 * The course's COCO captioning data from `dir` (coco_utils.py's load_coco_data). Every missing or
 * malformed file is an error naming it.
 */
export async function loadCocoCaptions(
  dir: string,
  { pcaFeatures = true, maxTrain, seed = 0 }: CocoOptions = {},
): Promise<CaptionData> {
  const op = 'loadCocoCaptions';
  if (!fs.existsSync(dir))
    throw new Error(`${op}: ${dir} does not exist (see docs/data.md for the course's files)`);
  const captionFile = path.join(dir, FILES.captions);
  const caps = await readH5(op, captionFile, [
    'train_captions',
    'train_image_idxs',
    'val_captions',
    'val_image_idxs',
  ]);
  const vocab = readVocab(op, path.join(dir, FILES.vocab));
  const split = async (name: 'train' | 'val'): Promise<CaptionSplit> => {
    const featureFile = path.join(dir, FILES.features(name, pcaFeatures));
    const { features } = await readH5(op, featureFile, ['features']);
    const urlFile = path.join(dir, FILES.urls(name));
    const urls = readText(op, urlFile)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    const s = { captions: caps[`${name}_captions`], imageIdxs: caps[`${name}_image_idxs`], features, urls };
    checkSplit(op, name, s, `${captionFile}, ${featureFile}, ${urlFile}`);
    const V = vocab.idxToWord.length;
    if (s.captions.size > 0 && (s.captions.min().item() < 0 || s.captions.max().item() >= V))
      throw new Error(
        `${op}: ${captionFile}: ${name}_captions hold word indices outside the vocabulary of ${V} words`,
      );
    return s;
  };
  const data: CaptionData = { ...vocab, train: await split('train'), val: await split('val') };
  if (maxTrain !== undefined) {
    const mask = new Generator(seed).randint(0, data.train.captions.shape[0], [maxTrain]);
    data.train = {
      ...data.train,
      captions: gatherRows(data.train.captions, mask),
      imageIdxs: gatherRows(data.train.imageIdxs, mask),
    };
  }
  return data;
}

/**
 * Writes `data` in the course's file layout to `dir` (the inverse of loadCocoCaptions; the features go to
 * the _pca files unless pcaFeatures is false): captions and image indices as int32, features as float32.
 */
export async function writeCocoCaptions(
  dir: string,
  data: CaptionData,
  { pcaFeatures = true }: { pcaFeatures?: boolean } = {},
): Promise<void> {
  const lib = await h5wasm();
  fs.mkdirSync(dir, { recursive: true });
  const write = (file: string, arrays: Record<string, NDArray>) => {
    const f = new lib.File(path.resolve(dir, file), 'w');
    try {
      for (const [name, a] of Object.entries(arrays)) {
        const float = a.dtype === 'float32' || a.dtype === 'float64';
        const typed = float ? Float32Array.from(a.toTypedArray()) : Int32Array.from(a.toTypedArray());
        f.create_dataset({ name, data: typed, shape: [...a.shape], dtype: float ? '<f' : '<i' }); // float32, int32
      }
    } finally {
      f.close();
    }
  };
  const { train, val } = data;
  write(FILES.captions, {
    train_captions: train.captions,
    train_image_idxs: train.imageIdxs,
    val_captions: val.captions,
    val_image_idxs: val.imageIdxs,
  });
  for (const [name, s] of [
    ['train', train],
    ['val', val],
  ] as const) {
    write(FILES.features(name, pcaFeatures), { features: s.features });
    fs.writeFileSync(path.join(dir, FILES.urls(name)), s.urls.map((u) => `${u}\n`).join(''));
  }
  fs.writeFileSync(
    path.join(dir, FILES.vocab),
    JSON.stringify({ idx_to_word: data.idxToWord, word_to_idx: data.wordToIdx }),
  );
}

/** A minibatch of captions with their images' features: what CaptioningRNN.loss takes. */
export interface CaptionBatch {
  /** (batchSize, T) int32. */
  captions: NDArray;
  /** (batchSize, D) float32, the features of each caption's image. */
  features: NDArray;
  /** (batchSize,) int32 rows of the split's features, urls and images. */
  imageIdxs: NDArray;
  /** Each caption's image URL ([] when the split has none). */
  urls: string[];
}

/** sampleCocoMinibatch's options: batch size, split, where the randomness comes from. */
export interface CaptionBatchOptions {
  batchSize?: number;
  split?: CaptionSplitName;
  /** The generator to draw from (default: a new Generator(seed) when seed is given, else the default one). */
  rng?: Generator;
  seed?: number;
}

/**
 * batchSize random captions of a split (drawn with replacement, as coco_utils.sample_coco_minibatch) with
 * their images' features and URLs.
 */
export function sampleCocoMinibatch(
  data: CaptionData,
  { batchSize = 100, split = 'train', seed, rng }: CaptionBatchOptions = {},
): CaptionBatch {
  const s = data[split];
  if (!s) throw new Error(`sampleCocoMinibatch: the data has no '${split}' split`);
  const g = rng ?? (seed === undefined ? defaultRng : new Generator(seed));
  const mask = g.randint(0, s.captions.shape[0], [batchSize]);
  const imageIdxs = gatherRows(s.imageIdxs, mask);
  const rows = imageIdxs.toTypedArray();
  return {
    captions: gatherRows(s.captions, mask),
    features: gatherRows(s.features, imageIdxs),
    imageIdxs,
    urls: s.urls.length > 0 ? Array.from(rows, (r) => s.urls[r]) : [],
  };
}
