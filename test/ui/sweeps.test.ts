/**
 * The dashboard's sweep pages (src/cli/ui/sweeps.ts) over a hand-made sweep folder: results appear as they
 * are recorded, ranked, with the worker of each trial and the (lr, reg) plane; the page reloads itself
 * until the sweep is finished; names outside the runs folder are not served.
 */
import { appendFileSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModel } from '../../src/cli/choices.js';
import { planSweep, type SweepFlags } from '../../src/cli/sweep/plan.js';
import type { SegmentResult } from '../../src/cli/sweep/schedule.js';
import { SWEEP_FILES } from '../../src/cli/sweep/store.js';
import { startDashboard, type Dashboard } from '../../src/cli/ui/server.js';

let runsDir: string;
let dash: Dashboard;
const name = '20260105-000000-sweep-softmax';

const flags: SweepFlags = {
  out: 'runs',
  model: parseModel('softmax'),
  data: { kind: 'builtin', name: 'mnist' },
  seed: 0,
  dtype: 'float32',
  search: 'random',
  trials: 3,
  gridPoints: 3,
  eta: 3,
  minEpochs: 1,
  blobLimit: 64,
};

function record(r: Partial<SegmentResult> & { trial: number }): void {
  const full: SegmentResult = {
    segment: 0,
    status: 'done',
    epoch: 2,
    valAcc: 0,
    testAcc: 0,
    seconds: 1,
    worker: 'local',
    ...r,
  };
  appendFileSync(path.join(runsDir, name, SWEEP_FILES.results), JSON.stringify(full) + '\n');
}

async function get(p: string): Promise<{ status: number; body: string }> {
  const r = await fetch(new URL(p, dash.url));
  return { status: r.status, body: await r.text() };
}

beforeAll(async () => {
  runsDir = path.join(realpathSync(mkdtempSync(path.join(tmpdir(), 'nabla-ui-sweeps-'))), 'runs');
  mkdirSync(path.join(runsDir, name), { recursive: true });
  const plan = planSweep(flags, 'nabla sweep --model softmax --trials 3');
  writeFileSync(path.join(runsDir, name, SWEEP_FILES.plan), JSON.stringify(plan));
  dash = await startDashboard({ runsDir, port: 0, assetsDir: runsDir });
});

afterAll(async () => {
  await dash?.close();
});

describe('sweep pages', () => {
  it('show trials as they are recorded, ranked, with their workers, reloading until the sweep is finished', async () => {
    let page = await get(`/sweeps/${name}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('0 of 3 trials have results');
    expect(page.body).toContain('<meta http-equiv="refresh" content="3">');

    record({ trial: 2, valAcc: 0.6, testAcc: 0.55, worker: 'gpu-box:41' });
    mkdirSync(path.join(runsDir, name, 'trial-02'));
    writeFileSync(path.join(runsDir, name, 'trial-02', 'report.html'), '<!doctype html>');
    record({ trial: 3, status: 'diverged', message: 'loss is NaN', worker: 'laptop:7' });
    page = await get(`/sweeps/${name}`);
    expect(page.body).toContain('2 of 3 trials have results');
    expect(page.body).toMatch(
      /<td>1<\/td><td><a href="[^"]*trial-02\/report\.html">trial 2<\/a>.*60\.00%.*gpu-box:41/,
    );
    expect(page.body).toMatch(/diverged: loss is NaN<\/td><td>laptop:7/);
    expect(page.body).toContain('<svg'); // the (lr, reg) plane

    record({ trial: 1, valAcc: 0.7, testAcc: 0.65 });
    writeFileSync(path.join(runsDir, name, SWEEP_FILES.summary), JSON.stringify({ finished: true }));
    page = await get(`/sweeps/${name}`);
    expect(page.body).toMatch(/<td>1<\/td><td>trial 1<\/td>/); // no report.html: no link
    expect(page.body).not.toContain('http-equiv="refresh"');

    const api = JSON.parse((await get('/api/sweeps')).body) as {
      sweeps: { name: string; done: number; bestValAcc: number }[];
    };
    expect(api.sweeps).toEqual([expect.objectContaining({ name, done: 3, bestValAcc: 0.7, finished: true })]);
    expect((await get('/sweeps/')).body).toContain(`href="/sweeps/${name}"`);
  });

  it('serve nothing but the sweep folders of the runs folder', async () => {
    for (const p of ['/sweeps/..%2F..%2Fetc', '/sweeps/nope', '/api/sweeps/%2e%2e']) {
      expect((await get(p)).status).toBe(404);
    }
  });
});
