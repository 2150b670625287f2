/**
 * `nabla eval <simclr run> [--labels N] [--baselines]`: linear evaluation of the run's frozen encoder —
 * its features of the first N labelled training images, a softmax classifier fitted on them, accuracy on the
 * test images (solver/linearEvaluation.ts) — and, with --baselines, the same classifier on a randomly
 * initialised encoder (the run's own initial weights) and on raw pixels.
 */
import { loadDataset, type DataSpec } from '../../data/registry.js';
import { normalizeImages } from '../../data/preprocess.js';
import { encodeImages } from '../../models/simclrNet.js';
import { buildSimclrNet } from '../../models/registry.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { linearEvaluation, type LinearEvaluation } from '../../solver/linearEvaluation.js';
import type { LoadedRun } from '../../solver/run.js';
import { parseData } from '../choices.js';
import { UsageError } from '../errors.js';

export interface SimclrEvalFlags {
  data?: DataSpec;
  /** Test images (default all). */
  limit?: number;
  /** Labelled training images for the linear classifier (default 5,000). */
  labels?: number;
  baselines?: boolean;
  json: boolean;
}

export const DEFAULT_LABELS = 5000;

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export async function evalSimclrRun(r: LoadedRun, flags: SimclrEvalFlags): Promise<void> {
  const net = r.simclr!;
  const meta = r.ck.meta;
  const n = flags.labels ?? DEFAULT_LABELS;
  const t0 = performance.now();
  // Every test image unless --limit says (loadDataset's testLimit would otherwise follow limit).
  const ds = await loadDataset(flags.data ?? parseData(meta.data.name), {
    limit: n,
    testLimit: flags.limit ?? Number.MAX_SAFE_INTEGER,
  });
  if (ds.imageShape.join('x') !== '32x32x3')
    throw new UsageError(`the encoder takes 32x32 colour images; ${ds.name} has ${ds.imageShape.join('x')}`);
  if (ds.yTrain.size < n)
    throw new UsageError(`--labels ${n}: ${ds.name} has only ${ds.yTrain.size} training images`);
  // The run's normalisation is computeTestTransform's (the course's CIFAR-10 mean and std).
  const inputs = (X: NDArray): NDArray => normalizeImages(X, meta.normalization, 'chw', r.dtype);
  const [XLab, XTest] = [inputs(ds.XTrain), inputs(ds.XTest)];
  const numClasses = ds.classNames.length;
  const evaluate = (feats: (X: NDArray) => NDArray): LinearEvaluation =>
    linearEvaluation({ X: feats(XLab), y: ds.yTrain }, { X: feats(XTest), y: ds.yTest }, { numClasses });
  const simclr = evaluate((X) => encodeImages(net, X));
  const baselines = flags.baselines
    ? {
        randomEncoder: evaluate((X) => {
          const seed = Number((meta.config as { seed?: number }).seed ?? 0);
          return encodeImages(buildSimclrNet(meta.model.config, { seed, dtype: r.dtype }), X);
        }),
        rawPixels: evaluate((X) => X),
      }
    : null;
  const seconds = (performance.now() - t0) / 1000;
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        { checkpoint: r.ck.paths.json, data: ds.name, simclr, ...(baselines ?? {}), seconds },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  const lines = [
    `linear evaluation  ${pct(simclr.testAccuracy)} test accuracy   (softmax on the frozen encoder's ${simclr.featureDim} features; ` +
      `${simclr.numLabelled.toLocaleString('en-US')} labelled ${ds.name} training images, ${simclr.numTest.toLocaleString('en-US')} test images; reg ${simclr.reg})`,
  ];
  if (baselines)
    lines.push(
      `random encoder     ${pct(baselines.randomEncoder.testAccuracy)}   (the same classifier on the run's initial weights)`,
      `raw pixels         ${pct(baselines.rawPixels.testAccuracy)}   (the same classifier on the ${baselines.rawPixels.featureDim} normalised pixels)`,
    );
  lines.push(
    `${meta.model.name} from ${r.ck.paths.json}, ${meta.training.iteration} iterations; judged in ${seconds.toFixed(1)}s`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}
