/**
 * Linear evaluation of learned features, as SimCLR is judged: the encoder frozen, its features of a
 * labelled subset standardised, and a linear softmax classifier (LinearModel, trained by the Solver) fitted
 * on them; the score is its accuracy on the test images' features. The same procedure scores any features
 * (a randomly initialised encoder's, raw pixels), so baselines differ in their features only.
 *
 *   const feats = (X: NDArray) => encodeImages(net, X);      // (N, 128)
 *   const r = linearEvaluation({ X: feats(XLab), y: yLab }, { X: feats(XTest), y: yTest });
 *   r.testAccuracy;
 *
 * `supervisedBaseline` trains the same encoder with a linear layer on the same labelled subset, end to end
 * with labels: what the labels alone achieve with a net of the same size.
 */
import type { NDArray } from '../ndarray/ndarray.js';
import { fmtShape } from '../ndarray/shape.js';
import { applyChannelNorm, fitChannelNorm } from '../data/preprocess.js';
import { makeAugment } from '../data/augment.js';
import { ArrayDataset } from '../data/batches.js';
import { LinearModel } from '../models/linearModel.js';
import { Classifier } from '../models/classifier.js';
import { SimclrNet } from '../models/simclrNet.js';
import { Generator } from '../ndarray/random.js';
import { Linear } from '../nn/modules/layers.js';
import { Sequential } from '../nn/modules/sequential.js';
import { accuracyOf } from './metrics.js';
import { Solver } from './solver.js';

/** Examples (N, ...) with labels (N,) int32. */
export interface Labelled {
  X: NDArray;
  y: NDArray;
}

export interface LinearEvalOptions {
  /** L2 strengths tried; the one with the best accuracy on the held-out part wins (default 1e-4, 1e-3, 1e-2). */
  regs?: number[];
  /** Fraction of the labelled examples held out to choose reg and the epoch (default 0.1). */
  valFraction?: number;
  /** Adam's learning rate (default 1e-3), epochs (default 50), batch (default 256). */
  lr?: number;
  epochs?: number;
  batchSize?: number;
  /** Classes (default: the largest label + 1). */
  numClasses?: number;
  seed?: number;
}

export interface LinearEvaluation {
  testAccuracy: number;
  /** Accuracy on the held-out part of the labelled examples, of the reg chosen. */
  valAccuracy: number;
  /** Accuracy on the labelled examples it was trained on. */
  trainAccuracy: number;
  reg: number;
  featureDim: number;
  numLabelled: number;
  numTest: number;
  seconds: number;
}

/** The largest label of either set + 1. */
function classCount(a: Labelled, b: Labelled): number {
  let top = -1;
  for (const y of [a.y, b.y]) for (const v of y.toTypedArray()) if (v > top) top = v;
  return top + 1;
}

function rows(X: NDArray): NDArray {
  return X.reshape(X.shape[0], X.size / Math.max(1, X.shape[0])).astype('float64');
}

function checkLabelled(op: string, what: string, d: Labelled): void {
  if (d.X.ndim < 2 || d.y.ndim !== 1 || d.y.shape[0] !== d.X.shape[0])
    throw new RangeError(
      `${op}: ${what} examples of shape ${fmtShape(d.X.shape)} and labels of shape ${fmtShape(d.y.shape)} do not match (want (N, ...) and (N,))`,
    );
}

/**
 * Fits a softmax classifier on the labelled features (N, ...) (standardised with the labelled set's
 * per-feature mean and std, in float64) and measures it on the test features. A part of the labelled set
 * (valFraction) is held out to pick the L2 strength and keep the best epoch; the test set is used only for
 * the final score.
 */
