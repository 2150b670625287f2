/**
 * `npm run results [-- part ...]`: trains the course's models on the shared CIFAR-10 (49,000 train /
 * 1,000 val / 1,000 test, mean image subtracted) and records accuracy, wall time, command and the best
 * hyperparameters of each in RESULTS.md. Not part of the tests.
 *
 * Parts: knn svm softmax twolayer fcnet features cnn3 seqcnn captioning (default: all but seqcnn, which takes
 * hours on the TypeScript backend). Each part rewrites only its own section of RESULTS.md, so parts can be
 * run separately: `npm run results -- svm softmax`. Options: `--epochs N` sets seqcnn's epochs; `--limit N`
 * trains on N images only, as a smoke test that prints instead of writing RESULTS.md. `captioning` runs
 * `nabla train --model caption-rnn | caption-lstm | caption-transformer` at their defaults on the offline
 * mnist-captions set (no CIFAR-10 needed) and scores each run's test captions, by number of digits too;
 * `--seeds 1,2` trains the RNN and LSTM with those seeds as well and judges the bar on the seeds' mean
 * (`--seed-runs <dir>` keeps those runs there, and scores finished ones instead of training them again).
 * `simclr` (not in the default set: about an hour and a half) pretrains `nabla train --model simclr --minutes M`
 * (`--minutes`, default 45), then judges its encoder by linear evaluation on the first `--labels` (default
 * 5,000) training images against the same classifier on a randomly initialised encoder and on raw pixels, and
 * a supervised net of the same size trained on those labelled images (`--supervised-epochs`, default 10);
 * `--run <folder>` judges a pretraining run made before instead of making one. `gan` (not in the default set:
 * hours) trains `nabla train --model gan | lsgan | dcgan` at the course's epochs (10, 10, 5) on MNIST, scores
 * each with `nabla eval` and copies its last grid of digits to docs/img/results-<model>.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backend } from '../src/backend/index.js';
import { getCifar10Data, type Cifar10Data } from '../src/data/index.js';
import { allocArray, type NDArray } from '../src/ndarray/ndarray.js';
import { Generator } from '../src/ndarray/random.js';
import { array, saveNpz } from '../src/ndarray/index.js';
import { KNearestNeighbor } from '../src/models/kNearestNeighbor.js';
import { crossValidateKnn } from '../src/models/crossValidation.js';
import { LinearSVM, Softmax, type LinearClassifier } from '../src/models/linearClassifier.js';
import { TwoLayerNet } from '../src/models/twoLayerNet.js';
import { FullyConnectedNet } from '../src/models/fullyConnectedNet.js';
import { ThreeLayerConvNet } from '../src/models/cnn.js';
import { accuracy } from '../src/models/util.js';
import { appendBias, courseFeatureFns, extractFeatures, normalizeFeatures } from '../src/features/index.js';
import type { Model } from '../src/models/model.js';
import { Solver, predictLabels, type SolverOptions } from '../src/solver/solver.js';
import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  AvgPool2d,
} from '../src/nn/modules/index.js';
import { Classifier } from '../src/models/classifier.js';
import { exactCaptionAccuracy } from '../src/models/bleu.js';
import { evaluateCaptions } from '../src/solver/metrics.js';
import { restoreModel } from '../src/cli/restore.js';
import { RUN_FILES } from '../src/cli/runDir.js';
import { readRunMeta } from '../src/solver/run.js';
import { loadCaptionSet, type CaptionFeatures } from '../src/cli/train/caption.js';
import type { RunConfig } from '../src/cli/train/config.js';
import { loadDataset } from '../src/data/registry.js';
import { normalizeImages } from '../src/data/preprocess.js';
import { encodeImages } from '../src/models/simclrNet.js';
import { buildSimclrNet } from '../src/models/registry.js';
import { linearEvaluation, supervisedBaseline } from '../src/solver/linearEvaluation.js';

const RESULTS = new URL('../RESULTS.md', import.meta.url);
const ALL = [
  'knn',
  'svm',
  'softmax',
  'twolayer',
  'fcnet',
  'features',
  'cnn3',
  'seqcnn',
  'captioning',
  'simclr',
  'gan',
] as const;
type Part = (typeof ALL)[number];

interface Section {
  title: string;
  /** Markdown lines: results, hyperparameters, time. */
  lines: string[];
}

