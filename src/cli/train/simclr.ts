/**
 * A SimCLR run (`--model simclr`): contrastive pretraining without labels on 32x32 colour images (CIFAR-10's
 * training set), the course's augmentation and NT-Xent loss at `--temperature` (models/simclrNet.ts), Adam,
 * the loss in metrics.jsonl and the progress line, checkpoints with exact resume, and report.html with the
 * loss curve and a grid of the augmented views the net compares. `--minutes M` bounds the training time,
 * over every resume; the run then finishes where it is. `nabla eval <run> --labels N` judges the encoder
 * by linear evaluation (solver/linearEvaluation.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../data/registry.js';
import { ArrayDataset } from '../../data/batches.js';
import { normalizeImages } from '../../data/preprocess.js';
import { computeTrainTransform } from '../../data/simclrAugment.js';
import { simclrModel } from '../../models/simclrNet.js';
import { buildSimclrNet } from '../../models/registry.js';
import type { NDArray } from '../../ndarray/ndarray.js';
import { concatenate } from '../../ndarray/manipulation.js';
import { Generator } from '../../ndarray/random.js';
import { removeStaleTemps } from '../../solver/checkpoint.js';
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

/** The grid of augmented views in the report (and its noise, apart from the training's). */
const VIEWS_FILE = 'views.png';
const VIEWS_SEED = 231;

export function isSimclrJob(job: Pick<TrainJob, 'model'>): boolean {
  return job.model.kind === 'builtin' && job.model.name === 'simclr';
}

/** Images (N, H, W, 3) uint8 → (N, 3, H, W) in [0, 1], what computeTrainTransform takes. */
function unitImages(X: NDArray, dtype: 'float32' | 'float64' = 'float32'): NDArray {
  return normalizeImages(X, { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] }, 'chw', dtype);
}

/** A PNG of n images (first row) and two augmented views of each (the rows below): what SimCLR compares. */
export function viewsGridPng(X: NDArray, rng: Generator): Uint8Array {
  const views = [X, ...[0, 1].map(() => computeTrainTransform(X, { rng, normalize: false }))];
  const hwc = concatenate(
    views.map((v) => v.astype('float64').transpose(0, 2, 3, 1).mul(255)),
    0,
  );
  const grid = visualizeGrid(hwc, { normalize: 'none', columns: X.shape[0], scale: 2, padding: 1 });
  return encodePng(grid.image);
}

