/** `nabla train --model gan|lsgan|dcgan`, `nabla sample`, and their refusals, on a few MNIST digits. */
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/models/registry.js';
import { saveCheckpoint } from '../../src/solver/checkpoint.js';
import {
  checkHtml,
  checkPng,
  ensureBuilt,
  interruptResumeAndReference,
  nabla,
  nablaAsync,
  readJsonl,
  runFolder,
  runIn,
  scratch,
  waitFor,
} from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
});

/**
 * A data cache holding a digit CNN at its seed-0 initial weights, where `nabla eval` looks for the cached
 * one (solver/pretrained.ts): eval runs without training one, and its untrained judge is known.
 */
function plantDigitCnn(dir: string): void {
  const model = buildModel(
    { name: 'cnn', options: { reg: 0 } },
    { inputShape: [1, 28, 28], numClasses: 10, dtype: 'float32', seed: 0 },
  );
  mkdirSync(path.join(dir, 'models'), { recursive: true });
  const arrays = {
    ...Object.fromEntries(Object.entries(model.params).map(([k, v]) => [`params/${k}`, v])),
    ...Object.fromEntries(Object.entries(model.buffers!()).map(([k, v]) => [`buffers/${k}`, v])),
  };
  const normalization = { scale: 1 / 255, mean: [0.13], std: [0.31] };
  saveCheckpoint(
    path.join(dir, 'models', 'mnist-cnn-v1.npz'),
    { normalization, testAccuracy: 0.1234 },
    arrays,
  );
}

/** The first Server-Sent Event of the dashboard at `url` (the live run's state so far). */
function firstEvent(url: string): Promise<{ event: string; data: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(url);
    let buffer = '';
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/api/events' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const block = /event: (.*)\ndata: (.*)\n\n/.exec(buffer);
        if (!block) return;
        req.destroy();
        resolve({ event: block[1], data: JSON.parse(block[2]) });
      });
    });
    req.on('error', reject);
  });
}

/** One epoch of one batch of 32 digits: the quickest whole GAN run. */
const TINY_GAN = [
  'train',
  '--model',
  'gan',
  '--limit',
  '32',
  '--epochs',
  '1',
  '--batch-size',
  '32',
  '--no-report',
];