const argv = process.argv.slice(2);
const flag = (name: string): number | null => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : null;
};
const seqEpochs = flag('--epochs') ?? 10;
/** --limit N: train on the first N training images only, a smoke test; RESULTS.md is then left alone. */
const limit = flag('--limit');
const requested = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
for (const p of requested) {
  if (!(ALL as readonly string[]).includes(p)) {
    console.error(`results: unknown part '${p}' (choose from ${ALL.join(', ')})`);
    process.exit(2);
  }
}
const parts: Part[] = requested.length
  ? (requested as Part[])
  : ALL.filter((p) => p !== 'seqcnn' && p !== 'simclr' && p !== 'gan');

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const secs = (ms: number) => (ms < 120e3 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60e3).toFixed(1)} min`);
const log = (s: string) => console.log(s);

/** (N, 3, 32, 32) → (N, 3072), and optionally a last column of ones (the bias trick). */
function rows(X: NDArray, withBias: boolean): NDArray {
  const N = X.shape[0];
  const D = X.size / N;
  const flat = X.reshape(N, D);
  if (!withBias) return flat;
  const out = allocArray([N, D + 1], X.dtype);
  out.set([':', `0:${D}`], flat);
  out.set([':', D], 1);
  return out;
}

async function loadData(): Promise<Cifar10Data> {
  const t0 = performance.now();
  const d = await getCifar10Data({ numTraining: 49000, numValidation: 1000, numTest: 1000 });
  if (limit !== null) {
    d.XTrain = d.XTrain.slice(`0:${limit}`);
    d.yTrain = d.yTrain.slice(`0:${limit}`);
  }
  log(
    `CIFAR-10 loaded in ${secs(performance.now() - t0)}: train ${d.XTrain.shape}, val ${d.XVal.shape}, test ${d.XTest.shape}`,
  );
  return d;
}

/** One kNN draw: k = 1 and the cross-validated k, both scored on the held-out images. */
function knnDraw(
  XTrain: NDArray,
  yTrain: NDArray,
  XTest: NDArray,
  yTest: NDArray,
): {
  acc1: number;
  bestK: number;
  bestMean: number;
  accBest: number;
  cv: ReturnType<typeof crossValidateKnn>;
  /** Test accuracy for each k of the cross-validation, in its order. */
  testByK: number[];
} {
  // Mean subtraction shifts every image by the same vector, which leaves L2 distances unchanged.
  const XTr = rows(XTrain, false).astype('float64');
  const XTe = rows(XTest, false).astype('float64');
  const knn = new KNearestNeighbor();
  knn.train(XTr, yTrain);
  const dists = knn.computeDistancesNoLoops(XTe);
  const acc1 = accuracy(knn.predictLabels(dists, 1), yTest);
  const cv = crossValidateKnn(XTr, yTrain, { numFolds: 5 });
  const accBest = accuracy(knn.predictLabels(dists, cv.bestK), yTest);
  const testByK = Object.keys(cv.kToAccuracies).map((k) =>
    accuracy(knn.predictLabels(dists, Number(k)), yTest),
  );
  return { acc1, bestK: cv.bestK, bestMean: cv.bestMeanAccuracy, accBest, cv, testByK };
}

function runKnn(d: Cifar10Data): Section {
  // The course's knn.ipynb: the first 5,000 training and 500 test images. One draw of 500 test images
  // measures accuracy to about ±2 points (binomial standard error), so the same recipe is repeated on three
  // more disjoint draws (training images 5,000-20,000; held-out images: the second 500 test images and
  // the two halves of the validation set, which kNN never sees otherwise) and their mean is reported too.
  const t0 = performance.now();
  const main = knnDraw(
    d.XTrain.slice('0:5000'),
    d.yTrain.slice('0:5000'),
    d.XTest.slice('0:500'),
    d.yTest.slice('0:500'),
  );
  const cvTime = performance.now() - t0;
  // The course's draw, for scripts/knn_numpy_check.py (the course's numpy code on the same arrays).
  if (limit === null) {
    mkdirSync(new URL('../.cache/', import.meta.url), { recursive: true });
    saveNpz(new URL('../.cache/knn-draw0.npz', import.meta.url).pathname, {
      XTrain: rows(d.XTrain.slice('0:5000'), false).astype('float64'),
      yTrain: d.yTrain.slice('0:5000'),
      XTest: rows(d.XTest.slice('0:500'), false).astype('float64'),
      yTest: d.yTest.slice('0:500'),
      k: array(Object.keys(main.cv.kToAccuracies).map(Number), 'int32'),
      accuracies: array(main.testByK),
    });
  }
  log(
    `kNN k=1: ${pct(main.acc1)}; best k=${main.bestK} by 5-fold CV (mean ${pct(main.bestMean)}): test ${pct(main.accBest)}`,
  );
  const heldOut: [string, NDArray, NDArray][] = [
    ['test 500-1000', d.XTest.slice('500:1000'), d.yTest.slice('500:1000')],
    ['val 0-500', d.XVal.slice('0:500'), d.yVal.slice('0:500')],
    ['val 500-1000', d.XVal.slice('500:1000'), d.yVal.slice('500:1000')],
  ];
  const draws = [{ train: '0-5000', held: 'test 0-500', ...main }];
  heldOut.forEach(([held, X, y], i) => {
    const a = 5000 * (i + 1);
    const r = knnDraw(d.XTrain.slice(`${a}:${a + 5000}`), d.yTrain.slice(`${a}:${a + 5000}`), X, y);
    log(`kNN draw ${i + 1}: k=1 ${pct(r.acc1)}; best k=${r.bestK}: ${pct(r.accBest)}`);
    draws.push({ train: `${a}-${a + 5000}`, held, ...r });
  });
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const meanAcc1 = mean(draws.map((r) => r.acc1));
  const meanBest = mean(draws.map((r) => r.accBest));
  const table = Object.entries(main.cv.kToAccuracies).map(
    ([k, accs], i) =>
      `| ${k} | ${accs.map(pct).join(', ')} | ${pct(accs.reduce((a, b) => a + b) / accs.length)} | ${pct(main.testByK[i])} |`,
  );
  return {
    title: 'k-nearest neighbour (5,000 train / 500 test)',
    lines: [
      `- k = 1: **${pct(main.acc1)}** test accuracy (course: ≈ 27%).`,
      `- Best k by 5-fold cross-validation: **k = ${main.bestK}** (mean fold accuracy ${pct(main.bestMean)}), test accuracy **${pct(main.accBest)}** (course: ≥ 28%).`,
      `- The same recipe on four disjoint draws of 5,000 / 500 images (500 held-out images measure accuracy to about ±2 points): mean k = 1 accuracy **${pct(meanAcc1)}**, mean accuracy with the cross-validated k **${pct(meanBest)}**.`,
      `- Wall time: ${secs(performance.now() - t0)} (the course's draw: ${secs(cvTime)}).`,
      '',
      '| draw: training images | held-out images | k = 1 | best k by CV (mean fold accuracy) | accuracy with best k |',
      '|---|---|---|---|---|',
      ...draws.map(
        (r) =>
          `| ${r.train} | ${r.held} | ${pct(r.acc1)} | ${r.bestK} (${pct(r.bestMean)}) | ${pct(r.accBest)} |`,
      ),
      '',
      "Cross-validation of the course's draw (first 5,000 training images), and each k's accuracy on the 500 test",
      "images (shown for insight only: the choice of k is the cross-validation's). `python3 scripts/knn_numpy_check.py`",
      "runs the course's numpy code (knn.ipynb's no-loop distances and np.argmax(np.bincount(...)) voting) on the",
      'same arrays (saved by this part to the git-ignored .cache/knn-draw0.npz) and checks every test accuracy below.',
      '',
      '| k | fold accuracies | mean | test accuracy |',
      '|---|---|---|---|',
      ...table,
    ],
  };
}