export function linearEvaluation(
  labelled: Labelled,
  test: Labelled,
  {
    regs = [1e-4, 1e-3, 1e-2],
    valFraction = 0.1,
    lr = 1e-3,
    epochs = 50,
    batchSize = 256,
    numClasses,
    seed = 0,
  }: LinearEvalOptions = {},
): LinearEvaluation {
  checkLabelled('linearEvaluation', 'labelled', labelled);
  checkLabelled('linearEvaluation', 'test', test);
  const t0 = performance.now();
  const X = rows(labelled.X);
  const XTest = rows(test.X);
  if (XTest.shape[1] !== X.shape[1])
    throw new RangeError(
      `linearEvaluation: test features have ${XTest.shape[1]} dimensions, the labelled ones ${X.shape[1]}`,
    );
  const n = X.shape[0];
  const nVal = Math.max(1, Math.round(valFraction * n));
  if (n - nVal < 1) throw new RangeError(`linearEvaluation: ${n} labelled examples leave none to train on`);
  const C = numClasses ?? classCount(labelled, test);
  const stats = fitChannelNorm(X.slice(`0:${n - nVal}`), { channelAxis: 1 });
  const norm = (A: NDArray): NDArray => applyChannelNorm(A, stats, { channelAxis: 1 });
  const [Xn, XTestN] = [norm(X), norm(XTest)];
  const data = {
    XTrain: Xn.slice(`0:${n - nVal}`),
    yTrain: labelled.y.slice(`0:${n - nVal}`),
    XVal: Xn.slice(`${n - nVal}:`),
    yVal: labelled.y.slice(`${n - nVal}:`),
  };
  let best: { model: LinearModel; val: number; reg: number } | null = null;
  for (const reg of regs) {
    const model = new LinearModel({ loss: 'softmax', inputDim: X.shape[1], numClasses: C, reg, seed });
    const solver = new Solver(model, data, {
      updateRule: 'adam',
      optimConfig: { learningRate: lr },
      batchSize: Math.min(batchSize, data.XTrain.shape[0]),
      numEpochs: epochs,
      numTrainSamples: 1000,
      numValSamples: null,
      verbose: false,
      seed,
    });
    solver.train();
    if (!best || solver.bestValAcc > best.val) best = { model, val: solver.bestValAcc, reg };
  }
  return {
    testAccuracy: accuracyOf(best!.model, XTestN, test.y),
    valAccuracy: best!.val,
    trainAccuracy: accuracyOf(best!.model, data.XTrain, data.yTrain),
    reg: best!.reg,
    featureDim: X.shape[1],
    numLabelled: n,
    numTest: XTest.shape[0],
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface SupervisedBaselineOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Random crops (padding 4) and flips of the training images (default true). */
  augment?: boolean;
  numClasses?: number;
  seed?: number;
}

/**
 * The supervised baseline: SimclrNet's encoder (the same size, fresh weights) with a linear layer on its
 * 128 features, trained end to end with cross-entropy on the labelled images (N, 3, 32, 32) (normalised as
 * computeTestTransform does), Adam (default 1e-3, 30 epochs, batch 128), scored on the test images.
 */
export function supervisedBaseline(
  labelled: Labelled,
  test: Labelled,
  {
    epochs = 30,
    batchSize = 128,
    lr = 1e-3,
    augment = true,
    numClasses,
    seed = 0,
  }: SupervisedBaselineOptions = {},
): { testAccuracy: number; trainAccuracy: number; seconds: number; iterations: number } {
  checkLabelled('supervisedBaseline', 'labelled', labelled);
  checkLabelled('supervisedBaseline', 'test', test);
  const t0 = performance.now();
  const C = numClasses ?? classCount(labelled, test);
  const rng = new Generator(seed);
  const dtype = labelled.X.dtype === 'float64' ? 'float64' : 'float32';
  const net = new Sequential(new SimclrNet({ rng, dtype }).f, new Linear(128, C, { rng, dtype }));
  const model = new Classifier(net, { autograd: true, dtype });
  const X = labelled.X.astype(dtype);
  const solver = new Solver(
    model,
    // No validation set: the last epoch's weights are the baseline's (nothing of the test set chooses).
    { train: new ArrayDataset(X, labelled.y) },
    {
      updateRule: 'adam',
      optimConfig: { learningRate: lr },
      batchSize: Math.min(batchSize, X.shape[0]),
      numEpochs: epochs,
      numTrainSamples: 500,
      verbose: false,
      seed,
      augment: augment ? makeAugment({ padding: 4 }) : undefined,
    },
  );
  solver.train();
  net.eval();
  return {
    testAccuracy: accuracyOf(model, test.X.astype(dtype), test.y),
    trainAccuracy: accuracyOf(model, X, labelled.y),
    seconds: (performance.now() - t0) / 1000,
    iterations: solver.iteration,
  };
}
