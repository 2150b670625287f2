/**
 * SimCLR's augmentation (the course's compute_train_transform): random resized crop to 32×32, horizontal
 * flip, colour jitter (brightness, contrast, saturation 0.4, hue 0.1) with probability 0.8, grayscale with
 * probability 0.2, normalisation — on (N, 3, H, W) batches with values in [0, 1], drawn from a seeded
 * Generator. Each transform is torchvision's tensor version (transforms.functional: the same grey weights,
 * blends, clamps and HSV round trip; bilinear resizing without antialiasing, align_corners=False), so its
 * reference is torchvision itself (scripts/golden_simclr_augment.py).
 *
 * The pixel functions act on one image in place: `px` holds 3 planes of `hw` values each (R, G, B).
 */
import { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import type { Generator } from '../ndarray/random.js';

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
/** torchvision's rgb_to_grayscale weights. */
const GREY = [0.2989, 0.587, 0.114] as const;

function grey(px: Float64Array, hw: number, k: number): number {
  return GREY[0] * px[k] + GREY[1] * px[hw + k] + GREY[2] * px[2 * hw + k];
}

/** x·f, clamped to [0, 1] (adjust_brightness). */
export function adjustBrightness(px: Float64Array, f: number): void {
  for (let i = 0; i < px.length; i++) px[i] = clamp01(px[i] * f);
}

/** Blend with the image's mean grey level: f·x + (1 − f)·mean, clamped (adjust_contrast). */
export function adjustContrast(px: Float64Array, hw: number, f: number): void {
  let m = 0;
  for (let k = 0; k < hw; k++) m += grey(px, hw, k);
  m /= hw;
  for (let i = 0; i < px.length; i++) px[i] = clamp01(f * px[i] + (1 - f) * m);
}

/** Blend with each pixel's grey level: f·x + (1 − f)·grey, clamped (adjust_saturation). */
export function adjustSaturation(px: Float64Array, hw: number, f: number): void {
  for (let k = 0; k < hw; k++) {
    const g = grey(px, hw, k);
    for (let c = 0; c < 3; c++) px[c * hw + k] = clamp01(f * px[c * hw + k] + (1 - f) * g);
  }
}

/** Every channel set to the grey level (rgb_to_grayscale with 3 output channels). */
export function toGrayscale(px: Float64Array, hw: number): void {
  for (let k = 0; k < hw; k++) {
    const g = grey(px, hw, k);
    px[k] = px[hw + k] = px[2 * hw + k] = g;
  }
}

/** Hue shifted by h ∈ [−0.5, 0.5] turns, through torchvision's _rgb2hsv and _hsv2rgb (adjust_hue). */
export function adjustHue(px: Float64Array, hw: number, h: number): void {
  for (let k = 0; k < hw; k++) {
    const r = px[k];
    const g = px[hw + k];
    const b = px[2 * hw + k];
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    const eqc = maxc === minc;
    const cr = maxc - minc;
    const ones = 1;
    const s = cr / (eqc ? ones : maxc);
    const crDivisor = eqc ? ones : cr;
    const rc = (maxc - r) / crDivisor;
    const gc = (maxc - g) / crDivisor;
    const bc = (maxc - b) / crDivisor;
    const hr = maxc === r ? bc - gc : 0;
    const hg = maxc === g && maxc !== r ? 2 + rc - bc : 0;
    const hb = maxc !== g && maxc !== r ? 4 + gc - rc : 0;
    let hue = ((((hr + hg + hb) / 6 + 1) % 1) + 1) % 1;
    hue = (((hue + h) % 1) + 1) % 1;
    // _hsv2rgb
    const i6 = Math.floor(hue * 6);
    const f = hue * 6 - i6;
    const i = i6 % 6;
    const v = maxc;
    const p = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * f));
    const t = clamp01(v * (1 - s * (1 - f)));
    // torchvision's table of (r, g, b) by sector i, as a switch: an array per pixel was the transform's cost.
    let r2: number, g2: number, b2: number;
    switch (i) {
      case 0:
        r2 = v;
        g2 = t;
        b2 = p;
        break;
      case 1:
        r2 = q;
        g2 = v;
        b2 = p;
        break;
      case 2:
        r2 = p;
        g2 = v;
        b2 = t;
        break;
      case 3:
        r2 = p;
        g2 = q;
        b2 = v;
        break;
      case 4:
        r2 = t;
        g2 = p;
        b2 = v;
        break;
      default:
        r2 = v;
        g2 = p;
        b2 = q;
    }
    px[k] = r2;
    px[hw + k] = g2;
    px[2 * hw + k] = b2;
  }
}

