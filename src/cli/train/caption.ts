/**
 * A captioning run (`--model caption-rnn | caption-lstm | caption-transformer`): the offline MNIST captioning
 * set (default) or the course's COCO files in a folder, a CaptioningRNN or CaptioningTransformer trained by
 * the same Solver on [features, captions]
 * batches with BLEU-4 of greedy captions as its metric, the same checkpoints, signals and events as any
 * run, and at the end BLEU-1..4 and exact-caption accuracy on the test images with a report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCocoCaptions, type CaptionData } from '../../data/coco.js';
import { CaptionDataset } from '../../data/captionDataset.js';
import { loadMnistCaptions, perSlotExtractor, pixelFeatures } from '../../data/mnistCaptions.js';
import {
  beamRefusal,
  buildCaptionModel,
  isCaptionModelName,
  TRAIN_DEFAULTS,
  type CaptionModelName,
  type ModelConfig,
} from '../../models/registry.js';
import { removeStaleTemps } from '../../solver/checkpoint.js';
import { captionBleuMetric, evaluateCaptions, type CaptionEvaluation } from '../../solver/metrics.js';
import { mnistDigitCnn } from '../../solver/pretrained.js';
import { Solver } from '../../solver/solver.js';
import { encodePng, visualizeGrid } from '../../vis/grid.js';
import { escapeHtml, writeReport } from '../../vis/report.js';
import { loadRunCheckpoint, saveRunCheckpoint, type RunInfo } from '../checkpoint.js';
import { RunStopped } from '../errors.js';
import { MetricsLog } from '../metrics.js';
import { formatDuration } from '../progress.js';
import { RUN_FILES } from '../runDir.js';
import { packageVersion } from '../version.js';
import { resolveConfig, type RunConfig } from './config.js';
import { doneResult, type JobHooks, type JobResult, type JobStopped, type TrainJob } from './job.js';
import { resumeSolver, solverOptions, trainToEnd } from './run.js';
import { watchSolver } from './watch.js';

/** Image features of the offline set: the cached digit CNN's hidden layer per slot, or pooled pixels. */
export type CaptionFeatures = 'cnn' | 'pixels';

export function isCaptionModel(job: Pick<TrainJob, 'model'>): boolean {
  return job.model.kind === 'builtin' && isCaptionModelName(job.model.name);
}

/** The captioning data of a run, with how its features were made. */
interface CaptionSet {
  name: string;
  data: CaptionData;
  features: { kind: CaptionFeatures | 'coco'; key: string | null };
}

/** `--data <folder>`: the course's COCO files; otherwise the offline MNIST set with `features`. */
export async function loadCaptionSet(
  job: Pick<TrainJob, 'data' | 'features'>,
  cfg: Pick<RunConfig, 'model' | 'limit' | 'testLimit' | 'valCount'>,
  log: (line: string) => void,
): Promise<CaptionSet> {
  if (job.data.kind === 'path') {
    const data = await loadCocoCaptions(job.data.path, { maxTrain: cfg.limit ?? undefined });
    return { name: job.data.path, data, features: { kind: 'coco', key: null } };
  }
  if (job.data.name !== 'mnist' && job.data.name !== 'mnist-captions')
    throw new RunStopped(
      `captioning trains on mnist-captions or a folder of the course's COCO files, not ${job.data.name}`,
    );
  const kind = job.features ?? 'cnn';
  const cnn = kind === 'cnn' ? await mnistDigitCnn({ log }) : null;
  const data = await loadMnistCaptions({
    numTrain: cfg.limit ?? TRAIN_DEFAULTS[cfg.model.name as CaptionModelName].trainCount!,
    numVal: Math.min(cfg.valCount, 2000),
    numTest: cfg.testLimit ?? 2000,
    extractor: cnn ? perSlotExtractor((digits) => cnn.features(digits)) : pixelFeatures,
    featureKey: cnn ? `digit-cnn-${cnn.key}` : 'pixels',
  });
  return { name: 'mnist-captions', data, features: { kind, key: cnn?.key ?? null } };
}

