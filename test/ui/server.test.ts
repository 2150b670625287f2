/**
 * The dashboard server (src/cli/ui/server.ts) without a browser: the runs API over hand-made run folders,
 * the files it will and will not serve, the Host check, the bind policy and port fallback, and the live
 * run's Server-Sent Events (src/cli/ui/live.ts) as a page receives them.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { DEFAULT_PORT } from '../../src/cli/ui/bind.js';
import { LiveRun } from '../../src/cli/ui/live.js';
import type { RunDetail, RunsIndex } from '../../src/cli/ui/protocol.js';
import { startDashboard, type Dashboard } from '../../src/cli/ui/server.js';
import type { JobResult } from '../../src/cli/train/job.js';

let base: string;
let runsDir: string;
let assetsDir: string;

const jsonl = (records: object[]): string => records.map((r) => JSON.stringify(r) + '\n').join('');
const config = (model: string) =>
  JSON.stringify({
    job: { model: { kind: 'builtin', name: model }, data: { kind: 'builtin', name: 'mnist' } },
  });

function writeRun(name: string, model: string, records: object[]): void {
  const dir = path.join(runsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), config(model));
  writeFileSync(path.join(dir, 'metrics.jsonl'), jsonl(records));
}

const iterations = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'iteration',
    iteration: from + i,
    epoch: (from + i) / n,
    loss: 2 - i / n,
  }));

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'nabla-ui-server-')));
  runsDir = path.join(base, 'runs');
  assetsDir = path.join(base, 'assets');
  mkdirSync(path.join(assetsDir, 'dashboard'), { recursive: true });
  mkdirSync(path.join(assetsDir, 'assets'), { recursive: true });
  writeFileSync(path.join(assetsDir, 'dashboard', 'index.html'), '<title>dash</title>');
  writeFileSync(path.join(assetsDir, 'assets', 'app.js'), 'export {}');
  writeFileSync(path.join(assetsDir, 'secret-asset.txt'), 'SECRET');
  writeFileSync(path.join(base, 'secret.txt'), 'SECRET');

  writeRun('20260101-000000-softmax', 'softmax', [
    ...iterations(4),
    { type: 'epoch', epoch: 1, iteration: 4, trainAcc: 0.5, valAcc: 0.4 },
    { type: 'test', accuracy: 0.45, perClass: [0.5, null], count: 100 },
  ]);
  writeRun('20260102-000000-cnn', 'cnn', [
    ...iterations(3),
    { type: 'event', event: 'interrupted', iteration: 3, time: 'x' },
  ]);
  writeRun('20260103-000000-fc', 'fc', [
    ...iterations(2),
    { type: 'event', event: 'diverged', iteration: 2, time: 'x' },
  ]);
  // Being written: a half line at the end is skipped, not an error.
  writeRun('20260104-000000-svm', 'svm', iterations(2));
  writeFileSync(
    path.join(runsDir, '20260104-000000-svm', 'metrics.jsonl'),
    jsonl(iterations(2)) + '{"type":"itera',
  );
  writeFileSync(path.join(runsDir, '20260101-000000-softmax', 'loss.svg'), '<svg/>');
  writeFileSync(path.join(runsDir, '20260101-000000-softmax', 'report.html'), '<p>report</p>');
  // Not runs: a folder without run files, a hidden folder, a link to a folder outside.
  mkdirSync(path.join(runsDir, 'empty'));
  writeRun('.hidden-run', 'cnn', iterations(1));
  mkdirSync(path.join(base, 'outside-run'));
  writeFileSync(path.join(base, 'outside-run', 'config.json'), config('cnn'));
  writeFileSync(path.join(base, 'outside-run', 'metrics.jsonl'), 'SECRET');
  symlinkSync(path.join(base, 'outside-run'), path.join(runsDir, '20260105-000000-link'));
  symlinkSync(path.join(base, 'secret.txt'), path.join(runsDir, '20260101-000000-softmax', 'leak.txt'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** GET (or another method) with the path sent as written and an optional Host header. */
