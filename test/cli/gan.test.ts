/** `nabla train --model gan|lsgan|dcgan`, `nabla sample`, and their refusals, on a few MNIST digits. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHtml, checkPng, ensureBuilt, nabla, readJsonl, runFolder, scratch } from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
});

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
  });
});
