/**
 * The dashboard end to end: `nabla train --ui` (the built command, a real short training run) serves the
 * page, headless Chromium opens it, the loss curve gains points while the run trains, the filters, the
 * predictions and finally the confusion matrix appear; then a past run is opened and two runs compared.
 * Screenshots go to test-artifacts/ui/ (git-ignored). Any console error or page error fails the test.
 *
 * Needs headless Chromium (see ../browser.ts). No wall-clock budgets: every wait ends on an event, what it
 * waits for or a failure (a page error, the training command exiting early), so a slow machine only makes the
 * suite slower.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../web/buildWeb.js';
import { ensureBuilt, iterationLosses, nabla, nablaAsync, root, scratch } from '../cli/helpers.js';
import { chromiumMissing, launchChromium, type Chromium } from '../browser.js';
import { skipFor } from '../requirements.js';

const skip = skipFor(import.meta.url, chromiumMissing());

const ARTIFACTS = path.join(root, 'test-artifacts', 'ui');

declare global {
  // The page's window.nablaDashboard, read by the predicates that run in the page.
  var nablaDashboard: DashboardState;
}

/** The page's window.nablaDashboard (web/dashboard/main.ts). */
interface DashboardState {
  ready: boolean;
  view: string;
  runs: string[];
  live: string | null;
  liveStatus: string;
  lossPoints: number;
  lossSeries: string[];
  xAxis: string;
  epochs: number;
  modelUpdates: number;
  confusion: boolean;
}

/**
 * Builds dist/ when stale, and the pages into a folder of this test's own (other tests build the pages at
 * the same time); the commands spawned here serve it through $NABLA_WEB_DIST.
 */
async function ensurePageBuilt(): Promise<string> {
  ensureBuilt();
  const out = mkdtempSync(path.join(tmpdir(), 'nabla-web-dist-'));
  await buildWeb(out);
  process.env.NABLA_WEB_DIST = out;
  return out;
}

/**
 * Resolves with the first match of `pattern` in what `child` printed so far (`out()`), checked on each chunk
 * it prints; rejects if it exits first.
 */
function printed(
  child: ChildProcess,
  out: () => string,
  done: Promise<unknown>,
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = pattern.exec(out());
      if (m) {
        child.stdout!.off('data', check);
        resolve(m);
      }
      return !!m;
    };
    if (check()) return;
    child.stdout!.on('data', check);
    void done.then(() => reject(new Error(`nabla exited before printing ${pattern}:\n${out()}`)));
  });
}

/** The dashboard URL, once the command prints it. */
const dashboardUrl = async (child: ChildProcess, out: () => string, done: Promise<unknown>) =>
  (await printed(child, out, done, /dashboard {2}(http:\/\/\S+)/))[1];