function request(
  url: string,
  p: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname.replace(/^\[|\]$/g, ''),
        port: Number(port),
        path: p,
        method: opts.method ?? 'GET',
        headers: opts.host ? { host: opts.host } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the runs API and files', () => {
  let dash: Dashboard;
  beforeAll(async () => {
    dash = await startDashboard({ runsDir, assetsDir, port: 0 });
  });
  afterAll(() => dash.close());

  it('listens on 127.0.0.1 and prints a URL with its port', () => {
    expect(dash.host).toBe('127.0.0.1');
    expect(dash.url).toBe(`http://127.0.0.1:${dash.port}/`);
    expect((dash.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(dash.warning).toBeNull();
  });

  it('lists the run folders newest first, with status and test accuracy', async () => {
    const r = await request(dash.url, '/api/runs');
    expect(r.status).toBe(200);
    const { live, runs } = JSON.parse(r.body) as RunsIndex;
    expect(live).toBeNull();
    expect(runs.map((x) => [x.name, x.model, x.status, x.iterations, x.testAccuracy])).toEqual([
      ['20260104-000000-svm', 'svm', 'incomplete', 2, null],
      ['20260103-000000-fc', 'fc', 'diverged', 2, null],
      ['20260102-000000-cnn', 'cnn', 'interrupted', 3, null],
      ['20260101-000000-softmax', 'softmax', 'done', 4, 0.45],
    ]);
    expect(runs[3].bestValAcc).toBe(0.4);
    expect(r.body).not.toContain('SECRET');
  });

  it("serves one run's history", async () => {
    const r = await request(dash.url, '/api/runs/20260101-000000-softmax');
    const d = JSON.parse(r.body) as RunDetail;
    expect(d.iteration).toEqual([1, 2, 3, 4]);
    expect(d.epoch).toEqual([0.25, 0.5, 0.75, 1]);
    expect(d.loss).toEqual([2, 1.75, 1.5, 1.25]);
    expect(d.epochRecords).toEqual([{ epoch: 1, iteration: 4, trainAcc: 0.5, valAcc: 0.4 }]);
    expect(d.test).toEqual({ accuracy: 0.45, perClass: [0.5, null], count: 100 });
    expect(d.config).toEqual({
      model: { kind: 'builtin', name: 'softmax' },
      data: { kind: 'builtin', name: 'mnist' },
    });
    expect(d.images).toEqual({
      loss: '/runs/20260101-000000-softmax/loss.svg',
      report: '/runs/20260101-000000-softmax/report.html',
    });
    const partial = JSON.parse((await request(dash.url, '/api/runs/20260104-000000-svm')).body) as RunDetail;
    expect(partial.iteration).toEqual([1, 2]);
  });

  it.each([
    '/api/runs/nope',
    '/api/runs/..',
    '/api/runs/%2e%2e',
    '/api/runs/..%2fsecret.txt',
    '/api/runs/%2e%2e%2foutside-run',
    '/api/runs/.hidden-run',
    '/api/runs/20260105-000000-link',
    '/api/runs/empty',
    '/api/runs/%ff',
  ])('answers 404 for the run %j', async (p) => {
    const r = await request(dash.url, p);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });

  it('serves the files of the runs folder and of the page', async () => {
    const svg = await request(dash.url, '/runs/20260101-000000-softmax/loss.svg');
    expect([svg.status, svg.headers['content-type'], svg.body]).toEqual([200, 'image/svg+xml', '<svg/>']);
    expect((await request(dash.url, '/dashboard/')).body).toBe('<title>dash</title>');
    expect((await request(dash.url, '/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    const root = await request(dash.url, '/');
    expect([root.status, root.headers.location]).toEqual([302, '/dashboard/']);
    expect((await request(dash.url, '/favicon.ico')).status).toBe(204);
    // Only the page's own scripts run, and they reach only this server.
    expect(svg.headers['content-security-policy']).toMatch(/default-src 'self'; script-src 'self';/);
    expect(root.headers['x-frame-options']).toBe('DENY');
  });

  it.each([
    '/runs/../secret.txt',
    '/runs/%2e%2e/secret.txt',
    '/runs/%2e%2e%2fsecret.txt',
    '/runs/%252e%252e/secret.txt',
    '/runs/..\\secret.txt',
    '/runs/20260101-000000-softmax/leak.txt',
    '/runs/20260105-000000-link/metrics.jsonl',
    '/runs//etc/passwd',
    '/runs/x%00',
    '/dashboard/../secret-asset.txt',
    '/dashboard/%2e%2e/secret-asset.txt',
    '/secret-asset.txt',
    '/assets/../../secret.txt',
    '/etc/passwd',
  ])('answers 404 for %j', async (p) => {
    const r = await request(dash.url, p);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });

  it('answers only requests whose Host names this machine, and only GET and HEAD', async () => {
    expect((await request(dash.url, '/api/runs', { host: 'evil.example:80' })).status).toBe(403);
    expect((await request(dash.url, '/api/runs', { host: `localhost:${dash.port}` })).status).toBe(200);
    expect((await request(dash.url, '/api/runs', { host: `[::1]:${dash.port}` })).status).toBe(200);
    expect((await request(dash.url, '/api/runs', { method: 'POST' })).status).toBe(405);
    expect((await request(dash.url, '/api/events')).status).toBe(404); // no live run here
  });

  it('answers a missing page under a built /dashboard/ with a plain 404 naming no server path', async () => {
    for (const p of ['/dashboard/nope.html', '/dashboard/x/y.js', '/dashboard/%2e%2e/secret.txt']) {
      const r = await request(dash.url, p);
      expect(r.status).toBe(404);
      expect(r.body).toBe('not found\n');
    }
  });

  it('says when the page is not built, without naming the server folder', async () => {
    const bare = await startDashboard({ runsDir, assetsDir: path.join(base, 'nothing'), port: 0 });
    try {
      const r = await request(bare.url, '/dashboard/');
      expect(r.status).toBe(404);
      expect(r.body).toMatch(/the dashboard page is not built: run npm run build:web/);
      expect(r.body).not.toContain(base);
    } finally {
      await bare.close();
    }
  });
});

describe('bind policy and ports', () => {
  it('refuses a non-loopback host without allowRemote, before listening', async () => {
    await expect(startDashboard({ runsDir, assetsDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      UsageError,
    );
    await expect(startDashboard({ runsDir, assetsDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0.*--allow-remote/,
    );
  });

  it('listens on 0.0.0.0 with allowRemote, with a warning and no Host check', async () => {
    const d = await startDashboard({ runsDir, assetsDir, host: '0.0.0.0', port: 0, allowRemote: true });
    try {
      expect(d.warning).toMatch(/^warning: listening on 0\.0\.0\.0/);
      expect((d.server.address() as AddressInfo).address).toBe('0.0.0.0');
      expect(d.url).toBe(`http://127.0.0.1:${d.port}/`);
      expect((await request(d.url, '/api/runs', { host: 'my-machine.lan' })).status).toBe(200);
    } finally {
      await d.close();
    }
  });

  it('takes a free port when the default one is in use, but not a port the user chose', async () => {
    const blocker = http.createServer();
    const blocked = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(DEFAULT_PORT, '127.0.0.1', () => resolve(true));
    });
    try {
      const d = await startDashboard({ runsDir, assetsDir });
      expect(d.port).not.toBe(DEFAULT_PORT);
      await d.close();
      await expect(startDashboard({ runsDir, assetsDir, port: DEFAULT_PORT })).rejects.toThrow(
        new RegExp(`port ${DEFAULT_PORT} is in use`),
      );
    } finally {
      if (blocked) blocker.close();
    }
  });
});

describe('the live run over Server-Sent Events', () => {
  /**
   * Reads SSE messages from /api/events into a list as they arrive; `until(fn)` resolves once fn() holds,
   * checked as each message arrives (no time limit: it waits on the stream's own events).
   */
  function subscribe(url: string): {
    events: { event: string; data: unknown }[];
    until: (fn: () => boolean) => Promise<void>;
    close: () => void;
  } {
    const events: { event: string; data: unknown }[] = [];
    const waiting = new Set<() => void>();
    const { port } = new URL(url);
    let buffer = '';
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/api/events' }, (res) => {
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
        for (const check of waiting) check();
      });
    });
    req.on('error', () => {});
    const until = (fn: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!fn()) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      });
    return { events, until, close: () => req.destroy() };
  }

  it('sends the state so far, then each event; iterations of one event-loop turn go as one message', async () => {
    const live = new LiveRun(path.join(runsDir, '20260106-000000-cnn'));
    const dash = await startDashboard({ runsDir, assetsDir, port: 0, live });
    try {
      live.onJobEvent({
        type: 'start',
        totalIterations: 4,
        iterationsPerEpoch: 2,
        numEpochs: 2,
        fromIteration: 0,
        batchSize: 8,
        config: { lr: 0.01 } as never,
      });
      live.onJobEvent({ type: 'iteration', iteration: 1, epoch: 0.5, loss: 2.3, imagesPerSec: 100 });
      const a = subscribe(dash.url);
      await a.until(() => a.events.length >= 1);
      const state = a.events[0];
      expect(state.event).toBe('state');
      expect(state.data).toMatchObject({
        run: '20260106-000000-cnn',
        status: 'training',
        start: { totalIterations: 4, config: { lr: 0.01 } },
        points: [[1, 2.3, 100, null]],
      });

      // Three iterations in one synchronous burst (as between two of training's yields): one message.
      live.onJobEvent({
        type: 'iteration',
        iteration: 2,
        epoch: 1,
        loss: 2.0,
        imagesPerSec: 110,
        accuracy: 0.3,
      });
      live.onJobEvent({ type: 'iteration', iteration: 3, epoch: 1.5, loss: NaN, imagesPerSec: 120 });
      live.onJobEvent({ type: 'epoch', epoch: 1, iteration: 3, trainAcc: 0.4, valAcc: 0.35 });
      await a.until(() => a.events.length >= 3);
      expect(a.events.slice(1, 3)).toEqual([
        {
          event: 'iterations',
          data: {
            points: [
              [2, 2.0, 110, 0.3],
              [3, null, 120, null],
            ],
          },
        },
        { event: 'epoch', data: { epoch: 1, iteration: 3, trainAcc: 0.4, valAcc: 0.35 } },
      ]);

      const b = subscribe(dash.url); // a page opened later gets everything so far
      await b.until(() => b.events.length >= 1);
      expect((b.events[0].data as { points: unknown[] }).points).toHaveLength(3);
      expect((b.events[0].data as { epochs: unknown[] }).epochs).toHaveLength(1);

      live.finish(
        {
          testAccuracy: 0.5,
          evaluation: {
            accuracy: 0.5,
            count: 4,
            perClass: [1, 0],
            confusion: [
              [2, 0],
              [2, 0],
            ],
          },
          classNames: ['a', 'b'],
          trainSeconds: 1,
          imagesPerSec: 10,
        } as unknown as JobResult,
        '/runs/20260106-000000-cnn/report.html',
      );
      await a.until(() => a.events.length >= 4);
      await b.until(() => b.events.length >= 2);
      expect(a.events[3]).toEqual({
        event: 'done',
        data: {
          testAccuracy: 0.5,
          count: 4,
          perClass: [1, 0],
          confusion: [
            [2, 0],
            [2, 0],
          ],
          classNames: ['a', 'b'],
          trainSeconds: 1,
          imagesPerSec: 10,
          report: '/runs/20260106-000000-cnn/report.html',
        },
      });
      expect(b.events[1].event).toBe('done');
      a.close();
      b.close();
    } finally {
      await dash.close();
    }
  });
});
