/**
 * The package's browser entry as a user's bundler sees it: `import ... from 'nabla'` resolved through
 * package.json's exports ("browser" condition) by esbuild (--platform=browser), by Vite and by webpack
 * (production, target web), with no Node built-in in any bundle; then each bundle runs in headless Chromium
 * and trains a small net (the loss must fall). Resolution goes through a scratch node_modules/nabla link to
 * this folder, as an installed package would (test/package/pack.test.ts installs the real tarball).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, root } from '../cli/helpers.js';
import { chromiumMissing, launchChromium, serveFolder, type Chromium } from '../browser.js';
import { skipFor } from '../requirements.js';

/** The page's script: trains a two-layer net with the Solver for a few epochs; the result goes on window. */
const APP = `
import { TwoLayerNet, Solver, Generator, backendInfo } from 'nabla';
const rng = new Generator(0);
const X = rng.randn(200, 10).astype('float32');
const y = X.get(':', 0).gt(0).astype('int32');
const model = new TwoLayerNet({ inputDim: 10, hiddenDim: 20, numClasses: 2, seed: 0 });
const solver = new Solver(model, { XTrain: X, yTrain: y, XVal: X, yVal: y }, {
  updateRule: 'adam', optimConfig: { learningRate: 3e-2 }, numEpochs: 10, batchSize: 50, verbose: false,
});
solver.train();
window.result = { losses: solver.lossHistory, acc: solver.bestValAcc, backend: backendInfo().name };
`;
const HTML = (script: string) =>
  `<!doctype html><html><body><script type="module" src="${script}"></script></body></html>`;

/** `import("node:..")`, `from "node:.."`, `require("node:..")`: a Node built-in the bundle would load. */
const NODE_IMPORT =
  /(?:import\s*\(\s*|from\s*|require\s*\(\s*)["'](?:node:)?(?:fs|path|os|crypto|worker_threads|v8|module|url|zlib|events|stream|buffer|util|assert|child_process|http|https)(?:\/[a-z]+)?["']/;

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'nabla-bundle-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(root, path.join(dir, 'node_modules', 'nabla'), 'dir');
  writeFileSync(path.join(dir, 'app.js'), APP);
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** esbuild's bundle of app.js into esbuild/, as `esbuild app.js --bundle --platform=browser` makes it. */
async function bundleEsbuild() {
  const out = path.join(dir, 'esbuild');
  const r = await esbuild({
    absWorkingDir: dir,
    entryPoints: ['app.js'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: path.join(out, 'app.js'),
    logLevel: 'silent',
  });
  writeFileSync(path.join(out, 'index.html'), HTML('./app.js'));
  return { errors: r.errors, warnings: r.warnings, code: readFileSync(path.join(out, 'app.js'), 'utf8') };
}

/** Vite's production build of a page loading app.js, into vite/. */
async function bundleVite() {
  writeFileSync(path.join(dir, 'index.html'), HTML('./app.js'));
  const out = path.join(dir, 'vite');
  const r = await viteBuild({
    root: dir,
    base: './',
    configFile: false,
    logLevel: 'silent',
    build: { outDir: out, target: 'es2022', emptyOutDir: true, chunkSizeWarningLimit: 5000 },
  });
  const outputs = (Array.isArray(r) ? r : [r]) as { output: { type: string; code?: string }[] }[];
  return outputs
    .flatMap((o) => o.output.filter((c) => c.type === 'chunk').map((c) => c.code ?? ''))
    .join('\n');
}

/** webpack's production build of app.js for the web, into webpack/: its errors, warnings and code. */
async function bundleWebpack() {
  const out = path.join(dir, 'webpack');
  const compiler = webpack({
    context: dir,
    mode: 'production',
    target: 'web',
    entry: './app.js',
    output: { path: out, filename: 'app.js' },
    performance: { hints: false },
  });
  const stats = await new Promise<webpack.Stats>((resolve, reject) =>
    compiler.run((err, st) => (err || !st ? reject(err ?? new Error('webpack: no stats')) : resolve(st))),
  );
  await new Promise((resolve) => compiler.close(resolve));
  const { errors = [], warnings = [] } = stats.toJson({ all: false, errors: true, warnings: true });
  writeFileSync(path.join(out, 'index.html'), HTML('./app.js'));
  return {
    errors: errors.map((e) => e.message),
    warnings: warnings.map((w) => w.message),
    code: readFileSync(path.join(out, 'app.js'), 'utf8'),
  };
}

describe("the browser entry: import 'nabla' in a bundle", () => {
  it('bundles with esbuild --platform=browser: no error, no warning, no Node built-in', async () => {
    const { errors, warnings, code } = await bundleEsbuild();
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(code).not.toMatch(NODE_IMPORT);
    expect(code).not.toContain('loadCifar10'); // the Node entry's data loaders stay out
    expect(code).toContain('TwoLayerNet');
  });

  it('bundles with Vite: no Node built-in', async () => {
    const code = await bundleVite();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(NODE_IMPORT);
  });

  it('bundles with webpack (production, target web): no error, no warning, no Node built-in', async () => {
    const { errors, warnings, code } = await bundleWebpack();
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(code).not.toMatch(NODE_IMPORT);
    expect(code).not.toContain('loadCifar10');
  });

  it('the check of Node imports catches one (it can fail)', () => {
    expect(`const a = await import("node:fs")`).toMatch(NODE_IMPORT);
    expect(`import x from 'path'`).toMatch(NODE_IMPORT);
  });
});

const skip = skipFor(import.meta.url, chromiumMissing());

describe.skipIf(skip)('each bundle trains in headless Chromium', () => {
  let browser: Chromium;
  beforeAll(async () => {
    browser = await launchChromium({ viewport: { width: 400, height: 300 }, requests: true });
    await serveFolder(browser.page, dir);
  });
  afterAll(async () => browser?.close());

  for (const bundler of ['esbuild', 'vite', 'webpack'] as const) {
    it(`${bundler}: the Solver trains and the loss falls`, async () => {
      // Each test builds its own bundle, so it can run alone.
      if (bundler === 'esbuild') await bundleEsbuild();
      else if (bundler === 'vite') await bundleVite();
      else await bundleWebpack();
      await browser.page.goto(`http://nabla.test/${bundler}/index.html`);
      await browser.waitFor(() => (window as unknown as { result?: unknown }).result !== undefined);
      const r = (await browser.page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
        losses: number[];
        acc: number;
        backend: string;
      };
      const first = r.losses.slice(0, 3).reduce((a, b) => a + b) / 3;
      const last = r.losses.slice(-3).reduce((a, b) => a + b) / 3;
      expect(r.losses.length).toBe(40); // 10 epochs of 200/50 iterations
      expect(last).toBeLessThan(first * 0.6);
      expect(r.acc).toBeGreaterThan(0.85);
      expect(r.backend).toBe('wasm'); // Chromium runs WebAssembly SIMD: the kernels are in the bundle
      expect(browser.problems).toEqual([]);
    });
  }
});
