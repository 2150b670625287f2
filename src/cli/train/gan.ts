/**
 * A GAN run (`--model gan | lsgan | dcgan`): MNIST scaled to [−1, 1] (the first 50,000 training digits, as
 * the course's NUM_TRAIN), a GanModel trained by the Solver with the course's Adam, both losses in
 * metrics.jsonl and the progress line, a grid of 64 digits generated from fixed noise after every epoch
 * (samples-epoch-<e>.png), the usual checkpoints with exact resume, and report.html with the grids.
 * `nabla eval <run>` scores the result (solver/generativeMetrics.ts); `nabla sample <run>` draws more.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../data/registry.js';
import { ArrayDataset } from '../../data/batches.js';
import { fromDigitImages, ganSolverConfig, isGanKind, toDigitImages } from '../../models/ganModel.js';
import { buildGanModel } from '../../models/registry.js';
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
import { resumeSolver, trainToEnd } from './run.js';
import { watchSolver } from './watch.js';

/** The course trains on the first 50,000 of MNIST's 60,000 training digits. */
const NUM_TRAIN = 50000;
/** The per-epoch grids use noise from this seed (offset by the run's), apart from the training noise. */
const GRID_SEED = 231;

export function isGanJob(job: Pick<TrainJob, 'model'>): boolean {
  return job.model.kind === 'builtin' && isGanKind(job.model.name);
}

/** The GanModel of a run's saved config. */

/** A PNG grid of generated images (N, 784) in [−1, 1], shown as digits (white on black, 2x). */
export function ganGridPng(images: import('../../ndarray/ndarray.js').NDArray): Uint8Array {
  const digits = toDigitImages(images);
  const grid = visualizeGrid(digits.reshape(digits.shape[0], 28, 28, 1), {
    normalize: 'none',
    padding: 2,
    scale: 2,
    background: 128,
  });
  return encodePng(grid.image);
}

export async function runGanJob(job: TrainJob, hooks: JobHooks): Promise<JobResult | JobStopped> {
  const log = (line: string): void => hooks.emit({ type: 'log', line });
  removeStaleTemps(job.runDir);
  const resumed = job.resume ? loadRunCheckpoint(job.runDir) : null;
  if (resumed?.meta.training.done)
    throw new RunStopped(
      `${job.runDir} finished training already; score it with \`nabla eval ${job.runDir}\``,
    );
  const t0 = performance.now();
  if (job.data.kind !== 'builtin' || !['mnist', 'fashion-mnist'].includes(job.data.name))
    throw new RunStopped(`GANs train on 28x28 grey digits: --data mnist (or fashion-mnist)`);
  const cfg = resumed
    ? (resumed.meta.config as unknown as RunConfig)
    : resolveConfig(job, { trainCount: NUM_TRAIN });
  const ds = await loadDataset(job.data, { limit: cfg.limit ?? NUM_TRAIN, testLimit: 1 });
  const X = fromDigitImages(ds.XTrain.slice(`0:${Math.min(NUM_TRAIN, ds.XTrain.shape[0])}`), cfg.dtype);
  log(
    `data     ${ds.name}: ${X.shape[0].toLocaleString('en-US')} training digits scaled to [-1, 1] (loaded in ${((performance.now() - t0) / 1000).toFixed(1)}s)`,
  );
  const gan = buildGanModel(cfg.model, { seed: cfg.seed, dtype: cfg.dtype });
  const count = (p: Record<string, { size: number }>, prefix: string): number =>
    Object.entries(p)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((a, [, v]) => a + v.size, 0);
  log(
    `model    ${cfg.model.name}: discriminator ${count(gan.params, 'D.').toLocaleString('en-US')}, generator ${count(gan.params, 'G.').toLocaleString('en-US')} parameters, noise ${gan.noiseDim}; ` +
      `Adam lr ${cfg.lr} betas (0.5, 0.999), batch ${cfg.batchSize}, ${cfg.epochs} epochs, ${cfg.dtype}`,
  );
  const solver = new Solver(
    gan,
    { train: new ArrayDataset(X) },
    {
      ...ganSolverConfig(cfg.lr),
      batchSize: Math.min(cfg.batchSize, X.shape[0]),
      numEpochs: cfg.epochs,
      metric: null,
      verbose: false,
      seed: cfg.seed,
      stopOnDivergence: true,
    },
  );
  const info: RunInfo = {
    nabla: packageVersion(),
    task: 'gan',
    model: { name: cfg.model.name, config: cfg.model },
    inputShape: [784],
    imageShape: [28, 28, 1],
    classNames: [],
    normalization: { scale: 1 / 127.5, mean: [127.5], std: [127.5] },
    data: { name: ds.name, numTrain: X.shape[0], numVal: 0, numTest: 0 },
    config: cfg as unknown as Record<string, unknown>,
  };
  const metrics = new MetricsLog(join(job.runDir, RUN_FILES.metrics));
  const save = (): string => saveRunCheckpoint(job.runDir, info, solver.state()).json;
  resumeSolver(solver, { resumed, metrics, log });
  const grids: string[] = [];
  const writeGrid = (epoch: number): string => {
    const name = `samples-epoch-${epoch}.png`;
    const png = ganGridPng(gan.generate(64, new Generator(GRID_SEED + cfg.seed)));
    writeFileSync(join(job.runDir, name), png);
    hooks.onPicture?.({
      epoch,
      iteration: solver.iteration,
      png,
      caption: '64 generated digits (the same noise each epoch)',
    });
    return name;
  };
  // Before the checkpoint of the same epoch end (watchSolver's listener comes after this one).
  solver.on('epoch', (e) => {
    if (e.epoch > 0 || e.iteration === 1) grids.push(writeGrid(e.epoch));
  });
  solver.on('iteration', (e) => {
    if (e.parts && (e.iteration % 50 === 0 || e.iteration === 1))
      metrics.append({ type: 'gan', iteration: e.iteration, dLoss: e.parts.dLoss, gLoss: e.parts.gLoss });
  });
  watchSolver(solver, { cfg, metrics }, hooks, save, null);
  const trained = await trainToEnd(solver, { job, cfg, metrics }, hooks, save);
  if (trained.status === 'stopped') return trained;

  const last = grids.at(-1) ?? writeGrid(solver.epoch);
  const checkpoint = save();
  const dLoss = solver.partsHistory.dLoss?.at(-1) ?? NaN;
  const gLoss = solver.partsHistory.gLoss?.at(-1) ?? NaN;
  log(`samples  ${join(job.runDir, last)}; score it with \`nabla eval ${job.runDir}\``);
  const report = job.report
    ? await ganReport(job.runDir, { cfg, solver, grids, trainSeconds: trained.trainSeconds, info })
    : null;
  return doneResult(
    {
      runDir: job.runDir,
      modelName: cfg.model.name,
      trained,
      iterations: trained.images / solver.batchSize,
      checkpoint,
      report,
      classNames: [],
    },
    { gan: { dLoss, gLoss, samples: join(job.runDir, last) } },
  );
}