describe('GANs from the command', () => {
  it('trains lsgan: both losses logged, a grid per epoch, report, checkpoint; sample draws a seeded grid', () => {
    const out = path.join(cwd, 'runs');
    const args = ['train', '--model', 'lsgan', '--limit', '128', '--epochs', '2', '--batch-size', '64'];
    const r = nabla([...args, '--noise-dim', '16', '--out', out], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/trained 4 iterations in .*; last losses D \d+\.\d{4}, G \d+\.\d{4}/);
    const run = runFolder(out, '-lsgan');
    for (const e of [0, 1, 2])
      expect(checkPng(path.join(run, `samples-epoch-${e}.png`)).width).toBe(8 * 56 + 7 * 4);
    const gan = readJsonl(path.join(run, 'metrics.jsonl')).filter((m) => m.type === 'gan');
    expect(gan[0]).toMatchObject({ iteration: 1 });
    expect(Number.isFinite(gan[0].dLoss) && Number.isFinite(gan[0].gLoss)).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(run, 'checkpoint.json'), 'utf8'));
    expect(meta.task).toBe('gan');
    expect(meta.model.config.options.noiseDim).toBe(16);
    expect(meta.history.parts.gLoss).toHaveLength(4);
    expect(meta.training.done).toBe(true);
    expect(Object.keys(meta.arrays)).toContain('optim/G.0.weight/m');
    const html = readFileSync(path.join(run, 'report.html'), 'utf8');
    expect(html).toMatch(/samples-epoch-2\.png/);
    checkHtml(path.join(run, 'report.html'));

    const s1 = nabla(['sample', run, '--n', '9', '--seed', '5', '--out', path.join(cwd, 'a.png')], cwd);
    expect(s1.status).toBe(0);
    expect(s1.stdout).toMatch(/9 digits from lsgan \(seed 5\)/);
    nabla(['sample', run, '--n', '9', '--seed', '5', '--out', path.join(cwd, 'b.png')], cwd);
    nabla(['sample', run, '--n', '9', '--seed', '6', '--out', path.join(cwd, 'c.png')], cwd);
    const bytes = (f: string): string => readFileSync(path.join(cwd, f)).toString('base64');
    expect(checkPng(path.join(cwd, 'a.png')).width).toBe(3 * 56 + 2 * 4);
    expect(bytes('a.png')).toBe(bytes('b.png'));
    expect(bytes('a.png')).not.toBe(bytes('c.png'));
  });

  it('refuses a noise dimension of 0, an unknown model, and sampling a classifier run, with status 2', () => {
    const a = nabla(['train', '--model', 'gan', '--noise-dim', '0'], cwd);
    expect(a.status).toBe(2);
    expect(a.stderr.trim()).toBe('nabla: --noise-dim: must be a whole number >= 1, got 0');
    const b = nabla(['train', '--model', 'wgan'], cwd);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--model: unknown model 'wgan' \(valid: .*gan, lsgan, dcgan/);
    const c = nabla(['sample', path.join(cwd, 'nowhere'), '--n', '4'], cwd);
    expect(c.status).toBe(2);
    expect(c.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    // A grid is one picture: 200,000 digits took 10 GB and 1,000,000 would have exhausted the memory.
    const big = nabla(['sample', path.join(cwd, 'nowhere'), '--n', '10001'], cwd);
    expect(big.status).toBe(2);
    expect(big.stderr.trim()).toBe('nabla: --n: must be a whole number from 1 to 10000, got 10001');
    // 1e30 was taken, and 2^32 + 1 drew the noise of seed 0 (seeds beyond 2^53 - 1 are not whole in a double).
    const seed = nabla(['sample', path.join(cwd, 'nowhere'), '--seed', '1e30'], cwd);
    expect(seed.status).toBe(2);
    expect(seed.stderr.trim()).toBe(
      'nabla: --seed: must be a whole number from 0 to 9007199254740991, got 1e30',
    );
  });

  it("SIGINT saves a checkpoint; the resumed run continues both nets' losses to the last bit", async () => {
    const args = ['train', '--model', 'gan', '--limit', '64', '--batch-size', '16', '--no-report'];
    const out = path.join(cwd, 'runs-sigint');
    const r = await interruptResumeAndReference(args, { cwd, out, perEpoch: 4, more: 5 });
    // The discriminator's losses (each iteration's loss), and the generator's (the checkpoints' history).
    expect(r.losses.length).toBeGreaterThanOrEqual(r.stoppedAt + 5);
    expect(r.losses).toEqual(r.referenceLosses.slice(0, r.losses.length));
    const gLoss = (dir: string) =>
      JSON.parse(readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')).history.parts.gLoss as number[];
    const g = gLoss(r.run);
    expect(g.length).toBeGreaterThanOrEqual(r.stoppedAt);
    expect(g).toEqual(gLoss(r.reference).slice(0, g.length));
  });

  it('eval prints the classifier score and Fréchet distance, judged by the cached digit CNN', () => {
    const out = path.join(cwd, 'runs-eval');
    const t = nabla([...TINY_GAN, '--out', out], cwd);
    expect(t.status).toBe(0);
    const run = runIn(out);
    const env = { NABLA_DATA: path.join(cwd, 'cache-eval') };
    plantDigitCnn(env.NABLA_DATA);
    const e = nabla(['eval', run, '--limit', '300'], cwd, env);
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    const lines = e.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^classifier score {2}\d+\.\d{3} {3}\(real test digits: \d+\.\d{3}; at most 10\)$/,
    );
    expect(lines[1]).toMatch(
      /^Fréchet distance {2}\d+\.\d{3} {3}\(digit-CNN features, 300 generated vs 300 mnist test digits; 0 is best\)$/,
    );
    expect(lines[3]).toMatch(/judged by the cached digit CNN \(12\.34% on MNIST test\)/);
    const j = JSON.parse(nabla(['eval', run, '--limit', '300', '--json'], cwd, env).stdout);
    expect(j).toMatchObject({ model: 'gan', numGenerated: 300, numReal: 300 });
    expect(j.classifierScore).toBeGreaterThanOrEqual(1);
    expect(j.classifierScore).toBeLessThanOrEqual(10);
    expect(j.frechetDistance).toBeGreaterThanOrEqual(0);
    expect(j.classShares.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    expect(lines[0]).toContain(j.classifierScore.toFixed(3));

    // Options of other kinds of run are refused with one line.
    const l = nabla(['eval', run, '--labels', '100'], cwd, env);
    expect(l.status).toBe(2);
    expect(l.stderr.trim()).toBe(
      `nabla eval: --labels is for SimCLR runs (linear evaluation); ${run} is a gan run`,
    );
    const s = nabla(['eval', run, '--split', 'train'], cwd, env);
    expect(s.status).toBe(2);
    expect(s.stderr.trim()).toBe(
      `nabla eval: --split is for classifier runs; ${run} is a gan run, judged on the test images`,
    );
    // One digit has no covariance: this was the Fréchet distance's internal error, with status 1.
    const one = nabla(['eval', run, '--limit', '1'], cwd, env);
    expect(one.status).toBe(2);
    expect(one.stderr.trim()).toBe(
      'nabla eval: --limit: a GAN is judged on at least 2 digits (the Fréchet distance needs their covariance), got 1',
    );
  });

  it("shows each epoch's grid of generated digits live on the dashboard (--ui)", async () => {
    const out = path.join(cwd, 'runs-ui');
    const p = nablaAsync([...TINY_GAN, '--ui', '--port', '0', '--out', out], cwd);
    await waitFor(() => /still serving the finished run/.test(p.output().stdout), 'the finished run', p);
    const url = /dashboard +(http:\/\/\S+)/.exec(p.output().stdout)![1];
    const state = await firstEvent(url);
    p.child.kill('SIGINT');
    await p.done;
    expect(state.event).toBe('state');
    const model = state.data.model as {
      epoch: number;
      filters: string;
      filtersCaption: string;
      samples: null;
    };
    expect(model).toMatchObject({
      epoch: 1,
      filtersCaption: '64 generated digits (the same noise each epoch)',
    });
    expect(model.samples).toBeNull();
    // The grid the run folder holds for the same epoch, as a data URL.
    const png = readFileSync(path.join(runIn(out), 'samples-epoch-1.png')).toString('base64');
    expect(model.filters).toBe(`data:image/png;base64,${png}`);
  });
});