/** A linear classifier trained for every (learning rate, reg): the best by validation accuracy, a row each. */
function searchLinear(
  label: string,
  make: () => LinearClassifier,
  [XTr, yTr]: [NDArray, NDArray],
  [XVal, yVal]: [NDArray, NDArray],
  learningRates: number[],
  regs: number[],
  numIters: number,
): { best: { val: number; lr: number; reg: number; clf: LinearClassifier }; grid: string[] } {
  let best: { val: number; lr: number; reg: number; clf: LinearClassifier } | null = null;
  const grid: string[] = [];
  for (const lr of learningRates) {
    for (const reg of regs) {
      const clf = make();
      clf.train(XTr, yTr, { learningRate: lr, reg, numIters, batchSize: 200, seed: 0 });
      const train = accuracy(clf.predict(XTr), yTr);
      const val = accuracy(clf.predict(XVal), yVal);
      log(`${label} lr ${lr} reg ${reg}: train ${pct(train)} val ${pct(val)}`);
      grid.push(`| ${lr} | ${reg} | ${pct(train)} | ${pct(val)} |`);
      if (!best || val > best.val) best = { val, lr, reg, clf };
    }
  }
  return { best: best!, grid };
}

function runLinear(d: Cifar10Data, kind: 'svm' | 'softmax'): Section {
  const t0 = performance.now();
  const XTr = rows(d.XTrain, true);
  const XVal = rows(d.XVal, true);
  const XTe = rows(d.XTest, true);
  // Around the course's grids (pixels in [0, 255] minus the mean, so small learning rates); the course's
  // larger regs (5e4) came out worse here, so the search goes lower.
  const learningRates = kind === 'svm' ? [5e-8, 1e-7, 2e-7] : [5e-7, 1e-6, 2e-6, 4e-6];
  const regs = kind === 'svm' ? [5e3, 1e4, 2.5e4] : [2.5e2, 1e3, 5e3];
  const numIters = 1500;
  const { best, grid } = searchLinear(
    kind,
    () => (kind === 'svm' ? new LinearSVM() : new Softmax()),
    [XTr, d.yTrain],
    [XVal, d.yVal],
    learningRates,
    regs,
    numIters,
  );
  const test = accuracy(best.clf.predict(XTe), d.yTest);
  const bar = kind === 'svm' ? '≥ 38%' : '≥ 36%';
  return {
    title: kind === 'svm' ? 'Linear SVM' : 'Softmax classifier',
    lines: [
      `- Best validation accuracy **${pct(best.val)}** (course: ${bar}), test ${pct(test)}, with learning rate ${best.lr}, reg ${best.reg} (${numIters} iterations of minibatch SGD, batch 200, bias trick).`,
      `- Wall time: ${secs(performance.now() - t0)} for the grid of ${grid.length}.`,
      '',
      '| learning rate | reg | train | val |',
      '|---|---|---|---|',
      ...grid,
    ],
  };
}

/** Trains with the Solver; returns it, and prints one line per epoch. */
function solve(model: Model, d: Cifar10Data, opts: SolverOptions): Solver {
  const solver = new Solver(model, d, { verbose: false, ...opts });
  solver.on('epoch', (e) =>
    log(
      `  epoch ${e.epoch}/${e.numEpochs}: train ${pct(e.trainAcc)} val ${pct(e.valAcc)} (${e.imagesPerSec.toFixed(0)} img/s, ${secs(e.elapsed * 1000)})`,
    ),
  );
  solver.on('iteration', (e) => {
    if (e.iteration % 100 === 0)
      log(`  iteration ${e.iteration}/${e.numIterations}: loss ${e.loss.toFixed(3)}`);
  });
  solver.train();
  return solver;
}

function testAcc(model: Model, d: Cifar10Data): number {
  return accuracy(predictLabels(model, d.XTest), d.yTest);
}

function runTwoLayer(d: Cifar10Data): Section {
  const t0 = performance.now();
  // The course's solver settings for this net (plain SGD 1e-3, decay 0.95, batch 100, 10 epochs). More
  // configurations can be listed here; one run takes tens of minutes on 2 shared cores, so one is tried.
  const configs = [{ hiddenDim: 100, learningRate: 1e-3, reg: 0.0, numEpochs: 10 }];
  const grid: string[] = [];
  let best: { val: number; cfg: (typeof configs)[number]; model: TwoLayerNet } | null = null;
  for (const cfg of configs) {
    log(`TwoLayerNet ${JSON.stringify(cfg)}`);
    const model = new TwoLayerNet({ hiddenDim: cfg.hiddenDim, reg: cfg.reg, weightScale: 1e-3, seed: 0 });
    const s = solve(model, d, {
      updateRule: 'sgd',
      optimConfig: { learningRate: cfg.learningRate },
      lrDecay: 0.95,
      numEpochs: cfg.numEpochs,
      batchSize: 100,
    });
    grid.push(
      `| ${cfg.hiddenDim} | ${cfg.learningRate} | ${cfg.reg} | ${cfg.numEpochs} | ${pct(s.bestValAcc)} |`,
    );
    if (!best || s.bestValAcc > best.val) best = { val: s.bestValAcc, cfg, model };
  }
  return {
    title: 'TwoLayerNet (3072-H-10, SGD, lr decay 0.95/epoch, batch 100)',
    lines: [
      `- Best validation accuracy **${pct(best!.val)}** (course: ≥ 50%), test ${pct(testAcc(best!.model, d))}, with ${JSON.stringify(best!.cfg)}.`,
      `- Wall time: ${secs(performance.now() - t0)} for ${configs.length} runs.`,
      '',
      '| hidden | learning rate | reg | epochs | best val |',
      '|---|---|---|---|---|',
      ...grid,
    ],
  };
}

