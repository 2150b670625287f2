/**
 * A fully-connected net of any depth (CS231n's fc_net.py FullyConnectedNet):
 *
 *   {affine → [batch/layer norm] → ReLU → [dropout]} × (L − 1) → affine → softmax
 *
 * Parameters W1..WL, b1..bL, and gamma1/beta1..gamma(L−1)/beta(L−1) when normalizing. The per-layer
 * normalization state lives in `bnParams[i]` (mode and running statistics for batchnorm), the dropout
 * state in `dropoutParam`; the loss sets their mode from whether labels are given.
 *
 * One seeded `Generator` (`seed`) draws the initial weights and then every dropout mask, so a run is
 * reproducible end to end. Setting `dropoutParam.seed` instead fixes one mask for every call, as the
 * course does for gradient checks.
 */
import type { DType } from '../ndarray/dtype.js';
import { ones, zeros } from '../ndarray/creation.js';
import type { NDArray } from '../ndarray/ndarray.js';
import { Generator } from '../ndarray/random.js';
import { affineBackward, affineForward, type AffineCache } from '../nn/affine.js';
import { reluBackward, reluForward } from '../nn/activations.js';
import {
  batchnormBackwardAlt,
  batchnormForward,
  type BatchnormCache,
  type BnParam,
} from '../nn/batchnorm.js';
import { layernormBackward, layernormForward, type LayernormCache, type LnParam } from '../nn/layernorm.js';
import { dropoutBackward, dropoutForward, type DropoutCache, type DropoutParam } from '../nn/dropout.js';
import { l2Regularization, softmaxLoss } from '../nn/losses.js';
import type { Grads, Model } from './model.js';

export type Normalization = 'batchnorm' | 'layernorm' | null;

export interface FullyConnectedNetOptions {
  /** The size of each hidden layer. */
  hiddenDims: number[];
  inputDim?: number;
  numClasses?: number;
  /** The probability of keeping a unit in dropout; 1 means no dropout. */
  dropoutKeepRatio?: number;
  normalization?: Normalization;
  reg?: number;
  /** Standard deviation of the Gaussian initial weights. */
  weightScale?: number;
  /** The dtype of parameters and computation: 'float64' for gradient checks, 'float32' to train fast. */
  dtype?: DType;
  /** Seeds the generator used for initialisation and dropout (default 0). */
  seed?: number;
}

interface LayerCache {
  affine: AffineCache;
  norm?: BatchnormCache | LayernormCache;
  relu?: NDArray;
  dropout?: DropoutCache;
}

export class FullyConnectedNet implements Model {
  params: Record<string, NDArray> = {};
  readonly numLayers: number;
  readonly normalization: Normalization;
  readonly useDropout: boolean;
  readonly dtype: DType;
  reg: number;
  /** Per hidden layer: BnParam for batchnorm, LnParam for layernorm; empty otherwise. */
  bnParams: (BnParam | LnParam)[] = [];
  dropoutParam: DropoutParam | null = null;
  /** The generator for initialisation and dropout masks. */
  rng: Generator;

  constructor({
    hiddenDims,
    inputDim = 3 * 32 * 32,
    numClasses = 10,
    dropoutKeepRatio = 1,
    normalization = null,
    reg = 0,
    weightScale = 1e-2,
    dtype = 'float32',
    seed = 0,
  }: FullyConnectedNetOptions) {
    if (!Array.isArray(hiddenDims))
      throw new TypeError('FullyConnectedNet: hiddenDims must be an array of sizes');
    if (normalization !== null && normalization !== 'batchnorm' && normalization !== 'layernorm') {
      throw new RangeError(`FullyConnectedNet: unknown normalization '${normalization}'`);
    }
    this.numLayers = hiddenDims.length + 1;
    this.normalization = normalization;
    this.useDropout = dropoutKeepRatio !== 1;
    this.dtype = dtype;
    this.reg = reg;
    this.rng = new Generator(seed);
    const dims = [inputDim, ...hiddenDims, numClasses];
    for (let i = 1; i <= this.numLayers; i++) {
      this.params[`W${i}`] = this.rng.normal(0, weightScale, [dims[i - 1], dims[i]], dtype);
      this.params[`b${i}`] = zeros([dims[i]], dtype);
      if (normalization && i < this.numLayers) {
        this.params[`gamma${i}`] = ones([dims[i]], dtype);
        this.params[`beta${i}`] = zeros([dims[i]], dtype);
      }
    }
    if (this.useDropout) this.dropoutParam = { mode: 'train', p: dropoutKeepRatio, rng: this.rng };
    for (let i = 0; i < this.numLayers - 1; i++) {
      if (normalization === 'batchnorm') {
        // Created now (not on first use) so checkpoints always find them.
        this.bnParams.push({
          mode: 'train',
          runningMean: zeros([dims[i + 1]], dtype),
          runningVar: zeros([dims[i + 1]], dtype),
        });
      } else if (normalization === 'layernorm') this.bnParams.push({});
    }
  }