/**
 * The window (top, left, height, width) of `src` (3 planes of H×W) resized to oh×ow bilinearly, without
 * antialiasing, align_corners=False (resized_crop on tensors). Returns 3 planes of oh×ow.
 */
export function resizedCrop(
  src: Float64Array,
  H: number,
  W: number,
  [top, left, h, w]: readonly [number, number, number, number],
  oh: number,
  ow: number,
): Float64Array {
  if (top < 0 || left < 0 || h < 1 || w < 1 || top + h > H || left + w > W)
    throw new RangeError(`resizedCrop: window (${top}, ${left}, ${h}, ${w}) does not fit a ${H}x${W} image`);
  const out = new Float64Array(3 * oh * ow);
  // Source rows/columns and weights of each output row/column, computed once (not per pixel and channel).
  const axis = (o: number, scale: number, n: number) => {
    const i0 = new Int32Array(o);
    const i1 = new Int32Array(o);
    const f = new Float64Array(o);
    for (let k = 0; k < o; k++) {
      const s = Math.max(0, (k + 0.5) * scale - 0.5);
      i0[k] = Math.min(Math.floor(s), n - 1);
      i1[k] = Math.min(i0[k] + 1, n - 1);
      f[k] = s - i0[k];
    }
    return { i0, i1, f };
  };
  const ys = axis(oh, h / oh, h);
  const xs = axis(ow, w / ow, w);
  for (let c = 0; c < 3; c++) {
    const base = c * H * W + top * W + left;
    for (let y = 0; y < oh; y++) {
      const r0 = base + ys.i0[y] * W;
      const r1 = base + ys.i1[y] * W;
      const fy = ys.f[y];
      for (let x = 0; x < ow; x++) {
        const x0 = xs.i0[x];
        const x1 = xs.i1[x];
        const fx = xs.f[x];
        const a = src[r0 + x0] * (1 - fx) + src[r0 + x1] * fx;
        const b = src[r1 + x0] * (1 - fx) + src[r1 + x1] * fx;
        out[c * oh * ow + y * ow + x] = a * (1 - fy) + b * fy;
      }
    }
  }
  return out;
}

/** RandomResizedCrop.get_params: scale (0.08, 1), ratio (3/4, 4/3), ten tries, then a centre crop. */
export function randomResizedCropParams(
  H: number,
  W: number,
  rng: Generator,
  scale: [number, number] = [0.08, 1],
  ratio: [number, number] = [3 / 4, 4 / 3],
): [number, number, number, number] {
  const area = H * W;
  const [lr0, lr1] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * (scale[0] + (scale[1] - scale[0]) * rng.nextDouble());
    const aspect = Math.exp(lr0 + (lr1 - lr0) * rng.nextDouble());
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= W && h > 0 && h <= H) return [rng.nextInt(H - h + 1), rng.nextInt(W - w + 1), h, w];
  }
  const inRatio = W / H;
  let w = W;
  let h = H;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return [Math.floor((H - h) / 2), Math.floor((W - w) / 2), h, w];
}

/** The course's CIFAR-10 normalisation (transforms.Normalize in compute_train_transform). */
export const CIFAR_MEAN = [0.4914, 0.4822, 0.4465] as const;
/** The course's CIFAR-10 per-channel standard deviations (transforms.Normalize in compute_train_transform). */
export const CIFAR_STD = [0.2023, 0.1994, 0.201] as const;

