/**
 * `nabla eval <gan run>` and `nabla sample <gan run>`: the classifier score and Fréchet distance of 10,000
 * generated digits against 10,000 test digits, judged by the cached digit CNN; a grid of generated digits.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadDataset, type DataSpec } from '../../data/registry.js';
import { toDigitImages, type GanModel } from '../../models/ganModel.js';
import { Generator } from '../../ndarray/random.js';
import { scoreGeneratedDigits } from '../../solver/generativeMetrics.js';
import { mnistDigitCnn } from '../../solver/pretrained.js';
import { parseData } from '../choices.js';
import { UsageError } from '../errors.js';
import { restoreModel } from '../restore.js';
import { ganGridPng } from '../train/gan.js';

export interface GanEvalFlags {
  data?: DataSpec;
  limit?: number;
  json: boolean;
}

export async function evalGanRun(gan: GanModel, dataName: string, flags: GanEvalFlags): Promise<void> {
  const n = flags.limit ?? 10000;
  const t0 = performance.now();
  const cnn = await mnistDigitCnn({ log: (line) => process.stderr.write(line + '\n') });
  const ds = await loadDataset(flags.data ?? parseData(dataName), { limit: 1, testLimit: n });
  const real = ds.XTest.reshape(ds.XTest.shape[0], 28, 28);
  const generated = toDigitImages(gan.generate(n, new Generator(0)));
  const s = scoreGeneratedDigits(cnn, generated, real);
  const seconds = (performance.now() - t0) / 1000;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ model: gan.kind, ...s, seconds }, null, 2) + '\n');
    return;
  }
  const pct = s.classShares.map((p, k) => `${k}:${(100 * p).toFixed(0)}%`).join(' ');
  process.stdout.write(
    [
      `classifier score  ${s.classifierScore.toFixed(3)}   (real test digits: ${s.realClassifierScore.toFixed(3)}; at most 10)`,
      `Fréchet distance  ${s.frechetDistance.toFixed(3)}   (digit-CNN features, ${s.numGenerated.toLocaleString('en-US')} generated vs ${s.numReal.toLocaleString('en-US')} ${ds.name} test digits; 0 is best)`,
      `digits generated  ${pct}`,
      `judged by the cached digit CNN (${(100 * cnn.testAccuracy).toFixed(2)}% on MNIST test) in ${seconds.toFixed(1)}s`,
    ].join('\n') + '\n',
  );
}

export interface SampleFlags {
  n: number;
  seed: number;
  out?: string;
}

/** Writes a grid of n generated digits (seeded) as PNG; prints its path. */
export function sampleCommand(run: string, flags: SampleFlags): void {
  const r = restoreModel(run);
  if (!r.gan)
    throw new UsageError(`nabla sample: ${run} is not a GAN run (train one with --model gan|lsgan|dcgan)`);
  const dir = existsSync(run) && statSync(run).isDirectory() ? run : dirname(run);
  const out = flags.out ?? join(dir, `sample-seed-${flags.seed}-n${flags.n}.png`);
  writeFileSync(out, ganGridPng(r.gan.generate(flags.n, new Generator(flags.seed))));
  process.stdout.write(
    `${flags.n} digits from ${r.gan.kind} (seed ${flags.seed}) → ${relative(process.cwd(), out) || out}\n`,
  );
}