  /** The batchnorm running statistics, for checkpoints: bn{i}.runningMean / bn{i}.runningVar. */
  buffers(): Record<string, NDArray> {
    const out: Record<string, NDArray> = {};
    if (this.normalization !== 'batchnorm') return out;
    this.bnParams.forEach((p, i) => {
      const bp = p as BnParam;
      out[`bn${i + 1}.runningMean`] = bp.runningMean!;
      out[`bn${i + 1}.runningVar`] = bp.runningVar!;
    });
    return out;
  }

  /** X: (N, d_1, ..., d_k). Scores (N, C) without y (test mode); [loss, grads] with labels y (N,). */
  loss(X: NDArray): NDArray;
  loss(X: NDArray, y: NDArray): [number, Grads];
  loss(X: NDArray, y?: NDArray): NDArray | [number, Grads] {
    const mode = y === undefined ? 'test' : 'train';
    if (this.dropoutParam) this.dropoutParam.mode = mode;
    if (this.normalization === 'batchnorm') for (const bp of this.bnParams) (bp as BnParam).mode = mode;
    const L = this.numLayers;
    const p = this.params;

    let h = X.dtype === this.dtype ? X : X.astype(this.dtype);
    const caches: LayerCache[] = [];
    for (let i = 1; i < L; i++) {
      const c: Partial<LayerCache> = {};
      [h, c.affine] = affineForward(h, p[`W${i}`], p[`b${i}`]);
      if (this.normalization === 'batchnorm') {
        [h, c.norm] = batchnormForward(h, p[`gamma${i}`], p[`beta${i}`], this.bnParams[i - 1] as BnParam);
      } else if (this.normalization === 'layernorm') {
        [h, c.norm] = layernormForward(h, p[`gamma${i}`], p[`beta${i}`], this.bnParams[i - 1] as LnParam);
      }
      [h, c.relu] = reluForward(h);
      if (this.dropoutParam) [h, c.dropout] = dropoutForward(h, this.dropoutParam);
      caches.push(c as LayerCache);
    }
    const [scores, lastCache] = affineForward(h, p[`W${L}`], p[`b${L}`]);
    if (y === undefined) return scores;

    let [loss, dout] = softmaxLoss(scores, y);
    const grads: Grads = {};
    let dh: NDArray;
    [dh, grads[`W${L}`], grads[`b${L}`]] = affineBackward(dout, lastCache);
    for (let i = L - 1; i >= 1; i--) {
      const c = caches[i - 1];
      if (c.dropout) [dh] = dropoutBackward(dh, c.dropout);
      [dh] = reluBackward(dh, c.relu!);
      if (this.normalization === 'batchnorm') {
        [dh, grads[`gamma${i}`], grads[`beta${i}`]] = batchnormBackwardAlt(dh, c.norm as BatchnormCache);
      } else if (this.normalization === 'layernorm') {
        [dh, grads[`gamma${i}`], grads[`beta${i}`]] = layernormBackward(dh, c.norm as LayernormCache);
      }
      [dout, grads[`W${i}`], grads[`b${i}`]] = affineBackward(dh, c.affine);
      dh = dout;
    }
    // L2 on the weight matrices only: 0.5·reg·ΣW² in the loss, reg·W in the gradient.
    if (this.reg !== 0) {
      for (let i = 1; i <= L; i++) {
        const [r, dW] = l2Regularization(p[`W${i}`], this.reg);
        loss += r;
        grads[`W${i}`].addInPlace(dW);
      }
    }
    return [loss, grads];
  }
}
