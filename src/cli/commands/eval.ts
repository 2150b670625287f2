/** `nabla eval <run>`: accuracy, per-class accuracy and confusion matrix of a checkpoint on a data set. */
import { join } from 'node:path';
import type { DataSpec } from '../../data/registry.js';
import { parseData } from '../choices.js';
import { loadDataset } from '../../data/registry.js';
import { normalizeImages } from '../../data/preprocess.js';
import { UsageError } from '../errors.js';
import { evaluatePredictions, formatEvaluation } from '../evaluate.js';
import { nonFiniteParam } from '../../solver/guard.js';
import { predictLabels } from '../../solver/solver.js';
import { KNN_BATCH } from '../train/knn.js';
import { restoreModel } from '../restore.js';
import { buildRunReport } from '../runReport.js';
import { commandLine } from './train.js';
import { evalGanRun } from './ganEval.js';
import { evalSimclrRun } from './simclrEval.js';

export interface EvalFlags {
  data?: DataSpec;
  limit?: number;
  split: 'test' | 'train';
  report: boolean;
  json: boolean;
  /** Evaluate a checkpoint whose parameters are not finite (refused otherwise), warning loudly. */
  allowNonfinite?: boolean;
  /** SimCLR runs: labelled training images for linear evaluation, and the baselines. */
  labels?: number;
  baselines?: boolean;
}

export async function evalCommand(run: string, flags: EvalFlags): Promise<void> {
  const r = restoreModel(run, { allowNonFinite: flags.allowNonfinite });
  const bad = flags.allowNonfinite && r.model ? nonFiniteParam(r.model.params) : null;
  if (bad !== null) {
    process.stderr.write(
      `nabla eval: warning: parameter '${bad}' holds NaN or Infinity (the run diverged): evaluating anyway, as --allow-nonfinite asks; its predictions mean little\n`,
    );
  }
  // A SimCLR or GAN run is judged on the test images (and, for SimCLR, the labelled training images it names).
  if ((r.simclr || r.gan) && flags.split !== 'test')
    throw new UsageError(
      `nabla eval: --split is for classifier runs; ${run} is a ${r.ck.meta.model.name} run, judged on the test images`,
    );
  if (r.simclr) return evalSimclrRun(r, flags);
  const stray = flags.labels !== undefined ? '--labels' : flags.baselines ? '--baselines' : null;
  if (stray)
    throw new UsageError(
      `nabla eval: ${stray} is for SimCLR runs (linear evaluation); ${run} is a ${r.ck.meta.model.name} run`,
    );
  if (r.gan && flags.limit !== undefined && flags.limit < 2)
    throw new UsageError(
      `nabla eval: --limit: a GAN is judged on at least 2 digits (the Fréchet distance needs their covariance), got ${flags.limit}`,
    );
  if (r.gan) return evalGanRun(r.gan, r.ck.meta.data.name, flags);
  const { meta } = r.ck;
  const spec = flags.data ?? parseData(meta.data.name);
  const t0 = performance.now();
  const ds = await loadDataset(spec, {
    limit: flags.split === 'train' ? flags.limit : undefined,
    testLimit: flags.limit,
  });
  if (ds.imageShape.join(',') !== meta.imageShape.join(',')) {
    throw new UsageError(
      `the model takes ${meta.imageShape.join('x')} images; ${ds.name} has ${ds.imageShape.join('x')}`,
    );
  }
  if (ds.classNames.length !== meta.classNames.length) {
    throw new UsageError(
      `the model has ${meta.classNames.length} classes; ${ds.name} has ${ds.classNames.length}`,
    );
  }
  const raw = flags.split === 'train' ? ds.XTrain : ds.XTest;
  const y = flags.split === 'train' ? ds.yTrain : ds.yTest;
  const X = normalizeImages(raw, meta.normalization, r.layout, r.dtype);
  const scored = r.knn
    ? r.knn.model.predict(X, { k: r.knn.k, batchSize: KNN_BATCH })
    : predictLabels(r.model!, X, 500);
  const pred = scored.toTypedArray() as Int32Array;
  const ev = evaluatePredictions(pred, y, meta.classNames.length);
  const seconds = (performance.now() - t0) / 1000;
  if (flags.json) {
    console.log(
      JSON.stringify({
        checkpoint: r.ck.paths.json,
        data: ds.name,
        split: flags.split,
        ...ev,
        classNames: meta.classNames,
      }),
    );
  } else {
    console.log(
      `${meta.model.name} from ${r.ck.paths.json} on ${ds.name} (${flags.split}), ${seconds.toFixed(1)}s`,
    );
    console.log(formatEvaluation(ev, meta.classNames));
  }
  if (flags.report) {
    const dir = join(r.ck.paths.dir, 'eval');
    const file = await buildRunReport(dir, {
      meta,
      model: r.model,
      evaluation: ev,
      pred,
      rawTest: raw,
      yTest: y.toTypedArray(),
      trainSeconds: 0,
      command: commandLine(),
      title: `nabla eval: ${meta.model.name} on ${ds.name} (${flags.split})`,
    });
    if (!flags.json) console.log(`report ${file}`);
  }
}