describe.skipIf(skip)('the dashboard in headless Chromium', () => {
  let cwd: string;
  let pastRun: string;
  let train: ReturnType<typeof nablaAsync>;
  let out = ''; // the training command's output so far
  let url: string;
  let browser: Chromium;
  let page: Page;
  let webDist: string;
  let errors: string[];
  let stopping = false;

  const state = (): Promise<DashboardState> => page.evaluate(() => window.nablaDashboard);
  // Predicates are functions, not strings: the page's Content-Security-Policy forbids eval.
  const waitFor = <A extends string | number | undefined>(fn: (arg: A) => boolean, arg?: A) =>
    browser.waitFor(fn, arg);
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

  beforeAll(async () => {
    webDist = await ensurePageBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    cwd = scratch();
    // A past run to open and compare: softmax, quick.
    const r = nabla(
      [
        'train',
        '--model',
        'softmax',
        '--limit',
        '600',
        '--batch-size',
        '50',
        '--epochs',
        '2',
        '--out',
        'runs',
      ],
      cwd,
    );
    expect(r.status, r.stderr).toBe(0);
    pastRun = readdirSync(path.join(cwd, 'runs'))[0];

    browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
    page = browser.page;
    errors = browser.problems;

    // The live run: batches of one image, so it trains for a few seconds (1,200 steps, ~4 s on 2 quiet cores
    // with wasm: some twenty of training's yields to the event loop, where the page needs about five to
    // connect) and the page sees the curve grow; with batch 8 it ended before the page had seen it grow once.
    // The waits below have no time limit, so a slower backend or a busy machine only takes longer.
    train = nablaAsync(
      [
        'train',
        '--ui',
        '--port',
        '0',
        '--limit',
        '600',
        '--batch-size',
        '1',
        '--epochs',
        '2',
        '--out',
        'runs',
      ],
      cwd,
    );
    train.child.stdout!.on('data', (d) => (out += d));
    // Until the last test stops it, the command exiting fails whatever the test waits for, at once.
    void train.done.then((r) => {
      if (!stopping) browser.fail(new Error(`nabla train --ui exited with ${r.status}:\n${out}${r.stderr}`));
    });
    url = await dashboardUrl(train.child, () => out, train.done);
  });

  afterAll(async () => {
    await browser?.close();
    if (train && train.child.exitCode === null) train.child.kill('SIGKILL');
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    if (webDist) rmSync(webDist, { recursive: true, force: true });
  });

  const trainOut = (): string => out;

  it('streams the run: the loss curve gains points while it trains; filters, predictions, confusion matrix', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(url);
    await waitFor(
      () =>
        window.nablaDashboard?.ready === true &&
        window.nablaDashboard?.view === 'live' &&
        window.nablaDashboard?.liveStatus === 'training' &&
        window.nablaDashboard?.lossPoints > 0,
    );
    const first = (await state()).lossPoints;
    await waitFor((n) => window.nablaDashboard?.lossPoints > n, first);
    const later = await state();
    expect(later.lossPoints).toBeGreaterThan(first);
    await waitFor(() => window.nablaDashboard?.modelUpdates > 0);
    await shot('live-training.png');
    expect(await page.getAttribute('#filters', 'src')).toMatch(/^data:image\/png;base64,/);
    expect(await page.locator('#samples .sample').count()).toBe(16);

    await waitFor(() => window.nablaDashboard?.liveStatus === 'done' && window.nablaDashboard?.confusion);
    const d = await state();
    const runName = d.live!;
    expect(d.runs).toEqual([runName]);
    // Every iteration the run logged is on the chart.
    const logged = iterationLosses(path.join(cwd, 'runs', runName, 'metrics.jsonl'));
    expect(d.lossPoints).toBe(logged.length);
    expect(d.epochs).toBe(3); // iteration 1, then the end of each of the 2 epochs
    // The confusion matrix: 10 classes, every test image counted once; the accuracy the command printed.
    const cells = await page.$$eval('#confusion table.confusion tr', (rows) =>
      rows.slice(1).map((r) => Array.from(r.querySelectorAll('td'), (td) => Number(td.textContent))),
    );
    expect(cells).toHaveLength(10);
    expect(cells.flat().reduce((a, b) => a + b, 0)).toBe(600);
    const diag = cells.reduce((a, row, i) => a + row[i], 0);
    await waitFor(() => /test accuracy/.test(document.body.textContent ?? ''));
    const printed = /test accuracy (\d+\.\d+)% on 600 test images/.exec(trainOut());
    expect(printed).not.toBeNull();
    expect(((100 * diag) / 600).toFixed(2)).toBe(printed![1]);
    expect(await page.textContent('[data-stat="test accuracy"] strong')).toBe(`${printed![1]}%`);
    await shot('live-done.png');
    expect(errors).toEqual([]);
  });

  it('opens a past run, then compares two runs on one plot', async () => {
    await page.click(`#runs tr[data-run="${pastRun}"] a`);
    await waitFor(
      (name) =>
        window.nablaDashboard?.view === 'run' &&
        window.nablaDashboard?.runs[0] === name &&
        window.nablaDashboard?.lossPoints > 0,
      pastRun,
    );
    const logged = iterationLosses(path.join(cwd, 'runs', pastRun, 'metrics.jsonl'));
    expect((await state()).lossPoints).toBe(logged.length);
    expect(await page.textContent('#title')).toBe(pastRun);
    expect(await page.textContent('#subtitle')).toMatch(/^softmax on mnist, done/);
    expect(await page.textContent('#config')).toContain('softmax');
    await shot('past-run.png');

    const live = (await state()).live!;
    await page.check(`#runs tr[data-run="${pastRun}"] input[type=checkbox]`);
    expect(await page.isDisabled('#compare')).toBe(true); // one run is not a comparison
    await page.check(`#runs tr[data-run="${live}"] input[type=checkbox]`);
    await page.click('#compare');
    await waitFor(
      () =>
        window.nablaDashboard?.view === 'compare' &&
        window.nablaDashboard?.lossSeries.length === 2 &&
        window.nablaDashboard?.lossPoints > 0,
    );
    const d = await state();
    // The runs list is newest first: the live run, then the softmax run.
    expect(d.lossSeries).toEqual([live, pastRun]);
    expect(d.runs).toEqual([live, pastRun]);
    // Batch 1 and batch 50 line up on epochs (the default axis of a comparison), or on iterations.
    expect(d.xAxis).toBe('epoch');
    await page.selectOption('#axis select', 'iteration');
    await waitFor(
      () => window.nablaDashboard?.xAxis === 'iteration' && window.nablaDashboard?.lossSeries.length === 2,
    );
    await page.selectOption('#axis select', 'epoch');
    await waitFor(() => window.nablaDashboard?.xAxis === 'epoch');
    // The settings table shows what differs between the two: the model, among others.
    expect(await page.textContent('#config')).toMatch(/model\.name.*cnn.*softmax|model\.name.*softmax.*cnn/s);
    await shot('compare.png');
    expect(errors).toEqual([]);
  });

  it('follows a run that another process is still writing', async () => {
    const name = '20990101-000000-fc';
    const dir = path.join(cwd, 'runs', name);
    mkdirSync(dir);
    const line = (i: number) =>
      JSON.stringify({ type: 'iteration', iteration: i, epoch: i / 10, loss: 2 / i }) + '\n';
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ job: { model: { kind: 'builtin', name: 'fc' } } }),
    );
    writeFileSync(path.join(dir, 'metrics.jsonl'), [1, 2, 3].map(line).join(''));
    await page.click('#refresh');
    await page.click(`#runs tr[data-run="${name}"] a`);
    await waitFor(
      (name) =>
        window.nablaDashboard?.view === 'run' &&
        window.nablaDashboard?.runs[0] === name &&
        window.nablaDashboard?.lossPoints === 3,
      name,
    );
    expect(await page.textContent('#subtitle')).toMatch(/^fc on \?, incomplete/);
    appendFileSync(path.join(dir, 'metrics.jsonl'), [4, 5].map(line).join(''));
    await waitFor(() => window.nablaDashboard?.lossPoints === 5);
    expect(errors).toEqual([]);
  });

  it('keeps serving after the run, and stops on Ctrl-C with status 0', async () => {
    await Promise.race([
      printed(train.child, trainOut, train.done, /still serving the finished run; Ctrl-C to quit/),
      browser.failed,
    ]);
    await browser.close();
    stopping = true;
    train.child.kill('SIGINT');
    const r = await train.done;
    expect(r.status).toBe(0);
  });
});

