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
import { affineBackward, affineForward } from '../nn/affine.js';
import type { BnParam } from '../nn/batchnorm.js';
import type { LnParam } from '../nn/layernorm.js';
import type { DropoutParam } from '../nn/dropout.js';
import { l2Regularization, softmaxLoss } from '../nn/losses.js';
import {
  affineNormReluDropoutBackward,
  affineNormReluDropoutForward,
  type AffineNormReluDropoutCache,
  type Normalization,
} from '../nn/sandwiches.js';
import type { Grads, Model } from './model.js';
import { affineParams, modelInput } from './util.js';

/** FullyConnectedNet's options (the course's FullyConnectedNet arguments). */
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
  /**
   * The dtype of the parameters: 'float64' for gradient checks, 'float32' (the default, as the course's
   * fc_net.py) to train fast. Unlike fc_net.py's X.astype(dtype), a float64 X is not rounded to float32: it
   * computes in float64 (numpy's promotion); integer input is converted to this dtype.
   */
  dtype?: DType;
  /** Seeds the generator used for initialisation and dropout (default 0). */
  seed?: number;
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
      Object.assign(this.params, affineParams(i, dims[i - 1], dims[i], this.rng, weightScale, dtype));
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

    let h = modelInput(X, this.dtype);
    const caches: AffineNormReluDropoutCache[] = [];
    for (let i = 1; i < L; i++) {
      let cache: AffineNormReluDropoutCache;
      [h, cache] = affineNormReluDropoutForward(
        h,
        p[`W${i}`],
        p[`b${i}`],
        p[`gamma${i}`] ?? null,
        p[`beta${i}`] ?? null,
        this.normalization ? this.bnParams[i - 1] : null,
        this.normalization,
        this.dropoutParam,
      );
      caches.push(cache);
    }
    const [scores, lastCache] = affineForward(h, p[`W${L}`], p[`b${L}`]);
    if (y === undefined) return scores;

    let [loss, dout] = softmaxLoss(scores, y);
    const grads: Grads = {};
    [dout, grads[`W${L}`], grads[`b${L}`]] = affineBackward(dout, lastCache);
    for (let i = L - 1; i >= 1; i--) {
      // The first layer's dx (the input's gradient) is not needed.
      const [dx, dW, db, dgamma, dbeta] = affineNormReluDropoutBackward(dout, caches[i - 1], i > 1);
      grads[`W${i}`] = dW;
      grads[`b${i}`] = db;
      if (dgamma && dbeta) {
        grads[`gamma${i}`] = dgamma;
        grads[`beta${i}`] = dbeta;
      }
      if (dx) dout = dx;
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