function runFcNet(d: Cifar10Data): Section {
  const t0 = performance.now();
  // One configuration for time (see runTwoLayer); add entries to search.
  const configs = [{ learningRate: 1e-3, dropoutKeepRatio: 1, reg: 0.0 }];
  const hiddenDims = [100, 100, 100, 100];
  const grid: string[] = [];
  let best: { val: number; cfg: (typeof configs)[number]; model: FullyConnectedNet } | null = null;
  for (const cfg of configs) {
    log(`FullyConnectedNet batchnorm ${JSON.stringify(cfg)}`);
    const model = new FullyConnectedNet({
      hiddenDims,
      normalization: 'batchnorm',
      dropoutKeepRatio: cfg.dropoutKeepRatio,
      reg: cfg.reg,
      weightScale: 2e-2,
      seed: 0,
    });
    const s = solve(model, d, {
      updateRule: 'adam',
      optimConfig: { learningRate: cfg.learningRate },
      lrDecay: 0.9,
      numEpochs: 10,
      batchSize: 200,
    });
    grid.push(`| ${cfg.learningRate} | ${cfg.dropoutKeepRatio} | ${cfg.reg} | ${pct(s.bestValAcc)} |`);
    if (!best || s.bestValAcc > best.val) best = { val: s.bestValAcc, cfg, model };
  }
  return {
    title:
      'FullyConnectedNet (4 hidden layers of 100, batchnorm, Adam, lr decay 0.9/epoch, batch 200, 10 epochs)',
    lines: [
      `- Best validation accuracy **${pct(best!.val)}** (course: ≥ 52%), test ${pct(testAcc(best!.model, d))}, with ${JSON.stringify(best!.cfg)}.`,
      `- Wall time: ${secs(performance.now() - t0)} for ${configs.length} runs.`,
      '',
      '| learning rate | dropout keep | reg | best val |',
      '|---|---|---|---|',
      ...grid,
    ],
  };
}

function runCnn3(d: Cifar10Data): Section {
  const t0 = performance.now();
  // The course's setting: one epoch, batch 50, Adam 1e-3, hidden 500, reg 1e-3.
  const model = new ThreeLayerConvNet({ weightScale: 1e-3, hiddenDim: 500, reg: 1e-3, seed: 0 });
  const s = solve(model, d, {
    updateRule: 'adam',
    optimConfig: { learningRate: 1e-3 },
    numEpochs: 1,
    batchSize: 50,
  });
  const train = s.trainAccHistory.at(-1)!;
  return {
    title: 'ThreeLayerConvNet (32 7×7 filters, hidden 500, one epoch, Adam 1e-3, batch 50, reg 1e-3)',
    lines: [
      `- Training accuracy after one epoch **${pct(train)}** (course: ≥ 40%; on a 1,000-image sample), validation ${pct(s.valAccHistory.at(-1)!)}.`,
      `- Wall time: ${secs(performance.now() - t0)}.`,
    ],
  };
}

/** Random crops (pad 2) and horizontal flips of a batch (N, C, H, W). */
function augment(X: NDArray, rng: Generator): NDArray {
  const [N, C, H, W] = X.shape;
  const src = X.contiguous().toTypedArray();
  const out = allocArray(X.shape, X.dtype);
  const dst = out.data;
  const pad = 2;
  for (let n = 0; n < N; n++) {
    const dy = rng.nextInt(2 * pad + 1) - pad;
    const dx = rng.nextInt(2 * pad + 1) - pad;
    const flip = rng.nextDouble() < 0.5;
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let i = 0; i < H; i++) {
        const si = i + dy;
        if (si < 0 || si >= H) continue;
        for (let j = 0; j < W; j++) {
          const sj = (flip ? W - 1 - j : j) + dx;
          if (sj < 0 || sj >= W) continue;
          dst[base + i * W + j] = src[base + si * W + sj];
        }
      }
    }
  }
  return out;
}

function runSeqCnn(d: Cifar10Data): Section {
  const t0 = performance.now();
  const rng = new Generator(0);
  const block = (cin: number, cout: number) => [
    new Conv2d(cin, cout, 3, { padding: 1, rng, bias: false }),
    new BatchNorm2d(cout),
    new ReLU(),
  ];
  const net = new Sequential(
    ...block(3, 32),
    new MaxPool2d(2),
    ...block(32, 64),
    new MaxPool2d(2),
    ...block(64, 128),
    new MaxPool2d(2),
    ...block(128, 128),
    new AvgPool2d(4),
    new Flatten(),
    new Linear(128, 10, { rng }),
  );
  const model = new Classifier(net, { reg: 5e-4, rng });
  log(net.toString());
  const s = solve(model, d, {
    updateRule: 'adam',
    optimConfig: { learningRate: 2e-3 },
    lrDecay: 0.8,
    numEpochs: seqEpochs,
    batchSize: 64,
    augment,
    numValSamples: null,
    checkpointName: os.tmpdir() + '/nabla-results-seqcnn',
  });
  return {
    title: `Sequential CNN (conv-bn-relu 32/64/128/128 with max pools, global average pool, linear; Adam 2e-3, lr decay 0.8/epoch, batch 64, crops + flips, ${seqEpochs} epochs)`,
    lines: [
      `- Best validation accuracy **${pct(s.bestValAcc)}** (course: ≥ 70% within 10 epochs), test ${pct(testAcc(model, d))}.`,
      `- Validation accuracy by epoch: ${s.valAccHistory.map(pct).join(', ')}.`,
      `- Wall time: ${secs(performance.now() - t0)}.`,
    ],
  };
}

/**
 * Assignment 1's features notebook: HOG + a 10-bin hue histogram of the raw pixels, normalised with the
 * training mean and std; LinearSVM on them with the bias trick, TwoLayerNet without it.
 */
