/**
 * The sweep's search logic, shared by the local pool and the queue: axes as typed, random and grid trials,
 * successive halving's promotions (and their replay when a sweep continues), the results log, and the
 * Redis URL shown without its password.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactCommand } from '../../src/cli/commands/sweep.js';
import { parseRedisUrl, scrub } from '../../src/cli/sweep/redis.js';
import { AllTrials, Asha, ashaRungs, type SegmentResult } from '../../src/cli/sweep/schedule.js';
import { gridPoints, gridTrials, parseAxis, randomTrials } from '../../src/cli/sweep/search.js';
import { readPlan, ResultLog } from '../../src/cli/sweep/store.js';

describe('axes', () => {
  it('parses a value, a range with its scale, and values; refuses the rest with the option named', () => {
    expect(parseAxis('lr', '1e-3')).toEqual({ name: 'lr', kind: 'values', values: [1e-3] });
    expect(parseAxis('lr', '1e-2:1e-4')).toMatchObject({ kind: 'range', lo: 1e-4, hi: 1e-2, scale: 'log' });
    expect(parseAxis('dropout', '0.5:1')).toMatchObject({ kind: 'range', scale: 'linear' });
    expect(parseAxis('dropout', '0.5:1:log')).toMatchObject({ scale: 'log' });
    expect(parseAxis('hidden', '50,100,200')).toEqual({
      name: 'hidden',
      kind: 'values',
      values: [50, 100, 200],
    });
    expect(() => parseAxis('lr', '1e-3:oops')).toThrow(/--lr: expected a positive number or a range/);
    expect(() => parseAxis('hidden', '10.5')).toThrow(/--hidden/);
    expect(() => parseAxis('dropout', '0:1:log')).toThrow(/--dropout/);
    expect(() => parseAxis('epochs', '1:3', '--param epochs')).toThrow(
      /--param epochs: 'epochs' cannot be searched \(valid: lr, reg, lr-decay, dropout, batch-size, hidden\)/,
    );
  });

  it('draws random trials log-uniformly inside the ranges, the same for the same seed', () => {
    const axes = [
      parseAxis('lr', '1e-4:1e-1'),
      parseAxis('batch-size', '16:256'),
      parseAxis('hidden', '50,100'),
    ];
    const a = randomTrials(axes, 400, 3);
    expect(randomTrials(axes, 400, 3)).toEqual(a);
    expect(randomTrials(axes, 400, 4)).not.toEqual(a);
    for (const t of a) {
      expect(t.lr!).toBeGreaterThanOrEqual(1e-4);
      expect(t.lr!).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(t['batch-size'])).toBe(true);
      expect([50, 100]).toContain(t.hidden);
    }
    // Log-uniform: each of the three decades gets about a third of the draws.
    const decades = [0, 0, 0];
    for (const t of a) decades[Math.min(2, Math.floor(Math.log10(t.lr!) + 4))]++;
    for (const d of decades) expect(d).toBeGreaterThan(400 / 3 - 50);
  });

  it('makes a grid of every combination, log-spaced points for a log range', () => {
    expect(gridPoints(parseAxis('lr', '1e-4:1e-2'), 3).map((x) => Number(x.toPrecision(6)))).toEqual([
      1e-4, 1e-3, 1e-2,
    ]);
    expect(gridPoints(parseAxis('dropout', '0.5:1'), 3)).toEqual([0.5, 0.75, 1]);
    const g = gridTrials([parseAxis('lr', '1e-3,1e-2'), parseAxis('hidden', '50,100,200')], 3);
    expect(g).toHaveLength(6);
    expect(g[0]).toEqual({ lr: 1e-3, hidden: 50 });
    expect(g[5]).toEqual({ lr: 1e-2, hidden: 200 });
  });
});

function result(
  trial: number,
  segment: number,
  valAcc: number,
  status: SegmentResult['status'],
): SegmentResult {
  return { trial, segment, status, epoch: 0, valAcc, testAcc: null, seconds: 0, worker: 'local' };
}

describe('successive halving (ASHA)', () => {
  it('puts rungs at minEpochs * eta^k below the epochs, then the epochs', () => {
    expect(ashaRungs(9, 1, 3)).toEqual([1, 3, 9]);
    expect(ashaRungs(10, 1, 3)).toEqual([1, 3, 9, 10]);
    expect(ashaRungs(4, 1, 2)).toEqual([1, 2, 4]);
  });

  it('promotes the top 1/eta at each rung, from the highest rung down, else starts a new trial', () => {
    const s = new Asha(6, [1, 3, 9], 3);
    const started = [1, 2, 3].map(() => s.next()!);
    expect(started.map((g) => [g.trial, g.segment, g.untilEpoch, g.resume])).toEqual([
      [1, 0, 1, false],
      [2, 0, 1, false],
      [3, 0, 1, false],
    ]);
    s.report(result(1, 0, 0.5, 'paused'));
    s.report(result(2, 0, 0.9, 'paused'));
    // Two results at rung 0: floor(2 / 3) = 0 promotions, so a new trial starts.
    expect(s.next()).toMatchObject({ trial: 4, segment: 0 });
    s.report(result(3, 0, 0.7, 'paused'));
    // Three results: the best (trial 2) continues from its checkpoint to epoch 3.
    expect(s.next()).toEqual({ trial: 2, segment: 1, untilEpoch: 3, resume: true });
    expect(s.next()).toMatchObject({ trial: 5, segment: 0 });
    s.report(result(2, 1, 0.95, 'paused'));
    s.report(result(4, 0, 0.1, 'paused'));
    s.report(result(5, 0, 0.8, 'paused'));
    // Rung 1 has one result (no promotion yet); rung 0 has five: floor(5/3) = 1, trial 2 went already.
    expect(s.next()).toMatchObject({ trial: 6, segment: 0 });
    s.report(result(6, 0, 0.99, 'paused'));
    // Six results at rung 0: the top two are trials 6 and 2; trial 6 goes up.
    expect(s.next()).toEqual({ trial: 6, segment: 1, untilEpoch: 3, resume: true });
    expect(s.next()).toBeNull();
    s.report(result(6, 1, 0.97, 'paused'));
    s.report(result(2, 2, 0.96, 'done'));
    expect(s.next()).toBeNull(); // rung 1: two results, floor(2/3) = 0
  });

  it('a continued sweep replays its results: nothing recorded is handed out again', () => {
    const live = new Asha(4, [1, 2], 2);
    const order = [1, 2, 3, 4].map(() => live.next()!.trial);
    expect(order).toEqual([1, 2, 3, 4]);
    const recorded = [result(2, 0, 0.6, 'paused'), result(4, 0, 0.4, 'paused'), result(2, 1, 0.7, 'done')];
    const resumed = new Asha(4, [1, 2], 2);
    recorded.forEach((r) => resumed.report(r));
    // Trials 1 and 3 were running when the sweep stopped: they start again; trial 2 is not promoted twice.
    expect([resumed.next(), resumed.next(), resumed.next()]).toEqual([
      { trial: 1, segment: 0, untilEpoch: 1, resume: false },
      { trial: 3, segment: 0, untilEpoch: 1, resume: false },
      null,
    ]);
    const all = new AllTrials(3);
    all.report(result(2, 0, 0.5, 'done'));
    expect([all.next()?.trial, all.next()?.trial, all.next()]).toEqual([1, 3, null]);
  });
});

describe('trials.jsonl', () => {
  it('keeps the first record of each piece and survives a line cut short by a crash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-sweep-'));
    const log = new ResultLog(dir);
    expect(log.append(result(1, 0, 0.5, 'done'))).toBe(true);
    expect(log.append(result(1, 0, 0.9, 'done'))).toBe(false);
    appendFileSync(log.file, '{"trial": 2, "segm');
    const again = new ResultLog(dir);
    expect(again.results).toEqual([result(1, 0, 0.5, 'done')]);
    expect(again.append(result(2, 0, 0.7, 'done'))).toBe(true);
    expect(new ResultLog(dir).results.map((r) => r.trial)).toEqual([1, 2]);
    expect(readFileSync(log.file, 'utf8').split('\n').filter(Boolean)).toHaveLength(3);
  });
});

describe('plan.json', () => {
  it('a damaged plan is one error naming the file and what is wrong, not a TypeError later', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-plan-'));
    const file = path.join(dir, 'plan.json');
    const refused = (text: string): string => {
      writeFileSync(file, text);
      try {
        readPlan(dir);
      } catch (err) {
        expect(err).not.toBeInstanceOf(TypeError);
        expect(err).not.toBeInstanceOf(SyntaxError);
        return (err as Error).message;
      }
      throw new Error(`readPlan accepted ${text}`);
    };
    expect(refused('{"id": "fc-0')).toMatch(/plan\.json' is not a sweep plan \(not JSON\)/);
    expect(refused('[]')).toMatch(/plan\.json' is not a sweep plan/);
    expect(refused('{}')).toMatch(/plan\.json' is a damaged sweep plan: "id"/);
    const plan = {
      id: 'fc-0123456789',
      label: 'fc',
      search: 'random',
      axes: [],
      trials: [{ lr: 1e-3 }],
      rungs: null,
      eta: 3,
      base: { model: 'fc' },
      command: 'nabla sweep',
    };
    expect(refused(JSON.stringify({ ...plan, trials: 'many' }))).toMatch(/damaged sweep plan: "trials"/);
    expect(refused(JSON.stringify({ ...plan, rungs: 3 }))).toMatch(/damaged sweep plan: "rungs"/);
    expect(refused(JSON.stringify({ ...plan, trials: [null] }))).toMatch(/damaged sweep plan: "trials"/);
    writeFileSync(file, JSON.stringify(plan));
    expect(readPlan(dir)).toEqual(plan);
  });
});

describe('Redis URLs', () => {
  it('shows a URL without its password, and scrubs the password from messages', () => {
    const t = parseRedisUrl('rediss://me:s3cret%21@example.org:6380/2', '--queue');
    expect(t.safe).toBe('rediss://me:***@example.org:6380/2');
    expect(t.options).toMatchObject({
      host: 'example.org',
      port: 6380,
      db: 2,
      username: 'me',
      password: 's3cret!',
    });
    expect(t.options.tls).toBeDefined();
    expect(scrub('AUTH s3cret! failed', t)).toBe('AUTH *** failed');
    expect(parseRedisUrl('redis://127.0.0.1', '--queue').options).toMatchObject({ port: 6379, db: 0 });
    expect(() => parseRedisUrl('http://a:pw@x', '--queue')).toThrow(/--queue: unsupported scheme 'http:'/);
    expect(() => parseRedisUrl('redis//:pw@x', '--queue')).toThrow(/'redis\/\/\*\*\*@x' is not a URL/);
    expect(redactCommand('nabla sweep --queue redis://:pw@h:1 --trials 2')).toBe(
      'nabla sweep --queue redis://:***@h:1 --trials 2',
    );
  });
});