/** SimCLR augmentation options: the generator, output size, the colour-jitter and crop settings. */
export interface SimclrTransformOptions {
  rng: Generator;
  /** Output side (default 32). */
  size?: number;
  /** Jitter strengths (default 0.4, 0.4, 0.4, 0.1) and probabilities (0.8 jitter, 0.2 grey, 0.5 flip). */
  jitter?: [number, number, number, number];
  pJitter?: number;
  pGray?: number;
  pFlip?: number;
  /** Normalise with CIFAR-10's mean and std (default true). */
  normalize?: boolean;
}

/**
 * compute_train_transform on a batch: x (N, 3, H, W) in [0, 1] → (N, 3, size, size) float32, each image
 * with its own draws in the order crop, flip, jitter (apply?, order, factors), grey.
 */
export function computeTrainTransform(x: NDArray, o: SimclrTransformOptions): NDArray {
  if (x.ndim !== 4 || x.shape[1] !== 3)
    throw new RangeError(`computeTrainTransform: images of shape ${fmtShape(x.shape)} are not (N, 3, H, W)`);
  const { rng, size = 32, jitter = [0.4, 0.4, 0.4, 0.1], pJitter = 0.8, pGray = 0.2, pFlip = 0.5 } = o;
  const [N, , H, W] = x.shape;
  const src = x.astype('float64').contiguous().toTypedArray() as Float64Array;
  const hw = size * size;
  const out = new Float32Array(N * 3 * hw);
  const [bj, cj, sj, hj] = jitter;
  const factor = (s: number): number => Math.max(0, 1 - s) + (1 + s - Math.max(0, 1 - s)) * rng.nextDouble();
  for (let n = 0; n < N; n++) {
    const img = src.subarray(n * 3 * H * W, (n + 1) * 3 * H * W);
    const px = resizedCrop(img, H, W, randomResizedCropParams(H, W, rng), size, size);
    if (rng.nextDouble() < pFlip)
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < size; y++) px.subarray(c * hw + y * size, c * hw + (y + 1) * size).reverse();
    if (rng.nextDouble() < pJitter) {
      const order = rng.permutation(4).toTypedArray();
      const [b, c, s] = [factor(bj), factor(cj), factor(sj)];
      const h = -hj + 2 * hj * rng.nextDouble();
      for (const k of order) {
        if (k === 0) adjustBrightness(px, b);
        else if (k === 1) adjustContrast(px, hw, c);
        else if (k === 2) adjustSaturation(px, hw, s);
        else adjustHue(px, hw, h);
      }
    }
    if (rng.nextDouble() < pGray) toGrayscale(px, hw);
    for (let c = 0; c < 3; c++) {
      const [m, sd] = o.normalize === false ? [0, 1] : [CIFAR_MEAN[c], CIFAR_STD[c]];
      for (let k = 0; k < hw; k++) out[(n * 3 + c) * hw + k] = (px[c * hw + k] - m) / sd;
    }
  }
  return new NDArray(out, [N, 3, size, size], 'float32');
}

/** The course's test transform: x (N, 3, H, W) in [0, 1] normalised with CIFAR-10's mean and std → float32. */
export function computeTestTransform(x: NDArray): NDArray {
  if (x.ndim !== 4 || x.shape[1] !== 3)
    throw new RangeError(`computeTestTransform: images of shape ${fmtShape(x.shape)} are not (N, 3, H, W)`);
  const [N, , H, W] = x.shape;
  const src = x.astype('float64').contiguous().toTypedArray();
  const out = new Float32Array(src.length);
  const hw = H * W;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < 3; c++)
      for (let k = 0, o = (n * 3 + c) * hw; k < hw; k++)
        out[o + k] = (src[o + k] - CIFAR_MEAN[c]) / CIFAR_STD[c];
  return new NDArray(out, [N, 3, H, W], 'float32');
}