async function runFeatures(): Promise<Section> {
  const t0 = performance.now();
  const raw = await getCifar10Data({
    numTraining: 49000,
    numValidation: 1000,
    numTest: 1000,
    subtractMean: false,
    channelsFirst: false,
  });
  const take = (X: NDArray) => (limit !== null ? X.slice(`0:${Math.min(limit, X.shape[0])}`) : X);
  const yTr = take(raw.yTrain);
  const fns = courseFeatureFns(10);
  const tf = performance.now();
  const feats = [take(raw.XTrain), raw.XVal, raw.XTest].map((X) => extractFeatures(X, fns));
  const featTime = performance.now() - tf;
  const numImages = feats.reduce((s, f) => s + f.shape[0], 0);
  log(`features: ${feats[0].shape[1]} per image, ${numImages} images in ${secs(featTime)}`);
  const [fTr, fVal, fTe] = normalizeFeatures(feats[0], feats[1], feats[2]).arrays;

  // LinearSVM: the features are normalised (unit std), so the learning rates are those of unit-scale data,
  // not the course's 1e-9..1e-7 for raw pixels (that grid stops near 41% here).
  const [bTr, bVal, bTe] = [fTr, fVal, fTe].map((f) => appendBias(f));
  const numIters = 4000;
  const { best: svmBest, grid: svmGrid } = searchLinear(
    'features svm',
    () => new LinearSVM(),
    [bTr, yTr],
    [bVal, raw.yVal],
    [3e-3, 1e-2, 3e-2],
    [1e-4, 1e-3, 1e-2],
    numIters,
  );
  const svmTest = accuracy(svmBest.clf.predict(bTe), raw.yTest);

  // TwoLayerNet on the 154 features (no bias column), plain SGD with the course's decay.
  const data: Cifar10Data = {
    meanImage: raw.meanImage,
    XTrain: fTr.astype('float32'),
    yTrain: yTr,
    XVal: fVal.astype('float32'),
    yVal: raw.yVal,
    XTest: fTe.astype('float32'),
    yTest: raw.yTest,
  };
  const configs = [
    { hiddenDim: 500, learningRate: 0.3, reg: 1e-3 },
    { hiddenDim: 500, learningRate: 0.1, reg: 1e-3 },
    { hiddenDim: 500, learningRate: 0.3, reg: 1e-4 },
  ];
  const netGrid: string[] = [];
  let netBest: { val: number; cfg: (typeof configs)[number]; model: TwoLayerNet } | null = null;
  for (const cfg of configs) {
    log(`features TwoLayerNet ${JSON.stringify(cfg)}`);
    const model = new TwoLayerNet({
      inputDim: fTr.shape[1],
      hiddenDim: cfg.hiddenDim,
      reg: cfg.reg,
      weightScale: 1e-2,
      seed: 0,
    });
    const s = solve(model, data, {
      updateRule: 'sgd',
      optimConfig: { learningRate: cfg.learningRate },
      lrDecay: 0.95,
      numEpochs: 10,
      batchSize: 200,
    });
    netGrid.push(`| ${cfg.hiddenDim} | ${cfg.learningRate} | ${cfg.reg} | ${pct(s.bestValAcc)} |`);
    if (!netBest || s.bestValAcc > netBest.val) netBest = { val: s.bestValAcc, cfg, model };
  }
  const netTest = testAcc(netBest!.model, data);
  return {
    title: 'Image features (HOG + hue histogram) with LinearSVM and TwoLayerNet',
    lines: [
      `- Features: HOG (8x8 cells, 9 orientation bins: 144 values) and a 10-bin hue histogram, ${feats[0].shape[1]} per image, normalised by the training mean and std; ${numImages.toLocaleString('en-US')} images extracted in ${secs(featTime)} (${Math.round(numImages / (featTime / 1000)).toLocaleString('en-US')} images/s).`,
      `- LinearSVM (bias trick, ${numIters} iterations of minibatch SGD, batch 200): best validation accuracy **${pct(svmBest.val)}** (course: ≥ 44%), test ${pct(svmTest)}, with learning rate ${svmBest.lr}, reg ${svmBest.reg}.`,
      `- TwoLayerNet (154-H-10, weight scale 1e-2, SGD, lr decay 0.95/epoch, batch 200, 10 epochs): best validation accuracy **${pct(netBest!.val)}** (course: ≥ 55%), test ${pct(netTest)}, with ${JSON.stringify(netBest!.cfg)}.`,
      `- Wall time: ${secs(performance.now() - t0)} (loading, extraction, ${svmGrid.length} SVMs and ${configs.length} nets).`,
      '',
      '| LinearSVM learning rate | reg | train | val |',
      '|---|---|---|---|',
      ...svmGrid,
      '',
      '| TwoLayerNet hidden | learning rate | reg | best val |',
      '|---|---|---|---|',
      ...netGrid,
    ],
  };
}

/** Exact captions among the test images of `digits` digits (their references have that many words). */
function exactOfLength(ev: ReturnType<typeof evaluateCaptions>, digits: number): [number, number] {
  const pick = ev.references.map((r, i) => (r[0].length === digits ? i : -1)).filter((i) => i >= 0);
  const exact = exactCaptionAccuracy(
    pick.map((i) => ev.references[i]),
    pick.map((i) => ev.hypotheses[i]),
  );
  return [exact, pick.length];
}

/** A finished captioning run restored, and its test split's greedy captions scored, by number of digits too. */
async function scoreCaptionRun(runDir: string) {
  const restored = restoreModel(runDir);
  const meta = restored.ck.meta;
  const cfg = meta.config as unknown as RunConfig;
  const { data } = await loadCaptionSet(
    {
      data: { kind: 'builtin', name: 'mnist-captions' },
      features: (meta.features as { kind: CaptionFeatures }).kind,
    },
    cfg,
    () => {},
  );
  const maxLength = Number(meta.model.config.options.maxLength);
  const ev = evaluateCaptions(restored.captioner!, data.test ?? data.val, data.idxToWord, { maxLength });
  const byLength = [1, 2, 3, 4, 5].map((k) => exactOfLength(ev, k));
  return { meta, cfg, ev, byLength };
}

/** `nabla train` with `args` into the run-holding folder `out`; its stdout and wall time. */
function trainRun(args: string[], out: string): { stdout: string; wall: number } {
  const bin = new URL('../bin/nabla.js', import.meta.url).pathname;
  log(`nabla ${args.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args, '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`results: nabla ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  log(r.stdout.trim());
  return { stdout: r.stdout, wall: performance.now() - t0 };
}

/**
 * One `nabla train --model <model>` at its defaults in a temporary folder, then its checkpoint restored and
 * its test split's greedy captions scored again, by number of digits (the command reports them all together).
 */
async function captionRun(model: string): Promise<{ row: string; exact: number; exact5: number }> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'nabla-results-caption-'));
  const args = ['train', '--model', model, ...(limit !== null ? ['--limit', String(limit)] : [])];
  const { stdout, wall } = trainRun(args, out);
  const trainedIn = /trained [\d,]+ iterations in ([^,]+),/.exec(stdout)?.[1] ?? '?';
  const { meta, cfg, ev, byLength } = await scoreCaptionRun(path.join(out, readdirSync(out)[0]));
  const opts = meta.model.config.options;
  const size =
    model === 'caption-transformer'
      ? `width ${String(opts.wordvecDim)}, ${String(opts.numHeads)} heads, ${String(opts.numLayers)} layers`
      : `hidden ${String(opts.hiddenDim)}, wordvec ${String(opts.wordvecDim)}`;
  log(
    `${model}: BLEU-4 ${ev.bleu4.toFixed(4)}, exact ${pct(ev.exact)}, by digits ${byLength.map(([e]) => pct(e)).join(' ')}`,
  );
  const row =
    `| ${model} (${size}; ${cfg.optimizer} ${cfg.lr}, ${cfg.lrSchedule ?? 'constant'}, ${cfg.epochs} epochs of ${meta.data.numTrain.toLocaleString('en-US')} captions, batch ${cfg.batchSize}) ` +
    `| ${ev.bleu4.toFixed(4)} | **${pct(ev.exact)}** | **${pct(byLength[4][0])}** (${byLength[4][1]}) ` +
    `| ${byLength
      .slice(0, 4)
      .map(([e]) => pct(e))
      .join(' / ')} | ${trainedIn} (${secs(wall)}) | \`nabla ${args.join(' ')}\` |`;
  return { row, exact: ev.exact, exact5: byLength[4][0] };
}

