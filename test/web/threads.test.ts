/**
 * WebAssembly kernel threads in headless Chromium (src/backend/wasm/pool.ts): a page bundled with esbuild
 * from the browser entry, served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, starts threads with `await initThreads(2)` in a Worker (and on
 * the page's main thread, where the pool spins instead of blocking); a product past the threading threshold
 * and a conv net's training steps give the same bits on two threads as on one, as Node's threaded path
 * guarantees (see test/backend/wasmGemm.test.ts), and the workers really ran rounds. The same page served
 * without those headers is not isolated: initThreads resolves 1, everything runs on one thread, and the net
 * still trains.
 *
 * Needs headless Chromium (see ../browser.ts). No wall-clock budget: each wait ends on the page's result or
 * its first problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../cli/helpers.js';
import { chromiumMissing, launchChromium, serveFolder, type Chromium } from '../browser.js';
import { skipFor } from '../requirements.js';

const src = (p: string) => JSON.stringify(path.join(root, 'src', p));

/**
 * The checks both the page and its Worker run: a 384x256x256 float32 product (past gemm.ts's
 * THREAD_MIN_MACS) and, with `train`, 16 Adam steps of the course's conv net on a learnable task, whose
 * convolutions (64 images of 3x16x16, 32 filters 3x3) are past conv.ts's threshold. Each runs with the
 * threads initThreads gave, then on one thread; `rounds` counts what went to workers.
 */
const CHECKS = `
import { initThreads, threadCount, setThreadCount, Generator, Solver, ThreeLayerConvNet } from ${src('browser.ts')};
import { parallelRounds } from ${src('backend/wasm/pool.ts')};

function product() {
  const rng = new Generator(1);
  const a = rng.randn(384, 256).astype('float32');
  const b = rng.randn(256, 256).astype('float32');
  return Array.from(a.matmul(b).toTypedArray());
}

function train() {
  const rng = new Generator(2);
  const X = rng.randn(128, 3, 16, 16).astype('float32');
  const y = X.slice(':', 0, ':8').mean([1, 2]).gt(0).astype('int32'); // upper half of channel 0 bright?
  const model = new ThreeLayerConvNet({ inputDim: [3, 16, 16], numFilters: 32, filterSize: 3,
    hiddenDim: 50, numClasses: 2, weightScale: 1e-2, seed: 0 });
  const solver = new Solver(model, { XTrain: X, yTrain: y, XVal: X, yVal: y }, {
    updateRule: 'adam', optimConfig: { learningRate: 3e-3 }, numEpochs: 8, batchSize: 64, verbose: false });
  solver.train();
  return { losses: solver.lossHistory, w1: Array.from(model.params.W1.toTypedArray()) };
}

/** Runs fn with the current threads and then on one; what each gave and how many rounds went to workers. */
function both(fn) {
  const r0 = parallelRounds();
  const threaded = fn();
  const r1 = parallelRounds();
  const threads = threadCount();
  setThreadCount(1);
  const single = fn();
  const r2 = parallelRounds();
  setThreadCount(threads);
  return { threaded, single, rounds: r1 - r0, singleRounds: r2 - r1 };
}

export async function checks(withTraining) {
  const started = await initThreads(2);
  const out = { isolated: self.crossOriginIsolated, started, threads: threadCount(), product: both(product) };
  if (withTraining) out.training = both(train);
  return out;
}
`;

/** The Worker: runs the checks with training and posts the result (or the error) to the page. */
const WORKER = `
import { checks } from './checks.js';
checks(true).then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));
`;

/** The page: the product on its main thread, then the Worker's checks; both land on window.result. */
const MAIN = `
import { checks } from './checks.js';
const main = await checks(false).catch((e) => ({ error: String(e && e.stack || e) }));
const worker = new Worker('./worker.js', { type: 'module' });
worker.onmessage = (e) => { window.result = { main, worker: e.data }; };
worker.onerror = (e) => { window.result = { main, worker: { error: e.message } }; };
`;

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

interface Both<T> {
  threaded: T;
  single: T;
  rounds: number;
  singleRounds: number;
}
interface Checks {
  error?: string;
  isolated: boolean;
  started: number;
  threads: number;
  product: Both<number[]>;
  training?: Both<{ losses: number[]; w1: number[] }>;
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nabla-threads-'));
  writeFileSync(path.join(dir, 'checks.js'), CHECKS);
  writeFileSync(path.join(dir, 'worker.js'), WORKER);
  writeFileSync(path.join(dir, 'main.js'), MAIN);
  const r = await esbuild({
    absWorkingDir: dir,
    entryPoints: ['main.js', 'worker.js'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: path.join(dir, 'out'),
    logLevel: 'silent',
  });
  expect(r.errors).toEqual([]);
  writeFileSync(
    path.join(dir, 'out', 'index.html'),
    '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const skip = skipFor(import.meta.url, chromiumMissing());

describe.skipIf(skip)('wasm kernel threads in headless Chromium', () => {
  let browser: Chromium;
  beforeAll(async () => {
    browser = await launchChromium({ viewport: { width: 400, height: 300 }, requests: true });
  });
  afterAll(async () => browser?.close());

  /** Serves the bundle at `origin` (with `headers`), loads it and returns what the page and Worker found. */
  async function load(origin: string, headers: Record<string, string>) {
    await serveFolder(browser.page, path.join(dir, 'out'), { origin, headers });
    await browser.page.goto(`${origin}/index.html`);
    await browser.waitFor(() => (window as unknown as { result?: unknown }).result !== undefined);
    const r = (await browser.page.evaluate(() => (window as unknown as { result: unknown }).result)) as {
      main: Checks;
      worker: Checks;
    };
    expect(r.main.error).toBeUndefined();
    expect(r.worker.error).toBeUndefined();
    return r;
  }

  function expectTrains(t: Checks['training']) {
    expect(t!.threaded.losses.length).toBe(16); // 8 epochs of 128/64 steps
    expect(mean(t!.threaded.losses.slice(-3))).toBeLessThan(0.9 * mean(t!.threaded.losses.slice(0, 3)));
  }

  it('cross-origin isolated: two threads in a Worker and on the page, the same bits as one thread', async () => {
    const { main, worker } = await load('http://localhost:8237', ISOLATION);
    for (const r of [main, worker]) {
      expect(r).toMatchObject({ isolated: true, started: 2, threads: 2 });
      expect(r.product.rounds).toBeGreaterThan(0); // the workers ran part of the product...
      expect(r.product.singleRounds).toBe(0); // ...and none of the one-thread run
      expect(r.product.threaded).toEqual(r.product.single);
    }
    const t = worker.training!;
    expect(t.rounds).toBeGreaterThan(16); // each step's convolutions, forward and backward
    expect(t.singleRounds).toBe(0);
    expect(t.threaded.losses).toEqual(t.single.losses);
    expect(t.threaded.w1).toEqual(t.single.w1);
    expectTrains(t);
    expect(browser.problems).toEqual([]);
  });

  it('not isolated (no COOP/COEP headers): initThreads resolves 1, one thread, and the net still trains', async () => {
    const { main, worker } = await load('http://127.0.0.1:8237', {});
    for (const r of [main, worker]) {
      expect(r).toMatchObject({ isolated: false, started: 1, threads: 1 });
      expect(r.product.rounds).toBe(0);
      expect(r.product.threaded).toEqual(r.product.single);
    }
    expect(worker.training!.rounds).toBe(0);
    expectTrains(worker.training);
    expect(browser.problems).toEqual([]);
  });
});
