/**
 * `nabla train --model caption-lstm | caption-transformer` on the offline set (report, checkpoint, exact
 * --resume of the transformer with its dropout), `nabla predict` of a digit row, and the data's refusals.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/idx.js';
import { writeImage } from '../../src/data/image.js';
import { concatenate } from '../../src/ndarray/index.js';
import {
  checkHtml,
  ensureBuilt,
  iterationCount,
  iterationLosses,
  nabla,
  nablaAsync,
  readJsonl,
  runFolder,
  scratch,
  waitFor,
} from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
});

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Three MNIST test digits side by side (28 x 84) as a PNG in the scratch folder. */
function digitRowPng(): string {
  const { XTest } = loadMnist();
  const row = concatenate([XTest.get(0), XTest.get(1), XTest.get(2)], 1);
  const png = path.join(cwd, 'row.png');
  writeImage(png, row.reshape(28, 84, 1));
  return png;
}

/** A predicted caption is digit words, then at most one <END> (the course's decode_captions keeps it). */
function expectDigitCaption(caption: string): void {
  const tokens = caption.split(' ').filter((t) => t.length > 0);
  const words = tokens.at(-1) === '<END>' ? tokens.slice(0, -1) : tokens;
  for (const w of words) expect(WORDS).toContain(w);
}

describe('captioning from the command', () => {
  it('trains caption-lstm on mnist-captions, reports BLEU, and predict captions a row of digits', () => {
    const out = path.join(cwd, 'runs');
    const r = nabla(
      [
        'train',
        '--model',
        'caption-lstm',
        '--features',
        'pixels',
        '--limit',
        '300',
        '--epochs',
        '2',
        '--out',
        out,
      ],
      cwd,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/test BLEU-4 \d\.\d{4}, exact captions \d+\.\d\d% on 300 test images/);
    const run = runFolder(out, '-caption-lstm');
    const test = readJsonl(path.join(run, 'metrics.jsonl')).find((m) => m.type === 'test')!;
    expect(test.count).toBe(300);
    expect(test.bleu as number[]).toHaveLength(4);
    const meta = JSON.parse(readFileSync(path.join(run, 'checkpoint.json'), 'utf8'));
    expect(meta.task).toBe('captioning');
    expect(meta.model.config.options.wordToIdx['<NULL>']).toBe(0);
    expect(readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/caption made/);
    checkHtml(path.join(run, 'report.html'));
    expect(existsSync(path.join(run, 'caption-0.png'))).toBe(true);

    // Three test digits side by side, 28 x 84: padded to the run's 28 x 140 canvas, as its images are.
    const png = digitRowPng();
    const p = nabla(['predict', run, png, '--json', '--beam', '2'], cwd);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const [{ image, caption }] = JSON.parse(p.stdout) as { image: string; caption: string }[];
    expect(image).toBe(png);
    expectDigitCaption(caption);
  });

  it('trains caption-transformer (report, predict), and an interrupted run resumes to the same losses, dropout included', async () => {
    // Width 32 for speed; a constant learning rate, so the first losses do not depend on --epochs.
    const args = [
      'train',
      '--model',
      'caption-transformer',
      '--features',
      'pixels',
      '--limit',
      '200',
      '--batch-size',
      '50',
      '--hidden',
      '32',
      '--lr-schedule',
      'constant',
    ];
    const PER_EPOCH = 4;
    const out = path.join(cwd, 'runs-transformer');
    const first = nablaAsync([...args, '--epochs', '100000', '--no-report', '--out', out], cwd);
    const runOf = (dir: string) => (existsSync(dir) ? path.join(dir, readdirSync(dir)[0] ?? '') : '');
    await waitFor(() => iterationCount(runOf(out)) >= 3, 'three iterations', first);
    const run = runOf(out);
    first.child.kill('SIGINT');
    expect((await first.done).status).toBe(130);
    const stoppedAt = iterationCount(run);
    const resumed = nablaAsync(['train', '--resume', run], cwd);
    await waitFor(() => iterationCount(run) >= stoppedAt + PER_EPOCH + 1, 'more than an epoch', resumed);
    resumed.child.kill('SIGINT');
    const r2 = await resumed.done;
    expect(r2.stdout).toMatch(new RegExp(`resume +from iteration ${stoppedAt} `));
    expect(r2.status).toBe(130);

    // Uninterrupted, with its report: the same losses to the last bit.
    const epochs = Math.ceil(iterationCount(run) / PER_EPOCH);
    const refOut = path.join(cwd, 'runs-transformer-reference');
    const ref = nabla([...args, '--epochs', String(epochs), '--out', refOut], cwd);
    expect(ref.stderr).toBe('');
    expect(ref.status).toBe(0);
    expect(ref.stdout).toMatch(/test BLEU-4 \d\.\d{4}, exact captions \d+\.\d\d% on 200 test images/);
    const refRun = runFolder(refOut, '-caption-transformer');
    const reference = iterationLosses(path.join(refRun, 'metrics.jsonl'));
    const losses = iterationLosses(path.join(run, 'metrics.jsonl'));
    expect(losses.length).toBeGreaterThan(stoppedAt + PER_EPOCH);
    expect(losses).toEqual(reference.slice(0, losses.length));
    const meta = JSON.parse(readFileSync(path.join(refRun, 'checkpoint.json'), 'utf8'));
    expect(meta.task).toBe('captioning');
    expect(meta.model.name).toBe('caption-transformer');
    expect(meta.model.config.options).toMatchObject({
      wordvecDim: 32,
      numHeads: 4,
      numLayers: 2,
      maxLength: 6,
    });
    expect(readFileSync(path.join(refRun, 'report.html'), 'utf8')).toMatch(/caption made/);
    checkHtml(path.join(refRun, 'report.html'));

    const png = digitRowPng();
    const p = nabla(['predict', refRun, png, '--json'], cwd);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expectDigitCaption((JSON.parse(p.stdout) as { caption: string }[])[0].caption);
    const beam = nabla(['predict', refRun, png, '--beam', '3'], cwd);
    expect(beam.status).toBe(2);
    expect(beam.stderr).toMatch(/--beam 3: caption-transformer samples greedily/);
  }, 300_000);

  it('refuses mnist-captions for a classifier and a caption model on an image data set, in one line', () => {
    const a = nabla(['train', '--model', 'softmax', '--data', 'mnist-captions', '--limit', '50'], cwd);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(
      /mnist-captions is a captioning data set .* --model caption-rnn, caption-lstm or caption-transformer/,
    );
    const b = nabla(['train', '--model', 'caption-rnn', '--data', 'fashion-mnist', '--limit', '50'], cwd);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/captioning trains on mnist-captions or a folder of the course's COCO files/);
  });
});
