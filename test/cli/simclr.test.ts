/**
 * `nabla train --model simclr` and `nabla eval <simclr run>` on a tiny CIFAR-10 in the official binary
 * format (written here, found through NABLA_CIFAR10, so `--data cifar10` runs on any machine), exact resume
 * across SIGINT, the time budget, and the refusals. Runs that must be interrupted train for --epochs 100000;
 * the waits are on the run's own files, never on a guess of how long a step takes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../src/ndarray/random.js';
import {
  checkHtml,
  checkPng,
  ensureBuilt,
  interruptResumeAndReference,
  iterationLosses,
  nabla,
  readJsonl,
  runFolder,
  runIn,
  scratch,
} from './helpers.js';

let cwd: string;
let env: Record<string, string>;

/** A binary batch of n records: label i % 10, then 3072 random pixel bytes. */
function batch(file: string, n: number, rng: Generator): void {
  const bytes = rng.randint(0, 256, [n * 3073]).toTypedArray();
  const buf = Buffer.from(Uint8Array.from(bytes));
  for (let i = 0; i < n; i++) buf[i * 3073] = i % 10;
  writeFileSync(file, buf);
}

beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
  const dir = path.join(cwd, 'cifar-10-batches-bin');
  mkdirSync(dir);
  const rng = new Generator(7);
  for (let b = 1; b <= 5; b++) batch(path.join(dir, `data_batch_${b}.bin`), 8, rng);
  batch(path.join(dir, 'test_batch.bin'), 20, rng);
  // NABLA_DATA: no downloaded CIFAR-10 in the user's cache takes precedence.
  env = { NABLA_CIFAR10: dir, NABLA_DATA: path.join(cwd, 'cache') };
}, 300_000);