/**
 * `--seeds 1,2`: the RNN and the LSTM at their defaults with `--seed s` too, so the bar is not one seed's
 * luck. With `--seed-runs <dir>`, each such run lives in `<dir>/<model>-seed<s>/`: a finished run there is
 * scored instead of trained again, and one another process is still training is waited for.
 */
async function seededCaptionRun(model: string, seed: number): Promise<{ exact: number; exact5: number }> {
  const args = [
    'train',
    '--model',
    model,
    '--seed',
    String(seed),
    '--no-report',
    ...(limit !== null ? ['--limit', String(limit)] : []),
  ];
  const keep = argv.includes('--seed-runs') ? argv[argv.indexOf('--seed-runs') + 1] : null;
  const out = keep
    ? path.join(keep, `${model}-seed${seed}`)
    : mkdtempSync(path.join(os.tmpdir(), 'nabla-results-seed-'));
  const finished = (): string | null => {
    const run = existsSync(out) ? readdirSync(out).find((d) => !d.startsWith('.')) : undefined;
    if (!run) return null;
    try {
      // The metadata alone says whether it is done: no weights read while polling.
      return readRunMeta(path.join(out, run, RUN_FILES.checkpointJson)).training.done
        ? path.join(out, run)
        : null;
    } catch {
      return null; // no checkpoint yet
    }
  };
  if (!existsSync(out) || readdirSync(out).length === 0) trainRun(args, out);
  else if (!finished()) {
    log(`waiting for ${out} (another process is training it)...`);
    while (!finished()) await new Promise((r) => setTimeout(r, 15_000));
  }
  const { ev, byLength } = await scoreCaptionRun(finished()!);
  log(`${model} seed ${seed}: exact ${pct(ev.exact)}, 5 digits ${pct(byLength[4][0])}`);
  return { exact: ev.exact, exact5: byLength[4][0] };
}