export async function runCaptionJob(job: TrainJob, hooks: JobHooks): Promise<JobResult | JobStopped> {
  const log = (line: string): void => hooks.emit({ type: 'log', line });
  removeStaleTemps(job.runDir);
  const resumed = job.resume ? loadRunCheckpoint(job.runDir) : null;
  if (resumed?.meta.training.done)
    throw new RunStopped(
      `${job.runDir} finished training already; its report is in ${join(job.runDir, RUN_FILES.report)}`,
    );
  const cfg = resumed
    ? (resumed.meta.config as unknown as RunConfig)
    : resolveConfig(job, { trainCount: Infinity });
  const refusal = beamRefusal(cfg.model.name, job.beam);
  if (refusal) throw new RunStopped(refusal);
  const t0 = performance.now();
  const set = await loadCaptionSet(
    {
      data: job.data,
      features: (resumed?.meta.features as { kind: CaptionFeatures } | undefined)?.kind ?? job.features,
    },
    cfg,
    log,
  );
  const { data } = set;
  const [numCaptions, T] = data.train.captions.shape;
  const D = data.train.features.shape[1];
  log(
    `data     ${set.name}: ${numCaptions.toLocaleString('en-US')} training captions of ${T} tokens, ${data.idxToWord.length} words, ` +
      `features ${D} wide (${set.features.kind}) (loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );
  // The vocabulary and the caption length come from the data; both are needed to rebuild and sample.
  const modelConfig: ModelConfig = {
    ...cfg.model,
    options: { ...cfg.model.options, wordToIdx: data.wordToIdx, maxLength: T - 1 },
  };
  const model = buildCaptionModel(modelConfig, { inputDim: D, dtype: cfg.dtype, seed: cfg.seed });
  const numParams = Object.values(model.params).reduce((a, p) => a + p.size, 0);
  log(
    `model    ${cfg.model.name}: ${numParams.toLocaleString('en-US')} parameters; ${cfg.optimizer} lr ${cfg.lr}, batch ${cfg.batchSize}, ${cfg.epochs} epochs, ${cfg.dtype}`,
  );
  const maxLength = T - 1;
  const solver = new Solver(
    model,
    { train: new CaptionDataset(data.train), val: new CaptionDataset(data.val) },
    {
      ...solverOptions(cfg, numCaptions),
      metric: captionBleuMetric(data.idxToWord, maxLength),
      numTrainSamples: 500,
      numValSamples: 1000,
    },
  );
  const images = data.test?.images ?? data.val.images;
  const info: RunInfo = {
    nabla: packageVersion(),
    task: 'captioning',
    model: { name: cfg.model.name, config: modelConfig },
    inputShape: [D],
    imageShape: images ? [images.shape[1], images.shape[2], 1] : [0, 0, 0],
    // The words are the model's classes; features come precomputed, so no pixel normalisation applies.
    classNames: data.idxToWord,
    normalization: { scale: 1, mean: [0], std: [1] },
    features: set.features,
    data: {
      name: set.name,
      numTrain: numCaptions,
      numVal: data.val.captions.shape[0],
      numTest: data.test?.captions.shape[0] ?? 0,
    },
    config: cfg as unknown as Record<string, unknown>,
  };
  const metrics = new MetricsLog(join(job.runDir, RUN_FILES.metrics));
  const save = (): string => saveRunCheckpoint(job.runDir, info, solver.state()).json;
  resumeSolver(solver, { resumed, metrics, log });
  watchSolver(solver, { cfg, metrics }, hooks, save, null);
  const trained = await trainToEnd(solver, { job, cfg, metrics }, hooks, save);
  if (trained.status === 'stopped') return trained;

  const split = data.test ?? data.val;
  const ev = evaluateCaptions(model, split, data.idxToWord, { maxLength, beamWidth: job.beam });
  metrics.append({
    type: 'test',
    accuracy: ev.exact,
    count: ev.count,
    bleu: [ev.bleu1, ev.bleu2, ev.bleu3, ev.bleu4],
  });
  log(
    `test     ${ev.count} images: BLEU-4 ${ev.bleu4.toFixed(4)}, exact captions ${(100 * ev.exact).toFixed(2)}%`,
  );
  const checkpoint = save();
  const report = job.report
    ? await captionReport(job.runDir, {
        cfg,
        info,
        solver,
        ev,
        images: split.images ?? null,
        trainSeconds: trained.trainSeconds,
      })
    : null;
  const evaluation = { accuracy: ev.exact, count: ev.count, perClass: [], confusion: [] };
  return doneResult(
    {
      runDir: job.runDir,
      modelName: cfg.model.name,
      trained,
      scored: { evaluation, bestValAcc: solver.bestValAcc },
      iterations: trained.images / solver.batchSize,
      checkpoint,
      report,
      classNames: data.idxToWord,
    },
    { bleu: { bleu1: ev.bleu1, bleu2: ev.bleu2, bleu3: ev.bleu3, bleu4: ev.bleu4 } },
  );
}

/** report.html: the loss and BLEU curves, the test scores, and test images with their made and true captions. */
async function captionReport(
  runDir: string,
  r: {
    cfg: RunConfig;
    info: RunInfo;
    solver: Solver;
    ev: CaptionEvaluation;
    images: import('../../ndarray/ndarray.js').NDArray | null;
    trainSeconds: number;
  },
): Promise<string> {
  const { ev, solver } = r;
  const rows: string[] = [];
  const shown = Math.min(16, ev.count);
  for (let k = 0; k < shown; k++) {
    let img = '';
    if (r.images) {
      const i = ev.images[k];
      const one = r.images.slice(`${i}:${i + 1}`);
      const png = encodePng(
        visualizeGrid(one.reshape(1, one.shape[1], one.shape[2], 1), { padding: 0, scale: 2 }).image,
      );
      writeFileSync(join(runDir, `caption-${k}.png`), png);
      img = `<img src="caption-${k}.png" alt="test image ${i}">`;
    }
    const made = ev.hypotheses[k].join(' ');
    const truth = ev.references[k].map((t) => t.join(' ')).join(' | ');
    const mark = ev.references[k].some((t) => t.join(' ') === made) ? '✓' : '✗';
    rows.push(
      `<tr><td>${img}</td><td>${escapeHtml(made)}</td><td>${escapeHtml(truth)}</td><td>${mark}</td></tr>`,
    );
  }
  await writeReport(runDir, {
    title: `nabla run: ${r.cfg.model.name} on ${r.info.data.name}`,
    summary: [
      [
        'model',
        `${r.cfg.model.name} (${Object.values(solver.model.params)
          .reduce((a, p) => a + p.size, 0)
          .toLocaleString('en-US')} parameters)`,
      ],
      [
        'data',
        `${r.info.data.name}: ${r.info.data.numTrain} training captions, features ${r.info.inputShape[0]} wide`,
      ],
      [
        'test',
        `${ev.count} images: BLEU-1 ${ev.bleu1.toFixed(4)}, BLEU-2 ${ev.bleu2.toFixed(4)}, BLEU-3 ${ev.bleu3.toFixed(4)}, BLEU-4 ${ev.bleu4.toFixed(4)}; exact captions ${(100 * ev.exact).toFixed(2)}%`,
      ],
      [
        'training',
        `${solver.iteration} iterations (batch ${solver.batchSize}) in ${formatDuration(r.trainSeconds)}; ${r.cfg.optimizer} lr ${r.cfg.lr}`,
      ],
      ['command', r.cfg.command],
    ],
    lossHistory: solver.lossHistory,
    epochs: solver.trainAccHistory.map((t, i) => ({ epoch: i, train: t, val: solver.valAccHistory[i] })),
    extraHtml:
      `<h2>Test images: made and true captions</h2><p>BLEU-4 per epoch is the chart above (higher is better).</p>` +
      `<table><thead><tr><th>image</th><th>caption made</th><th>true caption</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  });
  return join(runDir, RUN_FILES.report);
}
