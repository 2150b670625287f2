/**
 * `nabla predict <run> <image...>`: the top-k classes of each image with probabilities. Any PNG or JPEG:
 * converted to the model's channels (grey for MNIST-like models), resized bilinearly to its input size,
 * normalised as in training. Probabilities are the softmax of the scores (for kNN: the neighbours' votes).
 */
import { beamRefusal } from '../../models/registry.js';
import { existsSync } from 'node:fs';
import { imresize, readImage } from '../../data/image.js';
import { NDArray } from '../../ndarray/ndarray.js';
import { normalizeImages } from '../../data/preprocess.js';
import { UsageError } from '../errors.js';
import { restoreModel, type Restored } from '../restore.js';
import { perSlotExtractor, pixelFeatures } from '../../data/mnistCaptions.js';
import { decodeCaptions } from '../../models/captions.js';
import { mnistDigitCnn } from '../../solver/pretrained.js';

export interface PredictFlags {
  top: number;
  json: boolean;
  beam?: number;
}

/**
 * An image file as (1, H, W, C) uint8 in the model's size and channel count; with keepAspect, scaled to
 * height H only (w is then ignored).
 */
function loadAs(file: string, [h, w, c]: readonly number[], keepAspect = false): NDArray {
  if (!existsSync(file)) throw new UsageError(`predict: no such image '${file}'`);
  let img: NDArray;
  try {
    img = readImage(file, { mode: c === 1 ? 'L' : 'RGB' });
  } catch (e) {
    throw new UsageError(`predict: cannot read '${file}' as PNG or JPEG (${(e as Error).message})`);
  }
  if (keepAspect) w = Math.max(1, Math.round((img.shape[1] * h) / img.shape[0]));
  if (img.shape[0] !== h || img.shape[1] !== w) img = imresize(img, [h, w]);
  return img.reshape(1, h, w, c);
}

export function softmaxRow(scores: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const e = Array.from(scores, (s) => Math.exp(s - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export async function predictCommand(run: string, images: string[], flags: PredictFlags): Promise<void> {
  const r = restoreModel(run);
  const { meta } = r.ck;
  if (r.captioner) return captionImages(r, images, flags);
  const results: { image: string; top: { class: string; label: number; probability: number }[] }[] = [];
  for (const file of images) {
    const raw = loadAs(file, meta.imageShape);
    const x = normalizeImages(raw, meta.normalization, r.layout, r.dtype);
    let probs: number[];
    if (r.knn) {
      // The k nearest training images vote; the fraction of votes is the probability.
      const dists = r.knn.model.computeDistancesNoLoops(x).toTypedArray();
      const yTrain = r.knn.model.yTrain!.toTypedArray();
      const order = Array.from(dists.keys())
        .sort((a, b) => dists[a] - dists[b])
        .slice(0, r.knn.k);
      probs = new Array<number>(meta.classNames.length).fill(0);
      for (const i of order) probs[yTrain[i]] += 1 / order.length;
    } else {
      probs = softmaxRow(r.model!.loss(x).toTypedArray());
    }
    const top = probs
      .map((p, label) => ({ class: meta.classNames[label], label, probability: p }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, Math.min(flags.top, probs.length));
    results.push({ image: file, top });
  }
  if (flags.json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  for (const res of results) {
    console.log(res.image);
    for (const t of res.top) {
      const bar = '█'.repeat(Math.round(t.probability * 20));
      console.log(`  ${t.class.padEnd(12)} ${(100 * t.probability).toFixed(1).padStart(5)}%  ${bar}`);
    }
  }
}

/**
 * A captioning run's captions of images of digit rows (grey, 28 pixels high, 28 per digit: resized to the
 * run's image size), through the same features the run trained on.
 */
async function captionImages(r: Restored, images: string[], flags: PredictFlags): Promise<void> {
  const { meta } = r.ck;
  const features = meta.features as { kind: string; key: string | null } | undefined;
  if (!features || features.kind === 'coco')
    throw new UsageError(
      'predict: this run trained on precomputed COCO features; nabla cannot compute those from an image',
    );
  const refusal = beamRefusal(meta.model.name, flags.beam);
  if (refusal) throw new UsageError(`predict: ${refusal}`);
  const [h, w] = meta.imageShape;
  const cnn = features.kind === 'cnn' ? await mnistDigitCnn() : null;
  if (cnn && features.key !== cnn.key)
    throw new UsageError(
      `predict: the cached digit CNN (${cnn.key}) is not the one this run trained on (${features.key})`,
    );
  const extract = cnn ? perSlotExtractor((d) => cnn.features(d)) : pixelFeatures;
  const idxToWord = meta.classNames;
  const out: { image: string; caption: string }[] = [];
  for (const file of images) {
    const raw = digitRow(file, h, w);
    const caption = r.captioner!.sample(extract(raw), {
      maxLength: Number(meta.model.config.options.maxLength),
      beamWidth: flags.beam,
    });
    out.push({ image: file, caption: decodeCaptions(caption, idxToWord)[0] });
  }
  if (flags.json) console.log(JSON.stringify(out, null, 2));
  else for (const o of out) console.log(`${o.image}\n  ${o.caption}`);
}

/**
 * An image of a row of digits as the run's images are: grey, `h` high (scaled to it, keeping the aspect),
 * left-aligned on a black canvas `w` wide (a wider image is scaled to fit) → (1, h, w) uint8.
 */
function digitRow(file: string, h: number, w: number): NDArray {
  const img = loadAs(file, [h, 0, 1], true);
  const width = img.shape[2];
  const row = width > w ? imresize(img.reshape(h, width, 1), [h, w]).reshape(1, h, w, 1) : img;
  const out = new NDArray(new Uint8Array(h * w), [1, h, w], 'uint8');
  out.set([':', ':', `0:${row.shape[2]}`], row.reshape(1, h, row.shape[2]));
  return out;
}