async function runCaptioning(): Promise<Section> {
  const t0 = performance.now();
  const [rnn, lstm, transformer] = [
    await captionRun('caption-rnn'),
    await captionRun('caption-lstm'),
    await captionRun('caption-transformer'),
  ];
  const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
  const seeds = argv.includes('--seeds') ? argv[argv.indexOf('--seeds') + 1].split(',').map(Number) : [];
  const extra: Record<string, { exact: number; exact5: number }[]> = { rnn: [], lstm: [] };
  for (const seed of seeds) {
    extra.rnn.push(await seededCaptionRun('caption-rnn', seed));
    extra.lstm.push(await seededCaptionRun('caption-lstm', seed));
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rnn5 = mean([rnn.exact5, ...extra.rnn.map((r) => r.exact5)]);
  const lstm5 = mean([lstm.exact5, ...extra.lstm.map((r) => r.exact5)]);
  const lstmExact = mean([lstm.exact, ...extra.lstm.map((r) => r.exact)]);
  const seedLines = seeds.length
    ? [
        '',
        `The RNN and the LSTM again at the same defaults with other seeds (\`nabla train --model <model> --seed s\`; weights, data order and dropout change, the data set does not):`,
        '',
        '| seed | RNN exact | RNN exact, 5 digits | LSTM exact | LSTM exact, 5 digits |',
        '|---|---|---|---|---|',
        ...[0, ...seeds].map((sd, i) => {
          const [r, l] = i === 0 ? [rnn, lstm] : [extra.rnn[i - 1], extra.lstm[i - 1]];
          return `| ${sd} | ${pct(r.exact)} | ${pct(r.exact5)} | ${pct(l.exact)} | ${pct(l.exact5)} |`;
        }),
        `| mean | ${pct(mean([rnn.exact, ...extra.rnn.map((r) => r.exact)]))} | ${pct(rnn5)} | ${pct(lstmExact)} | ${pct(lstm5)} |`,
      ]
    : [];
  return {
    title: 'Image captioning on the offline mnist-captions set (RNN, LSTM, Transformer)',
    lines: [
      "Each model trained by `nabla train` at its defaults (training captions per row) of 1-5 MNIST digits with the cached digit CNN's features per slot, scored on the 2,000 test images (made from MNIST's test digits) by greedy captions. Exact: the caption equals the digits in words. Bar (issue 14): the LSTM ≥ 90% exact on the test images and ahead of the vanilla RNN on 5-digit captions.",
      '',
      '| model (defaults) | BLEU-4 | exact | exact, 5 digits (images) | exact, 1 / 2 / 3 / 4 digits | training (command wall time) | command |',
      '|---|---|---|---|---|---|---|',
      ...[rnn, lstm, transformer].map((r) => r.row),
      '',
      ...seedLines,
      '',
      seeds.length
        ? `- Bar, on the mean of the ${seeds.length + 1} seeds: LSTM ≥ 90% exact: ${verdict(lstmExact >= 0.9)} (${pct(lstmExact)}); LSTM ahead of the RNN on 5-digit captions: ${verdict(lstm5 > rnn5)} (${pct(lstm5)} vs ${pct(rnn5)}).`
        : `- Bar: LSTM ≥ 90% exact: ${verdict(lstm.exact >= 0.9)} (${pct(lstm.exact)}); LSTM ahead of the RNN on 5-digit captions: ${verdict(lstm.exact5 > rnn.exact5)} (${pct(lstm.exact5)} vs ${pct(rnn.exact5)}).`,
      `- Wall time: ${secs(performance.now() - t0)} for the three runs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end (2 cores shared with other jobs).`,
    ],
  };
}

/**
 * SimCLR: `nabla train --model simclr` for a time budget, then linear evaluation of its encoder and of the
 * baselines on the same labelled images, each with its wall time.
 */
async function runSimclr(): Promise<Section> {
  const minutes = flag('--minutes') ?? 45;
  const labels = limit ?? flag('--labels') ?? 5000;
  const supervisedEpochs = flag('--supervised-epochs') ?? 10;
  const budget =
    limit !== null ? ['--limit', String(limit), '--epochs', '1'] : ['--minutes', String(minutes)];
  const args = ['train', '--model', 'simclr', '--data', 'cifar10', ...budget];
  // --run <folder>: judge a pretraining run made before (its own command and times are recorded).
  const given = argv.includes('--run') ? argv[argv.indexOf('--run') + 1] : null;
  let runDir: string;
  let pretrainWall = NaN;
  if (given) runDir = given;
  else {
    const out = mkdtempSync(path.join(os.tmpdir(), 'nabla-results-simclr-'));
    const bin = new URL('../bin/nabla.js', import.meta.url).pathname;
    log(`nabla ${args.join(' ')}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args, '--out', out], { encoding: 'utf8' });
    pretrainWall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`results: nabla ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    log(r.stdout.trim());
    runDir = path.join(out, readdirSync(out)[0]);
  }
  const restored = restoreModel(runDir);
  const meta = restored.ck.meta;
  const ds = await loadDataset(
    { kind: 'builtin', name: 'cifar10' },
    { limit: labels, testLimit: limit ?? Number.MAX_SAFE_INTEGER },
  );
  const inputs = (X: NDArray): NDArray => normalizeImages(X, meta.normalization, 'chw', 'float32');
  const [XLab, XTest] = [inputs(ds.XTrain), inputs(ds.XTest)];
  const timed = <T>(what: string, fn: () => T): [T, number] => {
    const t = performance.now();
    const v = fn();
    log(`${what}: ${secs(performance.now() - t)}`);
    return [v, performance.now() - t];
  };
  const evaluate = (feats: (X: NDArray) => NDArray) =>
    linearEvaluation({ X: feats(XLab), y: ds.yTrain }, { X: feats(XTest), y: ds.yTest }, { numClasses: 10 });
  const seed = Number((meta.config as { seed?: number }).seed ?? 0);
  const [simclr, tSimclr] = timed('simclr linear evaluation', () =>
    evaluate((X) => encodeImages(restored.simclr!, X)),
  );
  const [random, tRandom] = timed('random encoder', () =>
    evaluate((X) => encodeImages(buildSimclrNet(meta.model.config, { seed, dtype: 'float32' }), X)),
  );
  const [pixels, tPixels] = timed('raw pixels', () => evaluate((X) => X));
  const [supervised, tSupervised] = timed('supervised', () =>
    supervisedBaseline(
      { X: XLab, y: ds.yTrain },
      { X: XTest, y: ds.yTest },
      { epochs: supervisedEpochs, numClasses: 10 },
    ),
  );
  const trainedSeconds = meta.trainedSeconds ?? 0;
  const n = labels.toLocaleString('en-US');
  const gap = 100 * (simclr.testAccuracy - random.testAccuracy);
  const row = (what: string, acc: number, detail: string, ms: number): string =>
    `| ${what} | **${pct(acc)}** | ${detail} | ${secs(ms)} |`;
  return {
    title: 'Self-supervised learning: SimCLR on CIFAR-10, judged by linear evaluation',
    lines: [
      `SimCLR pretrained by \`${String((meta.config as { command?: string }).command)}\` (ResNet encoder of 128 features and projection head, ` +
        `${restored
          .simclr!.parameters()
          .reduce((a, p) => a + p.size, 0)
          .toLocaleString('en-US')} parameters; the course's augmentation, temperature ` +
        `${String(meta.model.config.options.tau)}, Adam ${String((meta.config as { lr?: number }).lr)}, batch ${meta.training.batchSize}): ` +
        `${meta.training.iteration} iterations (${((meta.training.iteration * meta.training.batchSize) / 50000).toFixed(2)} epochs) in ` +
        `${secs(trainedSeconds * 1000)} of training${Number.isNaN(pretrainWall) ? '' : ` (${secs(pretrainWall)} for the command)`}. Linear evaluation: the encoder frozen, its ` +
        `features of the first ${n} CIFAR-10 training images standardised, a softmax classifier (LinearModel, Adam, reg chosen on a tenth of them) ` +
        `scored on ${ds.yTest.size.toLocaleString('en-US')} test images. Bar (issue 16): SimCLR ≥ 10 points above the random encoder with < 60 minutes of pretraining: ` +
        `**${gap >= 10 && trainedSeconds < 3600 ? 'met' : 'not met'}** (${gap.toFixed(1)} points).`,
      '',
      '| features | linear-evaluation test accuracy | what | wall time |',
      '|---|---|---|---|',
      row('SimCLR encoder', simclr.testAccuracy, `128 features, reg ${simclr.reg}`, tSimclr),
      row(
        'random encoder (the same net at its initial weights)',
        random.testAccuracy,
        `128 features, reg ${random.reg}`,
        tRandom,
      ),
      row('raw pixels', pixels.testAccuracy, `3,072 normalised pixels, reg ${pixels.reg}`, tPixels),
      row(
        'supervised: the same encoder + linear layer, trained end to end with labels',
        supervised.testAccuracy,
        `${n} labelled images, ${supervisedEpochs} epochs, crops and flips, Adam 1e-3`,
        tSupervised,
      ),
      '',
      `- Load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end (2 cores shared with other jobs).`,
    ],
  };
}

/** `nabla <args>` as a child process; its stdout, and its wall time in ms. */
function nablaRun(args: string[]): { stdout: string; ms: number } {
  const bin = new URL('../bin/nabla.js', import.meta.url).pathname;
  log(`nabla ${args.join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`results: nabla ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, ms: performance.now() - t0 };
}

/**
 * The course's three GANs, each `nabla train --model <kind>` at its defaults (the course's epochs), then
 * `nabla eval <run> --json`: classifier score and Fréchet distance, with wall times and the last grid.
 */
function runGans(): Section {
  const rows: string[] = [];
  const scores: Record<string, { classifierScore: number; frechetDistance: number }> = {};
  for (const kind of ['gan', 'lsgan', 'dcgan']) {
    const out = mkdtempSync(path.join(os.tmpdir(), `nabla-results-${kind}-`));
    const args = [
      'train',
      '--model',
      kind,
      ...(limit !== null ? ['--limit', String(limit), '--epochs', '1'] : []),
    ];
    const t = nablaRun([...args, '--out', out]);
    log(t.stdout.trim());
    const runDir = path.join(out, readdirSync(out)[0]);
    const e = nablaRun(['eval', runDir, '--json', ...(limit !== null ? ['--limit', String(limit)] : [])]);
    const s = JSON.parse(e.stdout) as {
      classifierScore: number;
      realClassifierScore: number;
      frechetDistance: number;
    };
    scores[kind] = s;
    const trainedIn = /trained [\d,]+ iterations in ([^,]+),/.exec(t.stdout)?.[1] ?? '?';
    const grids = readdirSync(runDir).filter((f) => /^samples-epoch-\d+\.png$/.test(f));
    const last = grids.sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0])).at(-1)!;
    const img = `docs/img/results-${kind}.png`;
    if (limit === null)
      writeFileSync(new URL(`../${img}`, import.meta.url), readFileSync(path.join(runDir, last)));
    const meta = JSON.parse(readFileSync(path.join(runDir, 'checkpoint.json'), 'utf8')) as {
      config: { epochs: number; batchSize: number };
    };
    rows.push(
      `| ${kind} (${meta.config.epochs} epochs, batch ${meta.config.batchSize}) | **${s.classifierScore.toFixed(2)}** (real digits ${s.realClassifierScore.toFixed(2)}) ` +
        `| **${s.frechetDistance.toFixed(2)}** | ${trainedIn} (${secs(t.ms)}) | ${secs(e.ms)} | ![${kind}](${img}) | \`nabla ${args.join(' ')}\` |`,
    );
  }
  const bar =
    scores.dcgan.classifierScore >= 8.5 && scores.dcgan.frechetDistance < scores.gan.frechetDistance;
  return {
    title: 'GANs on MNIST (vanilla, least squares, deep convolutional)',
    lines: [
      "Each GAN trained by `nabla train` at the course's settings (the first 50,000 MNIST training digits in [-1, 1], Adam 1e-3, betas 0.5/0.999, batch 128, noise 96) and scored by `nabla eval`: the classifier score and the Fréchet distance of 10,000 generated digits against the 10,000 test digits, in the cached digit CNN's eyes. " +
        `Bar (issue 16): DCGAN's score ≥ 8.5 and a lower Fréchet distance than the vanilla GAN's: **${bar ? 'met' : 'not met'}**.`,
      '',
      '| model | classifier score | Fréchet distance | training (command wall time) | eval wall time | last grid | command |',
      '|---|---|---|---|---|---|---|',
      ...rows,
      '',
      `- Load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end (2 cores shared with other jobs).`,
    ],
  };
}

