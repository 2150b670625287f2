/**
 * The demo page (web/) end to end in headless Chromium: `npm run build:web`'s bundle, served on 127.0.0.1,
 * trains in its Worker while the page handles clicks; the loss falls; the same seed repeats the curve; the
 * browser computes the losses Node computes.
 *
 * Needs Debian's chromium at /usr/bin/chromium (or NABLA_CHROMIUM) and the playwright-core package (which
 * brings no browser of its own); without them the tests are skipped with a message saying why.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWeb } from '../../web/buildWeb.js';
import { serveWeb } from '../../web/serve.js';
import { DEFAULTS } from '../../web/demo/protocol.js';
import { TrainingRun, spiralData } from '../../web/demo/trainer.js';

const CHROMIUM = process.env.NABLA_CHROMIUM || '/usr/bin/chromium';
const playwright = await import('playwright-core').catch(() => null);
const skipWhy = !existsSync(CHROMIUM)
  ? `${CHROMIUM} does not exist (install Debian's chromium: apt-get install chromium)`
  : !playwright
    ? 'the playwright-core package is not installed (npm install)'
    : null;
if (skipWhy) console.warn(`test/web/web.test.ts: skipping the browser tests: ${skipWhy}`);

/** The page's window.nablaDemo (see web/main.ts). */
interface DemoState {
  ready: boolean;
  running: boolean;
  training: boolean;
  backend: string;
  losses: number[];
  iteration: number;
  accuracy: number;
  pings: number;
  frames: number;
  error: string;
}

// Generous: CI machines have 2 cores, and the suite may run beside other work.
const WAIT = { timeout: 150_000, polling: 100 };

