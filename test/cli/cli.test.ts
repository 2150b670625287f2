/**
 * The `nabla` command as a user runs it: spawned processes of bin/nabla.js (the built dist) on small slices
 * of MNIST (--limit), checking exit statuses, the one-line errors, the run folder, the checkpoint, the
 * report files (interruptions: signals.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromNpz } from '../../src/ndarray/npy.js';
import { loadMnist } from '../../src/data/idx.js';
import { writeImage } from '../../src/data/image.js';
import { imresize } from '../../src/data/image.js';
import { commandNames } from '../../src/cli/program.js';
import {
  checkHtml,
  root,
  checkPng,
  checkSvg,
  ensureBuilt,
  nabla,
  nablaAsync,
  readJsonl,
  runFolder,
  scratch,
} from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
});

describe('usage errors: status 2 and one line listing the valid choices', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--lrr', '1'], /unknown option '--lrr' \(valid: --model, --data, .*--lr,.*--help\)/],
    [
      ['train', '--model', 'resnet'],
      /unknown model 'resnet' \(valid: cnn, knn, svm, softmax, two-layer, fc, cnn3, caption-rnn, caption-lstm, caption-transformer, gan, lsgan, dcgan, simclr, or a layers \.json file\)/,
    ],
    [
      ['train', '--data', 'imagenet'],
      /unknown data set 'imagenet' \(valid: mnist, fashion-mnist, cifar10, mnist-captions, or a folder/,
    ],
    [
      ['trian'],
      /unknown command 'trian' \(valid: train, eval, predict, sample, export, gradcheck, sweep, worker, data, ui, demo, bench, info\)/,
    ],
    [
      ['train', '--optimizer', 'adamw'],
      /--optimizer: unknown value 'adamw' \(valid: sgd, sgd-momentum, rmsprop, adam\)/,
    ],
    [['train', '--lr', '-1'], /--lr: must be > 0, got -1/],
    [['sweep', '--lr', '1e-3:oops'], /--lr: expected a positive number or a range like 1e-4:1e-2/],
    [['predict'], /missing required argument 'run'/],
    [
      ['data', 'download', 'imagenet'],
      /unknown data set 'imagenet' \(valid: cifar10, mnist, fashion-mnist\)/,
    ],
  ];
  it.each(cases)('nabla %j', (args, message) => {
    const r = nabla(args, cwd);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nabla/);
    expect(lines[0]).toMatch(message);
  });

  it('--help works on every command the program defines', async () => {
    const commands = commandNames();
    // The list comes from the program itself, so a new command is covered the day it is added.
    expect(commands).toEqual(expect.arrayContaining(['train', 'data list', 'ui', 'demo', 'info']));
    const results = await Promise.all(
      commands.map((cmd) => nablaAsync([...cmd.split(' '), '--help'], cwd).done),
    );
    results.forEach((r, i) => {
      expect(r.status, commands[i]).toBe(0);
      expect(r.stdout).toContain(`Usage: nabla ${commands[i]}`);
    });
  });
});

describe('nabla train (the default small CNN on a slice of MNIST), eval and predict', () => {
  let run: string;
  let out: string;
  beforeAll(() => {
    out = path.join(cwd, 'runs-default');
    const r = nabla(['train', '--limit', '600', '--out', out], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    run = runFolder(out, '-cnn');
    writeFileSync(path.join(cwd, 'default.log'), r.stdout);
  });

  it('prints plain progress lines and the result when stdout is not a terminal', () => {
    const log = readFileSync(path.join(cwd, 'default.log'), 'utf8');
    expect(log).toMatch(/data\s+mnist: 540 train, 60 val, 600 test images of 28x28x1, 10 classes/);
    expect(log).toMatch(/epoch 1\/1 {2}iter \d+\/16 {2}loss \d\.\d{4} .* img\/s {2}ETA /);
    expect(log).toMatch(/test accuracy \d+\.\d\d% on 600 test images/);
    expect(log).not.toContain('\r');
  });

  it('writes the run folder: config, metrics, checkpoint, report', () => {
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoint.npz', 'checkpoint.json', 'report.html']) {
      expect(existsSync(path.join(run, f)), f).toBe(true);
    }
    const metrics = readJsonl(path.join(run, 'metrics.jsonl'));
    const iters = metrics.filter((m) => m.type === 'iteration');
    expect(iters.map((m) => m.iteration)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1)); // floor(540 / 32)
    const test = metrics.find((m) => m.type === 'test')!;
    expect(test.count).toBe(600);
    const log = readFileSync(path.join(cwd, 'default.log'), 'utf8');
    expect(log).toContain(`test accuracy ${(100 * (test.accuracy as number)).toFixed(2)}%`);
    // Ten classes on 600 images after 8 steps: far better than chance already.
    expect(test.accuracy as number).toBeGreaterThan(0.3);
  });

  it('saves a portable checkpoint: .npz arrays named as the metadata says, JSON with format and class names', () => {
    const meta = JSON.parse(readFileSync(path.join(run, 'checkpoint.json'), 'utf8'));
    expect(meta.format).toBe('nabla-checkpoint');
    expect(meta.version).toBe(2);
    expect(meta.model.name).toBe('cnn');
    expect(meta.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(meta.inputShape).toEqual([1, 28, 28]);
    expect(meta.normalization.mean[0]).toBeCloseTo(0.13, 1);
    expect(meta.training.done).toBe(true);
    const arrays = fromNpz(readFileSync(path.join(run, 'checkpoint.npz')));
    expect(arrays['params/0.weight'].shape).toEqual([16, 1, 3, 3]);
    for (const [name, { shape }] of Object.entries(meta.arrays as Record<string, { shape: number[] }>)) {
      expect(arrays[name].shape).toEqual(shape);
    }
    expect(Object.keys(arrays).some((k) => k.startsWith('optim/'))).toBe(true);
  });

  it('writes a report: HTML with valid SVG charts and PNG image grids', () => {
    const refs = checkHtml(path.join(run, 'report.html'));
    expect(refs).toEqual(expect.arrayContaining(['loss.svg', 'confusion.svg', 'samples.png', 'filters.png']));
    expect(checkSvg(path.join(run, 'loss.svg'))).toBeGreaterThan(10);
    expect(checkSvg(path.join(run, 'confusion.svg'))).toBeGreaterThan(100); // 100 cells + their counts
    // 16 first-layer filters of 3x3 in a 4x4 grid, each scaled up 13x with 1-pixel padding scaled too.
    const side = 4 * 39 + 3 * 13;
    expect(checkPng(path.join(run, 'filters.png'))).toEqual({ width: side, height: side });
    const samples = checkPng(path.join(run, 'samples.png'));
    expect(samples.width).toBe(8 * 28 * 3);
  });

  it('eval reproduces the accuracy of the run and prints per-class accuracy and the confusion matrix', () => {
    const test = readJsonl(path.join(run, 'metrics.jsonl')).find((m) => m.type === 'test')!;
    const r = nabla(['eval', run, '--limit', '600', '--json'], cwd);
    expect(r.status).toBe(0);
    const ev = JSON.parse(r.stdout);
    expect(ev.accuracy).toBe(test.accuracy);
    expect(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(600);
    const diag = ev.confusion.reduce((a: number, row: number[], i: number) => a + row[i], 0);
    expect(diag / 600).toBe(ev.accuracy);
    const text = nabla(['eval', run, '--limit', '600'], cwd);
    expect(text.stdout).toContain('confusion matrix (rows: true class, columns: predicted)');
    expect(text.stdout).toMatch(/^7 +\d+\.\d\d%$/m);
  });

  it('predict classifies PNG images of any size with top-k probabilities', () => {
    const mnist = loadMnist();
    const files: string[] = [];
    for (const [i, size] of [
      [0, 28],
      [1, 90],
    ] as const) {
      const img = mnist.XTest.get(i).reshape(28, 28, 1);
      const big = size === 28 ? img : imresize(img, [size, size]);
      const file = path.join(cwd, `digit${i}.png`);
      writeImage(file, big.reshape(size, size, 1).broadcastTo([size, size, 3]).copy());
      files.push(file);
    }
    const r = nabla(['predict', run, ...files, '--top', '10', '--json'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const res = JSON.parse(r.stdout) as { image: string; top: { class: string; probability: number }[] }[];
    expect(res).toHaveLength(2);
    for (const { top } of res) {
      expect(top).toHaveLength(10);
      expect(top.reduce((a, t) => a + t.probability, 0)).toBeCloseTo(1, 6);
      for (let k = 1; k < 10; k++) expect(top[k - 1].probability).toBeGreaterThanOrEqual(top[k].probability);
    }
    const human = nabla(['predict', run, files[0]], cwd);
    expect(human.stdout.split('\n')[1]).toMatch(/^ {2}\d +\d+\.\d%/);
    const notImage = nabla(['predict', run, path.join(cwd, 'default.log')], cwd);
    expect(notImage.status).toBe(2);
    expect(notImage.stderr).toMatch(/cannot read .* as PNG or JPEG/);
  });

  it('refuses what is not a nabla checkpoint, and a resume under another model', () => {
    const bogus = path.join(cwd, 'bogus');
    mkdirSync(bogus, { recursive: true });
    writeFileSync(path.join(bogus, 'checkpoint.json'), '{"hello": 1}');
    const r = nabla(['eval', bogus], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a nabla checkpoint/);
    const other = nabla(['train', '--resume', run, '--model', 'fc'], cwd);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/checkpoint is for model cnn, not fc/);
  });

  it('--resume refuses a setting it would otherwise ignore, naming it', () => {
    for (const [flags, named] of [
      [['--epochs', '3'], '--epochs'],
      [['--lr', '0.1', '--seed', '4', '--quiet'], '--seed, --lr'],
      [['--no-report', '--minutes', '5'], '--minutes'],
    ] as const) {
      const r = nabla(['train', '--resume', run, ...flags], cwd);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd()).toBe(
        `nabla: --resume continues a run with the settings it began with (its config.json); ${named} cannot change them: drop ${named.includes(',') ? 'them' : 'it'}, or start a new run`,
      );
    }
  });
});

describe('every model trains on tiny data', () => {
  const layers = [
    { type: 'conv', filters: 4, size: 3, pad: 1 },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'pool', size: 2 },
    { type: 'linear', out: 20 },
    { type: 'dropout', keep: 0.8 },
    { type: 'relu' },
    { type: 'linear', out: 'classes' },
  ];
  const models: [string, string[], RegExp][] = [
    ['softmax', [], /templates\.png/],
    ['svm', [], /templates\.png/],
    ['two-layer', ['--hidden', '30'], /filters\.png/],
    ['fc', ['--hidden', '30,20', '--normalization', 'batchnorm', '--dropout', '0.9'], /filters\.png/],
    ['cnn3', ['--hidden', '20', '--epochs', '1'], /filters\.png/],
    ['knn', ['--k', '3'], /confusion\.svg/],
    ['layers.json', [], /filters\.png/],
  ];
  it.each(models)('%s', (model, extra, picture) => {
    writeFileSync(path.join(cwd, 'layers.json'), JSON.stringify(layers));
    const out = path.join(cwd, `runs-${model}`);
    const limit = model === 'cnn3' ? '200' : '400';
    const r = nabla(
      ['train', '--model', model, '--limit', limit, '--epochs', '2', '--out', out, ...extra],
      cwd,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const run = runFolder(out, `-${model.replace('.json', '')}`);
    const test = readJsonl(path.join(run, 'metrics.jsonl')).find((m) => m.type === 'test')!;
    expect(test.count).toBe(Number(limit));
    expect(test.accuracy as number).toBeGreaterThan(0.2);
    expect(readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(picture);
    checkHtml(path.join(run, 'report.html'));
    if (model === 'softmax') {
      // Ten class templates of 28x28 scaled 4x, 2-pixel padding scaled too.
      expect(checkPng(path.join(run, 'templates.png'))).toEqual({ width: 10 * 112 + 9 * 8, height: 112 });
    }
  });

  it('a layers file with an unknown key says which layer and which keys are valid', () => {
    writeFileSync(path.join(cwd, 'bad.json'), JSON.stringify([{ type: 'conv', filter: 8, size: 5 }]));
    const r = nabla(['train', '--model', 'bad.json', '--limit', '100'], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /bad\.json: layer 1 \(conv\): unknown key 'filter' \(valid: filters, size, sx, stride, pad\)$/,
    );
  });

  it('a loss that explodes stops the run with advice to lower the learning rate', () => {
    const r = nabla(
      ['train', '--model', 'softmax', '--lr', '1e6', '--limit', '400', '--out', path.join(cwd, 'runs-nan')],
      cwd,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/loss (became NaN|became Infinity|exploded) at iteration \d+/);
    expect(r.stderr).toMatch(/try --lr 100000/);
  });
});

describe('gradcheck', () => {
  it.each(['softmax', 'two-layer', 'fc', 'cnn'])('%s: every parameter within the tolerance', (model) => {
    const r = nabla(['gradcheck', '--model', model], cwd);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^all \d+ parameters within 0\.00001 \(worst \d\.\d\de-\d+\)$/m);
    const rows = r.stdout.split('\n').filter((l) => / ok$/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Number(row.trim().split(/\s+/).at(-2))).toBeLessThan(1e-5);
    if (model === 'cnn') expect(r.stdout).toMatch(/^0\.bias .* zero +ok \(the loss does not depend on it/m);
  });
});

describe('sweep', () => {
  it('runs two trials on worker threads, ranks them and keeps the best checkpoint', () => {
    const out = path.join(cwd, 'runs-sweep');
    const r = nabla(
      [
        'sweep',
        '--model',
        'softmax',
        '--trials',
        '2',
        '--lr',
        '1e-3:1e-1',
        '--reg',
        '1e-5:1e-2',
        '--limit',
        '400',
        '--out',
        out,
      ],
      cwd,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /2 trials of softmax, lr 0\.001:0\.1, reg 0\.00001:0\.01 \(log-uniform\), 2 worker threads/,
    );
    const dir = runFolder(out, '-sweep-softmax');
    const sweep = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    expect(sweep.trials).toHaveLength(2);
    const [best, second] = sweep.trials;
    expect(best.valAcc).toBeGreaterThanOrEqual(second.valAcc);
    for (const t of sweep.trials) {
      expect(t.lr).toBeGreaterThanOrEqual(1e-3);
      expect(t.lr).toBeLessThanOrEqual(1e-1);
      expect(t.reg).toBeGreaterThanOrEqual(1e-5);
      expect(t.reg).toBeLessThanOrEqual(1e-2);
    }
    expect(existsSync(path.join(best.dir, 'checkpoint.npz'))).toBe(true);
    expect(existsSync(path.join(second.dir, 'checkpoint.npz'))).toBe(false);
    expect(r.stdout).toContain(`best: trial ${best.trial}`);
    checkSvg(path.join(dir, 'sweep.svg'));
    checkHtml(path.join(dir, 'report.html'));
  });
});

describe('a checkpoint of format 1 (written by nabla before the library and the command shared one)', () => {
  it('eval gives the result nabla 5afbff7 gave for it', () => {
    // test/golden/checkpoint_v1: `nabla train --model softmax --limit 500 --epochs 3 --seed 3` at 5afbff7,
    // whose `nabla eval <run> --limit 100 --json` printed this accuracy and confusion matrix.
    const dir = path.join(cwd, 'v1');
    mkdirSync(dir);
    for (const f of ['checkpoint.json', 'checkpoint.npz'])
      copyFileSync(path.join(root, 'test', 'golden', 'checkpoint_v1', f), path.join(dir, f));
    const r = nabla(['eval', dir, '--limit', '100', '--json'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ev = JSON.parse(r.stdout);
    expect(ev.accuracy).toBe(0.73);
    expect(ev.confusion).toEqual([
      [8, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 14, 0, 0, 0, 0, 0, 0, 0, 0],
      [1, 1, 4, 1, 0, 0, 0, 1, 0, 0],
      [0, 0, 1, 10, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 12, 0, 0, 0, 0, 1],
      [2, 1, 1, 2, 1, 0, 0, 0, 0, 0],
      [1, 0, 2, 0, 1, 0, 6, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 0, 13, 0, 1],
      [0, 0, 1, 0, 0, 0, 0, 0, 0, 1],
      [0, 2, 0, 0, 2, 0, 0, 1, 0, 6],
    ]);
  });
});

describe('info and data', () => {
  it('info names the version, backend, threads and SIMD', () => {
    const r = nabla(['info', '--json'], cwd);
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.version).toBe(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    expect(info.backends).toContain(info.backend);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(typeof info.simd).toBe('boolean');
  });

  it('data list shows MNIST as available; data info counts its classes', () => {
    const list = nabla(['data', 'list'], cwd);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^mnist +available/m);
    const info = nabla(['data', 'info', 'mnist'], cwd);
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/mnist: 60,000 train, 10,000 test images of 28x28x1/);
    expect(info.stdout).toMatch(/^1 +1 +6742 +1135$/m);
  });
});