function writeSection(part: Part, section: Section, command: string): void {
  const header = [
    '# Results on CIFAR-10',
    '',
    'Produced by `npm run results` (scripts/results.ts) on the shared CIFAR-10 JPEG archive: 49,000 training, ' +
      '1,000 validation and 1,000 test images, mean image subtracted, as in the course. Each section is rewritten ' +
      'only when its part runs (`npm run results -- <part>`).',
    '',
  ].join('\n');
  let text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : header;
  const begin = `<!-- part:${part} -->`;
  const end = `<!-- /part:${part} -->`;
  const body = [
    begin,
    `## ${section.title}`,
    '',
    ...section.lines,
    '',
    `Command: \`${command}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, backend ${backend().name}, ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}.`,
    end,
  ].join('\n');
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + body + text.slice(j + end.length);
  else {
    // Keep the sections in the order of ALL.
    const later = ALL.slice(ALL.indexOf(part) + 1)
      .map((p) => text.indexOf(`<!-- part:${p} -->`))
      .filter((k) => k >= 0);
    const at = later.length ? Math.min(...later) : text.length;
    text = text.slice(0, at).trimEnd() + '\n\n' + body + '\n\n' + text.slice(at).trimStart();
  }
  writeFileSync(RESULTS, text.trimEnd() + '\n');
}

// Only the parts on the course's CIFAR-10 split need it (simclr loads its own images).
const data = parts.some((p) => !['captioning', 'simclr', 'gan'].includes(p))
  ? await loadData()
  : (null as unknown as Cifar10Data);
for (const part of parts) {
  log(`== ${part}`);
  const run: Record<Part, () => Section | Promise<Section>> = {
    knn: () => runKnn(data),
    svm: () => runLinear(data, 'svm'),
    softmax: () => runLinear(data, 'softmax'),
    twolayer: () => runTwoLayer(data),
    fcnet: () => runFcNet(data),
    features: () => runFeatures(),
    cnn3: () => runCnn3(data),
    seqcnn: () => runSeqCnn(data),
    captioning: () => runCaptioning(),
    simclr: () => runSimclr(),
    gan: () => runGans(),
  };
  const section = await run[part]();
  const extra =
    part === 'seqcnn' && seqEpochs !== 10
      ? ` --epochs ${seqEpochs}`
      : part === 'captioning' && argv.includes('--seeds')
        ? ` --seeds ${argv[argv.indexOf('--seeds') + 1]}`
        : part === 'simclr'
          ? ['--minutes', '--labels', '--supervised-epochs', '--run']
              .filter((f) => flag(f) !== null)
              .map((f) => ` ${f} ${f === '--run' ? '<run>' : flag(f)}`)
              .join('')
          : '';
  if (limit !== null) {
    log(section.lines.join('\n'));
    log(`${part}: --limit ${limit} is a smoke test; RESULTS.md not written`);
  } else {
    writeSection(part, section, `npm run results -- ${part}${extra}`);
    log(`${part}: written to RESULTS.md`);
  }
}