/** report.html: the discriminator's loss curve, the last losses, and the grid of every epoch. */
async function ganReport(
  runDir: string,
  r: { cfg: RunConfig; solver: Solver; grids: string[]; trainSeconds: number; info: RunInfo },
): Promise<string> {
  const { solver } = r;
  const mean = (a: number[] | undefined): string =>
    a && a.length ? (a.slice(-50).reduce((x, y) => x + y, 0) / Math.min(50, a.length)).toFixed(4) : '–';
  const figures = r.grids
    .map(
      (g) =>
        `<figure style="display:inline-block;margin:4px"><img src="${escapeHtml(g)}" alt="${escapeHtml(g)}"><figcaption>${escapeHtml(g.replace(/^samples-|\.png$/g, '').replace('-', ' '))}</figcaption></figure>`,
    )
    .join('');
  await writeReport(runDir, {
    title: `nabla run: ${r.cfg.model.name} on ${r.info.data.name}`,
    summary: [
      ['model', `${r.cfg.model.name}, noise ${String(r.cfg.model.options.noiseDim ?? 96)}`],
      ['data', `${r.info.data.name}: ${r.info.data.numTrain.toLocaleString('en-US')} digits in [-1, 1]`],
      [
        'losses',
        `mean of the last 50 iterations: discriminator ${mean(solver.partsHistory.dLoss)}, generator ${mean(solver.partsHistory.gLoss)}`,
      ],
      [
        'training',
        `${solver.iteration} iterations (batch ${solver.batchSize}) in ${formatDuration(r.trainSeconds)}; Adam lr ${r.cfg.lr}, betas (0.5, 0.999)`,
      ],
      ['quality', `run \`nabla eval ${runDir}\` for the classifier score and the Fréchet distance`],
      ['command', r.cfg.command],
    ],
    lossHistory: solver.lossHistory,
    extraHtml: `<h2>Generated digits (the same noise each epoch)</h2><p>The loss chart is the discriminator's.</p>${figures}`,
  });
  return join(runDir, RUN_FILES.report);
}