describe.skipIf(skipWhy !== null)('the demo page in headless Chromium', () => {
  let server: Server;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let dist: string;
  const pageErrors: string[] = [];

  const demo = () => page.evaluate(() => (window as unknown as { nablaDemo: DemoState }).nablaDemo);
  const waitFor = (fn: string, arg?: number) =>
    page.waitForFunction(`(${fn})(window.nablaDemo, ${JSON.stringify(arg ?? null)})`, undefined, WAIT);
  const startAndRunTo = async (iterations: number) => {
    await page.click('#toggle'); // Start
    await waitFor('(d, n) => d.running && d.iteration >= n', iterations);
  };
  /** Stops, and waits for the Worker's answer: its last losses and a fresh accuracy. */
  const stop = async () => {
    await page.click('#toggle'); // Stop
    await waitFor('(d) => !d.running && !d.training');
  };
  const reset = async () => {
    await page.click('#reset');
    await waitFor('(d) => d.ready && d.iteration === 0 && d.losses.length === 0');
  };

  beforeAll(async () => {
    // A build of its own: another test file may be building web/dist at the same time.
    dist = mkdtempSync(path.join(tmpdir(), 'nabla-web-dist-'));
    await buildWeb(dist);
    ({ server, url } = await serveWeb(0, dist));
    profile = mkdtempSync(path.join(tmpdir(), 'nabla-chromium-'));
    context = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await waitFor('(d) => d && d.ready');
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('trains the spiral in the Worker while the page handles clicks; the loss falls', async () => {
    const before = await demo();
    expect(before.running).toBe(false);
    expect(before.iteration).toBe(0);
    await startAndRunTo(3);
    expect((await demo()).training).toBe(true);

    // Each click is handled while training goes on: the Worker's iterations keep rising between clicks.
    const seen: number[] = [];
    for (let i = 1; i <= 3; i++) {
      await page.click('#ping');
      const d = await demo();
      expect(d.pings).toBe(i);
      expect(d.running).toBe(true);
      expect(await page.textContent('#pings')).toBe(String(i));
      seen.push(d.iteration);
      await waitFor('(d, n) => d.iteration > n', d.iteration);
    }
    expect(seen[1]).toBeGreaterThan(seen[0]);
    expect(seen[2]).toBeGreaterThan(seen[1]);

    await waitFor('(d) => d.iteration >= 150');
    await stop();
    const d = await demo();
    expect(d.error).toBe('');
    expect(d.losses.length).toBe(d.iteration);
    expect(d.losses[0]).toBeCloseTo(Math.log(3), 3);
    const tail = d.losses.slice(-10);
    expect(tail.reduce((a, b) => a + b) / tail.length).toBeLessThan(0.35);
    expect(d.accuracy).toBeGreaterThan(0.9);
    expect(d.frames).toBeGreaterThan(before.frames); // the page kept drawing
    expect(Number(await page.textContent('#iteration'))).toBe(d.iteration);

    // Stopped means stopped: after the final report no more iterations come.
    await page.waitForTimeout(300);
    expect((await demo()).iteration).toBe(d.iteration);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('repeats the same loss curve for the same seed, and computes what Node computes', async () => {
    const first = (await demo()).losses.slice(0, 40);
    expect(first.length).toBe(40);
    await reset();
    await startAndRunTo(40);
    await stop();
    expect((await demo()).losses.slice(0, 40)).toEqual(first);

    // Node, with whichever backend this suite runs: the same numbers up to float32 rounding.
    const run = new TrainingRun(DEFAULTS.spiral, spiralData(0));
    for (let i = 0; i < 20; i++) expect(first[i]).toBeCloseTo(run.step(), 5);

    await page.fill('#seed', '7');
    await page.dispatchEvent('#seed', 'change');
    await waitFor('(d) => d.ready && d.config.seed === 7');
    await startAndRunTo(5);
    await stop();
    expect((await demo()).losses.slice(0, 5)).not.toEqual(first.slice(0, 5));
  }, 300_000);

  it('stops and says so when the loss diverges', async () => {
    await page.selectOption('#updateRule', 'sgd');
    await page.fill('#learningRate', '1e6');
    await page.dispatchEvent('#learningRate', 'change');
    await waitFor('(d) => d.ready && d.config.learningRate === 1e6');
    await page.click('#toggle');
    await waitFor('(d) => d.error !== ""');
    const d = await demo();
    expect(d.running).toBe(false);
    expect(d.training).toBe(false);
    expect(Number.isFinite(d.losses.at(-1))).toBe(false);
    expect(d.losses.slice(0, -1).every(Number.isFinite)).toBe(true); // it stopped at the first
    expect(d.error).toBe(
      `the loss is ${d.losses.at(-1)} at iteration ${d.iteration}: training diverged; try a smaller learning rate`,
    );
    // The page renders the state on its next frame: wait for the DOM rather than race it.
    await page.waitForFunction(() => document.querySelector('#error')?.textContent !== '');
    expect(await page.textContent('#toggle')).toBe('Start');
    expect(await page.textContent('#error')).toBe(d.error);
  }, 300_000);

  it("runs docs/web.md's example: the Solver from dist/nabla.js in a module Worker", async () => {
    const result = await page.evaluate(async (lib) => {
      // The worker of docs/web.md, with 5 epochs instead of 20; posts its last message back.
      const source = `
        import { TwoLayerNet, Solver, Generator, listBackends } from '${lib}';
        const rng = new Generator(0);
        const X = rng.randn(500, 20).astype('float32');
        const y = X.get(':', 0).gt(0).astype('int32');
        const model = new TwoLayerNet({ inputDim: 20, hiddenDim: 50, numClasses: 2, seed: 0 });
        const solver = new Solver(model, { XTrain: X, yTrain: y, XVal: X, yVal: y }, {
          updateRule: 'adam', optimConfig: { learningRate: 1e-3 }, numEpochs: 5, batchSize: 50, verbose: false,
        });
        solver.train();
        let checkpoint = '';
        try { new Solver(model, { XTrain: X, yTrain: y, XVal: X, yVal: y }, { checkpointName: 'x', numEpochs: 1, verbose: false }).train(); }
        catch (e) { checkpoint = e.message; }
        self.postMessage({ losses: solver.lossHistory, acc: solver.bestValAcc, backends: listBackends(), checkpoint });`;
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      return new Promise<{ losses: number[]; acc: number; backends: string[]; checkpoint: string }>(
        (resolve, reject) => {
          const w = new Worker(url, { type: 'module' });
          w.onmessage = (e) => resolve(e.data);
          w.onerror = (e) => reject(new Error(e.message));
        },
      );
    }, `${url}nabla.js`);
    expect(result.losses.length).toBe(50);
    expect(result.losses[0]).toBeCloseTo(Math.log(2), 2);
    expect(result.losses.at(-1)).toBeLessThan(0.6);
    expect(result.acc).toBeGreaterThan(0.85);
    expect(result.backends).toContain('js');
    // Checkpoints need files: the Solver says so, by name, instead of failing to load.
    expect(result.checkpoint).toBe(
      'Solver.saveCheckpoint: reading and writing files needs Node.js; this environment has no file system',
    );
  }, 300_000);

  it('trains on MNIST digits fetched from the bundle', async () => {
    await page.selectOption('#dataset', 'mnist');
    await waitFor('(d) => d.ready && d.config.dataset === "mnist"');
    await startAndRunTo(25);
    await stop();
    const d = await demo();
    expect(d.error).toBe('');
    expect(d.losses[0]).toBeCloseTo(Math.log(10), 1);
    const tail = d.losses.slice(-5);
    expect(tail.reduce((a, b) => a + b) / tail.length).toBeLessThan(d.losses[0] - 0.25);
    expect(d.accuracy).toBeGreaterThan(0.3); // chance is 0.1
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
