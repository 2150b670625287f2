/** `nabla train --model caption-lstm` on the offline set, `nabla predict` of a digit row, and the data's refusals. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/idx.js';
import { writeImage } from '../../src/data/image.js';
import { concatenate } from '../../src/ndarray/index.js';
import { checkHtml, ensureBuilt, nabla, readJsonl, runFolder, scratch } from './helpers.js';

let cwd: string;
beforeAll(() => {
  ensureBuilt();
  cwd = scratch();
});

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

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
    const { XTest } = loadMnist();
    const row = concatenate([XTest.get(0), XTest.get(1), XTest.get(2)], 1);
    const png = path.join(cwd, 'row.png');
    writeImage(png, row.reshape(28, 84, 1));
    const p = nabla(['predict', run, png, '--json', '--beam', '2'], cwd);
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const [{ image, caption }] = JSON.parse(p.stdout) as { image: string; caption: string }[];
    expect(image).toBe(png);
    // The course's decode_captions keeps <END> (and stops there): digit words, then at most one <END> last.
    const tokens = caption.split(' ').filter((t) => t.length > 0);
    const words = tokens.at(-1) === '<END>' ? tokens.slice(0, -1) : tokens;
    for (const w of words) expect(WORDS).toContain(w);
  });

  it('refuses mnist-captions for a classifier and a caption model on an image data set, in one line', () => {
    const a = nabla(['train', '--model', 'softmax', '--data', 'mnist-captions', '--limit', '50'], cwd);
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(
      /mnist-captions is a captioning data set .* --model caption-rnn or caption-lstm/,
    );
    const b = nabla(['train', '--model', 'caption-rnn', '--data', 'fashion-mnist', '--limit', '50'], cwd);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/captioning trains on mnist-captions or a folder of the course's COCO files/);
  });
});