describe('SimCLR from the command', () => {
  it('pretrains without labels (metrics, checkpoint, report with views), and eval scores it linearly', () => {
    const out = path.join(cwd, 'runs');
    const args = ['train', '--model', 'simclr', '--data', 'cifar10', '--batch-size', '8', '--epochs', '1'];
    const r = nabla([...args, '--temperature', '0.2', '--out', out], cwd, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/40 training images, no labels/);
    expect(r.stdout).toMatch(
      /trained 5 iterations in .*; contrastive loss \d+\.\d{4} \(mean of the last 20\)/,
    );
    const run = runFolder(out, '-simclr');
    const losses = iterationLosses(path.join(run, 'metrics.jsonl'));
    expect(losses).toHaveLength(5);
    // NT-Xent of 8 pairs lies in (0, log(15) + 2/tau].
    for (const l of losses) expect(l > 0 && l < Math.log(15) + 2 / 0.2).toBe(true);
    const meta = JSON.parse(readFileSync(path.join(run, 'checkpoint.json'), 'utf8'));
    expect(meta.task).toBe('simclr');
    expect(meta.model.config.options.tau).toBe(0.2);
    expect(meta.training.done).toBe(true);
    expect(meta.trainedSeconds).toBeGreaterThan(0);
    expect(Object.keys(meta.arrays)).toContain('params/f.0.weight');
    // Three rows (the images and two views) of 8 images of 64 px with 2 px between.
    expect(checkPng(path.join(run, 'views.png'))).toEqual({ width: 8 * 64 + 7 * 2, height: 3 * 64 + 2 * 2 });
    expect(checkHtml(path.join(run, 'report.html'))).toContain('views.png');

    const e = nabla(['eval', run, '--labels', '30', '--baselines'], cwd, env);
    expect(e.stderr).toBe('');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(
      /^linear evaluation {2}\d+\.\d\d% test accuracy .*128 features; 30 labelled cifar10 training images, 20 test images/,
    );
    expect(e.stdout).toMatch(/\nrandom encoder {5}\d+\.\d\d%/);
    expect(e.stdout).toMatch(/the same classifier on the 3072 normalised pixels/);
    const j = nabla(['eval', run, '--labels', '30', '--json'], cwd, env);
    const res = JSON.parse(j.stdout);
    expect(res.simclr).toMatchObject({ featureDim: 128, numLabelled: 30, numTest: 20 });
    expect(res.simclr.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(res.simclr.testAccuracy).toBeLessThanOrEqual(1);
    // Fewer labels than test images: every test image is still scored.
    const few = nabla(['eval', run, '--labels', '10'], cwd, env);
    expect(few.stdout).toMatch(/10 labelled cifar10 training images, 20 test images/);
    const big = nabla(['eval', run, '--labels', '41'], cwd, env);
    expect(big.status).toBe(2);
    expect(big.stderr.trim()).toBe('nabla: --labels 41: cifar10 has only 40 training images');
    const split = nabla(['eval', run, '--split', 'train'], cwd, env);
    expect(split.status).toBe(2);
    expect(split.stderr.trim()).toBe(
      `nabla eval: --split is for classifier runs; ${run} is a simclr run, judged on the test images`,
    );
  });

  it('SIGINT saves a checkpoint; the resumed run continues the same loss curve to the last bit', async () => {
    const args = ['train', '--model', 'simclr', '--data', 'cifar10', '--batch-size', '4', '--no-report'];
    const out = path.join(cwd, 'runs-sigint');
    const r = await interruptResumeAndReference(args, { cwd, out, env, perEpoch: 10 });
    expect(r.losses.length).toBeGreaterThanOrEqual(r.stoppedAt + 3);
    expect(r.losses).toEqual(r.referenceLosses.slice(0, r.losses.length));
  });

  it('--minutes ends training between two steps, keeps the time over resumes, and then refuses to resume', () => {
    const out = path.join(cwd, 'runs-budget');
    // 6 ms: shorter than any step, so the budget ends the run after its first.
    const args = [
      'train',
      '--model',
      'simclr',
      '--data',
      'cifar10',
      '--batch-size',
      '4',
      '--minutes',
      '0.0001',
    ];
    const r = nabla([...args, '--no-report', '--out', out], cwd, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/budget {3}0\.0001 min of training used at iteration 1: the run ends here/);
    expect(r.stdout).toMatch(/trained 1 iterations in .* \(its time budget\)/);
    const run = runIn(out);
    const meta = JSON.parse(readFileSync(path.join(run, 'checkpoint.json'), 'utf8'));
    expect(meta.config.minutes).toBe(0.0001);
    expect(meta.config.epochs).toBe(100);
    expect(meta.training.iteration).toBe(1);
    expect(meta.trainedSeconds).toBeGreaterThanOrEqual(0.006);
    expect(readJsonl(path.join(run, 'metrics.jsonl')).at(-1)).toMatchObject({
      type: 'event',
      event: 'budget',
    });
    const again = nabla(['train', '--resume', run], cwd, env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /used its 0\.0001-minute training budget already; judge it with `nabla eval/,
    );
  });

  it('refuses a temperature <= 0, a zero budget, SimCLR options on other models, and grey data, with status 2', () => {
    const cases: [string[], string][] = [
      [['--model', 'simclr', '--data', 'cifar10', '--temperature', '0'], '--temperature: must be > 0, got 0'],
      [
        ['--model', 'simclr', '--data', 'cifar10', '--temperature', '-1'],
        '--temperature: must be > 0, got -1',
      ],
      [['--model', 'simclr', '--data', 'cifar10', '--minutes', '0'], '--minutes: must be > 0, got 0'],
      [
        ['--model', 'softmax', '--temperature', '0.5'],
        "--temperature is a simclr option (this run's model is softmax)",
      ],
      [['--model', 'cnn', '--minutes', '5'], "--minutes is a simclr option (this run's model is cnn)"],
      [
        ['--model', 'simclr', '--data', 'mnist'],
        "--model simclr: SimCLR's encoder takes 32x32 colour images: --data cifar10 (or a folder of them), not mnist",
      ],
    ];
    const out = path.join(cwd, 'runs-refused');
    for (const [args, message] of cases) {
      const r = nabla(['train', ...args, '--out', out], cwd, env);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`nabla: ${message}`);
    }
    const t = nabla(['train', '--model', 'simclr', '--temprature', '1'], cwd, env);
    expect(t.status).toBe(2);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toMatch(/unknown option '--temprature'/);
    expect(existsSync(out)).toBe(false);
    const s = nabla(['sweep', '--model', 'simclr', '--data', 'cifar10', '--out', out], cwd, env);
    expect(s.status).toBe(2);
    expect(s.stderr.trim()).toBe(
      'nabla sweep: trials are ranked by validation accuracy, which a simclr run does not have (judge it with nabla eval)',
    );
  });
});