describe('nabla ui', () => {
  let cwd: string;
  beforeAll(() => {
    ensureBuilt();
    cwd = scratch();
    mkdirSync(path.join(cwd, 'runs'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('serves the runs folder on 127.0.0.1 until Ctrl-C', async () => {
    const ui = nablaAsync(['ui', '--runs', 'runs', '--port', '0'], cwd);
    let out = '';
    ui.child.stdout!.on('data', (d) => (out += d));
    const url = await dashboardUrl(ui.child, () => out, ui.done);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(`${url}api/runs`);
    expect(await r.json()).toEqual({ live: null, runs: [] });
    expect((await fetch(`${url}api/events`)).status).toBe(404);
    ui.child.kill('SIGINT');
    expect((await ui.done).status).toBe(0);
  });

  // CI once saw status null (killed by the signal's default action): Ctrl-C came right after the address
  // line, before the handler was installed. Listing many sweeps sat in that gap and widened it.
  it('Ctrl-C the moment the address is printed still stops with status 0', async () => {
    const runs = path.join(cwd, 'many-sweeps');
    for (let i = 0; i < 400; i++) {
      mkdirSync(path.join(runs, `sweep-${i}`), { recursive: true });
      writeFileSync(path.join(runs, `sweep-${i}`, 'plan.json'), '{}');
    }
    const ui = nablaAsync(['ui', '--runs', 'many-sweeps', '--port', '0'], cwd);
    ui.child.stdout!.on('data', (d: Buffer) => {
      if (/dashboard {2}http/.test(String(d))) ui.child.kill('SIGINT');
    });
    const r = await ui.done;
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/error/); // a warning that the page is not built yet may come first
    expect(r.status).toBe(0);
  });

  it('refuses a non-loopback address unless --allow-remote, and warns then', async () => {
    const refused = nabla(['ui', '--host', '0.0.0.0'], cwd);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0.*--allow-remote/);
    const ui = nablaAsync(['ui', '--host', '0.0.0.0', '--allow-remote', '--port', '0'], cwd);
    let out = '';
    ui.child.stdout!.on('data', (d) => (out += d));
    await dashboardUrl(ui.child, () => out, ui.done);
    ui.child.kill('SIGINT');
    const r = await ui.done;
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach this machine/);
  });

  it('train --ui on a port in use: status 2, and no run folder left behind', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const r = await nablaAsync(['train', '--ui', '--port', String(port), '--out', 'busy-runs'], cwd).done;
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} is in use; pick another with --port`));
      expect(readdirSync(path.join(cwd, 'busy-runs'))).toEqual([]);
    } finally {
      busy.close();
    }
  });

  it('refuses a bad port, and dashboard flags on train without --ui', () => {
    expect(nabla(['ui', '--port', '70000'], cwd).stderr).toMatch(
      /--port: must be a whole number from 0 to 65535/,
    );
    const r = nabla(['train', '--allow-remote'], cwd);
    expect([r.status, r.stderr.trim()]).toEqual([
      2,
      'nabla train: --allow-remote is a dashboard option: add --ui',
    ]);
  });
});