export async function runSimclrJob(job: TrainJob, hooks: JobHooks): Promise<JobResult | JobStopped> {
  const log = (line: string): void => hooks.emit({ type: 'log', line });
  removeStaleTemps(job.runDir);
  const resumed = job.resume ? loadRunCheckpoint(job.runDir) : null;
  const finished = `; judge it with \`nabla eval ${job.runDir} --labels 5000\``;
  if (resumed?.meta.training.done) throw new RunStopped(`${job.runDir} finished training already${finished}`);
  const cfg = resumed
    ? (resumed.meta.config as unknown as RunConfig)
    : resolveConfig(job, { trainCount: Infinity });
  const usedBefore = resumed?.meta.trainedSeconds ?? 0;
  const budget = cfg.minutes ? cfg.minutes * 60 - usedBefore : Infinity;
  if (budget <= 0)
    throw new RunStopped(`${job.runDir} used its ${cfg.minutes}-minute training budget already${finished}`);
  const t0 = performance.now();
  const ds = await loadDataset(job.data, { limit: cfg.limit ?? undefined, testLimit: 1 });
  if (ds.imageShape.join('x') !== '32x32x3')
    throw new RunStopped(
      `SimCLR's encoder takes 32x32 colour images (--data cifar10); ${ds.name} has ${ds.imageShape.join('x')}`,
    );
  const X = unitImages(ds.XTrain, cfg.dtype);
  log(
    `data     ${ds.name}: ${X.shape[0].toLocaleString('en-US')} training images, no labels (loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );
  const net = buildSimclrNet(cfg.model, { seed: cfg.seed, dtype: cfg.dtype });
  const tau = Number(cfg.model.options.tau);
  const model = simclrModel(net, {
    tau,
    rng: new Generator(cfg.seed + 1),
    augment: (X, rng) => computeTrainTransform(X, { rng }),
  });
  const numParams = Object.values(model.params).reduce((a, p) => a + p.size, 0);
  log(
    `model    simclr: ResNet encoder (128 features) + projection head (64), ${numParams.toLocaleString('en-US')} parameters; ` +
      `temperature ${tau}; Adam lr ${cfg.lr}, batch ${Math.min(cfg.batchSize, X.shape[0])} (two views each), ${cfg.dtype}` +
      (cfg.minutes ? `; time budget ${cfg.minutes} min (${formatDuration(budget)} left)` : ''),
  );
  const solver = new Solver(
    model,
    { train: new ArrayDataset(X) },
    {
      ...solverOptions(cfg, X.shape[0]),
      metric: null,
    },
  );
  const info: RunInfo = {
    nabla: packageVersion(),
    task: 'simclr',
    model: { name: cfg.model.name, config: cfg.model },
    inputShape: [3, 32, 32],
    imageShape: ds.imageShape,
    classNames: ds.classNames,
    // computeTestTransform's: the course's CIFAR-10 mean and std of pixels in [0, 1].
    normalization: { scale: 1 / 255, mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] },
    data: { name: ds.name, numTrain: X.shape[0], numVal: 0, numTest: 0 },
    config: cfg as unknown as Record<string, unknown>,
    trainedSeconds: usedBefore,
  };
  const metrics = new MetricsLog(join(job.runDir, RUN_FILES.metrics));
  let tTrain = performance.now();
  const save = (): string => {
    info.trainedSeconds = usedBefore + (performance.now() - tTrain) / 1000;
    return saveRunCheckpoint(job.runDir, info, solver.state()).json;
  };
  resumeSolver(solver, { resumed, metrics, log });
  watchSolver(solver, { cfg, metrics, budgetSeconds: budget }, hooks, save, null);
  tTrain = performance.now();
  const trained = await trainToEnd(solver, { job, cfg, metrics }, hooks, save, budget);
  if (trained.status === 'stopped') return trained;
  const checkpoint = save();
  if (trained.budgetReached)
    log(`budget   ${cfg.minutes} min of training used at iteration ${solver.iteration}: the run ends here`);
  const lastLoss = meanOfLast(solver.lossHistory, 20);
  const report = job.report
    ? await simclrReport(job.runDir, {
        cfg,
        solver,
        info,
        trainSeconds: info.trainedSeconds ?? 0,
        shown: X.slice(`0:${Math.min(8, X.shape[0])}`),
      })
    : null;
  return doneResult(
    {
      runDir: job.runDir,
      modelName: cfg.model.name,
      trained,
      iterations: solver.iteration,
      checkpoint,
      report,
      classNames: ds.classNames,
    },
    { simclr: { loss: lastLoss, budgetReached: trained.budgetReached ?? false } },
  );
}

function meanOfLast(a: readonly number[], n: number): number {
  const tail = a.slice(-n);
  return tail.length ? tail.reduce((x, y) => x + y, 0) / tail.length : NaN;
}

/** report.html: the loss curve, the settings, and the augmented views. */
async function simclrReport(
  runDir: string,
  r: { cfg: RunConfig; solver: Solver; info: RunInfo; trainSeconds: number; shown: NDArray },
): Promise<string> {
  const { solver, cfg } = r;
  writeFileSync(join(runDir, VIEWS_FILE), viewsGridPng(r.shown, new Generator(VIEWS_SEED)));
  await writeReport(runDir, {
    title: `nabla run: simclr on ${r.info.data.name}`,
    summary: [
      [
        'model',
        `SimCLR: ResNet encoder (128 features) and projection head (64); temperature ${String(cfg.model.options.tau)}`,
      ],
      [
        'data',
        `${r.info.data.name}: ${r.info.data.numTrain.toLocaleString('en-US')} training images, labels unused`,
      ],
      ['loss', `NT-Xent, mean of the last 20 iterations: ${meanOfLast(solver.lossHistory, 20).toFixed(4)}`],
      [
        'training',
        `${solver.iteration} iterations (batch ${solver.batchSize}, two views each) in ${formatDuration(r.trainSeconds)}; Adam lr ${cfg.lr}` +
          (cfg.minutes ? `; budget ${cfg.minutes} min` : ''),
      ],
      [
        'judge it',
        `\`nabla eval ${runDir} --labels 5000\`: linear evaluation on the frozen encoder's features`,
      ],
      ['command', cfg.command],
    ],
    lossHistory: solver.lossHistory,
    extraHtml: `<h2>What the net compares</h2><p>Training images (top row) and two random views of each (computeTrainTransform: crop, flip, colour jitter, grey); each view's positive is the other view of its image.</p><figure><img src="${VIEWS_FILE}" alt="${escapeHtml('augmented views')}"></figure>`,
  });
  return join(runDir, RUN_FILES.report);
}
