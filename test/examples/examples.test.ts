/**
 * Every script in examples/ runs as a user runs it — `node examples/<name>.mjs <numTrain>`, importing
 * 'nabla' (this package, through its exports map) — on a tiny slice of MNIST, so the examples never rot.
 * What each prints is checked: kNN and the linear classifiers beat chance by far even on 200 images; the
 * nets' last epoch's training accuracy beats chance. The browser page is bundled with esbuild as a user's
 * would be and trains in headless Chromium until its loss falls.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nabla, root, runFolder } from '../cli/helpers.js';
import { chromiumMissing, launchChromium, serveFolder, type Chromium } from '../browser.js';
import { skipFor } from '../requirements.js';

const examples = path.join(root, 'examples');
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nabla-examples-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `node examples/<file> ...args` from the repository root; fails the test on a non-zero status. */
function run(file: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(examples, file), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

const number = (out: string, re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
/** The training accuracy of the Solver's last epoch line, "(Epoch e / E) train acc: x; ...". */
const lastTrainAcc = (out: string): number =>
  number([...out.matchAll(/train acc: ([\d.]+)/g)].at(-1)?.[0] ?? '', /([\d.]+)/);

describe('examples/*.mjs on 200 training images', () => {
  it('every script in examples/ is covered here', () => {
    const scripts = readdirSync(examples).filter((f) => f.endsWith('.mjs'));
    expect(scripts.sort()).toEqual(
      [
        'convNet.mjs',
        'fcNet.mjs',
        'knn.mjs',
        'linear.mjs',
        'loadRun.mjs',
        'sequentialCnn.mjs',
        'twoLayerNet.mjs',
      ].sort(),
    );
  });

  it('knn.mjs: cross-validates k over 5 folds, then tests the best k', () => {
    const out = run('knn.mjs', '200');
    expect(out).toMatch(/train 200,784, test 20,784/);
    expect(out.match(/^k = +\d+: fold accuracies( [\d.]+){5} +mean [\d.]+$/gm)).toHaveLength(6);
    expect(out).toMatch(/^best k: \d+$/m);
    expect(number(out, /test accuracy: ([\d.]+)/)).toBeGreaterThan(0.5);
  });

  it('linear.mjs: searches lr x reg for LinearSVM and Softmax, tests the best of each', () => {
    const out = run('linear.mjs', '200');
    expect(
      out.match(/^(LinearSVM|Softmax) lr [\d.e-]+ reg [\d.e-]+: loss [\d.]+, train [\d.]+, val [\d.]+$/gm),
    ).toHaveLength(8);
    expect(number(out, /LinearSVM best .* test accuracy: ([\d.]+)/)).toBeGreaterThan(0.5);
    expect(number(out, /Softmax best .* test accuracy: ([\d.]+)/)).toBeGreaterThan(0.5);
  });

  it.each([
    ['twoLayerNet.mjs', /best validation accuracy: [\d.]+/],
    ['fcNet.mjs', /Total params: 90,010/], // 784·100+100 + 100·100+100 + 100·10+10 + 2·(100+100) (gammas, betas)
    ['convNet.mjs', /Total params: 315,126/], // 16·1·5·5+16 + 16·14·14·100+100 + 100·10+10
    ['sequentialCnn.mjs', /Total params: 20,586/], // convs 16·9+16, 32·16·9+32; batchnorms 2·16, 2·32; 1568·10+10
  ])('%s: trains with the Solver and reports test accuracy', (file, pattern) => {
    const out = run(file, '200');
    expect(out).toMatch(pattern);
    expect(out).toMatch(/^\(Iteration 1 \/ \d+\) loss: [\d.]+$/m);
    expect(lastTrainAcc(out)).toBeGreaterThan(0.1); // ten classes: chance is 0.1
    expect(number(out, /test accuracy: ([\d.]+)/)).toBeGreaterThanOrEqual(0);
  });

  it('sequentialCnn.mjs writes the ONNX model when given a path', () => {
    const file = path.join(dir, 'cnn.onnx');
    expect(run('sequentialCnn.mjs', '100', file)).toContain(`wrote ${file}`);
  });

  it('loadRun.mjs: loads a `nabla train` run and predicts test images', () => {
    const out = path.join(dir, 'runs');
    const r = nabla(['train', '--limit', '600', '--out', out], dir);
    expect(r.status, r.stderr).toBe(0);
    const printed = run('loadRun.mjs', runFolder(out, '-cnn'), '100');
    expect(printed).toMatch(/^cnn trained on mnist, input 1,28,28, classes 0,1,2,3,4,5,6,7,8,9$/m);
    expect(printed.match(/^image \d: \d \(p = [\d.]+\), label \d$/gm)).toHaveLength(3);
    // cli.test.ts checks this training reaches more than 30% on its test images.
    expect(number(printed, /accuracy on 100 test images: ([\d.]+)/)).toBeGreaterThan(0.3);
  });
});

const skip = skipFor(import.meta.url, chromiumMissing());

describe.skipIf(skip)('examples/browser: bundled with esbuild, in headless Chromium', () => {
  let browser: Chromium;
  afterAll(async () => browser?.close());

  it('trains the two-layer net on the spiral: the loss falls, the points are learned', async () => {
    // A user's project: the page's two files and nabla in node_modules.
    const app = path.join(dir, 'browser-app');
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    symlinkSync(root, path.join(app, 'node_modules', 'nabla'), 'dir');
    writeFileSync(path.join(app, 'package.json'), '{ "type": "module" }');
    for (const f of ['index.html', 'main.js'])
      copyFileSync(path.join(examples, 'browser', f), path.join(app, f));
    const out = path.join(app, 'dist');
    const r = await esbuild({
      absWorkingDir: app,
      entryPoints: ['main.js'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      outdir: out,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    copyFileSync(path.join(app, 'index.html'), path.join(out, 'index.html'));

    browser = await launchChromium({ viewport: { width: 800, height: 600 }, requests: true });
    await serveFolder(browser.page, out);
    await browser.page.goto('http://nabla.test/index.html?epochs=150');
    await browser.waitFor(() => (window as unknown as { result?: unknown }).result !== undefined);
    const result = (await browser.page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
      losses: number[];
      accuracy: number;
      status: string;
    };
    expect(result.status).toBe('done');
    expect(result.losses).toHaveLength(150); // one full batch of 300 points per epoch
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0] / 2);
    expect(result.accuracy).toBeGreaterThan(0.6); // three classes: chance is 1/3
    expect(await browser.page.textContent('#status')).toMatch(/done \(done\), training accuracy/);
  });
});
